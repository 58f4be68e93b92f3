package monitor

import (
	"context"
	"log/slog"
	"time"

	"fundhub"
)

// Store keeps what the monitor computes; *postgres.DB implements it.
type Store interface {
	// RunMonitor hands compute the facts of one snapshot under a lock held
	// by one replica at a time, stores the deadlines and findings it
	// returns, and closes the open problems of rules whose finding is gone.
	RunMonitor(ctx context.Context, today time.Time, rules []string,
		compute func(fundhub.MonitorFacts) ([]fundhub.Deadline,
			[]fundhub.Finding)) (fundhub.MonitorResult, error)
}

// Engine runs the monitor: on its schedule, after every sync, or by hand.
type Engine struct {
	Store  Store
	Logger *slog.Logger
	// Config holds the rules' thresholds; the zero value means
	// DefaultConfig.
	Config *Config
	// Now returns the time; tests fix it.
	Now func() time.Time
}

// chinaTime is the zone the procedure's days are counted in.
var chinaTime = time.FixedZone("CST", 8*60*60)

// Run computes the deadlines as of today in China, applies the rules to
// them and to the graph, and keeps the problems they raise and clear.
func (e *Engine) Run(ctx context.Context) (fundhub.MonitorResult, error) {
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	y, m, d := now().In(chinaTime).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	cfg := DefaultConfig()
	if e.Config != nil {
		cfg = *e.Config
	}

	res, err := e.Store.RunMonitor(ctx, today, Rules,
		func(f fundhub.MonitorFacts) ([]fundhub.Deadline, []fundhub.Finding) {
			f.Deadlines = Deadlines(f)
			return f.Deadlines, Findings(cfg, f)
		})
	if err != nil {
		return fundhub.MonitorResult{}, err
	}
	if e.Logger != nil {
		e.Logger.InfoContext(ctx, "monitor run", "ran", res.Ran, "today",
			today.Format(time.DateOnly), "deadlines", res.Deadlines, "findings", res.Findings,
			"raised", res.Raised, "reopened", res.Reopened, "closed", res.Closed)
	}

	return res, nil
}
