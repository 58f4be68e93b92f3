package gqlhttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/99designs/gqlgen/graphql"
)

// errNotObject reports a JSON value that should have been an object.
var errNotObject = errors.New("not a JSON object")

// readGET takes the request parameters from the URL's query string. It
// answers 405 when the selected operation is a mutation or subscription.
func readGET(r *http.Request, tokenLimit int) (*graphql.RawParams, *httpError) {
	start := graphql.Now()

	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badRequest(fmt.Errorf("parse query string: %w", err))
	}

	if !values.Has("query") {
		return nil, badRequest(errors.New("the query parameter is missing"))
	}

	params := &graphql.RawParams{
		Query:         values.Get("query"),
		OperationName: values.Get("operationName"),
		Headers:       r.Header,
	}

	if reqErr := decodeGETObjects(values, params); reqErr != nil {
		return nil, reqErr
	}

	if reqErr := refuseNonQuery(params, tokenLimit); reqErr != nil {
		return nil, reqErr
	}

	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	return params, nil
}

func decodeGETObjects(values url.Values, params *graphql.RawParams) *httpError {
	var err error

	params.Variables, err = decodeObject([]byte(values.Get("variables")))
	if err != nil {
		return badRequest(fmt.Errorf("decode variables parameter: %w", err))
	}

	params.Extensions, err = decodeObject([]byte(values.Get("extensions")))
	if err != nil {
		return badRequest(fmt.Errorf("decode extensions parameter: %w", err))
	}

	return nil
}

// refuseNonQuery answers 405 when the document parses and the operation
// that operationName selects is not a query. A document that does not parse
// or select an operation is left for the executor to report.
func refuseNonQuery(params *graphql.RawParams, tokenLimit int) *httpError {
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, tokenLimit)
	if err != nil {
		return nil
	}

	op := doc.Operations.ForName(params.OperationName)
	if op == nil || op.Operation == ast.Query {
		return nil
	}

	return &httpError{
		status: http.StatusMethodNotAllowed,
		allow:  "POST",
		err: fmt.Errorf("a %s operation cannot be sent with GET; use POST",
			op.Operation),
	}
}

// readPOST decodes a JSON request body of at most limit bytes.
func readPOST(w http.ResponseWriter, r *http.Request, limit int64) (
	*graphql.RawParams, *httpError,
) {
	start := graphql.Now()

	if reqErr := checkContentType(r.Header.Get("Content-Type")); reqErr != nil {
		return nil, reqErr
	}

	body, reqErr := readBody(w, r, limit)
	if reqErr != nil {
		return nil, reqErr
	}

	params, err := decodeBody(body)
	if err != nil {
		return nil, badRequest(fmt.Errorf("decode request body: %w", err))
	}

	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	return params, nil
}

// checkContentType accepts application/json in UTF-8 only.
func checkContentType(contentType string) *httpError {
	unsupported := &httpError{
		status: http.StatusUnsupportedMediaType,
		err: fmt.Errorf("content type %q is not supported; send %s",
			contentType, MediaTypeJSON),
	}

	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil || mediaType != MediaTypeJSON {
		return unsupported
	}

	charset, ok := params["charset"]
	if ok && !strings.EqualFold(charset, "utf-8") {
		return unsupported
	}

	return nil
}

func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, *httpError) {
	tooLarge := &httpError{
		status: http.StatusRequestEntityTooLarge,
		err:    fmt.Errorf("the request body is larger than %d bytes", limit),
	}

	if r.ContentLength > limit {
		return nil, tooLarge
	}

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))

	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return nil, tooLarge
	}

	if err != nil {
		return nil, badRequest(fmt.Errorf("read request body: %w", err))
	}

	return body, nil
}

// decodeBody turns a JSON body into request parameters, checking the type
// of each one: query must be a string, operationName a string or null, and
// variables and extensions objects or null.
func decodeBody(body []byte) (*graphql.RawParams, error) {
	var fields map[string]json.RawMessage
	if err := decodeSingle(body, &fields); err != nil {
		return nil, err
	}

	if fields == nil {
		return nil, errNotObject
	}

	params := &graphql.RawParams{}

	err := decodeString(fields["query"], &params.Query, true)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}

	err = decodeString(fields["operationName"], &params.OperationName, false)
	if err != nil {
		return nil, fmt.Errorf("operationName: %w", err)
	}

	return params, decodeBodyObjects(fields, params)
}

func decodeBodyObjects(fields map[string]json.RawMessage, params *graphql.RawParams) error {
	var err error

	params.Variables, err = decodeObject(fields["variables"])
	if err != nil {
		return fmt.Errorf("variables: %w", err)
	}

	params.Extensions, err = decodeObject(fields["extensions"])
	if err != nil {
		return fmt.Errorf("extensions: %w", err)
	}

	return nil
}

// decodeString decodes a JSON string into dst; null or absent counts as
// missing, which is an error only when required.
func decodeString(raw json.RawMessage, dst *string, required bool) error {
	if isNull(raw) {
		if required {
			return errors.New("required but missing")
		}

		return nil
	}

	if err := json.Unmarshal(raw, dst); err != nil {
		return errors.New("must be a string")
	}

	return nil
}

// decodeObject decodes a JSON object, keeping numbers as json.Number the way
// gqlgen's variable coercion expects. Empty text and null give a nil map.
func decodeObject(raw []byte) (map[string]any, error) {
	if isNull(raw) {
		return nil, nil
	}

	var value any
	if err := decodeSingle(raw, &value); err != nil {
		return nil, err
	}

	object, ok := value.(map[string]any)
	if !ok {
		return nil, errNotObject
	}

	return object, nil
}

// decodeSingle decodes exactly one JSON value from data into dst.
func decodeSingle(data []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()

	if err := dec.Decode(dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return errNotObject
		}

		return fmt.Errorf("invalid JSON: %w", err)
	}

	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("invalid JSON: data after the top-level value")
	}

	return nil
}

func isNull(raw []byte) bool {
	trimmed := bytes.TrimSpace(raw)

	return len(trimmed) == 0 || string(trimmed) == "null"
}
