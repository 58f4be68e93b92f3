package fundhub

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// rnRow is one (code, name, level, parent) tuple of a region fixture.
type rnRow struct {
	code, name string
	level      RegionLevel
	parent     string
}

// rnRows reproduces the hard cases of the GB/T 2260 list with real codes:
// grouping rows (110100, 429000, 500200, 659000), names shared across
// provinces and levels (朝阳, 鼓楼区, 西湖区, 海南, 东乡), a region named like
// its child (恩施, 南昌), and codes retired since (341400 巢湖市, 341402 居巢区
// and 371200 莱芜市, which rnRetired marks).
var rnRows = []rnRow{
	{"100000", "全国", LevelNational, ""},
	{"110000", "北京市", LevelProvince, "100000"},
	{"110100", "市辖区", LevelCity, "110000"},
	{"110105", "朝阳区", LevelCounty, "110100"},
	{"150000", "内蒙古自治区", LevelProvince, "100000"},
	{"150300", "乌海市", LevelCity, "150000"},
	{"150303", "海南区", LevelCounty, "150300"},
	{"150700", "呼伦贝尔市", LevelCity, "150000"},
	{"150724", "鄂温克族自治旗", LevelCounty, "150700"},
	{"210000", "辽宁省", LevelProvince, "100000"},
	{"211300", "朝阳市", LevelCity, "210000"},
	{"211321", "朝阳县", LevelCounty, "211300"},
	{"220000", "吉林省", LevelProvince, "100000"},
	{"220100", "长春市", LevelCity, "220000"},
	{"220104", "朝阳区", LevelCounty, "220100"},
	{"220200", "吉林市", LevelCity, "220000"},
	{"220204", "船营区", LevelCounty, "220200"},
	{"320000", "江苏省", LevelProvince, "100000"},
	{"320100", "南京市", LevelCity, "320000"},
	{"320106", "鼓楼区", LevelCounty, "320100"},
	{"320300", "徐州市", LevelCity, "320000"},
	{"320302", "鼓楼区", LevelCounty, "320300"},
	{"330000", "浙江省", LevelProvince, "100000"},
	{"330100", "杭州市", LevelCity, "330000"},
	{"330106", "西湖区", LevelCounty, "330100"},
	{"340000", "安徽省", LevelProvince, "100000"},
	{"340100", "合肥市", LevelCity, "340000"},
	{"340181", "巢湖市", LevelCounty, "340100"},
	{"341400", "巢湖市", LevelCity, "340000"},
	{"341402", "居巢区", LevelCounty, "341400"},
	{"350000", "福建省", LevelProvince, "100000"},
	{"350100", "福州市", LevelCity, "350000"},
	{"350102", "鼓楼区", LevelCounty, "350100"},
	{"360000", "江西省", LevelProvince, "100000"},
	{"360100", "南昌市", LevelCity, "360000"},
	{"360103", "西湖区", LevelCounty, "360100"},
	{"360121", "南昌县", LevelCounty, "360100"},
	{"361000", "抚州市", LevelCity, "360000"},
	{"361003", "东乡区", LevelCounty, "361000"},
	{"370000", "山东省", LevelProvince, "100000"},
	{"370100", "济南市", LevelCity, "370000"},
	{"370116", "莱芜区", LevelCounty, "370100"},
	{"371200", "莱芜市", LevelCity, "370000"},
	{"410000", "河南省", LevelProvince, "100000"},
	{"410200", "开封市", LevelCity, "410000"},
	{"410204", "鼓楼区", LevelCounty, "410200"},
	{"420000", "湖北省", LevelProvince, "100000"},
	{"420100", "武汉市", LevelCity, "420000"},
	{"420112", "东西湖区", LevelCounty, "420100"},
	{"422800", "恩施土家族苗族自治州", LevelCity, "420000"},
	{"422801", "恩施市", LevelCounty, "422800"},
	{"429000", "省直辖县级行政区划", LevelCity, "420000"},
	{"429004", "仙桃市", LevelCounty, "429000"},
	{"429021", "神农架林区", LevelCounty, "429000"},
	{"440000", "广东省", LevelProvince, "100000"},
	{"440300", "深圳市", LevelCity, "440000"},
	{"440308", "盐田区", LevelCounty, "440300"},
	{"450000", "广西壮族自治区", LevelProvince, "100000"},
	{"460000", "海南省", LevelProvince, "100000"},
	{"500000", "重庆市", LevelProvince, "100000"},
	{"500200", "县", LevelCity, "500000"},
	{"500229", "城口县", LevelCounty, "500200"},
	{"540000", "西藏自治区", LevelProvince, "100000"},
	{"620000", "甘肃省", LevelProvince, "100000"},
	{"622900", "临夏回族自治州", LevelCity, "620000"},
	{"622926", "东乡族自治县", LevelCounty, "622900"},
	{"630000", "青海省", LevelProvince, "100000"},
	{"632500", "海南藏族自治州", LevelCity, "630000"},
	{"640000", "宁夏回族自治区", LevelProvince, "100000"},
	{"650000", "新疆维吾尔自治区", LevelProvince, "100000"},
	{"654000", "伊犁哈萨克自治州", LevelCity, "650000"},
	{"659000", "自治区直辖县级行政区划", LevelCity, "650000"},
	{"659001", "石河子市", LevelCounty, "659000"},
	{"810000", "香港特别行政区", LevelProvince, "100000"},
}

