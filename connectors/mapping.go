package connectors

import (
	"fmt"
	"sort"
	"strings"

	"fundhub"
)

// Mapping declares how the rows of a source become records of one entity.
type Mapping struct {
	// Entity is allocation, target, payment, project, fund or report_line.
	Entity string `json:"entity" yaml:"entity"`
	// Key lists the columns whose values, joined, form a row's external id.
	Key []string `json:"key" yaml:"key"`
	// TotalColumn names the column holding a row's label; a row labelled as
	// a total (合计, 总计, 地方合计, ...) is recognised and skipped, not
	// taken for a region.
	TotalColumn string `json:"totalColumn,omitempty" yaml:"totalColumn"`
	// SkipEmpty lists columns whose blank value means the row carries no
	// figures (a printed table lists a region with empty cells); such rows
	// are skipped and counted, not rejected.
	SkipEmpty []string `json:"skipEmpty,omitempty" yaml:"skipEmpty"`
	// Fields maps each field of the entity to where its value comes from.
	Fields map[string]Field `json:"fields" yaml:"fields"`
	// Deleted, when set, says how the source marks a deleted record and
	// what the hub does with it. Nothing is ever deleted from the hub.
	Deleted *DeletedRule `json:"deleted,omitempty" yaml:"deleted"`
	// AllocationSource names the connector whose allocation keys a
	// payment's allocation_ref refers to.
	AllocationSource string `json:"allocationSource,omitempty" yaml:"allocationSource"`
}

// DeletedRule recognises records deleted at the source: a record whose
// Column holds one of Values (a deletion flag such as is_deleted = 1) is
// withdrawn in the hub (Action "withdraw", the default: kept, no longer
// counted) or left as it was (Action "ignore").
type DeletedRule struct {
	Column string   `json:"column" yaml:"column"`
	Values []string `json:"values" yaml:"values"`
	Action string   `json:"action,omitempty" yaml:"action"`
}

// Field says where one field's value comes from and how to read it.
type Field struct {
	// Column is the source column; Const a fixed value used instead.
	Column string `json:"column,omitempty" yaml:"column"`
	Const  string `json:"const,omitempty" yaml:"const"`
	// Unit of an amount column: yuan, wan (万元) or yi (亿元).
	Unit string `json:"unit,omitempty" yaml:"unit"`
	// Map translates source values exactly (中央财政 → CENTRAL).
	Map map[string]string `json:"map,omitempty" yaml:"map"`
	// Match translates a value containing a text, first match wins.
	Match []MatchRule `json:"match,omitempty" yaml:"match"`
	// Default is used when the value is blank.
	Default string `json:"default,omitempty" yaml:"default"`
	// Otherwise is used when a value matches no Map or Match entry; without
	// it such a value passes through as it is, and an enum field rejects it,
	// so a misspelt value is never silently taken for another.
	Otherwise string `json:"otherwise,omitempty" yaml:"otherwise"`
}

// MatchRule maps any value containing Contains to Value.
type MatchRule struct {
	Contains string `json:"contains" yaml:"contains"`
	Value    string `json:"value" yaml:"value"`
}

// entityFields lists each entity's fields; true marks a required one.
var entityFields = map[string]map[string]bool{
	"allocation": {
		"fund": true, "year": true, "category": true, "direction": true,
		"source": true, "from_region": true, "to_region": true, "amount": true,
		"document_no": false, "issued_on": false, "fund_code": false,
		"fund_owner": false,
	},
	"target": {
		"fund": true, "year": true, "category": true, "direction": true,
		"region": true, "indicator": true, "level1": false, "level2": false,
		"unit": false, "target": false, "fund_code": false, "fund_owner": false,
		"project_code": false,
	},
	"payment": {
		"amount": true, "paid_on": true, "allocation_ref": false, "region": false,
		"project_code": false, "source": false, "reverses": false,
	},
	"project": {
		"name": true, "region": true, "direction": true, "code": false,
		"reserve_status": false, "planned_investment": false, "start_on": false,
		"end_on": false,
	},
	"fund": {
		"fund": true, "year": true, "category": true, "direction": true,
		"fund_code": false, "fund_owner": false,
	},
	"report_line": {
		"region": true, "year": true, "quarter": true, "allocation_ref": false,
		"project_code": false, "source": false, "paid_amount": false,
		"actual_value": false, "note": false,
	},
}

// Validate checks that the entity is known, that every required field is
// mapped and no unknown one is, and names the first problem.
func (m *Mapping) Validate(connector string) error {
	fields, ok := entityFields[m.Entity]
	if !ok {
		return fundhub.Invalid("mapping.entity", "connector %s: unknown entity %q "+
			"(known: allocation, target, payment, project, fund, report_line)", connector,
			m.Entity)
	}
	if d := m.Deleted; d != nil && (d.Column == "" || len(d.Values) == 0 ||
		(d.Action != "" && d.Action != "withdraw" && d.Action != "ignore")) {
		return fundhub.Invalid("mapping.deleted", "connector %s: deleted needs a column, "+
			"the values that mean deleted, and an action of withdraw or ignore", connector)
	}
	if (m.Entity == "payment" || m.Entity == "report_line") &&
		m.Fields["allocation_ref"].Column != "" &&
		m.AllocationSource == "" {
		return fundhub.Invalid("mapping.allocationSource", "connector %s: allocation_ref "+
			"needs allocationSource, the connector whose keys it refers to", connector)
	}
	if len(m.Key) == 0 {
		return fundhub.Invalid("mapping.key", "connector %s: mapping needs key columns", connector)
	}

	for _, name := range sortedKeys(fields) {
		f, ok := m.Fields[name]
		if fields[name] && (!ok || (f.Column == "" && f.Const == "" && f.Default == "")) {
			return fundhub.Invalid("mapping.fields."+name,
				"connector %s: required field %s is not mapped", connector, name)
		}
	}
	for name, f := range m.Fields {
		if _, ok := fields[name]; !ok {
			return fundhub.Invalid("mapping.fields."+name,
				"connector %s: entity %s has no field %s", connector, m.Entity, name)
		}
		if _, ok := unitFactors[f.Unit]; f.Unit != "" && !ok {
			return fundhub.Invalid("mapping.fields."+name+".unit", "connector %s: unit %q "+
				"is not yuan, wan (万元) or yi (亿元)", connector, f.Unit)
		}
	}

	return nil
}

// Columns returns every source column the mapping reads, which a reader uses
// to find the header row.
func (m *Mapping) Columns() []string {
	seen := map[string]bool{}
	add := func(c string) {
		if c != "" {
			seen[c] = true
		}
	}
	for _, c := range m.Key {
		add(c)
	}
	add(m.TotalColumn)
	for _, f := range m.Fields {
		add(f.Column)
	}
	if m.Deleted != nil {
		add(m.Deleted.Column)
	}

	return sortedKeys(seen)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)

	return out
}

// externalID joins the key columns' values of a row.
func (m *Mapping) externalID(r Row) (string, error) {
	parts := make([]string, len(m.Key))
	for i, c := range m.Key {
		v := strings.TrimSpace(r.Values[NormalizeText(c)])
		if v == "" {
			return "", fmt.Errorf("key column %s is empty", c)
		}
		parts[i] = v
	}

	return strings.Join(parts, "|"), nil
}
