package graph

import (
	"context"

	"fundhub"
	"fundhub/authz"
)

// guard is the fundhub.Guard of one mutation: it asks the policies for the
// caller of ctx and audits every refusal with what describes the attempt.
type guard struct {
	r    *Resolver
	ctx  context.Context
	c    *fundhub.Caller
	what string
}

// guardFor returns the guard of a mutation described by what, or
// UNAUTHENTICATED when nobody signed in.
func (r *Resolver) guardFor(ctx context.Context, what string) (*guard, error) {
	c := CallerFrom(ctx)
	if c == nil {
		return nil, fundhub.Errorf(fundhub.EUNAUTHENTICATED, "sign in first")
	}

	return &guard{r: r, ctx: ctx, c: c, what: what}, nil
}

func (g *guard) Caller() *fundhub.Caller { return g.c }

func (g *guard) Allow(action, region string, dir fundhub.Direction) error {
	if g.Permits(action, region, dir) {
		return nil
	}

	return g.r.deny(g.ctx, g.c, action, region, g.what)
}

func (g *guard) AllowAbove(action, region string, dir fundhub.Direction) error {
	if !g.r.Policy.Above(g.c.RegionCode, region) {
		return g.r.deny(g.ctx, g.c, action, region, g.what+
			" (only a level above "+region+" may)")
	}

	return g.Allow(action, region, dir)
}

func (g *guard) Permits(action, region string, dir fundhub.Direction) bool {
	u := authz.UserOf(g.c)
	if dir == "" {
		return g.r.Policy.Reaches(u, action, region)
	}

	return g.r.Policy.Allowed(u, action, region, dir)
}

func (g *guard) AllowOwn(action, region string, dir fundhub.Direction) error {
	if g.c.RegionCode != region {
		return g.r.deny(g.ctx, g.c, action, region, g.what+
			" (only "+region+" itself may)")
	}

	return g.Allow(action, region, dir)
}

func (g *guard) AllowProvince(action, region string, dir fundhub.Direction) error {
	if g.r.Policy.Depth(g.c.RegionCode) != 1 {
		return g.r.deny(g.ctx, g.c, action, region, g.what+" (only the province may)")
	}

	return g.AllowAbove(action, region, dir)
}

func (g *guard) Conceal(action, region string, missing error) error {
	if err := g.r.deny(g.ctx, g.c, action, region, g.what+" (cannot see it)"); err != nil &&
		fundhub.ErrorCode(err) != fundhub.EFORBIDDEN {
		return err
	}

	return missing
}
