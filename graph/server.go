package graph

import (
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"

	"fundhub"
	"fundhub/graph/gqlhttp"
)

// Limits on what one operation may ask for. The depth limit counts nested
// selections; GraphiQL's introspection query stays within it.
//
// MaxTokens bounds the size of a document before it is validated: some
// validation rules grow with the square of the fields of one selection, so
// a document of ten thousand repeated fields would hold a core for minutes.
// GraphiQL's introspection query has about 400 tokens.
const (
	MaxDepth        = 12
	ComplexityLimit = 50000
	MaxTokens       = 5000
)

// NewServer returns the gqlgen server over st: the GraphQL-over-HTTP
// transport, a parsed-query cache, introspection (kept on for analysts),
// depth and complexity limits, and the error presenter. sy starts the runs
// the API asks for.
func NewServer(st Store, sy Syncer, logger *slog.Logger) *handler.Server {
	es := NewExecutableSchema(Config{Resolvers: &Resolver{Store: st, Syncer: sy,
		Logger: logger}, Complexity: complexity()})
	srv := handler.New(es)
	tr := gqlhttp.New()
	tr.TokenLimit = MaxTokens
	srv.AddTransport(tr)
	srv.SetParserTokenLimit(MaxTokens)
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.Introspection{})
	srv.Use(gqlhttp.DepthLimit{Max: MaxDepth})
	srv.Use(extension.FixedComplexityLimit(ComplexityLimit))
	srv.SetErrorPresenter(ErrorPresenter(logger))
	srv.SetRecoverFunc(Recover(logger))

	return srv
}

// ScopeFunc tells the scope of the caller of a request.
type ScopeFunc func(*http.Request) fundhub.Scope

// Handler serves GraphQL: it sets each request's scope from scopeOf, gives it
// its own dataloaders, and hands it to the gqlgen server.
func Handler(st Store, sy Syncer, logger *slog.Logger, scopeOf ScopeFunc) http.Handler {
	srv := LoaderMiddleware(st, NewServer(st, sy, logger))

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := WithScope(r.Context(), scopeOf(r))
		srv.ServeHTTP(w, r.WithContext(ctx))
	})
}
