// Package judges drives the judges operators already run — QingdaoU Judger,
// isolate, go-judge, or any command described in a small YAML file — as
// executors of the harness: each runs one case under judgebench's limits
// through the judge and returns the judge's own verdict and figures in
// judgebench's terms (a sandbox.Result whose Judge field keeps the judge's
// raw account).
//
// The judge's verdict is the sample's verdict, mapped to judgebench's names.
// judgebench adds only two things: its checker turns an accepted run whose
// output is wrong into WRONG_ANSWER, and what judgebench would decide from
// the judge's own figures and the limits, when that differs, goes in
// JudgeReport.Verdict (a judge that polls its CPU limit lets a program that
// ends in time past the limit pass; one that counts user time only lets a
// program that lives in the kernel pass).
package judges
