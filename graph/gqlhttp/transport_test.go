package gqlhttp

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
)

const testSDL = `
type Query {
	name: String!
	find(id: Int!): String!
	node: Node
	fail: String
}

type Node {
	name: String!
	child: Node
}

type Mutation {
	name: String!
}

type Subscription {
	name: String!
}
`

// testSchema is an executable schema that answers every query with fixed
// data, a query selecting "fail" with a field error and null data, and every
// mutation with fixed data.
func testSchema() graphql.ExecutableSchema {
	schema := gqlparser.MustLoadSchema(&ast.Source{Name: "test.graphql", Input: testSDL})

	return &graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return schema },
		ComplexityFunc: func(context.Context, string, string, int, map[string]any) (int, bool) {
			return 1, true
		},
		ExecFunc: func(ctx context.Context) graphql.ResponseHandler {
			return graphql.OneShot(testResponse(ctx))
		},
	}
}

func testResponse(ctx context.Context) *graphql.Response {
	opCtx := graphql.GetOperationContext(ctx)

	if opCtx.Operation.Operation == ast.Mutation {
		return &graphql.Response{Data: []byte(`{"name":"mutated"}`)}
	}

	if opCtx.Operation.SelectionSet[0].(*ast.Field).Name == "fail" {
		graphql.AddError(ctx, errors.New("resolver failed"))

		return &graphql.Response{Data: []byte(`null`)}
	}

	return &graphql.Response{Data: []byte(`{"name":"test"}`)}
}

// newTestServer wires the package the way a service does: the spec
// transport alone, and a depth limit.
func newTestServer(t *Transport, maxDepth int) http.Handler {
	srv := handler.New(testSchema())
	srv.AddTransport(t)
	srv.Use(DepthLimit{Max: maxDepth})

	return srv
}

// reply is a decoded response.
type reply struct {
	status      int
	contentType string
	allow       string
	body        map[string]json.RawMessage
	raw         string
}

func (r reply) hasData() bool {
	_, ok := r.body["data"]

	return ok
}

// firstCode is errors[0].extensions.code, or "" when there are no errors.
func (r reply) firstCode() string {
	var errs []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	}

	_ = json.Unmarshal(r.body["errors"], &errs)
	if len(errs) == 0 {
		return ""
	}

	c, _ := errs[0].Extensions["code"].(string)

	return c
}

func serve(t *testing.T, h http.Handler, req *http.Request) reply {
	t.Helper()

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)

	r := reply{
		status:      rec.Code,
		contentType: rec.Header().Get("Content-Type"),
		allow:       rec.Header().Get("Allow"),
		raw:         rec.Body.String(),
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &r.body); err != nil {
		t.Fatalf("decode response body %q: got error %v, want a JSON object", r.raw, err)
	}

	return r
}

func post(accept, contentType, body string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	setAccept(req, accept)

	return req
}

func get(accept string, params url.Values) *http.Request {
	req := httptest.NewRequest(http.MethodGet, "/graphql?"+params.Encode(), nil)
	setAccept(req, accept)

	return req
}

func setAccept(req *http.Request, accept string) {
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
}

func jsonPost(body string) func(string) *http.Request {
	return func(accept string) *http.Request {
		return post(accept, "application/json", body)
	}
}

// want is the expected outcome of one request under one media type.
type want struct {
	status int
	media  string // Content-Type media type; "" means the negotiated one
	data   bool
	code   string // errors[0].extensions.code; "" means none
	errors bool   // errors expected even though code is ""
}

type transportCase struct {
	name  string
	req   func(accept string) *http.Request
	allow string
	json  want // outcome under Accept: application/json
	gql   want // outcome under Accept: application/graphql-response+json
}

const tooDeep = `{ node { child { child { child { name } } } } }`

// transportCases is the table of TestTransport: well-formed requests, then
// requests that are not well-formed GraphQL-over-HTTP requests.
func transportCases() []transportCase {
	return append(graphQLCases(), malformedCases()...)
}

