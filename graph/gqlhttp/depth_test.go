package gqlhttp

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// loadQuery parses and validates query against the test schema, as the
// executor does before extensions run.
func loadQuery(t *testing.T, query string) (*ast.QueryDocument, *ast.OperationDefinition) {
	t.Helper()

	doc, errs := gqlparser.LoadQuery(testSchema().Schema(), query)
	if errs != nil {
		t.Fatalf("load query: got errors %v, want none", errs)
	}

	return doc, doc.Operations[0]
}

func TestOperationDepth(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  int
	}{
		{"one field", `{ name }`, 1},
		{"nested fields", `{ node { child { name } } }`, 3},
		{"deepest branch wins", `{ name node { name child { child { name } } } }`, 4},
		{"inline fragment adds nothing", `{ node { ... on Node { child { name } } } }`, 3},
		{"fragment spread", `{ node { ...F } } fragment F on Node { child { name } }`, 3},
		{"nested fragments",
			`{ node { ...A } } fragment A on Node { child { ...B } } ` +
				`fragment B on Node { child { name } }`, 4},
		{"fragment spread twice", `{ node { ...F child { ...F } } } ` +
			`fragment F on Node { child { name } }`, 4},
		{"introspection counts", `{ __schema { types { fields { type { name } } } } }`, 5},
		{"__typename counts", `{ node { __typename } }`, 2},
		{"ofType adds nothing",
			`{ __type(name: "Query") { ofType { ofType { ofType { kind } } } } }`, 2},
		{"ofType inside a field list",
			`{ __type(name: "Query") { fields { type { ofType { name } } } } }`, 4},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, op := loadQuery(t, tc.query)
			if got := operationDepth(doc, op); got != tc.want {
				t.Errorf("operationDepth(%s): got %d, want %d", tc.query, got, tc.want)
			}
		})
	}
}

// rawDepth counts every field, __Type.ofType included, to show what
// GraphiQL's query would measure without DepthLimit's exception.
func rawDepth(doc *ast.QueryDocument, set ast.SelectionSet) int {
	deepest := 0

	for _, sel := range set {
		d := 0

		switch s := sel.(type) {
		case *ast.Field:
			d = 1 + rawDepth(doc, s.SelectionSet)
		case *ast.InlineFragment:
			d = rawDepth(doc, s.SelectionSet)
		case *ast.FragmentSpread:
			d = rawDepth(doc, doc.Fragments.ForName(s.Name).SelectionSet)
		}

		deepest = max(deepest, d)
	}

	return deepest
}

func graphiQLQuery(t *testing.T) string {
	t.Helper()

	text, err := os.ReadFile("testdata/graphiql-introspection.graphql")
	if err != nil {
		t.Fatalf("read GraphiQL query: %v", err)
	}

	return string(text)
}

func TestGraphiQLIntrospectionDepth(t *testing.T) {
	doc, op := loadQuery(t, graphiQLQuery(t))

	if got, want := operationDepth(doc, op), 6; got != want {
		t.Errorf("depth as DepthLimit counts it: got %d, want %d", got, want)
	}

	if got, want := rawDepth(doc, op.SelectionSet), 15; got != want {
		t.Errorf("depth counting ofType: got %d, want %d", got, want)
	}
}

func TestGraphiQLIntrospectionPassesDefaultLimit(t *testing.T) {
	body, err := json.Marshal(map[string]string{"query": graphiQLQuery(t)})
	if err != nil {
		t.Fatalf("encode request: %v", err)
	}

	srv := newTestServer(New(), 12)

	for _, media := range []string{MediaTypeJSON, MediaTypeGraphQLResponse} {
		r := serve(t, srv, post(media, "application/json", string(body)))
		checkReply(t, r, want{status: 200, data: true}, media)
	}
}

func TestDepthLimit(t *testing.T) {
	srv := newTestServer(New(), 3)
	atLimit := `{"query":"{ node { child { name } } }"}`
	overLimit := `{"query":"{ node { child { child { name } } } }"}`

	r := serve(t, srv, post(MediaTypeGraphQLResponse, "application/json", atLimit))
	checkReply(t, r, want{status: 200, data: true}, MediaTypeGraphQLResponse)

	r = serve(t, srv, post(MediaTypeGraphQLResponse, "application/json", overLimit))
	checkReply(t, r, want{status: 400, code: CodeQueryTooDeep}, MediaTypeGraphQLResponse)

	msg := "operation has depth 4, which exceeds the limit of 3"
	if !strings.Contains(r.raw, msg) {
		t.Errorf("error message: got body %s, want it to contain %q", r.raw, msg)
	}
}

func TestDepthLimitValidate(t *testing.T) {
	for _, limit := range []int{0, -1} {
		if err := (DepthLimit{Max: limit}).Validate(nil); err == nil {
			t.Errorf("Validate with Max %d: got nil error, want an error", limit)
		}
	}

	if err := (DepthLimit{Max: 1}).Validate(nil); err != nil {
		t.Errorf("Validate with Max 1: got %v, want nil", err)
	}
}
