// Package host says what the machine is, for the people and records that
// judge timings on it.
//
// # Doctor
//
// [Doctor] checks the host for timing hazards, one [Finding] per check: the
// CPU frequency governor, turbo boost, SMT, classes of cores of different
// speeds, several NUMA nodes, a cpuset that leaves out some online CPUs
// (a warning when it splits a core), isolated CPUs, swap, transparent huge pages,
// address-space randomization, per-case cgroups, a CPU quota on this process's
// cgroups or their ancestors (v1 cpu.cfs_quota_us or v2 cpu.max), the load
// average, GOMAXPROCS against that quota, and virtualization (DMI names and
// the hypervisor CPU flag). It never fails: what it cannot read is "unknown".
// [Warnings] turns the findings into the lines run.json records.
//
// # CPU topology and placement
//
// [ReadTopology] reads the CPU layout from sysfs (/sys, or a tree given for
// a test or another machine): the online CPUs; physical cores, told by
// their SMT siblings (thread_siblings_list), never by core_id, which repeats
// across packages and clusters; packages; NUMA nodes (node/nodeN/cpulist);
// last-level-cache domains (the shared_cpu_list of each CPU's highest cache
// level); classes of speed, fastest first: by the Intel hybrid PMUs'
// cpu_core and cpu_atom lists, else by cpu_capacity, else by the maximum
// frequency, within [ClassTolerance]; isolated CPUs; and the CPUs this
// process may use: its affinity within its cgroup cpuset (in a tree, its
// online CPUs within the cpuset at the top of its fs/cgroup).
// [ParseCPUList] and [FormatCPUList] read and write the kernel's CPU lists.
//
// [Topology.Place] orders a set of CPUs by a [Strategy]: [Spread] (the
// order worker slots take CPUs: one CPU per physical core of the fastest
// class first, balanced over last-level-cache domains and NUMA nodes, then
// the next class, then the SMT siblings), [PerCore], [Fastest] and
// [Packed], the candidates a tuning sweep may compare. [Topology.Workers]
// is the set worker slots use: the CPUs named (--cpus), isolated ones
// included, else the allowed ones but the isolated. [WorkerCPUs] is both on
// this machine.
//
// # Machine description
//
// [Describe] is the host part of every run's results.Machine: CPU model,
// logical and physical cores (sets of SMT siblings, else distinct physical
// id and core id pairs of /proc/cpuinfo), SMT, kernel, governor, Go version, GOMAXPROCS as the process
// started ([DefaultGOMAXPROCS]), the CPU quota and the doctor's warnings.
package host