func graphQLCases() []transportCase {
	parseFailed := errcode.ParseFailed
	validationFailed := errcode.ValidationFailed

	return []transportCase{
		{
			name: "valid query",
			req:  jsonPost(`{"query":"{ name }"}`),
			json: want{status: 200, data: true},
			gql:  want{status: 200, data: true},
		},
		{
			name: "parse error",
			req:  jsonPost(`{"query":"{ name"}`),
			json: want{status: 200, code: parseFailed},
			gql:  want{status: 400, code: parseFailed},
		},
		{
			name: "validation error (unknown field)",
			req:  jsonPost(`{"query":"{ nope }"}`),
			json: want{status: 200, code: validationFailed},
			gql:  want{status: 400, code: validationFailed},
		},
		{
			name: "bad variables (wrong type)",
			req: jsonPost(`{"query":"query ($id: Int!) { find(id: $id) }",` +
				`"variables":{"id":"seven"}}`),
			json: want{status: 200, code: CodeBadUserInput},
			gql:  want{status: 400, code: CodeBadUserInput},
		},
		{
			name: "GET query",
			req: func(accept string) *http.Request {
				return get(accept, url.Values{"query": {"{ name }"}})
			},
			json: want{status: 200, data: true},
			gql:  want{status: 200, data: true},
		},
		{
			name: "too deep",
			req:  jsonPost(`{"query":"` + tooDeep + `"}`),
			json: want{status: 200, code: CodeQueryTooDeep},
			gql:  want{status: 400, code: CodeQueryTooDeep},
		},
		{
			name: "field error during execution",
			req:  jsonPost(`{"query":"{ fail }"}`),
			json: want{status: 200, data: true, errors: true},
			gql:  want{status: 200, data: true, errors: true},
		},
	}
}

func malformedCases() []transportCase {
	return []transportCase{
		{
			name: "missing query",
			req:  jsonPost(`{"variables":{}}`),
			json: want{status: 400, code: CodeBadRequest},
			gql:  want{status: 400, code: CodeBadRequest},
		},
		{
			name: "bad JSON body",
			req:  jsonPost(`{"query":`),
			json: want{status: 400, code: CodeBadRequest},
			gql:  want{status: 400, code: CodeBadRequest},
		},
		{
			name: "GET mutation",
			req: func(accept string) *http.Request {
				return get(accept, url.Values{"query": {"mutation { name }"}})
			},
			allow: "POST",
			json:  want{status: 405, code: CodeBadRequest},
			gql:   want{status: 405, code: CodeBadRequest},
		},
		{
			name: "PUT",
			req: func(accept string) *http.Request {
				req := post(accept, "application/json", `{"query":"{ name }"}`)
				req.Method = http.MethodPut

				return req
			},
			allow: "GET, POST",
			json:  want{status: 405, code: CodeBadRequest},
			gql:   want{status: 405, code: CodeBadRequest},
		},
		{
			name: "unsupported content type",
			req: func(accept string) *http.Request {
				return post(accept, "text/plain", `{"query":"{ name }"}`)
			},
			json: want{status: 415, code: CodeBadRequest},
			gql:  want{status: 415, code: CodeBadRequest},
		},
		{
			name: "Accept: text/html",
			req: func(string) *http.Request {
				return post("text/html", "application/json", `{"query":"{ name }"}`)
			},
			json: want{status: 406, media: MediaTypeJSON, code: CodeBadRequest},
			gql:  want{status: 406, media: MediaTypeJSON, code: CodeBadRequest},
		},
	}
}

func TestTransport(t *testing.T) {
	srv := newTestServer(New(), 4)

	for _, tc := range transportCases() {
		for _, media := range []string{MediaTypeJSON, MediaTypeGraphQLResponse} {
			w := tc.json
			if media == MediaTypeGraphQLResponse {
				w = tc.gql
			}

			t.Run(tc.name+"/"+media, func(t *testing.T) {
				r := serve(t, srv, tc.req(media))
				checkReply(t, r, w, media)

				if r.allow != tc.allow {
					t.Errorf("Allow: got %q, want %q", r.allow, tc.allow)
				}
			})
		}
	}
}

