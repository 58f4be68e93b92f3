package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"fundhub"
	"fundhub/connectors"
	"fundhub/connectors/source"
	"fundhub/postgres"
)

// loadDemo declares and runs the demo's file connectors over the published
// files; the demo's live connectors need the stand-in systems.
func loadDemo(t *testing.T, db *postgres.DB) {
	t.Helper()
	ctx := context.Background()
	cfgs, err := connectors.LoadConfigFile("../demo/connectors.yaml")
	if err != nil {
		t.Fatal(err)
	}

	r := &connectors.Runner{Store: db, Open: source.Open, Regions: db.AllRegions,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, cfg := range cfgs {
		if cfg.Kind != "file" {
			continue
		}
		c, err := cfg.Connector()
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SaveConnector(ctx, c); err != nil {
			t.Fatal(err)
		}
		if run, err := r.Run(ctx, c, "test"); err != nil || run.Status != fundhub.RunSucceeded {
			t.Fatalf("syncing %s: %v %v", c.Name, err, run)
		}
	}
}

// server serves GraphQL over db to a signed-in national administrator.
func server(t *testing.T, db *postgres.DB) *httptest.Server {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	disp := connectors.NewDispatcher(&connectors.Runner{Store: db, Open: source.Open,
		Regions: db.AllRegions, Logger: logger}, db.FindConnectorByName)
	t.Cleanup(func() { disp.Stop(context.Background()) })
	srv := httptest.NewServer(nationalAdmin(t, newDeps(t, db, db, disp)))
	t.Cleanup(srv.Close)

	return srv
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

type response struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

// query posts a query and decodes the data into out, failing the test on
// any GraphQL error.
func query(t *testing.T, srv *httptest.Server, q string, vars map[string]any, out any) {
	t.Helper()
	resp := post(t, srv, q, vars)
	if len(resp.Errors) > 0 {
		t.Fatalf("query failed: %+v", resp.Errors)
	}
	if err := json.Unmarshal(resp.Data, out); err != nil {
		t.Fatalf("decoding %s: %v", resp.Data, err)
	}
}

func post(t *testing.T, srv *httptest.Server, q string, vars map[string]any) response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	res, err := http.Post(srv.URL, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()

	var out response
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("decoding response: %v", err)
	}

	return out
}
