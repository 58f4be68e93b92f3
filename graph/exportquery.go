package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"fundhub"
	"fundhub/authz"
	"fundhub/graph/gqlhttp"
)

// QueryExportCSVPath and QueryExportXLSXPath are where the rows of one list
// of any GraphQL query download, as CSV or as an XLSX workbook. QueryExport
// serves both.
const (
	QueryExportCSVPath  = "/exports/query.csv"
	QueryExportXLSXPath = "/exports/query.xlsx"
)

// MaxExportRows caps the rows of one export. A CSV export that reaches it
// stops there and ends with an "# export incomplete" record; a workbook is
// refused beyond the 1,048,575 rows a worksheet holds below its header.
const MaxExportRows = 5_000_000

// exportWriteWindow is how long writing one page (or the workbook) may
// take. It is set again before each, so the server's write timeout, which
// counts from the request, does not cut a long export short.
const exportWriteWindow = 5 * time.Minute

// QueryExport serves the rows of one list of a GraphQL query as CSV (at
// QueryExportCSVPath) or XLSX (at QueryExportXLSXPath), to a caller with a
// bearer token. The operation runs on a server built like NewServer's, with
// the same limits, gate and error presenter, within the caller's scope;
// mutations and subscriptions are refused with 400. A connection that
// declares $after and selects pageInfo is read page by page, and CSV rows
// are sent as each page arrives, so an export is never held in memory
// whole. Errors before any row is sent answer 4xx or 5xx with
// {"errors": [...]}; a CSV export that fails later ends with a record
// "# export incomplete: <reason>".
func QueryExport(d Deps) http.Handler {
	srv := NewServer(d)
	srv.Use(exportGuard{})

	return &queryExport{d: d, gql: LoaderMiddleware(d.Store, srv)}
}

type queryExport struct {
	d   Deps
	gql http.Handler
}

// exportRequest is what an export asks for, from a GET's parameters or a
// POST's JSON body.
type exportRequest struct {
	Query         string         `json:"query"`
	Variables     map[string]any `json:"variables"`
	OperationName string         `json:"operationName"`
	Path          string         `json:"path"`
}

func (h *queryExport) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Add("Vary", "Authorization")
	c := h.signedIn(w, r)
	if c == nil {
		return
	}

	s := newSink(w, r.URL.Path)
	x := &exportRun{gql: h.gql, seen: &seenOperation{}, limit: s.rowLimit()}
	req, err := readExportRequest(w, r)
	if err == nil {
		x.req = req
		err = x.run(h.callerContext(r, c, x.seen), s)
	}
	err = s.end(err)
	h.log(r.Context(), c, x, s, start, err)
}

// signedIn returns the caller of r, recording the token's use, or answers
// r and returns nil: an export needs a token.
func (h *queryExport) signedIn(w http.ResponseWriter, r *http.Request) *fundhub.Caller {
	return h.d.signedIn(w, r, r.Method+" "+r.URL.Path)
}

// callerContext gives the operations of an export what Handler gives a
// GraphQL request: the caller, their address and the scope they may read.
func (h *queryExport) callerContext(r *http.Request, c *fundhub.Caller,
	seen *seenOperation) context.Context {
	ctx := WithCaller(r.Context(), c)
	ctx = context.WithValue(ctx, clientKey{}, r.RemoteAddr)
	ctx = WithScope(ctx, h.d.Policy.Scope(authz.UserOf(c), authz.ActionRead))

	return context.WithValue(ctx, seenKey{}, seen)
}

// log writes the one line an export leaves: who, what, how much, how long.
func (h *queryExport) log(ctx context.Context, c *fundhub.Caller, x *exportRun, s sink,
	start time.Time, err error) {
	attrs := []any{"user", c.Username, "format", s.format(), "rows", x.rows,
		"pages", x.pages, "duration", time.Since(start)}
	if x.plan != nil {
		attrs = append(attrs, "list", strings.Join(x.plan.listPath, "."))
	}
	level := slog.LevelInfo
	if err != nil {
		attrs = append(attrs, "err", err)
		// A refused request is the client's affair; a failure of the
		// server's, or after the file began, is ours.
		var refused *exportError
		if !errors.As(err, &refused) || refused.status >= 500 || x.plan != nil {
			level = slog.LevelError
		}
	}
	h.d.Logger.Log(ctx, level, "query export", attrs...)
}

