package graph

import (
	"archive/zip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/xuri/excelize/v2"
)

// exportPlan says where an operation's rows are in its data, what their
// columns are and how to ask for the next page. It is read from the
// validated operation, so columns follow the selection even when a page
// has no rows or an item's object is null.
type exportPlan struct {
	listPath []string // response keys from data to the list
	itemPath []string // keys inside each item to the row's object
	cols     []column
	paging   *paging // nil when the operation runs once
}

// column is one leaf of the items' selection. path is relative to the
// row's object. A column under a list joins its values into one text cell,
// and is never numeric.
type column struct {
	name    string
	path    []string
	numeric bool
}

// paging names the parts of a connection's data that lead to its next page.
type paging struct {
	connPath  []string
	pageInfo  string
	hasNext   string
	endCursor string
}

// fieldGroup is the fields of a selection answering under one response
// key: fragments may select the same key more than once.
type fieldGroup struct {
	key    string
	fields []*ast.Field
}

// listSite is where the exported list is in the selection.
type listSite struct {
	listPath []string
	itemPath []string
	item     *fieldGroup // its fields are the columns
	owner    *fieldGroup // the object holding the list; nil at the root
}

// newExportPlan reads the plan of op, whose variables are vars. path, when
// not empty, names the list in dot-separated response keys; otherwise the
// first list of objects in the selection is taken, a connection's nodes or
// edges' nodes. An error says what in the operation or path does not fit.
func newExportPlan(op *ast.OperationDefinition, vars map[string]any,
	path string) (*exportPlan, error) {
	root := collectFields(vars, op.SelectionSet)
	var site *listSite
	var err error
	if path == "" {
		site = firstList(vars, root, nil, nil)
		if site == nil {
			err = errors.New("the operation selects no list of objects to export")
		}
	} else {
		site, err = followPath(vars, root, strings.Split(path, "."))
	}
	if err != nil {
		return nil, err
	}

	p := &exportPlan{listPath: site.listPath, itemPath: site.itemPath,
		cols: columnsOf(vars, site.item.children(vars), nil, false)}
	if len(p.cols) == 0 {
		return nil, errors.New("the list's items select no fields")
	}
	if site.owner != nil {
		p.paging = pagingOf(op, vars, site.owner, p.listPath[:len(p.listPath)-1])
	}

	return p, nil
}

// firstList walks gs, the fields of owner at prefix, depth first and in
// order, for the first list of objects; nil when there is none.
func firstList(vars map[string]any, gs []*fieldGroup, prefix []string,
	owner *fieldGroup) *listSite {
	for _, g := range gs {
		at := append(slices.Clip(prefix), g.key)
		switch {
		case g.leaf():
		case g.list():
			return edgesOrItems(vars, g, at, owner)
		default:
			if site := firstList(vars, g.children(vars), at, g); site != nil {
				return site
			}
		}
	}

	return nil
}

// edgesOrItems is the site of the list g at path: a connection's edges
// export their nodes, any other list its own items.
func edgesOrItems(vars map[string]any, g *fieldGroup, path []string,
	owner *fieldGroup) *listSite {
	if g.name() == "edges" {
		for _, c := range g.children(vars) {
			if c.name() == "node" && !c.leaf() && !c.list() {
				return &listSite{listPath: path, itemPath: []string{c.key}, item: c,
					owner: owner}
			}
		}
	}

	return &listSite{listPath: path, item: g, owner: owner}
}

// followPath finds the list that path names. Keys after the list lead
// into each item (edges.node); a path ending on an object that holds a
// list of nodes or edges (a connection) takes that list.
func followPath(vars map[string]any, root []*fieldGroup, path []string) (*listSite,
	error) {
	var site *listSite
	var g *fieldGroup
	gs := root
	for i, key := range path {
		next := groupByKey(gs, key)
		switch {
		case next == nil || next.leaf():
			return nil, fmt.Errorf("path %s: %q selects no object or list here",
				strings.Join(path, "."), key)
		case site == nil && next.list():
			site = &listSite{listPath: slices.Clone(path[:i+1]), owner: g}
		case site != nil && next.list():
			return nil, fmt.Errorf("path %s: %q is a list inside a list",
				strings.Join(path, "."), key)
		case site != nil:
			site.itemPath = append(site.itemPath, key)
		}
		g, gs = next, next.children(vars)
	}
	if site != nil {
		site.item = g
		return site, nil
	}

	return connectionList(vars, g, path)
}

