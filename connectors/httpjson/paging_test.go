package httpjson

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"fundhub/connectors"
)

// catalog serves records R1..R<total> under data.items, split into pages
// the way its mode says, with parameter names of its own so that the test
// checks the names a Source sends.
type catalog struct {
	mode                 string
	total                int
	first                int
	pageParam, sizeParam string
}

func (c *catalog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start, n := c.window(r)
	end := min(start+n, c.total)

	items := []map[string]any{}
	for i := start; i < end; i++ {
		items = append(items, map[string]any{"id": fmt.Sprintf("R%d", i+1)})
	}
	body := map[string]any{"data": map[string]any{"items": items}}
	if end < c.total && c.mode == "next" {
		body["links"] = map[string]any{"next": fmt.Sprintf("%s?after=%d", testPath, end)}
	}
	if end < c.total && c.mode == "cursor" {
		body["meta"] = map[string]any{"next": fmt.Sprintf("tok-%d", end)}
	}

	_ = json.NewEncoder(w).Encode(body)
}

// window reads the first record and the count a request asks for.
func (c *catalog) window(r *http.Request) (int, int) {
	q := r.URL.Query()
	num := func(name string) int {
		n, _ := strconv.Atoi(q.Get(name))
		return n
	}

	switch c.mode {
	case "page":
		size := num(c.sizeParam)
		return (num(c.pageParam) - c.first) * size, size
	case "offset":
		return num("offset"), num("limit")
	case "next":
		return num("after"), 2
	}

	n, _ := strconv.Atoi(strings.TrimPrefix(q.Get("cursor"), "tok-"))

	return n, 2
}

func TestSource_PagingModes(t *testing.T) {
	zero := 0
	tests := []struct {
		name      string
		paging    connectors.HTTPPaging
		cat       catalog
		wantPages int
	}{
		{"page, default names", connectors.HTTPPaging{Mode: "page", Size: 2},
			catalog{mode: "page", total: 5, first: 1, pageParam: "page", sizeParam: "size"}, 3},
		{"page from 0, own names", connectors.HTTPPaging{Mode: "page", Size: 2,
			PageParam: "p", SizeParam: "per", FirstPage: &zero},
			catalog{mode: "page", total: 5, pageParam: "p", sizeParam: "per"}, 3},
		{"page, last page full then empty", connectors.HTTPPaging{Mode: "page", Size: 2},
			catalog{mode: "page", total: 4, first: 1, pageParam: "page", sizeParam: "size"}, 3},
		{"offset", connectors.HTTPPaging{Mode: "offset", Size: 2},
			catalog{mode: "offset", total: 5}, 3},
		{"next link", connectors.HTTPPaging{Mode: "next", NextPath: "links.next"},
			catalog{mode: "next", total: 5}, 3},
		{"cursor token", connectors.HTTPPaging{Mode: "cursor", NextPath: "meta.next"},
			catalog{mode: "cursor", total: 5}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, &tt.cat)
			cfg := baseConfig(srv)
			cfg.Paging = tt.paging
			src, _ := newSource(t, cfg)

			pages, err := readPages(src, "")
			if err != nil {
				t.Fatalf("got error %v, want none", err)
			}

			checkCatalogPages(t, pages, tt.cat.total, tt.wantPages)
		})
	}
}

// checkCatalogPages checks that pages hold R1..R<total> in order, with refs
// numbering pages and rows from 1, and no cursor.
func checkCatalogPages(t *testing.T, pages []connectors.Page, total, wantPages int) {
	t.Helper()

	if len(pages) != wantPages {
		t.Errorf("got %d pages, want %d", len(pages), wantPages)
	}
	var want []string
	for i := range total {
		want = append(want, fmt.Sprintf("R%d", i+1))
	}
	rows := rowsOf(pages)
	if got := column(rows, "id"); !slices.Equal(got, want) {
		t.Errorf("got ids %q, want %q", got, want)
	}
	if got, want := rows[len(rows)-1].Ref, testPath+"#3:1"; total == 5 && got != want {
		t.Errorf("got ref %q, want %q", got, want)
	}
	for _, p := range pages {
		if p.Cursor != "" {
			t.Errorf("got cursor %q, want none without incremental", p.Cursor)
		}
	}
}

func TestSource_StopsOnRepeatedNextLinkOrToken(t *testing.T) {
	tests := []struct {
		name, body string
		paging     connectors.HTTPPaging
		wantPages  int
	}{
		{"next link sent twice",
			`{"data":{"items":[{"id":"A"}]},"next":"/api/vouchers?after=1"}`,
			connectors.HTTPPaging{Mode: "next", NextPath: "next"}, 1},
		{"next link back to the first page",
			`{"data":{"items":[{"id":"A"}]},"next":"/api/vouchers"}`,
			connectors.HTTPPaging{Mode: "next", NextPath: "next"}, 0},
		{"token sent twice", `{"data":{"items":[{"id":"A"}]},"next":"same"}`,
			connectors.HTTPPaging{Mode: "cursor", NextPath: "next"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, fixed(http.StatusOK, tt.body))
			cfg := baseConfig(srv)
			cfg.Paging = tt.paging
			src, _ := newSource(t, cfg)

			pages, err := readPages(src, "")
			if err == nil || !strings.Contains(err.Error(), "loop") {
				t.Fatalf("got error %v, want one about a loop", err)
			}
			if len(pages) != tt.wantPages {
				t.Errorf("got %d pages, want %d", len(pages), tt.wantPages)
			}
		})
	}
}

func TestSource_StopsAfterMaxPages(t *testing.T) {
	var calls counter
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.next()
		fmt.Fprintf(w, `{"data":{"items":[{"id":"A%d"},{"id":"B%d"}]}}`, n, n)
	}))
	src, _ := newSource(t, baseConfig(srv), WithMaxPages(3))

	pages, err := readPages(src, "")
	if err == nil || !strings.Contains(err.Error(), "stopped after 3 pages") {
		t.Fatalf("got error %v, want one saying it stopped after 3 pages", err)
	}
	if len(pages) != 3 {
		t.Errorf("got %d pages, want 3", len(pages))
	}
}

func TestSource_StopsWhenPageRepeats(t *testing.T) {
	srv := serve(t, fixed(http.StatusOK, `{"data":{"items":[{"id":"A"},{"id":"B"}]}}`))
	src, _ := newSource(t, baseConfig(srv))

	pages, err := readPages(src, "")
	if err == nil || !strings.Contains(err.Error(), "page 2 repeats") {
		t.Fatalf("got error %v, want one saying page 2 repeats", err)
	}
	if len(pages) != 1 {
		t.Errorf("got %d pages, want 1: the repeat is not handed over", len(pages))
	}
}

func TestSource_RefusesNextLinkToAnotherHost(t *testing.T) {
	var calls counter
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.next()
		fmt.Fprint(w, `{"data":{"items":[]},"next":"http://localhost:1/api/vouchers"}`)
	}))
	cfg := baseConfig(srv)
	cfg.Paging = connectors.HTTPPaging{Mode: "next", NextPath: "next"}
	src, _ := newSource(t, cfg)

	_, err := readPages(src, "")
	if err == nil || !strings.Contains(err.Error(), "not to the configured host") {
		t.Fatalf("got error %v, want one refusing the other host", err)
	}
	if got := calls.count(); got != 1 {
		t.Errorf("got %d requests, want 1", got)
	}
}
