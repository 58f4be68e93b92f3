package httpjson

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"fundhub/connectors"
)

const (
	tokenEnv = "FUNDHUB_TEST_TOKEN"
	token    = "s3cr3t-T0KEN-4711"
)

// withAuth sends the token from tokenEnv.
func withAuth(t *testing.T, cfg *connectors.HTTPConfig) *connectors.HTTPConfig {
	t.Helper()

	t.Setenv(tokenEnv, token)
	cfg.Auth = &connectors.HTTPAuth{TokenEnv: tokenEnv}

	return cfg
}

func TestSource_SendsCredential(t *testing.T) {
	empty, scheme := "", "Token"
	tests := []struct {
		name, header string
		scheme       *string
		wantHeader   string
		want         string
	}{
		{"defaults", "", nil, "Authorization", "Bearer " + token},
		{"own header, token alone", "X-Api-Key", &empty, "X-Api-Key", token},
		{"own scheme", "", &scheme, "Authorization", "Token " + token},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := make(chan string, 1)
			srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got <- r.Header.Get(tt.wantHeader)
				fmt.Fprint(w, okBody)
			}))
			cfg := withAuth(t, baseConfig(srv))
			cfg.Auth.Header, cfg.Auth.Scheme = tt.header, tt.scheme
			src, _ := newSource(t, cfg)

			if _, err := readPages(src, ""); err != nil {
				t.Fatalf("got error %v, want none", err)
			}

			if v := <-got; v != tt.want {
				t.Errorf("got %s %q, want %q", tt.wantHeader, v, tt.want)
			}
		})
	}
}

func TestSource_MissingCredentialNamesVariable(t *testing.T) {
	var calls counter
	srv := serve(t, failing(&calls, 0, http.StatusOK, nil))
	cfg := baseConfig(srv)
	cfg.Auth = &connectors.HTTPAuth{TokenEnv: tokenEnv}
	t.Setenv(tokenEnv, "")
	src, _ := newSource(t, cfg)

	_, err := readPages(src, "")

	if err == nil || !strings.Contains(err.Error(), tokenEnv) {
		t.Fatalf("got error %v, want one naming %s", err, tokenEnv)
	}
	if got := calls.count(); got != 0 {
		t.Errorf("got %d requests, want none", got)
	}
}

func TestSource_CredentialRefusedStopsAtOnce(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			var calls counter
			srv := serve(t, failing(&calls, 10, status, nil))
			src, clock := newSource(t, withAuth(t, baseConfig(srv)))

			_, err := readPages(src, "")

			if !errors.Is(err, ErrCredentials) {
				t.Fatalf("got error %v, want ErrCredentials", err)
			}
			want := fmt.Sprintf("the source refused the credential from $%s: GET %s: %d %s",
				tokenEnv, testPath, status, http.StatusText(status))
			if err.Error() != want {
				t.Errorf("got error %q, want %q", err, want)
			}
			if got := calls.count(); got != 1 {
				t.Errorf("got %d requests, want 1", got)
			}
			if got := clock.waits(); len(got) != 0 {
				t.Errorf("got waits %v, want none", got)
			}
		})
	}
}

func TestSource_CredentialWantedButNoneConfigured(t *testing.T) {
	var calls counter
	srv := serve(t, failing(&calls, 10, http.StatusUnauthorized, nil))
	src, _ := newSource(t, baseConfig(srv))

	_, err := readPages(src, "")

	if !errors.Is(err, ErrCredentials) || !strings.Contains(err.Error(), "http.auth") {
		t.Errorf("got error %v, want ErrCredentials pointing at http.auth", err)
	}
}

// echo answers with status and a body that repeats the request's
// credential and query, as a careless source might.
func echo(status int, next string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Www-Authenticate", r.Header.Get("Authorization"))
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"data":{"items":[{"id":"A","seen":%q}]},"next":%q,"q":%q}`,
			r.Header.Get("Authorization"), next, r.URL.RawQuery)
	}
}

func TestSource_CredentialNeverInErrorsRefsOrLogs(t *testing.T) {
	loop := testPath + "?sig=" + token
	tests := []struct {
		name    string
		handler http.HandlerFunc
		paging  connectors.HTTPPaging
	}{
		{"refused", echo(http.StatusUnauthorized, ""), connectors.HTTPPaging{Mode: "page"}},
		{"server error", echo(http.StatusInternalServerError, ""),
			connectors.HTTPPaging{Mode: "page"}},
		{"looping next link", echo(http.StatusOK, loop),
			connectors.HTTPPaging{Mode: "next", NextPath: "next"}},
		{"bad body", fixed(http.StatusOK, `{"token":"`+token+`"`),
			connectors.HTTPPaging{Mode: "page"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, tt.handler)
			cfg := withAuth(t, baseConfig(srv))
			cfg.Paging = tt.paging
			cfg.Query = map[string]string{"key": token}
			log, buf := debugLog()
			src, _ := newSource(t, cfg, WithLogger(log))

			pages, err := readPages(src, "")
			if err == nil {
				t.Fatal("got no error, want one")
			}

			checkNoToken(t, "error", err.Error())
			checkNoToken(t, "log", strings.Join(buf.lines(), "\n"))
			for _, row := range rowsOf(pages) {
				checkNoToken(t, "ref", row.Ref)
			}
		})
	}
}

func checkNoToken(t *testing.T, what, text string) {
	t.Helper()

	if strings.Contains(text, token) {
		t.Errorf("got %s %q, want it without the credential", what, text)
	}
}

func TestSource_RedirectToAnotherHostKeepsCredential(t *testing.T) {
	var elsewhere counter
	other := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.next()
		fmt.Fprint(w, okBody)
	}))
	srv := serve(t, http.RedirectHandler(other.URL+testPath, http.StatusFound))
	cfg := withAuth(t, baseConfig(srv))
	cfg.Auth.Header = "X-Api-Key"
	src, _ := newSource(t, cfg)

	_, err := readPages(src, "")

	checkRemoteError(t, err, "GET /api/vouchers: 302 Found", http.StatusFound, 1)
	if got := elsewhere.count(); got != 0 {
		t.Errorf("got %d requests to the other host, want none", got)
	}
}