// rnRetired are the fixture codes no longer valid.
var rnRetired = []string{"341400", "341402", "371200"}

// rnRegions builds regions from rows listed parents first, computing Path
// from the parent's and Grouping from the GB/T 2260 grouping names, and
// retiring the codes in retired.
func rnRegions(rows []rnRow, retired ...string) []*Region {
	byCode := make(map[string]*Region, len(rows))
	out := make([]*Region, 0, len(rows))
	retiredOn := time.Date(2019, 1, 9, 0, 0, 0, 0, time.UTC)

	for _, row := range rows {
		r := &Region{Code: row.code, Name: row.name, Level: row.level, Path: "/" + row.code + "/"}
		if parent := byCode[row.parent]; parent != nil {
			r.ParentCode = &parent.Code
			r.Path = parent.Path + row.code + "/"
		}
		switch row.name {
		case "市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划":
			r.Grouping = true
		}
		for _, code := range retired {
			if code == row.code {
				r.ValidTo = &retiredOn
			}
		}
		byCode[row.code] = r
		out = append(out, r)
	}

	return out
}

// rnIndex indexes the fixture, with the national root or without it.
func rnIndex(withRoot bool) *RegionIndex {
	if withRoot {
		return NewRegionIndex(rnRegions(rnRows, rnRetired...))
	}

	var rows []rnRow
	for _, row := range rnRows[1:] {
		if row.parent == NationalCode {
			row.parent = ""
		}
		rows = append(rows, row)
	}

	return NewRegionIndex(rnRegions(rows, rnRetired...))
}

// rnCheckError fails unless err is an EINVALID *Error on field "region"
// with the message want.
func rnCheckError(t *testing.T, err error, want string) {
	t.Helper()

	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %v, want *Error %q", err, want)
	}
	if e.Code != EINVALID || e.Field != "region" {
		t.Errorf("got code %q field %q, want %q %q", e.Code, e.Field, EINVALID, "region")
	}
	if e.Message != want {
		t.Errorf("got message %q, want %q", e.Message, want)
	}
}

