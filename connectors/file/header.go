package file

import (
	"fmt"
	"slices"
	"strings"

	"fundhub/connectors"
)

// header names the columns of a table. It covers the rows top to last.
type header struct {
	top, last int
	names     []string // the column names, leftmost column first
	cols      []int    // the 0-based column of each name
}

// findHeader finds the header of t holding columns; headerRow, when not 0,
// is the number of its last row.
func findHeader(t *table, columns []string, headerRow int) (header, error) {
	var h header
	var err error
	if headerRow > 0 {
		h, err = fixedHeader(t, columns, headerRow)
	} else {
		h, err = detectHeader(t, columns)
	}

	if err != nil {
		return header{}, err
	}

	for _, column := range columns {
		h.alias(column)
	}

	return h, nil
}

// fixedHeader returns the header ending at the row numbered headerRow.
func fixedHeader(t *table, columns []string, headerRow int) (header, error) {
	r := slices.Index(t.nums, headerRow)
	if r < 0 {
		return header{}, fmt.Errorf("%w: no row %d", ErrNoHeader, headerRow)
	}

	h, missing := headerEndingAt(t, r, columns)
	if len(missing) > 0 {
		return header{}, fmt.Errorf("%w: header row %d lacks columns %s",
			ErrNoHeader, headerRow, quoteAll(missing))
	}

	return h, nil
}

// detectHeader returns the first header among the top rows of t that holds
// all columns or, when there are none, whose last row has two different
// texts.
func detectHeader(t *table, columns []string) (header, error) {
	closest, closestMissing := -1, columns
	for r := range min(len(t.rows), headerScanRows) {
		if t.linked(r, r+1) {
			continue
		}

		if len(columns) == 0 && distinctTexts(t.rows[r]) < 2 {
			continue
		}

		h, missing := headerEndingAt(t, r, columns)
		if len(missing) == 0 {
			return h, nil
		}

		if len(missing) < len(closestMissing) {
			closest, closestMissing = r, missing
		}
	}

	return header{}, noHeaderError(t, columns, closest, closestMissing)
}

// noHeaderError says why detectHeader found no header.
func noHeaderError(t *table, columns []string, closest int, missing []string) error {
	scanned := min(len(t.rows), headerScanRows)

	switch {
	case len(t.rows) == 0:
		return fmt.Errorf("%w: the file has no rows", ErrNoHeader)
	case len(columns) == 0:
		return fmt.Errorf("%w: none of the first %d rows has two filled cells",
			ErrNoHeader, scanned)
	case closest < 0:
		return fmt.Errorf("%w: none of the first %d rows has columns %s",
			ErrNoHeader, scanned, quoteAll(missing))
	}

	return fmt.Errorf("%w: none of the first %d rows has all columns; row %d comes "+
		"closest, lacking %s", ErrNoHeader, scanned, t.nums[closest], quoteAll(missing))
}

// headerEndingAt returns the header whose last row is r, and which of
// columns it lacks. The header is two rows when t links row r to the one
// above, or when only the two rows together hold all columns.
func headerEndingAt(t *table, r int, columns []string) (header, []string) {
	if t.linked(r-1, r) {
		h := pairHeader(t, r-1, r)

		return h, h.missing(columns)
	}

	h := singleHeader(t, r)
	missing := h.missing(columns)
	if len(missing) == 0 || r == 0 {
		return h, missing
	}

	if pair := pairHeader(t, r-1, r); len(pair.missing(columns)) == 0 {
		return pair, nil
	}

	return h, missing
}

// singleHeader names each column by its text in row r.
func singleHeader(t *table, r int) header {
	h := header{top: r, last: r}
	for c, text := range t.rows[r] {
		h.add(connectors.NormalizeText(text), c)
	}

	return h
}

// pairHeader names each column by its texts in rows top and bottom.
func pairHeader(t *table, top, bottom int) header {
	width := max(len(t.rows[top]), len(t.rows[bottom]))
	uppers := normalizedRow(t.rows[top], width)
	lowers := normalizedRow(t.rows[bottom], width)
	upperCount, lowerCount := countTexts(uppers), countTexts(lowers)

	h := header{top: top, last: bottom}
	for c := range width {
		upper, lower := uppers[c], lowers[c]
		for _, name := range pairNames(upper, lower, upperCount[upper], lowerCount[lower]) {
			h.add(name, c)
		}
	}

	return h
}

