package connectors

import (
	"context"
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
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		if err := body(d.ctx); err != nil {
			d.runner.logger().Error("run failed", "run", run.ID, "error", err)
		}
	}()

	return &shown, nil
}

// Stop waits up to the end of ctx for running work to finish, then cancels
// it and waits for the cancelled runs to record themselves.
func (d *Dispatcher) Stop(ctx context.Context) {
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