func TestRegionIndex_Resolve(t *testing.T) {
	const (
		chaoyang = `region name "朝阳区" is ambiguous: ` +
			"110105 北京市朝阳区, 220104 吉林省长春市朝阳区"
		xihu = `region name "西湖区" is ambiguous: ` +
			"330106 浙江省杭州市西湖区, 360103 江西省南昌市西湖区"
	)
	tests := []struct {
		desc     string
		within   string // ResolveWithin this code when set
		rootless bool   // index without the national root
		in       string
		want     string // the code, or "" for an error
		err      string // the error message
	}{
		{desc: "code", in: "330106", want: "330106"},
		{desc: "code with spaces", in: " 330106\t", want: "330106"},
		{desc: "full-width code", in: "３３０１０６", want: "330106"},
		{desc: "retired code", in: "341400", want: "341400"},
		{desc: "grouping code", in: "110100", want: "110100"},
		{desc: "unknown code", in: "999999", err: `unknown region code "999999"`},

		{desc: "province", in: "浙江省", want: "330000"},
		{desc: "city", in: "杭州市", want: "330100"},
		{desc: "autonomous region", in: "内蒙古自治区", want: "150000"},
		{desc: "autonomous region with group", in: "广西壮族自治区", want: "450000"},
		{desc: "autonomous region uyghur", in: "新疆维吾尔自治区", want: "650000"},
		{desc: "autonomous prefecture", in: "恩施土家族苗族自治州", want: "422800"},
		{desc: "name containing another", in: "东西湖区", want: "420112"},
		{desc: "under grouping row", in: "仙桃市", want: "429004"},
		{desc: "ambiguous full name", in: "西湖区", err: xihu},
		{desc: "ambiguous district", in: "朝阳区", err: chaoyang},
		{desc: "ambiguous four ways", in: "鼓楼区", err: `region name "鼓楼区" is ambiguous: ` +
			"320106 江苏省南京市鼓楼区, 320302 江苏省徐州市鼓楼区, " +
			"350102 福建省福州市鼓楼区, 410204 河南省开封市鼓楼区"},

		{desc: "short province", in: "浙江", want: "330000"},
		{desc: "short inner mongolia", in: "内蒙古", want: "150000"},
		{desc: "short guangxi", in: "广西", want: "450000"},
		{desc: "short xinjiang", in: "新疆", want: "650000"},
		{desc: "short ningxia", in: "宁夏", want: "640000"},
		{desc: "short tibet", in: "西藏", want: "540000"},
		{desc: "short hong kong", in: "香港", want: "810000"},
		{desc: "short city", in: "杭州", want: "330100"},
		{desc: "short prefecture with kind", in: "恩施州", want: "422800"},
		{desc: "short prefecture over its city", in: "恩施", want: "422800"},
		{desc: "short city over its county", in: "南昌", want: "360100"},
		{desc: "short province over others", in: "海南", want: "460000"},
		{desc: "short province over its city", in: "吉林", want: "220000"},
		{desc: "short prefecture of qinghai", in: "海南州", want: "632500"},
		{desc: "short forestry district", in: "神农架", want: "429021"},
		{desc: "short bare ethnic group", in: "伊犁", want: "654000"},
		{desc: "short autonomous banner", in: "鄂温克", want: "150724"},
		{desc: "short autonomous county", in: "东乡县", want: "622926"},
		{desc: "short prefecture with group", in: "临夏", want: "622900"},
		{desc: "ambiguous short", in: "东乡", err: `region name "东乡" is ambiguous: ` +
			"361003 江西省抚州市东乡区, 622926 甘肃省临夏回族自治州东乡族自治县"},
		{desc: "ambiguous short across levels", in: "朝阳", err: `region name "朝阳" is ambiguous: ` +
			"110105 北京市朝阳区, 211300 辽宁省朝阳市, 211321 辽宁省朝阳市朝阳县, " +
			"220104 吉林省长春市朝阳区"},

		{desc: "city and county", in: "杭州市西湖区", want: "330106"},
		{desc: "province city county", in: "浙江省杭州市西湖区", want: "330106"},
		{desc: "short compound", in: "浙江杭州西湖区", want: "330106"},
		{desc: "compound skipping city", in: "浙江西湖区", want: "330106"},
		{desc: "compound over 市辖区", in: "北京市朝阳区", want: "110105"},
		{desc: "short compound over 市辖区", in: "北京朝阳", want: "110105"},
		{desc: "compound in jilin", in: "吉林省长春市朝阳区", want: "220104"},
		{desc: "compound from city", in: "长春朝阳区", want: "220104"},
		{desc: "compound province and city", in: "吉林吉林船营区", want: "220204"},
		{desc: "compound over 省直辖", in: "湖北省仙桃市", want: "429004"},
		{desc: "short compound over 省直辖", in: "湖北仙桃", want: "429004"},
		{desc: "compound over 自治区直辖", in: "新疆石河子", want: "659001"},
		{desc: "compound over 县", in: "重庆市城口县", want: "500229"},
		{desc: "compound disambiguates", in: "福建鼓楼区", want: "350102"},
		{desc: "compound to prefecture", in: "湖北恩施", want: "422800"},
		{desc: "compound short district", in: "江西东乡", want: "361003"},
		{desc: "compound still ambiguous", in: "江苏鼓楼区", err: `region name "江苏鼓楼区" ` +
			"is ambiguous: 320106 江苏省南京市鼓楼区, 320302 江苏省徐州市鼓楼区"},
		{desc: "compound off the tree", in: "浙江朝阳区",
			err: `unknown region name "浙江朝阳区"; did you mean 330000 浙江省?`},

		{desc: "spaces", in: " 浙江省\u3000杭州市 \t", want: "330100"},
		{desc: "space inside", in: "杭 州", want: "330100"},
		{desc: "byte order mark", in: "\ufeff杭州市", want: "330100"},
		{desc: "note resolving", in: "广东省深圳市（盐田区）", want: "440308"},
		{desc: "ascii note resolving", in: "深圳市(盐田区)", want: "440308"},
		{desc: "note ignored", in: "杭州市（本级）", want: "330100"},
		{desc: "all note", in: "（杭州市）", want: "330100"},
		{desc: "note after code", in: "330106（西湖区）", want: "330106"},

		{desc: "current beats retired", in: "巢湖市", want: "340181"},
		{desc: "current short beats retired", in: "巢湖", want: "340181"},
		{desc: "current district beats retired city", in: "莱芜", want: "370116"},
		{desc: "only retired matches", in: "莱芜市", want: "371200"},
		{desc: "retired compound", in: "巢湖市居巢区", want: "341402"},

		{desc: "grouping name", in: "市辖区", err: `unknown region name "市辖区"`},
		{desc: "grouping county name", in: "县", err: `unknown region name "县"`},
		{desc: "grouping 省直辖", in: "省直辖县级行政区划",
			err: `unknown region name "省直辖县级行政区划"`},

		{desc: "nation", in: "全国", want: "100000"},
		{desc: "central", in: "中央", want: "100000"},
		{desc: "prc", in: "中华人民共和国", want: "100000"},
		{desc: "nation absent", rootless: true, in: "全国", err: `unknown region name "全国"`},
		{desc: "rootless compound", rootless: true, in: "北京市朝阳区", want: "110105"},

		{desc: "total", in: "合计", err: `"合计" is a total row, not a region`},
		{desc: "grand total", in: "总计", err: `"总计" is a total row, not a region`},
		{desc: "local total", in: "地方合计", err: `"地方合计" is a total row, not a region`},
		{desc: "national total", in: "全国合计", err: `"全国合计" is a total row, not a region`},
		{desc: "subtotal", in: "小计", err: `"小计" is a total row, not a region`},
		{desc: "spaced total", in: "合　计", err: `"合\u3000计" is a total row, not a region`},
		{desc: "total in note", in: "浙江省（小计）",
			err: `"浙江省（小计）" is a total row, not a region`},

		{desc: "empty", in: "", err: "region name is empty"},
		{desc: "blank", in: " \u3000", err: "region name is empty"},
		{desc: "unknown", in: "火星市", err: `unknown region name "火星市"`},
		{desc: "unknown at wrong level", in: "杭州县",
			err: `unknown region name "杭州县"; did you mean 330100 浙江省杭州市?`},
		{desc: "unknown with short at other levels", in: "恩施县",
			err: `unknown region name "恩施县"; did you mean ` +
				"422800 湖北省恩施土家族苗族自治州, 422801 湖北省恩施土家族苗族自治州恩施市?"},
		{desc: "typo below a prefix", in: "浙江省杭州市西胡区",
			err: `unknown region name "浙江省杭州市西胡区"; did you mean 330106 浙江省杭州市西湖区?`},
		{desc: "over-long garbage", in: strings.Repeat("北京", 40),
			err: `unknown region name "` + strings.Repeat("北京", 40) + `"`},

		{desc: "within province", within: "330000", in: "西湖区", want: "330106"},
		{desc: "within other province", within: "360000", in: "西湖区", want: "360103"},
		{desc: "within over 市辖区", within: "110000", in: "朝阳区", want: "110105"},
		{desc: "within jilin", within: "220000", in: "朝阳区", want: "220104"},
		{desc: "within short", within: "220000", in: "朝阳", want: "220104"},
		{desc: "within 省直辖", within: "420000", in: "仙桃", want: "429004"},
		{desc: "within compound", within: "330000", in: "杭州西湖区", want: "330106"},
		{desc: "within prefecture", within: "422800", in: "恩施市", want: "422801"},
		{desc: "within itself", within: "330000", in: "浙江省", want: "330000"},
		{desc: "within nation", within: "100000", in: "朝阳区", err: chaoyang},
		{desc: "within by code", within: "330000", in: "330106", want: "330106"},
		{desc: "within code outside", within: "110000", in: "330106",
			err: "region 330106 浙江省杭州市西湖区 is not within 110000 北京市"},
		{desc: "within unknown scope", within: "999999", in: "西湖区",
			err: `unknown region code "999999"`},
		{desc: "within not found", within: "110000", in: "西湖区",
			err: `unknown region name "西湖区" within 110000 北京市`},
		{desc: "within total", within: "330000", in: "小计",
			err: `"小计" is a total row, not a region`},
	}

	withRoot, rootless := rnIndex(true), rnIndex(false)
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			x := withRoot
			if tt.rootless {
				x = rootless
			}

			var got *Region
			var err error
			if tt.within != "" {
				got, err = x.ResolveWithin(tt.within, tt.in)
			} else {
				got, err = x.Resolve(tt.in)
			}

			if tt.want == "" {
				if got != nil {
					t.Errorf("got region %s, want nil", got.Code)
				}
				rnCheckError(t, err, tt.err)
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want %s", err, tt.want)
			}
			if got.Code != tt.want {
				t.Errorf("got %s %s, want %s", got.Code, got.Name, tt.want)
			}
		})
	}
}

