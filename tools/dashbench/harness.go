package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"syscall"
	"time"

	"fundhub"
	"fundhub/auth"
	"fundhub/authz"
	"fundhub/connectors"
	"fundhub/connectors/source"
	"fundhub/graph"
	"fundhub/postgres"
)

// benchUser is the ministry official the dashboard queries run as: read on
// every direction at the nation, as a national dashboard's token has.
const benchUser = "dashbench"

// harness is the hub's GraphQL handler on a loopback test server, wired as
// fundhub serve wires it, with an API token of the bench's user and the
// scope that user reads with.
type harness struct {
	db     *postgres.DB
	srv    *httptest.Server
	disp   *connectors.Dispatcher
	token  string
	scope  fundhub.Scope
	client *http.Client
}

// newHarness builds the handler's dependencies as fundhub serve does, minus
// the schedule and the LISTEN connections, which no query here needs.
func newHarness(ctx context.Context, db *postgres.DB, logger *slog.Logger) (*harness, error) {
	policy, err := authz.New(ctx, db.SQL(), logger)
	if err != nil {
		return nil, fmt.Errorf("loading policies: %w", err)
	}
	runner := &connectors.Runner{Store: db, Regions: db.AllRegions, Logger: logger,
		Slots: connectors.DefaultSlots(),
		Open: func(c *connectors.Config) (connectors.Source, error) {
			return source.OpenWith(c, logger)
		}}
	h := &harness{db: db, client: &http.Client{Timeout: 5 * time.Minute},
		disp: connectors.NewDispatcher(runner, db.FindConnectorByName)}
	deps := graph.Deps{Store: db, Syncer: h.disp, Auth: auth.New(db, logger),
		Policy: policy, Logger: logger, Feed: graph.NewProblemFeed(logger)}

	if err := h.signIn(ctx, deps); err != nil {
		h.disp.Stop(ctx)
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/graphql", graph.Handler(deps))
	// httptest listens on 127.0.0.1 only.
	h.srv = httptest.NewServer(mux)

	return h, nil
}

func (h *harness) close() {
	h.srv.Close()
	h.disp.Stop(context.Background())
}

// signIn creates the bench's user when missing and a fresh API token for
// it, through the same service calls as fundhub user add and token create,
// and reads the scope the handler will give its requests.
func (h *harness) signIn(ctx context.Context, deps graph.Deps) error {
	id, _, err := h.db.UserRegion(ctx, benchUser)
	if fundhub.ErrorCode(err) == fundhub.ENOTFOUND {
		id, err = createUser(ctx, deps.Auth)
	}
	if err != nil {
		return fmt.Errorf("finding user %s: %w", benchUser, err)
	}

	t, err := deps.Auth.CreateAPIToken(ctx, id, "dashbench", 24*time.Hour, nil)
	if err != nil {
		return fmt.Errorf("creating a token: %w", err)
	}
	c, err := deps.Auth.Authenticate(ctx, t.Token)
	if err != nil {
		return fmt.Errorf("checking the new token: %w", err)
	}
	h.token = t.Token
	h.scope = deps.Policy.Scope(authz.UserOf(c), authz.ActionRead)
	if !h.scope.All {
		// The hand-written statements of queries.go add no scope predicate.
		return fmt.Errorf("user %s does not read everything (%+v): change the policies "+
			"back or the statements of queries.go", benchUser, h.scope)
	}

	return nil
}

// createUser adds the bench's user at the ministry with a random password
// nobody needs: the bench signs in with an API token.
func createUser(ctx context.Context, s *auth.Service) (int64, error) {
	pw := make([]byte, 24)
	if _, err := rand.Read(pw); err != nil {
		return 0, err
	}
	u, err := s.CreateUser(ctx, fundhub.NewUser{Username: benchUser,
		DisplayName: "仪表盘基准", UnitRegion: fundhub.NationalCode, UnitName: "自然资源部",
		UnitKind: fundhub.DepartmentMinistrySupport, Roles: []string{"ministry_support"},
		Password: hex.EncodeToString(pw)}, nil)
	if err != nil {
		return 0, fmt.Errorf("creating user %s: %w", benchUser, err)
	}

	return u.ID, nil
}

// timing is what one query measured: the durations of its timed runs over
// GraphQL and in SQL.
type timing struct {
	q        dashQuery
	gql, sql []time.Duration
}

// measure times every query in turn.
func (h *harness) measure(ctx context.Context, qs []dashQuery, o options) ([]timing, error) {
	out := make([]timing, 0, len(qs))
	for _, q := range qs {
		t, err := h.measureOne(ctx, q, o)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", q.name, err)
		}
		fmt.Printf("  measured %-34s %2d runs\n", q.name, len(t.gql))
		out = append(out, t)
	}

	return out, nil
}

// slowWarmup is a warm-up long enough that the caches it fills no longer
// matter to the timing: the remaining warm-ups are skipped.
const slowWarmup = time.Second

// measureOne runs q o.warmup times untimed, then o.runs times timed, fewer
// when that would take over o.budget (one at least), alternating GraphQL
// and SQL so that both meet the same caches and load. A warm-up over the
// budget on its own is the only run.
func (h *harness) measureOne(ctx context.Context, q dashQuery, o options) (timing, error) {
	t := timing{q: q}
	stmts := q.statements(h.scope)
	body, err := json.Marshal(map[string]any{"query": q.graphql, "variables": q.variables})
	if err != nil {
		return t, fmt.Errorf("encoding the request: %w", err)
	}

	runs := o.runs
	for range o.warmup {
		g, s, err := h.timePair(ctx, body, stmts)
		if err != nil {
			return t, err
		}
		pair := g + s
		if pair > o.budget {
			// Caches no longer matter to a query this slow, and another
			// run would only double the wait: this one is its timing.
			t.gql, t.sql = []time.Duration{g}, []time.Duration{s}
			return t, nil
		}
		if time.Duration(runs)*pair > o.budget {
			runs = max(1, int(o.budget/pair))
		}
		if pair >= slowWarmup {
			break
		}
	}

	for range runs {
		g, s, err := h.timePair(ctx, body, stmts)
		if err != nil {
			return t, err
		}
		t.gql, t.sql = append(t.gql, g), append(t.sql, s)
	}

	return t, nil
}