// connectionList is the site of the list of nodes or edges of the object g
// at path.
func connectionList(vars map[string]any, g *fieldGroup, path []string) (*listSite,
	error) {
	for _, c := range g.children(vars) {
		if (c.name() == "nodes" || c.name() == "edges") && c.list() && !c.leaf() {
			return edgesOrItems(vars, c, append(slices.Clone(path), c.key), g), nil
		}
	}

	return nil, fmt.Errorf("path %s names an object, not a list", strings.Join(path, "."))
}

// columnsOf lists the leaves of gs in selection order, nested objects
// flattened to dotted names; underList says gs are fields of a list's
// items, inside the row's item.
func columnsOf(vars map[string]any, gs []*fieldGroup, prefix []string,
	underList bool) []column {
	var cols []column
	for _, g := range gs {
		path := append(slices.Clip(prefix), g.key)
		inList := underList || g.list()
		if !g.leaf() {
			cols = append(cols, columnsOf(vars, g.children(vars), path, inList)...)
			continue
		}
		cols = append(cols, column{name: strings.Join(path, "."), path: path,
			numeric: !inList && numericType(g)})
	}

	return cols
}

// numericType reports whether g's values are numbers a spreadsheet may sum:
// Int, Float and the Decimal strings of money. IDs stay text.
func numericType(g *fieldGroup) bool {
	d := g.fields[0].Definition
	if d == nil {
		return false
	}
	switch d.Type.Name() {
	case "Int", "Float", "Decimal":
		return true
	}

	return false
}

// pagingOf returns how to page the connection conn at connPath, or nil
// when the operation does not page it: it must declare $after as a String,
// pass it as conn's after argument, and select pageInfo's hasNextPage and
// endCursor.
func pagingOf(op *ast.OperationDefinition, vars map[string]any, conn *fieldGroup,
	connPath []string) *paging {
	v := op.VariableDefinitions.ForName("after")
	if v == nil || v.Type.Elem != nil || v.Type.NamedType != "String" {
		return nil
	}
	arg := conn.fields[0].Arguments.ForName("after")
	if arg == nil || arg.Value.Kind != ast.Variable || arg.Value.Raw != "after" {
		return nil
	}

	pg := &paging{connPath: connPath}
	for _, c := range conn.children(vars) {
		if c.name() != "pageInfo" {
			continue
		}
		pg.pageInfo = c.key
		for _, f := range c.children(vars) {
			switch f.name() {
			case "hasNextPage":
				pg.hasNext = f.key
			case "endCursor":
				pg.endCursor = f.key
			}
		}
	}
	if pg.pageInfo == "" || pg.hasNext == "" || pg.endCursor == "" {
		return nil
	}

	return pg
}

// collectFields groups the fields of sets by response key, in the order
// they first appear, through fragments and skipping what @skip or
// @include leave out. Fields under every type condition are kept: an item
// of another type leaves those columns empty.
func collectFields(vars map[string]any, sets ...ast.SelectionSet) []*fieldGroup {
	var out []*fieldGroup
	var add func(ast.SelectionSet)
	add = func(set ast.SelectionSet) {
		for _, s := range set {
			switch s := s.(type) {
			case *ast.Field:
				if !included(s.Directives, vars) {
					continue
				}
				if g := groupByKey(out, s.Alias); g != nil {
					g.fields = append(g.fields, s)
				} else {
					out = append(out, &fieldGroup{key: s.Alias, fields: []*ast.Field{s}})
				}
			case *ast.InlineFragment:
				if included(s.Directives, vars) {
					add(s.SelectionSet)
				}
			case *ast.FragmentSpread:
				if included(s.Directives, vars) && s.Definition != nil {
					add(s.Definition.SelectionSet)
				}
			}
		}
	}
	for _, set := range sets {
		add(set)
	}

	return out
}

// included evaluates @skip and @include with the operation's variables.
func included(dirs ast.DirectiveList, vars map[string]any) bool {
	if d := dirs.ForName("skip"); d != nil {
		if skip, _ := d.ArgumentMap(vars)["if"].(bool); skip {
			return false
		}
	}
	if d := dirs.ForName("include"); d != nil {
		if inc, _ := d.ArgumentMap(vars)["if"].(bool); !inc {
			return false
		}
	}

	return true
}

