package financesim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
)

type indicatorResp struct {
	Code int `json:"code"`
	Data struct {
		Items []map[string]any `json:"items"`
		Total int              `json:"total"`
	} `json:"data"`
}

type voucherResp struct {
	Code int `json:"code"`
	Data struct {
		Items      []map[string]any `json:"items"`
		NextCursor string           `json:"next_cursor"`
	} `json:"data"`
}

// get serves one GET request; hdr holds header name and value pairs.
func get(t *testing.T, h http.Handler, path string, q url.Values,
	hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path+"?"+q.Encode(), nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)

	return rec
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if rec.Code != http.StatusOK {
		t.Fatalf("status: got %d, want 200 (body %s)", rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decoding %.200s: %v", rec.Body, err)
	}

	return v
}

// allIndicators reads every indicator updated at or after since, page by
// page.
func allIndicators(t *testing.T, h http.Handler, since string, size int) []map[string]any {
	t.Helper()
	var out []map[string]any
	for page := 1; ; page++ {
		q := url.Values{"page": {itoa(page)}, "size": {itoa(size)}}
		if since != "" {
			q.Set("updated_since", since)
		}
		resp := decode[indicatorResp](t, get(t, h, IndicatorsPath, q))
		out = append(out, resp.Data.Items...)
		if len(resp.Data.Items) < size {
			if len(out) != resp.Data.Total {
				t.Fatalf("records read: got %d, want total %d", len(out), resp.Data.Total)
			}
			return out
		}
	}
}

// allVouchers follows next_cursor from the first page to the last.
func allVouchers(t testing.TB, h http.Handler, since string, limit int) []map[string]any {
	t.Helper()
	var out []map[string]any
	cursor := ""
	for {
		q := url.Values{"limit": {itoa(limit)}}
		if since != "" {
			q.Set("updated_since", since)
		}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, VouchersPath+"?"+q.Encode(), nil))
		var resp voucherResp
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || rec.Code != 200 {
			t.Fatalf("page after %q: status %d, %v", cursor, rec.Code, err)
		}
		out = append(out, resp.Data.Items...)
		if resp.Data.NextCursor == "" {
			return out
		}
		cursor = resp.Data.NextCursor
	}
}

// checkOrder fails unless the records are in strictly increasing
// (updated_at, id) order. updated_at values share one layout and zone, so
// they compare as text.
func checkOrder(t testing.TB, recs []map[string]any, idField string) {
	t.Helper()
	for i := 1; i < len(recs); i++ {
		a, b := recs[i-1], recs[i]
		ka := a["updated_at"].(string) + "|" + a[idField].(string)
		kb := b["updated_at"].(string) + "|" + b[idField].(string)
		if ka >= kb {
			t.Fatalf("record %d: got key %s after %s, want increasing (updated_at, %s)",
				i, kb, ka, idField)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
