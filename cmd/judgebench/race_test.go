//go:build race

package main

// raceEnabled: the test binary, and so every judged workload it poses as, is
// race-instrumented, with shadow memory on top of its own.
const raceEnabled = true
