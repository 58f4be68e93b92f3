// Package file reads the rows of the CSV and XLSX files in a folder, as
// government departments publish them: legacy Chinese encodings, title rows
// above the header, and two-row headers built from merged cells.
//
// # Headers
//
// The header is found among the top 20 rows (see Options.Columns), and may
// span two rows. Two rows of a workbook belong to one header when a merged
// range covers both (地区 merged down rows 3 and 4), or when a range merged
// across the upper row heads at least two filled cells of the lower one
// (已经下达 over 小计, 三区三州补助 and 其他深度贫困地区补助) and the lower row
// has a filled cell beside it. Such a header ends at its lower row.
//
// A column of a two-row header is named by its two texts, after
// connectors.NormalizeText: the text alone when both are the same (a vertical
// merge) or one is blank; else "top/bottom" (已经下达/三区三州补助), and also
// the bottom text alone when no other column has it below, and the top text
// alone when no other column has it above. When two columns would get the
// same name, the leftmost keeps it.
//
// A CSV file has no merged cells, so its header is one row, unless that row
// lacks a needed column that the pair of it and the row above holds; its
// blank upper cells are not spread to the right as a merge would be.
package file

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"fundhub/connectors"
)

// The encodings of Options.Encoding.
const (
	// EncodingAuto reads a file with a UTF-8 byte order mark or one that is
	// valid UTF-8 as UTF-8, and any other as GB18030.
	EncodingAuto = "auto"
	// EncodingUTF8 reads UTF-8, with or without a byte order mark, and
	// rejects a file that is not valid UTF-8.
	EncodingUTF8 = "utf-8"
	// EncodingGB18030 reads GB18030, which includes GBK and GB2312.
	EncodingGB18030 = "gb18030"
)

// encodingNames maps the spellings Options.Encoding accepts to an encoding.
var encodingNames = map[string]string{
	"":        EncodingAuto,
	"auto":    EncodingAuto,
	"utf-8":   EncodingUTF8,
	"utf8":    EncodingUTF8,
	"gb18030": EncodingGB18030,
	"gbk":     EncodingGB18030,
	"gb2312":  EncodingGB18030,
}

// headerScanRows is how many rows from the top of a file may hold the header.
const headerScanRows = 20

// ErrNoHeader is wrapped by the error Read returns for a file in which no
// header row holds all of Options.Columns, or whose Options.HeaderRow lacks
// one of them. The message names the file and the missing columns.
var ErrNoHeader = errors.New("header not found")

// ErrNoFiles is returned, wrapped, when no file of the folder matches.
var ErrNoFiles = errors.New("no matching file")

// Options of a file source.
type Options struct {
	// Dir is the folder to read. It must exist.
	Dir string

	// Patterns are glob patterns relative to Dir, as path.Match reads them
	// with "/" between folders; default {"*.csv", "*.xlsx"}. The files
	// matching any of them are read once each, in order of their names
	// relative to Dir. Excel lock files (~$name.xlsx) and folders are left
	// out. A name ending in .csv is read as CSV, in .xlsx or .xlsm as a
	// workbook; any other is an error.
	Patterns []string

	// Sheet is the name of the XLSX sheet to read, matched regardless of
	// case; "" reads the first sheet.
	Sheet string

	// Encoding is the text encoding of CSV files: "auto" (the default),
	// "utf-8" or "gb18030"; see EncodingAuto. "utf8", "gbk" and "gb2312"
	// are accepted too.
	Encoding string

	// Columns are the column names the mapping needs. The header row is the
	// first of the top 20 rows holding all of them, compared after
	// connectors.NormalizeText. Empty: the first row with two different
	// non-empty cells.
	Columns []string

	// HeaderRow is the 1-based number of the last header row, numbered as
	// Ref numbers rows; 0 detects it from Columns.
	HeaderRow int
}

// defaultPatterns are the Patterns of Options that name none.
var defaultPatterns = []string{"*.csv", "*.xlsx"}

// Read calls fn for every data row of every matching file, in order: the
// rows below the header, less those whose cells are all blank. It stops and
// returns fn's error as it is, returns ctx's error once ctx is done, and
// wraps the errors of reading a file with the file's name.
//
// A row's Values has a key for each column of the header, and also each name
// of Columns as spelled there. In a workbook, every cell of a merged range
// holds the range's value, data rows included: a region merged down several
// rows repeats on each of them. Such copies are named in Row.Repeated, so a
// mapping can refuse an amount merged down rows instead of counting it once
// per row. Finding no
// matching file is an error (ErrNoFiles): a folder emptied by mistake must
// not pass for a source with nothing to say.
func Read(ctx context.Context, o Options, fn func(connectors.Row) error) error {
	o, err := o.normalize()
	if err != nil {
		return err
	}

	names, err := matchFiles(o)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return fmt.Errorf("%w: none of %v in %s", ErrNoFiles, o.Patterns, filepath.Base(o.Dir))
	}

	for _, name := range names {
		if err := readFile(ctx, o, name, fn); err != nil {
			return err
		}
	}

	return nil
}