// timePair times q once over GraphQL and once in SQL, its statements one
// after the other.
func (h *harness) timePair(ctx context.Context, body []byte,
	stmts []statement) (time.Duration, time.Duration, error) {
	g, err := h.timeGraphQL(ctx, body)
	if err != nil {
		return 0, 0, fmt.Errorf("over GraphQL: %w", err)
	}
	var s time.Duration
	for _, st := range stmts {
		d, err := h.timeSQL(ctx, st.sql, st.args)
		if err != nil {
			return 0, 0, fmt.Errorf("in SQL: %w", err)
		}
		s += d
	}

	return g, s, nil
}

// timeGraphQL posts one request and times it until the whole response is
// read; the response is checked for errors after the clock stops.
func (h *harness) timeGraphQL(ctx context.Context, body []byte) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.srv.URL+"/graphql",
		bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json")
	req.Header.Set("Authorization", "Bearer "+h.token)

	start := time.Now()
	res, err := h.client.Do(req)
	if err != nil {
		return 0, err
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	took := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("reading the response: %w", err)
	}

	return took, checkResponse(res.StatusCode, b)
}

// checkResponse fails on a status other than 200 or a response with errors,
// so a query the schema refuses is not timed as a fast one.
func checkResponse(status int, b []byte) error {
	var r struct {
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("status %d, decoding the response: %w", status, err)
	}
	if status != http.StatusOK || len(r.Errors) > 0 {
		msgs := make([]string, len(r.Errors))
		for i, e := range r.Errors {
			msgs[i] = e.Message
		}
		return fmt.Errorf("status %d: %s", status, strings.Join(msgs, "; "))
	}

	return nil
}

// timeSQL runs the statement on the hub's pool and reads every row, as the
// store would before answering.
func (h *harness) timeSQL(ctx context.Context, stmt string, args []any) (time.Duration,
	error) {
	start := time.Now()
	rows, err := h.db.SQL().QueryContext(ctx, stmt, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	dest := make([]any, len(cols))
	for i := range dest {
		dest[i] = new(sql.RawBytes)
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return 0, err
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}

	return time.Since(start), nil
}

// Targets of the dashboard: GraphQL adds at most half of the SQL's time,
// and no query keeps a dashboard waiting 300 ms.
const (
	maxOverhead = 1.5
	maxLatency  = 300 * time.Millisecond
)

// quantile returns the q-quantile of ds by nearest rank.
func quantile(ds []time.Duration, q float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s))*q+0.999999) - 1

	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }

// verdict prints the table and peak memory and fails when a target is
// missed; with explain it prints the plan of each query that missed one.
func (h *harness) verdict(ctx context.Context, w io.Writer, ts []timing, explain bool) error {
	fmt.Fprintf(w, "\n%-34s %4s %9s %9s %9s %9s %6s  %s\n", "query (ms)", "runs",
		"gql p50", "gql p90", "sql p50", "sql p90", "ratio", "verdict")
	var missed []string
	var slowest time.Duration
	for _, t := range ts {
		g, s := quantile(t.gql, 0.5), quantile(t.sql, 0.5)
		ratio := float64(g) / float64(s)
		var why []string
		if ratio > maxOverhead {
			why = append(why, fmt.Sprintf("GraphQL > %.1f× SQL", maxOverhead))
		}
		if g >= maxLatency {
			why = append(why, fmt.Sprintf("≥ %v", maxLatency))
		}
		slowest = max(slowest, g)
		fmt.Fprintf(w, "%-34s %4d %9s %9s %9s %9s %6.2f  %s\n", t.q.name, len(t.gql),
			ms(g), ms(quantile(t.gql, 0.9)), ms(s), ms(quantile(t.sql, 0.9)), ratio,
			okOr(why))
		if len(why) > 0 {
			missed = append(missed, t.q.name)
			if explain {
				h.explain(ctx, w, t.q)
			}
		}
	}
	fmt.Fprintf(w, "slowest GraphQL median %s ms; peak memory of this process: %d MiB\n",
		ms(slowest), peakRSS()>>10)

	if len(missed) > 0 {
		return fmt.Errorf("targets missed by %s", strings.Join(missed, ", "))
	}

	return nil
}

func okOr(why []string) string {
	if len(why) == 0 {
		return "ok"
	}

	return strings.Join(why, ", ")
}

// explain prints EXPLAIN ANALYZE of q's SQL, to tell where its time goes.
func (h *harness) explain(ctx context.Context, w io.Writer, q dashQuery) {
	for _, st := range q.statements(h.scope) {
		var plan []string
		err := h.db.SQL().SelectContext(ctx, &plan, `EXPLAIN (ANALYZE, BUFFERS) `+st.sql,
			st.args...)
		if err != nil {
			fmt.Fprintf(w, "  explaining %s: %v\n", q.name, err)
			return
		}
		fmt.Fprintf(w, "\n  plan of %s:\n", q.name)
		for _, l := range plan {
			fmt.Fprintf(w, "    %s\n", l)
		}
		fmt.Fprintln(w)
	}
}

// peakRSS returns the peak resident memory of this process in KiB.
func peakRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}

	return ru.Maxrss
}
