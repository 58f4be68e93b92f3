package financesim

import (
	"fmt"
	"strings"

	"fundhub/tools/simdata"
)

// directionOf reads a fund's direction from its name.
func directionOf(fund string) string {
	if strings.Contains(fund, "地质灾害") {
		return simdata.Geohazard
	}

	return simdata.EcoRestoration
}

// knownFundCodes are the central project codes seen in published notices
// (demo/funds/notes.md).
var knownFundCodes = map[string]string{
	"中央对地方重点生态功能区转移支付": "Z135110079002",
}

// fundCode returns a fund's central project code: the published one when
// known, otherwise a made-up code of the same shape starting Z9.
func fundCode(fund string) string {
	if c, ok := knownFundCodes[fund]; ok {
		return c
	}

	return fmt.Sprintf("Z9%011d", simdata.HashString(fund)%100_000_000_000)
}

// subjectCode returns the functional budget subject of spending in the
// direction: 2200106 自然资源利用与保护 (浙江 used 2200199) or 2240601
// 地质灾害防治, as seen in notices.
func subjectCode(region, direction string) string {
	switch {
	case direction == simdata.Geohazard:
		return "2240601"
	case region == "330000":
		return "2200199"
	}

	return "2200106"
}

// abbreviations are the one-character names province-level units put in
// front of their document numbers.
var abbreviations = map[string]string{
	"11": "京", "12": "津", "13": "冀", "14": "晋", "15": "蒙", "21": "辽", "22": "吉",
	"23": "黑", "31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣",
	"37": "鲁", "41": "豫", "42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼",
	"50": "渝", "51": "川", "52": "黔", "53": "云", "54": "藏", "61": "陕", "62": "甘",
	"63": "青", "64": "宁", "65": "新",
	"210200": "大", "330200": "甬", "350200": "厦", "370200": "青岛", "440300": "深",
}

func abbreviation(code string) string {
	if a, ok := abbreviations[code]; ok {
		return a
	}
	if a, ok := abbreviations[code[:2]]; ok {
		return a
	}

	return "地"
}

// split divides total into n positive parts that add up to it exactly. The
// parts are whole 万元, or whole yuan when total is too small for that,
// except the last, which takes the remainder.
func split(r *simdata.Rand, total simdata.Money, n int) []simdata.Money {
	n = int(min(simdata.Money(n), total))
	unit := simdata.FenPerWan
	for unit > 1 && total/unit < simdata.Money(4*n) {
		unit /= 100
	}

	units := total / unit
	weights, sum := make([]int64, n), int64(0)
	for i := range weights {
		weights[i] = int64(r.Between(1, 20))
		sum += weights[i]
	}

	parts := make([]simdata.Money, n)
	spare := units - simdata.Money(n) // every part gets one unit first
	left := total
	for i := range n - 1 {
		parts[i] = (1 + spare*simdata.Money(weights[i])/simdata.Money(sum)) * unit
		left -= parts[i]
	}
	parts[n-1] = left

	return parts
}
