// Package httpjson reads a paged JSON API as a connector source: the
// records of each page become rows, flattened to dotted keys with numbers
// kept as their exact text, and an incremental source resumes from a cursor
// that names the last update time it loaded and the keys loaded at it.
//
// # Pages
//
// A "page" or "offset" API ends at a page shorter than the page size; a
// "next" or "cursor" API at a page without a next link or token. A next
// link is followed as given, relative to the page it came from, so it must
// carry the query it needs, and only to the configured host, the one
// trusted with the credential. A source that sends a link or token a
// second time, a page that repeats the one before, or more pages than
// WithMaxPages allows is taken to loop, and the Read fails.
//
// # Rows
//
// A row's Ref is the request's path, the page's number in the Read and the
// record's place in the page, both from 1: "/api/vouchers#3:17". Its Values
// are keyed by dotted path ("voucher.amount") folded by
// connectors.NormalizeText.
//
// # Cursor
//
// An incremental Source's cursor is JSON:
//
//	{"time":"2024-05-12T08:00:00.123456+08:00","keys":["V1","V2"]}
//
// time is the latest update time read so far, as the source wrote it, and
// keys are the records loaded at exactly that time. The next run sends time
// as the since parameter and skips those keys among the records at it, so a
// record sharing the last timestamp is neither read twice nor lost.
package httpjson

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"fundhub/connectors"
)

// Defaults for the settings HTTPConfig leaves out.
const (
	defaultTimeout  = 30 * time.Second
	defaultRetries  = 5
	defaultBackoff  = 500 * time.Millisecond
	defaultPageSize = 100
	defaultMaxPages = 100_000
)

// Source reads one HTTPConfig's API. It keeps no state between calls of
// Read, so it is safe for concurrent use.
type Source struct {
	cfg      connectors.HTTPConfig
	base     *url.URL
	paging   connectors.HTTPPaging
	client   *http.Client
	clock    Clock
	log      *slog.Logger
	timeout  time.Duration
	retries  int
	backoff  time.Duration
	maxPages int
}

// Option changes how New builds a Source.
type Option func(*Source)

// WithLogger logs one debug line per request: method, URL without its
// query, status and duration. Without it a Source logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(s *Source) { s.log = l }
}

// WithClock replaces the clock that retries wait on and Retry-After dates
// are read against; tests use it to see the waits without spending them.
// The per-request timeout runs on the real clock.
func WithClock(c Clock) Option {
	return func(s *Source) { s.clock = c }
}

// WithHTTPClient sends the requests through c instead of a client of its
// own. A Timeout set on c also bounds each request.
func WithHTTPClient(c *http.Client) Option {
	return func(s *Source) { s.client = c }
}

// WithMaxPages bounds the pages of one Read (default 100,000; n <= 0
// keeps it): a source that pages past it is taken to loop and Read fails.
func WithMaxPages(n int) Option {
	return func(s *Source) {
		if n > 0 {
			s.maxPages = n
		}
	}
}

// New returns a Source for cfg, which it copies. Settings left out take the
// defaults HTTPConfig documents; paging Size defaults to 100, a negative
// Retries means no retry. It fails when the URL is not an absolute http or
// https URL or an incremental source lacks SinceParam. The credential is
// read from the environment by Read, not here.
func New(cfg *connectors.HTTPConfig, opts ...Option) (*Source, error) {
	base, err := parseBase(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Incremental != nil && cfg.Incremental.SinceParam == "" {
		return nil, fmt.Errorf("http source %s: incremental reads need sinceParam, "+
			"the query parameter that receives the stored time", base.Path)
	}

	s := &Source{cfg: *cfg, base: base, paging: pagingDefaults(cfg.Paging),
		client: &http.Client{CheckRedirect: sameHost}, clock: realClock{}, log: discardLogger(),
		timeout: cfg.Timeout.Or(defaultTimeout), retries: retryCount(cfg.Retries),
		backoff: cfg.Backoff.Or(defaultBackoff), maxPages: defaultMaxPages}
	for _, opt := range opts {
		opt(s)
	}

	return s, nil
}

// parseBase parses cfg.URL and adds cfg.Query to its query.
func parseBase(cfg *connectors.HTTPConfig) (*url.URL, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		// url.Error repeats the URL, which may hold a secret in its query.
		return nil, errors.New("http source url is not a URL")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("http source url must be an absolute http or https URL, "+
			"got scheme %q", u.Scheme)
	}

	q := u.Query()
	for k, v := range cfg.Query {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()

	return u, nil
}

func retryCount(n int) int {
	switch {
	case n == 0:
		return defaultRetries
	case n < 0:
		return 0
	}

	return n
}

func discardLogger() *slog.Logger {
	return slog.New(slog.DiscardHandler)
}

// Read reads the pages of the API from cursor ("" for the start) and calls
// fn once per page, in order, with the page's rows; it stops at the last
// page. Without Incremental every Page.Cursor is "" and the whole API is
// read. With it, each Page.Cursor covers the rows of that page and the ones
// before, never more, so a Read that fails part-way resumes from the last
// cursor committed. A record that cannot become a row is a row with Err
// set; a request that fails after its retries, a page that would repeat
// (a looping source) and a cursor this package did not write are errors.
// Read returns fn's error as it is, and ctx's error, wrapped, when ctx ends.
func (s *Source) Read(ctx context.Context, cursor string,
	fn func(connectors.Page) error) error {
	inc, err := newTracker(s.cfg.Incremental, cursor)
	if err != nil {
		return err
	}
	cred, err := s.credential()
	if err != nil {
		return err
	}

	p := newPager(s.paging, s.startURL(inc))
	for n := 1; ; n++ {
		if n > s.maxPages {
			return fmt.Errorf("%s: stopped after %d pages; the source may be paging in "+
				"a loop", s.base.Path, s.maxPages)
		}
		more, err := s.readPage(ctx, p, n, cred, inc, fn)
		if err != nil || !more {
			return err
		}
	}
}

// readPage fetches page n, moves p on and hands the page's rows to fn. It
// reports whether another page follows. A page whose answer cannot be
// followed (a repeat, a link to another host) is not handed over.
func (s *Source) readPage(ctx context.Context, p *pager, n int, cred string,
	inc *tracker, fn func(connectors.Page) error) (bool, error) {
	u := p.url()
	ans, err := s.fetch(ctx, u, cred)
	if err != nil {
		return false, err
	}
	before := inc.progress()
	rows := makeRows(u.Path, n, ans.records, inc)
	reanchor := inc != nil && p.numbered() && inc.progress() != before
	more, err := p.advance(ans)
	if err != nil {
		return false, err
	}

	if err := fn(connectors.Page{Rows: rows, Cursor: inc.cursor()}); err != nil {
		return false, err
	}
	if more && reanchor {
		p.reanchor(s.cfg.Incremental.SinceParam, inc.latest())
	}

	return more, nil
}

// startURL is the first page's URL: the base with the stored time, if any.
func (s *Source) startURL(inc *tracker) *url.URL {
	u := *s.base
	if since := inc.since(); since != "" {
		q := u.Query()
		q.Set(s.cfg.Incremental.SinceParam, since)
		u.RawQuery = q.Encode()
	}

	return &u
}
