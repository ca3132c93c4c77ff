/*
 * proc/internal.h - the /proc renderers: one show function per file, each
 * printing the machine's counters in Linux's exact format.
 */
#ifndef KMM_PROC_INTERNAL_H
#define KMM_PROC_INTERNAL_H

#include "base/seq_buf.h"
#include "mm/machine.h"
#include "hw/machine.h"
#include "base/printk.h"
#include "base/smp.h"

struct proc_entry {
	const char *path;
	void (*show)(struct kmm *k, struct seq_buf *m);
};

void buddyinfo_show(struct kmm *k, struct seq_buf *m);
void diskstats_show(struct kmm *k, struct seq_buf *m);
/* /sys/block/NAME/stat: 0 when path is one (its text in m), else -1. */
int sysfs_block_show(struct kmm *k, const char *path, struct seq_buf *m);
int sysfs_block_store(struct kmm *k, const char *path, const char *buf);
void pagetypeinfo_show(struct kmm *k, struct seq_buf *m);
void zoneinfo_show(struct kmm *k, struct seq_buf *m);
void meminfo_show(struct kmm *k, struct seq_buf *m);
void slabinfo_show(struct kmm *k, struct seq_buf *m);
void vmstat_show(struct kmm *k, struct seq_buf *m);
void slabtop_show(struct kmm *k, struct seq_buf *m);

struct task_struct;
void proc_pid_maps_show(struct task_struct *t, struct seq_buf *m);
void proc_pid_smaps_show(struct task_struct *t, struct seq_buf *m);
void proc_pid_status_show(struct task_struct *t, struct seq_buf *m);
void proc_pid_stat_show(struct task_struct *t, struct seq_buf *m);
void proc_pid_io_show(struct task_struct *t, struct seq_buf *m);
/* proc/base.c: the OOM killer's files; a write is 0 or -errno, the value
 * unchanged on error. */
void proc_oom_score_show(struct task_struct *t, struct seq_buf *m);
void proc_oom_score_adj_show(struct task_struct *t, struct seq_buf *m);
void proc_oom_adj_show(struct task_struct *t, struct seq_buf *m);
int proc_oom_score_adj_write(struct task_struct *t, const char *buf);
int proc_oom_adj_write(struct task_struct *t, const char *buf);
/* /proc/PID/oom_score of a task with this badness (oom_badness). */
unsigned long proc_oom_score_points(long badness, unsigned long totalpages);

/* proc/sysctl.c: the /proc/sys/vm knobs, by full path. */
#define NR_VM_SYSCTLS 22
const char *proc_sys_path(size_t i);	/* NULL past the last one */
int proc_sys_show(struct kmm *k, const char *path, struct seq_buf *m);
int proc_sys_write(struct kmm *k, const char *path, const char *buf);

/* proc/fault_inject.c: /sys/kernel/debug/{fail_page_alloc,failslab}/KNOB, /proc/self/fail-nth
 * and the /proc/fault_inject view. */
#define NR_FAULT_INJECT_FILES 17
const char *fault_inject_path(size_t i);	/* NULL past the last one */
int fault_inject_show(struct kmm *k, const char *path, struct seq_buf *m);
int fault_inject_write(struct kmm *k, const char *path, const char *buf);
void fault_inject_proc_show(struct kmm *k, struct seq_buf *m);

#endif
