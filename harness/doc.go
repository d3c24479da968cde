// Package harness runs one judge workload under different scheduling models
// and records every case execution as a sample.
//
// # Models
//
// serial runs one case at a time, each a sandboxed child: the reference. pool
// runs N goroutine workers, each running sandboxed children; Go has no
// interpreter lock, so it is right while N is at most the cores. process
// starts one judgebench worker process per case (this binary, `judgebench
// worker`); the case travels to it as JSON, a workload's name and arguments,
// never code, and the outcome comes back as JSON; a worker that dies, hangs
// or answers garbage is a SYSTEM_ERROR with its stderr. inproc runs a built-in
// workload's Go code in a goroutine locked to its OS thread, timed by that
// thread's clock: at GOMAXPROCS=1 it is the interpreter-lock analogue.
//
// The pitfall variants lose errors as their pitfalls do: pool-fireforget drops
// the result of a failed case, pool-firsterr keeps only the first failure (as
// errgroup's Wait does), pool-exitblind ignores exit status and signal and
// compares only the output. The groups count what was lost.
//
// # Measure modes
//
// exact is the sandbox's own figures. rusage-children takes CPU time as the
// growth of this process's RUSAGE_CHILDREN around each case, which counts every
// child reaped meanwhile: right serially, wrong as soon as cases overlap.
// ru-maxrss takes memory as the raw ru_maxrss, which under a Go parent is at
// least the parent's own peak.
//
// # Sweeps
//
// A plan crosses models with measure modes, parallelism, GOMAXPROCS and
// pinning: a pinned worker slot takes a CPU of its own, slot i the i-th of
// the placement order ([host.WorkerCPUs]: one CPU per physical core, the
// fastest class first, balanced over cache domains and nodes, then SMT
// siblings), over the CPUs this process may use or those Plan.CPUs names.
// The slot's thread runs there (an in-process case, a worker process it
// starts) and so does every program it runs: the sandbox gives the program
// its CPU at its exec, at every isolation level. Unpinned slots run their
// cases on all of Plan.CPUs when it is set. Repetitions are interleaved: each runs every setting
// once. The order of the cases is shuffled with a recorded seed. Serial runs
// first, so that its verdicts are the reference of the rest.
//
// # Run directories
//
// [Record] runs a [Job] (a [Harness] running a plan, or a [Calibrator]) into
// a run directory and writes its run.json whatever happens: finished,
// failed, or interrupted (its context cancelled before the job finished,
// the one meaning of interrupted: run.json says so and the error wraps
// [ErrInterrupted]). Without a directory named, it makes a new one whose
// name two runs never share. run, teach, calibrate and tune all record
// through it.
//
// # Calibration and tuning
//
// A [Calibrator] runs the burn workload at known CPU times, one at a time
// and as many at once as there are CPUs, against each program's own clock.
// [TunePlan] sweeps the pool's parallelism, pinned and not, against a serial
// reference; results.Tune decides from the run it records.
package harness
