package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"

	"fundhub"
)

// CreateConnector declares a new connector and audits it as actor's act.
// CONFLICT when the name is taken.
func (d *DB) CreateConnector(ctx context.Context, c *fundhub.Connector, actor string) error {
	return d.inTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, c, `INSERT INTO connectors
			(name, kind, schedule, enabled, config) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (name) DO NOTHING RETURNING `+connectorCols,
			c.Name, c.Kind, c.Schedule, c.Enabled, []byte(c.Config))
		if isNoRows(err) {
			return fundhub.Errorf(fundhub.ECONFLICT, "a connector named %s exists", c.Name)
		}
		if err != nil {
			return fmt.Errorf("creating connector %s: %w", c.Name, err)
		}

		return auditConnector(ctx, tx, actor, "connector.create", nil, c)
	})
}

// UpdateConnector replaces the declaration of the connector named c.Name
// and audits the before and after. ENOTFOUND when there is none.
func (d *DB) UpdateConnector(ctx context.Context, c *fundhub.Connector, actor string) error {
	return d.inTx(ctx, func(tx *sqlx.Tx) error {
		before, err := lockConnector(ctx, tx, c.Name)
		if err != nil {
			return err
		}

		err = tx.GetContext(ctx, c, `UPDATE connectors SET kind = $2, schedule = $3,
			enabled = $4, config = $5, updated_at = now() WHERE name = $1
			RETURNING `+connectorCols, c.Name, c.Kind, c.Schedule, c.Enabled, []byte(c.Config))
		if err != nil {
			return fmt.Errorf("updating connector %s: %w", c.Name, err)
		}
		if err := resetCursorOnNewSource(ctx, tx, before, c); err != nil {
			return err
		}

		return auditConnector(ctx, tx, actor, "connector.update", before, c)
	})
}

// SetConnectorEnabled enables or disables a connector's scheduled runs and
// returns it. ENOTFOUND when there is none.
func (d *DB) SetConnectorEnabled(ctx context.Context, name string, enabled bool,
	actor string) (*fundhub.Connector, error) {
	var c fundhub.Connector
	err := d.inTx(ctx, func(tx *sqlx.Tx) error {
		before, err := lockConnector(ctx, tx, name)
		if err != nil {
			return err
		}

		err = tx.GetContext(ctx, &c, `UPDATE connectors SET enabled = $2,
			updated_at = now() WHERE name = $1 RETURNING `+connectorCols, name, enabled)
		if err != nil {
			return fmt.Errorf("updating connector %s: %w", name, err)
		}

		return auditConnector(ctx, tx, actor, "connector.enable", before, &c)
	})

	return &c, err
}

func lockConnector(ctx context.Context, tx *sqlx.Tx, name string) (*fundhub.Connector, error) {
	var c fundhub.Connector
	err := tx.GetContext(ctx, &c, `SELECT `+connectorCols+` FROM connectors
		WHERE name = $1 FOR UPDATE`, name)
	if err != nil {
		return nil, notFound(err, "connector", name)
	}

	return &c, nil
}

// auditConnector records a change of a connector's declaration.
func auditConnector(ctx context.Context, tx *sqlx.Tx, actor, action string,
	before, after *fundhub.Connector) error {
	enc := func(c *fundhub.Connector) any {
		if c == nil {
			return nil
		}
		b, _ := json.Marshal(map[string]any{"kind": c.Kind, "schedule": c.Schedule,
			"enabled": c.Enabled, "config": c.Config})
		return string(b)
	}

	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (actor, action, entity,
		entity_id, before, after) VALUES ($1, $2, 'connector', $3, $4, $5)`,
		actor, action, after.Name, enc(before), enc(after))
	if err != nil {
		return fmt.Errorf("auditing connector %s: %w", after.Name, err)
	}

	return nil
}

// resetCursorOnNewSource drops the connector's cursor when its kind, its
// source settings or its key changed: a cursor of another source means
// nothing here, and the next run reads the new source whole.
func resetCursorOnNewSource(ctx context.Context, tx *sqlx.Tx, before,
	after *fundhub.Connector) error {
	if sourceIdentity(before) == sourceIdentity(after) {
		return nil
	}

	_, err := tx.ExecContext(ctx, `DELETE FROM sync_cursors WHERE connector_id = $1`,
		after.ID)
	if err != nil {
		return fmt.Errorf("resetting the cursor of %s: %w", after.Name, err)
	}

	return nil
}

// sourceIdentity is what a connector's cursor depends on: its kind, source
// settings and key columns, as canonical JSON.
func sourceIdentity(c *fundhub.Connector) string {
	var cfg struct {
		File    json.RawMessage `json:"file"`
		HTTP    json.RawMessage `json:"http"`
		SQL     json.RawMessage `json:"sql"`
		Mapping struct {
			Key []string `json:"key"`
		} `json:"mapping"`
	}
	json.Unmarshal(c.Config, &cfg)
	b, _ := json.Marshal(cfg)

	return c.Kind + string(b)
}
