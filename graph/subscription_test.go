package graph_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"fundhub"
	"fundhub/authz"
	"fundhub/graph"
	"fundhub/postgres"
	"fundhub/postgres/pgtest"
)

// wsMsg is a message of the graphql-transport-ws protocol.
type wsMsg struct {
	ID      string         `json:"id,omitempty"`
	Type    string         `json:"type"`
	Payload map[string]any `json:"payload,omitempty"`
}

// socket is a signed-in graphql-transport-ws connection of a test.
type socket struct {
	t    *testing.T
	ctx  context.Context
	conn *websocket.Conn
}

// feedDeps returns the GraphQL edge over db with a problem feed listening
// on db's own database, until ctx ends.
func feedDeps(t *testing.T, ctx context.Context, db *postgres.DB) graph.Deps {
	t.Helper()
	d := newDeps(t, db, db, nil)
	var name string
	pgtest.Get(t, db, &name, `SELECT current_database()`)
	d.Feed = graph.NewProblemFeed(d.Logger)
	if err := d.Feed.Listen(ctx, pgtest.URL(t, name)); err != nil {
		t.Fatal(err)
	}

	return d
}

// dial opens a socket to srv and signs it in with token.
func dial(t *testing.T, ctx context.Context, srv *httptest.Server, token string) *socket {
	t.Helper()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"),
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.CloseNow() })

	s := &socket{t: t, ctx: ctx, conn: conn}
	s.send(wsMsg{Type: "connection_init", Payload: map[string]any{
		"Authorization": "Bearer " + token}})
	if m := s.read(); m.Type != "connection_ack" {
		t.Fatalf("init: %+v", m)
	}

	return s
}

func (s *socket) send(m wsMsg) {
	s.t.Helper()
	if err := wsjson.Write(s.ctx, s.conn, m); err != nil {
		s.t.Fatal(err)
	}
}

func (s *socket) read() wsMsg {
	s.t.Helper()
	var m wsMsg
	if err := wsjson.Read(s.ctx, s.conn, &m); err != nil {
		s.t.Fatal(err)
	}

	return m
}

func TestSubscription_ProblemsRaisedWithinTheScope(t *testing.T) {
	db := pgtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d := feedDeps(t, ctx, db)
	srv := httptest.NewServer(graph.Handler(d))
	t.Cleanup(srv.Close)
	county := signIn(t, d, "xh", "330106", fundhub.DepartmentFinance, authz.RoleFinance)
	ws := dial(t, ctx, srv, county)
	ws.send(wsMsg{ID: "1", Type: "subscribe", Payload: map[string]any{
		"query": `subscription { problemRaised { title region { code } } }`}})
	// The subscription holds once the server has taken it, and a problem
	// raised before then is not sent: raise a pair, the neighbour's first,
	// until one arrives.
	go func() {
		for ctx.Err() == nil {
			_, _ = db.SQL().ExecContext(ctx, `INSERT INTO problems (kind, region_code, title,
				raised_by) VALUES ('OTHER', '330108', '滨江的问题', 'test'),
				('OTHER', '330106', '西湖的问题', 'test')`)
			time.Sleep(300 * time.Millisecond)
		}
	}()

	m := ws.read()
	data, _ := m.Payload["data"].(map[string]any)
	got, _ := data["problemRaised"].(map[string]any)
	if m.Type != "next" || got["title"] != "西湖的问题" {
		t.Errorf("first event: %+v, want 西湖's problem only", m)
	}

	// Signing out ends the stream at the next problem, not later.
	if _, r := postAs(t, srv.URL, county, `mutation { logout }`, nil); len(r.Errors) > 0 {
		t.Fatal(r.Errors)
	}
	// A problem already on its way before the logout may still arrive.
	for late := 0; ; late++ {
		m := ws.read()
		if m.Type == "complete" {
			break
		}
		if m.Type != "next" || late > 1 {
			t.Fatalf("after logout: %+v, want the subscription completed", m)
		}
	}

	// The socket itself no longer acts for the caller.
	ws.send(wsMsg{ID: "2", Type: "subscribe", Payload: map[string]any{
		"query": `{ me { username } }`}})
	m = ws.read()
	errs, _ := m.Payload["errors"].([]any)
	if len(errs) == 0 || !strings.Contains(fmt.Sprint(errs), "UNAUTHENTICATED") {
		t.Errorf("a query on the socket after logout: %+v, want UNAUTHENTICATED", m)
	}
}

func TestSubscription_FollowsTheCallersRolesAsTheyAreNow(t *testing.T) {
	db := pgtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d := feedDeps(t, ctx, db)
	if _, err := db.SQL().Exec(`
		INSERT INTO funds (id, name, year, category, direction, owner_region)
		VALUES (1, '地灾防治', 2024, 'CENTRAL', 'GEOHAZARD', '100000');
		INSERT INTO allocations (id, fund_id, from_region, to_region, amount, source)
		VALUES (1, 1, '330100', '330106', 100, 'CENTRAL_TRANSFER');`); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(graph.Handler(d))
	t.Cleanup(srv.Close)
	city := signIn(t, d, "hz", "330100", fundhub.DepartmentFinance, authz.RoleFinance)

	ws := dial(t, ctx, srv, city)
	ws.send(wsMsg{ID: "1", Type: "subscribe", Payload: map[string]any{
		"query": `subscription { problemRaised { title } }`}})

	// The city's finance department becomes its ecological department.
	if _, err := db.SQL().Exec(`UPDATE users SET roles = '{eco_restoration}'
		WHERE username = 'hz'`); err != nil {
		t.Fatal(err)
	}
	go func() {
		for ctx.Err() == nil {
			_, _ = db.SQL().ExecContext(ctx, `INSERT INTO problems (kind, region_code,
				allocation_id, title, raised_by) VALUES ('OTHER', '330106', 1, '地灾资金问题',
				'test'), ('OTHER', '330106', NULL, '区域问题', 'test')`)
			time.Sleep(300 * time.Millisecond)
		}
	}()

	m := ws.read()
	if got := fmt.Sprint(m.Payload); !strings.Contains(got, "区域问题") {
		t.Errorf("first event after the roles changed: %v, want the region's problem, "+
			"not the geohazard one", m)
	}
}
