package graph

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"fundhub"
	"fundhub/authz"
	"fundhub/report"
)

// Where a quarterly progress report downloads, as a workbook, Markdown or
// HTML, with ?region=330000&year=2024&quarter=2. QuarterlyReports serves
// all three.
const (
	QuarterlyWorkbookPath = "/reports/quarterly.xlsx"
	QuarterlyMarkdownPath = "/reports/quarterly.md"
	QuarterlyHTMLPath     = "/reports/quarterly.html"
)

// QuarterlyReportPaths lists the paths QuarterlyReports serves, for
// mounting it.
func QuarterlyReportPaths() []string {
	return []string{QuarterlyWorkbookPath, QuarterlyMarkdownPath, QuarterlyHTMLPath}
}

// quarterlyReport answers the quarterlyReport field: the links to the
// downloads and the written summary, or null for a region the caller does
// not see.
func (r *Resolver) quarterlyReport(ctx context.Context, region string, year,
	quarter int) (*QuarterlyReport, error) {
	q, err := r.quarterlyQuery(region, year, quarter)
	if err != nil {
		return nil, err
	}

	query := "?" + url.Values{"region": {region}, "year": {strconv.Itoa(year)},
		"quarter": {strconv.Itoa(quarter)}}.Encode()
	out := &QuarterlyReport{Quarter: &q.Quarter, WorkbookURL: QuarterlyWorkbookPath + query,
		MarkdownURL: QuarterlyMarkdownPath + query, HTMLURL: QuarterlyHTMLPath + query}

	// The figures are read only for the summary; the links need no more
	// than a region the caller may see.
	if !selects(ctx, "summary") {
		out.Region, err = r.Store.ReportRegion(ctx, ScopeFrom(ctx), region)
	} else {
		var rep *fundhub.QuarterlyReport
		if rep, err = r.Store.QuarterlyReportData(ctx, ScopeFrom(ctx), q); err == nil {
			out.Region, out.Summary = rep.Region, report.Markdown(rep)
		}
	}
	if fundhub.ErrorCode(err) == fundhub.ENOTFOUND || (err == nil && out.Region == nil) {
		return nil, nil
	}

	return out, err
}

// selects reports whether the field being resolved selects a field named
// name.
func selects(ctx context.Context, name string) bool {
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name == name {
			return true
		}
	}

	return false
}

// quarterlyQuery checks the year and quarter asked for and fills in today
// and the thresholds, as the analysis does, so that the two agree.
func (r *Resolver) quarterlyQuery(region string, year, quarter int) (fundhub.QuarterlyQuery,
	error) {
	q := fundhub.QuarterlyQuery{Region: region, Quarter: fundhub.Quarter{Year: year,
		Quarter: quarter}, Today: today(), Thresholds: r.thresholds()}
	var errs fundhub.Errors
	if e := fundhub.CheckRegionCode("region", region); e != nil {
		errs = append(errs, e)
	}
	if year < 1949 || year > 2200 {
		errs = append(errs, fundhub.Invalid("year", "%d is not a fund year (1949 to 2200)",
			year))
	}
	if quarter < 1 || quarter > 4 {
		errs = append(errs, fundhub.Invalid("quarter", "%d is not a quarter: give 1 to 4",
			quarter))
	}

	return q, errs.Err()
}

// quarterlyFormat is one download of the report.
type quarterlyFormat struct {
	ext, contentType, disposition string
	write                         func(ctx context.Context, w io.Writer, x *quarterlyRun) error
}

var quarterlyFormats = map[string]quarterlyFormat{
	QuarterlyWorkbookPath: {"xlsx",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "attachment",
		func(ctx context.Context, w io.Writer, x *quarterlyRun) error {
			_, err := report.WriteWorkbook(ctx, w, x.rep, x)
			return err
		}},
	QuarterlyMarkdownPath: {"md", "text/markdown; charset=utf-8", "attachment",
		func(_ context.Context, w io.Writer, x *quarterlyRun) error {
			_, err := io.WriteString(w, report.Markdown(x.rep))
			return err
		}},
	QuarterlyHTMLPath: {"html", "text/html; charset=utf-8", "inline",
		func(_ context.Context, w io.Writer, x *quarterlyRun) error {
			return report.WriteHTML(w, x.rep)
		}},
}

// QuarterlyReports serves the quarterly progress report of a region at the
// QuarterlyReportPaths, to a caller with a bearer token (401 without),
// within the caller's read scope: a region out of sight answers 404, as
// one that does not exist; bad parameters answer 400 naming the parameter.
// The workbook's long sheets stream from the database as they are written.
func QuarterlyReports(d Deps) http.Handler {
	return &quarterlyReports{d: d, r: &Resolver{Deps: d}}
}

type quarterlyReports struct {
	d Deps
	r *Resolver
}

// quarterlyRun is one report being served: the caller's scope, the query
// and the data read, and what was sent. It streams the workbook's long
// sheets as report.Rows.
type quarterlyRun struct {
	store  Store
	scope  fundhub.Scope
	q      fundhub.QuarterlyQuery
	rep    *fundhub.QuarterlyReport
	format quarterlyFormat
	status int
	bytes  int64
}

