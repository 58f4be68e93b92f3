package financesim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// latest returns the greatest updated_at of both endpoints.
func latest(t *testing.T, s *Sim) string {
	t.Helper()
	inds := allIndicators(t, s, "", MaxPageSize)
	vs := allVouchers(t, s, "", MaxPageSize)

	return max(inds[len(inds)-1]["updated_at"].(string), vs[len(vs)-1]["updated_at"].(string))
}

// TestChangesMoveUpdatedAt checks that Update, Delete and AddRefund move a
// record past every other, so a read from the old maximum finds it alone.
func TestChangesMoveUpdatedAt(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *Sim) (id string, err error)
		check  func(rec map[string]any) bool
	}{
		{"update indicator", func(s *Sim) (string, error) {
			return "ZB000010", s.Update("ZB000010", func(r map[string]any) {
				r["amount"] = "1.00"
			})
		}, func(r map[string]any) bool { return r["amount"] == "1.00" }},
		{"update voucher", func(s *Sim) (string, error) {
			return "ZF0000000042", s.Update("ZF0000000042", func(r map[string]any) {
				r["project_code"] = "X"
			})
		}, func(r map[string]any) bool { return r["project_code"] == "X" }},
		{"delete voucher", func(s *Sim) (string, error) {
			return "ZF0000000007", s.Delete("ZF0000000007")
		}, func(r map[string]any) bool { return r["is_deleted"] == 1.0 }},
		{"delete indicator", func(s *Sim) (string, error) {
			return "ZB000001", s.Delete("ZB000001")
		}, func(r map[string]any) bool { return r["is_deleted"] == 1.0 }},
		{"add refund", func(s *Sim) (string, error) {
			return s.AddRefund("ZF0000000005", "12.34")
		}, func(r map[string]any) bool {
			return r["amount"] == "-12.34" && r["refund_of"] == "ZF0000000005"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(Options{Seed: 9, Indicators: 50, Vouchers: 500})
			before := latest(t, s)
			id, err := tt.change(s)
			if err != nil {
				t.Fatalf("changing: %v", err)
			}

			got := changedSince(t, s, before)
			if len(got) != 1 || !tt.check(got[0]) || (got[0]["id"] != id &&
				got[0]["voucher_no"] != id) {
				t.Fatalf("records after %s: got %v, want only the changed %s", before, got, id)
			}
			if at := got[0]["updated_at"].(string); at <= before {
				t.Errorf("updated_at: got %s, want after %s", at, before)
			}
		})
	}
}

// changedSince returns the records of both endpoints updated after ts.
func changedSince(t *testing.T, s *Sim, ts string) []map[string]any {
	t.Helper()
	var out []map[string]any
	recs := append(allIndicators(t, s, ts, 100), allVouchers(t, s, ts, 100)...)
	for _, r := range recs {
		if r["updated_at"].(string) > ts {
			out = append(out, r)
		}
	}

	return out
}

func TestChangedRecordLeavesItsOldPlace(t *testing.T) {
	s := New(Options{Seed: 9, Indicators: 50, Vouchers: 500})
	if err := s.Update("ZF0000000003", func(map[string]any) {}); err != nil {
		t.Fatal(err)
	}
	if err := s.Update("ZF0000000003", func(map[string]any) {}); err != nil {
		t.Fatal(err)
	}

	vs := allVouchers(t, s, "", 64)
	checkOrder(t, vs, "voucher_no")
	if len(vs) != 500 || vs[499]["voucher_no"] != "ZF0000000003" {
		t.Errorf("vouchers: got %d ending %v, want 500 ending ZF0000000003", len(vs),
			vs[len(vs)-1]["voucher_no"])
	}
	if n := decode[indicatorResp](t, get(t, s, IndicatorsPath, nil)).Data.Total; n != 50 {
		t.Errorf("indicator total: got %d, want 50", n)
	}
}

func TestHookErrors(t *testing.T) {
	s := New(Options{Seed: 1})
	tests := []struct {
		name string
		err  error
	}{
		{"update unknown id", s.Update("ZB999999", func(map[string]any) {})},
		{"update bad prefix", s.Update("XX1", func(map[string]any) {})},
		{"delete unknown", s.Delete("ZF9999999999")},
		{"same timestamp unknown", s.SameTimestamp("ZB000001", "ZB999999")},
		{"refund unknown", second(s.AddRefund("ZF9999999999", "1.00"))},
		{"refund bad amount", second(s.AddRefund("ZF0000000001", "1.234"))},
		{"refund of nothing", second(s.AddRefund("ZF0000000001", "0.00"))},
	}
	for _, tt := range tests {
		if tt.err == nil {
			t.Errorf("%s: got no error, want one", tt.name)
		}
	}
}

func second(_ string, err error) error { return err }

