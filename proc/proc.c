/*
 * proc/proc.c - the table of /proc files, kmm_proc_read() and
 * kmm_proc_write().  Adding a view is one row here and one show function;
 * the /proc/sys/vm knobs are in proc/sysctl.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/sched.h>
#include <kmm/fs.h>
#include "proc/internal.h"
#include "mm/memory.h"

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
static const struct {
	const char *name;
	void (*show)(struct task_struct *t, struct seq_buf *m);
} pid_entries[] = {
	{ "maps", proc_pid_maps_show },
	{ "smaps", proc_pid_smaps_show },
	{ "status", proc_pid_status_show },
	{ "stat", proc_pid_stat_show },
	{ "io", proc_pid_io_show },
};

static long proc_pid_read(const char *path, char *buf, size_t size)
{
	struct task_struct *t;
	struct seq_buf m;
	char *end;
	long pid;
	size_t i;

	if (strncmp(path, "/proc/", 6) || path[6] < '1' || path[6] > '9')
		return -ENOENT;
	pid = strtol(path + 6, &end, 10);
	if (*end != '/' || pid > 4194304)
		return -ENOENT;
	t = find_task_by_vpid((int)pid);
	if (!t || !t->mm)
		return -ENOENT;
	for (i = 0; i < ARRAY_SIZE(pid_entries); i++) {
		if (strcmp(end + 1, pid_entries[i].name))
			continue;
		seq_buf_init(&m, buf, size);
		pid_entries[i].show(t, &m);
		return (long)m.len;
	}
	return -ENOENT;
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
	return proc_sys_write(kmm_cur(), path, buf);
}
