// Package connectors holds what every kind of source connector shares: the
// Row that a reader yields, and the parsers that a mapping applies to the
// text of its cells. The readers themselves live in the subpackages, one per
// kind of source (file/ for CSV and XLSX folders).
package connectors

// Row is one data row of a source, as the text of its cells. A reader yields
// it; a mapping turns it into domain values with ParseAmount, ParseDate and
// its own rules.
type Row struct {
	// Ref locates the row for error messages: the file name relative to the
	// source folder, then "!Sheet" for a workbook, then ":" and the 1-based
	// row number, e.g. "demo.xlsx!Sheet1:7" or "alloc.csv:12".
	Ref string

	// Values holds the cell texts of the row keyed by column name, the name
	// being the header text folded by NormalizeText. One column may appear
	// under several keys (a two-row header gives "top/bottom" and often the
	// bottom text alone). Every header column has a key, with "" for a
	// cell the row lacks. The texts are verbatim: parse them, do not compare
	// them.
	Values map[string]string

	// Repeated names the keys of Values whose text was copied from a
	// merged range that started on a row above: the cell is part of one
	// merged cell spanning several rows. A label (a region merged down its
	// projects) may be read from such a cell; an amount may not, since it
	// belongs to one row and would be counted once per row.
	Repeated map[string]bool

	// Err is set when the source could read the record but not make a row
	// of it (a list element that is not an object, a value of the wrong
	// JSON type): the row is rejected with this reason and the rest lands.
	Err error

	// RejectedID is set when the row is a stored rejected row read again
	// for reprocessing.
	RejectedID int64
}

// Page is rows a source read together, with the cursor that marks the end of
// them. The cursor is stored in the transaction that commits the page's last
// rows, never before. An empty Cursor means the source keeps none (a folder
// of files is read whole on every run).
type Page struct {
	Rows   []Row
	Cursor string
}
