package httpjson

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

const (
	maxBackoff    = 30 * time.Second
	maxRetryAfter = 5 * time.Minute
	// maxBody bounds a response body held in memory.
	maxBody = 64 << 20
)

// failure is an attempt that brought no answer.
type failure struct {
	err   *RemoteError
	retry bool
	// after is the wait the source asked for in Retry-After, or -1.
	after time.Duration
}

// fetch gets the page at u, trying again on the failures worth it: no
// answer, a timeout, 429, a 5xx, or a body that is not the expected JSON.
func (s *Source) fetch(ctx context.Context, u *url.URL, cred string) (*answer, error) {
	for attempt := 1; ; attempt++ {
		ans, f := s.try(ctx, u, cred)
		if f == nil {
			return ans, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("%s %s: %w", http.MethodGet, u.Path, err)
		}

		f.err.Attempts = attempt
		if !f.retry || attempt > s.retries {
			return nil, s.failed(f.err)
		}
		if err := s.clock.Sleep(ctx, s.wait(f, attempt)); err != nil {
			return nil, fmt.Errorf("waiting to retry %w: %w", f.err, err)
		}
	}
}

// failed adds to a refused credential the variable it came from.
func (s *Source) failed(re *RemoteError) error {
	switch {
	case !errors.Is(re, ErrCredentials):
		return re
	case s.cfg.Auth == nil:
		return fmt.Errorf("the source wants a credential and the config sends none "+
			"(http.auth): %w", re)
	}

	return fmt.Errorf("the source refused the credential from $%s: %w",
		s.cfg.Auth.TokenEnv, re)
}

// try sends one request and logs it.
func (s *Source) try(ctx context.Context, u *url.URL, cred string) (*answer, *failure) {
	start := s.clock.Now()
	ans, f := s.attempt(ctx, u, cred)

	attrs := []slog.Attr{slog.String("method", http.MethodGet),
		slog.String("url", logURL(u)), slog.Duration("duration", s.clock.Now().Sub(start))}
	if f != nil {
		attrs = append(attrs, slog.Int("status", f.err.Status),
			slog.String("error", f.err.Reason))
	} else {
		attrs = append(attrs, slog.Int("status", ans.status))
	}
	s.log.LogAttrs(ctx, slog.LevelDebug, "http request", attrs...)

	return ans, f
}

// attempt sends one request within the per-request timeout and reads the
// answer.
func (s *Source) attempt(ctx context.Context, u *url.URL, cred string) (*answer, *failure) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()

	resp, body, err := s.send(ctx, u, cred)
	if err != nil {
		return nil, s.transportFailure(ctx, u, err)
	}

	re := &RemoteError{Method: http.MethodGet, URL: u.Path, Status: resp.StatusCode,
		Reason: statusText(resp.StatusCode), Body: body}
	code := resp.StatusCode
	switch {
	case len(body) > maxBody:
		re.Reason, re.Body = fmt.Sprintf("the body is larger than %d MiB", maxBody>>20), nil
		return nil, &failure{err: re, after: -1}
	case isSuccess(code):
		return s.decode(re)
	case code == http.StatusTooManyRequests || code >= 500:
		return nil, &failure{err: re, retry: true, after: s.retryAfter(resp)}
	}

	return nil, &failure{err: re, after: -1}
}

// decode reads the answer in a successful response; a body that does not
// hold one is a failure worth a retry, as a truncated body would be.
func (s *Source) decode(re *RemoteError) (*answer, *failure) {
	next := ""
	if s.paging.Mode == "next" || s.paging.Mode == "cursor" {
		next = s.paging.NextPath
	}

	ans, err := decodeAnswer(re.Body, s.cfg.Records, next)
	if err != nil {
		re.Reason = err.Error()
		return nil, &failure{err: re, retry: true, after: -1}
	}
	ans.status = re.Status

	return ans, nil
}

// send sends the request and reads up to one byte more than maxBody.
func (s *Source) send(ctx context.Context, u *url.URL, cred string) (*http.Response,
	[]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Accept", "application/json")
	if cred != "" {
		req.Header.Set(s.authHeader(), cred)
	}

	resp, err := s.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))

	return resp, body, err
}

// transportFailure describes a request that got no full answer. The text
// of a url.Error repeats the URL with its query, so only its cause is kept.
func (s *Source) transportFailure(ctx context.Context, u *url.URL, err error) *failure {
	re := &RemoteError{Method: http.MethodGet, URL: u.Path}
	var ue *url.Error
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		re.Reason = fmt.Sprintf("no answer within %s", s.timeout)
	case errors.As(err, &ue):
		re.Reason = ue.Err.Error()
	default:
		re.Reason = err.Error()
	}

	return &failure{err: re, retry: true, after: -1}
}

// retryAfter reads the Retry-After of a 429 or 503, in seconds or as a
// date, capped at maxRetryAfter; -1 when there is none to honour.
func (s *Source) retryAfter(resp *http.Response) time.Duration {
	code := resp.StatusCode
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if (code != http.StatusTooManyRequests && code != http.StatusServiceUnavailable) ||
		v == "" {
		return -1
	}

	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
		d = time.Duration(min(n, int64(maxRetryAfter/time.Second))) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = max(t.Sub(s.clock.Now()), 0)
	} else {
		return -1
	}

	return min(d, maxRetryAfter)
}

// wait is the pause before attempt+1: what Retry-After asked for, else the
// backoff doubled per attempt, capped at maxBackoff, plus up to a tenth
// more so that many clients do not retry in step.
func (s *Source) wait(f *failure, attempt int) time.Duration {
	if f.after >= 0 {
		return f.after
	}

	d := s.backoff
	for i := 1; i < attempt && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, maxBackoff)
	if d >= 10 {
		d += rand.N(d / 10)
	}

	return min(d, maxBackoff)
}

// credential is the value of the auth header, read from the environment
// now so that a rotated credential is picked up by the next run.
func (s *Source) credential() (string, error) {
	a := s.cfg.Auth
	if a == nil {
		return "", nil
	}

	token := strings.TrimSpace(os.Getenv(a.TokenEnv))
	if token == "" {
		return "", fmt.Errorf("the environment variable %s, which holds the source's "+
			"credential, is not set", a.TokenEnv)
	}
	if strings.ContainsFunc(token, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return "", fmt.Errorf("the environment variable %s holds a control character; "+
			"a credential is sent as one header line", a.TokenEnv)
	}

	scheme := "Bearer"
	if a.Scheme != nil {
		scheme = *a.Scheme
	}
	if scheme == "" {
		return token, nil
	}

	return scheme + " " + token, nil
}

func (s *Source) authHeader() string {
	if s.cfg.Auth.Header != "" {
		return s.cfg.Auth.Header
	}

	return "Authorization"
}

// logURL is u without its query or user info, which may hold secrets.
func logURL(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

// sameHost keeps redirects on the configured host: a header holding the
// credential under a custom name would follow the request to any host.
func sameHost(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if req.URL.Host != via[0].URL.Host || req.URL.Scheme != via[0].URL.Scheme {
		return http.ErrUseLastResponse
	}

	return nil
}
