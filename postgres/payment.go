package postgres

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"fundhub"
)

// paymentList is the list of payments, newest first. A payment's direction
// is its allocation's fund's: a payment with no allocation is visible only
// to a scope that names no direction.
var paymentList = listQuery{what: "payments", cols: `p.id, p.allocation_id, p.region_code,
	p.project_code, p.source, p.amount, p.paid_on, p.reverses_id, p.withdrawn,
	p.source_system, p.external_id, p.last_synced_at`,
	from: `payments p JOIN regions pr ON pr.code = p.region_code
		LEFT JOIN allocations a ON a.id = p.allocation_id
		LEFT JOIN funds f ON f.id = a.fund_id`,
	order: `p.paid_on DESC, p.id DESC`, key: `p.id`, sum: `p.amount`}

func paymentWhere(s fundhub.Scope, f fundhub.PaymentFilter) *where {
	w := &where{}
	w.scope(s, "p.region_code", "f.direction")
	if f.IncludeWithdrawn == nil || !*f.IncludeWithdrawn {
		w.add("NOT p.withdrawn")
	}
	opt(w, "p.allocation_id = %s", f.AllocationID)
	opt(w, "p.paid_on >= %s", f.PaidFrom)
	opt(w, "p.paid_on <= %s", f.PaidTo)
	if f.RegionUnder != nil {
		w.under("pr.path", *f.RegionUnder)
	}

	return w
}

// FindPayments returns one page of the visible payments matching f, newest
// first, with the count and the sum of every match read in one snapshot.
func (d *DB) FindPayments(ctx context.Context, s fundhub.Scope, f fundhub.PaymentFilter,
	p fundhub.Page) (*fundhub.PaymentList, error) {
	w := paymentWhere(s, f)
	stats, ok := paymentFlowStats(s, f)
	if !ok {
		return d.findPayments(ctx, w, p)
	}
	out, st, err := findPageStatsFrom[fundhub.Payment](ctx, d, paymentList, w, p, stats)
	if err != nil {
		return nil, err
	}

	return &fundhub.PaymentList{Payments: out, Total: st.Total, Amount: st.Amount}, nil
}

// findPayments counts and sums the matching payments themselves.
func (d *DB) findPayments(ctx context.Context, w *where,
	p fundhub.Page) (*fundhub.PaymentList, error) {
	out, st, err := findPageStats[fundhub.Payment](ctx, d, paymentList, w, p)
	if err != nil {
		return nil, err
	}

	return &fundhub.PaymentList{Payments: out, Total: st.Total, Amount: st.Amount}, nil
}

// paymentFlowStats counts and sums the payments f matches from the
// payment_flows summary, which holds the same totals per fund, region and
// quarter, when f asks for nothing finer than a region (no allocation, no
// dates, no withdrawn movements); false otherwise. A national list then
// reads some hundred thousand rows, not millions of payments.
func paymentFlowStats(s fundhub.Scope, f fundhub.PaymentFilter) (statement, bool) {
	if f.AllocationID != nil || f.PaidFrom != nil || f.PaidTo != nil ||
		(f.IncludeWithdrawn != nil && *f.IncludeWithdrawn) {
		return statement{}, false
	}
	w := &where{}
	w.scope(s, "pf.region_code", "f.direction")
	if f.RegionUnder != nil {
		w.under("pr.path", *f.RegionUnder)
	}

	return statement{sql: `SELECT COALESCE(sum(pf.payments), 0) AS total,
		COALESCE(sum(pf.amount), 0) AS amount
		FROM payment_flows pf JOIN regions pr ON pr.code = pf.region_code
		LEFT JOIN funds f ON f.id = pf.fund_id ` + w.sql(), args: w.args}, true
}

// PaidByAllocation sums the visible, current payments of each allocation.
func (d *DB) PaidByAllocation(ctx context.Context, s fundhub.Scope,
	ids []int64) (map[int64]decimal.Decimal, error) {
	w := paymentWhere(s, fundhub.PaymentFilter{})
	w.add("p.allocation_id = ANY(%s)", int64s(ids))

	var rows []struct {
		ID   int64           `db:"allocation_id"`
		Paid decimal.Decimal `db:"paid"`
	}
	err := d.db.SelectContext(ctx, &rows, `SELECT p.allocation_id, sum(p.amount) AS paid
		FROM `+paymentList.from+` `+w.sql()+` GROUP BY p.allocation_id`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("summing payments: %w", inputError(err))
	}

	out := make(map[int64]decimal.Decimal, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Paid
	}

	return out, nil
}

// PaymentsByIDs returns the visible payments among ids, withdrawn ones
// included, for dataloaders.
func (d *DB) PaymentsByIDs(ctx context.Context, s fundhub.Scope,
	ids []int64) ([]*fundhub.Payment, error) {
	withdrawn := true
	w := paymentWhere(s, fundhub.PaymentFilter{IncludeWithdrawn: &withdrawn})
	w.add("p.id = ANY(%s)", int64s(ids))

	return findAll[fundhub.Payment](ctx, d, paymentList, w)
}
