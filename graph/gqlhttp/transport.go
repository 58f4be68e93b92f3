// Package gqlhttp serves GraphQL over HTTP the way the GraphQL-over-HTTP
// specification asks, as a gqlgen transport, and limits operation depth.
//
// gqlgen's own GET and POST transports answer parse and validation errors
// with 422 and a "data": null entry. Transport instead answers 200 under
// application/json and 400 without a data entry under
// application/graphql-response+json whenever a request fails before
// execution. DepthLimit is a handler extension that rejects operations nested
// deeper than a limit; under Transport its errors are request errors too.
package gqlhttp

import (
	"net/http"

	"github.com/99designs/gqlgen/graphql"
)

// DefaultMaxBodyBytes is the request body limit, in bytes, that New sets and
// that a Transport whose MaxBodyBytes is zero or negative uses.
const DefaultMaxBodyBytes int64 = 1 << 20

// Media types that Transport negotiates through the Accept header. Every
// response names one of them in Content-Type, followed by "; charset=utf-8".
const (
	MediaTypeJSON            = "application/json"
	MediaTypeGraphQLResponse = "application/graphql-response+json"
)

// Values of extensions.code that Transport and DepthLimit put on the errors
// they raise. Parse and validation errors keep gqlgen's codes
// (errcode.ParseFailed and errcode.ValidationFailed).
const (
	// CodeBadRequest marks a request that is not a well-formed
	// GraphQL-over-HTTP request: bad JSON, a missing or non-string query,
	// non-object variables or extensions, a wrong method, content type or
	// Accept header, or a body over the size limit. It is also given to an
	// error that an extension raises before execution without any code.
	CodeBadRequest = "BAD_REQUEST"

	// CodeBadUserInput marks a variable value that could not be coerced to
	// the type its variable definition declares.
	CodeBadUserInput = "BAD_USER_INPUT"

	// CodeQueryTooDeep marks an operation that DepthLimit rejected.
	CodeQueryTooDeep = "QUERY_TOO_DEEP"
)

// Transport is a gqlgen transport for GET and POST requests that follows the
// GraphQL-over-HTTP specification's status codes and media types.
//
// It claims every request without an Upgrade header, so that it can answer
// 405, 406 and 415 itself. Add it to the server after any transport that
// should win over it (a Websocket, SSE or Options transport) and do not add
// gqlgen's GET, POST, Options or form transports alongside it: a transport
// added before it would take those requests with gqlgen's status codes, one
// added after it would never be reached.
//
// It answers subscriptions over neither GET (405) nor POST (a request
// error); serve them through gqlgen's Websocket or SSE transport.
//
// The zero value is ready to use; New returns one with the defaults spelled
// out.
type Transport struct {
	// MaxBodyBytes caps the size of a POST body. A larger body is answered
	// with 413. Zero or a negative value means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// TokenLimit caps the tokens read when the transport parses a GET
	// query itself; set it to the server's parser token limit. Zero means
	// no limit.
	TokenLimit int
}

var _ graphql.Transport = (*Transport)(nil)

// New returns a Transport with MaxBodyBytes set to DefaultMaxBodyBytes.
func New() *Transport {
	return &Transport{MaxBodyBytes: DefaultMaxBodyBytes}
}

// Supports reports whether t handles r: every request except a protocol
// upgrade, which is left to a Websocket transport.
func (t *Transport) Supports(r *http.Request) bool {
	return r.Header.Get("Upgrade") == ""
}

// Do answers one HTTP request. Requests that are not well-formed
// GraphQL-over-HTTP requests get a 4xx status under either media type;
// errors raised before execution get 400 under
// application/graphql-response+json and 200 under application/json, with
// no data entry; executed operations get 200 with a data entry.
func (t *Transport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media, acceptable := negotiate(r.Header.Values("Accept"))

	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		writeHTTPError(w, media, http.StatusMethodNotAllowed,
			"method "+r.Method+" is not allowed; use GET or POST")
		return
	}

	if !acceptable {
		writeHTTPError(w, media, http.StatusNotAcceptable,
			"the Accept header allows neither "+MediaTypeGraphQLResponse+
				" nor "+MediaTypeJSON)
		return
	}

	params, reqErr := t.readParams(w, r)
	if reqErr != nil {
		reqErr.write(w, media)
		return
	}

	execute(w, r, exec, media, params)
}

func (t *Transport) readParams(w http.ResponseWriter, r *http.Request) (
	*graphql.RawParams, *httpError,
) {
	if r.Method == http.MethodGet {
		return readGET(r, t.TokenLimit)
	}

	return readPOST(w, r, t.maxBodyBytes())
}

func (t *Transport) maxBodyBytes() int64 {
	if t.MaxBodyBytes <= 0 {
		return DefaultMaxBodyBytes
	}

	return t.MaxBodyBytes
}
