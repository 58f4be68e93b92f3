package monitor

import (
	"context"
	"log/slog"
	"time"

	"fundhub"
)

// Store keeps what the monitor computes; *postgres.DB implements it.
type Store interface {
	// RunDeadlines hands compute the facts of one snapshot under a lock
	// held by one replica at a time, stores what it returns, and reports
	// false when another run holds the lock.
	RunDeadlines(ctx context.Context, today time.Time,
		compute func(fundhub.MonitorFacts) []fundhub.Deadline) (bool, int, error)
}

// Engine runs the monitor: on its schedule, after every sync, or by hand.
type Engine struct {
	Store  Store
	Logger *slog.Logger
	// Now returns the time; tests fix it.
	Now func() time.Time
}

// Result says what a run did.
type Result struct {
	// Ran is false when another replica's run held the lock.
	Ran       bool
	Deadlines int
}

// chinaTime is the zone the procedure's days are counted in.
var chinaTime = time.FixedZone("CST", 8*60*60)

// Run computes the deadlines as of today in China.
func (e *Engine) Run(ctx context.Context) (Result, error) {
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	y, m, d := now().In(chinaTime).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)

	ran, n, err := e.Store.RunDeadlines(ctx, today, Deadlines)
	if err != nil {
		return Result{}, err
	}
	if e.Logger != nil {
		e.Logger.InfoContext(ctx, "monitor run", "ran", ran, "deadlines", n,
			"today", today.Format(time.DateOnly))
	}

	return Result{Ran: ran, Deadlines: n}, nil
}
