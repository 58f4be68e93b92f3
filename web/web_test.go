package web

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// fakeAssets is a dist/assets folder with every required file.
func fakeAssets() fstest.MapFS {
	return fstest.MapFS{
		"react.production.min.js":     {Data: []byte("window.React = {};")},
		"react-dom.production.min.js": {Data: []byte("window.ReactDOM = {};")},
		"graphiql.min.js":             {Data: []byte("window.GraphiQL = {};")},
		"graphiql.min.css":            {Data: []byte(".graphiql-container {}")},
		"graphiql.LICENSE.txt":        {Data: []byte("MIT")},
		".tmp.abc123":                 {Data: []byte("half-copied")},
	}
}

// get serves a GET of target; header holds name, value pairs.
func get(
	t *testing.T, h http.Handler, target string, header ...string,
) *httptest.ResponseRecorder {
	t.Helper()

	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)

	return rec
}

func wantStatus(t *testing.T, rec *httptest.ResponseRecorder, status int) {
	t.Helper()

	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %q", rec.Code, status, rec.Body.String())
	}
}

var refPattern = regexp.MustCompile(`(?:src|href)="([^"]*)"`)

// pageRefs returns every src and href of the page, resolved against
// http://127.0.0.1/.
func pageRefs(t *testing.T, body string) []*url.URL {
	t.Helper()

	base, _ := url.Parse("http://127.0.0.1/")

	var refs []*url.URL
	for _, m := range refPattern.FindAllStringSubmatch(body, -1) {
		ref, err := url.Parse(m[1])
		if err != nil {
			t.Fatalf("bad URL %q: %v", m[1], err)
		}

		refs = append(refs, base.ResolveReference(ref))
	}

	return refs
}

func TestPageServesLocalAssetsOnly(t *testing.T) {
	rec := get(t, newHandler("/graphql", fakeAssets()), "/")
	wantStatus(t, rec, http.StatusOK)

	if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}

	refs := pageRefs(t, rec.Body.String())
	if len(refs) != 6 {
		t.Fatalf("want 6 src/href, got %d: %v", len(refs), refs)
	}

	for _, ref := range refs {
		local := ref.Scheme == "data" || ref.Host == "127.0.0.1"
		if !local || (ref.Scheme != "data" && !strings.HasPrefix(ref.Path, "/assets/")) {
			t.Errorf("page refers to %s, want a data: URL or /assets/...", ref)
		}
	}
}

func TestPageAssetsResolve(t *testing.T) {
	h := newHandler("/graphql", fakeAssets())

	for _, ref := range pageRefs(t, get(t, h, "/").Body.String()) {
		if ref.Scheme == "data" {
			continue
		}

		rec := get(t, h, ref.RequestURI())
		wantStatus(t, rec, http.StatusOK)

		if cc := rec.Header().Get("Cache-Control"); cc != immutable {
			t.Errorf("%s: Cache-Control %q, want %q", ref, cc, immutable)
		}
	}
}

func TestPageCarriesEndpointAndQuery(t *testing.T) {
	endpoint := `/graphql?x="><script>alert(1)</script>`
	body := get(t, newHandler(endpoint, fakeAssets()), "/").Body.String()

	if strings.Contains(body, "<script>alert") {
		t.Fatal("endpoint is not escaped")
	}

	if !strings.Contains(body, `data-endpoint="/graphql?x=&#34;&gt;&lt;script&gt;`) {
		t.Errorf("endpoint missing from page:\n%s", body)
	}

	if !strings.Contains(body, "query CentralAllocationsByProvince {") {
		t.Errorf("default query missing from page:\n%s", body)
	}
}

func TestPageSecurityHeaders(t *testing.T) {
	rec := get(t, newHandler("/graphql", fakeAssets()), "/")
	csp := rec.Header().Get("Content-Security-Policy")

	wants := []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'"}
	for _, want := range wants {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}

	if cc := rec.Header().Get("Cache-Control"); cc != revalidate {
		t.Errorf("page Cache-Control %q, want %q", cc, revalidate)
	}
}

func TestCSPAllowsAbsoluteEndpoint(t *testing.T) {
	csp := contentSecurityPolicy("http://127.0.0.1:9000/graphql")

	if !strings.Contains(csp, "connect-src 'self' http://127.0.0.1:9000;") {
		t.Errorf("CSP %q does not allow the endpoint's origin", csp)
	}
}

func TestMissingAssets(t *testing.T) {
	partial := fakeAssets()
	delete(partial, "graphiql.min.js")

	cases := map[string]fs.FS{
		"no folder":  fstest.MapFS{},
		"empty dist": fstest.MapFS{"README.md": {Data: []byte("x")}},
		"one absent": partial,
	}

	for name, assets := range cases {
		t.Run(name, func(t *testing.T) {
			rec := get(t, newHandler("/graphql", assets), "/")
			wantStatus(t, rec, http.StatusServiceUnavailable)

			if got := rec.Body.String(); got != missingMessage+"\n" {
				t.Errorf("body %q, want %q", got, missingMessage)
			}

			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("Content-Type %q, want text/plain", ct)
			}
		})
	}
}

