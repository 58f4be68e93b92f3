package financesim

import (
	"fmt"
	"time"

	"fundhub/tools/simdata"
)

// Record returns a copy of the current version of an indicator (by id) or a
// voucher (by voucher_no), as it would be served.
func (s *Sim) Record(id string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()

	t, err := s.tableOf(id)
	if err != nil {
		return nil, false
	}

	return t.get(id)
}

// Update lets fn change a copy of the record with the id, then stores it
// with its updated_at moved past every other record's. fn cannot change the
// id or updated_at.
func (s *Sim) Update(id string, fn func(rec map[string]any)) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	return s.update(s.tick(), id, fn)
}

func (s *Sim) update(ts int64, id string, fn func(rec map[string]any)) error {
	t, err := s.tableOf(id)
	if err != nil {
		return fmt.Errorf("updating: %w", err)
	}

	rec, ok := t.get(id)
	if !ok {
		return fmt.Errorf("updating: no record %q", id)
	}
	fn(rec)
	t.put(id, rec, ts)

	return nil
}

// Delete marks the record deleted (is_deleted 1) and moves its updated_at.
func (s *Sim) Delete(id string) error {
	return s.Update(id, func(rec map[string]any) { rec["is_deleted"] = 1 })
}

// SameTimestamp moves all the records to one new updated_at, the same
// microsecond for all of them.
func (s *Sim) SameTimestamp(ids ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	for _, id := range ids {
		t, err := s.tableOf(id)
		if err != nil {
			return fmt.Errorf("sharing a timestamp: %w", err)
		}
		if _, ok := t.get(id); !ok {
			return fmt.Errorf("sharing a timestamp: no record %q", id)
		}
	}

	ts := s.tick()
	for _, id := range ids {
		if err := s.update(ts, id, func(map[string]any) {}); err != nil {
			return err
		}
	}

	return nil
}

// AddRefund adds a voucher that reverses amount (yuan, "123.45"; the sign
// is ignored) of the voucher numbered of, and returns its number. The refund
// pays the same indicator, region and project, with a negative amount.
func (s *Sim) AddRefund(of, amount string) (string, error) {
	m, err := simdata.ParseYuan(amount)
	if err != nil {
		return "", fmt.Errorf("adding a refund: %w", err)
	}
	if m < 0 {
		m = -m
	}
	if m == 0 {
		return "", fmt.Errorf("adding a refund: amount is zero")
	}

	s.mu.Lock()
	defer s.mu.Unlock()

	orig, ok := s.vouchers.get(of)
	if !ok {
		return "", fmt.Errorf("adding a refund: no voucher %q", of)
	}

	s.added++
	no := voucherNo(s.gen.n + s.added - 1)
	ts := s.tick()
	rec := map[string]any{
		"indicator_id": orig["indicator_id"], "region_code": orig["region_code"],
		"project_code": orig["project_code"], "amount": (-m).String(),
		"refund_of": of, "is_deleted": 0,
		"paid_on": simdata.FormatDate(time.UnixMicro(ts)),
	}
	s.vouchers.put(no, rec, ts)

	return no, nil
}
