// Package report turns run records into a report people read: a diagnosis
// in plain words, a table of the group statistics, and plots. It works from
// result files alone (package results) and never imports the harness or the
// sandbox, so a run made on a judge box can be reported anywhere.
//
// # Files
//
// [Write] writes, into one directory, report.md (GitHub-flavoured Markdown,
// figures referenced as plots/NAME.png), report.html (self-contained: every
// figure is inline SVG, with no script, font or other resource fetched), and
// every figure as plots/NAME.png and plots/NAME.svg. [Markdown], [HTML] and
// [Plots] are its parts, for callers that want only one of them. Output is
// deterministic: the same runs give the same bytes.
//
// The report opens with the warnings of the runs' machines (those of
// `judgebench doctor` and those of the sandbox), each prefixed with its run's
// name when there are several. Each run then gets a section: target, times,
// machine, settings, the diagnosis and the group table. The figures follow,
// drawn once for all runs (but the timelines): with several runs every line,
// box and bar is labelled "run/model".
//
// # Terminal and JSON
//
// What the commands print is rendered here too, from records alone:
// [WriteGroupTable] (results.GroupTable as aligned text), [WriteRunSummary]
// and [WriteRunJSON] for run, [WriteComparison] and [WriteComparisonJSON]
// for compare (a table per metric, as benchstat shows a comparison: each
// run's median case, the change with its confidence interval, the p-value
// corrected by Holm's method; then the tests and the verdict line),
// [WriteTuning], [WriteTuningJSON] and [TunePlot] for tune,
// [WriteCalibration] and [WriteCalibrationJSON] for calibrate, and
// [WriteDoctor] and [WriteDoctorJSON] for the doctor's findings.
//
// # Diagnosis
//
// [Diagnose] puts in words what the numbers of a run show: faults lost,
// verdicts that flip, CPU time or memory attributed to the wrong process,
// cases that wait, cases that compute slower side by side. Its documentation
// gives every finding and its threshold. The thresholds are deliberately
// plain numbers (1.3x, +10%) rather than significance tests: the diagnosis
// says where to look, `judgebench compare` says whether a change is real.
//
// # Figures
//
// Every figure has a title, axis labels with units, a legend to the right
// of the plot and the Okabe–Ito palette, safe for colour-blind readers; a
// model has the same colour in every report.
// [Plots] draws only the figures that have data:
//
//   - inflation: inflation against parallelism, a line per model (and
//     measure mode, GOMAXPROCS or pinning where a model has several), with a
//     dashed reference at 1;
//   - cpu-time, real-time: box plots per group, labelled "model p=N", with a
//     thick black median; at most 200 outside points are drawn per box;
//   - gomaxprocs: inproc inflation against GOMAXPROCS, a line per
//     parallelism, when an inproc group was run at several GOMAXPROCS;
//   - faults: bars of faults injected, reported and lost per model, when a
//     fault was injected;
//   - throughput: cases per second against parallelism, a line per model;
//   - timeline: the worker slots of a run's group with the highest
//     parallelism (of those, the highest inflation), repetition 0, each case
//     a bar from its start to its end, at most the first 2,000 cases; with
//     several runs, one per run (timeline-1, timeline-2, ...).
//
// With several runs, each is shown under a short name: their targets when
// those tell them apart, else their names without the time a default run
// directory starts with.
package report
