/*
 * tools/host_exec.h - the host side of the differential tests: the
 * process commands of the script language (DESIGN.md) run as real system
 * calls and memory accesses of real processes (one per script pid,
 * forked as the script forks), inside one fixed window of their address
 * space, and print the line the simulator prints for them
 * (docs/differential.md).
 */
#ifndef KMM_TOOLS_HOST_EXEC_H
#define KMM_TOOLS_HOST_EXEC_H

#include <stdbool.h>
#include <stdio.h>

/*
 * The window: nothing of a process lives there (x86-64 puts programs and
 * heaps at 0x55..., libraries and stacks at 0x7f..., ASan its shadow
 * below 0x1000_0000_0000 and its heap at 0x6000_0000_0000; only TSan's
 * metadata would be in the way, and the test does not run under TSan).
 * A script reserves it with its first mmap, the same line on both sides.
 */
#define HOST_WINDOW_START	0x300000000000ul
#define HOST_WINDOW_SIZE	(64ul << 20)

/* The process the simulator spawns: no CAP_IPC_LOCK, Linux's default
 * RLIMIT_MEMLOCK (8 MiB) and RLIMIT_STACK (_STK_LIM, 8 MiB: the limit of
 * MAP_GROWSDOWN stacks). */
#define HOST_MEMLOCK_LIMIT	(8ul << 20)
#define HOST_STACK_LIMIT	(8ul << 20)

struct host_exec;

/*
 * Makes an executor that prints results on out and diagnostics on err.
 * Returns NULL (and says why on err) if the window is not empty.
 */
struct host_exec *host_exec_create(FILE *out, FILE *err);
/* Ends the processes and frees h. */
void host_exec_destroy(struct host_exec *h);
/* Names the input in diagnostics ("s.kmm", "<stdin>"); before the
 * first spawn. */
void host_exec_set_source(struct host_exec *h, const char *name);
/* kmm-host --faults: touch, read and write lines end with " minflt=N"
 * (and " majflt=N" when not 0), the faults the accesses took as
 * getrusage(RUSAGE_SELF) counts them.  Before the first spawn. */
void host_exec_set_show_faults(struct host_exec *h, bool show);
/*
 * --pku=off (on: false): answer as a host without protection keys would,
 * on a host that has them (tools/host_exec.c says how).  Before the first
 * line.
 */
void host_exec_set_pku(struct host_exec *h, bool on);
/*
 * --root DIR: the script's files (open, pread, ...) are below DIR, as in
 * a simulator booted with fs=DIR; without it file commands are refused.
 * Before the first spawn.  0 or -ENAMETOOLONG.
 */
int host_exec_set_root(struct host_exec *h, const char *dir);
/*
 * --kernel-addresses: every spawn fills the gaps of its address space
 * above the window (and puts an unmergeable page at the window's end),
 * so that where the kernel places a mapping (mmap without MAP_FIXED,
 * mremap with MREMAP_MAYMOVE) is found by a top-down search of the
 * window alone, as in a simulated process plugged the same way
 * (docs/differential.md).  Before the first spawn.
 */
void host_exec_set_kernel_addresses(struct host_exec *h, bool on);
/* The page at the window's end that --kernel-addresses maps first
 * (MAP_SHARED, PROT_NONE: no vma of a script merges with it). */
#define HOST_WINDOW_FENCE	(HOST_WINDOW_START + HOST_WINDOW_SIZE)
/*
 * Makes this process as privileged as a spawned simulated one: drops
 * CAP_IPC_LOCK from the effective set and sets the soft RLIMIT_MEMLOCK
 * and RLIMIT_STACK to HOST_MEMLOCK_LIMIT and HOST_STACK_LIMIT.  Returns
 * 0, -EPERM if a hard limit is lower (the soft one is then the hard
 * one), or -errno.
 */
int host_exec_drop_privileges(void);
/* Runs one line.  Returns 0, or -1 if the line was malformed or refused. */
int host_exec_run_line(struct host_exec *h, const char *line);
/* Runs every line of in (up to an exit of pid 1, the simulator's panic).
 * Returns the number of malformed or refused lines. */
int host_exec_run_stream(struct host_exec *h, FILE *in);
/* Whether exit 1 ended the script's init, as a panic ends the simulator's. */
bool host_exec_panicked(const struct host_exec *h);

#endif
