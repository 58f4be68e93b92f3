package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"fundhub"
)

// ErrorPresenter maps errors to GraphQL errors once, at the edge: a
// *fundhub.Error keeps its message and gets its code (and field) in
// extensions; any other error is logged with the request's path and reaches
// the client as a generic internal error, so internals never leak. Errors
// gqlgen raises itself keep their text.
func ErrorPresenter(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		var gqlErr *gqlerror.Error
		isGQL := errors.As(err, &gqlErr)
		if isGQL && gqlErr.Extensions != nil {
			return gqlErr
		}

		detail := err.Error() // before the presenter may rewrite a shared error
		out := graphql.DefaultErrorPresenter(ctx, err)
		if isGQL && gqlErr.Err == nil {
			out.Extensions = map[string]any{"code": "GRAPHQL_ERROR"}
			return out
		}

		code := fundhub.ErrorCode(err)
		out.Message = fundhub.ErrorMessage(err)
		out.Extensions = map[string]any{"code": code}
		if f := fieldOf(err, out); f != "" {
			out.Extensions["field"] = f
		}
		if code == fundhub.EINTERNAL {
			logger.ErrorContext(ctx, "request failed", "path", out.Path.String(),
				"error", detail)
		}

		return out
	}
}

// Recover turns a panic in a resolver into an internal error. The panic and
// its stack are logged here; the presenter logs the request path.
func Recover(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		logger.ErrorContext(ctx, "resolver panicked", "panic", fmt.Sprint(p),
			"stack", string(debug.Stack()))
		return fmt.Errorf("resolver panicked: %v", p)
	}
}

// fieldOf names the input field at fault: the field an *fundhub.Error
// names, or, for a value that failed to coerce, the argument at the end of
// the error's path.
func fieldOf(err error, out *gqlerror.Error) string {
	if f := fundhub.ErrorField(err); f != "" {
		return f
	}
	if fundhub.ErrorCode(err) != fundhub.EINVALID || len(out.Path) == 0 {
		return ""
	}
	if name, ok := out.Path[len(out.Path)-1].(ast.PathName); ok {
		return string(name)
	}

	return ""
}
