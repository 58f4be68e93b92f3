package httpjson

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"fundhub/connectors"
)

const okBody = `{"data":{"items":[{"id":"A"}]}}`

// failing answers its first failures requests with status and header, then
// okBody.
func failing(calls *counter, failures, status int, header http.Header) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if calls.next() > failures {
			fmt.Fprint(w, okBody)
			return
		}

		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		fmt.Fprint(w, `{"error":"busy"}`)
	}
}

// checkWaits checks each wait lies between want and a tenth more, the
// jitter's bound.
func checkWaits(t *testing.T, got, want []time.Duration) {
	t.Helper()

	if len(got) != len(want) {
		t.Fatalf("got waits %v, want about %v", got, want)
	}
	for i := range got {
		if got[i] < want[i] || got[i] > want[i]+want[i]/10 {
			t.Errorf("wait %d: got %v, want %v plus at most a tenth", i+1, got[i], want[i])
		}
	}
}

func TestSource_RetriesOn503ThenSucceeds(t *testing.T) {
	var calls counter
	srv := serve(t, failing(&calls, 2, http.StatusServiceUnavailable, nil))
	cfg := baseConfig(srv)
	cfg.Backoff = connectors.Duration(100 * time.Millisecond)
	src, clock := newSource(t, cfg)

	pages, err := readPages(src, "")
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}

	if got := column(rowsOf(pages), "id"); !slices.Equal(got, []string{"A"}) {
		t.Errorf("got ids %q, want [A]", got)
	}
	if got := calls.count(); got != 3 {
		t.Errorf("got %d requests, want 3", got)
	}
	checkWaits(t, clock.waits(), []time.Duration{100 * time.Millisecond,
		200 * time.Millisecond})
}

func TestSource_BackoffDoublesAndCaps(t *testing.T) {
	src, _ := newSource(t, &connectors.HTTPConfig{URL: "http://127.0.0.1/x",
		Backoff: connectors.Duration(5 * time.Second)})

	var got []time.Duration
	for attempt := 1; attempt <= 5; attempt++ {
		got = append(got, src.wait(&failure{after: -1}, attempt))
	}

	want := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second,
		maxBackoff, maxBackoff}
	for i := range got {
		if got[i] < want[i] || got[i] > want[i]+want[i]/10 || got[i] > maxBackoff {
			t.Errorf("attempt %d: got %v, want %v plus jitter, at most %v", i+1, got[i],
				want[i], maxBackoff)
		}
	}
}

func TestSource_HonoursRetryAfter(t *testing.T) {
	date := newFakeClock().Now().Add(90 * time.Second).Format(http.TimeFormat)
	past := newFakeClock().Now().Add(-time.Hour).Format(http.TimeFormat)
	tests := []struct {
		name       string
		status     int
		retryAfter string
		want       time.Duration
	}{
		{"429 seconds", http.StatusTooManyRequests, "7", 7 * time.Second},
		{"503 seconds", http.StatusServiceUnavailable, "120", 2 * time.Minute},
		{"429 date", http.StatusTooManyRequests, date, 90 * time.Second},
		{"429 date passed", http.StatusTooManyRequests, past, 0},
		{"429 capped at 5 minutes", http.StatusTooManyRequests, "3600", 5 * time.Minute},
		{"429 huge", http.StatusTooManyRequests, "99999999999999999", 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls counter
			h := http.Header{"Retry-After": {tt.retryAfter}}
			srv := serve(t, failing(&calls, 1, tt.status, h))
			src, clock := newSource(t, baseConfig(srv))

			if _, err := readPages(src, ""); err != nil {
				t.Fatalf("got error %v, want none", err)
			}

			if got := clock.waits(); !slices.Equal(got, []time.Duration{tt.want}) {
				t.Errorf("got waits %v, want [%v]", got, tt.want)
			}
		})
	}
}

func TestSource_IgnoresRetryAfterItCannotHonour(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		retryAfter string
	}{
		{"500 with seconds", http.StatusInternalServerError, "7"},
		{"429 with text", http.StatusTooManyRequests, "soon"},
		{"503 without", http.StatusServiceUnavailable, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls counter
			h := http.Header{"Retry-After": {tt.retryAfter}}
			srv := serve(t, failing(&calls, 1, tt.status, h))
			src, clock := newSource(t, baseConfig(srv))

			if _, err := readPages(src, ""); err != nil {
				t.Fatalf("got error %v, want none", err)
			}

			checkWaits(t, clock.waits(), []time.Duration{10 * time.Millisecond})
		})
	}
}

func TestSource_RetriesExhaustedGivesRemoteError(t *testing.T) {
	payload := `{"error":"database down","trace":"internal detail"}`
	srv := serve(t, fixed(http.StatusInternalServerError, payload))
	cfg := baseConfig(srv)
	cfg.Retries = 3
	src, clock := newSource(t, cfg)

	_, err := readPages(src, "")

	want := "GET /api/vouchers: 500 Internal Server Error after 4 attempts"
	checkRemoteError(t, err, want, http.StatusInternalServerError, 4)
	var re *RemoteError
	if errors.As(err, &re) && string(re.Body) != payload {
		t.Errorf("got body %q, want %q", re.Body, payload)
	}
	checkWaits(t, clock.waits(), []time.Duration{10 * time.Millisecond,
		20 * time.Millisecond, 40 * time.Millisecond})
}

