package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"fundhub"
	"fundhub/authz"
)

type callerKey struct{}

type clientKey struct{}

// socketKey marks the context of a WebSocket, whose caller is refreshed
// before every operation.
type socketKey struct{}

// WithCaller returns a context carrying who makes the request.
func WithCaller(ctx context.Context, c *fundhub.Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns who makes the request, or nil when nobody signed in.
func CallerFrom(ctx context.Context) *fundhub.Caller {
	c, _ := ctx.Value(callerKey{}).(*fundhub.Caller)
	return c
}

// clientFrom returns the address the request came from, for login records.
func clientFrom(ctx context.Context) string {
	s, _ := ctx.Value(clientKey{}).(string)
	return s
}

// authenticate reads the bearer token of r. It returns a nil caller when
// the request carries none, and an EUNAUTHENTICATED error when the token
// is not live.
func (d Deps) authenticate(r *http.Request) (*fundhub.Caller, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, nil
	}
	scheme, raw, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, fundhub.Errorf(fundhub.EUNAUTHENTICATED,
			"the Authorization header must be \"Bearer <token>\"")
	}

	return d.Auth.Authenticate(r.Context(), strings.TrimSpace(raw))
}

// refuse answers a request whose token failed with 401 and a GraphQL error
// carrying the code, before any GraphQL work; with 500 when the token could
// not be checked at all.
func refuse(w http.ResponseWriter, err error) {
	status := http.StatusUnauthorized
	if fundhub.ErrorCode(err) == fundhub.EUNAUTHENTICATED {
		w.Header().Set("WWW-Authenticate", `Bearer realm="fundhub"`)
	} else {
		status = http.StatusInternalServerError
	}
	writeError(w, status, err)
}

// writeError answers a plain HTTP request (a download) with status and err
// in GraphQL's error shape: its message, code and the field at fault.
func writeError(w http.ResponseWriter, status int, err error) {
	ext := map[string]any{"code": fundhub.ErrorCode(err)}
	if f := fundhub.ErrorField(err); f != "" {
		ext["field"] = f
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
		"message": fundhub.ErrorMessage(err), "extensions": ext,
	}}})
}

// publicFields are the root fields a request without a token may ask for:
// signing in, and the schema GraphiQL reads to offer the sign-in.
var publicFields = map[string]bool{
	"login": true, "__schema": true, "__type": true, "__typename": true,
}

// authGate refuses operations of callers who did not sign in, except the
// public fields, and records each use of a token with what it was used for.
type authGate struct{ deps Deps }

func (authGate) ExtensionName() string { return "AuthGate" }

func (authGate) Validate(graphql.ExecutableSchema) error { return nil }

func (g authGate) InterceptOperation(ctx context.Context,
	next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	fields := rootFields(oc)
	c := CallerFrom(ctx)

	if c == nil {
		for _, f := range fields {
			if !publicFields[f] {
				return errorResponse(fundhub.EUNAUTHENTICATED,
					"sign in first: send \"Authorization: Bearer <token>\" "+
						"with a token from the login mutation or an API token")
			}
		}
		return next(ctx)
	}

	if ctx.Value(socketKey{}) != nil {
		// A socket outlives the request that opened it: take the caller
		// as they are now, with the scope and loaders that go with them.
		fresh, err := g.deps.Auth.Refresh(ctx, c)
		if err != nil {
			return errorResponse(fundhub.ErrorCode(err), fundhub.ErrorMessage(err))
		}
		c = fresh
		s := g.deps.Policy.Scope(authz.UserOf(c), authz.ActionRead)
		ctx = WithScope(WithCaller(ctx, c), s)
		ctx = context.WithValue(ctx, loadersKey{}, NewLoaders(g.deps.Store, s))
	}
	what := fmt.Sprintf("%s %s {%s}", oc.Operation.Operation, oc.OperationName,
		strings.Join(fields, " "))
	if oc.Operation.Operation != "query" {
		if err := g.used(ctx, c, what); err != nil {
			return errorResponse(fundhub.EINTERNAL, "internal error")
		}
		return next(ctx)
	}

	// A query changes nothing: its use is recorded while it runs, and its
	// answer goes out only once the record is made.
	recorded := make(chan error, 1)
	go func() { recorded <- g.used(context.WithoutCancel(ctx), c, what) }()
	answer := next(ctx)

	var failed graphql.ResponseHandler
	waited := false

	return func(ctx context.Context) *graphql.Response {
		resp := answer(ctx)
		if !waited {
			waited = true
			if err := <-recorded; err != nil {
				failed = errorResponse(fundhub.EINTERNAL, "internal error")
			}
		}
		if failed != nil {
			return failed(ctx)
		}
		return resp
	}
}

// used records the use of c's token for what, logging a failure.
func (g authGate) used(ctx context.Context, c *fundhub.Caller, what string) error {
	err := g.deps.Auth.Used(ctx, c, what)
	if err != nil {
		g.deps.Logger.ErrorContext(ctx, "recording token use", "user", c.Username,
			"token_id", c.TokenID, "err", err)
	}

	return err
}