func checkReply(t *testing.T, r reply, w want, media string) {
	t.Helper()

	if w.media != "" {
		media = w.media
	}

	if r.status != w.status {
		t.Errorf("status: got %d, want %d (body %s)", r.status, w.status, r.raw)
	}

	if got, want := r.contentType, media+"; charset=utf-8"; got != want {
		t.Errorf("Content-Type: got %q, want %q", got, want)
	}

	if r.hasData() != w.data {
		t.Errorf("data key present: got %v, want %v (body %s)", r.hasData(), w.data, r.raw)
	}

	if got := r.firstCode(); got != w.code {
		t.Errorf("errors[0].extensions.code: got %q, want %q (body %s)", got, w.code, r.raw)
	}

	_, hasErrors := r.body["errors"]
	if want := w.code != "" || w.errors; hasErrors != want {
		t.Errorf("errors key present: got %v, want %v (body %s)", hasErrors, want, r.raw)
	}
}

func TestNegotiate(t *testing.T) {
	gqlResp, legacy := MediaTypeGraphQLResponse, MediaTypeJSON
	tests := []struct {
		accept []string
		media  string
		ok     bool
	}{
		{nil, legacy, true},
		{[]string{""}, legacy, true},
		{[]string{"*/*"}, legacy, true},
		{[]string{"application/*"}, legacy, true},
		{[]string{"application/json"}, legacy, true},
		{[]string{"application/json; charset=utf-8"}, legacy, true},
		{[]string{"application/graphql-response+json"}, gqlResp, true},
		{[]string{"application/graphql-response+json, application/json"}, gqlResp, true},
		{[]string{"application/json, application/graphql-response+json"}, legacy, true},
		{[]string{"application/json;q=0.9, application/graphql-response+json"}, gqlResp, true},
		{[]string{"application/graphql-response+json;q=0.5, */*"}, legacy, true},
		{[]string{"application/graphql-response+json, */*;q=0.1"}, gqlResp, true},
		{[]string{"text/html", "application/graphql-response+json"}, gqlResp, true},
		{[]string{"application/json, multipart/mixed"}, legacy, true},
		{[]string{"application/json;q=0, application/*"}, gqlResp, true},
		{[]string{"application/json;q=0"}, legacy, false},
		{[]string{"text/html"}, legacy, false},
		{[]string{"text/*, image/png"}, legacy, false},
		{[]string{"not a media type"}, legacy, false},
		{[]string{"application/json;q=2"}, legacy, false},
	}

	for _, tc := range tests {
		media, ok := negotiate(tc.accept)
		if media != tc.media || ok != tc.ok {
			t.Errorf("negotiate(%q): got (%q, %v), want (%q, %v)",
				tc.accept, media, ok, tc.media, tc.ok)
		}
	}
}

