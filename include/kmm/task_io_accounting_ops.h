/*
 * include/kmm/task_io_accounting_ops.h - what a task's I/O is charged
 * with (/proc/PID/io), as Linux's: the reads it made the disk do, when
 * they are submitted; the pages it dirtied, when they become dirty (the
 * flusher writes them later for everyone); the dirty pages a truncate
 * dropped before they were written.  The caller passes current (NULL:
 * the machine's own work, charged to no one).
 */
#ifndef KMM_TASK_IO_ACCOUNTING_OPS_H
#define KMM_TASK_IO_ACCOUNTING_OPS_H

#include <stddef.h>
#include <kmm/sched.h>

static inline void task_io_account_read(struct task_struct *t, size_t bytes)
{
	if (t)
		t->ioac.read_bytes += bytes;
}

static inline void task_io_account_write(struct task_struct *t, size_t bytes)
{
	if (t)
		t->ioac.write_bytes += bytes;
}

static inline void task_io_account_cancelled_write(struct task_struct *t, size_t bytes)
{
	if (t)
		t->ioac.cancelled_write_bytes += bytes;
}

#endif /* KMM_TASK_IO_ACCOUNTING_OPS_H */