// rootFields names the fields the operation asks for at its root.
func rootFields(oc *graphql.OperationContext) []string {
	if oc.Operation == nil {
		return nil
	}
	typ := "Query"
	switch oc.Operation.Operation {
	case "mutation":
		typ = "Mutation"
	case "subscription":
		typ = "Subscription"
	}

	var names []string
	for _, f := range graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{typ}) {
		names = append(names, f.Name)
	}

	return names
}

// errorResponse answers an operation with one error and no data.
func errorResponse(code, msg string) graphql.ResponseHandler {
	done := false
	return func(context.Context) *graphql.Response {
		if done {
			return nil
		}
		done = true
		return &graphql.Response{Errors: gqlerror.List{{Message: msg,
			Extensions: map[string]any{"code": code}}}}
	}
}

// allowed reports whether the caller may do action on funds of dir in the
// region with code; authz.AnyDirection as dir asks for every direction.
func (r *Resolver) allowed(ctx context.Context, action, region string,
	dir fundhub.Direction) bool {
	return r.Policy.Allowed(authz.UserOf(CallerFrom(ctx)), action, region, dir)
}

// require returns the caller when they may do action on dir at region.
// Otherwise the attempt is audited and refused with FORBIDDEN, before
// anything changes; what describes the attempt for the audit log.
func (r *Resolver) require(ctx context.Context, action, region string,
	dir fundhub.Direction, what string) (*fundhub.Caller, error) {
	g, err := r.guardFor(ctx, what)
	if err != nil {
		return nil, err
	}
	if err := g.Allow(action, region, dir); err != nil {
		return nil, err
	}

	return g.c, nil
}

// deny audits a refused action and returns the FORBIDDEN error.
func (r *Resolver) deny(ctx context.Context, c *fundhub.Caller, action, region,
	what string) error {
	id := c.UserID
	rec := fundhub.AuditRecord{UserID: &id, Actor: c.Actor(), Action: "denied",
		Entity: action, RegionCode: region, Reason: what}
	if err := r.Auth.Audit(ctx, rec); err != nil {
		return err
	}
	r.Logger.WarnContext(ctx, "action denied", "user", c.Username, "action", action,
		"region", region, "what", what)

	return fundhub.Errorf(fundhub.EFORBIDDEN, "you may not %s here: %s", action, what)
}

// manageConnectors is the right that reaches connectors, runs and rejected
// rows: they carry every region's raw rows, so only a national grant does.
func (r *Resolver) managesConnectors(ctx context.Context) bool {
	return r.allowed(ctx, authz.ActionManageConnectors, fundhub.NationalCode,
		authz.AnyDirection)
}

// requireConnectors is require for connector management.
func (r *Resolver) requireConnectors(ctx context.Context, what string) (*fundhub.Caller,
	error) {
	return r.require(ctx, authz.ActionManageConnectors, fundhub.NationalCode,
		authz.AnyDirection, what)
}

// requireOverUser is require for managing the user named username, at the
// region of their unit. An unknown user is refused like one outside the
// caller's reach, so the answer does not tell which usernames exist. No
// one manages themselves: a user manager cannot give themselves roles,
// and changes their own password with changePassword.
func (r *Resolver) requireOverUser(ctx context.Context, username,
	what string) (*fundhub.Caller, error) {
	c, err := r.requireSession(ctx, what)
	if err != nil {
		return nil, err
	}
	if username == c.Username {
		return nil, r.deny(ctx, c, authz.ActionManageUsers, c.RegionCode,
			what+" (not on yourself)")
	}
	_, region, err := r.Store.UserRegion(ctx, username)
	if fundhub.ErrorCode(err) == fundhub.ENOTFOUND {
		return nil, r.deny(ctx, c, authz.ActionManageUsers, "", what)
	}
	if err != nil {
		return nil, err
	}

	return r.require(ctx, authz.ActionManageUsers, region, authz.AnyDirection, what)
}

// requireSession returns the caller when they signed in with a password:
// managing users and tokens is refused to API tokens, so a leaked dashboard
// token cannot take over an account or outlive its revocation.
func (r *Resolver) requireSession(ctx context.Context, what string) (*fundhub.Caller,
	error) {
	c := CallerFrom(ctx)
	if c == nil {
		return nil, fundhub.Errorf(fundhub.EUNAUTHENTICATED, "sign in first")
	}
	if c.TokenKind != fundhub.TokenSession {
		return nil, r.deny(ctx, c, authz.ActionManageUsers, c.RegionCode,
			what+" with an API token; sign in instead")
	}

	return c, nil
}

// signedIn returns the caller of a download request, with the token's use
// recorded as what, or answers the request and returns nil: downloads need
// a token, and one whose use cannot be recorded is refused.
func (d Deps) signedIn(w http.ResponseWriter, r *http.Request, what string) *fundhub.Caller {
	c, err := d.authenticate(r)
	if err == nil && c == nil {
		err = fundhub.Errorf(fundhub.EUNAUTHENTICATED, "sign in first")
	}
	if err != nil {
		refuse(w, err)
		return nil
	}
	if err := d.Auth.Used(r.Context(), c, what); err != nil {
		d.Logger.ErrorContext(r.Context(), "recording token use", "user", c.Username,
			"err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return nil
	}

	return c
}
