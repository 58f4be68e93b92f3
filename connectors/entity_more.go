package connectors

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"fundhub"
)

func (mp *Mapper) payment(r Row, id string) (*fundhub.PaymentRecord, *fieldError) {
	rd := &reader{mp: mp, row: r, negative: true}
	rec := &fundhub.PaymentRecord{
		SourceSystem:     mp.source,
		ExternalID:       id,
		AllocationSource: mp.m.AllocationSource,
		AllocationRef:    rd.text("allocation_ref"),
		ProjectCode:      rd.text("project_code"),
		Source:           fundhub.FundSource(rd.text("source")),
		Amount:           rd.amount("amount"),
		Reverses:         rd.text("reverses"),
	}
	if rd.text("region") != "" {
		rec.RegionCode = rd.region("region")
	}
	if rec.RegionCode == "" && rec.AllocationRef == "" {
		rd.fail("region", errors.New("a payment needs its region or its allocation"))
	}
	if rec.Source != "" && !rec.Source.Valid() {
		rd.fail("source", fmt.Errorf("unknown fund source %q", rec.Source))
	}
	rec.PaidOn = rd.date("paid_on", true)

	return rec, rd.err
}

func (mp *Mapper) project(r Row, id string) (*fundhub.ProjectRecord, *fieldError) {
	rd := &reader{mp: mp, row: r}
	rec := &fundhub.ProjectRecord{
		SourceSystem:  mp.source,
		ExternalID:    id,
		Code:          rd.text("code"),
		Name:          rd.required("name"),
		RegionCode:    rd.region("region"),
		Direction:     fundhub.Direction(rd.required("direction")),
		ReserveStatus: fundhub.ReserveStatus(rd.text("reserve_status")),
	}
	if rec.ReserveStatus == "" {
		rec.ReserveStatus = fundhub.ReserveApplied
	}
	if !rec.ReserveStatus.Valid() {
		rd.fail("reserve_status", fmt.Errorf("unknown reserve status %q", rec.ReserveStatus))
	}
	if rd.text("planned_investment") != "" {
		rec.PlannedInvestment = rd.amount("planned_investment")
	}
	if d := rd.date("start_on", false); !d.IsZero() {
		rec.StartOn = &d
	}
	if d := rd.date("end_on", false); !d.IsZero() {
		rec.EndOn = &d
	}

	return rec, rd.err
}

func (mp *Mapper) fund(r Row, id string) (*fundhub.FundRecord, *fieldError) {
	rd := &reader{mp: mp, row: r}
	owner := rd.text("fund_owner")
	if owner != "" {
		owner = rd.region("fund_owner")
	}
	rec := &fundhub.FundRecord{SourceSystem: mp.source, ExternalID: id,
		Fund: mp.fundRef(rd, owner)}

	return rec, rd.err
}

// date reads a date field in any of the forms ParseDate knows; a blank
// optional field gives the zero time.
func (rd *reader) date(field string, required bool) time.Time {
	v := rd.text(field)
	if v == "" {
		if required {
			rd.fail(field, errors.New("value is empty"))
		}
		return time.Time{}
	}

	d, err := ParseDate(v)
	if err != nil {
		rd.fail(field, err)
	}

	return d
}

func (mp *Mapper) reportLine(r Row, id string) (*fundhub.ReportLineRecord, *fieldError) {
	rd := &reader{mp: mp, row: r}
	rec := &fundhub.ReportLineRecord{
		SourceSystem:     mp.source,
		ExternalID:       id,
		RegionCode:       rd.region("region"),
		Year:             rd.year("year"),
		AllocationSource: mp.m.AllocationSource,
		AllocationRef:    rd.text("allocation_ref"),
		ProjectCode:      rd.text("project_code"),
		Source:           fundhub.FundSource(rd.text("source")),
		Note:             rd.text("note"),
	}
	q := rd.required("quarter")
	if n, err := strconv.Atoi(q); err == nil && n >= 1 && n <= 4 {
		rec.Quarter = n
	} else if q != "" {
		rd.fail("quarter", fmt.Errorf("%q is not a quarter from 1 to 4", q))
	}
	if rec.Source != "" && !rec.Source.Valid() {
		rd.fail("source", fmt.Errorf("unknown fund source %q", rec.Source))
	}
	rec.PaidAmount, rec.ActualValue = rd.optionalAmount("paid_amount"), rd.number("actual_value")
	if rec.PaidAmount == nil && rec.ActualValue == nil {
		rd.fail("paid_amount", errors.New("a line reports a paid amount, an actual value "+
			"or both"))
	}

	return rec, rd.err
}

func (rd *reader) optionalAmount(field string) *decimal.Decimal {
	if rd.text(field) == "" {
		return nil
	}
	d := rd.amount(field)

	return &d
}

// number reads a plain decimal, such as an indicator's actual value.
func (rd *reader) number(field string) *decimal.Decimal {
	v := rd.text(field)
	if v == "" {
		return nil
	}
	d, err := ParseAmount(v, UnitYuan)
	if err != nil {
		rd.fail(field, err)
		return nil
	}

	return &d
}
