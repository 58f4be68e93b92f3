package financesim

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"fundhub/tools/simdata"
)

func TestEmbeddedAllocations(t *testing.T) {
	allocs, err := EmbeddedAllocations()
	if err != nil {
		t.Fatalf("reading embedded allocations: %v", err)
	}
	if len(allocs) != 37 {
		t.Fatalf("allocations: got %d, want 37", len(allocs))
	}

	first := allocs[0]
	want := Allocation{Fund: "中央对地方重点生态功能区转移支付", Year: 2020,
		DocumentNo: "财预〔2020〕49号", Province: "北京市", RegionCode: "110000",
		Amount: 19800 * simdata.FenPerWan}
	if first != want {
		t.Errorf("first allocation: got %+v, want %+v", first, want)
	}
}

func TestParseAllocationsErrors(t *testing.T) {
	header := "fund,year,document_no,province,province_code,amount_wan_yuan\n"
	tests := []struct {
		name, csv, want string
	}{
		{"no rows", header, "no rows"},
		{"missing column", "fund,year\nx,2020\n", `missing column "document_no"`},
		{"bad year", header + "f,20x0,,p,110000,1\n", "line 2: bad year"},
		{"bad amount", header + "f,2020,,p,110000,1.2.3\n", "line 2: parsing 万元"},
		{"zero amount", header + "f,2020,,p,110000,0\n", "not positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseAllocations(strings.NewReader(tt.csv))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error: got %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestBreakdownsSumToPublished checks that the central indicators of each
// allocation add up exactly to the published figure, for several counts.
func TestBreakdownsSumToPublished(t *testing.T) {
	allocs, _ := EmbeddedAllocations()
	for _, n := range []int{1, 37, 300, 2000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			s := New(Options{Seed: 7, Indicators: n, Vouchers: 1})
			sums := map[string]simdata.Money{}
			for _, rec := range allIndicators(t, s, "", MaxPageSize) {
				if rec["category"] != CategoryCentral {
					continue
				}
				m, err := simdata.ParseYuan(rec["amount"].(string))
				if err != nil || m <= 0 {
					t.Fatalf("indicator %s: amount %v is not a positive yuan amount",
						rec["id"], rec["amount"])
				}
				sums[fmt.Sprint(rec["fund_name"], rec["year"], rec["from_region_code"])] += m
			}

			for _, a := range allocs {
				k := fmt.Sprint(a.Fund, a.Year, a.RegionCode)
				if sums[k] != a.Amount {
					t.Errorf("%s: got sum %s, want %s", k, sums[k], a.Amount)
				}
			}
		})
	}
}

func TestSameSeedSameData(t *testing.T) {
	tests := []struct {
		name     string
		a, b     int64
		wantSame bool
	}{
		{"same seed", 42, 42, true},
		{"other seed", 42, 43, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Options{Indicators: 120, Vouchers: 900}
			o.Seed = tt.a
			sa := New(o)
			o.Seed = tt.b
			sb := New(o)

			same := reflect.DeepEqual(allIndicators(t, sa, "", 50),
				allIndicators(t, sb, "", 50)) &&
				reflect.DeepEqual(allVouchers(t, sa, "", 77), allVouchers(t, sb, "", 77))
			if same != tt.wantSame {
				t.Errorf("data equal: got %v, want %v", same, tt.wantSame)
			}
		})
	}
}

