package gqlhttp

import (
	"encoding/json"
	"net/http"

	"github.com/vektah/gqlparser/v2/gqlerror"
)

// httpError is a request that is not a well-formed GraphQL-over-HTTP
// request. Its status is the same under both media types.
type httpError struct {
	status int
	allow  string
	err    error
}

func badRequest(err error) *httpError {
	return &httpError{status: http.StatusBadRequest, err: err}
}

func (e *httpError) write(w http.ResponseWriter, media string) {
	if e.allow != "" {
		w.Header().Set("Allow", e.allow)
	}

	writeHTTPError(w, media, e.status, e.err.Error())
}

// requestErrors is the body of a response to a request that failed before
// execution: it has no data entry, as the specification requires for
// application/graphql-response+json.
type requestErrors struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// writeHTTPError writes one BAD_REQUEST error with the given status.
func writeHTTPError(w http.ResponseWriter, media string, status int, message string) {
	gqlErr := &gqlerror.Error{
		Message:    message,
		Extensions: map[string]any{"code": CodeBadRequest},
	}

	writeJSON(w, media, status, requestErrors{Errors: gqlerror.List{gqlErr}})
}

// writeJSON writes body as JSON with the given media type and status. A body
// that cannot be encoded becomes a 500 with an INTERNAL_SERVER_ERROR error.
func writeJSON(w http.ResponseWriter, media string, status int, body any) {
	encoded, err := json.Marshal(body)
	if err != nil {
		status = http.StatusInternalServerError
		encoded = []byte(`{"errors":[{"message":"the response could not be encoded",` +
			`"extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`)
	}

	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(encoded)
}
