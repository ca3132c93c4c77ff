/*
 * include/kmm/sched.h - simulated processes.  A task is a pid, a name and
 * an address space; it does not run code, the script (or a C caller)
 * makes its system calls for it.  spawn = fork of nothing + execve of a
 * built-in ELF program (fs/exec.c), fork duplicates the address space
 * (kernel/fork.c), exit tears it down (kernel/exit.c).
 */
#ifndef KMM_SCHED_H
#define KMM_SCHED_H

#include <kmm/list.h>

#define TASK_COMM_LEN	16

struct mm_struct;

struct task_struct {
	int pid;
	char comm[TASK_COMM_LEN];
	struct mm_struct *mm;
	int oom_score_adj;
	struct task_struct *real_parent;	/* NULL: spawned by the machine */
	struct list_head tasks;		/* on kmm->tasks, ascending pid */
	unsigned long min_flt, maj_flt;	/* faults taken (the page-fault layer) */
	unsigned int pkru;		/* the PKRU register while it runs: 2 bits a
					 * protection key, access- and write-disable */
};

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
/* The first task after pid (0: the first one), for /proc listings. */
struct task_struct *next_task(int pid);

#endif
