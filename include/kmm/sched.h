/*
 * include/kmm/sched.h - simulated processes.  A task is a pid, a name and
 * an address space; it does not run code, the script (or a C caller)
 * makes its system calls for it.  spawn = fork of nothing + execve of a
 * built-in ELF program (fs/exec.c), fork duplicates the address space
 * (kernel/fork.c), exit tears it down (kernel/exit.c).
 */
#ifndef KMM_SCHED_H
#define KMM_SCHED_H

#include <stdbool.h>
#include <kmm/list.h>

#define TASK_COMM_LEN	16

struct mm_struct;
struct files_struct;

/* What /proc/PID/io prints (Linux's struct task_io_accounting). */
struct task_io_accounting {
	unsigned long long rchar;	/* bytes read(2)/pread(2) returned */
	unsigned long long wchar;	/* bytes write(2)/pwrite(2) took */
	unsigned long long syscr;	/* read calls */
	unsigned long long syscw;	/* write calls */
	unsigned long long read_bytes;	/* bytes the task made the disk read */
	unsigned long long write_bytes;	/* bytes of pages the task dirtied */
	unsigned long long cancelled_write_bytes;	/* of those, dropped dirty (truncate) */
};

struct task_struct {
	int pid;
	char comm[TASK_COMM_LEN];
	struct mm_struct *mm;
	struct files_struct *files;	/* its open files (fs/file.c) */
	int oom_score_adj;		/* /proc/PID/oom_score_adj: -1000..1000 */
	bool sigkill;			/* SIGKILL is pending: the task ends on its way back
					 * to user space (deliver_fatal_signals) */
	bool oom_victim;		/* the OOM killer chose it (TIF_MEMDIE): it may dig
					 * into the memory reserves until it is gone */
	struct task_struct *real_parent;	/* NULL: spawned by the machine */
	struct list_head tasks;		/* on the machine's task list, ascending pid */
	unsigned long min_flt, maj_flt;	/* faults taken (the page-fault layer) */
	unsigned int pkru;		/* the PKRU register while it runs: 2 bits a
					 * protection key, access- and write-disable */
	struct task_io_accounting ioac;
};

/* A new, empty address space, and the drop of one (Linux's
 * linux/sched/mm.h; mm/mmap.c). */
struct mm_struct *mm_alloc(void);
void mmput(struct mm_struct *mm);

/* The live task with this pid, or NULL. */
struct task_struct *find_task_by_vpid(int pid);
/* A new process running the program name ("cat", "sh", ...; NULL: "init"),
 * laid out as a freshly exec'd ELF program.  NULL with *err = -errno. */
struct task_struct *kernel_spawn(const char *name, int *err);
/* A copy of parent: same layout, its own copy of the address space. */
struct task_struct *kernel_fork(struct task_struct *parent, int *err);
/* Replaces t's address space with a fresh image of name. */
int kernel_execve(struct task_struct *t, const char *name);
/* Tears t down: every VMA, page, table and object goes back. */
void do_exit(struct task_struct *t);
/* Linux's exit codes: exit_group(status) ends with status << 8, a fatal
 * signal with its number. */
#define EXIT_CODE(status)	(((status) & 0xff) << 8)
/*
 * t ends with exit_code, as exit_group(2) or a fatal signal ends a
 * process.  Init (pid 1) may not end: the machine panics ("Attempted to
 * kill init! exitcode=0x%08x"), t stays, and -EPERM is returned.
 */
int do_group_exit(struct task_struct *t, int exit_code);
/* The name a report gives the task running a call: its comm, or "kmm"
 * for the simulator's own calls, made on behalf of no process. */
static inline const char *task_comm_or_kmm(const struct task_struct *t)
{
	return t ? t->comm : "kmm";
}
/* Linux's fatal_signal_pending: t has been sent SIGKILL. */
static inline bool fatal_signal_pending(const struct task_struct *t)
{
	return t->sigkill;
}
/* The OOM killer chose t and t is not gone yet (TIF_MEMDIE). */
static inline bool tsk_is_oom_victim(const struct task_struct *t)
{
	return t->oom_victim;
}
/*
 * What every task with SIGKILL pending does on its way back to user
 * space (get_signal): it ends, with SIGKILL as its exit code.  fn, when
 * given, hears of each one first.  Returns how many ended.
 */
struct kmm;
int deliver_fatal_signals(struct kmm *k, void (*fn)(struct task_struct *t, void *arg), void *arg);
/* Whether t is init, the process whose end stops the machine. */
static inline int is_global_init(const struct task_struct *t)
{
	return t->pid == 1;
}
/* The first task after pid (0: the first one), for /proc listings. */
struct task_struct *next_task(int pid);
/* Machine k's task after t (NULL: its first), ascending pid; with
 * for_each_process, how code below kernel/ walks the tasks. */
struct task_struct *task_after(struct kmm *k, struct task_struct *t);
#define for_each_process(k, t) \
	for ((t) = task_after((k), NULL); (t); (t) = task_after((k), (t)))

#endif