func TestMissingFolderInsideFS(t *testing.T) {
	assets, err := fs.Sub(fstest.MapFS{"README.md": {}}, "assets")
	if err != nil {
		t.Fatal(err)
	}

	wantStatus(t, get(t, newHandler("/graphql", assets), "/"), http.StatusServiceUnavailable)
}

func TestAssetContentTypes(t *testing.T) {
	h := newHandler("/graphql", fakeAssets())

	cases := map[string]string{
		"/assets/graphiql.min.js":      "text/javascript; charset=utf-8",
		"/assets/graphiql.min.css":     "text/css; charset=utf-8",
		"/assets/fundhub-graphiql.js":  "text/javascript; charset=utf-8",
		"/assets/graphiql.LICENSE.txt": "text/plain; charset=utf-8",
	}

	for target, want := range cases {
		rec := get(t, h, target)
		wantStatus(t, rec, http.StatusOK)

		if ct := rec.Header().Get("Content-Type"); ct != want {
			t.Errorf("%s: Content-Type %q, want %q", target, ct, want)
		}

		if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", target)
		}
	}
}

func TestAssetBody(t *testing.T) {
	rec := get(t, newHandler("/graphql", fakeAssets()), "/assets/graphiql.min.css")

	if got := rec.Body.String(); got != ".graphiql-container {}" {
		t.Errorf("body %q", got)
	}
}

func TestAssetCaching(t *testing.T) {
	h := newHandler("/graphql", fakeAssets())

	rec := get(t, h, "/assets/graphiql.min.js")
	if cc := rec.Header().Get("Cache-Control"); cc != revalidate {
		t.Errorf("unversioned Cache-Control %q, want %q", cc, revalidate)
	}

	etag := rec.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}

	rec = get(t, h, "/assets/graphiql.min.js", "If-None-Match", etag)
	wantStatus(t, rec, http.StatusNotModified)

	rec = get(t, h, "/assets/graphiql.min.js?v=stale")
	if cc := rec.Header().Get("Cache-Control"); cc != revalidate {
		t.Errorf("stale version Cache-Control %q, want %q", cc, revalidate)
	}
}

func TestNotFound(t *testing.T) {
	h := newHandler("/graphql", fakeAssets())

	for _, target := range []string{
		"/assets/nope.js", "/assets/.tmp.abc123", "/assets/", "/index.html", "/graphql",
	} {
		wantStatus(t, get(t, h, target), http.StatusNotFound)
	}
}

func TestMissingAssetsGive404(t *testing.T) {
	wantStatus(t, get(t, newHandler("/graphql", fstest.MapFS{}), "/assets/graphiql.min.js"),
		http.StatusNotFound)
}

func TestMethodNotAllowed(t *testing.T) {
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	rec := httptest.NewRecorder()
	newHandler("/graphql", fakeAssets()).ServeHTTP(rec, req)

	wantStatus(t, rec, http.StatusMethodNotAllowed)

	if allow := rec.Header().Get("Allow"); allow != "GET, HEAD" {
		t.Errorf("Allow %q", allow)
	}
}

func TestHeadServesNoBody(t *testing.T) {
	req := httptest.NewRequest(http.MethodHead, "/", nil)
	rec := httptest.NewRecorder()
	newHandler("/graphql", fakeAssets()).ServeHTTP(rec, req)

	wantStatus(t, rec, http.StatusOK)

	if rec.Body.Len() != 0 {
		t.Errorf("HEAD returned %d bytes", rec.Body.Len())
	}
}

func TestStripPrefix(t *testing.T) {
	h := http.StripPrefix("/graphiql", newHandler("/graphql", fakeAssets()))

	wantStatus(t, get(t, h, "/graphiql/"), http.StatusOK)
	wantStatus(t, get(t, h, "/graphiql/assets/graphiql.min.css"), http.StatusOK)
}

// TestEmbeddedHandler checks Handler on the real embed: 200 when `make web`
// ran before the build, 503 otherwise.
func TestEmbeddedHandler(t *testing.T) {
	_, err := fs.Stat(dist, assetsDir+"/graphiql.min.js")
	built := err == nil

	rec := get(t, Handler("/graphql"), "/")
	if built {
		wantStatus(t, rec, http.StatusOK)
		return
	}

	t.Log("dist/assets not built: checking the 503 page")
	wantStatus(t, rec, http.StatusServiceUnavailable)
}

func TestEmbeddedInitScriptIsLocal(t *testing.T) {
	if strings.Contains(string(initScript), "://") {
		t.Error("fundhub-graphiql.js names an absolute URL")
	}
}
