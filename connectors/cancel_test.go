package connectors_test

import (
	"context"
	"fmt"
	"testing"

	"fundhub"
	"fundhub/connectors"
	"fundhub/postgres/pgtest"
)

// blockingSource yields n rows in pages of 10, signals, then waits for its
// context to end, as a slow source does when the server shuts down mid-run.
type blockingSource struct {
	n       int
	reached chan struct{}
}

func (s blockingSource) Read(ctx context.Context, _ string,
	fn func(connectors.Page) error) error {
	for i := 0; i < s.n; i += 10 {
		var rows []connectors.Row
		for j := i; j < min(i+10, s.n); j++ {
			rows = append(rows, connectors.Row{Ref: fmt.Sprintf("slow:%d", j+1),
				Values: map[string]string{"编号": fmt.Sprintf("S%d", j), "地区": "杭州市",
					connectors.NormalizeText("金额（万元）"): "1"}})
		}
		if err := fn(connectors.Page{Rows: rows}); err != nil {
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
	if n != 25 || run.Inserted != 25 {
		t.Errorf("committed: got %d rows (run says %d), want the 25 rows of the pages "+
			"read before the source stalled", n, run.Inserted)
	}
	stored, err := db.FindRun(context.Background(), run.ID)
	if err != nil || stored.Status != fundhub.RunCancelled || stored.FinishedAt == nil ||
		stored.Inserted != 25 {
		t.Errorf("stored run: got %+v (%v), want CANCELLED, finished, 25 inserted", stored, err)
	}
}
