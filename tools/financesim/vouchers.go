package financesim

import (
	"strconv"
	"strings"
	"time"

	"fundhub/tools/simdata"
)

// voucherTimeline spaces the update times of generated vouchers.
var voucherTimeline = simdata.Timeline{
	Start: time.Date(2026, 1, 5, 8, 30, 0, 0, simdata.Zone).UnixMicro(),
	Step:  45_000_000,
	Salt:  simdata.HashString("payment-vouchers"),
}

// voucherFields is the order of a voucher's fields in JSON.
var voucherFields = []string{"voucher_no", "indicator_id", "region_code", "project_code",
	"amount", "refund_of", "paid_on", "updated_at", "is_deleted"}

// voucherGen makes payment vouchers on demand: voucher i is a pure function
// of the seed, i and the indicators, so none is kept in memory. Voucher i
// pays indicator i mod N, for N indicators; the vouchers of an indicator
// spend at most nine tenths of it, and every twentieth round of them
// refunds, about half the time, part or all of the voucher of the round
// before.
type voucherGen struct {
	seed uint64
	n    int
	inds []indicator
}

// voucher is one payment voucher (支付凭证).
type voucher struct {
	no, indicatorID, region, project, refundOf string
	amount                                     simdata.Money
	paid                                       time.Time
	ts                                         int64
	deleted                                    bool
}

func (v *voucher) record() map[string]any {
	return map[string]any{
		"voucher_no": v.no, "indicator_id": v.indicatorID, "region_code": v.region,
		"project_code": v.project, "amount": v.amount.String(), "refund_of": v.refundOf,
		"paid_on": simdata.FormatDate(v.paid), "updated_at": simdata.FormatMicros(v.ts),
		"is_deleted": flag(v.deleted),
	}
}

// appendJSON writes the voucher as its record() would encode, faster.
func (v *voucher) appendJSON(buf []byte) []byte {
	buf = append(buf, `{"voucher_no":`...)
	buf = appendString(buf, v.no)
	buf = append(buf, `,"indicator_id":`...)
	buf = appendString(buf, v.indicatorID)
	buf = append(buf, `,"region_code":`...)
	buf = appendString(buf, v.region)
	buf = append(buf, `,"project_code":`...)
	buf = appendString(buf, v.project)
	buf = append(buf, `,"amount":"`...)
	buf = v.amount.Append(buf)
	buf = append(buf, `","refund_of":`...)
	buf = appendString(buf, v.refundOf)
	buf = append(buf, `,"paid_on":"`...)
	buf = simdata.AppendDate(buf, v.paid)
	buf = append(buf, `","updated_at":"`...)
	buf = simdata.AppendMicros(buf, v.ts)
	buf = append(buf, `","is_deleted":`...)
	buf = strconv.AppendInt(buf, int64(flag(v.deleted)), 10)

	return append(buf, '}')
}

// voucherNo returns the number of voucher i; numbers grow with i.
func voucherNo(i int) string {
	var b [12]byte
	b[0], b[1] = 'Z', 'F'
	n := i + 1
	for j := len(b) - 1; j >= 2; j-- {
		b[j] = byte('0' + n%10)
		n /= 10
	}

	return string(b[:])
}

// voucherIndex returns i for a voucher number, whether generated or not.
func voucherIndex(no string) (int, bool) {
	digits, ok := strings.CutPrefix(no, "ZF")
	if !ok || len(digits) != 10 {
		return 0, false
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 1 {
		return 0, false
	}

	return n - 1, true
}

func (g *voucherGen) key(i int) key {
	return key{ts: voucherTimeline.At(i), id: voucherNo(i)}
}

// voucher returns voucher i.
func (g *voucherGen) voucher(i int) voucher {
	in := &g.inds[i%len(g.inds)]
	v := voucher{
		no: voucherNo(i), indicatorID: in.id, region: in.to, project: in.project,
		ts: voucherTimeline.At(i),
	}

	if g.isRefund(i) {
		orig := i - len(g.inds)
		share := simdata.Money(1 + simdata.Hash(g.seed, uint64(i), 0xf1)%4)
		v.amount = -g.amount(orig) * share / 4
		v.refundOf = voucherNo(orig)
		v.paid = laterDay(g.paidOn(orig), 1+int(simdata.Hash(g.seed, uint64(i))%10))
		return v
	}

	v.amount = g.amount(i)
	v.paid = g.paidOn(i)
	v.deleted = simdata.Hash(g.seed, uint64(i), 0xde1)%200 == 7

	return v
}

// isRefund reports whether voucher i refunds the voucher of its indicator
// in the round before, which is never a refund itself.
func (g *voucherGen) isRefund(i int) bool {
	round := i / len(g.inds)
	return round%20 == 19 && simdata.Hash(g.seed, uint64(i), 0x7ef)%2 == 0
}

// rounds returns how many vouchers pay indicator j.
func (g *voucherGen) rounds(j int) int {
	k := g.n / len(g.inds)
	if j < g.n%len(g.inds) {
		k++
	}

	return k
}

// amount returns the amount of a voucher that is not a refund: between half
// and all of its share of nine tenths of the indicator.
func (g *voucherGen) amount(i int) simdata.Money {
	j := i % len(g.inds)
	share := g.inds[j].amount * 9 / 10 / simdata.Money(g.rounds(j))
	if share < 2 {
		return 1
	}
	half := share / 2

	return half + simdata.Money(simdata.Hash(g.seed, uint64(i), 0xa3)%uint64(half+1))
}

// paidOn spreads the payments of an indicator over the rest of its year,
// in round order.
func (g *voucherGen) paidOn(i int) time.Time {
	j := i % len(g.inds)
	issued := g.inds[j].issued
	yearEnd := simdata.Date(issued.Year(), time.December, 31)
	days := int(yearEnd.Sub(issued).Hours() / 24)

	return issued.AddDate(0, 0, 1+(i/len(g.inds))*days/(g.rounds(j)+1))
}

// laterDay returns day moved on by n days, but not past its year.
func laterDay(day time.Time, n int) time.Time {
	later := day.AddDate(0, 0, n)
	if later.Year() != day.Year() {
		return simdata.Date(day.Year(), time.December, 31)
	}

	return later
}
