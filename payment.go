package fundhub

import (
	"context"
	"time"

	"github.com/shopspring/decimal"
)

// Payment is one movement of money paid out (支付), as the finance system
// recorded it. A refund is a negative movement, or names the payment it
// reverses; every movement is kept, so what was paid is their sum.
type Payment struct {
	ID           int64           `db:"id"`
	AllocationID *int64          `db:"allocation_id"`
	RegionCode   string          `db:"region_code"`
	ProjectCode  *string         `db:"project_code"`
	Source       *FundSource     `db:"source"`
	Amount       decimal.Decimal `db:"amount"`
	PaidOn       time.Time       `db:"paid_on"`
	ReversesID   *int64          `db:"reverses_id"`
	Withdrawn    bool            `db:"withdrawn"`
	Provenance
}

// PaymentFilter selects payments. Nil fields do not filter; withdrawn
// movements (deleted at their source) are left out unless asked for.
type PaymentFilter struct {
	RegionUnder      *string
	AllocationID     *int64
	PaidFrom         *time.Time
	PaidTo           *time.Time
	IncludeWithdrawn *bool
}

// PaymentList is one page of payments with the count and the summed amount
// of every payment matching the query, read in one snapshot.
type PaymentList struct {
	Payments []*Payment
	Total    int
	Amount   decimal.Decimal
}

// PaymentService reads payments.
type PaymentService interface {
	// FindPayments returns one page of visible payments, newest first.
	FindPayments(ctx context.Context, scope Scope, f PaymentFilter, p Page) (*PaymentList, error)
	// PaidByAllocation sums the visible, current payments of each
	// allocation, for dataloaders; an allocation with none is left out.
	PaidByAllocation(ctx context.Context, scope Scope,
		ids []int64) (map[int64]decimal.Decimal, error)
	// PaymentsByIDs returns the visible payments among ids, for dataloaders.
	PaymentsByIDs(ctx context.Context, scope Scope, ids []int64) ([]*Payment, error)
}
