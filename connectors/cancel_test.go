package connectors_test

import (
	"context"
	"fmt"
	"testing"

	"fundhub"
	"fundhub/connectors"
	"fundhub/postgres/pgtest"
)

// blockingSource yields n rows, signals, then waits for its context to end,
// as a slow source does when the server shuts down mid-run.
type blockingSource struct {
	n       int
	reached chan struct{}
}

func (s blockingSource) Read(ctx context.Context, fn func(connectors.Row) error) error {
	for i := 0; i < s.n; i++ {
		row := connectors.Row{Ref: fmt.Sprintf("slow:%d", i+1), Values: map[string]string{
			"编号": fmt.Sprintf("S%d", i), "地区": "杭州市",
			connectors.NormalizeText("金额（万元）"): "1"}}
		if err := fn(row); err != nil {
			return err
		}
	}
	close(s.reached)
	<-ctx.Done()

	return ctx.Err()
}

func TestRunner_CancelKeepsCommittedBatches(t *testing.T) {
	db := pgtest.New(t)
	c := byName(t, db, t.TempDir())
	src := blockingSource{n: 25, reached: make(chan struct{})}
	r := newRunner(db)
	r.BatchSize = 10
	r.Open = func(*connectors.Config) (connectors.Source, error) { return src, nil }

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *fundhub.SyncRun)
	go func() {
		run, err := r.Run(ctx, c, "test")
		if err != nil {
			t.Error(err)
		}
		done <- run
	}()
	<-src.reached
	cancel()
	run := <-done

	if run.Status != fundhub.RunCancelled {
		t.Errorf("status: got %s, want CANCELLED", run.Status)
	}
	var n int
	pgtest.Get(t, db, &n, `SELECT count(*) FROM allocation_sources`)
	if n != 20 || run.Inserted != 20 {
		t.Errorf("committed: got %d rows (run says %d), want the two full batches of 10",
			n, run.Inserted)
	}
	stored, err := db.FindRun(context.Background(), run.ID)
	if err != nil || stored.Status != fundhub.RunCancelled || stored.FinishedAt == nil {
		t.Errorf("stored run: got %+v (%v), want CANCELLED and finished", stored, err)
	}
}
