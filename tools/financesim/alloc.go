package financesim

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"fundhub/tools/simdata"
)

// allocationsCSV is a copy of demo/funds/allocations.csv; see
// testdata/README.md.
//
//go:embed testdata/allocations.csv
var allocationsCSV []byte

// Allocation is one published central allocation to a province-level
// budget unit (a province or a 计划单列市), which the sim breaks down.
type Allocation struct {
	Fund       string
	Year       int
	DocumentNo string
	Province   string
	RegionCode string
	Amount     simdata.Money
}

// EmbeddedAllocations returns the published allocations the package embeds.
func EmbeddedAllocations() ([]Allocation, error) {
	return ParseAllocations(bytes.NewReader(allocationsCSV))
}

// ParseAllocations reads allocations in the columns of
// demo/funds/allocations.csv: fund, year, document_no, province,
// province_code and amount_wan_yuan (in 万元). Errors name the line.
func ParseAllocations(r io.Reader) ([]Allocation, error) {
	cr := csv.NewReader(r)
	recs, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("reading allocations: %w", err)
	}
	if len(recs) < 2 {
		return nil, fmt.Errorf("reading allocations: no rows")
	}

	cols, err := columnIndex(recs[0], "fund", "year", "document_no", "province",
		"province_code", "amount_wan_yuan")
	if err != nil {
		return nil, fmt.Errorf("reading allocations: %w", err)
	}

	out := make([]Allocation, 0, len(recs)-1)
	for i, rec := range recs[1:] {
		a, err := allocationRow(rec, cols)
		if err != nil {
			return nil, fmt.Errorf("allocations line %d: %w", i+2, err)
		}
		out = append(out, a)
	}

	return out, nil
}

func allocationRow(rec []string, cols map[string]int) (Allocation, error) {
	get := func(c string) string { return strings.TrimSpace(rec[cols[c]]) }
	year, err := strconv.Atoi(get("year"))
	if err != nil {
		return Allocation{}, fmt.Errorf("bad year %q", get("year"))
	}

	amount, err := simdata.ParseWan(get("amount_wan_yuan"))
	if err != nil {
		return Allocation{}, err
	}
	if amount <= 0 {
		return Allocation{}, fmt.Errorf("amount %s is not positive", amount)
	}

	return Allocation{
		Fund: get("fund"), Year: year, DocumentNo: get("document_no"),
		Province: get("province"), RegionCode: get("province_code"), Amount: amount,
	}, nil
}

// columnIndex maps header names to positions, failing when one is missing.
func columnIndex(header []string, required ...string) (map[string]int, error) {
	cols := make(map[string]int, len(header))
	for i, h := range header {
		cols[strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF"))] = i
	}

	for _, c := range required {
		if _, ok := cols[c]; !ok {
			return nil, fmt.Errorf("missing column %q", c)
		}
	}

	return cols, nil
}
