package connectors

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"fundhub"
)

// Mapper applies one connector's mapping to rows. It is safe for concurrent
// use once built.
type Mapper struct {
	connector string
	source    string
	m         *Mapping
	regions   *fundhub.RegionIndex
}

// NewMapper returns a mapper for the connector's rows; source is the source
// system recorded as each record's provenance.
func NewMapper(connector, source string, m *Mapping, regions *fundhub.RegionIndex) *Mapper {
	return &Mapper{connector: connector, source: source, m: m, regions: regions}
}

// Apply maps a row to an item to load, to skip or to reject. A rejection
// names the connector, the record key and the field.
func (mp *Mapper) Apply(r Row) fundhub.SyncItem {
	if clean, bad := withoutNUL(r.Values); bad != "" {
		it := fundhub.SyncItem{Ref: r.Ref, Data: clean, NoReplay: true,
			Replays: r.RejectedID}
		it.Reject = mp.fail(r.Ref, bad, errors.New("the cell holds a NUL character, which "+
			"no text in the hub may hold"))
		return it
	}
	it := fundhub.SyncItem{Ref: r.Ref, Data: r.Values, Replays: r.RejectedID,
		NoReplay: r.Err != nil || len(r.Repeated) > 0}
	if skip := mp.skipReason(r); skip != "" {
		it.Skip = skip
		return it
	}

	if r.Err != nil {
		it.Reject = mp.fail(r.Ref, "record", r.Err)
		return it
	}
	id, err := mp.m.externalID(r)
	if err != nil {
		it.Reject = mp.fail(r.Ref, "key", err)
		return it
	}
	it.ExternalID = id
	if deleted, skip := mp.deleted(r); deleted {
		if skip {
			it.Skip = "deleted at the source; the mapping ignores deletions"
			return it
		}
		return mp.withdrawn(it)
	}

	ferr := mp.build(&it, r, id)
	if ferr != nil {
		it.ClearRecord()
		it.Reject = mp.fail(id, ferr.field, ferr.err)
	}

	return it
}

// build maps the row onto the entity of the mapping.
func (mp *Mapper) build(it *fundhub.SyncItem, r Row, id string) *fieldError {
	var ferr *fieldError
	switch mp.m.Entity {
	case "allocation":
		it.Allocation, ferr = mp.allocation(r, id)
	case "target":
		it.Target, ferr = mp.target(r, id)
	case "payment":
		it.Payment, ferr = mp.payment(r, id)
	case "project":
		it.Project, ferr = mp.project(r, id)
	case "fund":
		it.Fund, ferr = mp.fund(r, id)
	case "report_line":
		it.ReportLine, ferr = mp.reportLine(r, id)
	}

	return ferr
}

// deleted reports whether the source marks the row deleted, and whether the
// mapping then ignores it.
func (mp *Mapper) deleted(r Row) (deleted, ignore bool) {
	d := mp.m.Deleted
	if d == nil {
		return false, false
	}
	v := strings.TrimSpace(r.Values[NormalizeText(d.Column)])
	for _, want := range d.Values {
		if v == want {
			return true, d.Action == "ignore"
		}
	}

	return false, false
}

// withdrawn is the item that withdraws the record of the row's key: only
// the key is needed, since a deleted record's other fields may be empty.
func (mp *Mapper) withdrawn(it fundhub.SyncItem) fundhub.SyncItem {
	src, id := mp.source, it.ExternalID
	switch mp.m.Entity {
	case "allocation":
		it.Allocation = &fundhub.AllocationRecord{SourceSystem: src, ExternalID: id,
			Withdrawn: true}
	case "target":
		it.Target = &fundhub.TargetRecord{SourceSystem: src, ExternalID: id, Withdrawn: true}
	case "payment":
		it.Payment = &fundhub.PaymentRecord{SourceSystem: src, ExternalID: id, Withdrawn: true}
	case "project":
		it.Project = &fundhub.ProjectRecord{SourceSystem: src, ExternalID: id, Withdrawn: true}
	case "fund":
		it.Fund = &fundhub.FundRecord{SourceSystem: src, ExternalID: id, Withdrawn: true}
	case "report_line":
		it.ReportLine = &fundhub.ReportLineRecord{SourceSystem: src, ExternalID: id,
			Withdrawn: true}
	}

	return it
}

