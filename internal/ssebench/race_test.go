//go:build race

package ssebench

// raceBuild: the test binary, and so the bare proxy process, runs with the
// race detector, which multiplies its memory.
const raceBuild = true
