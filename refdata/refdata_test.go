package refdata

import (
	"strings"
	"testing"
)

func TestParseRegions_RefusesBadLists(t *testing.T) {
	head := "code,name,level,parent_code\n"
	tests := []struct{ name, csv, want string }{
		{"empty", head, "no regions"},
		{"twice", head + "330000,浙江省,province,\n330000,浙江,province,\n", "also on line"},
		{"parent too high", head + "330000,浙江省,province,\n330106,西湖区,county,330000\n",
			"parent 330000 is a province"},
		{"parent missing", head + "330100,杭州市,city,330000\n", "not in the list"},
		{"bad code", head + "33000,浙江省,province,\n", "six digits"},
	}
	for _, tt := range tests {
		_, err := ParseRegions(strings.NewReader(tt.csv))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error about %q", tt.name, err, tt.want)
		}
	}
}

func TestParseRegions_TheShippedListIsWhole(t *testing.T) {
	b, _, err := Embedded(RegionsFile)
	if err != nil {
		t.Fatal(err)
	}

	rows, err := ParseRegions(strings.NewReader(string(b)))
	if err != nil || len(rows) != 3222 {
		t.Errorf("got %d regions (%v), want 3222", len(rows), err)
	}
}
