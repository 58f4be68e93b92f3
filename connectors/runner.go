package connectors

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"fundhub"
)

// Source reads the rows of one connector's system that changed after cursor
// ("" for all of them), page by page, in the order the cursor advances. It
// calls fn once per page and never concurrently; when fn fails it stops and
// returns fn's error as it is.
type Source interface {
	Read(ctx context.Context, cursor string, fn func(Page) error) error
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
	// BatchSize is the number of rows per transaction. By default payments,
	// which load set-based, go 2000 at a time, and other entities, which
	// load row by row under savepoints, 50, within PostgreSQL's cache of 64
	// subtransactions per transaction.
	BatchSize int
	// Timeout bounds one run (default 30 minutes).
	Timeout time.Duration
	// Slots caps the runs of this runner that hold database connections at
	// once (default 4). Each run holds one connection for its lock and uses
	// another for its batches, so the cap keeps schedules that fire together
	// from taking the whole pool; runs beyond it wait their turn.
	Slots chan struct{}
	// AfterRun, when set, is called after each run that finished recording,
	// with the run: the monitor checks the rules against what it brought.
	AfterRun func(ctx context.Context, run *fundhub.SyncRun)
}

// DefaultSlots returns the run slots of a runner, for Runner.Slots.
func DefaultSlots() chan struct{} { return make(chan struct{}, 4) }

// Run runs the connector once and returns its recorded run. A run that
// another replica holds is recorded as SKIPPED. Rows that fail to map are
// kept as rejected rows and do not fail the run; a source or database error
// fails it, keeping every batch committed before the error. Cancelling ctx
// stops the run between batches and records it as CANCELLED.
func (r *Runner) Run(ctx context.Context, c *fundhub.Connector,
	trigger string) (*fundhub.SyncRun, error) {
	run, body, err := r.Start(ctx, c, trigger)
	if err != nil || body == nil {
		return run, err
	}

	return run, body(ctx)
}

// Start takes the connector's lock and records a new run, and returns the
// work of the run as body, to be called once, possibly in another goroutine
// with a context that outlives the caller's: it reads, loads, records the
// outcome and releases the lock. body is nil when the run was skipped
// because another run holds the lock; the skipped run is recorded.
func (r *Runner) Start(ctx context.Context, c *fundhub.Connector,
	trigger string) (*fundhub.SyncRun, func(context.Context) error, error) {
	return r.start(ctx, c, trigger, nil)
}

// StartReprocess is Start for a run over the connector's pending rejected
// rows instead of its source, mapped again with the connector's current
// mapping: after a mapping is fixed, the rows it rejected land. The rows
// rejected again are kept with their new reasons; the old rejections are
// marked resolved.
func (r *Runner) StartReprocess(ctx context.Context,
	c *fundhub.Connector) (*fundhub.SyncRun, func(context.Context) error, error) {
	return r.start(ctx, c, "reprocess", &rejectedSource{store: r.Store, connectorID: c.ID})
}

func (r *Runner) start(ctx context.Context, c *fundhub.Connector, trigger string,
	src Source) (*fundhub.SyncRun, func(context.Context) error, error) {
	free, err := r.takeSlot(ctx)
	if err != nil {
		return nil, nil, err
	}
	unlock, ok, err := r.Store.TryLockConnector(ctx, c.ID)
	if err != nil {
		free()
		return nil, nil, err
	}
	release := func() { unlock(); free() }
	if ok {
		if err := r.Store.SweepInterrupted(ctx, c.ID); err != nil {
			release()
			return nil, nil, err
		}
	}
	run, err := r.Store.StartRun(ctx, c.ID, trigger)
	if err != nil || !ok {
		release()
		return r.skipped(ctx, c, run, err)
	}

	body := func(ctx context.Context) error {
		defer release()
		runErr := r.run(ctx, c, run, src)
		r.finish(ctx, c, run, runErr)
		if err := r.Store.FinishRun(ctx, run); err != nil {
			return err
		}
		if r.AfterRun != nil {
			r.AfterRun(ctx, run)
		}

		return nil
	}

	return run, body, nil
}

func (r *Runner) skipped(ctx context.Context, c *fundhub.Connector, run *fundhub.SyncRun,
	err error) (*fundhub.SyncRun, func(context.Context) error, error) {
	if err != nil {
		return nil, nil, err
	}
	run.Status = fundhub.RunSkipped
	msg := "another run of this connector is in progress"
	run.Error = &msg
	r.logger().Info("sync skipped", "connector", c.Name, "run", run.ID, "reason", msg)

	return run, nil, r.Store.FinishRun(ctx, run)
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

func (r *Runner) run(ctx context.Context, c *fundhub.Connector, run *fundhub.SyncRun,
	src Source) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout())
	defer cancel()

	cfg, err := ParseConfig(c)
	if err != nil {
		return err
	}
	mapper, opened, err := r.prepare(ctx, cfg, src == nil)
	if err != nil {
		return err
	}
	// A run over the source resumes at its cursor; a reprocessing run reads
	// stored rows and keeps no cursor.
	cursor := ""
	if src == nil {
		src = opened
		if cursor, err = r.Store.Cursor(ctx, c.ID); err != nil {
			return err
		}
	}

	b := &batcher{r: r, run: run, mapper: mapper, size: r.batchSize(&cfg.Mapping),
		seen: map[string]string{}}
	err = src.Read(ctx, cursor, func(p Page) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return b.page(ctx, p)
	})
	var se *SourceError
	if err != nil && !errors.As(err, &se) && ctx.Err() == nil && !isLoadError(err) {
		err = &SourceError{Connector: c.Name, Err: err}
	}

	return err
}

