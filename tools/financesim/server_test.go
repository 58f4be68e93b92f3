package financesim

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestPagingReadsEverythingInOrder reads both endpoints with several page
// sizes and checks each gives every record once, in (updated_at, id) order.
func TestPagingReadsEverythingInOrder(t *testing.T) {
	s := New(Options{Seed: 11, Indicators: 250, Vouchers: 2500})
	for _, size := range []int{1, 7, 100, 250, MaxPageSize} {
		inds := allIndicators(t, s, "", size)
		if len(inds) != 250 {
			t.Errorf("size %d: got %d indicators, want 250", size, len(inds))
		}
		checkOrder(t, inds, "id")

		vs := allVouchers(t, s, "", size)
		if len(vs) != 2500 {
			t.Errorf("limit %d: got %d vouchers, want 2500", size, len(vs))
		}
		checkOrder(t, vs, "voucher_no")
	}
}

// TestUpdatedSinceIsInclusive picks boundaries at records and checks that
// exactly the records at or after them come back, ties included.
func TestUpdatedSinceIsInclusive(t *testing.T) {
	s := New(Options{Seed: 2, Indicators: 100, Vouchers: 1000})
	tests := []struct {
		name, idField string
		read          func(since string) []map[string]any
	}{
		{"indicators", "id", func(since string) []map[string]any {
			return allIndicators(t, s, since, 13)
		}},
		{"vouchers", "voucher_no", func(since string) []map[string]any {
			return allVouchers(t, s, since, 13)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all := tt.read("")
			for _, at := range []int{0, 1, len(all) / 3, len(all) - 1} {
				since := all[at]["updated_at"].(string)
				got := tt.read(since)
				want := atOrAfter(all, since)
				if len(got) != len(want) || got[0][tt.idField] != want[0][tt.idField] {
					t.Errorf("since %s: got %d records from %v, want %d from %v", since,
						len(got), got[0][tt.idField], len(want), want[0][tt.idField])
				}
			}
		})
	}
}

func atOrAfter(all []map[string]any, since string) []map[string]any {
	for i, r := range all {
		if r["updated_at"].(string) >= since {
			return all[i:]
		}
	}

	return nil
}

func TestUpdatedSinceForms(t *testing.T) {
	s := New(Options{Seed: 2, Indicators: 60, Vouchers: 100})
	all := allVouchers(t, s, "", 100)
	last := all[len(all)-1]["updated_at"].(string)
	tests := []struct {
		name, since string
		want        int
	}{
		{"after everything", "2099-01-01T00:00:00+08:00", 0},
		{"before everything", "2000-01-01T00:00:00Z", 100},
		{"same instant in UTC", utc(t, last), countAt(all, last)},
		{"unescaped plus", strings.Replace(last, "+", " ", 1), countAt(all, last)},
		{"a nanosecond later", strings.Replace(last, "+08:00", "001+08:00", 1), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := len(allVouchers(t, s, tt.since, 10)); got != tt.want {
				t.Errorf("updated_since=%s: got %d vouchers, want %d", tt.since, got, tt.want)
			}
		})
	}
}

func countAt(all []map[string]any, ts string) int { return len(atOrAfter(all, ts)) }

func utc(t *testing.T, ts string) string {
	t.Helper()
	tm, err := parseSince(ts)
	if err != nil {
		t.Fatal(err)
	}

	return tm.UTC().Format("2006-01-02T15:04:05.999999Z07:00")
}

func TestBadRequests(t *testing.T) {
	s := New(Options{Seed: 1})
	tests := []struct {
		path   string
		query  url.Values
		status int
		msg    string
	}{
		{IndicatorsPath, url.Values{"page": {"0"}}, 400, "page"},
		{IndicatorsPath, url.Values{"size": {"10001"}}, 400, "size"},
		{IndicatorsPath, url.Values{"size": {"x"}}, 400, "size"},
		{IndicatorsPath, url.Values{"updated_since": {"yesterday"}}, 400, "updated_since"},
		{VouchersPath, url.Values{"limit": {"-1"}}, 400, "limit"},
		{VouchersPath, url.Values{"cursor": {"!!"}}, 400, "cursor"},
		{VouchersPath, url.Values{"cursor": {"bm9waXBl"}}, 400, "cursor"},
		{"/api/v1/nothing", nil, 404, "no endpoint"},
	}
	for _, tt := range tests {
		rec := get(t, s, tt.path, tt.query)
		if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.msg) {
			t.Errorf("%s?%s: got %d %s, want %d mentioning %q", tt.path, tt.query.Encode(),
				rec.Code, rec.Body, tt.status, tt.msg)
		}
	}
}

func TestMethodNotAllowed(t *testing.T) {
	s := New(Options{Seed: 1})
	req, _ := http.NewRequest(http.MethodPost, VouchersPath, nil)
	rec := newRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET" {
		t.Errorf("POST: got %d Allow %q, want 405 Allow GET", rec.Code, rec.Header().Get("Allow"))
	}
}

func TestAuth(t *testing.T) {
	s := New(Options{Seed: 1, Token: "s3cret"})
	tests := []struct {
		name   string
		header []string
		status int
	}{
		{"no header", nil, 401},
		{"wrong token", []string{"Authorization", "Bearer nope"}, 401},
		{"no scheme", []string{"Authorization", "s3cret"}, 401},
		{"basic scheme", []string{"Authorization", "Basic s3cret"}, 401},
		{"right token", []string{"Authorization", "Bearer s3cret"}, 200},
		{"lower-case scheme", []string{"Authorization", "bearer s3cret"}, 200},
	}
	for _, tt := range tests {
		for _, path := range []string{IndicatorsPath, VouchersPath} {
			rec := get(t, s, path, nil, tt.header...)
			if rec.Code != tt.status {
				t.Errorf("%s %s: got %d, want %d", tt.name, path, rec.Code, tt.status)
			}
			if tt.status == 401 && !strings.Contains(rec.Body.String(), `"code":401`) {
				t.Errorf("%s: got body %s, want a JSON error with code 401", tt.name, rec.Body)
			}
		}
	}
}