func groupByKey(gs []*fieldGroup, key string) *fieldGroup {
	for _, g := range gs {
		if g.key == key {
			return g
		}
	}

	return nil
}

func (g *fieldGroup) name() string { return g.fields[0].Name }

func (g *fieldGroup) leaf() bool { return len(g.fields[0].SelectionSet) == 0 }

func (g *fieldGroup) list() bool {
	d := g.fields[0].Definition
	return d != nil && d.Type.Elem != nil
}

func (g *fieldGroup) children(vars map[string]any) []*fieldGroup {
	sets := make([]ast.SelectionSet, len(g.fields))
	for i, f := range g.fields {
		sets[i] = f.SelectionSet
	}

	return collectFields(vars, sets...)
}

// rows returns the rows of one page's data: one per item of the list, its
// cells in column order. A null list or item gives no row.
func (p *exportPlan) rows(data map[string]any) [][]string {
	items, _ := dataAt(data, p.listPath).([]any)
	out := make([][]string, 0, len(items))
	for _, it := range items {
		obj, ok := dataAt(it, p.itemPath).(map[string]any)
		if !ok {
			continue
		}
		row := make([]string, len(p.cols))
		for i, c := range p.cols {
			var vals []string
			leafTexts(obj, c.path, &vals)
			row[i] = strings.Join(vals, "; ")
		}
		out = append(out, row)
	}

	return out
}

// next returns the cursor of the page after data's, and false when data's
// page is the last or the plan does not page.
func (p *exportPlan) next(data map[string]any) (string, bool, error) {
	if p.paging == nil {
		return "", false, nil
	}
	pg := p.paging
	info, _ := dataAt(data, append(slices.Clip(pg.connPath), pg.pageInfo)).(map[string]any)
	if more, _ := info[pg.hasNext].(bool); !more {
		return "", false, nil
	}
	cursor, _ := info[pg.endCursor].(string)
	if cursor == "" {
		return "", false, errors.New("hasNextPage without an endCursor")
	}

	return cursor, true, nil
}

// dataAt follows keys through nested objects; nil when one is missing.
func dataAt(v any, keys []string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}

	return v
}

// leafTexts appends the text of every value at path below v, through lists
// at any depth. Nulls add nothing.
func leafTexts(v any, path []string, out *[]string) {
	if l, ok := v.([]any); ok {
		for _, e := range l {
			leafTexts(e, path, out)
		}
		return
	}
	if len(path) > 0 {
		if m, ok := v.(map[string]any); ok {
			leafTexts(m[path[0]], path[1:], out)
		}
		return
	}

	switch x := v.(type) {
	case nil:
	case string:
		*out = append(*out, x)
	case json.Number:
		*out = append(*out, x.String())
	case bool:
		*out = append(*out, strconv.FormatBool(x))
	default:
		b, _ := json.Marshal(x)
		*out = append(*out, string(b))
	}
}

// sink writes an export's rows in one file format.
type sink interface {
	// begin starts the file with the header row of cols; name names it.
	begin(name string, cols []column) error
	// write adds one page's rows.
	write(rows [][]string) error
	// end finishes the file, or answers err, and returns what failed.
	end(err error) error
	format() string
	rowLimit() int
}

// csvSink sends rows as CSV as they come, flushing each page.
type csvSink struct {
	w    http.ResponseWriter
	out  *csv.Writer
	cols []column
}

func (s *csvSink) format() string { return "csv" }

func (s *csvSink) rowLimit() int { return MaxExportRows }

func (s *csvSink) begin(name string, cols []column) error {
	h := s.w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, name))
	s.w.WriteHeader(http.StatusOK)
	s.out, s.cols = csv.NewWriter(s.w), cols

	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.name
	}

	return s.flush(s.out.Write(header))
}

func (s *csvSink) write(rows [][]string) error {
	extendWrite(s.w)
	for _, row := range rows {
		for i, v := range row {
			row[i] = csvText(v, s.cols[i].numeric)
		}
		if err := s.out.Write(row); err != nil {
			return s.flush(err)
		}
	}

	return s.flush(nil)
}

// flush sends what is buffered to the client, returning err or what
// failed in sending. Behind a writer that cannot flush, rows still go out
// as its buffer fills.
func (s *csvSink) flush(err error) error {
	s.out.Flush()
	if err == nil {
		err = s.out.Error()
	}
	if err == nil {
		err = http.NewResponseController(s.w).Flush()
	}
	if err != nil && !errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("sending CSV rows: %w", err)
	}

	return nil
}

