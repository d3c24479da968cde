package results

// Finding is one thing the doctor checked on a host.
type Finding struct {
	Check  string `json:"check"`         // governor, boost, smt, cpu-classes, numa, cpuset, isolated, swap, thp, aslr, cgroup, cpu-quota, load, gomaxprocs or virtualization
	Status string `json:"status"`        // FindingOK, FindingWarn or FindingUnknown
	Value  string `json:"value"`         // what was found, e.g. "powersave on 2 of 2 CPUs"
	Why    string `json:"why"`           // one sentence: why it matters for timing
	Fix    string `json:"fix,omitempty"` // one sentence: what to do; empty unless Status is FindingWarn
}

// The statuses of a Finding.
const (
	FindingOK      = "ok"      // nothing to fear
	FindingWarn    = "warn"    // a timing hazard
	FindingUnknown = "unknown" // could not be read
)

// Warnings returns "check: value: why" for every warn finding; never nil.
func Warnings(fs []Finding) []string {
	w := []string{}
	for _, f := range fs {
		if f.Status == FindingWarn {
			w = append(w, f.Check+": "+f.Value+": "+f.Why)
		}
	}
	return w
}
