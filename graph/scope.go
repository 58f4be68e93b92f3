package graph

import (
	"context"

	"fundhub"
)

type scopeKey struct{}

// WithScope returns a context carrying the caller's scope.
func WithScope(ctx context.Context, s fundhub.Scope) context.Context {
	return context.WithValue(ctx, scopeKey{}, s)
}

// ScopeFrom returns the caller's scope. A context without one sees nothing,
// so a request that skipped the middleware fails closed.
func ScopeFrom(ctx context.Context) fundhub.Scope {
	s, _ := ctx.Value(scopeKey{}).(fundhub.Scope)
	return s
}
