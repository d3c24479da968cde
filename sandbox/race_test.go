//go:build race

package sandbox

// raceEnabled: the test binary, and so every judged workload it poses as, is
// race-instrumented: slower, and with shadow memory on top of its own.
const raceEnabled = true
