// Package web serves the GraphiQL IDE for fundhub's GraphQL API from files
// embedded in the binary, so the page works on a machine with no internet.
//
// The GraphiQL, React and ReactDOM UMD bundles are not committed: `make web`
// (web/build.sh) copies them out of the npm packages pinned in
// package-lock.json into dist/assets, and `go build` embeds that folder. A
// binary built without them answers 503 on the page instead of serving a
// broken one.
//
// The page loads nothing from outside the machine: the GraphiQL stylesheet
// carries its Roboto and Fira Code fonts as data: URLs, the scripts have no
// CDN, font or telemetry URLs, and the GraphiQL logo (a link to GitHub) is
// replaced by a plain "fundhub" label. A Content-Security-Policy header
// makes the browser refuse any other origin all the same.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

//go:embed all:dist
var dist embed.FS

//go:embed index.html
var indexHTML string

//go:embed fundhub-graphiql.js
var initScript []byte

const (
	// assetsDir is the folder inside dist that build.sh fills.
	assetsDir = "dist/assets"

	// initScriptName is the name our own start-up script is served under.
	initScriptName = "fundhub-graphiql.js"

	// missingMessage is the body of the 503 page of a binary built without
	// the vendored files.
	missingMessage = "GraphiQL assets missing: run `make web`"

	// immutable is the Cache-Control of an asset requested with its current
	// version; the page always asks for it that way.
	immutable = "public, max-age=31536000, immutable"

	// revalidate is the Cache-Control of the page and of unversioned asset
	// requests: cache, but check the ETag each time.
	revalidate = "no-cache"
)

// defaultQuery is shown in the editor of a browser that has no saved tabs:
// the central allocations of one year by province, the figure analysts ask
// for first. The Docs button describes every other type.
const defaultQuery = `# Welcome to fundhub (自然资源资金监测监管).
#
# Run with Ctrl-Enter (Cmd-Enter on a Mac) or the
# run button. Docs (top left) describes every type.
#
# Central allocations of 2020 by province; amounts
# are in yuan, as strings. separatelyPlannedAmount
# is what went straight to 计划单列市 such as 大连.
query CentralAllocationsByProvince {
  allocationTotals(
    groupBy: [REGION]
    regionLevel: PROVINCE
    filter: { year: 2020, fromLevel: NATIONAL }
  ) {
    region { code name }
    amount
    separatelyPlannedAmount
    count
  }
}
`

// requiredAssets are the vendored files the page loads; if any is missing
// the page cannot work.
var requiredAssets = []string{
	"react.production.min.js",
	"react-dom.production.min.js",
	"graphiql.min.js",
	"graphiql.min.css",
}

// contentTypes fixes the types of the files we serve, whatever the system's
// mime.types says.
var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".txt": "text/plain; charset=utf-8",
}

// pageTemplate is index.html; renderPage gives it the real asset function.
var pageTemplate = template.Must(template.New("index.html").
	Funcs(template.FuncMap{"asset": noAsset}).
	Parse(indexHTML))

// noAsset is the error of an asset the page names but the folder lacks.
func noAsset(name string) (string, error) {
	return "", fmt.Errorf("no asset %q", name)
}

// asset is one file served under /assets/.
type asset struct {
	body        []byte
	contentType string
	version     string
}

// handler serves the page at "/" and the files under "/assets/".
type handler struct {
	assets map[string]asset
	page   []byte
	csp    string
	err    string
}

// Handler returns an http.Handler that serves GraphiQL at "/" and its files
// under "/assets/", with GraphiQL sending queries to endpoint: a path on the
// same server such as "/graphql", or an absolute URL.
//
// Mount it at the root of a mux, or under a prefix with http.StripPrefix; the
// page uses relative asset URLs, so under a prefix it must be requested with
// a trailing slash ("/graphiql/").
func Handler(endpoint string) http.Handler {
	assets, err := fs.Sub(dist, assetsDir)
	if err != nil {
		panic(err) // fs.Sub fails only on an invalid constant path.
	}

	return newHandler(endpoint, assets)
}

