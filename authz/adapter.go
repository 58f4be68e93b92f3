package authz

import (
	"context"
	"fmt"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"github.com/jmoiron/sqlx"
)

// Adapter stores Casbin rules in the casbin_rules table of migration 00009.
// Every write fires that table's trigger, which NOTIFYs channel
// casbin_rules, so replicas running Authorizer.Listen reload. It is safe for
// concurrent use. The methods without a context use context.Background, as
// Casbin's persist.Adapter has none; prefer the Ctx ones.
type Adapter struct {
	db *sqlx.DB
}

var (
	_ persist.Adapter        = (*Adapter)(nil)
	_ persist.ContextAdapter = (*Adapter)(nil)
)

// NewAdapter returns an adapter over db's casbin_rules table.
func NewAdapter(db *sqlx.DB) *Adapter { return &Adapter{db: db} }

// ruleRow is one row of casbin_rules.
type ruleRow struct {
	PType string `db:"ptype"`
	V0    string `db:"v0"`
	V1    string `db:"v1"`
	V2    string `db:"v2"`
	V3    string `db:"v3"`
	V4    string `db:"v4"`
	V5    string `db:"v5"`
}

// fields returns ptype and the rule's fields, trailing empty ones dropped.
func (r ruleRow) fields() []string {
	f := []string{r.PType, r.V0, r.V1, r.V2, r.V3, r.V4, r.V5}
	for len(f) > 1 && f[len(f)-1] == "" {
		f = f[:len(f)-1]
	}

	return f
}

// newRuleRow lays ptype and rule out as a row; a rule of more than six
// fields does not fit the table.
func newRuleRow(ptype string, rule []string) (ruleRow, error) {
	if len(rule) > 6 {
		return ruleRow{}, fmt.Errorf("rule %v has %d fields, at most 6 fit", rule, len(rule))
	}
	v := make([]string, 6)
	copy(v, rule)

	return ruleRow{ptype, v[0], v[1], v[2], v[3], v[4], v[5]}, nil
}

// LoadPolicyCtx adds every stored rule to m, in the order they were added.
func (a *Adapter) LoadPolicyCtx(ctx context.Context, m model.Model) error {
	var rows []ruleRow
	err := a.db.SelectContext(ctx, &rows, `
		SELECT ptype, v0, v1, v2, v3, v4, v5 FROM casbin_rules ORDER BY id`)
	if err != nil {
		return fmt.Errorf("loading casbin rules: %w", err)
	}

	for _, r := range rows {
		if err := persist.LoadPolicyArray(r.fields(), m); err != nil {
			return fmt.Errorf("loading casbin rule %v: %w", r.fields(), err)
		}
	}

	return nil
}

// SavePolicyCtx replaces every stored rule with the p and g rules of m, in
// one transaction, so other replicas never load half a policy.
func (a *Adapter) SavePolicyCtx(ctx context.Context, m model.Model) error {
	var rows []ruleRow
	for _, sec := range []string{"p", "g"} {
		for ptype, ast := range m[sec] {
			for _, rule := range ast.Policy {
				r, err := newRuleRow(ptype, rule)
				if err != nil {
					return fmt.Errorf("saving casbin rules: %w", err)
				}
				rows = append(rows, r)
			}
		}
	}

	return a.replace(ctx, rows)
}

func (a *Adapter) replace(ctx context.Context, rows []ruleRow) error {
	tx, err := a.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("saving casbin rules: %w", err)
	}
	defer tx.Rollback()

	if _, err := tx.ExecContext(ctx, `DELETE FROM casbin_rules`); err != nil {
		return fmt.Errorf("clearing casbin rules: %w", err)
	}
	for _, r := range rows {
		if _, err := tx.NamedExecContext(ctx, insertRule, r); err != nil {
			return fmt.Errorf("saving casbin rule %v: %w", r.fields(), err)
		}
	}

	if err := tx.Commit(); err != nil {
		return fmt.Errorf("saving casbin rules: %w", err)
	}

	return nil
}