func TestRegionIndex_ResolveNilIndex(t *testing.T) {
	var x *RegionIndex

	_, err := x.Resolve("浙江省")
	rnCheckError(t, err, `unknown region name "浙江省"`)

	_, err = x.ResolveWithin("330000", "西湖区")
	rnCheckError(t, err, `unknown region code "330000"`)
}

func TestRegionIndex_ResolveConcurrent(t *testing.T) {
	x := rnIndex(true)
	inputs := []string{"浙江杭州西湖区", "朝阳区", "湖北省仙桃市", "恩施", "杭州县"}

	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Go(func() {
			for _, in := range inputs {
				_, _ = x.Resolve(in)
				_, _ = x.ResolveWithin("420000", in)
			}
		})
	}
	wg.Wait()

	if got, err := x.Resolve("浙江杭州西湖区"); err != nil || got.Code != "330106" {
		t.Errorf("got %v, %v, want 330106", got, err)
	}
}

func TestIsTotalLabel(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"合计", true},
		{"总计", true},
		{"共计", true},
		{"小计", true},
		{"地方合计", true},
		{"全国合计", true},
		{"中央总计", true},
		{"其中：小计", true},
		{"合　计", true},
		{" 合计 ", true},
		{"合计：", true},
		{"合计（万元）", true},
		{"浙江省（小计）", true},
		{"", false},
		{"浙江省", false},
		{"全国", false},
		{"中央", false},
		{"计", false},
		{"合计数", false},
		{"地方共计", false},
		{"统计局", false},
	}

	for _, tt := range tests {
		if got := IsTotalLabel(tt.in); got != tt.want {
			t.Errorf("IsTotalLabel(%q): got %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestRegionIndex_FullName(t *testing.T) {
	withRoot, rootless := rnIndex(true), rnIndex(false)
	tests := []struct {
		x    *RegionIndex
		code string
		want string
	}{
		{withRoot, "330106", "浙江省杭州市西湖区"},
		{withRoot, "110105", "北京市朝阳区"},
		{withRoot, "429004", "湖北省仙桃市"},
		{withRoot, "659001", "新疆维吾尔自治区石河子市"},
		{withRoot, "500229", "重庆市城口县"},
		{withRoot, "422801", "湖北省恩施土家族苗族自治州恩施市"},
		{withRoot, "330000", "浙江省"},
		{withRoot, "100000", "全国"},
		{withRoot, "110100", "北京市市辖区"},
		{withRoot, "341402", "安徽省巢湖市居巢区"},
		{withRoot, " 330106 ", "浙江省杭州市西湖区"},
		{withRoot, "999999", ""},
		{withRoot, "", ""},
		{rootless, "330106", "浙江省杭州市西湖区"},
		{nil, "330106", ""},
	}

	for _, tt := range tests {
		if got := tt.x.FullName(tt.code); got != tt.want {
			t.Errorf("FullName(%q): got %q, want %q", tt.code, got, tt.want)
		}
	}
}

func TestRegionIndex_ParentCodeWithoutPath(t *testing.T) {
	regions := rnRegions(rnRows, rnRetired...)
	for _, r := range regions {
		r.Path = ""
	}
	x := NewRegionIndex(append(regions, nil))

	got, err := x.Resolve("北京市朝阳区")
	if err != nil || got.Code != "110105" {
		t.Errorf("got %v, %v, want 110105", got, err)
	}

	if got := x.FullName("429004"); got != "湖北省仙桃市" {
		t.Errorf("got %q, want %q", got, "湖北省仙桃市")
	}
}