// readExportRequest reads the request of r. The answer to a malformed one
// is an *exportError.
func readExportRequest(w http.ResponseWriter, r *http.Request) (*exportRequest, error) {
	req := &exportRequest{}
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		req.Query, req.OperationName = q.Get("query"), q.Get("operationName")
		req.Path = q.Get("path")
		if v := q.Get("variables"); v != "" {
			if err := decodeJSON(strings.NewReader(v), &req.Variables); err != nil {
				return nil, refusal(http.StatusBadRequest, gqlhttp.CodeBadRequest,
					"variables is not a JSON object: "+err.Error())
			}
		}
	case http.MethodPost:
		body := http.MaxBytesReader(w, r.Body, gqlhttp.DefaultMaxBodyBytes)
		if err := decodeJSON(body, req); err != nil {
			return nil, refusal(http.StatusBadRequest, gqlhttp.CodeBadRequest,
				"the body is not a JSON object {query, variables, operationName, path}: "+
					err.Error())
		}
	default:
		w.Header().Set("Allow", "GET, POST")
		return nil, refusal(http.StatusMethodNotAllowed, gqlhttp.CodeBadRequest,
			"use GET or POST")
	}
	if strings.TrimSpace(req.Query) == "" {
		return nil, refusal(http.StatusBadRequest, gqlhttp.CodeBadRequest, "query is missing")
	}

	return req, nil
}

// decodeJSON decodes numbers as json.Number, so variables keep their digits.
func decodeJSON(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.UseNumber()

	return dec.Decode(v)
}

// exportRun is one export under way: the pages read and the rows written.
type exportRun struct {
	gql   http.Handler
	req   *exportRequest
	seen  *seenOperation
	plan  *exportPlan
	limit int
	pages int
	rows  int
}

// run reads the operation's pages into s until the last, the row limit or
// an error.
func (x *exportRun) run(ctx context.Context, s sink) error {
	vars := x.req.Variables
	prev, _ := vars["after"].(string)
	for {
		data, err := x.page(ctx, vars)
		if err != nil {
			return err
		}
		if x.plan == nil {
			if err := x.start(s); err != nil {
				return err
			}
		}
		if err := x.write(s, x.plan.rows(data)); err != nil {
			return err
		}

		cursor, more, err := x.plan.next(data)
		if err != nil || !more {
			return err
		}
		if cursor == prev {
			return fmt.Errorf("page %d: the cursor %q did not advance", x.pages, cursor)
		}
		prev, vars = cursor, maps.Clone(vars)
		if vars == nil {
			vars = map[string]any{}
		}
		vars["after"] = cursor
	}
}

// start reads the plan of the operation the first page ran and begins s.
func (x *exportRun) start(s sink) error {
	if x.seen.op == nil {
		return errors.New("the export guard saw no operation")
	}
	plan, err := newExportPlan(x.seen.op, x.seen.vars, x.req.Path)
	if err != nil {
		return refusalWith(http.StatusBadRequest, err.Error(),
			map[string]any{"code": fundhub.EINVALID, "field": "path"})
	}
	x.plan = plan

	return s.begin(plan.listPath[0], plan.cols)
}

// write hands rows to s, stopping at the row limit.
func (x *exportRun) write(s sink, rows [][]string) error {
	over := x.rows+len(rows) > x.limit
	if over {
		rows = rows[:x.limit-x.rows]
	}
	if err := s.write(rows); err != nil {
		return err
	}
	x.rows += len(rows)
	if over {
		return refusal(http.StatusBadRequest, gqlhttp.CodeBadRequest, fmt.Sprintf(
			"more than %d rows, the most one %s export holds; narrow the filter",
			x.limit, s.format()))
	}

	return nil
}

// page runs the operation once with vars through the GraphQL server and
// returns its data. GraphQL errors come back as an *exportError.
func (x *exportRun) page(ctx context.Context, vars map[string]any) (map[string]any,
	error) {
	body, err := json.Marshal(map[string]any{"query": x.req.Query,
		"operationName": x.req.OperationName, "variables": vars})
	if err != nil {
		return nil, fmt.Errorf("encoding page %d: %w", x.pages+1, err)
	}
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, "/graphql",
		bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("building page %d: %w", x.pages+1, err)
	}
	r.Header.Set("Content-Type", gqlhttp.MediaTypeJSON)
	r.Header.Set("Accept", gqlhttp.MediaTypeJSON)

	rec := &pageRecorder{header: http.Header{}}
	x.gql.ServeHTTP(rec, r)
	x.pages++

	return rec.decode()
}

// pageRecorder keeps the answer to one page in memory.
type pageRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (p *pageRecorder) Header() http.Header { return p.header }

func (p *pageRecorder) WriteHeader(status int) {
	if p.status == 0 {
		p.status = status
	}
}

func (p *pageRecorder) Write(b []byte) (int, error) {
	p.WriteHeader(http.StatusOK)
	return p.body.Write(b)
}

