package harness

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// place is where a case runs: its worker slot, and the CPUs it may run on
// (nil: wherever the harness may).
type place struct {
	slot int
	cpus []int
}

// placeOf is where worker slot slot runs st's cases: pinned, on the slot's
// CPU of the placement order (slot i the i-th, round again when there are
// more slots than CPUs); else on all of Plan.CPUs when they were named, or
// wherever the harness may run.
func (h *Harness) placeOf(st setting, slot int) place {
	switch {
	case st.pinned && len(h.orders[st.placement]) > 0:
		order := h.orders[st.placement]
		return place{slot, []int{order[slot%len(order)]}}
	case len(h.plan.CPUs) > 0:
		return place{slot, h.cpus}
	}
	return place{slot: slot}
}

// pin locks the calling goroutine to its thread and that thread to cpus: an
// in-process case runs there, and a worker process started from it inherits
// them (a sandboxed program is given its CPUs by the sandbox, whatever thread
// starts it). The returned func restores the thread and unlocks it.
func pin(cpus []int) func() {
	runtime.LockOSThread()
	var old unix.CPUSet
	if unix.SchedGetaffinity(0, &old) != nil {
		return runtime.UnlockOSThread
	}
	var set unix.CPUSet
	for _, c := range cpus {
		set.Set(c)
	}
	unix.SchedSetaffinity(0, &set)
	return func() {
		unix.SchedSetaffinity(0, &old)
		runtime.UnlockOSThread()
	}
}
