package connectors

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/robfig/cron/v3"
	"gopkg.in/yaml.v3"

	"fundhub"
)

// Config declares one connector: what it reads, when, and how its rows map
// onto the graph. It is stored as the connector's JSON config and loaded
// from YAML files at start.
type Config struct {
	Name     string `json:"name" yaml:"name"`
	Kind     string `json:"kind" yaml:"kind"`
	Schedule string `json:"schedule,omitempty" yaml:"schedule"`
	// Enabled defaults to true when left out.
	Enabled *bool       `json:"enabled,omitempty" yaml:"enabled"`
	File    *FileConfig `json:"file,omitempty" yaml:"file"`
	HTTP    *HTTPConfig `json:"http,omitempty" yaml:"http"`
	SQL     *SQLConfig  `json:"sql,omitempty" yaml:"sql"`
	Mapping Mapping     `json:"mapping" yaml:"mapping"`
}

// FileConfig is the source of a file connector: a folder of CSV and XLSX
// files. A relative Dir is resolved against the config file's folder.
type FileConfig struct {
	Dir       string   `json:"dir" yaml:"dir"`
	Patterns  []string `json:"patterns,omitempty" yaml:"patterns"`
	Sheet     string   `json:"sheet,omitempty" yaml:"sheet"`
	Encoding  string   `json:"encoding,omitempty" yaml:"encoding"`
	HeaderRow int      `json:"headerRow,omitempty" yaml:"headerRow"`
}

var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// Validate checks the declaration and returns an EINVALID error naming the
// first field at fault.
func (c *Config) Validate() error {
	switch {
	case !namePattern.MatchString(c.Name):
		return fundhub.Invalid("name", "connector name %q must be lower-case letters, "+
			"digits, - or _", c.Name)
	}
	if err := c.validateSource(); err != nil {
		return err
	}
	if c.Schedule != "" {
		if _, err := cron.ParseStandard(c.Schedule); err != nil {
			return fundhub.Invalid("schedule", "connector %s: bad cron schedule %q: %v",
				c.Name, c.Schedule, err)
		}
	}

	return c.Mapping.Validate(c.Name)
}

// Connector returns the domain record of the declaration.
func (c *Config) Connector() (*fundhub.Connector, error) {
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encoding connector %s: %w", c.Name, err)
	}

	enabled := c.Enabled == nil || *c.Enabled
	return &fundhub.Connector{Name: c.Name, Kind: c.Kind, Schedule: c.Schedule,
		Enabled: enabled, Config: raw}, nil
}

// ParseConfig decodes a stored connector's config.
func ParseConfig(c *fundhub.Connector) (*Config, error) {
	var cfg Config
	dec := json.NewDecoder(bytes.NewReader(c.Config))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("decoding config of connector %s: %w", c.Name, err)
	}
	cfg.Name, cfg.Kind, cfg.Schedule = c.Name, c.Kind, c.Schedule

	return &cfg, nil
}

// LoadConfigFile reads a YAML file holding a list under "connectors",
// validates every entry and resolves relative folders against the file's.
// A key the format does not know (a misspelt "unti") is an error, not
// silently ignored, and so is a name declared twice.
func LoadConfigFile(path string) ([]*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading connector config: %w", err)
	}
	var doc struct {
		Connectors []*Config `yaml:"connectors"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	if err := uniqueNames(doc.Connectors); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}

	base, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("locating %s: %w", path, err)
	}
	for _, c := range doc.Connectors {
		if c.File != nil && c.File.Dir != "" && !filepath.IsAbs(c.File.Dir) {
			c.File.Dir = filepath.Join(base, c.File.Dir)
		}
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}

	return doc.Connectors, nil
}

func uniqueNames(cs []*Config) error {
	seen := map[string]bool{}
	for _, c := range cs {
		if seen[c.Name] {
			return fundhub.Invalid("name", "connector %s is declared twice", c.Name)
		}
		seen[c.Name] = true
	}

	return nil
}

// validateSource checks that the settings of the connector's kind are there
// and sound.
func (c *Config) validateSource() error {
	switch c.Kind {
	case "file":
		if c.File == nil || c.File.Dir == "" {
			return fundhub.Invalid("file.dir", "connector %s: a file connector needs file.dir",
				c.Name)
		}
		return nil
	case "http":
		if c.HTTP == nil {
			return fundhub.Invalid("http", "connector %s: an http connector needs http", c.Name)
		}
		return c.HTTP.validate(c.Name)
	case "sql":
		if c.SQL == nil {
			return fundhub.Invalid("sql", "connector %s: a sql connector needs sql", c.Name)
		}
		return c.SQL.validate(c.Name)
	}

	return fundhub.Invalid("kind", "connector %s: unknown kind %q (known: file, http, sql)",
		c.Name, c.Kind)
}

// FromInput builds a connector from a declaration sent over the API. The
// config JSON is decoded strictly and validated like a config file's entry;
// a file connector's folder must be an absolute path, since the API has no
// file to be relative to.
func FromInput(in fundhub.ConnectorInput) (*fundhub.Connector, error) {
	var cfg Config
	dec := json.NewDecoder(bytes.NewReader([]byte(in.Config)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return nil, fundhub.Invalid("config", "config is not a valid declaration: %v", err)
	}

	cfg.Name, cfg.Kind, cfg.Enabled = in.Name, in.Kind, in.Enabled
	if in.Schedule != nil {
		cfg.Schedule = *in.Schedule
	}
	if cfg.File != nil {
		if err := underFileRoot(cfg.Name, cfg.File.Dir); err != nil {
			return nil, err
		}
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}

	return cfg.Connector()
}

// FileRootEnv names the environment variable holding the folder under which
// file connectors declared over the API may read. Without it, the API
// declares no file connector: a caller could otherwise read any folder of
// the server. Config files, written by whoever runs the server, may name
// any folder.
const FileRootEnv = "FUNDHUB_FILE_ROOT"

func underFileRoot(name, dir string) error {
	root := os.Getenv(FileRootEnv)
	if root == "" {
		return fundhub.Invalid("file.dir", "connector %s: file connectors are declared in "+
			"config files unless %s names a folder they may read", name, FileRootEnv)
	}
	rel, err := filepath.Rel(filepath.Clean(root), filepath.Clean(dir))
	if !filepath.IsAbs(dir) || err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return fundhub.Invalid("file.dir", "connector %s: file.dir must be an absolute "+
			"folder under %s", name, root)
	}

	return nil
}
