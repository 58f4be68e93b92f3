package connectors

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"fundhub"
)

// Source reads the rows of one connector's system.
type Source interface {
	Read(ctx context.Context, fn func(Row) error) error
}

// OpenFunc opens the source a connector's config declares.
type OpenFunc func(cfg *Config) (Source, error)

// Runner runs connectors: it takes the connector's lock, reads its source,
// maps each row and loads the rows in batches, and records the run. It is
// safe for concurrent use; runs of one connector never overlap, across
// replicas too.
type Runner struct {
	Store   fundhub.SyncStore
	Open    OpenFunc
	Regions func(ctx context.Context) ([]*fundhub.Region, error)
	Logger  *slog.Logger
	// BatchSize is the number of rows per transaction (default 50, which
	// keeps a batch's savepoints within PostgreSQL's subtransaction cache).
	BatchSize int
	// Timeout bounds one run (default 30 minutes).
	Timeout time.Duration
}

// Run runs the connector once and returns its recorded run. A run that
// another replica holds is recorded as SKIPPED. Rows that fail to map are
// kept as rejected rows and do not fail the run; a source or database error
// fails it, keeping every batch committed before the error. Cancelling ctx
// stops the run between rows and records it as CANCELLED.
func (r *Runner) Run(ctx context.Context, c *fundhub.Connector,
	trigger string) (*fundhub.SyncRun, error) {
	release, ok, err := r.Store.TryLockConnector(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	defer release()

	if ok {
		if err := r.Store.SweepInterrupted(ctx, c.ID); err != nil {
			return nil, err
		}
	}
	run, err := r.Store.StartRun(ctx, c.ID, trigger)
	if err != nil {
		return nil, err
	}
	if !ok {
		run.Status = fundhub.RunSkipped
		msg := "another run of this connector is in progress"
		run.Error = &msg
		r.logger().Info("sync skipped", "connector", c.Name, "run", run.ID, "reason", msg)
		return run, r.Store.FinishRun(ctx, run)
	}

	runErr := r.run(ctx, c, run)
	r.finish(ctx, c, run, runErr)

	return run, r.Store.FinishRun(ctx, run)
}

func (r *Runner) finish(ctx context.Context, c *fundhub.Connector, run *fundhub.SyncRun,
	err error) {
	log := r.logger().With("connector", c.Name, "run", run.ID)
	switch {
	case err == nil:
		run.Status = fundhub.RunSucceeded
	case errors.Is(err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled):
		run.Status = fundhub.RunCancelled
	default:
		run.Status = fundhub.RunFailed
	}
	if err != nil {
		msg := publicMessage(err, r.timeout())
		run.Error = &msg
		log.Warn("sync ended early", "status", run.Status, "error", err)
	}

	log.Info("sync finished", "status", run.Status, "read", run.Read,
		"inserted", run.Inserted, "updated", run.Updated, "unchanged", run.Unchanged,
		"rejected", run.Rejected, "skipped", run.Skipped)
}

func (r *Runner) run(ctx context.Context, c *fundhub.Connector, run *fundhub.SyncRun) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout())
	defer cancel()

	cfg, err := ParseConfig(c)
	if err != nil {
		return err
	}
	mapper, src, err := r.prepare(ctx, cfg)
	if err != nil {
		return err
	}

	b := &batcher{r: r, run: run, size: r.batchSize(), seen: map[string]string{}}
	err = src.Read(ctx, func(row Row) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return b.add(ctx, mapper.Apply(row))
	})
	var se *SourceError
	if err != nil && !errors.As(err, &se) && ctx.Err() == nil && !isLoadError(err) {
		err = &SourceError{Connector: c.Name, Err: err}
	}
	if err != nil {
		return err
	}

	return b.flush(ctx)
}

func (r *Runner) prepare(ctx context.Context, cfg *Config) (*Mapper, Source, error) {
	regions, err := r.Regions(ctx)
	if err != nil {
		return nil, nil, err
	}
	src, err := r.Open(cfg)
	if err != nil {
		return nil, nil, &SourceError{Connector: cfg.Name, Err: err}
	}
	idx := fundhub.NewRegionIndex(regions)

	return NewMapper(cfg.Name, cfg.Name, &cfg.Mapping, idx), src, nil
}

func (r *Runner) timeout() time.Duration {
	if r.Timeout > 0 {
		return r.Timeout
	}

	return 30 * time.Minute
}

func (r *Runner) batchSize() int {
	if r.BatchSize > 0 {
		return r.BatchSize
	}

	return 50
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}

	return slog.Default()
}

// batcher gathers mapped rows and loads them a batch at a time, adding each
// committed batch's counts to the run. It remembers the keys of the run, so
// a key repeated in the source is rejected instead of overwriting the first.
type batcher struct {
	r     *Runner
	run   *fundhub.SyncRun
	size  int
	items []fundhub.SyncItem
	seen  map[string]string
}

func (b *batcher) add(ctx context.Context, it fundhub.SyncItem) error {
	if it.Skip == "" && it.Reject == nil && it.ExternalID != "" {
		if first, dup := b.seen[it.ExternalID]; dup {
			it.Reject = fundhub.Invalid("key", "key %s was already read at %s; "+
				"a key must name one record", it.ExternalID, first)
		} else {
			b.seen[it.ExternalID] = it.Ref
		}
	}
	b.items = append(b.items, it)
	if len(b.items) < b.size {
		return nil
	}

	return b.flush(ctx)
}

func (b *batcher) flush(ctx context.Context) error {
	if len(b.items) == 0 {
		return nil
	}
	c, err := b.r.Store.ApplyBatch(ctx, b.run, b.items)
	if err != nil {
		return &loadError{err: err}
	}

	rc := &b.run.RunCounts
	rc.Read += c.Read
	rc.Inserted += c.Inserted
	rc.Updated += c.Updated
	rc.Unchanged += c.Unchanged
	rc.Rejected += c.Rejected
	rc.Skipped += c.Skipped
	b.items = b.items[:0]

	return nil
}
