package financesim

import (
	"strconv"
	"time"
)

// faults holds the armed fault hooks. The Sim's mutex guards it.
type faults struct {
	failLeft   int
	failStatus int
	retryAfter time.Duration
	hasRetry   bool

	dropArmed bool
	dropAfter int
	pages     int // successful pages since DropAfterPages

	malform bool
}

// FailNext makes the next n requests answer status (such as 503 or 429)
// with a JSON error body.
func (s *Sim) FailNext(n int, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.faults.failLeft, s.faults.failStatus, s.faults.hasRetry = n, status, false
}

// FailNextRetryAfter is FailNext with a Retry-After header of the delay in
// whole seconds, rounded up.
func (s *Sim) FailNextRetryAfter(n int, status int, after time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.faults.failLeft, s.faults.failStatus = n, status
	s.faults.retryAfter, s.faults.hasRetry = after, true
}

// DropAfterPages lets n more pages through, then hijacks the connection of
// the next request and closes it midway through a 200 response's body. It
// fires once.
func (s *Sim) DropAfterPages(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.faults.dropArmed, s.faults.dropAfter, s.faults.pages = true, n, 0
}

// MalformNext makes the next page that has records serve its first record
// as a JSON string (the record encoded twice) instead of an object, and the
// amount of its second record, if any, as an object.
func (s *Sim) MalformNext() {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.faults.malform = true
}

// failure is what a request meets before it is served.
type failure struct {
	status     int
	retryAfter string
	drop       bool
}

// takeFailure consumes the fault, if any, that the next request meets.
// The caller holds s.mu.
func (f *faults) takeFailure() (failure, bool) {
	if f.failLeft > 0 {
		f.failLeft--
		out := failure{status: f.failStatus}
		if f.hasRetry {
			secs := (f.retryAfter + time.Second - 1) / time.Second
			out.retryAfter = strconv.Itoa(int(secs))
		}
		return out, true
	}

	if f.dropArmed && f.pages >= f.dropAfter {
		f.dropArmed = false
		return failure{drop: true}, true
	}

	return failure{}, false
}
