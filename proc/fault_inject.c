/*
 * proc/fault_inject.c - fault injection's files, where Linux has them:
 *
 *   /sys/kernel/debug/fail_page_alloc/KNOB   (probability, interval, times,
 *   /sys/kernel/debug/failslab/KNOB           space, verbose, and each
 *                                             capability's filters)
 *   /proc/self/fail-nth, /proc/thread-self/fail-nth   the calling thread's
 *                                                     countdown
 *
 * and the kmm-only view /proc/fault_inject: the failures injected so far,
 * one "name value" line each, as /proc/vmstat prints its counters.  The C
 * functions of include/kmm/fault-inject.h are the same reads and writes.
 *
 * A number reads as `cat` shows it ("5\n", "-1\n"), a filter as Y or N; a
 * write takes what Linux's debugfs takes (a number in C's notation, Y/N,
 * 1/0, on/off for a filter), refused with -EINVAL outside the knob's
 * range (docs/fault_injection.md lists them), the knob keeping its value.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/fault-inject.h>
#include "proc/internal.h"

#define DEBUGFS "/sys/kernel/debug/"

struct fault_capability {
	const char *name;
	const char *const *filters;	/* its Y/N knobs */
	const char *const *numbers;	/* its own numeric knobs */
	int (*set)(struct kmm *k, const char *knob, long value);
	int (*get)(struct kmm *k, const char *knob, long *value);
	struct fault_attr *(*attr)(struct kmm *k);
};

static struct fault_attr *page_attr(struct kmm *k)
{
	return &k->mem->fail_page_alloc.attr;
}

static struct fault_attr *slab_attr(struct kmm *k)
{
	return &k->mem->failslab.attr;
}

static const char *const generic_knobs[] = {
	"probability", "interval", "times", "space", "verbose", NULL
};
static const char *const page_filters[] = { "ignore-gfp-wait", "ignore-gfp-highmem", NULL };
static const char *const page_numbers[] = { "min-order", NULL };
static const char *const slab_filters[] = { "ignore-gfp-wait", "cache-filter", NULL };
static const char *const no_knobs[] = { NULL };

static const struct fault_capability capabilities[] = {
	{ "fail_page_alloc", page_filters, page_numbers, fail_page_alloc_set,
	  fail_page_alloc_get, page_attr },
	{ "failslab", slab_filters, no_knobs, failslab_set, failslab_get, slab_attr },
};

static const struct fault_capability *find_capability(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(capabilities); i++)
		if (!strcmp(capabilities[i].name, name))
			return &capabilities[i];
	return NULL;
}

static bool in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (!strcmp(*list, name))
			return true;
	return false;
}

static bool is_knob(const struct fault_capability *c, const char *knob)
{
	return in_list(generic_knobs, knob) || in_list(c->filters, knob) ||
	       in_list(c->numbers, knob);
}

/* "/sys/kernel/debug/failslab/times": the capability and the knob. */
static const struct fault_capability *parse_path(const char *path, const char **knob)
{
	const struct fault_capability *c;
	char name[32];
	const char *slash;

	if (strncmp(path, DEBUGFS, strlen(DEBUGFS)))
		return NULL;
	path += strlen(DEBUGFS);
	slash = strchr(path, '/');
	if (!slash || (size_t)(slash - path) >= sizeof(name))
		return NULL;
	memcpy(name, path, (size_t)(slash - path));
	name[slash - path] = 0;
	c = find_capability(name);
	if (!c || !is_knob(c, slash + 1))
		return NULL;
	*knob = slash + 1;
	return c;
}

/* ------------------------------------------------------------------ */
/* The C API                                                           */
/* ------------------------------------------------------------------ */

int kmm_fault_write(const char *capability, const char *knob, long value)
{
	const struct fault_capability *c = find_capability(capability);

	if (!c || !is_knob(c, knob))
		return -ENOENT;
	return c->set(kmm_cur(), knob, value);
}

int kmm_fault_read(const char *capability, const char *knob, long *value)
{
	const struct fault_capability *c = find_capability(capability);

	if (!c || !is_knob(c, knob))
		return -ENOENT;
	return c->get(kmm_cur(), knob, value);
}

unsigned long kmm_fault_injected(const char *capability)
{
	const struct fault_capability *c = find_capability(capability);

	return c ? READ_ONCE(c->attr(kmm_cur())->nr_injected) : 0;
}

