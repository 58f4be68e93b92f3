//go:build !race

package reservesim

// slowdown is how much slower the race detector makes this package's code.
const slowdown = 1
