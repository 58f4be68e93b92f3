package httpjson

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fundhub/connectors"
)

// changes is an API of records changed at or after "since", in time order,
// paged by page and size. Its records are added as a test goes.
type changes struct {
	t      *testing.T
	mu     sync.Mutex
	recs   []map[string]any
	sinces []string
}

// add appends a record changed at the given time, which must not be
// earlier than the last one's.
func (c *changes) add(id, at string) {
	c.mu.Lock()
	defer c.mu.Unlock()

	c.recs = append(c.recs, map[string]any{"id": id, "updatedAt": at, "amount": "1.00"})
}

func (c *changes) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()

	q := r.URL.Query()
	c.sinces = append(c.sinces, q.Get("since"))
	match := []map[string]any{}
	for _, rec := range c.recs {
		if q.Get("since") == "" || !c.time(rec["updatedAt"].(string)).Before(
			c.time(q.Get("since"))) {
			match = append(match, rec)
		}
	}

	page, _ := strconv.Atoi(q.Get("page"))
	size, _ := strconv.Atoi(q.Get("size"))
	start := min((page-1)*size, len(match))
	items := match[start:min(start+size, len(match))]
	_ = json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"items": items}})
}

// time parses a time the way the source itself would.
func (c *changes) time(s string) time.Time {
	v, err := time.Parse(time.RFC3339Nano, strings.Replace(s, " ", "T", 1))
	if err != nil {
		c.t.Errorf("test source got time %q: %v", s, err)
	}

	return v
}

// incremental reads srv by updatedAt and id.
func incremental(srv http.Handler, t *testing.T) (*connectors.HTTPConfig, *Source) {
	t.Helper()

	cfg := baseConfig(serve(t, srv))
	cfg.Incremental = &connectors.Incremental{TimeField: "updatedAt", KeyField: "id",
		SinceParam: "since"}
	src, _ := newSource(t, cfg)

	return cfg, src
}

// readIDs reads from cursor and returns the ids read and the last cursor.
func readIDs(t *testing.T, src *Source, cursor string) ([]string, string) {
	t.Helper()

	pages, err := readPages(src, cursor)
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}

	return column(rowsOf(pages), "id"), lastCursor(pages)
}

func cursorOf(at string, keys ...string) string {
	b, _ := json.Marshal(storedCursor{Time: at, Keys: keys})

	return string(b)
}

const (
	t1 = "2024-05-12T08:00:00+08:00"
	t2 = "2024-05-12T08:00:00.123456+08:00"
	t3 = "2024-05-12T09:30:00Z"
	t4 = "2024-05-13T00:00:00.5+08:00"
	t5 = "2024-05-13T00:00:01+08:00"
)

func TestSource_RereadFromCursorReturnsNothingNew(t *testing.T) {
	api := &changes{t: t}
	for i, at := range []string{t1, t2, t2, t3} {
		api.add(fmt.Sprintf("R%d", i+1), at)
	}
	_, src := incremental(api, t)

	ids, cursor := readIDs(t, src, "")
	if want := []string{"R1", "R2", "R3", "R4"}; !slices.Equal(ids, want) {
		t.Fatalf("first run: got ids %q, want %q", ids, want)
	}
	if want := cursorOf(t3, "R4"); cursor != want {
		t.Fatalf("first run: got cursor %s, want %s", cursor, want)
	}

	again, next := readIDs(t, src, cursor)
	if len(again) != 0 {
		t.Errorf("second run: got ids %q, want none", again)
	}
	if next != cursor {
		t.Errorf("second run: got cursor %s, want %s unchanged", next, cursor)
	}
}

func TestSource_SharedLastTimestampAcrossRuns(t *testing.T) {
	api := &changes{t: t}
	api.add("V1", t1)
	api.add("V2", t2)
	_, src := incremental(api, t)
	_, cursor := readIDs(t, src, "")

	// V3 was written at V2's time but only became visible after the run.
	api.add("V3", t2)
	ids, cursor := readIDs(t, src, cursor)
	if !slices.Equal(ids, []string{"V3"}) {
		t.Errorf("second run: got ids %q, want [V3]", ids)
	}
	if want := cursorOf(t2, "V2", "V3"); cursor != want {
		t.Errorf("second run: got cursor %s, want %s", cursor, want)
	}

	api.add("V4", t3)
	ids, cursor = readIDs(t, src, cursor)
	if !slices.Equal(ids, []string{"V4"}) {
		t.Errorf("third run: got ids %q, want [V4]", ids)
	}
	if ids, _ = readIDs(t, src, cursor); len(ids) != 0 {
		t.Errorf("fourth run: got ids %q, want none", ids)
	}
}

func TestSource_PageCursorCoversOnlyItsRows(t *testing.T) {
	api := &changes{t: t}
	for i, at := range []string{t1, t2, t3, t4, t5} {
		api.add(fmt.Sprintf("R%d", i+1), at)
	}
	_, src := incremental(api, t)

	pages, err := readPages(src, "")
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}

	// Each page after the first is asked again from the latest time, so it
	// repeats the record read at that time (skipped) and brings one new.
	want := []string{cursorOf(t2, "R2"), cursorOf(t3, "R3"), cursorOf(t4, "R4"),
		cursorOf(t5, "R5"), cursorOf(t5, "R5")}
	var got []string
	for _, p := range pages {
		got = append(got, p.Cursor)
	}
	if !slices.Equal(got, want) {
		t.Errorf("got cursors %q, want %q", got, want)
	}
}

func TestSource_SendsStoredTimeVerbatim(t *testing.T) {
	api := &changes{t: t}
	_, src := incremental(api, t)
	stored := "2024-05-12 08:00:00.120+08:00"

	if _, err := readPages(src, cursorOf(stored, "A")); err != nil {
		t.Fatalf("got error %v, want none", err)
	}

	if want := []string{stored}; !slices.Equal(api.sinces, want) {
		t.Errorf("got since %q, want %q", api.sinces, want)
	}
}

func TestSource_RejectsCursorItDidNotWrite(t *testing.T) {
	for _, cursor := range []string{"2024-05-12", `{"time":"yesterday","keys":[]}`} {
		t.Run(cursor, func(t *testing.T) {
			api := &changes{t: t}
			_, src := incremental(api, t)

			if _, err := readPages(src, cursor); err == nil {
				t.Error("got no error, want one")
			}
			if len(api.sinces) != 0 {
				t.Errorf("got %d requests, want none", len(api.sinces))
			}
		})
	}
}

// touchAfterFirst moves the first record to the end, with a later update
// time, once the first page has been served: a record changed mid-read.
type touchAfterFirst struct {
	api   *changes
	at    string
	calls int
}

func (h *touchAfterFirst) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.api.ServeHTTP(w, r)
	h.calls++
	if h.calls != 1 {
		return
	}

	h.api.mu.Lock()
	first := h.api.recs[0]
	h.api.recs = append(h.api.recs[1:], first)
	first["updatedAt"] = h.at
	h.api.mu.Unlock()
}

func TestSource_RecordChangedMidReadIsNotLost(t *testing.T) {
	api := &changes{t: t}
	times := []string{t1, t1, t2, t2, t3, t3, t4, t4, t4}
	for i, at := range times {
		api.add(fmt.Sprintf("P%02d", i+1), at)
	}
	_, src := incremental(&touchAfterFirst{api: api, at: t5}, t)

	ids, _ := readIDs(t, src, "")
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	for i := range times {
		if id := fmt.Sprintf("P%02d", i+1); !seen[id] {
			t.Errorf("%s: got it skipped, want every record read (read %q)", id, ids)
		}
	}
}
