package httpjson

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"fundhub/connectors"
)

// testPath is the path every test API serves.
const testPath = "/api/vouchers"

// fakeClock records the waits asked of it and moves its time on by them,
// without sleeping.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2024, 5, 12, 8, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()

	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()

	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)

	return ctx.Err()
}

func (c *fakeClock) waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()

	return append([]time.Duration(nil), c.sleeps...)
}

// counter counts the requests a handler served.
type counter struct {
	mu sync.Mutex
	n  int
}

// next counts a request and returns its 1-based number.
func (c *counter) next() int {
	c.mu.Lock()
	defer c.mu.Unlock()

	c.n++

	return c.n
}

func (c *counter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()

	return c.n
}

// serve starts a loopback server for the test.
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()

	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	return srv
}

// baseConfig reads testPath of srv, page by page, with fast retries.
func baseConfig(srv *httptest.Server) *connectors.HTTPConfig {
	return &connectors.HTTPConfig{
		URL:     srv.URL + testPath,
		Records: "data.items",
		Paging:  connectors.HTTPPaging{Mode: "page", Size: 2},
		Retries: 2,
		Backoff: connectors.Duration(10 * time.Millisecond),
	}
}

// newSource builds a Source for cfg on a fake clock.
func newSource(t *testing.T, cfg *connectors.HTTPConfig, opts ...Option) (*Source,
	*fakeClock) {
	t.Helper()

	clock := newFakeClock()
	src, err := New(cfg, append([]Option{WithClock(clock)}, opts...)...)
	if err != nil {
		t.Fatalf("New: got error %v, want none", err)
	}

	return src, clock
}

// readPages returns the pages one Read hands over, and its error.
func readPages(src *Source, cursor string) ([]connectors.Page, error) {
	var pages []connectors.Page
	err := src.Read(context.Background(), cursor, func(p connectors.Page) error {
		pages = append(pages, p)

		return nil
	})

	return pages, err
}

// rowsOf returns the rows of pages in order.
func rowsOf(pages []connectors.Page) []connectors.Row {
	var rows []connectors.Row
	for _, p := range pages {
		rows = append(rows, p.Rows...)
	}

	return rows
}

// column returns the value of key in each row.
func column(rows []connectors.Row, key string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Values[key]
	}

	return out
}

// lastCursor is the cursor of the last page, "" without pages.
func lastCursor(pages []connectors.Page) string {
	if len(pages) == 0 {
		return ""
	}

	return pages[len(pages)-1].Cursor
}

// fixed answers every request with status and body.
func fixed(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// debugLog returns a logger writing debug lines to the returned buffer.
func debugLog() (*slog.Logger, *syncBuffer) {
	buf := &syncBuffer{}
	h := slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})

	return slog.New(h), buf
}

// syncBuffer is a buffer safe for the writes of concurrent requests.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()

	return b.buf.Write(p)
}

func (b *syncBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()

	return strings.Split(strings.TrimSpace(b.buf.String()), "\n")
}
