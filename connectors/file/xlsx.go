package file

import (
	"errors"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// loadXLSX reads a sheet of the workbook at path, which Ref calls name: the
// stored values of its cells, not their formatted text, with every cell of a
// merged range holding the range's value.
func loadXLSX(path, name, sheet string) (t *table, err error) {
	book, err := excelize.OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, book.Close()) }()

	sheet, err = pickSheet(book, sheet)
	if err != nil {
		return nil, err
	}

	rows, err := sheetRows(book, sheet)
	if err != nil {
		return nil, fmt.Errorf("sheet %s: %w", sheet, err)
	}

	merges, err := mergedSpans(book, sheet)
	if err != nil {
		return nil, fmt.Errorf("sheet %s: %w", sheet, err)
	}

	t = &table{ref: name + "!" + sheet, rows: rows, merges: merges}
	for i := range rows {
		t.nums = append(t.nums, i+1)
	}
	fillMerges(t)

	return t, nil
}

// pickSheet returns the name of the sheet want, matched regardless of case,
// or of the first sheet when want is "".
func pickSheet(book *excelize.File, want string) (string, error) {
	sheets := book.GetSheetList()
	if len(sheets) == 0 {
		return "", errors.New("the workbook has no sheets")
	}

	if want == "" {
		return sheets[0], nil
	}

	for _, sheet := range sheets {
		if strings.EqualFold(sheet, want) {
			return sheet, nil
		}
	}

	return "", fmt.Errorf("no sheet %q; the workbook has %q", want, sheets)
}

// sheetRows returns the stored cell values of a sheet, row i of the slice
// being row i+1 of the sheet.
func sheetRows(book *excelize.File, sheet string) (rows [][]string, err error) {
	iter, err := book.Rows(sheet)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, iter.Close()) }()

	for iter.Next() {
		row, err := iter.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, err
		}

		rows = append(rows, row)
	}

	return rows, iter.Error()
}

// mergedSpans returns the merged ranges of a sheet.
func mergedSpans(book *excelize.File, sheet string) ([]span, error) {
	cells, err := book.GetMergeCells(sheet, true)
	if err != nil {
		return nil, err
	}

	spans := make([]span, 0, len(cells))
	for _, cell := range cells {
		s, err := parseRange(cell[0])
		if err != nil {
			return nil, err
		}

		spans = append(spans, s)
	}

	return spans, nil
}

// parseRange reads a range reference such as "A3:C3" or "B2".
func parseRange(ref string) (span, error) {
	first, last, found := strings.Cut(ref, ":")
	if !found {
		last = first
	}

	left, top, err := excelize.CellNameToCoordinates(first)
	if err != nil {
		return span{}, fmt.Errorf("merged range %q: %w", ref, err)
	}

	right, bottom, err := excelize.CellNameToCoordinates(last)
	if err != nil {
		return span{}, fmt.Errorf("merged range %q: %w", ref, err)
	}

	return span{
		top:    min(top, bottom) - 1,
		left:   min(left, right) - 1,
		bottom: max(top, bottom) - 1,
		right:  max(left, right) - 1,
	}, nil
}

// fillMerges copies the value of each merged range's first cell into its
// other cells, within the rows and columns the sheet uses.
func fillMerges(t *table) {
	width := 0
	for _, row := range t.rows {
		width = max(width, len(row))
	}

	for _, s := range t.merges {
		if s.top >= len(t.rows) || s.left >= width {
			continue
		}

		value := cellAt(t.rows[s.top], s.left)
		for r := s.top; r <= min(s.bottom, len(t.rows)-1); r++ {
			for c := s.left; c <= min(s.right, width-1); c++ {
				t.rows[r] = setCell(t.rows[r], c, value)
				if r > s.top {
					t.markSpread(r, c)
				}
			}
		}
	}
}

// markSpread records that cell (r, c) holds a copy from a row above.
func (t *table) markSpread(r, c int) {
	if t.spread == nil {
		t.spread = map[[2]int]bool{}
	}
	t.spread[[2]int{r, c}] = true
}

// setCell sets the cell of row in column c, lengthening row as needed.
func setCell(row []string, c int, value string) []string {
	for len(row) <= c {
		row = append(row, "")
	}

	row[c] = value

	return row
}
