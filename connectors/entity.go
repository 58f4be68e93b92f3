package connectors

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"fundhub"
)

// fundRef reads the fund of a row. A central fund belongs to the nation; a
// local or social fund to the region named by fund_owner, or else to
// localRegion (the issuing region of an allocation, the region of a target).
func (mp *Mapper) fundRef(rd *reader, localRegion string) fundhub.FundRef {
	ref := fundhub.FundRef{
		Name:      rd.required("fund"),
		Year:      rd.year("year"),
		Code:      rd.text("fund_code"),
		Category:  fundhub.FundCategory(rd.required("category")),
		Direction: fundhub.Direction(rd.required("direction")),
	}
	if ref.Category != "" && !ref.Category.Valid() {
		rd.fail("category", fmt.Errorf("unknown fund category %q", ref.Category))
	}

	switch {
	case ref.Category == fundhub.CategoryCentral:
		ref.OwnerRegion = fundhub.NationalCode
	case rd.text("fund_owner") != "":
		ref.OwnerRegion = rd.region("fund_owner")
	default:
		ref.OwnerRegion = localRegion
	}
	if ref.Category == fundhub.CategoryLocal && ref.OwnerRegion == fundhub.NationalCode {
		rd.fail("fund_owner", errors.New("a LOCAL fund belongs to a province, city or "+
			"county budget, not the nation"))
	}

	return ref
}

func (mp *Mapper) allocation(r Row, id string) (*fundhub.AllocationRecord, *fieldError) {
	rd := &reader{mp: mp, row: r}
	from := rd.region("from_region")
	rec := &fundhub.AllocationRecord{
		SourceSystem: mp.source,
		ExternalID:   id,
		Fund:         mp.fundRef(rd, from),
		FromRegion:   from,
		ToRegion:     rd.region("to_region"),
		Amount:       rd.amount("amount"),
		Source:       fundhub.FundSource(rd.required("source")),
		DocumentNo:   rd.text("document_no"),
	}
	if rec.Source != "" && !rec.Source.Valid() {
		rd.fail("source", fmt.Errorf("unknown fund source %q", rec.Source))
	}
	if rec.FromRegion != "" && rec.ToRegion != "" &&
		!mp.regions.IsAncestor(rec.FromRegion, rec.ToRegion) {
		rd.fail("to_region", fmt.Errorf("money moves down the hierarchy: %s is not "+
			"below %s", rec.ToRegion, rec.FromRegion))
	}
	if v := rd.text("issued_on"); v != "" {
		d, err := ParseDate(v)
		if err != nil {
			rd.fail("issued_on", err)
		}
		rec.IssuedOn = &d
	}

	return rec, rd.err
}

func (mp *Mapper) target(r Row, id string) (*fundhub.TargetRecord, *fieldError) {
	rd := &reader{mp: mp, row: r}
	region := rd.region("region")
	rec := &fundhub.TargetRecord{
		SourceSystem: mp.source,
		ExternalID:   id,
		Fund:         mp.fundRef(rd, region),
		RegionCode:   region,
		Level1:       rd.text("level1"),
		Level2:       rd.text("level2"),
		Indicator:    rd.required("indicator"),
		Unit:         rd.text("unit"),
	}
	rec.Comparator, rec.TargetValue, rec.TargetText = ParseTarget(rd.text("target"))
	rec.ProjectCode = rd.text("project_code")

	return rec, rd.err
}

// comparators are the signs published targets carry before their value.
var comparators = []struct{ text, op string }{
	{"≥", ">="}, {">=", ">="}, {"≤", "<="}, {"<=", "<="},
	{">", ">"}, {"<", "<"}, {"约", "~"}, {"=", "="},
}

// ParseTarget reads a published target value such as "≥85", "约550",
// "1.4" or "定性". It returns the comparator ("" for a plain number), the
// value when there is a number, and the published text when the value is not
// a plain number, so nothing published is lost.
func ParseTarget(s string) (string, *decimal.Decimal, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil, ""
	}

	op, body := "", s
	for _, c := range comparators {
		if strings.HasPrefix(s, c.text) {
			op, body = c.op, strings.TrimSpace(strings.TrimPrefix(s, c.text))
			break
		}
	}
	d, err := decimal.NewFromString(body)
	if err != nil {
		return "", nil, s
	}
	if op == "" {
		return "=", &d, ""
	}

	return op, &d, s
}