func (mp *Mapper) skipReason(r Row) string {
	if c := mp.m.TotalColumn; c != "" {
		label := strings.TrimSpace(r.Values[NormalizeText(c)])
		if fundhub.IsTotalLabel(label) {
			return "total row: " + label
		}
	}
	for _, c := range mp.m.SkipEmpty {
		if strings.TrimSpace(r.Values[NormalizeText(c)]) == "" {
			return "no figure in " + c
		}
	}

	return ""
}

func (mp *Mapper) fail(key, field string, err error) *fundhub.Error {
	msg := fmt.Sprintf("connector %s, record %s, field %s: %v", mp.connector, key, field, err)
	var fe *fundhub.Error
	if errors.As(err, &fe) {
		msg = fmt.Sprintf("connector %s, record %s, field %s: %s", mp.connector, key,
			field, fe.Message)
	}

	return &fundhub.Error{Code: fundhub.EINVALID, Field: field, Message: msg}
}

// fieldError is a mapping failure on one field.
type fieldError struct {
	field string
	err   error
}

// reader reads the fields of one row, remembering the first failure so the
// entity builders read as a list of fields.
type reader struct {
	mp  *Mapper
	row Row
	err *fieldError
	// negative allows negative amounts (refunds of payments).
	negative bool
}

func (rd *reader) fail(field string, err error) {
	if rd.err == nil {
		rd.err = &fieldError{field: field, err: err}
	}
}

// text returns the field's value after Const, Map, Match and Default.
func (rd *reader) text(field string) string {
	f, ok := rd.mp.m.Fields[field]
	if !ok {
		return ""
	}
	v := f.Const
	if f.Column != "" {
		v = strings.TrimSpace(rd.row.Values[NormalizeText(f.Column)])
	}

	return translate(f, v)
}

func translate(f Field, v string) string {
	if m, ok := f.Map[v]; ok {
		return m
	}
	for _, r := range f.Match {
		if r.Contains != "" && strings.Contains(v, r.Contains) {
			return r.Value
		}
	}
	switch {
	case v == "":
		return f.Default
	case (len(f.Map) > 0 || len(f.Match) > 0) && f.Otherwise != "":
		return f.Otherwise
	}

	return v
}

func (rd *reader) required(field string) string {
	v := rd.text(field)
	if v == "" {
		rd.fail(field, errors.New("value is empty"))
	}

	return v
}

func (rd *reader) year(field string) int {
	v := rd.required(field)
	y, err := strconv.Atoi(v)
	if v != "" && (err != nil || y < 1949 || y > 2200) {
		rd.fail(field, fmt.Errorf("%q is not a year", v))
	}

	return y
}

func (rd *reader) amount(field string) decimal.Decimal {
	v := rd.required(field)
	if v == "" {
		return decimal.Zero
	}
	f := rd.mp.m.Fields[field]
	if f.Column != "" && rd.row.Repeated[NormalizeText(f.Column)] {
		rd.fail(field, errors.New("the amount cell is merged with the rows above it, "+
			"so it cannot be told which row the amount belongs to"))
		return decimal.Zero
	}
	unit := f.Unit
	if unit == "" {
		unit = "yuan"
	}
	d, err := ParseAmount(v, unit)
	switch {
	case err != nil:
		rd.fail(field, err)
	case !d.Equal(d.Round(2)):
		rd.fail(field, fmt.Errorf("%s yuan is finer than a fen (0.01 yuan)", d))
	case d.IsNegative() && !rd.negative:
		rd.fail(field, fmt.Errorf("%s yuan: this amount cannot be negative", d))
	}

	return d
}

func (rd *reader) region(field string) string {
	v := rd.required(field)
	if v == "" {
		return ""
	}
	reg, err := rd.mp.regions.Resolve(v)
	if err != nil {
		rd.fail(field, err)
		return ""
	}

	return reg.Code
}

// withoutNUL returns values unchanged when no cell holds a NUL character;
// otherwise a copy with each NUL replaced by U+FFFD, so the row can still be
// kept, and the column of the first such cell.
func withoutNUL(values map[string]string) (map[string]string, string) {
	bad := ""
	for k, v := range values {
		if strings.IndexByte(v, 0) >= 0 && (bad == "" || k < bad) {
			bad = k
		}
	}
	if bad == "" {
		return values, ""
	}

	clean := make(map[string]string, len(values))
	for k, v := range values {
		clean[k] = strings.ReplaceAll(v, "\x00", "\uFFFD")
	}

	return clean, bad
}