// normalize checks o and fills in its defaults.
func (o Options) normalize() (Options, error) {
	if o.Dir == "" {
		return o, errors.New("file options: no Dir to read")
	}

	encoding, ok := encodingNames[strings.ToLower(strings.TrimSpace(o.Encoding))]
	if !ok {
		return o, fmt.Errorf("file options: encoding %q unknown, want auto, utf-8 or gb18030",
			o.Encoding)
	}

	if o.HeaderRow < 0 {
		return o, fmt.Errorf("file options: header row %d is negative", o.HeaderRow)
	}

	for _, column := range o.Columns {
		if connectors.NormalizeText(column) == "" {
			return o, errors.New("file options: a blank name in Columns")
		}
	}

	o.Encoding = encoding
	if len(o.Patterns) == 0 {
		o.Patterns = defaultPatterns
	}

	return o, nil
}

// matchFiles returns the names, relative to o.Dir and in order, of the files
// to read.
func matchFiles(o Options) ([]string, error) {
	info, err := os.Stat(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("reading folder: %w", err)
	}

	if !info.IsDir() {
		return nil, fmt.Errorf("reading folder: %s is not a folder", o.Dir)
	}

	folder := os.DirFS(o.Dir)
	names := map[string]bool{}
	for _, pattern := range o.Patterns {
		matches, err := fs.Glob(folder, pattern)
		if err != nil {
			return nil, fmt.Errorf("file pattern %q: %w", pattern, err)
		}

		for _, name := range matches {
			if isDataFile(folder, name) {
				names[name] = true
			}
		}
	}

	return slices.Sorted(maps.Keys(names)), nil
}

// isDataFile reports whether name is a regular file that is not an Excel
// lock file.
func isDataFile(folder fs.FS, name string) bool {
	if strings.HasPrefix(path.Base(name), "~$") {
		return false
	}

	info, err := fs.Stat(folder, name)

	return err == nil && info.Mode().IsRegular()
}

// readFile calls fn for every data row of the file name.
func readFile(ctx context.Context, o Options, name string, fn func(connectors.Row) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}

	t, err := loadTable(o, name)
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}

	h, err := findHeader(t, o.Columns, o.HeaderRow)
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}

	return emitRows(ctx, t, h, fn)
}

// loadTable reads the cells of the file name, as its extension says.
func loadTable(o Options, name string) (*table, error) {
	file := filepath.Join(o.Dir, filepath.FromSlash(name))

	switch ext := strings.ToLower(path.Ext(name)); ext {
	case ".csv":
		return loadCSV(file, name, o.Encoding)
	case ".xlsx", ".xlsm":
		return loadXLSX(file, name, o.Sheet)
	default:
		return nil, fmt.Errorf("unsupported file type %q, want .csv or .xlsx", ext)
	}
}

// emitRows calls fn for every non-blank row of t below its header.
func emitRows(ctx context.Context, t *table, h header, fn func(connectors.Row) error) error {
	for i := h.last + 1; i < len(t.rows); i++ {
		if err := ctx.Err(); err != nil {
			return err
		}

		if isBlank(t.rows[i]) {
			continue
		}

		row := connectors.Row{
			Ref:      fmt.Sprintf("%s:%d", t.ref, t.nums[i]),
			Values:   h.values(t.rows[i]),
			Repeated: h.repeated(t, i),
		}
		if err := fn(row); err != nil {
			return err
		}
	}

	return nil
}

// table is the cells of one CSV file or one sheet, row by row.
type table struct {
	ref    string     // how Ref names the file or sheet: "a.csv", "b.xlsx!Sheet1"
	rows   [][]string // the cells of each row; a row may be shorter than others
	nums   []int      // the 1-based number of each row in the file
	merges []span     // the merged ranges of a sheet
	// spread marks the cells (row, column) filled from a merged range
	// that starts on a row above them.
	spread map[[2]int]bool
}

// span is a merged range of cells, by 0-based row and column, inclusive.
type span struct {
	top, left, bottom, right int
}

// cellAt returns the cell of row in column c, "" past the end of the row.
func cellAt(row []string, c int) string {
	if c < len(row) {
		return row[c]
	}

	return ""
}

// isBlank reports whether every cell of row is empty or spaces.
func isBlank(row []string) bool {
	for _, cell := range row {
		if strings.TrimSpace(cell) != "" {
			return false
		}
	}

	return true
}