void kmm_fail_nth_write(unsigned int nth)
{
	fail_nth_write(nth);
}

unsigned int kmm_fail_nth_read(void)
{
	return fail_nth_read();
}

/* ------------------------------------------------------------------ */
/* The files                                                           */
/* ------------------------------------------------------------------ */

static bool is_fail_nth(const char *path)
{
	return !strcmp(path, "/proc/self/fail-nth") || !strcmp(path, "/proc/thread-self/fail-nth");
}

/* A number as debugfs takes it: C's notation, then blanks or a newline. */
static int parse_number(const char *buf, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(buf, &end, 0);
	if (errno || end == buf)
		return -EINVAL;
	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	return *end ? -EINVAL : 0;
}

/*
 * Y/N as Linux's kstrtobool: a word starting with y, Y or 1 is yes, one
 * starting with n, N or 0 is no; on and off too.
 */
static int parse_bool(const char *buf, long *v)
{
	static const char *const words[] = { "on", "off", NULL };
	char word[8];
	size_t n = strcspn(buf, " \t\n");

	if (!n || n >= sizeof(word) || buf[n + strspn(buf + n, " \t\n")])
		return -EINVAL;
	memcpy(word, buf, n);
	word[n] = 0;
	if (strchr("yY1", word[0]))
		*v = 1;
	else if (strchr("nN0", word[0]))
		*v = 0;
	else if (in_list(words, word))
		*v = !strcmp(word, "on");
	else
		return -EINVAL;
	return 0;
}

int fault_inject_show(struct kmm *k, const char *path, struct seq_buf *m)
{
	const struct fault_capability *c;
	const char *knob;
	long v;

	if (is_fail_nth(path)) {
		seq_printf(m, "%u\n", fail_nth_read());
		return 0;
	}
	c = parse_path(path, &knob);
	if (!c)
		return -ENOENT;
	c->get(k, knob, &v);
	if (in_list(c->filters, knob))
		seq_printf(m, "%c\n", v ? 'Y' : 'N');
	else
		seq_printf(m, "%ld\n", v);
	return 0;
}

int fault_inject_write(struct kmm *k, const char *path, const char *buf)
{
	const struct fault_capability *c;
	const char *knob;
	long v;

	if (is_fail_nth(path)) {
		if (parse_number(buf, &v) || v < 0 || v > 0xffffffffl)
			return -EINVAL;
		fail_nth_write((unsigned int)v);
		return 0;
	}
	c = parse_path(path, &knob);
	if (!c)
		return -ENOENT;
	if (in_list(c->filters, knob) ? parse_bool(buf, &v) : parse_number(buf, &v))
		return -EINVAL;
	return c->set(k, knob, v);
}

/* /proc/fault_inject: what each capability injected, then fail-nth. */
void fault_inject_proc_show(struct kmm *k, struct seq_buf *m)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(capabilities); i++)
		seq_printf(m, "%s_injected %lu\n", capabilities[i].name,
			   READ_ONCE(capabilities[i].attr(k)->nr_injected));
	seq_printf(m, "fail_nth %u\n", fail_nth_read());
}

/* Every file, for kmm_proc_paths (the knob lists above, spelled out). */
static const char *const fault_inject_paths[] = {
	"/proc/self/fail-nth",
	"/proc/thread-self/fail-nth",
	DEBUGFS "fail_page_alloc/probability",
	DEBUGFS "fail_page_alloc/interval",
	DEBUGFS "fail_page_alloc/times",
	DEBUGFS "fail_page_alloc/space",
	DEBUGFS "fail_page_alloc/verbose",
	DEBUGFS "fail_page_alloc/ignore-gfp-wait",
	DEBUGFS "fail_page_alloc/ignore-gfp-highmem",
	DEBUGFS "fail_page_alloc/min-order",
	DEBUGFS "failslab/probability",
	DEBUGFS "failslab/interval",
	DEBUGFS "failslab/times",
	DEBUGFS "failslab/space",
	DEBUGFS "failslab/verbose",
	DEBUGFS "failslab/ignore-gfp-wait",
	DEBUGFS "failslab/cache-filter",
};

_Static_assert(ARRAY_SIZE(fault_inject_paths) == NR_FAULT_INJECT_FILES,
	       "NR_FAULT_INJECT_FILES is out of date");

const char *fault_inject_path(size_t i)
{
	return i < ARRAY_SIZE(fault_inject_paths) ? fault_inject_paths[i] : NULL;
}
