/*
 * proc/sysctl.c - the /proc/sys/vm files: each knob reads as `cat` shows
 * it (one number and a newline) and takes a write as `echo N >` gives it,
 * refused with -EINVAL outside the range Linux's handler enforces, in
 * which case the knob keeps its value.  Mirrors the vm entries of Linux's
 * kernel/sysctl.c and their handlers in mm/.
 *
 * Differs from Linux: lowmem_reserve_ratio is read-only (-EACCES); a
 * write takes one number (Linux would go on to the next one);
 * dirty_writeback_centisecs, oom_kill_allocating_task and oom_dump_tasks
 * refuse a negative number (Linux's plain proc_dointvec would store it,
 * and read it as "on").
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "proc/internal.h"

#define VM_DIR "/proc/sys/vm/"

enum ctl_type {
	CTL_INT,		/* an int of struct kmm */
	CTL_ULONG,		/* an unsigned long of struct kmm */
	CTL_SHOW_ONLY,		/* show() prints it; not writable */
};

struct ctl_table {
	const char *path;
	enum ctl_type type;
	size_t offset;		/* of the value in struct mm_machine */
	unsigned long min;	/* writes outside [min, max] are refused */
	unsigned long max;
	/*
	 * After a write: what Linux's handler does besides storing, given the
	 * old value; -errno puts the old value back and fails the write.
	 */
	int (*changed)(struct kmm *k, struct ctl_table const *t, unsigned long old);
	void (*show)(struct kmm *k, struct seq_buf *m);	/* CTL_SHOW_ONLY */
};

/* overcommit_kbytes and overcommit_ratio exclude each other. */
static int overcommit_ratio_changed(struct kmm *k, const struct ctl_table *t, unsigned long old)
{
	k->mem->sysctl_overcommit_kbytes = 0;
	return 0;
}

static int overcommit_kbytes_changed(struct kmm *k, const struct ctl_table *t, unsigned long old)
{
	k->mem->sysctl_overcommit_ratio = 0;
	return 0;
}

/* The watermarks, the reserve and the per-CPU list sizes follow. */
static int watermarks_changed(struct kmm *k, const struct ctl_table *t, unsigned long old)
{
	refresh_per_zone_wmarks(k);
	return 0;
}

/* Linux's min_free_kbytes_sysctl_handler: the value now counts as the
 * user's, so a hot-add keeps it instead of computing a new one. */
static int min_free_kbytes_changed(struct kmm *k, const struct ctl_table *t, unsigned long old)
{
	k->mem->user_min_free_kbytes = k->mem->min_free_kbytes;
	refresh_per_zone_wmarks(k);
	return 0;
}

/*
 * The dirty limits come as a ratio or as bytes, never both: setting one
 * zeroes the other (dirty_ratio and dirty_bytes only when the value
 * changes, as Linux's handlers do).  A byte count of more than UINT_MAX
 * pages is -ERANGE.
 */
static int dirty_ratio_changed(struct kmm *k, const struct ctl_table *t, unsigned long old)
{
	if ((unsigned long)k->mem->vm_dirty_ratio != old)
		k->mem->vm_dirty_bytes = 0;
	return 0;
}

static int dirty_bytes_changed(struct kmm *k, const struct ctl_table *t, unsigned long old)
{
	if (k->mem->vm_dirty_bytes == old)
		return 0;
	if (DIV_ROUND_UP(k->mem->vm_dirty_bytes, PAGE_SIZE) > UINT_MAX)
		return -ERANGE;
	k->mem->vm_dirty_ratio = 0;
	return 0;
}

static int dirty_background_ratio_changed(struct kmm *k, const struct ctl_table *t,
					  unsigned long old)
{
	k->mem->dirty_background_bytes = 0;
	return 0;
}

static int dirty_background_bytes_changed(struct kmm *k, const struct ctl_table *t,
					  unsigned long old)
{
	if (DIV_ROUND_UP(k->mem->dirty_background_bytes, PAGE_SIZE) > UINT_MAX)
		return -ERANGE;
	k->mem->dirty_background_ratio = 0;
	return 0;
}

/* A new non-zero interval takes effect at once: the flushers write all. */
static int dirty_writeback_changed(struct kmm *k, const struct ctl_table *t, unsigned long old)
{
	if (k->mem->dirty_writeback_interval && (unsigned long)k->mem->dirty_writeback_interval != old)
		wakeup_flusher_threads(k);
	return 0;
}

/* drop_caches_sysctl_handler: what the value asks (mm/shrinker.c). */
static int drop_caches_changed(struct kmm *k, const struct ctl_table *t, unsigned long old)
{
	drop_caches(k, k->mem->sysctl_drop_caches);
	return 0;
}

static void show_lowmem_reserve_ratio(struct kmm *k, struct seq_buf *m)
{
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++)
		seq_printf(m, "%d%s", k->mem->lowmem_reserve_ratio[i],
			   i + 1 < MAX_NR_ZONES ? "\t" : "\n");
}

#define KNOB(name, type, field, lo, hi, fn) \
	{ VM_DIR name, type, offsetof(struct mm_machine, field), lo, hi, fn, NULL }

