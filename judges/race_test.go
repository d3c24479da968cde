//go:build race

package judges

// raceEnabled: the test binary, and so every judged workload it poses as, is
// race-instrumented: its shadow memory does not fit under an address-space
// limit (Judger's, isolate's), and it is slower.
const raceEnabled = true
