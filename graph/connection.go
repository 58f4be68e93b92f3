package graph

import "fundhub"

// AllocationConnection is a page of allocations. It keeps the query's filter
// and scope, so totalAmount is summed over every match only when a client
// asks for it.
type AllocationConnection struct {
	Edges      []*AllocationEdge
	Nodes      []*fundhub.Allocation
	PageInfo   *PageInfo
	TotalCount int

	filter fundhub.AllocationFilter
	scope  fundhub.Scope
}
