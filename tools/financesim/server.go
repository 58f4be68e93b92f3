package financesim

import (
	"crypto/subtle"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Paths of the two endpoints, and the largest page either serves.
const (
	IndicatorsPath = "/api/v1/budget-indicators"
	VouchersPath   = "/api/v1/payment-vouchers"
	MaxPageSize    = 10000
)

// Default page sizes when a request names none.
const (
	defaultSize  = 100
	defaultLimit = 500
)

// ServeHTTP answers the two endpoints. Errors are JSON too:
// {"code":<HTTP status>,"message":"..."}.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var page func(url.Values) ([]byte, error)
	switch r.URL.Path {
	case IndicatorsPath:
		page = s.indicatorPage
	case VouchersPath:
		page = s.voucherPage
	default:
		writeError(w, http.StatusNotFound, "no endpoint "+r.URL.Path)
		return
	}

	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeError(w, http.StatusMethodNotAllowed, "only GET is served")
		return
	}
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="financesim"`)
		writeError(w, http.StatusUnauthorized, "missing or wrong bearer token")
		return
	}

	s.serve(w, r, page)
}

// serve answers an authorized request: with an armed fault, or a page.
func (s *Sim) serve(w http.ResponseWriter, r *http.Request,
	page func(url.Values) ([]byte, error)) {
	s.mu.Lock()
	f, failing := s.faults.takeFailure()
	s.mu.Unlock()
	if failing && !f.drop {
		if f.retryAfter != "" {
			w.Header().Set("Retry-After", f.retryAfter)
		}
		writeError(w, f.status, "injected failure: "+http.StatusText(f.status))
		return
	}

	body, err := page(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if f.drop {
		dropMidBody(w, body)
		return
	}

	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if _, err := w.Write(body); err == nil {
		s.mu.Lock()
		s.faults.pages++
		s.mu.Unlock()
	}
}

func (s *Sim) authorized(r *http.Request) bool {
	if s.token == "" {
		return true
	}

	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}

	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.token)) == 1
}

// indicatorPage serves page/size paging with the total of matching records.
func (s *Sim) indicatorPage(q url.Values) ([]byte, error) {
	since, err := sinceParam(q)
	if err != nil {
		return nil, err
	}
	page, err := intParam(q, "page", 1, 1_000_000)
	if err != nil {
		return nil, err
	}
	size, err := intParam(q, "size", defaultSize, MaxPageSize)
	if err != nil {
		return nil, err
	}

	b := bound{since: since}
	s.mu.Lock()
	rows := s.indicators.scan(b, (page-1)*size, size, s.faults.malform)
	total := s.indicators.count(b)
	items := s.malformed(rows, indicatorFields)
	s.mu.Unlock()

	return encodePage(indicatorFields, items, `"total":`+strconv.Itoa(total))
}

// voucherPage serves keyset paging: next_cursor names the last record
// served, and is empty on the last page.
func (s *Sim) voucherPage(q url.Values) ([]byte, error) {
	since, err := sinceParam(q)
	if err != nil {
		return nil, err
	}
	limit, err := intParam(q, "limit", defaultLimit, MaxPageSize)
	if err != nil {
		return nil, err
	}
	b := bound{since: since}
	if c := q.Get("cursor"); c != "" {
		if b.after, err = decodeCursor(c); err != nil {
			return nil, err
		}
		b.hasAfter = true
	}

	s.mu.Lock()
	rows := s.vouchers.scan(b, 0, limit+1, s.faults.malform)
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		next = encodeCursor(rows[limit-1].key)
	}
	items := s.malformed(rows, voucherFields)
	s.mu.Unlock()

	return encodePage(voucherFields, items, `"next_cursor":`+strconv.Quote(next))
}

// sinceParam reads updated_since as microseconds, rounded up so that no
// record before the time is admitted; no parameter admits everything.
func sinceParam(q url.Values) (int64, error) {
	v := q.Get("updated_since")
	if v == "" {
		return math.MinInt64, nil
	}

	t, err := parseSince(v)
	if err != nil {
		return 0, err
	}
	us := t.UnixMicro()
	if t.Nanosecond()%1000 != 0 {
		us++
	}

	return us, nil
}

func intParam(q url.Values, name string, def, hi int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}

	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > hi {
		return 0, fmt.Errorf("%s=%q: want a whole number from 1 to %d", name, v, hi)
	}

	return n, nil
}
