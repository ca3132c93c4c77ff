/*
 * sim/sim.h - the interpreter's state, shared by the files that hold its
 * commands (sim/script.c: machine, allocators; sim/task_cmds.c: processes
 * and their system calls).
 */
#ifndef KMM_SIM_SIM_H
#define KMM_SIM_SIM_H

#include <stdio.h>
#include "mm/machine.h"
#include "hw/machine.h"
#include "base/printk.h"
#include "base/smp.h"
#include "sim/owner.h"

struct sim {
	FILE *out;
	FILE *err;
	const char *source;
	unsigned long lineno;
	struct kmm *k;
	int booted_by_script;
	unsigned long boot_failed_line;	/* a boot failed there: no machine, and a
					 * script stops (the shell may boot again) */
	int commands_run;
	unsigned long crashed_line;	/* crash ran there: no machine until a boot */
	char report[1024];	/* first line of the first report a command caused */
	int nr_report_lines;
	int report_consumed;	/* the command printed that line as its result */
	char dmesg[4096];	/* every report the command caused */
	size_t dmesg_len;
	const char *dmesg_prefix; /* non-NULL: show reports on out, prefixed */
	struct owner_set owned;	/* what this script allocated (sim/owner.h) */
	bool stop_on_error;	/* sim_run_stream stops at a malformed line */
	bool quit;		/* quit was run: the reader stops */
	bool show_faults;	/* kmm run --faults: minflt=N after touch/read/write */
	const char *line;	/* the split line being run: argv points into it */
	size_t line_len;
	unsigned int fail_nth_next;	/* fail_nth N: armed for the next command */
	unsigned int fail_nth_left;	/* the countdown that command left (0: injected) */
};

/* A malformed line: the reason on err with SOURCE:LINE, "error EINVAL" on out. */
__printf(2, 3) int syntax_error(struct sim *s, const char *fmt, ...);
/*
 * A flags argument (NAME|NAME) with a bad word: the syntax error names the
 * word, or says where an empty one is (bad ""), by its column in the line.
 */
int flags_error(struct sim *s, const char *cmd, const char *what,
		const char *arg, const char *bad);

/* A flag word of a command's argument and its value. */
struct flag_name {
	const char *name;
	unsigned long value;
};

/* sim/task_cmds.c: the arguments and results every call command shares. */
/* NAME|NAME|NUMBER against table; -1 naming the bad word in bad. */
int parse_flags(const char *str, const struct flag_name *table, unsigned long *out, char *bad,
		size_t badlen);
/* "error ENAME" for -errno. */
int print_errno(struct sim *s, long err);
/* "ok" or "error ENAME". */
int print_result(struct sim *s, long ret);
/* "0x..." or "error ENAME". */
int print_addr(struct sim *s, long ret);
struct task_struct;
/* The task argv[1] names; NULL after printing ESRCH (or a syntax error: *bad). */
struct task_struct *arg_task(struct sim *s, char **argv, int *bad);
int arg_num(struct sim *s, char **argv, int i, const char *what, unsigned long *v);
int arg_flags(struct sim *s, char **argv, int i, const struct flag_name *table,
	      const char *what, unsigned long *v);

/* sim/task_cmds.c */
int cmd_spawn(struct sim *s, int argc, char **argv);
int cmd_fork(struct sim *s, int argc, char **argv);
int cmd_exit(struct sim *s, int argc, char **argv);
int cmd_mmap(struct sim *s, int argc, char **argv);
int cmd_munmap(struct sim *s, int argc, char **argv);
int cmd_mprotect(struct sim *s, int argc, char **argv);
int cmd_pkey_alloc(struct sim *s, int argc, char **argv);
int cmd_pkey_free(struct sim *s, int argc, char **argv);
int cmd_pkey_mprotect(struct sim *s, int argc, char **argv);
int cmd_mremap(struct sim *s, int argc, char **argv);
int cmd_madvise(struct sim *s, int argc, char **argv);
int cmd_mlock(struct sim *s, int argc, char **argv);
int cmd_mlock2(struct sim *s, int argc, char **argv);
int cmd_munlock(struct sim *s, int argc, char **argv);
int cmd_mlockall(struct sim *s, int argc, char **argv);
int cmd_munlockall(struct sim *s, int argc, char **argv);
int cmd_brk(struct sim *s, int argc, char **argv);
int cmd_prlimit(struct sim *s, int argc, char **argv);
int cmd_ps(struct sim *s, int argc, char **argv);
int cmd_touch(struct sim *s, int argc, char **argv);
int cmd_tlbstat(struct sim *s, int argc, char **argv);
int cmd_read(struct sim *s, int argc, char **argv);
int cmd_write(struct sim *s, int argc, char **argv);
int cmd_msync(struct sim *s, int argc, char **argv);
int cmd_mincore(struct sim *s, int argc, char **argv);

/* sim/file_cmds.c */
int cmd_open(struct sim *s, int argc, char **argv);
int cmd_close(struct sim *s, int argc, char **argv);
int cmd_memfd_create(struct sim *s, int argc, char **argv);
int cmd_pread(struct sim *s, int argc, char **argv);
int cmd_pwrite(struct sim *s, int argc, char **argv);
int cmd_ftruncate(struct sim *s, int argc, char **argv);
int cmd_fsync(struct sim *s, int argc, char **argv);
int cmd_fdatasync(struct sim *s, int argc, char **argv);
int cmd_sync(struct sim *s, int argc, char **argv);
int cmd_fadvise(struct sim *s, int argc, char **argv);
int cmd_cachestat(struct sim *s, int argc, char **argv);
int cmd_mkdir(struct sim *s, int argc, char **argv);
int cmd_unlink(struct sim *s, int argc, char **argv);
int cmd_rmdir(struct sim *s, int argc, char **argv);
int cmd_rename(struct sim *s, int argc, char **argv);
int cmd_stat(struct sim *s, int argc, char **argv);
int cmd_syncfs(struct sim *s, int argc, char **argv);
int cmd_mount(struct sim *s, int argc, char **argv);
int cmd_mkfs(struct sim *s, int argc, char **argv);
int cmd_umount(struct sim *s, int argc, char **argv);
int cmd_buffers(struct sim *s, int argc, char **argv);
int cmd_swapon(struct sim *s, int argc, char **argv);
int cmd_swapoff(struct sim *s, int argc, char **argv);
int cmd_mkswap(struct sim *s, int argc, char **argv);
/* The bytes of a data argument: "text" or fill=0xAB:LEN (malloc'ed), or NULL
 * after a syntax error. */
unsigned char *arg_data(struct sim *s, const char *arg, unsigned long *len);
/* What read and pread print for bytes: hex pairs, or crc32= past 64. */
void print_bytes(struct sim *s, const unsigned char *buf, unsigned long len);

#endif
