package httpjson

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
)

func TestParseStamp_ComparesExactly(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"2024-05-12T08:00:00.5+08:00", "2024-05-12T00:00:00.500Z", 0},
		{"2024-05-12T08:00:00+08:00", "2024-05-12T00:00:00.000000Z", 0},
		{"2024-05-12 08:00:00.5+08:00", "2024-05-12t00:00:00.5z", 0},
		{"2024-05-12T23:59:59.9-01:00", "2024-05-13T00:59:59.90Z", 0},
		{"2024-05-12T00:00:00.5Z", "2024-05-12T00:00:00.5000000001Z", -1},
		{"2024-05-12T00:00:00.1234567891Z", "2024-05-12T00:00:00.1234567892Z", -1},
		{"2024-05-12T00:00:00.45Z", "2024-05-12T00:00:00.5Z", -1},
		{"2024-05-12T00:00:00.05Z", "2024-05-12T00:00:00.5Z", -1},
		{"2024-05-12T08:00:01+08:00", "2024-05-12T08:00:00.999999999999+08:00", 1},
		{"2024-05-12T08:00:00+08:00", "2024-05-12T08:00:00+07:00", -1},
	}
	for _, tt := range tests {
		t.Run(tt.a+" vs "+tt.b, func(t *testing.T) {
			a, errA := parseStamp(tt.a)
			b, errB := parseStamp(tt.b)
			if err := errors.Join(errA, errB); err != nil {
				t.Fatalf("got error %v, want none", err)
			}

			if got := a.compare(b); got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
			if got := b.compare(a); got != -tt.want {
				t.Errorf("reversed: got %d, want %d", got, -tt.want)
			}
		})
	}
}

func TestParseStamp_RejectsTimesWithoutZoneOrShape(t *testing.T) {
	for _, in := range []string{"", "yesterday", "1715472000", "2024-05-12",
		"2024-05-12T08:00:00", "2024-05-12T08:00:00.5", "2024-05-12T08:00:00.Z",
		"2024-05-12T08:00:00+0800", "2024-13-01T00:00:00Z", "2024-05-12T08:00:00Zjunk",
		"2024-05-12X08:00:00Z"} {
		if _, err := parseStamp(in); err == nil {
			t.Errorf("parseStamp(%q): got no error, want one", in)
		}
	}
}

const exactBody = `{"data":{"items":[
	{"id":"V1","updatedAt":"2024-05-12T00:00:00.500Z"},
	{"id":"V3","updatedAt":"2024-05-12 08:00:00.50+08:00"},
	{"id":"V1","updatedAt":"2024-05-12T00:00:00.5000000001Z"},
	{"id":"V2","updatedAt":"2024-05-12T00:00:00.5000000001+00:00"}
]}}`

func TestSource_TimesCompareExactlyAcrossZonesAndPrecision(t *testing.T) {
	cfg, _ := incremental(fixed(http.StatusOK, exactBody), t)
	cfg.Paging.Size = 10
	src, _ := newSource(t, cfg)

	ids, cursor := readIDs(t, src, cursorOf("2024-05-12T08:00:00.5+08:00", "V1"))

	// V1 at the stored instant, written in another zone, was loaded; V3 at
	// it was not; V1 a tenth of a nanosecond later is a new change.
	if want := []string{"V3", "V1", "V2"}; !slices.Equal(ids, want) {
		t.Errorf("got ids %q, want %q", ids, want)
	}
	if want := cursorOf("2024-05-12T00:00:00.5000000001Z", "V1", "V2"); cursor != want {
		t.Errorf("got cursor %s, want %s", cursor, want)
	}
}

const badTimeBody = `{"data":{"items":[
	{"id":"G1","updatedAt":"` + t1 + `"},
	{"id":"B1"},
	{"id":"B2","updatedAt":"yesterday"},
	{"id":"B3","updatedAt":"2024-05-12T08:00:00"},
	{"id":"B4","updatedAt":1715472000},
	{"id":"B5","updatedAt":null},
	{"id":"G2","updatedAt":"` + t2 + `"},
	{"updatedAt":"` + t5 + `"}
]}}`

func TestSource_MissingOrBadTimeBecomesErrRow(t *testing.T) {
	cfg, _ := incremental(fixed(http.StatusOK, badTimeBody), t)
	cfg.Paging.Size = 10
	src, _ := newSource(t, cfg)

	pages, err := readPages(src, "")
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}

	rows := rowsOf(pages)
	if want := []string{"G1", "B1", "B2", "B3", "B4", "B5", "G2", ""}; !slices.Equal(
		column(rows, "id"), want) {
		t.Fatalf("got ids %q, want %q", column(rows, "id"), want)
	}
	for i, row := range rows {
		if bad := i != 0 && i != 6; (row.Err != nil) != bad {
			t.Errorf("%s: got error %v, want one: %t", row.Ref, row.Err, bad)
		}
	}
	if got, want := lastCursor(pages), cursorOf(t2, "G2"); got != want {
		t.Errorf("got cursor %s, want %s: bad rows neither advance nor block it", got, want)
	}
}

// dropping passes requests on, except that while drop is set it cuts the
// connection half-way through the body of page 2.
type dropping struct {
	next  http.Handler
	drop  atomic.Bool
	calls atomic.Int32
}

// ServeHTTP cuts every request after the first while drop is set.
func (d *dropping) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !d.drop.Load() || d.calls.Add(1) == 1 {
		d.next.ServeHTTP(w, r)
		return
	}

	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	fmt.Fprint(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"+
		"Content-Length: 1000\r\n\r\n"+`{"data":{"items":[{"id":"R3","updatedAt":`)
	_ = conn.Close()
}

func TestSource_DroppedConnectionResumesFromLastCursor(t *testing.T) {
	api := &changes{t: t}
	for i, at := range []string{t1, t2, t3, t4} {
		api.add(fmt.Sprintf("R%d", i+1), at)
	}
	cut := &dropping{next: api}
	cut.drop.Store(true)
	_, src := incremental(cut, t)

	pages, err := readPages(src, "")
	var re *RemoteError
	if !errors.As(err, &re) || re.Attempts != 3 {
		t.Fatalf("got error %v, want a RemoteError after 3 attempts", err)
	}
	if got := column(rowsOf(pages), "id"); !slices.Equal(got, []string{"R1", "R2"}) {
		t.Fatalf("got ids %q, want [R1 R2]: only whole pages", got)
	}
	if got, want := lastCursor(pages), cursorOf(t2, "R2"); got != want {
		t.Fatalf("got cursor %s, want %s", got, want)
	}

	cut.drop.Store(false)
	ids, _ := readIDs(t, src, lastCursor(pages))
	if want := []string{"R3", "R4"}; !slices.Equal(ids, want) {
		t.Errorf("resumed run: got ids %q, want %q", ids, want)
	}
}