func TestSameTimestamp(t *testing.T) {
	s := New(Options{Seed: 4, Indicators: 50, Vouchers: 300})
	ids := []string{"ZF0000000200", "ZF0000000010", "ZB000003", "ZF0000000100"}
	if err := s.SameTimestamp(ids...); err != nil {
		t.Fatalf("sharing a timestamp: %v", err)
	}

	var stamps []string
	for _, id := range ids {
		rec, _ := s.Record(id)
		stamps = append(stamps, rec["updated_at"].(string))
	}
	for _, st := range stamps[1:] {
		if st != stamps[0] {
			t.Fatalf("updated_at: got %v, want all equal", stamps)
		}
	}

	vs := allVouchers(t, s, stamps[0], 2)
	got := fmt.Sprint(vs[0]["voucher_no"], vs[1]["voucher_no"], vs[2]["voucher_no"])
	if want := "ZF0000000010ZF0000000100ZF0000000200"; got != want || len(vs) != 3 {
		t.Errorf("vouchers at the shared time: got %d %s, want 3 %s", len(vs), got, want)
	}
}

func TestFailNext(t *testing.T) {
	s := New(Options{Seed: 1})
	s.FailNext(2, http.StatusServiceUnavailable)
	for i, want := range []int{503, 503, 200} {
		rec := get(t, s, VouchersPath, nil)
		if rec.Code != want || rec.Header().Get("Retry-After") != "" {
			t.Errorf("request %d: got %d Retry-After %q, want %d and none", i, rec.Code,
				rec.Header().Get("Retry-After"), want)
		}
	}

	s.FailNextRetryAfter(1, http.StatusTooManyRequests, 1500*time.Millisecond)
	rec := get(t, s, IndicatorsPath, nil)
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "2" ||
		!strings.Contains(rec.Body.String(), `"code":429`) {
		t.Errorf("got %d Retry-After %q body %s, want 429, 2 and a JSON error", rec.Code,
			rec.Header().Get("Retry-After"), rec.Body)
	}
}

// TestDropAfterPages reads over a real connection: two pages succeed, the
// third breaks mid-body, the fourth succeeds again.
func TestDropAfterPages(t *testing.T) {
	s := New(Options{Seed: 1})
	srv := httptest.NewServer(s)
	defer srv.Close()

	s.DropAfterPages(2)
	for i, wantErr := range []bool{false, false, true, false} {
		resp, err := http.Get(srv.URL + VouchersPath + "?limit=50")
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if (err != nil) != wantErr {
			t.Errorf("request %d: got error %v, want error %v", i, err, wantErr)
		}
	}
}

func TestDropWithoutConnection(t *testing.T) {
	s := New(Options{Seed: 1})
	s.DropAfterPages(0)
	rec := get(t, s, VouchersPath, nil)
	if json.Valid(rec.Body.Bytes()) || rec.Header().Get("Content-Length") == "" {
		t.Errorf("got a whole body %.80s, want half of one", rec.Body)
	}
}

func TestMalformNext(t *testing.T) {
	for _, path := range []string{IndicatorsPath, VouchersPath} {
		s := New(Options{Seed: 1})
		s.MalformNext()
		var page struct {
			Data struct{ Items []json.RawMessage } `json:"data"`
		}
		if err := json.Unmarshal(get(t, s, path, nil).Body.Bytes(), &page); err != nil {
			t.Fatalf("%s: decoding: %v", path, err)
		}

		items := page.Data.Items
		var asString string
		var second map[string]any
		json.Unmarshal(items[1], &second)
		if json.Unmarshal(items[0], &asString) != nil || !strings.HasPrefix(asString, "{") {
			t.Errorf("%s item 0: got %.60s, want a JSON string", path, items[0])
		}
		if _, ok := second["amount"].(map[string]any); !ok {
			t.Errorf("%s item 1: got amount %v, want an object", path, second["amount"])
		}

		next := decode[voucherResp](t, get(t, s, path, nil))
		if _, ok := next.Data.Items[0]["amount"].(string); !ok {
			t.Errorf("%s next page: got amount %v, want a string again", path,
				next.Data.Items[0]["amount"])
		}
	}
}

// TestConcurrentUse reads and changes the sim from many goroutines, for
// the race detector.
func TestConcurrentUse(t *testing.T) {
	s := New(Options{Seed: 1, Indicators: 50, Vouchers: 400})
	s.FailNext(3, 503)
	s.MalformNext()
	s.DropAfterPages(5)

	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 20 {
				id := fmt.Sprintf("ZF%010d", 1+(g*20+i)%400)
				s.Update(id, func(r map[string]any) { r["note"] = g })
				s.AddRefund(id, "0.01")
				get(t, s, VouchersPath, url.Values{"limit": {"37"}})
				get(t, s, IndicatorsPath, url.Values{"page": {"2"}, "size": {"9"}})
			}
		})
	}
	wg.Wait()

	checkOrder(t, allVouchers(t, s, "", 100), "voucher_no")
}