var (
	timePattern  = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+08:00$`)
	datePattern  = regexp.MustCompile(`^\d{4}-\d\d-\d\d$`)
	docPattern   = regexp.MustCompile(`^\p{Han}+财(资环|预)〔\d{4}〕\d+号$`)
	moneyPattern = regexp.MustCompile(`^-?\d+\.\d\d$`)
)

// TestIndicatorFields checks the shape of every indicator and that money
// goes to a region of the paying unit.
func TestIndicatorFields(t *testing.T) {
	s := New(Options{Seed: 3})
	rs, _ := simdata.LoadRegions()
	recs := allIndicators(t, s, "", 1000)
	if len(recs) != DefaultIndicators {
		t.Fatalf("indicators: got %d, want %d", len(recs), DefaultIndicators)
	}

	categories := map[any]int{}
	for _, r := range recs {
		categories[r["category"]]++
		checkIndicator(t, rs, r)
	}
	if categories[CategoryCentral] == 0 || categories[CategoryLocal] == 0 {
		t.Errorf("categories: got %v, want both 中央 and 地方", categories)
	}
}

func checkIndicator(t *testing.T, rs *simdata.Regions, r map[string]any) {
	t.Helper()
	checks := []struct {
		field string
		ok    bool
	}{
		{"doc_no", docPattern.MatchString(r["doc_no"].(string))},
		{"amount", moneyPattern.MatchString(r["amount"].(string))},
		{"issued_on", datePattern.MatchString(r["issued_on"].(string))},
		{"updated_at", timePattern.MatchString(r["updated_at"].(string))},
		{"direction", r["direction"] == simdata.EcoRestoration ||
			r["direction"] == simdata.Geohazard},
		{"to_region_code", slices.Contains(rs.Recipients(r["from_region_code"].(string)),
			r["to_region_code"].(string))},
		{"subject_code", len(r["subject_code"].(string)) == 7},
		{"is_deleted", r["is_deleted"] == 0.0 || r["is_deleted"] == 1.0},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("indicator %s: got %s %v, want a valid one", r["id"], c.field, r[c.field])
		}
	}
}

// TestVoucherFields checks voucher shapes, refunds and that an indicator's
// payments never exceed it.
func TestVoucherFields(t *testing.T) {
	s := New(Options{Seed: 5, Indicators: 40, Vouchers: 4000})
	budget := map[string]simdata.Money{}
	for _, r := range allIndicators(t, s, "", 100) {
		budget[r["id"].(string)], _ = simdata.ParseYuan(r["amount"].(string))
	}

	byNo := map[string]map[string]any{}
	paid := map[string]simdata.Money{}
	refunds := 0
	for _, v := range allVouchers(t, s, "", 1000) {
		byNo[v["voucher_no"].(string)] = v
		m, err := simdata.ParseYuan(v["amount"].(string))
		if err != nil || !timePattern.MatchString(v["updated_at"].(string)) ||
			!datePattern.MatchString(v["paid_on"].(string)) {
			t.Fatalf("voucher %v: bad amount, updated_at or paid_on", v)
		}
		paid[v["indicator_id"].(string)] += m
		if of := v["refund_of"].(string); of != "" {
			refunds++
			checkRefund(t, v, byNo[of], m)
		}
	}

	if refunds == 0 {
		t.Errorf("refunds: got 0, want some")
	}
	for id, p := range paid {
		if p > budget[id] {
			t.Errorf("indicator %s: got payments %s, want at most %s", id, p, budget[id])
		}
	}
}

func checkRefund(t *testing.T, v, orig map[string]any, m simdata.Money) {
	t.Helper()
	if orig == nil {
		t.Fatalf("refund %s: got refund_of %s, want an earlier voucher", v["voucher_no"],
			v["refund_of"])
	}
	om, _ := simdata.ParseYuan(orig["amount"].(string))
	if m >= 0 || -m > om || v["indicator_id"] != orig["indicator_id"] {
		t.Errorf("refund %s: got %s of indicator %s, want a negative share of %s of %s",
			v["voucher_no"], m, v["indicator_id"], om, orig["indicator_id"])
	}
}

// TestSharedTimestamps checks that generated records share updated_at
// values by construction.
func TestSharedTimestamps(t *testing.T) {
	s := New(Options{Seed: 1})
	for _, tc := range []struct {
		name string
		recs []map[string]any
	}{
		{"indicators", allIndicators(t, s, "", 500)},
		{"vouchers", allVouchers(t, s, "", 500)},
	} {
		seen, shared := map[any]bool{}, 0
		for _, r := range tc.recs {
			if seen[r["updated_at"]] {
				shared++
			}
			seen[r["updated_at"]] = true
		}
		if shared == 0 {
			t.Errorf("%s sharing updated_at: got 0, want some", tc.name)
		}
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		total simdata.Money
		n     int
	}{
		{19800 * simdata.FenPerWan, 7}, {1, 1}, {5, 9}, {123456789, 40}, {1600, 3},
	}
	for _, tt := range tests {
		r := simdata.NewRand(1)
		parts := split(r, tt.total, tt.n)
		var sum simdata.Money
		for _, p := range parts {
			if p <= 0 {
				t.Errorf("split(%d, %d): got part %d, want positive", tt.total, tt.n, p)
			}
			sum += p
		}
		if sum != tt.total || len(parts) != min(tt.n, int(tt.total)) {
			t.Errorf("split(%d, %d): got %d parts summing to %d, want %d summing to %d",
				tt.total, tt.n, len(parts), sum, min(tt.n, int(tt.total)), tt.total)
		}
	}
}

// TestVoucherFastPathMatchesRecord checks that the JSON written without
// maps is what encoding the record would give.
func TestVoucherFastPathMatchesRecord(t *testing.T) {
	s := New(Options{Seed: 8, Indicators: 40, Vouchers: 2000})
	for _, i := range []int{0, 1, 39, 40, 799, 1999} {
		v := s.gen.voucher(i)
		want, err := appendRecord(nil, voucherFields, v.record())
		if err != nil {
			t.Fatal(err)
		}
		if got := v.appendJSON(nil); string(got) != string(want) {
			t.Errorf("voucher %d: got %s, want %s", i, got, want)
		}
	}
}

// TestOutsideReserve checks that the far projects named on purpose lie
// beyond a default reserve.
func TestOutsideReserve(t *testing.T) {
	rs, _ := simdata.LoadRegions()
	if first := outsideReserve * len(rs.Counties()); first < simdata.DefaultProjects {
		t.Errorf("first far project: got %d, want at least %d", first, simdata.DefaultProjects)
	}
}
