package simdata

import (
	"slices"
	"testing"
	"time"

	"fundhub"
)

func TestMoney(t *testing.T) {
	tests := []struct {
		in      string
		wan     bool
		want    Money
		text    string
		wantErr bool
	}{
		{in: "19800", wan: true, want: 19800 * FenPerWan, text: "198000000.00"},
		{in: "1.035", wan: true, want: 1_035_000, text: "10350.00"},
		{in: "0.000001", wan: true, want: 1, text: "0.01"},
		{in: "0.0000001", wan: true, wantErr: true},
		{in: "12.5", want: 1250, text: "12.50"},
		{in: "-0.07", want: -7, text: "-0.07"},
		{in: "1.234", wantErr: true},
		{in: "1e3", wantErr: true},
		{in: "", wantErr: true},
		{in: ".5", wantErr: true},
		{in: "99999999999999999999", wantErr: true},
	}
	for _, tt := range tests {
		parse := ParseYuan
		if tt.wan {
			parse = ParseWan
		}
		got, err := parse(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("parsing %q (wan %v): got %d, %v, want %d, error %v", tt.in, tt.wan,
				got, err, tt.want, tt.wantErr)
		}
		if err == nil && got.String() != tt.text {
			t.Errorf("%q as text: got %s, want %s", tt.in, got, tt.text)
		}
	}
}

func TestTimeFormat(t *testing.T) {
	tm := time.Date(2026, 1, 5, 8, 30, 0, 1000, Zone)
	if got, want := FormatMicros(tm.UnixMicro()), "2026-01-05T08:30:00.000001+08:00"; got != want {
		t.Errorf("FormatMicros: got %s, want %s", got, want)
	}
	evening := time.Date(2020, 12, 31, 20, 0, 0, 0, time.UTC)
	if got, want := FormatDate(evening), "2021-01-01"; got != want {
		t.Errorf("FormatDate of a UTC evening: got %s, want %s", got, want)
	}

	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "2026-01-05T08:30:00.000001+08:00", want: tm},
		{in: "2026-01-05T08:30:00.000001 08:00", want: tm},
		{in: "2026-01-05T00:30:00.000001Z", want: tm},
		{in: "2026-01-05", wantErr: true},
		{in: "soon", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in)
		if (err != nil) != tt.wantErr || (err == nil && !got.Equal(tt.want)) {
			t.Errorf("ParseTime(%q): got %v, %v, want %v, error %v", tt.in, got, err,
				tt.want, tt.wantErr)
		}
	}
}

func TestTimelineNeverDecreasesAndTies(t *testing.T) {
	tl := Timeline{Start: 1_000_000, Step: 45_000_000, Salt: 3}
	ties := 0
	for i := 1; i < 10_000; i++ {
		a, b := tl.At(i-1), tl.At(i)
		switch {
		case b < a:
			t.Fatalf("At(%d): got %d before At(%d) %d, want never earlier", i, b, i-1, a)
		case b == a:
			ties++
		}
		if b >= tl.End(i+1) {
			t.Fatalf("At(%d): got %d, want before End %d", i, b, tl.End(i+1))
		}
	}
	if ties < 500 || ties > 2000 {
		t.Errorf("shared times: got %d in 10000, want about 1250", ties)
	}
}

func TestRecipients(t *testing.T) {
	rs, err := LoadRegions()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		code    string
		has     []string
		hasNot  []string
		minSize int
	}{
		{"330000", []string{"330100", "330106"}, []string{"330200", "330203", "330000"}, 80},
		{"330200", []string{"330203"}, []string{"330200", "330100"}, 5},
		{"110000", []string{"110101"}, []string{"110100"}, 16},
		{"210000", []string{"210100"}, []string{"210200", "210202"}, 50},
	}
	for _, tt := range tests {
		got := rs.Recipients(tt.code)
		for _, c := range tt.has {
			if !slices.Contains(got, c) {
				t.Errorf("recipients of %s: got no %s, want it", tt.code, c)
			}
		}
		for _, c := range tt.hasNot {
			if slices.Contains(got, c) {
				t.Errorf("recipients of %s: got %s, want none", tt.code, c)
			}
		}
		if len(got) < tt.minSize {
			t.Errorf("recipients of %s: got %d, want at least %d", tt.code, len(got), tt.minSize)
		}
	}
}

func TestProjects(t *testing.T) {
	rs, _ := LoadRegions()
	a, b, other := NewProjects(1, rs), NewProjects(1, rs), NewProjects(2, rs)
	if a.Project(123) != b.Project(123) {
		t.Errorf("project 123: got %+v and %+v, want equal for one seed", a.Project(123),
			b.Project(123))
	}
	if a.Project(123) == other.Project(123) {
		t.Errorf("project 123: got equal for seeds 1 and 2, want different")
	}

	codes := map[string]bool{}
	for i := range 20_000 {
		p := a.Project(i)
		county := rs.Get(p.RegionCode).Level == fundhub.LevelCounty
		if codes[p.Code] || !county || p.Investment <= 0 || !p.EndOn.After(p.StartOn) {
			t.Fatalf("project %d: got %+v, want a new code on a county, money and dates", i, p)
		}
		codes[p.Code] = true
	}

	if 4*len(rs.Counties()) > DefaultProjects {
		t.Errorf("default reserve: got %d projects, want at least 4 per county (%d)",
			DefaultProjects, 4*len(rs.Counties()))
	}
	p, ok := a.InCounty("330106", 2)
	if !ok || p.RegionCode != "330106" || p.Index < 2*len(rs.Counties()) {
		t.Errorf("InCounty(330106, 2): got %+v, %v, want the third project of 330106", p, ok)
	}
}