// prepare builds the run's mapper and, when open is true, opens its source.
func (r *Runner) prepare(ctx context.Context, cfg *Config, open bool) (*Mapper, Source, error) {
	regions, err := r.Regions(ctx)
	if err != nil {
		return nil, nil, err
	}
	mapper := NewMapper(cfg.Name, cfg.Name, &cfg.Mapping, fundhub.NewRegionIndex(regions))
	if !open {
		return mapper, nil, nil
	}

	src, err := r.Open(cfg)
	if err != nil {
		return nil, nil, &SourceError{Connector: cfg.Name, Err: err}
	}

	return mapper, src, nil
}

func (r *Runner) timeout() time.Duration {
	if r.Timeout > 0 {
		return r.Timeout
	}

	return 30 * time.Minute
}

func (r *Runner) batchSize(m *Mapping) int {
	switch {
	case r.BatchSize > 0:
		return r.BatchSize
	case m.Entity == "payment":
		return 2000
	}

	return 50
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}

	return slog.Default()
}

// batcher maps the rows of each page and loads them a batch at a time,
// adding each committed batch's counts to the run. A page's cursor goes
// with its last batch, in the same transaction, so a failure part-way
// through a page leaves the cursor before it and the next run reads the page
// again; rows already committed then come back unchanged.
//
// For a source without a cursor (a folder read whole) a key read twice in
// one run is rejected instead of overwriting the first row; a source with a
// cursor may return a newer version of a record later in the same run.
type batcher struct {
	r      *Runner
	run    *fundhub.SyncRun
	mapper *Mapper
	size   int
	seen   map[string]string
}

func (b *batcher) page(ctx context.Context, p Page) error {
	items := make([]fundhub.SyncItem, len(p.Rows))
	for i, row := range p.Rows {
		items[i] = b.mapper.Apply(row)
		if p.Cursor == "" {
			b.rejectRepeat(&items[i])
		}
	}
	if p.Cursor != "" {
		keepLatest(items)
	}

	for start := 0; ; start += b.size {
		end := min(start+b.size, len(items))
		last := end == len(items)
		var cursor *string
		if last && p.Cursor != "" {
			cursor = &p.Cursor
		}
		if err := b.apply(ctx, items[start:end], cursor); err != nil {
			return err
		}
		if last {
			return nil
		}
	}
}

func (b *batcher) rejectRepeat(it *fundhub.SyncItem) {
	if it.Skip != "" || it.Reject != nil || it.ExternalID == "" {
		return
	}
	if first, dup := b.seen[it.ExternalID]; dup {
		it.Reject = fundhub.Invalid("key", "key %s was already read at %s; "+
			"a key must name one record", it.ExternalID, first)
		it.NoReplay = true
		return
	}
	b.seen[it.ExternalID] = it.Ref
}

func (b *batcher) apply(ctx context.Context, items []fundhub.SyncItem, cursor *string) error {
	if len(items) == 0 && cursor == nil {
		return nil
	}
	c, err := b.r.Store.ApplyBatch(ctx, b.run, items, cursor)
	if err != nil {
		return &loadError{err: err}
	}

	b.run.RunCounts.Add(c)

	return nil
}

// keepLatest skips all but the last version of each record in a page of a
// source read by cursor, which returns a record again when it changed while
// being read: only the latest is applied, so an update followed by a
// deletion in one page ends deleted, whatever order a batch applies in.
func keepLatest(items []fundhub.SyncItem) {
	last := make(map[string]int, len(items))
	for i, it := range items {
		if it.ExternalID != "" && it.Skip == "" {
			last[it.ExternalID] = i
		}
	}
	for i := range items {
		it := &items[i]
		if it.ExternalID != "" && it.Skip == "" && last[it.ExternalID] != i {
			it.Skip = "superseded by a later version of the record in the same read"
			it.ClearRecord()
			it.Reject = nil
		}
	}
}

// takeSlot waits for a free run slot, or for ctx to end, and returns the
// function that frees it. Without Slots there is no cap.
func (r *Runner) takeSlot(ctx context.Context) (func(), error) {
	if r.Slots == nil {
		return func() {}, nil
	}

	select {
	case r.Slots <- struct{}{}:
		return func() { <-r.Slots }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
