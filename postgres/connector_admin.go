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
