/*
 * tools/host_int.h - what the files of the host executor share
 * (tools/host_exec.c: lines and system calls; tools/host_access.c:
 * touch, read and write with their faults; tools/host_procs.c: the
 * process tree).
 *
 * The executor is a tree of real processes.  The one that reads the
 * script (the dispatcher) maps nothing in the window; each script
 * process is a server process of its own, forked from the dispatcher
 * (spawn) or from another server (fork), that runs the lines of its pid
 * and sends back what they print over a socket.  A server's copy of
 * struct host_exec has self_pid set and out/err on buffers of the line.
 */
#ifndef KMM_TOOLS_HOST_INT_H
#define KMM_TOOLS_HOST_INT_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include "tools/host_exec.h"

#define HOST_PAGE_SIZE	4096ul
#define HOST_TASK_SIZE	0x00007ffffffff000ul
#define HOST_MAX_PROCS	64
#define HOST_MAX_ARGS	16
#define HOST_MAX_LINE	4096
#define HOST_MAX_RW	(64ul << 20)	/* the simulator's limit on read/write/touch */
#define HOST_MAX_FDS	64	/* script fds a process may have open */

typedef unsigned __int128 u128;

/* A script process, as the dispatcher sees it. */
struct host_proc {
	int pid;		/* the script's pid; 0: free slot */
	pid_t host_pid;
	int chan;		/* socket to its server */
	int pidfd;		/* readable once it has exited */
	bool child;		/* the dispatcher's own child (spawn): to reap */
};

struct host_exec {
	FILE *out;
	FILE *err;
	const char *source;
	unsigned long lineno;
	bool show_faults;	/* --faults: touch/read/write end with minflt=N */
	bool pku_off;		/* --pku=off: act as a host without protection keys */
	bool plug;		/* --kernel-addresses: spawn plugs every gap above the window */
	int self_pid;		/* in a server: its script pid; 0 in the dispatcher */
	int chan;		/* in a server: its socket to the dispatcher */
	int next_pid;		/* the pid the next spawn or fork gets */
	bool panicked;		/* exit 1 ended init: nothing runs any more */
	char root[4096];	/* --root DIR: the script's / for files ("": none) */
	int fds[HOST_MAX_FDS];	/* in a server: script fd -> host fd + 1 (0: free) */
	struct host_proc procs[HOST_MAX_PROCS];
};

struct host_cmd {
	const char *name;
	int min_args;		/* not counting the name */
	int max_args;
	const char *usage;
	int (*fn)(struct host_exec *h, int argc, char **argv);
	bool routed;		/* runs in the server of argv[1]'s pid */
};

/* tools/host_exec.c */
__attribute__((format(printf, 2, 3)))
int host_syntax_error(struct host_exec *h, const char *fmt, ...);
int host_refuse(struct host_exec *h, const char *cmd);
/* 0 if arg is this server's pid; 1 after printing ESRCH; -1 malformed. */
int host_parse_pid(struct host_exec *h, const char *arg);
int host_parse_num(struct host_exec *h, const char *what, const char *arg,
		   unsigned long *v, bool allow_suffix);
bool host_in_window(unsigned long addr, unsigned long len, u128 limit);
void host_print_errno(struct host_exec *h, int err);
/* PID ADDR LEN with the range inside the window (below limit): 0, 1 after
 * an error line (ESRCH, EPERM), -1 malformed. */
int host_range_args(struct host_exec *h, char **argv, unsigned long *addr,
		    unsigned long *len, u128 limit);
/* Runs a tokenized line in this process (a server, or the dispatcher
 * for its own commands and for pids that do not exist). */
int host_run_cmd(struct host_exec *h, int argc, char **argv);
/* Tokenizes text into line/argv as the simulator does; -1 malformed. */
int host_split_line(struct host_exec *h, const char *text, char *line,
		    size_t size, char **argv, int max);
const struct host_cmd *host_find_cmd(const char *name);

/* tools/host_plug.c */
/*
 * In a new server, before the script's first line: fills every gap of
 * the address space that a top-down search would find above the window
 * (host_exec_set_kernel_addresses).  Returns 0, or -errno.
 */
int host_plug_above_window(void);

/* tools/host_access.c */
int host_cmd_touch(struct host_exec *h, int argc, char **argv);
int host_cmd_read(struct host_exec *h, int argc, char **argv);
int host_cmd_write(struct host_exec *h, int argc, char **argv);
/* fill=BYTE:LEN; -1 if malformed. */
int host_parse_fill(const char *arg, unsigned long *byte, unsigned long *len);
/* The executor's own buffer of up to HOST_MAX_RW bytes (NULL: longer),
 * resident and outside the window. */
unsigned char *host_rw_buffer(unsigned long len);

/* tools/host_files.c: the file calls, below the --root directory. */
int host_cmd_open(struct host_exec *h, int argc, char **argv);
int host_cmd_close(struct host_exec *h, int argc, char **argv);
int host_cmd_pread(struct host_exec *h, int argc, char **argv);
int host_cmd_pwrite(struct host_exec *h, int argc, char **argv);
int host_cmd_ftruncate(struct host_exec *h, int argc, char **argv);
int host_cmd_fsync(struct host_exec *h, int argc, char **argv);
int host_cmd_mkdir(struct host_exec *h, int argc, char **argv);
int host_cmd_unlink(struct host_exec *h, int argc, char **argv);
int host_cmd_rmdir(struct host_exec *h, int argc, char **argv);
int host_cmd_rename(struct host_exec *h, int argc, char **argv);
int host_cmd_stat(struct host_exec *h, int argc, char **argv);
int host_cmd_fdatasync(struct host_exec *h, int argc, char **argv);
int host_cmd_msync(struct host_exec *h, int argc, char **argv);
int host_cmd_mincore(struct host_exec *h, int argc, char **argv);
/* The host fd of script fd n in this server, or -1. */
int host_file_fd(const struct host_exec *h, unsigned long n);
/* In a new server: the signal handlers, scratch pages and the buffer of
 * the accesses (mapped now: after host_plug_above_window, a mapping the
 * kernel places would land in the window). */
int host_access_init(void);

/* tools/host_procs.c */
int host_cmd_spawn(struct host_exec *h, int argc, char **argv);
int host_cmd_fork(struct host_exec *h, int argc, char **argv);
int host_cmd_exit(struct host_exec *h, int argc, char **argv);
/* The live process of script pid, or NULL. */
struct host_proc *host_find_proc(struct host_exec *h, unsigned long pid);
/* Runs text in proc's server, copying what it prints to h->out/err. */
int host_route_line(struct host_exec *h, struct host_proc *p, const char *text);
/* Ends every server. */
void host_procs_destroy(struct host_exec *h);

#endif