func TestSource_NoRetryOnOther4xx(t *testing.T) {
	var calls counter
	srv := serve(t, failing(&calls, 10, http.StatusNotFound, nil))
	src, clock := newSource(t, baseConfig(srv))

	_, err := readPages(src, "")

	checkRemoteError(t, err, "GET /api/vouchers: 404 Not Found", http.StatusNotFound, 1)
	if got := calls.count(); got != 1 {
		t.Errorf("got %d requests, want 1", got)
	}
	if got := clock.waits(); len(got) != 0 {
		t.Errorf("got waits %v, want none", got)
	}
}

func TestSource_NegativeRetriesTriesOnce(t *testing.T) {
	var calls counter
	srv := serve(t, failing(&calls, 10, http.StatusBadGateway, nil))
	cfg := baseConfig(srv)
	cfg.Retries = -1
	src, _ := newSource(t, cfg)

	_, err := readPages(src, "")

	checkRemoteError(t, err, "GET /api/vouchers: 502 Bad Gateway", http.StatusBadGateway, 1)
}

func TestSource_TimeoutRetried(t *testing.T) {
	var calls counter
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.next() == 1 {
			<-r.Context().Done()
			return
		}
		fmt.Fprint(w, okBody)
	}))
	cfg := baseConfig(srv)
	cfg.Timeout = connectors.Duration(50 * time.Millisecond)
	src, clock := newSource(t, cfg)

	pages, err := readPages(src, "")
	if err != nil {
		t.Fatalf("got error %v, want none", err)
	}

	if got := len(rowsOf(pages)); got != 1 {
		t.Errorf("got %d rows, want 1", got)
	}
	if got := len(clock.waits()); got != 1 {
		t.Errorf("got %d waits, want 1", got)
	}
}

func TestSource_TimeoutsExhausted(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	cfg := baseConfig(srv)
	cfg.Timeout = connectors.Duration(20 * time.Millisecond)
	cfg.Retries = 1
	src, _ := newSource(t, cfg)

	_, err := readPages(src, "")

	checkRemoteError(t, err, "GET /api/vouchers: no answer within 20ms after 2 attempts", 0, 2)
	if errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got error %v wrapping the deadline, want it apart from the run's", err)
	}
}

func TestSource_NetworkErrorRetried(t *testing.T) {
	srv := serve(t, fixed(http.StatusOK, okBody))
	cfg := baseConfig(srv)
	srv.Close()
	src, clock := newSource(t, cfg)

	_, err := readPages(src, "")

	var re *RemoteError
	if !errors.As(err, &re) || re.Status != 0 || re.Attempts != 3 {
		t.Fatalf("got error %v, want a RemoteError without status after 3 attempts", err)
	}
	if !strings.HasPrefix(err.Error(), "GET /api/vouchers: ") {
		t.Errorf("got error %q, want it to start with the method and path", err)
	}
	if got := len(clock.waits()); got != 2 {
		t.Errorf("got %d waits, want 2", got)
	}
}

// cancellingClock cancels the Read's context when asked to wait, then
// waits on the real clock, which must give up at once.
type cancellingClock struct {
	realClock
	cancel context.CancelFunc
}

func (c cancellingClock) Sleep(ctx context.Context, d time.Duration) error {
	c.cancel()

	return c.realClock.Sleep(ctx, d)
}

func TestSource_CancelStopsTheWait(t *testing.T) {
	srv := serve(t, fixed(http.StatusServiceUnavailable, `{}`))
	cfg := baseConfig(srv)
	cfg.Backoff = connectors.Duration(time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src, err := New(cfg, WithClock(cancellingClock{cancel: cancel}))
	if err != nil {
		t.Fatalf("New: got error %v, want none", err)
	}

	start := time.Now()
	err = src.Read(ctx, "", func(connectors.Page) error { return nil })

	if !errors.Is(err, context.Canceled) {
		t.Errorf("got error %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("got Read returning after %v, want at once", d)
	}
}

func TestSource_ReturnsFnErrorAsItIs(t *testing.T) {
	srv := serve(t, fixed(http.StatusOK, okBody))
	src, _ := newSource(t, baseConfig(srv))
	stop := errors.New("stop")

	err := src.Read(context.Background(), "", func(connectors.Page) error { return stop })

	if err != stop {
		t.Errorf("got error %v, want fn's error as it is", err)
	}
}

func TestSource_LogsOneDebugLinePerRequest(t *testing.T) {
	var calls counter
	srv := serve(t, failing(&calls, 1, http.StatusServiceUnavailable, nil))
	cfg := baseConfig(srv)
	cfg.Query = map[string]string{"sig": "query-secret"}
	log, buf := debugLog()
	src, _ := newSource(t, cfg, WithLogger(log))

	if _, err := readPages(src, ""); err != nil {
		t.Fatalf("got error %v, want none", err)
	}

	lines := buf.lines()
	if len(lines) != 2 {
		t.Fatalf("got %d log lines, want 2: %q", len(lines), lines)
	}
	wants := []string{"status=503", "status=200"}
	for i, line := range lines {
		for _, want := range []string{"level=DEBUG", "method=GET",
			"url=" + srv.URL + testPath + " ", wants[i], "duration="} {
			if !strings.Contains(line, want) {
				t.Errorf("line %d: got %q, want it to hold %q", i+1, line, want)
			}
		}
		if strings.Contains(line, "query-secret") {
			t.Errorf("line %d: got %q, want no query", i+1, line)
		}
	}
}