// decode returns the page's data, or its errors as an *exportError with
// their codes: 500 when one is internal, the transport's status when it
// refused the request, 400 otherwise.
func (p *pageRecorder) decode() (map[string]any, error) {
	var page struct {
		Data   map[string]any    `json:"data"`
		Errors []json.RawMessage `json:"errors"`
	}
	if err := decodeJSON(&p.body, &page); err != nil {
		return nil, fmt.Errorf("decoding a page answered %d: %w", p.status, err)
	}
	if len(page.Errors) == 0 && p.status == http.StatusOK {
		return page.Data, nil
	}

	return nil, pageError(p.status, page.Errors)
}

// pageError is the exportError of a page answered status with errs.
func pageError(status int, errs []json.RawMessage) *exportError {
	if status == http.StatusOK {
		status = http.StatusBadRequest
	}
	if len(errs) == 0 {
		return refusal(status, gqlhttp.CodeBadRequest, http.StatusText(status))
	}

	e := &exportError{status: status}
	for i, raw := range errs {
		var one struct {
			Message    string
			Extensions struct{ Code string }
		}
		_ = json.Unmarshal(raw, &one)
		if i == 0 {
			e.msg = fmt.Sprintf("%s (%s)", one.Message, one.Extensions.Code)
		}
		if one.Extensions.Code == fundhub.EINTERNAL ||
			one.Extensions.Code == "INTERNAL_SERVER_ERROR" {
			e.status = http.StatusInternalServerError
		}
	}
	e.body, _ = json.Marshal(map[string]any{"errors": errs})

	return e
}

// exportError is an export refused or failed with GraphQL errors: status
// and the body {"errors": [...]} answer it while nothing of the file was
// sent; msg ends a CSV export that has begun.
type exportError struct {
	status int
	body   []byte
	msg    string
}

func (e *exportError) Error() string { return e.msg }

// refusal is an exportError with one error of code.
func refusal(status int, code, msg string) *exportError {
	return refusalWith(status, msg, map[string]any{"code": code})
}

// refusalWith is an exportError with one error with extensions ext.
func refusalWith(status int, msg string, ext map[string]any) *exportError {
	e := &exportError{status: status, msg: msg}
	e.body, _ = json.Marshal(map[string]any{"errors": gqlerror.List{{Message: msg,
		Extensions: ext}}})

	return e
}

// writeExportError answers an export that failed before its file began.
// Errors other than an *exportError are internal and not described.
func writeExportError(w http.ResponseWriter, err error) {
	var e *exportError
	if !errors.As(err, &e) {
		e = refusal(http.StatusInternalServerError, fundhub.EINTERNAL, "internal error")
	}
	w.Header().Set("Content-Type", gqlhttp.MediaTypeJSON+"; charset=utf-8")
	w.WriteHeader(e.status)
	_, _ = w.Write(e.body)
}

// publicReason is what a client may read of err.
func publicReason(err error) string {
	var e *exportError
	if errors.As(err, &e) {
		return e.msg
	}

	return "internal error"
}

type seenKey struct{}

// seenOperation is the operation an export's first page ran, as gqlgen
// parsed and validated it: the plan is read from it, not from a second
// parse that might choose differently.
type seenOperation struct {
	op   *ast.OperationDefinition
	vars map[string]any
}

// exportGuard refuses anything but a query before it runs, and shows the
// export the operation it runs.
type exportGuard struct{}

func (exportGuard) ExtensionName() string { return "ExportGuard" }

func (exportGuard) Validate(graphql.ExecutableSchema) error { return nil }

func (exportGuard) MutateOperationContext(ctx context.Context,
	oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation.Operation != ast.Query {
		return &gqlerror.Error{
			Message: fmt.Sprintf("an export runs queries only; send a %s to /graphql",
				oc.Operation.Operation),
			Extensions: map[string]any{"code": gqlhttp.CodeBadRequest},
		}
	}
	if seen, ok := ctx.Value(seenKey{}).(*seenOperation); ok && seen.op == nil {
		seen.op, seen.vars = oc.Operation, oc.Variables
	}

	return nil
}

// extendWrite gives the next write to w a fresh exportWriteWindow. A writer
// without deadlines (a test recorder) is left as it is.
func extendWrite(w http.ResponseWriter) {
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(exportWriteWindow))
}

// newSink returns the sink for the file urlPath asks for: XLSX for .xlsx,
// CSV otherwise.
func newSink(w http.ResponseWriter, urlPath string) sink {
	if path.Ext(urlPath) == ".xlsx" {
		return &xlsxSink{w: w}
	}

	return &csvSink{w: w}
}
