// Package results is judgebench's record of a run and the only thing that
// measurement and analysis share: `judgebench run` writes a run directory
// with a [Writer]; report, compare and export read it back with [Read]. It
// holds the record's vocabulary, and every analysis that is a pure function
// of runs. The package imports nothing else of judgebench.
//
// # Vocabulary
//
// The words of the record are types: [Verdict], [Model], [Measure] and
// [Pin], each a string type with its list of values ([Verdicts], [Models],
// [Measures], [Pins]), a parser whose error, an [UnknownError], lists them
// and suggests the closest ("did you mean"), and text marshalling that
// accepts nothing else: a run.json that names an unknown model does not
// read. Package sandbox keeps its own Verdict type (it is a leaf); the
// harness test keeps the two lists the same.
//
// # File format
//
// A run is the file run.json in its run directory: one JSON object, a [Run],
// whose "schema" is [Schema], "judgebench/run/v1". Its first line holds the
// header fields (schema, target, times, settings, machine); then comes
// "samples", one [Sample] per line, and "groups", one [Group] per line:
//
//	{"schema":"judgebench/run/v1","target":"...",...,"machine":{...},
//	"samples":[
//	{"case":"1","model":"serial",...,"verdict":"ACCEPTED",...},
//	{"case":"2","model":"serial",...,"verdict":"WRONG_ANSWER",...}
//	],
//	"groups":[
//	{"model":"serial","measure":"exact",...,"n":2,...}
//	]}
//
// The line breaks are for people, grep and error messages; readers must not
// rely on them. Times are milliseconds, memory is bytes. Verdicts are the
// names such as [Accepted] ("ACCEPTED"); [Read] rejects a sample with an empty
// or unknown verdict and a file of another schema, and ignores JSON fields it
// does not know, which newer writers may add.
//
// # Run directories and atomic writes
//
// [CreateNew] makes a new run directory named after the time and the
// target, "20261130T053249Z-judge", or "-2", "-3", ... after it when taken:
// each name is taken by an atomic mkdir, so runs started together never
// share one. [WriteFileAtomic] writes any file through a temporary file,
// synced and renamed, with its directory synced.
//
// A [Writer] appends each sample, as it comes, to a temporary file in the run
// directory, so memory stays flat however long the run. [Writer.Finish]
// writes run.json into another temporary file in the same directory, copying
// the samples across without holding them in memory, syncs it and renames it
// over run.json: a reader, or a run killed half way, sees no run.json or a
// whole one, never a part. [Writer.Abort] removes the temporary files.
//
// # Statistics
//
// [ComputeGroups] groups samples by [Key] and summarises the CPU time, real
// time and peak memory of each group in a [Stats]: minimum, median, mean,
// 95th percentile, maximum, population standard deviation and median
// absolute deviation (unscaled), computed with github.com/montanaflynn/stats.
// The 95th percentile interpolates linearly between the closest ranks
// (Hyndman and Fan type 7, as NumPy and R do by default): of 1..10 it is 9.55.
// Nothing is rounded; a value that is not a finite number, which only absurd
// inputs give, is recorded as 0 because JSON cannot hold it.
//
// Inflation is median real time over median CPU time. The reference group is
// the serial model's group measured "exact" (of several, the one with the
// largest GOMAXPROCS, unpinned before pinned); without one, each group refers
// to the serial group of its own measure mode; without that, it has no
// reference and CPUVsSerial and VerdictFlips are 0. CPUVsSerial is the
// median CPU time of the group's samples of cases the reference also ran,
// over the reference's median for cases the group ran; it is 1 for the
// reference itself. VerdictFlips counts the group's cases with a sample whose
// verdict differs from the case's verdict in the reference, its most common
// there (of equally common, the first seen); for the reference itself this
// counts the cases whose verdict was not stable.
//
// A sample carries an injected fault when FaultInjected is set and its
// ExpectedVerdict is neither "" nor ACCEPTED (a serial reference verdict is
// no fault). FaultsInjected comes from the harness's [GroupInfo] when
// given, else it is the number of such samples; FaultsReported is the number
// of such samples whose verdict is not ACCEPTED, and FaultsLost is what
// injected faults were not reported. ElapsedMS is GroupInfo.Elapsed when not
// zero, else from the earliest start to the latest end of the group's
// samples; throughput is samples per second of it.
//
// # Comparison, tuning and export
//
// [Compare] matches two runs' groups by key and compares cpu_time,
// real_time and memory case by case, never pooling cases of different
// sizes. Within each case it ranks the new run's values against the base
// run's (the Mann-Whitney count U of pairs where new is above base, ties
// counting half); van Elteren's test combines the cases as V = Σ U/(N+1),
// N the case's values in both runs. Its two-sided p-value comes from the
// exact permutation distribution, ties included (each case's distribution
// by counting subsets of midranks, the cases convolved on the lattice of the
// weights' least common multiple), or from the normal approximation with a
// tie correction when a case has more than 60 values or the lattice grows
// too large. With one case it is the Mann-Whitney U test. The change is the
// weighted median of new/base over every pair of values of one case (a
// stratified Hodges-Lehmann estimate), and its interval, at level 1-alpha,
// inverts the same test: the ratios r for which new/r against base is not
// rejected. Each run's typical value is its median case, the median of the
// case medians.
//
// Holm's method corrects the p-values over the family of every group's
// gated metrics ([Options.Metrics]), so that two runs of one program show a
// regression in at most alpha of comparisons whatever the number of groups;
// tests that cannot reach alpha with their values leave the family, and the
// metrics not gated are corrected in a family of their own. A regression is
// significant after correction and its whole interval lies above the
// threshold; an improvement below minus the threshold. Too few samples to
// reach Holm's first level, cases only one run has, and values that are not
// finite numbers of 0 or more (left out) are warnings. A simulation test
// checks the error rate and the power.
//
// [Tune] reads a tuning sweep and recommends the highest parallelism at
// which every level up to it is safe: cpu_vs_serial's 95% upper bound within
// a tolerance, no verdict flip, inflation within [MaxInflation] times
// serial's; never more cases at once than the machine's CPUs.
//
// Export writes a run as Go benchmark lines (for benchstat), CSV, or the
// Markdown group table, which [GroupTable] defines for every view of the
// groups: the terminal summary, report.md, report.html and export.
//
// # Other records
//
// [Finding] is one check of the doctor (package host), [CalibrationPoint]
// one point of a calibration: the types report renders without importing
// the packages that make them. [Median] and [Millis] are the one median and
// the one millisecond conversion of judgebench.
package results