func TestMalformedRequests(t *testing.T) {
	srv := newTestServer(New(), 4)
	query := `{ name }`
	tests := []struct {
		name string
		req  *http.Request
		want int
	}{
		{"body is an array", post("", "application/json", `[{"query":"{ name }"}]`), 400},
		{"body is null", post("", "application/json", `null`), 400},
		{"body is empty", post("", "application/json", ``), 400},
		{"trailing data", post("", "application/json", `{"query":"{ name }"} {}`), 400},
		{"query is a number", post("", "application/json", `{"query":7}`), 400},
		{"query is null", post("", "application/json", `{"query":null}`), 400},
		{"operationName is a number",
			post("", "application/json", `{"query":"{ name }","operationName":1}`), 400},
		{"variables is a list",
			post("", "application/json", `{"query":"{ name }","variables":[7]}`), 400},
		{"extensions is a string",
			post("", "application/json", `{"query":"{ name }","extensions":"x"}`), 400},
		{"nulls are absent values", post("", "application/json",
			`{"query":"{ name }","operationName":null,"variables":null,"extensions":null}`), 200},
		{"charset utf-8", post("", "application/json; charset=UTF-8", `{"query":"{ name }"}`),
			200},
		{"charset latin1", post("", "application/json; charset=latin1", `{"query":"{ name }"}`),
			415},
		{"no content type", post("", "", `{"query":"{ name }"}`), 415},
		{"GET without query", get("", url.Values{}), 400},
		{"GET variables not JSON", get("", url.Values{"query": {query}, "variables": {"{"}}), 400},
		{"GET variables a list", get("", url.Values{"query": {query}, "variables": {"[]"}}), 400},
		{"GET extensions a number",
			get("", url.Values{"query": {query}, "extensions": {"1"}}), 400},
		{"GET variables and extensions", get("", url.Values{"query": {query},
			"variables": {`{"a":1}`}, "extensions": {`{}`}}), 200},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := serve(t, srv, tc.req)
			if r.status != tc.want {
				t.Errorf("status: got %d, want %d (body %s)", r.status, tc.want, r.raw)
			}

			if tc.want != 200 && r.firstCode() != CodeBadRequest {
				t.Errorf("code: got %q, want %q", r.firstCode(), CodeBadRequest)
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	body := `{"query":"{ name }","extensions":{"pad":"` + strings.Repeat("x", 200) + `"}}`
	tests := []struct {
		name      string
		transport *Transport
		chunked   bool
		want      int
	}{
		{"under the limit", &Transport{MaxBodyBytes: 1000}, false, 200},
		{"over the limit", &Transport{MaxBodyBytes: 100}, false, 413},
		{"over the limit, no Content-Length", &Transport{MaxBodyBytes: 100}, true, 413},
		{"zero value uses the default", &Transport{}, false, 200},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := post(MediaTypeGraphQLResponse, "application/json", body)
			if tc.chunked {
				req.ContentLength = -1
			}

			r := serve(t, newTestServer(tc.transport, 4), req)
			if r.status != tc.want {
				t.Errorf("status: got %d, want %d (body %s)", r.status, tc.want, r.raw)
			}
		})
	}

	if got := New().MaxBodyBytes; got != DefaultMaxBodyBytes {
		t.Errorf("New().MaxBodyBytes: got %d, want %d", got, DefaultMaxBodyBytes)
	}
}

func TestOperations(t *testing.T) {
	srv := newTestServer(New(), 4)
	getOp := func(name string) *http.Request {
		doc := `query Q { name } mutation M { name } subscription S { name }`

		return get(MediaTypeGraphQLResponse, url.Values{"query": {doc}, "operationName": {name}})
	}
	postQuery := func(query string) *http.Request {
		body, _ := json.Marshal(map[string]string{"query": query})

		return post(MediaTypeGraphQLResponse, "application/json", string(body))
	}
	refused := want{status: 405, code: CodeBadRequest}
	tests := []struct {
		name string
		req  *http.Request
		want want
	}{
		{"POST mutation", postQuery("mutation { name }"), want{status: 200, data: true}},
		{"POST subscription", postQuery("subscription { name }"),
			want{status: 400, code: CodeBadRequest}},
		{"GET selects the query", getOp("Q"), want{status: 200, data: true}},
		{"GET selects the mutation", getOp("M"), refused},
		{"GET selects the subscription", getOp("S"), refused},
		{"GET unknown operation", getOp("X"), want{status: 400, code: errcode.ValidationFailed}},
		{"GET with no Accept", get("", url.Values{"query": {"{ name }"}}),
			want{status: 200, media: MediaTypeJSON, data: true}},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := serve(t, srv, tc.req)
			checkReply(t, r, tc.want, MediaTypeGraphQLResponse)

			if tc.want == refused && r.allow != "POST" {
				t.Errorf("Allow: got %q, want %q", r.allow, "POST")
			}
		})
	}
}

func TestSupports(t *testing.T) {
	tr := New()
	tests := []struct {
		method, upgrade string
		want            bool
	}{
		{http.MethodPost, "", true},
		{http.MethodGet, "", true},
		{http.MethodPut, "", true},
		{http.MethodGet, "websocket", false},
	}

	for _, tc := range tests {
		req := httptest.NewRequest(tc.method, "/graphql", nil)
		if tc.upgrade != "" {
			req.Header.Set("Upgrade", tc.upgrade)
		}

		if got := tr.Supports(req); got != tc.want {
			t.Errorf("Supports(%s, Upgrade %q): got %v, want %v",
				tc.method, tc.upgrade, got, tc.want)
		}
	}
}
