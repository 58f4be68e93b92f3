package graph

import (
	"github.com/shopspring/decimal"

	"fundhub"
)

// AllocationConnection is a page of allocations with the count and the
// amount of every allocation matching the query, read in one snapshot with
// the page so the three always agree.
type AllocationConnection struct {
	Edges       []*AllocationEdge
	Nodes       []*fundhub.Allocation
	PageInfo    *PageInfo
	TotalCount  int
	TotalAmount decimal.Decimal
}

// PaymentConnection is a page of payments with the count and the amount of
// every payment matching the query, read in one snapshot with the page.
type PaymentConnection struct {
	Edges       []*PaymentEdge
	Nodes       []*fundhub.Payment
	PageInfo    *PageInfo
	TotalCount  int
	TotalAmount decimal.Decimal
}