// pairNames returns the names of a column of a two-row header whose texts
// are upper and lower, the counts saying how many columns share each text in
// its own row.
func pairNames(upper, lower string, upperCount, lowerCount int) []string {
	switch {
	case upper == lower || lower == "":
		return []string{upper}
	case upper == "":
		return []string{lower}
	}

	names := []string{upper + "/" + lower}
	if lowerCount == 1 {
		names = append(names, lower)
	}

	if upperCount == 1 {
		names = append(names, upper)
	}

	return names
}

// add names column c name, unless name is blank or names another column.
func (h *header) add(name string, c int) {
	if name == "" || slices.Contains(h.names, name) {
		return
	}

	h.names = append(h.names, name)
	h.cols = append(h.cols, c)
}

// alias adds column, as the caller spells it, as a name of the column its
// normalized form names.
func (h *header) alias(column string) {
	i := slices.Index(h.names, connectors.NormalizeText(column))
	if i >= 0 {
		h.add(column, h.cols[i])
	}
}

// missing returns the columns that h has no name for.
func (h header) missing(columns []string) []string {
	var missing []string
	for _, column := range columns {
		if !slices.Contains(h.names, connectors.NormalizeText(column)) {
			missing = append(missing, column)
		}
	}

	return missing
}

// values returns the cells of a data row keyed by every name of h.
func (h header) values(row []string) map[string]string {
	values := make(map[string]string, len(h.names))
	for i, name := range h.names {
		values[name] = cellAt(row, h.cols[i])
	}

	return values
}

// repeated returns the names of the columns whose cell in row r of t was
// copied from a merged range starting on a row above, or nil when none was.
func (h header) repeated(t *table, r int) map[string]bool {
	var out map[string]bool
	for i, name := range h.names {
		if !t.spread[[2]int{r, h.cols[i]}] {
			continue
		}
		if out == nil {
			out = map[string]bool{}
		}
		out[name] = true
	}

	return out
}

// linked reports whether rows r1 and r2 of t, one below the other, are one
// header: a merged range covers both, or a range merged across row r1 heads
// cells of row r2.
func (t *table) linked(r1, r2 int) bool {
	if r1 < 0 || r2 >= len(t.rows) {
		return false
	}

	for _, s := range t.merges {
		if s.top <= r1 && s.bottom >= r2 {
			return true
		}

		if s.top == r1 && s.bottom == r1 && s.right > s.left && t.heads(s, r2) {
			return true
		}
	}

	return false
}

// heads reports whether the range s, merged across one row, heads a group in
// row r: r has at least two filled cells under s and one beside it. A title
// merged across the whole table heads no group.
func (t *table) heads(s span, r int) bool {
	under, beside := 0, 0
	for c, text := range t.rows[r] {
		switch {
		case strings.TrimSpace(text) == "":
		case c >= s.left && c <= s.right:
			under++
		default:
			beside++
		}
	}

	return under >= 2 && beside >= 1
}

// normalizedRow returns the texts of row folded by connectors.NormalizeText,
// padded with "" to width.
func normalizedRow(row []string, width int) []string {
	texts := make([]string, width)
	for c := range width {
		texts[c] = connectors.NormalizeText(cellAt(row, c))
	}

	return texts
}

// countTexts counts the columns that have each text.
func countTexts(texts []string) map[string]int {
	counts := make(map[string]int, len(texts))
	for _, text := range texts {
		counts[text]++
	}

	return counts
}

// distinctTexts counts the different non-blank texts of row.
func distinctTexts(row []string) int {
	seen := map[string]bool{}
	for _, cell := range row {
		if text := connectors.NormalizeText(cell); text != "" {
			seen[text] = true
		}
	}

	return len(seen)
}

// quoteAll quotes each name and joins them with commas.
func quoteAll(names []string) string {
	quoted := make([]string, len(names))
	for i, name := range names {
		quoted[i] = fmt.Sprintf("%q", name)
	}

	return strings.Join(quoted, ", ")
}
