package connectors

import (
	"context"
	"fmt"
	"sync"

	"fundhub"
)

// Dispatcher starts runs on request (from the API) in the background: the
// caller gets the run as soon as it is recorded, and the work goes on with
// the dispatcher's own context, not the request's. It is safe for
// concurrent use.
type Dispatcher struct {
	runner *Runner
	find   func(ctx context.Context, name string) (*fundhub.Connector, error)
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex // guards stopped, and orders wg.Add before Stop's Wait
	stopped bool
}

// NewDispatcher returns a dispatcher whose runs live until Stop.
func NewDispatcher(r *Runner,
	find func(ctx context.Context, name string) (*fundhub.Connector, error)) *Dispatcher {
	ctx, cancel := context.WithCancel(context.Background())
	return &Dispatcher{runner: r, find: find, ctx: ctx, cancel: cancel}
}

// Trigger starts a run of the named connector and returns it RUNNING, or
// SKIPPED when another run holds the connector. ENOTFOUND for an unknown
// name.
func (d *Dispatcher) Trigger(ctx context.Context, name string) (*fundhub.SyncRun, error) {
	c, err := d.find(ctx, name)
	if err != nil {
		return nil, err
	}

	return d.launch(d.runner.Start(ctx, c, "manual"))
}

// Reprocess starts a run over the named connector's pending rejected rows.
func (d *Dispatcher) Reprocess(ctx context.Context, name string) (*fundhub.SyncRun, error) {
	c, err := d.find(ctx, name)
	if err != nil {
		return nil, err
	}

	return d.launch(d.runner.StartReprocess(ctx, c))
}

func (d *Dispatcher) launch(run *fundhub.SyncRun, body func(context.Context) error,
	err error) (*fundhub.SyncRun, error) {
	if err != nil || body == nil {
		return run, err
	}

	// The run's record goes back to the caller while the work goes on; a
	// copy keeps the caller's view from racing with the worker's updates.
	shown := *run
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		// body still runs, cancelled at once, to record the run and unlock.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return &shown, body(ctx)
	}
	d.wg.Add(1)
	go d.work(run.ID, body)

	return &shown, nil
}

// work runs a run's body; a panic is logged and does not take the server.
func (d *Dispatcher) work(runID int64, body func(context.Context) error) {
	defer d.wg.Done()
	defer func() {
		if p := recover(); p != nil {
			d.runner.logger().Error("run panicked", "run", runID, "panic", fmt.Sprint(p))
		}
	}()

	if err := body(d.ctx); err != nil {
		d.runner.logger().Error("run failed", "run", runID, "error", err)
	}
}

// Stop waits up to the end of ctx for running work to finish, then cancels
// it and waits for the cancelled runs to record themselves.
func (d *Dispatcher) Stop(ctx context.Context) {
	d.mu.Lock()
	d.stopped = true
	d.mu.Unlock()

	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()

	select {
	case <-done:
	case <-ctx.Done():
		d.cancel()
		<-done
	}
	d.cancel()
}
