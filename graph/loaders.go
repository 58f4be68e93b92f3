package graph

import (
	"context"
	"net/http"
	"time"

	"github.com/shopspring/decimal"
	"github.com/vikstrous/dataloadgen"

	"fundhub"
)

// Loaders batch the lookups of one request: every region, fund or project
// that a page of results names is fetched in one query per kind, however
// many rows name it. They are made per request, with the caller's scope,
// and never shared between callers.
type Loaders struct {
	regionByCode        *dataloadgen.Loader[string, *fundhub.Region]
	childrenByRegion    *dataloadgen.Loader[string, []*fundhub.Region]
	namesByRegion       *dataloadgen.Loader[string, []*fundhub.RegionNameChange]
	fundByID            *dataloadgen.Loader[int64, *fundhub.Fund]
	allocationByID      *dataloadgen.Loader[int64, *fundhub.Allocation]
	projectByID         *dataloadgen.Loader[int64, *fundhub.Project]
	targetByID          *dataloadgen.Loader[int64, *fundhub.PerformanceTarget]
	sourcesByAllocation *dataloadgen.Loader[int64, []*fundhub.AllocationSourceRecord]
	linesByReport       *dataloadgen.Loader[int64, []*fundhub.ReportLine]
	connectorByID       *dataloadgen.Loader[int64, *fundhub.Connector]
	lastRunByConnector  *dataloadgen.Loader[int64, *fundhub.SyncRun]
	paidByAllocation    *dataloadgen.Loader[int64, decimal.Decimal]
	paymentByID         *dataloadgen.Loader[int64, *fundhub.Payment]
	unitByID            *dataloadgen.Loader[int64, *fundhub.Unit]
	childrenByAlloc     *dataloadgen.Loader[int64, []*fundhub.Allocation]
	targetsByAlloc      *dataloadgen.Loader[int64, []*fundhub.PerformanceTarget]
	commentsByProblem   *dataloadgen.Loader[int64, []*fundhub.ProblemComment]
	tokensByUser        *dataloadgen.Loader[int64, []*fundhub.Token]
	reportByID          *dataloadgen.Loader[int64, *fundhub.ExecutionReport]
	changesByReport     *dataloadgen.Loader[int64, []*fundhub.ChangeRequest]
}

// loaderWait is how long a loader gathers keys before it queries.
const loaderWait = 3 * time.Millisecond

// NewLoaders returns the loaders of one request made with scope s.
func NewLoaders(st Store, s fundhub.Scope) *Loaders {
	return &Loaders{
		regionByCode: scoped(s, st.RegionsByCodes,
			func(r *fundhub.Region) string { return r.Code }),
		childrenByRegion: mapped(st.RegionChildren),
		namesByRegion:    mapped(st.RegionNames),
		fundByID: scoped(s, st.FundsByIDs,
			func(f *fundhub.Fund) int64 { return f.ID }),
		allocationByID: scoped(s, st.AllocationsByIDs,
			func(a *fundhub.Allocation) int64 { return a.ID }),
		projectByID: scoped(s, st.ProjectsByIDs,
			func(p *fundhub.Project) int64 { return p.ID }),
		targetByID: scoped(s, st.TargetsByIDs,
			func(t *fundhub.PerformanceTarget) int64 { return t.ID }),
		sourcesByAllocation: mapped(st.SourceRecordsByAllocation),
		linesByReport: mapped(func(ctx context.Context,
			ids []int64) (map[int64][]*fundhub.ReportLine, error) {
			return st.LinesByReport(ctx, s, ids)
		}),
		connectorByID: mapped(byKey(st.ConnectorsByIDs,
			func(c *fundhub.Connector) int64 { return c.ID })),
		lastRunByConnector: mapped(st.LastRuns),
		paidByAllocation: mapped(func(ctx context.Context,
			ids []int64) (map[int64]decimal.Decimal, error) {
			return st.PaidByAllocation(ctx, s, ids)
		}),
		paymentByID: scoped(s, st.PaymentsByIDs,
			func(p *fundhub.Payment) int64 { return p.ID }),
		unitByID: mapped(byKey(st.UnitsByIDs,
			func(u *fundhub.Unit) int64 { return u.ID })),
		tokensByUser: mapped(st.TokensOfUsers),
		reportByID: scoped(s, st.ReportsByIDs,
			func(r *fundhub.ExecutionReport) int64 { return r.ID }),
		changesByReport: mapped(func(ctx context.Context,
			ids []int64) (map[int64][]*fundhub.ChangeRequest, error) {
			return st.ChangeRequestsByReport(ctx, s, ids)
		}),
		childrenByAlloc: mapped(func(ctx context.Context,
			ids []int64) (map[int64][]*fundhub.Allocation, error) {
			return st.ChildrenOfAllocations(ctx, s, ids)
		}),
		commentsByProblem: mapped(st.CommentsByProblem),
		targetsByAlloc: mapped(func(ctx context.Context,
			ids []int64) (map[int64][]*fundhub.PerformanceTarget, error) {
			return st.TargetsByAllocation(ctx, s, ids)
		}),
	}
}

// scoped makes a loader over a store lookup that takes the caller's scope.
func scoped[K comparable, V any](s fundhub.Scope,
	fetch func(context.Context, fundhub.Scope, []K) ([]V, error),
	key func(V) K) *dataloadgen.Loader[K, V] {
	return mapped(byKey(func(ctx context.Context, keys []K) ([]V, error) {
		return fetch(ctx, s, keys)
	}, key))
}

// mapped makes a loader over a lookup that returns a map by key.
func mapped[K comparable, V any](fetch func(context.Context, []K) (map[K]V,
	error)) *dataloadgen.Loader[K, V] {
	return dataloadgen.NewMappedLoader(fetch, dataloadgen.WithWait(loaderWait))
}

// byKey turns a fetch returning a list into one returning a map by key.
func byKey[K comparable, V any](fetch func(context.Context, []K) ([]V, error),
	key func(V) K) func(context.Context, []K) (map[K]V, error) {
	return func(ctx context.Context, keys []K) (map[K]V, error) {
		list, err := fetch(ctx, keys)
		if err != nil {
			return nil, err
		}
		out := make(map[K]V, len(list))
		for _, v := range list {
			out[key(v)] = v
		}
		return out, nil
	}
}

type loadersKey struct{}

// loadersFrom returns the request's loaders.
func loadersFrom(ctx context.Context) *Loaders {
	l, _ := ctx.Value(loadersKey{}).(*Loaders)
	return l
}

// LoaderMiddleware gives every request its own loaders, made with the scope
// the request already carries; it must run after the scope is set.
func LoaderMiddleware(st Store, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := NewLoaders(st, ScopeFrom(r.Context()))
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), loadersKey{}, l)))
	})
}