// newHandler is Handler with the vendored files read from assets, so that
// tests can give it a fake folder.
func newHandler(endpoint string, assets fs.FS) *handler {
	h := &handler{csp: contentSecurityPolicy(endpoint)}

	files, err := loadAssets(assets)
	if err != nil {
		h.err = fmt.Sprintf("GraphiQL assets unreadable: %v", err)
		return h
	}

	if !hasAll(files, requiredAssets) {
		h.err = missingMessage
		return h
	}

	files[initScriptName] = newAsset(initScriptName, initScript)
	h.assets = files

	h.page, err = renderPage(endpoint, files)
	if err != nil {
		h.err = fmt.Sprintf("GraphiQL page: %v", err)
	}

	return h
}

// loadAssets reads every regular file at the top of fsys. A missing folder
// gives no files and no error.
func loadAssets(fsys fs.FS) (map[string]asset, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]asset{}, nil
	}

	if err != nil {
		return nil, err
	}

	files := make(map[string]asset, len(entries))
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") {
			continue
		}

		body, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}

		files[e.Name()] = newAsset(e.Name(), body)
	}

	return files, nil
}

// newAsset gives body its content type and a version from its SHA-256.
func newAsset(name string, body []byte) asset {
	sum := sha256.Sum256(body)

	return asset{
		body:        body,
		contentType: contentType(name),
		version:     hex.EncodeToString(sum[:8]),
	}
}

// contentType gives the type of a file from its extension, or "" to let
// http.ServeContent sniff it.
func contentType(name string) string {
	ext := path.Ext(name)
	if t, ok := contentTypes[ext]; ok {
		return t
	}

	return mime.TypeByExtension(ext)
}

// hasAll reports whether files holds every one of names.
func hasAll(files map[string]asset, names []string) bool {
	for _, name := range names {
		if _, ok := files[name]; !ok {
			return false
		}
	}

	return true
}

// renderPage fills index.html with the endpoint, the default query and the
// versioned URL of each asset.
func renderPage(endpoint string, files map[string]asset) ([]byte, error) {
	assetURL := func(name string) (string, error) {
		a, ok := files[name]
		if !ok {
			return noAsset(name)
		}

		return "assets/" + name + "?v=" + a.version, nil
	}

	t, err := pageTemplate.Clone()
	if err != nil {
		return nil, err
	}

	data := map[string]string{"Endpoint": endpoint, "DefaultQuery": defaultQuery}

	var buf bytes.Buffer
	err = t.Funcs(template.FuncMap{"asset": assetURL}).Execute(&buf, data)

	return buf.Bytes(), err
}

// contentSecurityPolicy allows the page to load only this server's files and
// to send queries only to this server, or to endpoint's origin when it is an
// absolute URL. Inline styles are allowed because CodeMirror sets them.
func contentSecurityPolicy(endpoint string) string {
	connect := "'self'"
	if u, err := url.Parse(endpoint); err == nil && u.Scheme != "" && u.Host != "" {
		connect += " " + u.Scheme + "://" + u.Host
	}

	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data: blob:",
		"font-src 'self' data:",
		"connect-src " + connect,
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'self'",
	}, "; ")
}

// ServeHTTP routes "/" to the page and "/assets/NAME" to a file.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}

	switch name, isAsset := strings.CutPrefix(r.URL.Path, "/assets/"); {
	case r.URL.Path == "/":
		h.servePage(w, r)
	case isAsset:
		h.serveAsset(w, r, name)
	default:
		http.NotFound(w, r)
	}
}

// servePage answers the page, or 503 when the assets were not built.
func (h *handler) servePage(w http.ResponseWriter, r *http.Request) {
	if h.err != "" {
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, h.err, http.StatusServiceUnavailable)
		return
	}

	header := w.Header()
	header.Set("Content-Type", "text/html; charset=utf-8")
	header.Set("Cache-Control", revalidate)
	header.Set("Content-Security-Policy", h.csp)
	header.Set("Referrer-Policy", "no-referrer")
	header.Set("X-Content-Type-Options", "nosniff")

	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(h.page))
}

// serveAsset answers one file, immutable when asked for its current version.
func (h *handler) serveAsset(w http.ResponseWriter, r *http.Request, name string) {
	a, ok := h.assets[name]
	if !ok {
		http.NotFound(w, r)
		return
	}

	header := w.Header()
	header.Set("ETag", `"`+a.version+`"`)
	header.Set("X-Content-Type-Options", "nosniff")

	if a.contentType != "" {
		header.Set("Content-Type", a.contentType)
	}

	if r.URL.Query().Get("v") == a.version {
		header.Set("Cache-Control", immutable)
	} else {
		header.Set("Cache-Control", revalidate)
	}

	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
}
