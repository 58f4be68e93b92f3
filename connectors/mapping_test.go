package connectors

import (
	"os"
	"strings"
	"testing"

	"fundhub"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in, op, value, text string
	}{
		{"80000", "=", "80000", ""},
		{"≥85", ">=", "85", "≥85"},
		{">30", ">", "30", ">30"},
		{"约550", "~", "550", "约550"},
		{"定性", "", "", "定性"},
		{"2023年底", "", "", "2023年底"},
		{"", "", "", ""},
	}
	for _, tt := range tests {
		op, v, text := ParseTarget(tt.in)
		got := ""
		if v != nil {
			got = v.String()
		}
		if op != tt.op || got != tt.value || text != tt.text {
			t.Errorf("ParseTarget(%q): got %q %q %q, want %q %q %q",
				tt.in, op, got, text, tt.op, tt.value, tt.text)
		}
	}
}

func TestTranslate(t *testing.T) {
	f := Field{
		Map:       map[string]string{"中央": "CENTRAL", "中央财政": "CENTRAL", "central": "CENTRAL"},
		Match:     []MatchRule{{Contains: "省级", Value: "LOCAL"}},
		Default:   "SOCIAL",
		Otherwise: "OTHER",
	}
	tests := []struct{ in, want string }{
		{"中央", "CENTRAL"}, {"中央财政", "CENTRAL"}, {"central", "CENTRAL"},
		{"2022年省级对下转移支付", "LOCAL"}, {"其他", "OTHER"}, {"", "SOCIAL"},
	}
	for _, tt := range tests {
		if got := translate(f, tt.in); got != tt.want {
			t.Errorf("translate(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}

	plain := Field{Default: "X"}
	if got := translate(plain, "value"); got != "value" {
		t.Errorf("translate without maps: got %q, want the value itself", got)
	}
	typo := Field{Map: map[string]string{"中央": "CENTRAL"}, Default: "CENTRAL"}
	if got := translate(typo, "中殃"); got != "中殃" {
		t.Errorf("an unmatched value without otherwise: got %q, want it passed through "+
			"so the enum rejects it", got)
	}
}

func TestMapping_Validate(t *testing.T) {
	full := func() Mapping {
		return Mapping{Entity: "allocation", Key: []string{"k"}, Fields: map[string]Field{
			"fund": {Column: "f"}, "year": {Const: "2024"}, "category": {Const: "CENTRAL"},
			"direction": {Const: "GEOHAZARD"}, "source": {Const: "CENTRAL_TRANSFER"},
			"from_region": {Const: "100000"}, "to_region": {Column: "r"},
			"amount": {Column: "a", Unit: "wan"},
		}}
	}
	tests := []struct {
		name  string
		edit  func(*Mapping)
		field string
	}{
		{"valid", func(*Mapping) {}, ""},
		{"unknown entity", func(m *Mapping) { m.Entity = "invoice" }, "mapping.entity"},
		{"no key", func(m *Mapping) { m.Key = nil }, "mapping.key"},
		{"missing amount", func(m *Mapping) { delete(m.Fields, "amount") }, "mapping.fields.amount"},
		{"unknown field", func(m *Mapping) { m.Fields["colour"] = Field{Const: "red"} },
			"mapping.fields.colour"},
	}
	for _, tt := range tests {
		m := full()
		tt.edit(&m)
		err := m.Validate("demo")
		if got := fundhub.ErrorField(err); got != tt.field {
			t.Errorf("%s: got field %q (%v), want %q", tt.name, got, err, tt.field)
		}
		if err != nil && !strings.Contains(err.Error(), "demo") {
			t.Errorf("%s: error %q does not name the connector", tt.name, err)
		}
	}
}

func TestConfig_Validate(t *testing.T) {
	base := func() Config {
		return Config{Name: "ok-name", Kind: "file", File: &FileConfig{Dir: "/x"},
			Mapping: Mapping{Entity: "target", Key: []string{"k"}, Fields: map[string]Field{
				"fund": {Column: "f"}, "year": {Column: "y"}, "category": {Const: "CENTRAL"},
				"direction": {Const: "ECO_RESTORATION"}, "region": {Column: "r"},
				"indicator": {Column: "i"},
			}}}
	}
	tests := []struct {
		name  string
		edit  func(*Config)
		field string
	}{
		{"valid", func(*Config) {}, ""},
		{"bad name", func(c *Config) { c.Name = "Bad Name" }, "name"},
		{"unknown kind", func(c *Config) { c.Kind = "ftp" }, "kind"},
		{"no folder", func(c *Config) { c.File = nil }, "file.dir"},
		{"bad schedule", func(c *Config) { c.Schedule = "every day" }, "schedule"},
		{"good schedule", func(c *Config) { c.Schedule = "*/5 * * * *" }, ""},
	}
	for _, tt := range tests {
		c := base()
		tt.edit(&c)
		if got := fundhub.ErrorField(c.Validate()); got != tt.field {
			t.Errorf("%s: got field %q, want %q", tt.name, got, tt.field)
		}
	}
}

func TestLoadConfigFile_RefusesTyposAndTwins(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"misspelt key", `connectors:
  - name: a
    kind: file
    file: {dir: x}
    mapping:
      entity: allocation
      key: [k]
      fields: {amount: {column: a, unti: wan}}`, "unti"},
		{"declared twice", `connectors:
  - {name: a, kind: file, file: {dir: x}, mapping: {entity: target, key: [k], fields: {}}}
  - {name: a, kind: file, file: {dir: x}, mapping: {entity: target, key: [k], fields: {}}}`,
			"declared twice"},
	}
	for _, tt := range tests {
		path := t.TempDir() + "/c.yaml"
		if err := os.WriteFile(path, []byte(tt.yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadConfigFile(path)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error about %q", tt.name, err, tt.want)
		}
	}
}
