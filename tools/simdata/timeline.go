package simdata

// Timeline gives record i of a generated table its update time in
// microseconds since the epoch. Times never decrease as i grows, so the
// order of the records by (time, key) is their order by i whenever keys
// grow with i. By construction some records share a time exactly: an odd i
// copies the time of the record before it about one time in four.
type Timeline struct {
	// Start is the earliest time, in microseconds since the epoch.
	Start int64
	// Step is the mean distance between records, in microseconds; every
	// time lies at a random microsecond within its step.
	Step int64
	// Salt tells timelines of different tables apart.
	Salt uint64
}

// At returns the time of record i.
func (tl Timeline) At(i int) int64 {
	k := i
	if tl.Tied(i) {
		k = i - 1
	}
	jitter := int64(Hash(tl.Salt, 1<<40+uint64(k)) % uint64(tl.Step))

	return tl.Start + int64(k)*tl.Step + jitter
}

// Tied reports whether record i shares its time with record i-1.
func (tl Timeline) Tied(i int) bool {
	return i%2 == 1 && Hash(tl.Salt, uint64(i))%4 == 0
}

// End returns a time later than that of any of the first n records.
func (tl Timeline) End(n int) int64 { return tl.Start + int64(n)*tl.Step }
