package gqlhttp

import (
	"context"
	"net/http"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
)

// execute prepares and runs one operation. Errors raised before execution
// (parse, validation, variable coercion, extensions) are request errors.
func execute(
	w http.ResponseWriter,
	r *http.Request,
	exec graphql.GraphExecutor,
	media string,
	params *graphql.RawParams,
) {
	ctx := r.Context()

	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs == nil && opCtx.Operation.Operation == ast.Subscription {
		errs = gqlerror.List{subscriptionError()}
	}

	if errs != nil {
		classify(opCtx, errs)
		writeRequestErrors(w, media, exec.DispatchError(
			graphql.WithOperationContext(ctx, opCtx), errs))

		return
	}

	writeResult(w, media, run(ctx, exec, opCtx))
}

func run(
	ctx context.Context,
	exec graphql.GraphExecutor,
	opCtx *graphql.OperationContext,
) *graphql.Response {
	responses, ctx := exec.DispatchOperation(ctx, opCtx)

	resp := responses(ctx)
	if resp == nil {
		return &graphql.Response{}
	}

	return resp
}

func subscriptionError() *gqlerror.Error {
	return &gqlerror.Error{
		Message:    "subscription operations are not served over HTTP POST",
		Extensions: map[string]any{"code": CodeBadRequest},
	}
}

// classify gives each pre-execution error its code: variable coercion
// errors, which gqlgen tags as validation failures, become BAD_USER_INPUT,
// and errors without a code become BAD_REQUEST.
func classify(opCtx *graphql.OperationContext, errs gqlerror.List) {
	for _, err := range errs {
		switch {
		case isVariableError(opCtx, err):
			errcode.Set(err, CodeBadUserInput)
		case code(err) == "":
			errcode.Set(err, CodeBadRequest)
		}
	}
}

// isVariableError recognises errors from validator.VariableValues: they come
// after the operation was found, carry gqlgen's validation code, and have a
// path that starts with "variable".
func isVariableError(opCtx *graphql.OperationContext, err *gqlerror.Error) bool {
	if opCtx == nil || opCtx.Operation == nil || code(err) != errcode.ValidationFailed {
		return false
	}

	if len(err.Path) == 0 {
		return false
	}

	name, ok := err.Path[0].(ast.PathName)

	return ok && name == "variable"
}

func code(err *gqlerror.Error) string {
	c, _ := err.Extensions["code"].(string)

	return c
}

// writeRequestErrors answers a request that failed before execution: 400
// under application/graphql-response+json, 200 under application/json, and
// no data entry under either. An error presenter that dropped a code gets
// BAD_REQUEST put back.
func writeRequestErrors(w http.ResponseWriter, media string, resp *graphql.Response) {
	for _, err := range resp.Errors {
		if code(err) == "" {
			errcode.Set(err, CodeBadRequest)
		}
	}

	status := http.StatusOK
	if media == MediaTypeGraphQLResponse {
		status = http.StatusBadRequest
	}

	body := requestErrors{Errors: resp.Errors, Extensions: resp.Extensions}
	writeJSON(w, media, status, body)
}

// writeResult answers an executed operation with 200 and a data entry,
// which is null when execution produced no data.
func writeResult(w http.ResponseWriter, media string, resp *graphql.Response) {
	writeJSON(w, media, http.StatusOK, resp)
}
