package monitor_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/shopspring/decimal"

	"fundhub/monitor"
)

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	cfg, err := monitor.LoadConfig(write("ok.yaml", "slowPayment:\n  yellowGap: \"5\"\n"+
		"  redGap: 15\nnotPassedOnDays: 45\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.SlowPayment.YellowGap.Equal(decimal.NewFromInt(5)) ||
		!cfg.SlowPayment.RedGap.Equal(decimal.NewFromInt(15)) || cfg.NotPassedOnDays != 45 ||
		!cfg.SlowPayment.Floor.Equal(monitor.DefaultConfig().SlowPayment.Floor) {
		t.Errorf("loaded: %+v", cfg)
	}

	if _, err := monitor.LoadConfig(write("bad.yaml", "slowPayment:\n  yellowGap: 30\n"+
		"  redGap: 20\n")); err == nil {
		t.Error("a red gap below the yellow one was accepted")
	}
}

func TestLoadConfig_RefusesMisspeltKeysAndNegativeTolerance(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"typo.yaml":      "slowPayment:\n  yelowGap: 5\n",
		"tolerance.yaml": "paidTolerance: -1\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := monitor.LoadConfig(p); err == nil {
			t.Errorf("%s was accepted", name)
		}
	}
}
