package httpjson

import (
	"bytes"
	"fmt"
	"net/url"
	"strconv"

	"fundhub/connectors"
)

// pagingDefaults fills in the parameter names and size HTTPPaging leaves out.
func pagingDefaults(p connectors.HTTPPaging) connectors.HTTPPaging {
	if p.Size <= 0 {
		p.Size = defaultPageSize
	}
	if p.FirstPage == nil {
		first := 1
		p.FirstPage = &first
	}

	orDefault(&p.PageParam, "page")
	orDefault(&p.SizeParam, "size")
	orDefault(&p.OffsetParam, "offset")
	orDefault(&p.LimitParam, "limit")
	orDefault(&p.CursorParam, "cursor")

	return p
}

func orDefault(s *string, def string) {
	if *s == "" {
		*s = def
	}
}

// pager walks the pages of one Read: it builds each page's URL and decides,
// from the page's answer, whether another follows. It refuses to go on when
// the source sends a next link or token it sent before, or a page that
// repeats the one before word for word (a source ignoring the page
// parameter), since either would page forever.
type pager struct {
	mode   connectors.HTTPPaging
	base   *url.URL
	next   *url.URL
	page   int
	offset int
	token  string
	seen   map[string]bool
	last   []byte
}

func newPager(p connectors.HTTPPaging, base *url.URL) *pager {
	pg := &pager{mode: p, base: base, next: base, page: *p.FirstPage,
		seen: map[string]bool{}}
	if p.Mode == "next" {
		pg.seen[base.String()] = true
	}

	return pg
}

// reanchor starts the pages over from the first, asking for records changed
// at or after since. Numbered pages shift when a record changes during a
// read (it moves to the end), so an incremental read by page or offset asks
// again from the latest time seen rather than for the next number.
func (p *pager) reanchor(param, since string) {
	u := *p.base
	q := u.Query()
	q.Set(param, since)
	u.RawQuery = q.Encode()
	p.base, p.page, p.offset, p.last = &u, *p.mode.FirstPage, 0, nil
}

// numbered reports whether pages are asked for by number or offset.
func (p *pager) numbered() bool {
	return p.mode.Mode == "page" || p.mode.Mode == "offset"
}

// url returns the URL of the current page.
func (p *pager) url() *url.URL {
	if p.mode.Mode == "next" {
		return p.next
	}

	u := *p.base
	q := u.Query()
	switch p.mode.Mode {
	case "page":
		q.Set(p.mode.PageParam, strconv.Itoa(p.page))
		q.Set(p.mode.SizeParam, strconv.Itoa(p.mode.Size))
	case "offset":
		q.Set(p.mode.OffsetParam, strconv.Itoa(p.offset))
		q.Set(p.mode.LimitParam, strconv.Itoa(p.mode.Size))
	case "cursor":
		if p.token != "" {
			q.Set(p.mode.CursorParam, p.token)
		}
		if p.mode.SizeParam != "" && p.mode.Size > 0 {
			q.Set(p.mode.SizeParam, strconv.Itoa(p.mode.Size))
		}
	}
	u.RawQuery = q.Encode()

	return &u
}

// advance moves to the page after the one ans answered and reports whether
// there is one.
func (p *pager) advance(ans *answer) (bool, error) {
	switch p.mode.Mode {
	case "next":
		return p.advanceLink(ans.next)
	case "cursor":
		return p.advanceToken(ans.next)
	}

	if len(ans.records) < p.mode.Size {
		return false, nil
	}
	if p.last != nil && bytes.Equal(p.last, ans.body) {
		return false, fmt.Errorf("%s: page %d repeats the page before it; the source "+
			"may ignore the %s parameter", p.base.Path, p.page, p.param())
	}
	p.last = ans.body
	p.page++
	p.offset += len(ans.records)

	return true, nil
}

func (p *pager) param() string {
	if p.mode.Mode == "offset" {
		return p.mode.OffsetParam
	}

	return p.mode.PageParam
}

// advanceLink follows a next link, relative to the page it came from. It
// only follows links to the configured host, the one trusted with the
// credential.
func (p *pager) advanceLink(link string) (bool, error) {
	if link == "" {
		return false, nil
	}

	ref, err := url.Parse(link)
	if err != nil {
		return false, fmt.Errorf("%s: the next link is not a URL", p.base.Path)
	}
	next := p.next.ResolveReference(ref)
	if next.Scheme != p.base.Scheme || next.Host != p.base.Host {
		return false, fmt.Errorf("%s: the next link points to %s://%s, not to the "+
			"configured host; the credential is only sent there", p.base.Path,
			next.Scheme, next.Host)
	}
	if p.seen[next.String()] {
		return false, fmt.Errorf("%s: the source sent the next link %s a second time; "+
			"it would page in a loop", p.base.Path, next.Path)
	}
	p.seen[next.String()] = true
	p.next = next

	return true, nil
}

// advanceToken sends a cursor token back with the next request.
func (p *pager) advanceToken(token string) (bool, error) {
	if token == "" {
		return false, nil
	}

	if p.seen[token] {
		return false, fmt.Errorf("%s: the source sent the same page token a second "+
			"time; it would page in a loop", p.base.Path)
	}
	p.seen[token] = true
	p.token = token

	return true, nil
}
