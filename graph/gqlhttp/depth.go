package gqlhttp

import (
	"context"
	"errors"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
)

func init() {
	// Tell gqlgen's own transports (websocket, SSE) that a depth error is a
	// protocol error, as parse and validation errors are.
	errcode.RegisterErrorType(CodeQueryTooDeep, errcode.KindProtocol)
}

// DepthLimit is a gqlgen handler extension that rejects an operation whose
// selections nest deeper than Max, before it executes.
//
// Depth counts fields: `{ a }` has depth 1 and `{ a { b { c } } }` depth 3.
// Fragment spreads and inline fragments add no depth of their own; their
// fields count where they are spread. Introspection fields count like any
// other, with one exception: __Type.ofType adds no depth. It only unwraps
// a list or non-null modifier, so it cannot fan out, and GraphiQL's
// introspection query nests it nine deep (depth 15 if it counted, 6 as
// counted here).
//
// The rejection is a GraphQL error with extensions.code QUERY_TOO_DEEP;
// under Transport it is a request error (400 with
// application/graphql-response+json, 200 with application/json, no data).
// Register it with Server.Use; Max must be at least 1 or Use panics.
type DepthLimit struct {
	// Max is the deepest nesting allowed.
	Max int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = DepthLimit{}

// ExtensionName returns "DepthLimit".
func (d DepthLimit) ExtensionName() string {
	return "DepthLimit"
}

// Validate rejects a Max below 1.
func (d DepthLimit) Validate(graphql.ExecutableSchema) error {
	if d.Max < 1 {
		return errors.New("depth limit: max must be at least 1")
	}

	return nil
}

// MutateOperationContext measures the selected operation and returns a
// QUERY_TOO_DEEP error when it is deeper than Max.
func (d DepthLimit) MutateOperationContext(
	_ context.Context,
	opCtx *graphql.OperationContext,
) *gqlerror.Error {
	depth := operationDepth(opCtx.Doc, opCtx.Operation)
	if depth <= d.Max {
		return nil
	}

	err := gqlerror.Errorf("operation has depth %d, which exceeds the limit of %d",
		depth, d.Max)
	if pos := opCtx.Operation.Position; pos != nil {
		err.Locations = []gqlerror.Location{{Line: pos.Line, Column: pos.Column}}
	}

	errcode.Set(err, CodeQueryTooDeep)

	return err
}

// operationDepth is the depth of op as DepthLimit counts it.
func operationDepth(doc *ast.QueryDocument, op *ast.OperationDefinition) int {
	if op == nil {
		return 0
	}

	w := &depthWalker{
		fragments: doc.Fragments,
		memo:      map[string]int{},
		active:    map[string]bool{},
	}

	return w.selectionSet(op.SelectionSet)
}

// depthWalker measures selection sets, measuring each fragment once.
type depthWalker struct {
	fragments ast.FragmentDefinitionList
	memo      map[string]int
	active    map[string]bool
}

func (w *depthWalker) selectionSet(set ast.SelectionSet) int {
	deepest := 0

	for _, sel := range set {
		deepest = max(deepest, w.selection(sel))
	}

	return deepest
}

func (w *depthWalker) selection(sel ast.Selection) int {
	switch s := sel.(type) {
	case *ast.Field:
		return fieldWeight(s) + w.selectionSet(s.SelectionSet)
	case *ast.InlineFragment:
		return w.selectionSet(s.SelectionSet)
	case *ast.FragmentSpread:
		return w.fragment(s.Name)
	default:
		return 0
	}
}

// fragment returns the depth of a named fragment's selection set. A cycle,
// which validation rejects before extensions run, adds nothing.
func (w *depthWalker) fragment(name string) int {
	if depth, ok := w.memo[name]; ok {
		return depth
	}

	def := w.fragments.ForName(name)
	if def == nil || w.active[name] {
		return 0
	}

	w.active[name] = true
	depth := w.selectionSet(def.SelectionSet)
	delete(w.active, name)

	w.memo[name] = depth

	return depth
}

// fieldWeight is 1 for every field except __Type.ofType.
func fieldWeight(f *ast.Field) int {
	if f.Name == "ofType" && f.ObjectDefinition != nil && f.ObjectDefinition.Name == "__Type" {
		return 0
	}

	return 1
}