// end answers err with a status when nothing was sent, and otherwise
// marks the file incomplete with a last line "# export incomplete: ...".
func (s *csvSink) end(err error) error {
	switch {
	case err == nil:
	case s.out == nil:
		writeExportError(s.w, err)
	default:
		s.out.Flush()
		_, _ = io.WriteString(s.w, "# export incomplete: "+oneLine(publicReason(err))+"\n")
	}

	return err
}

// oneLine keeps a reason on one line without double quotes, so the last
// line of a cut CSV reads as it is written.
var oneLine = strings.NewReplacer("\r", " ", "\n", " ", `"`, "'").Replace

// csvText guards a spreadsheet opening the CSV: text that starts like a
// formula (=, +, -, @) and is not a number gets a leading apostrophe, so
// a value from a source cannot run as a formula.
func csvText(v string, numeric bool) string {
	if v == "" || numeric || !strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return v
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		return v
	}

	return "'" + v
}

// xlsxSink builds a workbook with excelize's StreamWriter, which keeps
// rows in a temporary file rather than in memory, and sends it once the
// last page is in: a failed export sends an error, never a partial file.
type xlsxSink struct {
	w    http.ResponseWriter
	f    *excelize.File
	sw   *excelize.StreamWriter
	cols []column
	name string
	row  int
}

func (s *xlsxSink) format() string { return "xlsx" }

// rowLimit is the rows a worksheet holds below its header.
func (s *xlsxSink) rowLimit() int { return excelize.TotalRows - 1 }

func (s *xlsxSink) begin(name string, cols []column) error {
	s.f, s.cols, s.name = excelize.NewFile(), cols, name
	if err := s.f.SetSheetName("Sheet1", "export"); err != nil {
		return fmt.Errorf("naming the sheet: %w", err)
	}
	sw, err := s.f.NewStreamWriter("export")
	if err != nil {
		return fmt.Errorf("starting the sheet: %w", err)
	}
	s.sw = sw
	bold, err := s.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fmt.Errorf("making the header style: %w", err)
	}
	err = sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2",
		ActivePane: "bottomLeft"})
	if err != nil {
		return fmt.Errorf("freezing the header: %w", err)
	}

	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = excelize.Cell{StyleID: bold, Value: c.name}
	}
	s.row = 1

	return sw.SetRow("A1", header)
}

func (s *xlsxSink) write(rows [][]string) error {
	for _, row := range rows {
		s.row++
		cell, err := excelize.CoordinatesToCellName(1, s.row)
		if err != nil {
			return err
		}
		if err := s.sw.SetRow(cell, s.values(row)); err != nil {
			return fmt.Errorf("writing row %d: %w", s.row, err)
		}
	}

	return nil
}

// values types a row's cells: a number column's value is a number when it
// converts without losing a digit (money included, so sheets can sum it),
// text otherwise; an empty value leaves the cell empty.
func (s *xlsxSink) values(row []string) []any {
	vals := make([]any, len(row))
	for i, v := range row {
		switch {
		case v == "":
		case s.cols[i].numeric:
			vals[i] = exactNumber(v)
		default:
			vals[i] = v
		}
	}

	return vals
}

// exactNumber returns v as a float64 when that keeps every digit, else v.
func exactNumber(v string) any {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || strconv.FormatFloat(f, 'f', -1, 64) != v {
		return v
	}

	return f
}

// end sends the workbook, or answers err when the export failed.
func (s *xlsxSink) end(err error) error {
	if s.f != nil {
		defer s.f.Close()
	}
	if err != nil {
		writeExportError(s.w, err)
		return err
	}
	if err := s.sw.Flush(); err != nil {
		writeExportError(s.w, err)
		return fmt.Errorf("finishing the sheet: %w", err)
	}

	h := s.w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.xlsx"`, s.name))
	s.w.WriteHeader(http.StatusOK)
	extendWrite(s.w)
	// excelize zips a workbook into a bytes.Buffer before writing it out;
	// its zip-writer hook sends the archive to the client instead, leaving
	// that buffer empty, so a large sheet is not held in memory twice.
	s.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(s.w) })
	if _, err := s.f.WriteToBuffer(); err != nil {
		return fmt.Errorf("sending the workbook: %w", err)
	}

	return nil
}
