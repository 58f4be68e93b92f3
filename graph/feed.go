package graph

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/lib/pq"

	"fundhub"
	"fundhub/authz"
)

// ProblemChannel is the notification channel the problems table announces
// new problems on, with their ids.
const ProblemChannel = "problems"

// ProblemFeed hands the ids of new problems to every subscription of this
// replica. A subscriber too slow to take one misses it rather than holding
// up the others.
type ProblemFeed struct {
	logger *slog.Logger
	mu     sync.Mutex
	subs   map[chan int64]struct{}
}

// NewProblemFeed returns a feed with no subscribers; Listen connects it.
func NewProblemFeed(logger *slog.Logger) *ProblemFeed {
	return &ProblemFeed{logger: logger, subs: map[chan int64]struct{}{}}
}

// Listen subscribes to ProblemChannel on the database at url and feeds
// what it hears until ctx ends. It returns once the subscription holds.
func (f *ProblemFeed) Listen(ctx context.Context, url string) error {
	l := pq.NewListener(url, time.Second, time.Minute, nil)
	if err := l.Listen(ProblemChannel); err != nil {
		l.Close()
		return fmt.Errorf("listening on %s: %w", ProblemChannel, err)
	}

	go func() {
		defer l.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case n := <-l.Notify:
				if n == nil {
					continue // reconnected; what was sent meanwhile is gone
				}
				if id, err := strconv.ParseInt(n.Extra, 10, 64); err == nil {
					f.publish(id)
				}
			}
		}
	}()

	return nil
}

func (f *ProblemFeed) publish(id int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for ch := range f.subs {
		select {
		case ch <- id:
		default:
			f.logger.Warn("problem subscriber too slow; one problem not sent", "problem", id)
		}
	}
}

// Subscribe returns the ids of problems raised from now until ctx ends.
func (f *ProblemFeed) Subscribe(ctx context.Context) <-chan int64 {
	ch := make(chan int64, 256)
	f.mu.Lock()
	f.subs[ch] = struct{}{}
	f.mu.Unlock()

	go func() {
		<-ctx.Done()
		f.mu.Lock()
		delete(f.subs, ch)
		f.mu.Unlock()
		close(ch)
	}()

	return ch
}

// problemRaised streams the problems the caller may see as they are
// raised, within regionUnder when given: each announced id is looked up
// with the caller's scope, so a problem out of sight is never sent.
func (r *Resolver) problemRaised(ctx context.Context,
	regionUnder *string) (<-chan *fundhub.Problem, error) {
	c := CallerFrom(ctx)
	if c == nil {
		return nil, fundhub.Errorf(fundhub.EUNAUTHENTICATED, "sign in first")
	}
	if r.Feed == nil {
		return nil, fundhub.Errorf(fundhub.EINTERNAL, "subscriptions are not served here")
	}
	ids := r.Feed.Subscribe(ctx)

	out := make(chan *fundhub.Problem, 16)
	go func() {
		defer close(out)
		// The caller is taken as they are now before every problem sent, and
		// the token checked every half minute: a revoked token or a disabled
		// user ends the stream, changed roles change what it sends.
		tick := time.NewTicker(30 * time.Second)
		defer tick.Stop()
		for {
			var id int64
			var ok bool
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if !r.Auth.Live(ctx, c) {
					return
				}
				continue
			case id, ok = <-ids:
				if !ok {
					return
				}
			}
			if !r.send(ctx, c, id, regionUnder, out) {
				return
			}
		}
	}()

	return out, nil
}

// send passes problem id to out when the caller, as they are now, may see
// it; it reports false when the stream must end: the token died or the
// caller left.
func (r *Resolver) send(ctx context.Context, c *fundhub.Caller, id int64,
	regionUnder *string, out chan<- *fundhub.Problem) bool {
	fresh, err := r.Auth.Refresh(ctx, c)
	if err != nil {
		return false
	}
	s := r.Policy.Scope(authz.UserOf(fresh), authz.ActionRead)
	p, err := r.Store.FindProblem(ctx, s, id)
	if err != nil || !r.within(p.RegionCode, regionUnder) {
		return true
	}

	select {
	case out <- p:
		return true
	case <-ctx.Done():
		return false
	}
}

// within reports whether region lies in the subtree of under, when given.
func (r *Resolver) within(region string, under *string) bool {
	return under == nil || *under == region || r.Policy.Above(*under, region)
}
