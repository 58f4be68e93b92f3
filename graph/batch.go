package graph

import (
	"context"
	"errors"

	"github.com/vikstrous/dataloadgen"

	"fundhub"
)

// Batch resolvers receive every sibling parent of a list at once and load
// the related records with one LoadAll, so a page of any size costs one
// batch per relationship and nesting level, whatever the scheduler does.

// one resolves one related record per parent, in the parents' order. key
// reports false for a parent without the relation. A key the loader cannot
// find (missing, or outside the caller's scope) resolves to nil.
func one[P any, K comparable, V any](ctx context.Context, l *dataloadgen.Loader[K, V],
	objs []P, key func(P) (K, bool)) ([]V, error) {
	keys := make([]K, 0, len(objs))
	at := make([]int, len(objs))
	for i, o := range objs {
		k, ok := key(o)
		if !ok {
			at[i] = -1
			continue
		}
		at[i] = len(keys)
		keys = append(keys, k)
	}

	vals, err := l.LoadAll(ctx, keys)
	if err := onlyNotFound(err); err != nil {
		return nil, err
	}

	out := make([]V, len(objs))
	for i, j := range at {
		if j >= 0 {
			out[i] = vals[j]
		}
	}

	return out, nil
}

// many resolves a list per parent, giving an empty list to a parent with
// none.
func many[P any, K comparable, V any](ctx context.Context, l *dataloadgen.Loader[K, []V],
	objs []P, key func(P) K) ([][]V, error) {
	out, err := one(ctx, l, objs, func(p P) (K, bool) { return key(p), true })
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i] == nil {
			out[i] = []V{}
		}
	}

	return out, nil
}

// onlyNotFound drops the not-found errors of a LoadAll and returns the
// first other error.
func onlyNotFound(err error) error {
	var errs dataloadgen.ErrorSlice
	if !errors.As(err, &errs) {
		return err
	}
	for _, e := range errs {
		if e != nil && !errors.Is(e, dataloadgen.ErrNotFound) {
			return e
		}
	}

	return nil
}

// ptr is the key of an optional relation held as a pointer.
func ptr[T any](p *T) (T, bool) {
	if p == nil {
		var zero T
		return zero, false
	}

	return *p, true
}

// always wraps a key that every parent has.
func always[P any, K any](key func(P) K) func(P) (K, bool) {
	return func(p P) (K, bool) { return key(p), true }
}

// regionsAbove loads every ancestor of the regions in one batch and returns
// them per region, root first.
func regionsAbove(ctx context.Context, objs []*fundhub.Region) ([][]*fundhub.Region, error) {
	var codes []string
	for _, o := range objs {
		codes = append(codes, o.AncestorCodes()...)
	}
	l := loadersFrom(ctx).regionByCode
	found, err := l.LoadAll(ctx, codes)
	if err := onlyNotFound(err); err != nil {
		return nil, err
	}

	byCode := make(map[string]*fundhub.Region, len(found))
	for _, r := range found {
		if r != nil {
			byCode[r.Code] = r
		}
	}
	out := make([][]*fundhub.Region, len(objs))
	for i, o := range objs {
		out[i] = []*fundhub.Region{}
		for _, c := range o.AncestorCodes() {
			if r := byCode[c]; r != nil {
				out[i] = append(out[i], r)
			}
		}
	}

	return out, nil
}