static const struct ctl_table vm_table[] = {
	KNOB("overcommit_memory", CTL_INT, sysctl_overcommit_memory,
	     OVERCOMMIT_GUESS, OVERCOMMIT_NEVER, NULL),
	KNOB("overcommit_ratio", CTL_INT, sysctl_overcommit_ratio, 0, INT_MAX,
	     overcommit_ratio_changed),
	KNOB("overcommit_kbytes", CTL_ULONG, sysctl_overcommit_kbytes, 0, ULONG_MAX,
	     overcommit_kbytes_changed),
	KNOB("user_reserve_kbytes", CTL_ULONG, sysctl_user_reserve_kbytes, 0, ULONG_MAX, NULL),
	KNOB("admin_reserve_kbytes", CTL_ULONG, sysctl_admin_reserve_kbytes, 0, ULONG_MAX, NULL),
	KNOB("max_map_count", CTL_INT, sysctl_max_map_count, 0, INT_MAX, NULL),
	KNOB("min_free_kbytes", CTL_INT, min_free_kbytes, 0, INT_MAX,
	     min_free_kbytes_changed),
	KNOB("watermark_scale_factor", CTL_INT, watermark_scale_factor, 1, 3000,
	     watermarks_changed),
	KNOB("watermark_boost_factor", CTL_INT, watermark_boost_factor, 0, INT_MAX, NULL),
	KNOB("swappiness", CTL_INT, vm_swappiness, 0, 200, NULL),
	KNOB("vfs_cache_pressure", CTL_INT, vfs_cache_pressure, 0, INT_MAX, NULL),
	KNOB("dirty_background_ratio", CTL_INT, dirty_background_ratio, 0, 100,
	     dirty_background_ratio_changed),
	KNOB("dirty_background_bytes", CTL_ULONG, dirty_background_bytes, 1, ULONG_MAX,
	     dirty_background_bytes_changed),
	KNOB("dirty_ratio", CTL_INT, vm_dirty_ratio, 0, 100, dirty_ratio_changed),
	KNOB("dirty_bytes", CTL_ULONG, vm_dirty_bytes, 2 * PAGE_SIZE, ULONG_MAX,
	     dirty_bytes_changed),
	KNOB("dirty_writeback_centisecs", CTL_INT, dirty_writeback_interval, 0, INT_MAX,
	     dirty_writeback_changed),
	KNOB("dirty_expire_centisecs", CTL_INT, dirty_expire_interval, 0, INT_MAX, NULL),
	KNOB("drop_caches", CTL_INT, sysctl_drop_caches, 1, 4, drop_caches_changed),
	KNOB("panic_on_oom", CTL_INT, sysctl_panic_on_oom, 0, 2, NULL),
	KNOB("oom_kill_allocating_task", CTL_INT, sysctl_oom_kill_allocating_task, 0, INT_MAX, NULL),
	KNOB("oom_dump_tasks", CTL_INT, sysctl_oom_dump_tasks, 0, INT_MAX, NULL),
	{ VM_DIR "lowmem_reserve_ratio", CTL_SHOW_ONLY, 0, 0, 0, NULL,
	  show_lowmem_reserve_ratio },
};

_Static_assert(ARRAY_SIZE(vm_table) == NR_VM_SYSCTLS, "NR_VM_SYSCTLS is out of date");

const char *proc_sys_path(size_t i)
{
	return i < ARRAY_SIZE(vm_table) ? vm_table[i].path : NULL;
}

static const struct ctl_table *find_knob(const char *path)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vm_table); i++)
		if (!strcmp(vm_table[i].path, path))
			return &vm_table[i];
	return NULL;
}

int proc_sys_show(struct kmm *k, const char *path, struct seq_buf *m)
{
	const struct ctl_table *t = find_knob(path);
	const char *p;

	if (!t)
		return -ENOENT;
	p = (const char *)k->mem + t->offset;
	if (t->type == CTL_INT)
		seq_printf(m, "%d\n", *(const int *)p);
	else if (t->type == CTL_ULONG)
		seq_printf(m, "%lu\n", *(const unsigned long *)p);
	else
		t->show(k, m);
	return 0;
}

/*
 * One number as Linux's proc_get_long takes it: blanks, an optional '-',
 * digits in C's notation (0x hex, 0 octal), then only blanks or newlines.
 */
static int parse_value(const char *buf, bool *neg, unsigned long *v)
{
	const char *p = buf;
	char *end;

	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	*neg = *p == '-';
	if (*neg)
		p++;
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	errno = 0;
	*v = strtoul(p, &end, 0);
	if (errno)
		return -EINVAL;
	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	return *end ? -EINVAL : 0;
}

static void store_value(const struct ctl_table *t, char *p, unsigned long v)
{
	if (t->type == CTL_INT)
		*(int *)p = (int)v;
	else
		*(unsigned long *)p = v;
}

int proc_sys_write(struct kmm *k, const char *path, const char *buf)
{
	const struct ctl_table *t = find_knob(path);
	char *p;
	unsigned long v, old;
	bool neg;
	int err;

	if (!t)
		return -ENOENT;
	p = (char *)k->mem + t->offset;
	if (t->type == CTL_SHOW_ONLY)
		return -EACCES;
	if (parse_value(buf, &neg, &v))
		return -EINVAL;
	/* Every knob here has a minimum of zero or more: "-0" alone passes. */
	if ((neg && v) || v < t->min || v > t->max)
		return -EINVAL;
	old = t->type == CTL_INT ? (unsigned long)*(int *)p : *(unsigned long *)p;
	store_value(t, p, v);
	err = t->changed ? t->changed(k, t, old) : 0;
	if (err)
		store_value(t, p, old);
	return err;
}
