/*
 * proc/proc.c - the table of /proc files, kmm_proc_read() and
 * kmm_proc_write().  Adding a view is one row here and one show function;
 * the /proc/sys/vm knobs are in proc/sysctl.c.
 */
#include <errno.h>
#include <string.h>
#include "proc/internal.h"

static const struct proc_entry proc_entries[] = {
	{ "/proc/buddyinfo", buddyinfo_show },
	{ "/proc/pagetypeinfo", pagetypeinfo_show },
	{ "/proc/zoneinfo", zoneinfo_show },
	{ "/proc/meminfo", meminfo_show },
	{ "/proc/vmstat", vmstat_show },
	{ "/proc/slabinfo", slabinfo_show },
	{ "/proc/vmallocinfo", vmallocinfo_show },
	{ "slabtop", slabtop_show },
};

const char *const *kmm_proc_paths(void)
{
	static const char *paths[ARRAY_SIZE(proc_entries) + NR_VM_SYSCTLS + 1];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(proc_entries); i++)
		paths[i] = proc_entries[i].path;
	for (i = 0; i < NR_VM_SYSCTLS; i++)
		paths[ARRAY_SIZE(proc_entries) + i] = proc_sys_path(i);
	return paths;
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
	if (!proc_sys_show(k, path, &m))
		return (long)m.len;
	return -ENOENT;
}

int kmm_proc_write(const char *path, const char *buf)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(proc_entries); i++)
		if (!strcmp(proc_entries[i].path, path))
			return -EACCES;		/* a view, not a knob */
	return proc_sys_write(kmm_cur(), path, buf);
}
