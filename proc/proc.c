/*
 * proc/proc.c - the table of /proc files and kmm_proc_read().  Adding a
 * view is one row here and one show function.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/sched.h>
#include "proc/internal.h"

static void show_min_free_kbytes(struct kmm *k, struct seq_buf *m)
{
	seq_printf(m, "%d\n", k->min_free_kbytes);
}

static void show_watermark_scale_factor(struct kmm *k, struct seq_buf *m)
{
	seq_printf(m, "%d\n", k->watermark_scale_factor);
}

static void show_lowmem_reserve_ratio(struct kmm *k, struct seq_buf *m)
{
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++)
		seq_printf(m, "%d%s", k->lowmem_reserve_ratio[i],
			   i + 1 < MAX_NR_ZONES ? "\t" : "\n");
}

static const struct proc_entry proc_entries[] = {
	{ "/proc/buddyinfo", buddyinfo_show },
	{ "/proc/pagetypeinfo", pagetypeinfo_show },
	{ "/proc/zoneinfo", zoneinfo_show },
	{ "/proc/meminfo", meminfo_show },
	{ "/proc/vmstat", vmstat_show },
	{ "/proc/slabinfo", slabinfo_show },
	{ "/proc/vmallocinfo", vmallocinfo_show },
	{ "slabtop", slabtop_show },
	{ "/proc/sys/vm/min_free_kbytes", show_min_free_kbytes },
	{ "/proc/sys/vm/watermark_scale_factor", show_watermark_scale_factor },
	{ "/proc/sys/vm/lowmem_reserve_ratio", show_lowmem_reserve_ratio },
};

const char *const *kmm_proc_paths(void)
{
	static const char *paths[ARRAY_SIZE(proc_entries) + 1];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(proc_entries); i++)
		paths[i] = proc_entries[i].path;
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
	if (size)
		buf[0] = 0;
	return proc_pid_read(path, buf, size);
}
