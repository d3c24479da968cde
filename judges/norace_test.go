//go:build !race

package judges

const raceEnabled = false
