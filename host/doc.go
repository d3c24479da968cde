// Package host says what the machine is, for the people and records that
// judge timings on it.
//
// # Doctor
//
// [Doctor] checks the host for timing hazards, one [Finding] per check: the
// CPU frequency governor, turbo boost, SMT, swap, transparent huge pages,
// address-space randomization, per-case cgroups, a CPU quota on this process's
// cgroups or their ancestors (v1 cpu.cfs_quota_us or v2 cpu.max), the load
// average, GOMAXPROCS against that quota, and virtualization (DMI names and
// the hypervisor CPU flag). It never fails: what it cannot read is "unknown".
// [Warnings] turns the findings into the lines run.json records.
//
// # Machine description
//
// [Describe] is the host part of every run's results.Machine: CPU model,
// logical and physical cores (distinct physical id and core id pairs of
// /proc/cpuinfo), SMT, kernel, governor, Go version, GOMAXPROCS as the process
// started ([DefaultGOMAXPROCS]), the CPU quota and the doctor's warnings.
package host