// EachAllocation streams the allocations sheet from the store.
func (x *quarterlyRun) EachAllocation(ctx context.Context,
	fn func(*fundhub.QuarterlyAllocation) error) error {
	return x.store.EachQuarterlyAllocation(ctx, x.scope, x.q, fn)
}

// EachProject streams the execution-by-project sheet from the store.
func (x *quarterlyRun) EachProject(ctx context.Context,
	fn func(*fundhub.ProjectExecution) error) error {
	return x.store.EachProjectExecution(ctx, x.scope, x.q, fn)
}

func (h *quarterlyReports) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Add("Vary", "Authorization")
	format, ok := quarterlyFormats[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		http.Error(w, "use GET", http.StatusMethodNotAllowed)
		return
	}
	c := h.signedIn(w, r)
	if c == nil {
		return
	}

	x := &quarterlyRun{store: h.d.Store, format: format, status: http.StatusOK,
		scope: h.d.Policy.Scope(authz.UserOf(c), authz.ActionRead)}
	err := h.serve(w, r, x)
	h.log(r.Context(), c, x, start, err)
}

// signedIn returns the caller of r, recording the token's use, or answers
// r and returns nil: a report needs a token.
func (h *quarterlyReports) signedIn(w http.ResponseWriter, r *http.Request) *fundhub.Caller {
	return h.d.signedIn(w, r, "GET "+r.URL.RequestURI())
}

// serve reads the report and writes it. An error before the first byte
// answers with its status; after it, the download is cut short.
func (h *quarterlyReports) serve(w http.ResponseWriter, r *http.Request,
	x *quarterlyRun) error {
	q, err := h.params(r.URL.Query())
	x.q = q
	if err != nil {
		x.status = http.StatusBadRequest
		writeError(w, x.status, err)
		return err
	}
	x.rep, err = h.d.Store.QuarterlyReportData(r.Context(), x.scope, q)
	if fundhub.ErrorCode(err) == fundhub.ENOTFOUND {
		x.status = http.StatusNotFound
		writeError(w, x.status, fundhub.Errorf(fundhub.ENOTFOUND, "no such region"))
		return err
	}
	if err != nil {
		x.status = http.StatusInternalServerError
		writeError(w, x.status, fundhub.Errorf(fundhub.EINTERNAL, "internal error"))
		return err
	}

	out := &download{w: w, x: x}
	err = x.format.write(r.Context(), out, x)
	if err != nil && out.x.bytes == 0 {
		x.status = http.StatusInternalServerError
		if fundhub.ErrorCode(err) == fundhub.EINVALID {
			x.status = http.StatusBadRequest
		}
		if x.status != http.StatusBadRequest {
			err = fundhub.Errorf(fundhub.EINTERNAL, "internal error")
		}
		writeError(w, x.status, err)
	}

	return err
}

// params reads region, year and quarter, naming the one at fault.
func (h *quarterlyReports) params(v url.Values) (fundhub.QuarterlyQuery, error) {
	region := v.Get("region")
	if len(region) != 6 || !digits(region) {
		return fundhub.QuarterlyQuery{Region: region}, fundhub.Invalid("region",
			"give a six-digit region code, such as 330000")
	}
	var n [2]int
	for i, name := range []string{"year", "quarter"} {
		var err error
		if n[i], err = strconv.Atoi(v.Get(name)); err != nil {
			return fundhub.QuarterlyQuery{Region: region}, fundhub.Invalid(name,
				"%q is not a number",
				v.Get(name))
		}
	}

	return h.r.quarterlyQuery(region, n[0], n[1])
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}

	return true
}

// download sets the download's headers on its first write, so that an
// error before any byte can still answer with a status of its own, and
// counts what it sends.
type download struct {
	w http.ResponseWriter
	x *quarterlyRun
}

func (d *download) Write(p []byte) (int, error) {
	if d.x.bytes == 0 {
		h := d.w.Header()
		h.Set("Content-Type", d.x.format.contentType)
		h.Set("Content-Disposition", fmt.Sprintf(`%s; filename="%s"`, d.x.format.disposition,
			report.Filename(d.x.q.Region, d.x.q.Quarter, d.x.format.ext)))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	}
	n, err := d.w.Write(p)
	d.x.bytes += int64(n)

	return n, err
}

// log writes one line per report asked for: who, what, how big, how long.
func (h *quarterlyReports) log(ctx context.Context, c *fundhub.Caller, x *quarterlyRun,
	start time.Time, err error) {
	attrs := []any{"user", c.Username, "region", x.q.Region, "quarter", x.q.Quarter.String(),
		"format", x.format.ext, "status", x.status, "bytes", x.bytes,
		"duration", time.Since(start)}
	level := slog.LevelInfo
	if err != nil {
		attrs = append(attrs, "err", err)
		if x.status >= 500 || x.bytes > 0 {
			level = slog.LevelError
		}
	}
	h.d.Logger.Log(ctx, level, "quarterly report", attrs...)
}
