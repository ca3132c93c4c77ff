/*
 * proc/proc.c - the table of /proc files, kmm_proc_read() and
 * kmm_proc_write().  Adding a view is one row here and one show function;
 * the /proc/sys/vm knobs are in proc/sysctl.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/sched.h>
#include <kmm/fs.h>
#include <kmm/oom.h>
#include "proc/internal.h"
#include "mm/memory.h"

/*
 * /proc/sysrq-trigger: the first character is the key.  kmm has one, f
 * (the OOM killer, drivers/tty/sysrq.c's moom_callback); the others do
 * nothing here, where Linux acts or prints its help.
 */
static int sysrq_write(struct kmm *k, const char *buf)
{
	if (buf[0] == 'f')
		moom_callback(k);
	return 0;
}

static void tlbstat_proc_show(struct kmm *k, struct seq_buf *m)
{
	char buf[4096];

	tlb_proc_show(k, buf, sizeof(buf));
	seq_puts(m, buf);
}

static const struct proc_entry proc_entries[] = {
	{ "/proc/tlbstat", tlbstat_proc_show },
	{ "/proc/buddyinfo", buddyinfo_show },
	{ "/proc/diskstats", diskstats_show },
	{ "/proc/mounts", mounts_show },
	{ "/proc/pagetypeinfo", pagetypeinfo_show },
	{ "/proc/zoneinfo", zoneinfo_show },
	{ "/proc/meminfo", meminfo_show },
	{ "/proc/vmstat", vmstat_show },
	{ "/proc/slabinfo", slabinfo_show },
	{ "/proc/vmallocinfo", vmallocinfo_show },
	{ "/proc/swaps", swaps_show },
	{ "slabtop", slabtop_show },
	{ "/proc/fault_inject", fault_inject_proc_show },
};

const char *const *kmm_proc_paths(void)
{
	static const char *paths[ARRAY_SIZE(proc_entries) + NR_VM_SYSCTLS +
				 NR_FAULT_INJECT_FILES + 1];
	size_t i, n = 0;

	for (i = 0; i < ARRAY_SIZE(proc_entries); i++)
		paths[n++] = proc_entries[i].path;
	for (i = 0; i < NR_VM_SYSCTLS; i++)
		paths[n++] = proc_sys_path(i);
	for (i = 0; i < NR_FAULT_INJECT_FILES; i++)
		paths[n++] = fault_inject_path(i);
	return paths;
}

/* /proc/PID/FILE: the per-process views (fs/proc/base.c's table). */
struct pid_entry {
	const char *name;
	void (*show)(struct task_struct *t, struct seq_buf *m);
	int (*write)(struct task_struct *t, const char *buf);	/* NULL: read-only */
};

static const struct pid_entry pid_entries[] = {
	{ "maps", proc_pid_maps_show, NULL },
	{ "smaps", proc_pid_smaps_show, NULL },
	{ "status", proc_pid_status_show, NULL },
	{ "stat", proc_pid_stat_show, NULL },
	{ "io", proc_pid_io_show, NULL },
	{ "oom_score", proc_oom_score_show, NULL },
	{ "oom_score_adj", proc_oom_score_adj_show, proc_oom_score_adj_write },
	{ "oom_adj", proc_oom_adj_show, proc_oom_adj_write },
};

/* /proc/PID/NAME: the task and the file's entry; NULL if either is not. */
static const struct pid_entry *pid_entry_of(const char *path, struct task_struct **tp)
{
	struct task_struct *t;
	char *end;
	long pid;
	size_t i;

	if (strncmp(path, "/proc/", 6) || path[6] < '1' || path[6] > '9')
		return NULL;
	pid = strtol(path + 6, &end, 10);
	if (*end != '/' || pid > 4194304)
		return NULL;
	t = find_task_by_vpid((int)pid);
	if (!t || !t->mm)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(pid_entries); i++) {
		if (!strcmp(end + 1, pid_entries[i].name)) {
			*tp = t;
			return &pid_entries[i];
		}
	}
	return NULL;
}

static long proc_pid_read(const char *path, char *buf, size_t size)
{
	struct task_struct *t;
	const struct pid_entry *e = pid_entry_of(path, &t);
	struct seq_buf m;

	if (!e)
		return -ENOENT;
	seq_buf_init(&m, buf, size);
	e->show(t, &m);
	return (long)m.len;
}

static int proc_pid_write(const char *path, const char *buf)
{
	struct task_struct *t;
	const struct pid_entry *e = pid_entry_of(path, &t);

	if (!e)
		return -ENOENT;
	return e->write ? e->write(t, buf) : -EACCES;
}

long kmm_proc_read(const char *path, char *buf, size_t size)
{
	struct kmm *k = kmm_cur();
	struct seq_buf m;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(proc_entries); i++) {
		if (strcmp(proc_entries[i].path, path))
			continue;
		seq_buf_init(&m, buf, size);
		proc_entries[i].show(k, &m);
		return (long)m.len;
	}
	seq_buf_init(&m, buf, size);
	if (!proc_sys_show(k, path, &m) || !fault_inject_show(k, path, &m) ||
	    !sysfs_block_show(k, path, &m))
		return (long)m.len;
	if (size)
		buf[0] = 0;
	return proc_pid_read(path, buf, size);
}

int kmm_proc_write(const char *path, const char *buf)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(proc_entries); i++)
		if (!strcmp(proc_entries[i].path, path))
			return -EACCES;		/* a view, not a knob */
	if (!strncmp(path, "/sys/block/", 11))
		return sysfs_block_store(kmm_cur(), path, buf);
	if (!strncmp(path, "/sys/", 5) || strstr(path, "/fail-nth"))
		return fault_inject_write(kmm_cur(), path, buf);
	if (!strcmp(path, "/proc/sysrq-trigger"))
		return sysrq_write(kmm_cur(), buf);
	if (!strncmp(path, "/proc/", 6) && isdigit((unsigned char)path[6]))
		return proc_pid_write(path, buf);
	return proc_sys_write(kmm_cur(), path, buf);
}