const insertRule = `
	INSERT INTO casbin_rules (ptype, v0, v1, v2, v3, v4, v5)
	VALUES (:ptype, :v0, :v1, :v2, :v3, :v4, :v5)
	ON CONFLICT DO NOTHING`

// AddPolicyCtx stores one rule; storing a rule already there changes
// nothing.
func (a *Adapter) AddPolicyCtx(ctx context.Context, sec, ptype string, rule []string) error {
	r, err := newRuleRow(ptype, rule)
	if err != nil {
		return fmt.Errorf("adding casbin rule: %w", err)
	}

	if _, err := a.db.NamedExecContext(ctx, insertRule, r); err != nil {
		return fmt.Errorf("adding casbin rule %v: %w", r.fields(), err)
	}

	return nil
}

// RemovePolicyCtx deletes the rule equal to rule; removing a rule that is
// not stored changes nothing.
func (a *Adapter) RemovePolicyCtx(ctx context.Context, sec, ptype string, rule []string) error {
	r, err := newRuleRow(ptype, rule)
	if err != nil {
		return fmt.Errorf("removing casbin rule: %w", err)
	}

	_, err = a.db.NamedExecContext(ctx, `
		DELETE FROM casbin_rules
		WHERE ptype = :ptype AND v0 = :v0 AND v1 = :v1 AND v2 = :v2
			AND v3 = :v3 AND v4 = :v4 AND v5 = :v5`, r)
	if err != nil {
		return fmt.Errorf("removing casbin rule %v: %w", r.fields(), err)
	}

	return nil
}

// RemoveFilteredPolicyCtx deletes the rules of ptype whose fields from
// fieldIndex on equal fieldValues; an empty value matches any field.
func (a *Adapter) RemoveFilteredPolicyCtx(ctx context.Context, sec, ptype string,
	fieldIndex int, fieldValues ...string) error {
	if fieldIndex < 0 || fieldIndex+len(fieldValues) > 6 {
		return fmt.Errorf("removing casbin rules: fields %d to %d out of range",
			fieldIndex, fieldIndex+len(fieldValues))
	}

	where, args := `ptype = $1`, []any{ptype}
	for i, v := range fieldValues {
		if v == "" {
			continue
		}
		args = append(args, v)
		where += fmt.Sprintf(` AND v%d = $%d`, fieldIndex+i, len(args))
	}

	q := `DELETE FROM casbin_rules WHERE ` + where
	if _, err := a.db.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("removing casbin rules of %s: %w", ptype, err)
	}

	return nil
}

// LoadPolicy is LoadPolicyCtx without a context, for Casbin.
func (a *Adapter) LoadPolicy(m model.Model) error {
	return a.LoadPolicyCtx(context.Background(), m)
}

// SavePolicy is SavePolicyCtx without a context, for Casbin.
func (a *Adapter) SavePolicy(m model.Model) error {
	return a.SavePolicyCtx(context.Background(), m)
}

// AddPolicy is AddPolicyCtx without a context, for Casbin.
func (a *Adapter) AddPolicy(sec, ptype string, rule []string) error {
	return a.AddPolicyCtx(context.Background(), sec, ptype, rule)
}

// RemovePolicy is RemovePolicyCtx without a context, for Casbin.
func (a *Adapter) RemovePolicy(sec, ptype string, rule []string) error {
	return a.RemovePolicyCtx(context.Background(), sec, ptype, rule)
}

// RemoveFilteredPolicy is RemoveFilteredPolicyCtx without a context, for
// Casbin.
func (a *Adapter) RemoveFilteredPolicy(sec, ptype string, fieldIndex int,
	fieldValues ...string) error {
	return a.RemoveFilteredPolicyCtx(context.Background(), sec, ptype, fieldIndex,
		fieldValues...)
}
