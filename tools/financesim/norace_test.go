//go:build !race

package financesim

// slowdown is how much slower the race detector makes this package's code.
const slowdown = 1
