package graph

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"fundhub"
	"fundhub/authz"
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

// NewServer returns the gqlgen server over d: the GraphQL-over-HTTP
// transport, a parsed-query cache, introspection (kept on for analysts),
// depth and complexity limits, the gate that wants a signed-in caller, and
// the error presenter.
func NewServer(d Deps) *handler.Server {
	es := NewExecutableSchema(Config{Resolvers: &Resolver{Deps: d},
		Complexity: complexity()})
	logger := d.Logger
	srv := handler.New(es)
	srv.AddTransport(transport.Websocket{InitFunc: d.initSocket,
		KeepAlivePingInterval: 15 * time.Second})
	tr := gqlhttp.New()
	tr.TokenLimit = MaxTokens
	srv.AddTransport(tr)
	srv.SetParserTokenLimit(MaxTokens)
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.Introspection{})
	srv.Use(gqlhttp.DepthLimit{Max: MaxDepth})
	srv.Use(extension.FixedComplexityLimit(ComplexityLimit))
	srv.Use(authGate{deps: d})
	srv.SetErrorPresenter(ErrorPresenter(logger))
	srv.SetRecoverFunc(Recover(logger))

	return srv
}

// Handler serves GraphQL: it tells the caller from the request's bearer
// token (a token that is not live is refused with 401 at once), sets the
// scope the caller may read, gives the request its own dataloaders, and
// hands it to the gqlgen server. A request without a token reaches only
// the login mutation and the schema.
func Handler(d Deps) http.Handler {
	srv := LoaderMiddleware(d.Store, NewServer(d))

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Answers depend on who asks: no cache may keep or share them.
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Add("Vary", "Authorization")
		c, err := d.authenticate(r)
		if err != nil {
			d.Logger.InfoContext(r.Context(), "request refused", "client", r.RemoteAddr,
				"err", err)
			refuse(w, err)
			return
		}

		ctx := WithCaller(r.Context(), c)
		ctx = context.WithValue(ctx, clientKey{}, r.RemoteAddr)
		if c != nil {
			ctx = WithScope(ctx, d.Policy.Scope(authz.UserOf(c), authz.ActionRead))
		}
		srv.ServeHTTP(w, r.WithContext(ctx))
	})
}

// initSocket authenticates a WebSocket from the token its connection_init
// payload carries ({"Authorization": "Bearer <token>"}), since browsers
// cannot set headers on one, and sets the caller and scope of everything
// it runs. A socket whose upgrade request carried a live token keeps it.
func (d Deps) initSocket(ctx context.Context,
	p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	if CallerFrom(ctx) != nil {
		return context.WithValue(ctx, socketKey{}, true), nil, nil
	}
	scheme, raw, ok := strings.Cut(p.Authorization(), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ctx, nil, fundhub.Errorf(fundhub.EUNAUTHENTICATED,
			"send {\"Authorization\": \"Bearer <token>\"} in connection_init")
	}
	c, err := d.Auth.Authenticate(ctx, strings.TrimSpace(raw))
	if err != nil {
		return ctx, nil, err
	}

	// Every operation on the socket refreshes the caller (authGate), so a
	// revoked token or changed roles reach it too.
	return context.WithValue(WithCaller(ctx, c), socketKey{}, true), nil, nil
}
