// floor N FLAGS [MEMCG] PROG [ARGS...]: N times start PROG and wait for it,
// doing as little more than the flags say, for BenchmarkLaunch's floors.
// FLAGS: "-" for none; t: traced, stopped at its exec for five prlimits,
// then released; x: t, and stopped at its exit for its VmHWM from /proc;
// i: in a new IPC namespace; m: in a v1 memory cgroup made for it in the
// directory MEMCG ("case"), joined by this thread for the fork and left
// after, its peak read after its exit, removed; j: in a v1 memory cgroup made
// once in MEMCG, which the child joins itself (its tasks file, opened once)
// before its exec, its peak reset before each run and read after (as
// judgebench uses one again). Exits 0 when every run of PROG exited 0, after
// it printed its own CPU time (user and system, without the runs') in
// microseconds and the times it was preempted; on a failure it kills and
// reaps the run first, and leaves and removes its cgroup.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char **args;
static int traced, memcg, join, tasksfd = -1;
static char stack[1 << 16];
static char dir[4096], tasks[4200], home[4200], peak[4200];

static int child(void *unused) {
	if (traced && ptrace(PTRACE_TRACEME, 0, 0, 0) < 0) _exit(126);
	if (join && write(tasksfd, "0", 1) < 0) _exit(125);
	execv(args[0], args);
	_exit(127);
}

static int put(const char *path, const char *s) {
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) return -1;
	int n = write(fd, s, strlen(s));
	close(fd);
	return n < 0 ? -1 : 0;
}

static long readnum(const char *path, const char *key) {
	char buf[8192];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return -1;
	int n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0) return -1;
	buf[n] = 0;
	char *p = key ? strstr(buf, key) : buf;
	return p ? atol(p + (key ? strlen(key) : 0)) : -1;
}

// fail ends the loop with code, said on stderr with the last system error:
// it kills and reaps run pid (0: none), and leaves and removes the run's
// cgroup.
static int fail(int code, int pid) {
	fprintf(stderr, "floor: failure %d (last system error: %s)\n", code, strerror(errno));
	if (pid > 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, 0, __WALL) < 0 && errno == EINTR)
			;
	}
	if (memcg) {
		put(home, "0");
		rmdir(dir);
	}
	return code;
}

int main(int argc, char **argv) {
	if (argc < 4) return 2;
	int n = atoi(argv[1]);
	const char *f = argv[2];
	int exitstop = strchr(f, 'x') != 0, ipc = strchr(f, 'i') != 0;
	join = strchr(f, 'j') != 0;
	memcg = join || strchr(f, 'm') != 0;
	traced = exitstop || strchr(f, 't') != 0;
	if (memcg && argc < 5) return 2;
	args = argv + (memcg ? 4 : 3);
	if (memcg) {
		snprintf(dir, sizeof dir, "%s/case", argv[3]);
		snprintf(tasks, sizeof tasks, "%s/tasks", dir);
		snprintf(home, sizeof home, "%s/tasks", argv[3]);
		snprintf(peak, sizeof peak, "%s/memory.max_usage_in_bytes", dir);
	}
	if (join && (mkdir(dir, 0755) < 0 || (tasksfd = open(tasks, O_WRONLY | O_CLOEXEC)) < 0)) return fail(3, 0);
	for (int i = 0; i < n; i++) {
		if (memcg && !join && mkdir(dir, 0755) < 0) return fail(3, 0);
		if (memcg && !join && put(tasks, "0") < 0) return fail(3, 0);
		if (join && put(peak, "0") < 0) return fail(3, 0);
		int pid = clone(child, stack + sizeof stack, CLONE_VFORK | CLONE_VM | SIGCHLD | (ipc ? CLONE_NEWIPC : 0), 0);
		if (memcg && !join && put(home, "0") < 0) return fail(3, pid);
		if (pid < 0) return fail(4, 0);
		int st;
		if (traced) {
			if (waitpid(pid, &st, 0) < 0 || !WIFSTOPPED(st)) return fail(5, pid);
			struct rlimit l = {RLIM_INFINITY, RLIM_INFINITY};
			int res[] = {RLIMIT_CPU, RLIMIT_STACK, RLIMIT_FSIZE, RLIMIT_CORE, RLIMIT_NPROC};
			for (int r = 0; r < 5; r++) prlimit(pid, res[r], &l, 0);
			if (exitstop) {
				ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACEEXIT);
				ptrace(PTRACE_CONT, pid, 0, 0);
				if (waitpid(pid, &st, 0) < 0 || !WIFSTOPPED(st)) return fail(6, pid);
				char path[64];
				snprintf(path, sizeof path, "/proc/%d/status", pid);
				if (readnum(path, "VmHWM:") <= 0) return fail(7, pid);
				ptrace(PTRACE_CONT, pid, 0, 0);
			} else {
				ptrace(PTRACE_DETACH, pid, 0, 0);
			}
		}
		if (waitpid(pid, &st, 0) < 0) return fail(8, pid);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) return fail(8, 0);
		if (memcg && readnum(peak, 0) < 0) return fail(9, 0);
		if (memcg && !join && rmdir(dir) < 0) return fail(9, 0);
	}
	if (join && rmdir(dir) < 0) return fail(9, 0);
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) < 0) return fail(10, 0);
	printf("%ld %ld\n", (long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec, ru.ru_nivcsw);
	return 0;
}
