package httpjson

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ErrCredentials is wrapped by the error of a request the source answered
// with 401 or 403: it refused the credential, or needs one and got none.
// Such a request is not retried.
var ErrCredentials = errors.New("the source refused the credential")

// RemoteError is a request that failed after its retries: an error status,
// no answer, or a body that is not the JSON the config describes. Its text
// names the method, the URL's path, the status or what went wrong and the
// attempts made; the body the source sent is kept in Body and left out of
// the text, so logs and run records never carry the source's payload.
type RemoteError struct {
	Method string
	// URL is the request's path, without host or query, which may carry a
	// page token or signed parameters.
	URL string
	// Status is the HTTP status, 0 when no answer came.
	Status int
	// Reason is the status text ("Service Unavailable") or what went
	// wrong ("no answer within 30s", "the body is not valid JSON: ...").
	Reason string
	// Body is the response body, nil when no answer came.
	Body []byte
	// Attempts is how many times the request was sent.
	Attempts int
}

// Error describes the failure, as "GET /api/vouchers: 503 Service
// Unavailable after 6 attempts", without the body.
func (e *RemoteError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: ", e.Method, e.URL)
	if e.Status != 0 && !isSuccess(e.Status) {
		fmt.Fprintf(&b, "%d ", e.Status)
	}
	b.WriteString(e.Reason)
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}

	return b.String()
}

// Unwrap returns ErrCredentials for a 401 or 403, else nil.
func (e *RemoteError) Unwrap() error {
	if e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden {
		return ErrCredentials
	}

	return nil
}

func isSuccess(status int) bool { return status >= 200 && status < 300 }

// statusText is the reason phrase of a status.
func statusText(status int) string {
	if t := http.StatusText(status); t != "" {
		return t
	}

	return "status without a name"
}

// Clock is what a Source reads the time from and waits on between
// retries. Sleep returns ctx's error if ctx ends first.
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

// realClock is the system clock.
type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()

	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
