package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/judgebench/judgebench/host"
)

const topologyUsage = "topology [--json] [--sysfs ROOT] [--cpus LIST]"

// topologyOptions are the flags of `judgebench topology`.
type topologyOptions struct {
	json  bool
	sysfs string
	cpus  []int
}

// topologyJSON is what `topology --json` prints: the topology and the order
// in which worker slots take its CPUs.
type topologyJSON struct {
	*host.Topology
	Placement []int `json:"placement"`
}

// runTopology prints the CPU layout of this machine, or of the sysfs tree
// given, and the order in which worker slots take its CPUs.
func runTopology(_ context.Context, args []string, _ io.Reader, stdout, _ io.Writer) error {
	var o topologyOptions
	fs := newFlagSet("topology", topologyUsage, stdout)
	fs.BoolVar(&o.json, "json", false, "print the layout and the placement as JSON")
	fs.StringVar(&o.sysfs, "sysfs", host.DefaultSysfs, "the sysfs tree to read: this machine's, or a copy of another's (then its online CPUs\n"+
		"within the cpuset at the top of its fs/cgroup are the allowed ones)")
	addCPUsFlag(fs, &o.cpus)
	if done, err := parseFlags(fs, args); done {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("topology: takes no arguments")
	}
	t, err := host.ReadTopology(o.sysfs)
	if err != nil {
		return usageErrorf("%v", err)
	}
	workers, err := t.Workers(o.cpus)
	if err != nil {
		return usageErrorf("topology: --cpus: %v", err)
	}
	placement := t.Place(host.Spread, workers)
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(topologyJSON{t, placement})
	}
	return writeTopology(stdout, t, workers, placement)
}

// writeTopology prints t as text: a summary, the classes, a line per CPU
// and the placement.
func writeTopology(w io.Writer, t *host.Topology, workers, placement []int) error {
	smt := "no SMT"
	if t.SMT() {
		smt = "SMT"
	}
	fmt.Fprintf(w, "sysfs %s: %d online CPUs (%s), allowed %s (%s), isolated %s\n", t.Sysfs, len(t.Online),
		host.FormatCPUList(t.Online), host.FormatCPUList(t.Allowed), t.AllowedFrom, orNone(host.FormatCPUList(t.Isolated)))
	fmt.Fprintf(w, "%s, %s, %s, %s, %s\n\n", count(len(t.Packages()), "package"), count(len(t.Nodes()), "NUMA node"),
		count(t.LLCs(), "LLC domain"), count(len(t.Cores()), "physical core"), smt)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "class\tname\tcpus\tcores\tfrom")
	for i, c := range t.Classes {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\n", i, c.Name, host.FormatCPUList(c.CPUs), c.Cores, orNone(c.Source))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "cpu\tcore\tpackage\tnode\tllc\tclass\tsiblings\tuse")
	for _, c := range t.CPUs {
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", c.CPU, c.Core, c.Package, c.Node, c.LLC, c.Class,
			host.FormatCPUList(c.Siblings), use(c, workers))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	order := make([]string, len(placement))
	for i, c := range placement {
		order[i] = strconv.Itoa(c)
	}
	_, err := fmt.Fprintf(w, "\nplacement (pinned worker slot i takes the i-th): %s\n", strings.Join(order, ","))
	return err
}

// use says whether worker slots use CPU c, and why not.
func use(c host.CPU, workers []int) string {
	switch {
	case slices.Contains(workers, c.CPU):
		return "worker"
	case c.Isolated:
		return "isolated"
	case !c.Allowed:
		return "not allowed"
	}
	return "not named"
}

// count is "n word", with an s unless n is 1.
func count(n int, word string) string { return strconv.Itoa(n) + " " + plural(n, word) }

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
