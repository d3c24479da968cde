// Package teach holds the lessons of `judgebench teach`: each concurrency
// pitfall of the post this project grew from, reproduced live in Go.
//
// # Lessons
//
// A [Lesson] is what the post saw, its Go analogue, compact plans run live
// by the harness, a sentence computed from the runs' numbers, and the fix.
// [Lessons] lists them in the order teach shows them: the interpreter lock
// (inproc at GOMAXPROCS=1), oversubscription, contention (CPU time itself
// grows), lost errors (the pool's pitfall variants), CPU time from
// RUSAGE_CHILDREN, the parent's ru_maxrss, what a worker process can be sent,
// and a panic in one goroutine.
//
// [Lesson.Run] records each plan in a run directory of its own, so that the
// lessons' runs can be reported like any other.
package teach
