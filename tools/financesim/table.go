package financesim

import (
	"maps"
	"sort"

	"fundhub/tools/simdata"
)

// key orders the records of a table: by update time, then by id.
type key struct {
	ts int64
	id string
}

func (a key) less(b key) bool {
	if a.ts != b.ts {
		return a.ts < b.ts
	}

	return a.id < b.id
}

// bound selects the records a request asks for: updated at or after since,
// and, when hasAfter, past the cursor's key.
type bound struct {
	since    int64
	after    key
	hasAfter bool
}

func (b bound) admits(k key) bool {
	return k.ts >= b.since && (!b.hasAfter || b.after.less(k))
}

// row is one record of a page with its key: a map, or, on the fast path
// of generated records, its JSON.
type row struct {
	key
	rec map[string]any
	raw []byte
}

// table serves one kind of record in (updated_at, id) order. The n
// generated records, whose keys grow with their index, come first; records
// changed or added later follow, in tail, since every change moves a
// record's time past all others. A changed generated record is skipped in
// its old place.
type table struct {
	idField string
	fields  []string
	n       int
	keyAt   func(i int) key
	recAt   func(i int) map[string]any
	indexOf func(id string) (int, bool)
	// jsonAt, when set, writes generated record i as JSON faster than
	// recAt and appendRecord would.
	jsonAt func(buf []byte, i int) []byte

	current map[string]*row // changed and added records, by id
	moved   map[int]bool    // generated records that changed
	tail    []*row          // current's rows in key order
}

// get returns a copy of the record's current version.
func (t *table) get(id string) (map[string]any, bool) {
	if r, ok := t.current[id]; ok {
		return maps.Clone(r.rec), true
	}
	if i, ok := t.indexOf(id); ok && i < t.n {
		return t.recAt(i), true
	}

	return nil, false
}

// put stores a new version of the record, updated at ts.
func (t *table) put(id string, rec map[string]any, ts int64) {
	rec[t.idField] = id
	rec["updated_at"] = simdata.FormatMicros(ts)
	if i, ok := t.indexOf(id); ok && i < t.n {
		t.moved[i] = true
	}

	r := &row{key: key{ts: ts, id: id}, rec: rec}
	if old, ok := t.current[id]; ok {
		t.tail = deleteRow(t.tail, old)
	}
	t.current[id] = r
	at := sort.Search(len(t.tail), func(j int) bool { return r.key.less(t.tail[j].key) })
	t.tail = append(t.tail, nil)
	copy(t.tail[at+1:], t.tail[at:])
	t.tail[at] = r
}

func deleteRow(rows []*row, r *row) []*row {
	for j, x := range rows {
		if x == r {
			return append(rows[:j], rows[j+1:]...)
		}
	}

	return rows
}

// scan returns up to take records within b after skipping skip of them,
// as maps when asMaps, or as JSON where the table can. The records are
// copies, safe to use after the caller unlocks.
func (t *table) scan(b bound, skip, take int, asMaps bool) []row {
	out := make([]row, 0, min(take, 1024))
	i0 := sort.Search(t.n, func(i int) bool { return b.admits(t.keyAt(i)) })
	for i := i0; i < t.n && len(out) < take; i++ {
		if t.moved[i] {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		out = append(out, t.generated(i, asMaps))
	}

	j0 := sort.Search(len(t.tail), func(j int) bool { return b.admits(t.tail[j].key) })
	for _, r := range t.tail[j0:] {
		if len(out) == take {
			break
		}
		if skip > 0 {
			skip--
			continue
		}
		out = append(out, row{key: r.key, rec: maps.Clone(r.rec)})
	}

	return out
}

func (t *table) generated(i int, asMap bool) row {
	if t.jsonAt == nil || asMap {
		return row{key: t.keyAt(i), rec: t.recAt(i)}
	}

	return row{key: t.keyAt(i), raw: t.jsonAt(nil, i)}
}

// count returns how many records lie within b.
func (t *table) count(b bound) int {
	i0 := sort.Search(t.n, func(i int) bool { return b.admits(t.keyAt(i)) })
	n := t.n - i0
	for i := range t.moved {
		if i >= i0 {
			n--
		}
	}

	j0 := sort.Search(len(t.tail), func(j int) bool { return b.admits(t.tail[j].key) })

	return n + len(t.tail) - j0
}
