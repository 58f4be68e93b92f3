package fundhub

import (
	"context"
	"time"
)

// Problem is a problem raised on a region, project or allocation (问题反馈),
// by a person or by a rule. Rule-raised problems carry the rule's name.
type Problem struct {
	ID             int64      `db:"id"`
	Kind           string     `db:"kind"`
	Severity       string     `db:"severity"`
	Status         string     `db:"status"`
	RegionCode     string     `db:"region_code"`
	ProjectID      *int64     `db:"project_id"`
	AllocationID   *int64     `db:"allocation_id"`
	Rule           *string    `db:"rule"`
	Title          string     `db:"title"`
	Detail         string     `db:"detail"`
	RaisedBy       string     `db:"raised_by"`
	RaisedAt       time.Time  `db:"raised_at"`
	ResolvedAt     *time.Time `db:"resolved_at"`
	ResolutionNote *string    `db:"resolution_note"`
	Escalated      bool       `db:"escalated"`
}

// ProblemFilter selects problems. Nil fields do not filter.
type ProblemFilter struct {
	RegionUnder *string
	Kind        *string
	Status      *string
	Rule        *string
	Severity    *string
	Escalated   *bool
	MinAgeDays  *int
	Open        *bool
}

// ProblemSummary counts the open problems of one region, its lower regions
// rolled up into it.
type ProblemSummary struct {
	RegionCode   string `db:"region_code"`
	Open         int    `db:"open"`
	Late         int    `db:"late"`
	Lagging      int    `db:"lagging"`
	Inconsistent int    `db:"inconsistent"`
	Major        int    `db:"major"`
}

// ProblemService reads problems.
type ProblemService interface {
	// FindProblems returns one page of visible problems, newest first, and
	// the total count.
	FindProblems(ctx context.Context, scope Scope, f ProblemFilter, p Page) ([]*Problem, int, error)
}
