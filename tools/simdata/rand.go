// Package simdata holds what the stand-in source systems under tools/ share:
// a deterministic hash and random generator, exact money, the time format of
// the sources, the real region tree and the universe of made-up projects
// whose codes appear both in the finance sim and in the project reserve.
//
// Nothing here depends on Go's math/rand, so the same seed gives the same
// data on every Go version.
package simdata

// Hash mixes its parts into one well-spread 64-bit value (splitmix64 steps).
// The same parts always give the same value.
func Hash(parts ...uint64) uint64 {
	h := uint64(0x9e3779b97f4a7c15)
	for _, p := range parts {
		h = mix(h ^ mix(p+0x632be59bd9b4e019))
	}

	return h
}

// HashString folds a string into a 64-bit value (FNV-1a), for use as a part
// of Hash.
func HashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}

	return h
}

func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb

	return z ^ (z >> 31)
}

// Rand is a small deterministic random generator (splitmix64). It is not
// safe for concurrent use.
type Rand struct{ state uint64 }

// NewRand returns a generator whose sequence depends only on its parts.
func NewRand(parts ...uint64) *Rand { return &Rand{state: Hash(parts...)} }

// Uint64 returns the next value of the sequence.
func (r *Rand) Uint64() uint64 {
	r.state += 0x9e3779b97f4a7c15
	return mix(r.state)
}

// IntN returns a value in [0, n); n must be positive.
func (r *Rand) IntN(n int) int { return int(r.Uint64() % uint64(n)) }

// Between returns a value in [lo, hi].
func (r *Rand) Between(lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// Shuffle permutes the n elements that swap exchanges (Fisher-Yates).
func (r *Rand) Shuffle(n int, swap func(i, j int)) {
	for i := n - 1; i > 0; i-- {
		swap(i, r.IntN(i+1))
	}
}
