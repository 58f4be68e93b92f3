package graph_test

import (
	"testing"

	"fundhub/postgres/pgtest"
)

func TestQuery_PaymentsAndWhatEachAllocationPaid(t *testing.T) {
	db := pgtest.New(t)
	loadDemo(t, db)
	_, err := db.SQL().Exec(`
		INSERT INTO payments (allocation_id, region_code, amount, paid_on,
			source_system, external_id)
		SELECT a.id, a.to_region, v.amount, v.paid_on::date, 'finance', v.ext
		FROM allocations a, (VALUES (300.00, '2020-05-12', 'V1'),
			(200.00, '2020-06-01', 'V2'), (-50.00, '2020-07-01', 'R1')) v(amount, paid_on, ext)
		WHERE a.to_region = '330000' AND a.from_region = '100000';
		UPDATE payments r SET reverses_id = p.id FROM payments p
		WHERE r.external_id = 'R1' AND p.external_id = 'V2';`)
	if err != nil {
		t.Fatal(err)
	}
	srv := server(t, db)

	var got struct {
		Payments struct {
			TotalCount  int
			TotalAmount string
			Nodes       []struct {
				Amount   string
				Reverses *struct{ Amount string }
			}
		}
		Allocations struct {
			Nodes []struct{ Paid string }
		}
		Beijing struct {
			Nodes []struct{ Paid string }
		}
	}
	query(t, srv, `{ payments(filter: { regionUnder: "330000" }) { totalCount totalAmount
		nodes { amount reverses { amount } } }
		allocations(filter: { toRegion: "330000" }) { nodes { paid } }
		beijing: allocations(filter: { toRegion: "110000" }) { nodes { paid } } }`, nil, &got)

	p := got.Payments
	if p.TotalCount != 3 || p.TotalAmount != "450" {
		t.Errorf("payments: got %d totalling %s, want 3 totalling 450", p.TotalCount,
			p.TotalAmount)
	}
	refunds := 0
	for _, n := range p.Nodes {
		if n.Reverses != nil && n.Reverses.Amount == "200" && n.Amount == "-50" {
			refunds++
		}
	}
	if refunds != 1 {
		t.Errorf("refund links: got %d, want R1 reversing V2", refunds)
	}
	a := got.Allocations.Nodes
	if len(a) != 1 || a[0].Paid != "450" {
		t.Errorf("paid of 浙江's allocation: got %+v, want 450", a)
	}
	if b := got.Beijing.Nodes; len(b) != 1 || b[0].Paid != "0" {
		t.Errorf("paid of an allocation without payments: got %+v, want 0", b)
	}
}
