/*
 * sim/script.c - the script language of DESIGN.md: tokenising, the command
 * table and the commands of the page-allocator layer (boot, cat,
 * alloc_pages, free_pages, drain, check).
 *
 * Output discipline: a command's result goes to out, one line; details of
 * a malformed line go to err as "kmm: SOURCE:LINE: what was expected", and
 * out gets "error EINVAL" so the line count of the output never depends on
 * what went wrong.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/sched.h>
#include <kmm/timer.h>
#include "base/parse.h"
#include "mm/slab.h"
#include "sim/owner.h"
#include "sim/script.h"
#include "sim/sim.h"

#define MAX_ARGS 16
#define MAX_LINE 4096

struct sim_cmd {
	const char *name;
	int min_args;		/* not counting the name */
	int max_args;
	const char *usage;
	const char *desc;	/* one sentence, for help CMD */
	int (*fn)(struct sim *s, int argc, char **argv);
};

__printf(2, 3) int syntax_error(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	fprintf(s->err, "kmm: %s:%lu: ", s->source, s->lineno);
	va_start(ap, fmt);
	vfprintf(s->err, fmt, ap);
	va_end(ap);
	fputc('\n', s->err);
	fprintf(s->out, "error EINVAL\n");
	return -1;
}

/* The column (from 1) of arg[off] in the line being run, or 0. */
static unsigned long column_of(const struct sim *s, const char *arg, size_t off)
{
	uintptr_t a = (uintptr_t)arg, l = (uintptr_t)s->line;

	if (!s->line || a < l || a >= l + s->line_len)
		return 0;
	return (unsigned long)(a - l) + off + 1;
}

/*
 * Where the first word of arg (split at '|') equal to bad starts; for an
 * empty word, the '|' next to it, which is what the eye looks for.
 */
static size_t bad_word_offset(const char *arg, const char *bad)
{
	size_t off = 0, blen = strlen(bad);

	for (;;) {
		size_t len = strcspn(arg + off, "|");

		if (len == blen && !strncmp(arg + off, bad, len))
			return blen || !off ? off : off - 1;
		if (!arg[off + len])
			return 0;
		off += len + 1;
	}
}

int flags_error(struct sim *s, const char *cmd, const char *what,
		const char *arg, const char *bad)
{
	unsigned long col = column_of(s, arg, bad_word_offset(arg, bad));
	char at[32] = "";

	if (col)
		snprintf(at, sizeof(at), " at column %lu", col);
	if (bad[0])
		return syntax_error(s, "%s: unknown %s '%s'%s", cmd, what, bad, at);
	if (!arg[0])
		return syntax_error(s, "%s: empty %s name%s: no flags at all (0 means none)",
				    cmd, what, at);
	return syntax_error(s, "%s: empty %s name%s in '%s': a '|' must stand between two names",
			    cmd, what, at, arg);
}

/* A GFP_FLAGS argument; a syntax error if a word is not a GFP flag. */
static int arg_gfp(struct sim *s, const char *cmd, const char *arg, gfp_t *gfp)
{
	char bad[64];

	if (!gfp_parse(arg, gfp, bad, sizeof(bad)))
		return 0;
	return flags_error(s, cmd, "GFP flag", arg, bad);
}

static void sim_report_hook(const char *report, void *arg)
{
	struct sim *s = arg;
	size_t n;

	n = strlen(report);
	if (s->dmesg_len + n < sizeof(s->dmesg)) {
		memcpy(s->dmesg + s->dmesg_len, report, n + 1);
		s->dmesg_len += n;
	}
	if (s->nr_report_lines++)
		return;
	n = strcspn(report, "\n");
	if (n >= sizeof(s->report))
		n = sizeof(s->report) - 1;
	memcpy(s->report, report, n);
	s->report[n] = 0;
}

static int boot_machine(struct sim *s, const struct kmm_config *cfg)
{
	struct kmm_config c = cfg ? *cfg : (struct kmm_config){ 0 };

	c.quiet = 1;		/* reports reach stderr through the hook */
	s->k = kmm_boot(&c);
	if (!s->k)
		return -1;
	/* One context only: nothing else can free memory for __GFP_NOFAIL. */
	s->k->mem->nofail_may_wait = false;
	return 0;
}

int sim_ensure_machine(struct sim *s)
{
	if (s->k)
		return 0;
	return boot_machine(s, NULL);
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */
/* ------------------------------------------------------------------ */

/* The kernel's reason for a failed boot, from its log ("kmm_boot: ..."). */
static int boot_failure_reason(struct sim *s, char *buf, size_t len)
{
	const char *p = strstr(s->dmesg, "kmm_boot: ");

	if (!p)
		return snprintf(buf, len, "see the kernel log");
	p += strlen("kmm_boot: ");
	return snprintf(buf, len, "%.*s", (int)strcspn(p, "\n"), p);
}

static int cmd_boot(struct sim *s, int argc, char **argv)
{
	struct kmm_config cfg = { 0 };
	char err[160], why[512];
	int i;

	/* Only a boot that failed, or a crash, may be followed by another. */
	if (s->k || (s->commands_run > 0 && !s->boot_failed_line && !s->crashed_line))
		return syntax_error(s, "boot must be the first command");
	/* Until this boot works, there is no machine: the script was
	 * written for this one, not for the default. */
	s->boot_failed_line = s->lineno;
	for (i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!eq)
			return syntax_error(s, "boot: expected NAME=VALUE, got '%s'", argv[i]);
		*eq = 0;
		if (kmm_config_set(&cfg, argv[i], eq + 1, err, sizeof(err)))
			return syntax_error(s, "boot: %s", err);
	}
	if (boot_machine(s, &cfg)) {
		boot_failure_reason(s, why, sizeof(why));
		return syntax_error(s, "boot: the machine did not boot: %s", why);
	}
	s->boot_failed_line = 0;
	s->crashed_line = 0;
	s->booted_by_script = 1;
	return 0;		/* boot prints nothing */
}

/* The lines of text that start with one of the n prefixes, in order. */
static void print_lines_starting(struct sim *s, const char *text, int n, char **prefix)
{
	while (*text) {
		size_t len = strcspn(text, "\n");
		int i;

		for (i = 0; i < n; i++)
			if (!strncmp(text, prefix[i], strlen(prefix[i]))) {
				fprintf(s->out, "%.*s\n", (int)len, text);
				break;
			}
		text += len + (text[len] == '\n');
	}
}

static int cmd_cat(struct sim *s, int argc, char **argv)
{
	static char buf[1 << 20];
	long n = kmm_proc_read(argv[1], buf, sizeof(buf));

	if (n < 0) {
		fprintf(s->out, "cat: %s: No such file or directory\n", argv[1]);
		return 0;
	}
	if (argc == 2) {
		fputs(buf, s->out);
		return 0;
	}
	print_lines_starting(s, buf, argc - 2, argv + 2);
	return 0;
}

static int parse_order(struct sim *s, const char *cmd, const char *arg,
		       unsigned int *order)
{
	unsigned long v;

	if (parse_ulong(arg, &v, false) || v > 255)
		return syntax_error(s, "%s: ORDER must be a number 0..%d, got '%s'",
				    cmd, MAX_PAGE_ORDER, arg);
	*order = (unsigned int)v;
	return 0;
}

static void print_free_result(struct sim *s);

/* A free of memory the kernel holds, not the script: refused, unchanged. */
static int refuse_kernel_memory(struct sim *s, const char *cmd, const char *what)
{
	fprintf(s->err, "refused: %s:%lu: %s: %s is in use by the kernel, not allocated by this script\n",
		s->source, s->lineno, cmd, what);
	fprintf(s->out, "error EBUSY\n");
	return 0;
}

static int cmd_alloc_pages(struct sim *s, int argc, char **argv)
{
	unsigned int order = 0;
	gfp_t gfp = GFP_KERNEL;
	struct page *page;

	if (parse_order(s, argv[0], argv[1], &order))
		return -1;
	if (argc > 2 && arg_gfp(s, argv[0], argv[2], &gfp))
		return -1;
	page = __alloc_pages(s->k, gfp, order);
	if (!page) {
		fprintf(s->out, "error ENOMEM\n");
		return 0;
	}
	owner_add(&s->owned, owner_page_key(page_to_pfn(page)));
	fprintf(s->out, "pfn %#lx\n", page_to_pfn(page));
	return 0;
}

static int cmd_free_pages(struct sim *s, int argc, char **argv)
{
	unsigned long pfn;
	unsigned int order = 0;

	if (parse_ulong(argv[1], &pfn, false))
		return syntax_error(s, "free_pages: PFN must be a number, got '%s'", argv[1]);
	if (parse_order(s, argv[0], argv[2], &order))
		return -1;
	if (pfn >= s->k->mem->max_pfn || !pfn_valid(pfn)) {
		kmm_report(s->k, "BUG: Bad page free in __free_pages: pfn:%#lx is outside RAM\n", pfn);
	} else {
		struct page *page = pfn_to_page(pfn);
		bool mine = owner_has(&s->owned, owner_page_key(pfn));

		if (!mine && page_ref_count(page) > 0 && !PageReserved(page)) {
			char what[64];

			snprintf(what, sizeof(what), "pfn %#lx", pfn);
			return refuse_kernel_memory(s, "free_pages", what);
		}
		___free_pages(s->k, page, order);
		if (mine && !s->nr_report_lines)
			owner_del(&s->owned, owner_page_key(pfn));
	}
	print_free_result(s);
	return 0;
}

static int cmd_drain(struct sim *s, int argc, char **argv)
{
	__drain_all_pages(s->k, NULL);
	fprintf(s->out, "ok\n");
	return 0;
}

static int cmd_check(struct sim *s, int argc, char **argv)
{
	if (kmm_check_invariants(s->k))
		fprintf(s->out, "error %s\n", s->report[0] ? s->report : "EFAULT");
	else
		fprintf(s->out, "ok\n");
	return 0;
}


/* ---- slab caches and kmalloc ---------------------------------------- */

static const struct {
	const char *name;
	slab_flags_t flag;
} slab_flag_names[] = {
	{ "SLAB_HWCACHE_ALIGN", SLAB_HWCACHE_ALIGN },
	{ "SLAB_CACHE_DMA", SLAB_CACHE_DMA },
	{ "SLAB_CACHE_DMA32", SLAB_CACHE_DMA32 },
	{ "SLAB_RECLAIM_ACCOUNT", SLAB_RECLAIM_ACCOUNT },
	{ "SLAB_POISON", SLAB_POISON },
	{ "SLAB_RED_ZONE", SLAB_RED_ZONE },
	{ "SLAB_STORE_USER", SLAB_STORE_USER },
	{ "SLAB_PANIC", SLAB_PANIC },
	{ "SLAB_FAILSLAB", SLAB_FAILSLAB },
	{ "0", 0 },
};

/* NAME|NAME; -1 with the bad word ("" for an empty one) in bad. */
static int parse_slab_flags(const char *str, slab_flags_t *out, char *bad, size_t badlen)
{
	slab_flags_t f = 0;

	do {
		size_t len = strcspn(str, "|"), i;

		for (i = 0; i < ARRAY_SIZE(slab_flag_names); i++)
			if (strlen(slab_flag_names[i].name) == len &&
			    !strncmp(slab_flag_names[i].name, str, len))
				break;
		if (i == ARRAY_SIZE(slab_flag_names)) {
			snprintf(bad, badlen, "%.*s", (int)len, str);
			return -1;
		}
		f |= slab_flag_names[i].flag;
		str += len;
	} while (*str++ == '|');
	*out = f;
	return 0;
}

static struct kmem_cache *find_cache(struct sim *s, const char *name)
{
	struct kmem_cache *c = kmem_cache_find(name);

	if (!c)
		syntax_error(s, "no slab cache named '%s'", name);
	return c;
}

/* A simulated kernel address (0xffff888...) to the host pointer. */
static int parse_kaddr(struct sim *s, const char *arg, void **p)
{
	unsigned long a;

	if (parse_ulong(arg, &a, false))
		return syntax_error(s, "'%s' is not an address", arg);
	if (a >= PAGE_OFFSET && a - PAGE_OFFSET < s->k->hw->ram.size)
		*p = phys_to_virt(a - PAGE_OFFSET);
	else
		*p = (void *)a;		/* not RAM: the free will report it */
	return 0;
}

static void print_obj(struct sim *s, void *obj)
{
	if (obj && obj != ZERO_SIZE_PTR)
		owner_add(&s->owned, owner_addr_key(kmm_kaddr(obj)));
	if (!obj)
		fprintf(s->out, "error ENOMEM\n");
	else if (obj == ZERO_SIZE_PTR)
		fprintf(s->out, "obj ZERO_SIZE_PTR\n");
	else
		fprintf(s->out, "obj %#lx\n", kmm_kaddr(obj));
}

/* The result line of a free: ok, or the first line of its report. */
static void print_free_result(struct sim *s)
{
	if (s->nr_report_lines) {
		fprintf(s->out, "%s\n", s->report);
		s->report_consumed = 1;
	} else {
		fprintf(s->out, "ok\n");
	}
}

static int cmd_kmem_cache_create(struct sim *s, int argc, char **argv)
{
	unsigned long size, align = 0;
	slab_flags_t flags = 0;
	struct kmem_cache *c;
	char bad[64];

	if (kmem_cache_find(argv[1]))
		return syntax_error(s, "kmem_cache_create: a cache named '%s' exists", argv[1]);
	if (parse_ulong(argv[2], &size, true) || size > KMALLOC_MAX_SIZE)
		return syntax_error(s, "kmem_cache_create: SIZE must be 1..4M, got '%s'", argv[2]);
	if (argc > 3 && (parse_ulong(argv[3], &align, true) || align > PAGE_SIZE))
		return syntax_error(s, "kmem_cache_create: ALIGN must be a power of two up to 4096, got '%s'", argv[3]);
	if (argc > 4 && parse_slab_flags(argv[4], &flags, bad, sizeof(bad)))
		return flags_error(s, argv[0], "SLAB flag", argv[4], bad);
	flags &= ~SLAB_PANIC;	/* a script error must not kill the simulator */
	c = __kmem_cache_create(s->k, argv[1], (unsigned int)size, (unsigned int)align, flags, NULL);
	if (!c) {
		fprintf(s->out, "error EINVAL\n");
		s->report_consumed = 0;
		return 0;
	}
	fprintf(s->out, "ok\n");
	return 0;
}

/* kfree (c NULL) or kmem_cache_free of p, unless the kernel holds it. */
static int free_object(struct sim *s, const char *cmd, const char *arg,
		       void *p, struct kmem_cache *c)
{
	unsigned long key = owner_addr_key((unsigned long)p >= PAGE_OFFSET ?
					   (unsigned long)p : kmm_kaddr(p));
	bool mine = p && owner_has(&s->owned, key);

	if (p && !mine && slab_object_in_use(s->k, p))
		return refuse_kernel_memory(s, cmd, arg);
	if (c)
		kmem_cache_free(c, p);
	else
		kfree(p);
	if (mine && !s->nr_report_lines)
		owner_del(&s->owned, key);
	print_free_result(s);
	return 0;
}

static int cmd_kmem_cache_alloc(struct sim *s, int argc, char **argv)
{
	struct kmem_cache *c = find_cache(s, argv[1]);
	gfp_t gfp = GFP_KERNEL;

	if (!c)
		return -1;
	if (argc > 2 && arg_gfp(s, argv[0], argv[2], &gfp))
		return -1;
	print_obj(s, __kmem_cache_alloc(c, gfp, 0));
	return 0;
}

static int cmd_kmem_cache_free(struct sim *s, int argc, char **argv)
{
	struct kmem_cache *c = find_cache(s, argv[1]);
	void *p;

	if (!c || parse_kaddr(s, argv[2], &p))
		return -1;
	return free_object(s, "kmem_cache_free", argv[2], p, c);
}

static int cmd_kmem_cache_shrink(struct sim *s, int argc, char **argv)
{
	struct kmem_cache *c = find_cache(s, argv[1]);

	if (!c)
		return -1;
	kmem_cache_shrink(c);
	fprintf(s->out, "ok\n");
	return 0;
}

static int cmd_kmem_cache_destroy(struct sim *s, int argc, char **argv)
{
	struct kmem_cache *c = find_cache(s, argv[1]);

	if (!c)
		return -1;
	kmem_cache_destroy(c);
	print_free_result(s);
	return 0;
}

static int cmd_kmalloc(struct sim *s, int argc, char **argv)
{
	unsigned long size;
	gfp_t gfp = GFP_KERNEL;

	if (parse_ulong(argv[1], &size, true))
		return syntax_error(s, "kmalloc: SIZE must be a number, got '%s'", argv[1]);
	if (argc > 2 && arg_gfp(s, argv[0], argv[2], &gfp))
		return -1;
	print_obj(s, kmalloc(size, gfp));
	return 0;
}

static int cmd_kfree(struct sim *s, int argc, char **argv)
{
	void *p;

	if (parse_kaddr(s, argv[1], &p))
		return -1;
	return free_object(s, "kfree", argv[1], p, NULL);
}

static int cmd_slabtop(struct sim *s, int argc, char **argv)
{
	static char buf[1 << 16];

	kmm_proc_read("slabtop", buf, sizeof(buf));
	fputs(buf, s->out);
	return 0;
}

static int cmd_hotplug_add(struct sim *s, int argc, char **argv)
{
	unsigned long bytes;
	int err;

	if (parse_ulong(argv[1], &bytes, true))
		return syntax_error(s, "hotplug_add: SIZE must be a size (e.g. 256M), got '%s'", argv[1]);
	err = __add_memory(s->k, bytes);
	if (err == -EINVAL)
		fprintf(s->out, "error EINVAL\n");
	else if (err == -ENOSPC)
		fprintf(s->out, "error ENOSPC\n");
	else if (err)
		fprintf(s->out, "error ENOMEM\n");
	else
		fprintf(s->out, "ok\n");
	return 0;
}

/* vfree/vunmap of a, unless it is a live area the kernel holds. */
static int free_area(struct sim *s, const char *cmd, const char *arg,
		     unsigned long a, void (*fn)(const void *))
{
	bool mine = owner_has(&s->owned, owner_addr_key(a));

	if (!mine && vmalloc_area_live((void *)a))
		return refuse_kernel_memory(s, cmd, arg);
	fn((void *)a);
	if (mine && !s->nr_report_lines)
		owner_del(&s->owned, owner_addr_key(a));
	print_free_result(s);
	return 0;
}

static int cmd_vmalloc(struct sim *s, int argc, char **argv)
{
	unsigned long size;
	void *p;

	if (parse_ulong(argv[1], &size, true))
		return syntax_error(s, "vmalloc: SIZE must be a size, got '%s'", argv[1]);
	p = vmalloc(size);
	if (p) {
		owner_add(&s->owned, owner_addr_key(kmm_kaddr(p)));
		fprintf(s->out, "vm %#lx\n", kmm_kaddr(p));
	} else {
		fprintf(s->out, "error ENOMEM\n");
	}
	return 0;
}

static int cmd_vfree(struct sim *s, int argc, char **argv)
{
	unsigned long a;

	if (parse_ulong(argv[1], &a, false))
		return syntax_error(s, "vfree: ADDR must be an address, got '%s'", argv[1]);
	return free_area(s, "vfree", argv[1], a, vfree);
}

/* vmap PFN...: the given frames (which must be allocated) side by side. */
static int cmd_vmap(struct sim *s, int argc, char **argv)
{
	struct page *pages[MAX_ARGS];
	unsigned long pfn;
	void *p;
	int i;

	for (i = 1; i < argc; i++) {
		if (parse_ulong(argv[i], &pfn, false) || pfn >= s->k->mem->max_pfn || !pfn_valid(pfn))
			return syntax_error(s, "vmap: '%s' is not the pfn of a RAM frame", argv[i]);
		pages[i - 1] = pfn_to_page(pfn);
		if (!page_ref_count(pages[i - 1]))
			return syntax_error(s, "vmap: pfn %#lx is free; allocate it first", pfn);
	}
	p = vmap(pages, (unsigned int)(argc - 1), 0, PAGE_KERNEL);
	if (p)
		owner_add(&s->owned, owner_addr_key(kmm_kaddr(p)));
	if (p)
		fprintf(s->out, "vm %#lx\n", kmm_kaddr(p));
	else
		fprintf(s->out, "error ENOMEM\n");
	return 0;
}

static int cmd_vunmap(struct sim *s, int argc, char **argv)
{
	unsigned long a;

	if (parse_ulong(argv[1], &a, false))
		return syntax_error(s, "vunmap: ADDR must be an address, got '%s'", argv[1]);
	return free_area(s, "vunmap", argv[1], a, vunmap);
}

/* The MMU's walk of a kernel address through swapper_pg_dir. */
static int cmd_translate(struct sim *s, int argc, char **argv)
{
	unsigned long va;
	char line[512];

	if (parse_ulong(argv[1], &va, false))
		return syntax_error(s, "translate: ADDR must be an address, got '%s'", argv[1]);
	if (s->k->mem->swapper_pg_dir32 && va <= 0xffffffffu)
		mmu_describe32(s->k->mem->swapper_pg_dir32, (uint32_t)va, line, sizeof(line));
	else
		mmu_describe(s->k->mem->swapper_pg_dir, va, line, sizeof(line));
	fprintf(s->out, "%s\n", line);
	return 0;
}

/*
 * fail_nth N: the next command runs with the thread's fail-nth set to N
 * (its Nth eligible allocation fails), and the countdown is taken back
 * after it.  fail_nth alone prints what that command left of it: 0 if
 * the failure was injected, as /proc/self/fail-nth reads after a call.
 */
static int cmd_fail_nth(struct sim *s, int argc, char **argv)
{
	unsigned long n;

	if (argc == 1) {
		fprintf(s->out, "%u\n", s->fail_nth_left);
		return 0;
	}
	/* 0 takes back a countdown armed for the next command. */
	if (parse_ulong(argv[1], &n, false) || n > 0xffffffffu)
		return syntax_error(s, "fail_nth: N must be a number 0..4294967295, got '%s'", argv[1]);
	s->fail_nth_next = (unsigned int)n;
	fprintf(s->out, "ok\n");
	return 0;
}

/* Runs cmd with the countdown fail_nth armed, if any; takes it back after. */
static int run_cmd(struct sim *s, const struct sim_cmd *cmd, int argc, char **argv)
{
	unsigned int nth = cmd->fn == cmd_fail_nth ? 0 : s->fail_nth_next;
	int ret;

	if (!nth)
		return cmd->fn(s, argc, argv);
	s->fail_nth_next = 0;
	kmm_fail_nth_write(nth);
	ret = cmd->fn(s, argc, argv);
	s->fail_nth_left = kmm_fail_nth_read();
	kmm_fail_nth_write(0);
	return ret;
}

/* echo VALUE > PATH: what the shell's echo into a /proc/sys file does. */
static int cmd_echo(struct sim *s, int argc, char **argv)
{
	int err;

	if (strcmp(argv[2], ">"))
		return syntax_error(s, "usage: echo VALUE > PATH");
	err = kmm_proc_write(argv[3], argv[1]);
	if (!err)
		fprintf(s->out, "ok\n");
	else
		fprintf(s->out, "error %s\n", err == -ENOENT ? "ENOENT" :
			err == -EACCES ? "EACCES" : err == -ERANGE ? "ERANGE" : "EINVAL");
	return 0;
}

/*
 * SECONDS as a decimal number of seconds with up to nine decimals ("31",
 * "0.5"), into ns: 0, or -1 if it is not one or above a billion seconds.
 */
static int parse_seconds(const char *a, unsigned long long *ns)
{
	unsigned long long sec = 0, frac = 0, scale = 1000000000ull;
	const char *p = a;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		sec = sec * 10 + (unsigned long long)(*p - '0');
		if (sec > 1000000000ull)
			return -1;
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++) {
			if (scale == 1)
				return -1;
			scale /= 10;
			frac += (unsigned long long)(*p - '0') * scale;
		}
	}
	if (*p)
		return -1;
	*ns = sec * 1000000000ull + frac;
	return 0;
}

/* sleep SECONDS: simulated time passes; the kernel's timers due meanwhile run. */
static int cmd_sleep(struct sim *s, int argc, char **argv)
{
	unsigned long long ns;

	if (parse_seconds(argv[1], &ns))
		return syntax_error(s, "sleep: SECONDS must be a number of seconds (31, 0.5), got '%s'",
				    argv[1]);
	hw_clock_sleep(s->k, ns);
	fprintf(s->out, "ok\n");
	return 0;
}

/*
 * vmstat [SECONDS [COUNT]]: procps's vmstat, for the columns the machine
 * has, read from /proc/meminfo and /proc/vmstat as procps reads them:
 * memory in KiB (swpd: swap in use; cache: Cached), si/so the KiB swapped
 * in and out per second, bi/bo the KiB read and written per second, and
 * reclaim's pages per second: scanned by kswapd, by direct reclaim, and
 * freed (steal).  The first line averages since boot; with SECONDS, COUNT
 * lines (default 2) SECONDS of simulated time apart.
 */
struct vmstat_sample {
	unsigned long long ns;
	unsigned long swpd, free, buff, cache;
	unsigned long si, so, bi, bo, scank, scand, steal;
};

/* A /proc line's number: NAME then ':' or ' ', then the value (0: none). */
static unsigned long proc_value(const char *text, const char *name)
{
	size_t n = strlen(name);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, name, n) && (p[n] == ':' || p[n] == ' '))
			return strtoul(p + n + 1 + strspn(p + n + 1, " \t"), NULL, 10);
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return 0;
}

static void vmstat_take(struct sim *s, struct vmstat_sample *v)
{
	static char mi[8192], vm[16384];

	kmm_proc_read("/proc/meminfo", mi, sizeof(mi));
	kmm_proc_read("/proc/vmstat", vm, sizeof(vm));
	v->ns = hw_clock_ns(s->k);
	v->swpd = proc_value(mi, "SwapTotal") - proc_value(mi, "SwapFree");
	v->free = proc_value(mi, "MemFree");
	v->buff = proc_value(mi, "Buffers");
	v->cache = proc_value(mi, "Cached");
	v->si = proc_value(vm, "pswpin") * (PAGE_SIZE >> 10);
	v->so = proc_value(vm, "pswpout") * (PAGE_SIZE >> 10);
	v->bi = proc_value(vm, "pgpgin");
	v->bo = proc_value(vm, "pgpgout");
	v->scank = proc_value(vm, "pgscan_kswapd");
	v->scand = proc_value(vm, "pgscan_direct");
	v->steal = proc_value(vm, "pgsteal_kswapd") + proc_value(vm, "pgsteal_direct");
}

/* One line: the memory now, the events of [a, b] per second. */
static void vmstat_line(struct sim *s, const struct vmstat_sample *a, const struct vmstat_sample *b)
{
	double sec = (double)(b->ns - a->ns) / 1e9;
#define RATE(f) (sec > 0 ? (unsigned long)((double)(b->f - a->f) / sec) : 0ul)

	fprintf(s->out, "%6lu %6lu %6lu %6lu %4lu %4lu %5lu %5lu %6lu %6lu %6lu\n", b->swpd, b->free,
		b->buff, b->cache, RATE(si), RATE(so), RATE(bi), RATE(bo), RATE(scank), RATE(scand),
		RATE(steal));
#undef RATE
}

static int cmd_vmstat(struct sim *s, int argc, char **argv)
{
	struct vmstat_sample boot = { 0 }, prev, now;
	unsigned long long ns = 0;
	unsigned long count = argc > 1 ? 2 : 1, i;

	if (argc > 1 && parse_seconds(argv[1], &ns))
		return syntax_error(s, "vmstat: SECONDS must be a number of seconds (1, 0.5), got '%s'",
				    argv[1]);
	if (argc > 2 && (parse_ulong(argv[2], &count, false) || !count || count > 1000))
		return syntax_error(s, "vmstat: COUNT must be 1..1000, got '%s'", argv[2]);
	fprintf(s->out, "-----------memory---------- ---swap-- -----io---- ------reclaim------\n"
		"  swpd   free   buff  cache   si   so    bi    bo  scank  scand  steal\n");
	vmstat_take(s, &prev);
	vmstat_line(s, &boot, &prev);
	for (i = 1; i < count; i++) {
		hw_clock_sleep(s->k, ns);
		vmstat_take(s, &now);
		vmstat_line(s, &prev, &now);
		prev = now;
	}
	return 0;
}

/* The processes end with the machine, nothing of theirs written back. */
static void exit_all_tasks(struct sim *s)
{
	struct task_struct *t;

	kmm_switch(s->k);
	while ((t = next_task(0)))
		do_exit(t);
}

/*
 * crash: the machine stops at once, as at a power cut: no writeback, no
 * sync, no clean unmount; the disk image keeps what was written back
 * before.  The script may boot again (on the same image).
 */
static int cmd_crash(struct sim *s, int argc, char **argv)
{
	exit_all_tasks(s);
	kmm_crash(s->k);
	s->k = NULL;
	owner_free(&s->owned);	/* it all went with the machine */
	s->crashed_line = s->lineno;
	fprintf(s->out, "ok\n");
	return 0;
}

/*
 * dmesg [-c|-C]: the kernel log since boot (or since the last -c/-C), as
 * `dmesg -t` prints it; -c clears it after printing, -C only clears it.
 */
static int cmd_dmesg(struct sim *s, int argc, char **argv)
{
	bool clear = argc > 1;
	char *buf;
	size_t n;

	if (clear && strcmp(argv[1], "-c") && strcmp(argv[1], "-C"))
		return syntax_error(s, "dmesg: the option must be -c (print, then clear) or -C (clear), got '%s'",
				    argv[1]);
	buf = malloc(LOG_BUF_LEN);
	if (!buf) {
		fprintf(s->out, "error ENOMEM\n");
		return 0;
	}
	n = printk_log_read(s->k, buf, LOG_BUF_LEN, clear);
	if (clear && !strcmp(argv[1], "-C"))
		fprintf(s->out, "ok\n");
	else
		fwrite(buf, 1, n, s->out);
	free(buf);
	return 0;
}

static int cmd_quit(struct sim *s, int argc, char **argv)
{
	s->quit = true;
	return 0;
}

static int cmd_help(struct sim *s, int argc, char **argv);

static const struct sim_cmd sim_cmds[] = {
	{ "boot", 0, MAX_ARGS - 1, "boot [mem=SIZE] [cpus=N] [seed=N] [min_free_kbytes=N] ...",
	  "Boots the machine with these options (kmm --options lists them); only as the first command.",
	  cmd_boot },
	{ "crash", 0, 0, "crash",
	  "Stops the machine at once, as a power cut (nothing written back, no sync); boot may follow.",
	  cmd_crash },
	{ "cat", 1, 9, "cat PATH [FIELD...]",
	  "Prints a /proc file or /proc/sys/vm knob as Linux does; with FIELDs, only the lines that start with one of them (as grep ^FIELD).", cmd_cat },
	{ "echo", 3, 3, "echo VALUE > PATH",
	  "Writes a /proc/sys/vm knob, a fault-injection knob (/sys/kernel/debug/failslab/..., /proc/self/fail-nth); prints ok, or error EINVAL for a value out of its range.", cmd_echo },
	{ "dmesg", 0, 1, "dmesg [-c|-C]",
	  "Prints the kernel log since boot (-c: then clears it; -C: clears it, prints ok).", cmd_dmesg },
	{ "fail_nth", 0, 1, "fail_nth [N]",
	  "The next command's Nth eligible allocation fails (fault injection, as /proc/self/fail-nth; 0: none); alone, prints what that command left of the countdown (0: the failure was injected).", cmd_fail_nth },
	{ "alloc_pages", 1, 2, "alloc_pages ORDER [GFP_FLAGS]",
	  "Allocates 2^ORDER frames and prints the first pfn.", cmd_alloc_pages },
	{ "free_pages", 2, 2, "free_pages PFN ORDER",
	  "Frees frames this script allocated.", cmd_free_pages },
	{ "kmem_cache_create", 2, 4, "kmem_cache_create NAME SIZE [ALIGN] [SLAB_FLAGS]",
	  "Creates a slab cache of SIZE-byte objects.", cmd_kmem_cache_create },
	{ "kmem_cache_alloc", 1, 2, "kmem_cache_alloc NAME [GFP_FLAGS]",
	  "Allocates one object from cache NAME and prints its kernel address.", cmd_kmem_cache_alloc },
	{ "kmem_cache_free", 2, 2, "kmem_cache_free NAME ADDR",
	  "Frees an object back to cache NAME.", cmd_kmem_cache_free },
	{ "kmem_cache_shrink", 1, 1, "kmem_cache_shrink NAME",
	  "Gives cache NAME's empty slabs back to the page allocator.", cmd_kmem_cache_shrink },
	{ "kmem_cache_destroy", 1, 1, "kmem_cache_destroy NAME",
	  "Destroys cache NAME, reporting objects still allocated.", cmd_kmem_cache_destroy },
	{ "kmalloc", 1, 2, "kmalloc SIZE [GFP_FLAGS]",
	  "Allocates SIZE bytes from the kmalloc caches and prints the address.", cmd_kmalloc },
	{ "kfree", 1, 1, "kfree ADDR",
	  "Frees a kmalloc'ed object.", cmd_kfree },
	{ "slabtop", 0, 0, "slabtop",
	  "Prints the slab caches ordered by memory held.", cmd_slabtop },
	{ "hotplug_add", 1, 1, "hotplug_add SIZE",
	  "Adds RAM in 128M sections, up to the boot option max_mem.", cmd_hotplug_add },
	{ "vmalloc", 1, 1, "vmalloc SIZE",
	  "Allocates virtually contiguous memory and prints its address.", cmd_vmalloc },
	{ "vfree", 1, 1, "vfree ADDR",
	  "Frees a vmalloc area.", cmd_vfree },
	{ "vmap", 1, MAX_ARGS - 1, "vmap PFN [PFN...]",
	  "Maps allocated frames side by side in vmalloc space.", cmd_vmap },
	{ "vunmap", 1, 1, "vunmap ADDR",
	  "Removes a vmap mapping.", cmd_vunmap },
	{ "translate", 1, 1, "translate ADDR",
	  "Walks the kernel page table for ADDR and prints each level.", cmd_translate },
	{ "spawn", 0, 1, "spawn [NAME]",
	  "Starts a process running NAME (cat, sh, ...) laid out as a fresh execve; prints its pid.", cmd_spawn },
	{ "fork", 1, 1, "fork PID",
	  "Copies process PID's address space into a new process; prints the child's pid.", cmd_fork },
	{ "exit", 1, 2, "exit PID [STATUS]",
	  "Ends process PID as exit_group(STATUS) would (default 0), freeing its whole address space; pid 1 is init, whose end panics the machine.", cmd_exit },
	{ "mmap", 5, 7, "mmap PID ADDR LEN PROT FLAGS [PATH|FD [OFFSET]]",
	  "The mmap system call in process PID; prints the address or error ENAME.", cmd_mmap },
	{ "munmap", 3, 3, "munmap PID ADDR LEN",
	  "The munmap system call; prints ok or error ENAME.", cmd_munmap },
	{ "mprotect", 4, 4, "mprotect PID ADDR LEN PROT",
	  "The mprotect system call; prints ok or error ENAME.", cmd_mprotect },
	{ "pkey_alloc", 1, 3, "pkey_alloc PID [FLAGS [PKEY_DISABLE_ACCESS|PKEY_DISABLE_WRITE]]",
	  "The pkey_alloc system call: prints pkey N (N the protection key) or error ENAME.", cmd_pkey_alloc },
	{ "pkey_free", 2, 2, "pkey_free PID KEY",
	  "The pkey_free system call; prints ok or error ENAME.", cmd_pkey_free },
	{ "pkey_mprotect", 5, 5, "pkey_mprotect PID ADDR LEN PROT KEY",
	  "The pkey_mprotect system call (KEY -1: as mprotect); prints ok or error ENAME.", cmd_pkey_mprotect },
	{ "mremap", 4, 6, "mremap PID ADDR OLDLEN NEWLEN [FLAGS [NEWADDR]]",
	  "The mremap system call; prints the new address or error ENAME.", cmd_mremap },
	{ "madvise", 4, 4, "madvise PID ADDR LEN ADVICE",
	  "The madvise system call (MADV_DONTNEED, ...); prints ok or error ENAME.", cmd_madvise },
	{ "mlock", 3, 3, "mlock PID ADDR LEN",
	  "The mlock system call; prints ok or error ENAME.", cmd_mlock },
	{ "mlock2", 4, 4, "mlock2 PID ADDR LEN FLAGS",
	  "The mlock2 system call (FLAGS 0 or MLOCK_ONFAULT).", cmd_mlock2 },
	{ "munlock", 3, 3, "munlock PID ADDR LEN",
	  "The munlock system call.", cmd_munlock },
	{ "mlockall", 2, 2, "mlockall PID MCL_FLAGS",
	  "The mlockall system call (MCL_CURRENT|MCL_FUTURE|MCL_ONFAULT).", cmd_mlockall },
	{ "munlockall", 1, 1, "munlockall PID",
	  "The munlockall system call.", cmd_munlockall },
	{ "brk", 1, 2, "brk PID [ADDR]",
	  "The brk system call; prints the break it returns (ADDR omitted: the current one).", cmd_brk },
	{ "prlimit", 3, 3, "prlimit PID RLIMIT_AS|RLIMIT_DATA|RLIMIT_STACK|RLIMIT_MEMLOCK BYTES|unlimited",
	  "Sets a resource limit of process PID (soft and hard).", cmd_prlimit },
	{ "touch", 4, 4, "touch PID ADDR LEN r|w|x",
	  "Reads (r), writes (w) or fetches an instruction from (x) one byte at the start of every page of the range, as the CPU would; prints ok or the signal.", cmd_touch },
	{ "read", 3, 3, "read PID ADDR LEN",
	  "Reads process memory: hex bytes, or crc32=... beyond 64 bytes; or the signal.", cmd_read },
	{ "write", 3, 3, "write PID ADDR \"text\"|fill=0xAB:LEN",
	  "Writes process memory as the process would; prints ok or the signal.", cmd_write },
	{ "open", 2, 3, "open PID PATH [O_RDONLY|O_WRONLY|O_RDWR|O_CREAT|O_EXCL|O_TRUNC|O_APPEND|O_SYNC...]",
	  "Opens a file of the root filesystem (boot fs=DIR: a host directory); prints fd N.", cmd_open },
	{ "memfd_create", 2, 3, "memfd_create PID NAME [MFD_CLOEXEC|MFD_ALLOW_SEALING]",
	  "A file that lives only in memory (shmem): prints fd N; maps shows /memfd:NAME (deleted).",
	  cmd_memfd_create },
	{ "close", 2, 2, "close PID FD",
	  "Closes an fd; dirty pages stay in the cache (close writes nothing back).", cmd_close },
	{ "pread", 4, 4, "pread PID FD OFFSET LEN",
	  "Reads through the page cache: hex bytes, crc32=... beyond 64 bytes, (eof) at the end.", cmd_pread },
	{ "pwrite", 4, 4, "pwrite PID FD OFFSET \"text\"|fill=0xAB:LEN",
	  "Writes into the page cache (pages become dirty); prints the bytes written.", cmd_pwrite },
	{ "ftruncate", 3, 3, "ftruncate PID FD LEN",
	  "Sets the file's size: pages past it leave the cache and every mapping.", cmd_ftruncate },
	{ "fsync", 2, 2, "fsync PID FD",
	  "Writes the file's dirty pages to the disk; reports a writeback error once.", cmd_fsync },
	{ "fdatasync", 2, 2, "fdatasync PID FD",
	  "As fsync (the size is on the disk already).", cmd_fdatasync },
	{ "msync", 4, 4, "msync PID ADDR LEN MS_SYNC|MS_ASYNC|MS_INVALIDATE",
	  "Writes back the shared file mappings of the range (MS_SYNC); ok or error ENOMEM for a hole.", cmd_msync },
	{ "mincore", 3, 3, "mincore PID ADDR LEN",
	  "One character a page: 1 resident (mapped, or in the file's page cache), 0 not.", cmd_mincore },
	{ "sync", 0, 0, "sync",
	  "Writes every dirty page of every file to the disk.", cmd_sync },
	{ "syncfs", 2, 2, "syncfs PID FD",
	  "Writes back the filesystem the fd is on: its files' pages and its metadata.", cmd_syncfs },
	{ "mkdir", 2, 3, "mkdir PID PATH [MODE]",
	  "Makes a directory (MODE octal, default 0755); ok or error EEXIST, ENOENT, EROFS...", cmd_mkdir },
	{ "unlink", 2, 2, "unlink PID PATH",
	  "Removes a name; an open or mapped file lives on, printed (deleted) in maps.", cmd_unlink },
	{ "rmdir", 2, 2, "rmdir PID PATH",
	  "Removes an empty directory; ok or error ENOTEMPTY, ENOTDIR, EBUSY...", cmd_rmdir },
	{ "rename", 3, 3, "rename PID FROM TO",
	  "Renames within one filesystem (error EXDEV across mounts).", cmd_rename },
	{ "stat", 2, 2, "stat PID PATH",
	  "size=N blocks=N (512-byte) ino=N mode=0NNNNNN nlink=N dev=MAJOR:MINOR.", cmd_stat },
	{ "mount", 3, 4, "mount SOURCE DIR TYPE [ro|rw]",
	  "Mounts a filesystem of TYPE (hostfs: SOURCE a host directory) on the directory DIR; see cat /proc/mounts.",
	  cmd_mount },
	{ "mkfs", 2, 3, "mkfs DEV TYPE [BLOCKSIZE]",
	  "Makes an empty filesystem of TYPE (ext2) on all of DEV, laid out as mke2fs would (BLOCKSIZE 1024|2048|4096, default by size); error EBUSY while DEV is mounted.",
	  cmd_mkfs },
	{ "buffers", 2, 2, "buffers DEV BLOCK",
	  "The buffer heads of the page of DEV's cache holding BLOCK: block N: uptodate dirty ... (docs/block.md).",
	  cmd_buffers },
	{ "umount", 1, 1, "umount DIR",
	  "Writes the filesystem back and unmounts it; error EBUSY while a file on it is open or mapped.",
	  cmd_umount },
	{ "mkswap", 2, 3, "mkswap PATH SIZE [LABEL]",
	  "Makes PATH a swap area of SIZE bytes as mkswap does (the file gets its blocks first, as fallocate -l SIZE); ok or error E.",
	  cmd_mkswap },
	{ "swapon", 1, 2, "swapon PATH [PRIORITY]",
	  "The swapon system call: PATH becomes a swap area (PRIORITY 0..32767, default -2, -3 ... in order); see cat /proc/swaps.",
	  cmd_swapon },
	{ "swapoff", 1, 1, "swapoff PATH",
	  "The swapoff system call; error EINVAL if PATH is not swapped on, EBUSY while pages are in it.",
	  cmd_swapoff },
	{ "vmstat", 0, 2, "vmstat [SECONDS [COUNT]]",
	  "procps's vmstat for the machine: swpd free buff cache (KiB), si so bi bo (KiB/s), reclaim's scans by kswapd and direct and pages freed (/s); the first line since boot, then COUNT (2) lines SECONDS of simulated time apart.", cmd_vmstat },
	{ "sleep", 1, 1, "sleep SECONDS",
	  "Lets SECONDS of simulated time pass (0.5: half a second); the kernel's threads due meanwhile run (the flusher: docs/filemap.md).", cmd_sleep },
	{ "fadvise", 5, 5, "fadvise PID FD OFFSET LEN POSIX_FADV_NORMAL|RANDOM|SEQUENTIAL|WILLNEED|DONTNEED|NOREUSE",
	  "posix_fadvise: readahead hints, WILLNEED reads now, DONTNEED drops clean pages; ok or error.", cmd_fadvise },
	{ "cachestat", 4, 4, "cachestat PID FD OFFSET LEN",
	  "cachestat(2) of the range (LEN 0: to the end): cache=N dirty=N writeback=N evicted=N recently_evicted=N.", cmd_cachestat },
	{ "tlbstat", 0, 0, "tlbstat",
	  "Prints the TLB geometry and the hits and misses of every level, all CPUs added up.", cmd_tlbstat },
	{ "ps", 0, 0, "ps",
	  "Lists the processes: pid, parent, size (VSZ) and name.", cmd_ps },
	{ "drain", 0, 0, "drain",
	  "Returns the per-CPU page lists to the buddy allocator (drain_all_pages).", cmd_drain },
	{ "check", 0, 0, "check",
	  "Runs every invariant checker (buddy, slab, vmalloc, VMAs, page tables against RSS and mapcounts, TLBs); prints ok or the first broken one.", cmd_check },
	{ "help", 0, 1, "help [COMMAND]",
	  "Lists the commands, or prints what one of them does.", cmd_help },
	{ "quit", 0, 0, "quit",
	  "Leaves the shell (a script stops reading there); prints nothing.", cmd_quit },
};

static const struct sim_cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sim_cmds); i++)
		if (!strcmp(sim_cmds[i].name, name))
			return &sim_cmds[i];
	return NULL;
}

/* help: one usage per line; help CMD: its usage, then what it does. */
static int cmd_help(struct sim *s, int argc, char **argv)
{
	const struct sim_cmd *cmd;
	size_t i;

	if (argc == 1) {
		for (i = 0; i < ARRAY_SIZE(sim_cmds); i++)
			fprintf(s->out, "%s\n", sim_cmds[i].usage);
		return 0;
	}
	cmd = find_cmd(argv[1]);
	if (!cmd)
		return syntax_error(s, "help: no command '%s' (try 'help')", argv[1]);
	fprintf(s->out, "%s\n    %s\n", cmd->usage, cmd->desc);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Lines                                                               */
/* ------------------------------------------------------------------ */

/* Splits line in place at blanks; a "quoted string" stays one word. */
static int tokenize(char *line, char **argv, int max, const char **err)
{
	int argc = 0;
	char *p = line;

	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (!*p || *p == '#')
			break;
		if (argc == max) {
			*err = "too many words";
			return -1;
		}
		if (*p == '"') {
			argv[argc++] = ++p;
			while (*p && *p != '"')
				p++;
			if (!*p) {
				*err = "unterminated string";
				return -1;
			}
		} else {
			argv[argc++] = p;
			while (*p && *p != ' ' && *p != '\t' && *p != '\r' &&
			       *p != '\n' && *p != '#')
				p++;
			if (*p == '#') {
				*p = 0;
				break;
			}
		}
		if (*p)
			*p++ = 0;
	}
	return argc;
}

/*
 * The kernel log of the last command: always on err (as dmesg would keep
 * it); in the tour, on out with a prefix, unless the command's own result
 * line already said all of it.
 */
static void show_dmesg(struct sim *s)
{
	const char *p = s->dmesg;

	if (!s->dmesg_len)
		return;
	if (!s->dmesg_prefix) {
		fputs(s->dmesg, s->err);
		return;
	}
	if (s->report_consumed) {
		/* The result line already showed the first line. */
		p += strcspn(p, "\n");
		if (*p)
			p++;
	}
	while (*p) {
		size_t n = strcspn(p, "\n");

		fprintf(s->out, "%s%.*s\n", s->dmesg_prefix, (int)n, p);
		p += n;
		if (*p)
			p++;
	}
}

void sim_set_dmesg_prefix(struct sim *s, const char *prefix)
{
	s->dmesg_prefix = prefix;
}

/*
 * A panic the command's result line did not show (the OOM killer's, in
 * the middle of a touch): its line after the result, as a console's
 * last words.
 */
static void print_panic_line(struct sim *s)
{
	const char *p = strstr(s->dmesg, "Kernel panic - not syncing: ");

	if (p)
		fprintf(s->out, "%.*s\n", (int)strcspn(p, "\n"), p);
}

/* A task the OOM killer chose dies on its way back to user space. */
static void print_killed(struct task_struct *t, void *arg)
{
	struct sim *s = arg;

	fprintf(s->out, "pid %d killed by SIGKILL (oom)\n", t->pid);
}

int sim_run_line(struct sim *s, const char *text)
{
	char line[MAX_LINE], *argv[MAX_ARGS];
	const struct sim_cmd *cmd;
	const char *err = NULL;
	int argc, ret;

	s->lineno++;
	if (strlen(text) >= sizeof(line))
		return syntax_error(s, "line longer than %d characters", MAX_LINE - 1);
	strcpy(line, text);
	argc = tokenize(line, argv, MAX_ARGS, &err);
	if (argc < 0)
		return syntax_error(s, "%s", err);
	if (argc == 0)
		return 0;
	if (sim_panicked(s)) {
		/* A panicked machine runs nothing: no result line. */
		fprintf(s->err, "kmm: %s:%lu: not run: the machine has panicked\n",
			s->source, s->lineno);
		return -1;
	}
	cmd = find_cmd(argv[0]);
	if (!cmd)
		return syntax_error(s, "unknown command '%s' (try 'help')", argv[0]);
	if (argc - 1 < cmd->min_args || argc - 1 > cmd->max_args)
		return syntax_error(s, "usage: %s", cmd->usage);
	if (cmd->fn != cmd_boot && cmd->fn != cmd_help && cmd->fn != cmd_quit) {
		/* Never a default machine in place of the one asked for. */
		if (s->boot_failed_line)
			return syntax_error(s, "no machine: the boot at line %lu failed",
					    s->boot_failed_line);
		if (s->crashed_line)
			return syntax_error(s, "no machine: it crashed at line %lu (boot again)",
					    s->crashed_line);
		if (sim_ensure_machine(s))
			return syntax_error(s, "no machine: boot failed");
	}
	s->report[0] = 0;
	s->nr_report_lines = 0;
	s->report_consumed = 0;
	s->dmesg_len = 0;
	s->dmesg[0] = 0;
	kmm_set_report_hook(sim_report_hook, s);
	s->line = line;		/* the words point into it: columns for errors */
	s->line_len = strlen(text);
	ret = run_cmd(s, cmd, argc, argv);
	if (s->k) {
		s->k->current = NULL;	/* the command's task (arg_task) is done */
		if (!sim_panicked(s))
			deliver_fatal_signals(s->k, print_killed, s);
		else if (!s->report_consumed)
			print_panic_line(s);
	}
	if (s->k && !sim_panicked(s))
		run_timers(s->k);	/* the kernel threads the command made due */
	s->line = NULL;		/* line is gone when this returns */
	s->commands_run++;
	show_dmesg(s);
	if (sim_panicked(s))
		s->quit = true;	/* the shell and the stream reader stop */
	return ret;
}

bool sim_panicked(const struct sim *s)
{
	return s->k && s->k->panicked;
}

/* Runs one line read from a stream (n bytes, no newline): 0 or -1. */
static int run_read_line(struct sim *s, const char *line, size_t n)
{
	/* A NUL would cut the line short: the rest must not run. */
	if (memchr(line, 0, n)) {
		s->lineno++;
		return syntax_error(s, "the line contains a NUL byte");
	}
	if (n >= MAX_LINE) {
		s->lineno++;
		return syntax_error(s, "line longer than %d characters", MAX_LINE - 1);
	}
	return sim_run_line(s, line);
}

int sim_run_stream(struct sim *s, FILE *in, int interactive)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int bad = 0;

	s->quit = false;
	while (!s->quit) {
		if (interactive) {
			fprintf(s->out, "kmm> ");
			fflush(s->out);
		}
		n = getline(&line, &cap, in);
		if (n < 0)
			break;
		if (n && line[n - 1] == '\n')
			line[--n] = 0;
		if (run_read_line(s, line, (size_t)n))
			bad++;
		fflush(s->out);
		if ((bad && s->stop_on_error) || sim_panicked(s))
			break;
		/* A script written for the machine it failed to boot has
		 * nothing to run on. */
		if (s->boot_failed_line && !interactive)
			break;
	}
	s->quit = false;	/* the next stream reads on */
	free(line);
	return bad;
}

bool sim_quit_requested(struct sim *s)
{
	bool quit = s->quit;

	s->quit = false;
	return quit;
}

void sim_set_show_faults(struct sim *s, bool show)
{
	s->show_faults = show;
}

void sim_set_stop_on_error(struct sim *s, bool stop)
{
	s->stop_on_error = stop;
}

struct sim *sim_create(FILE *out, FILE *err)
{
	struct sim *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->out = out;
	s->err = err;
	s->source = "<stdin>";
	return s;
}

void sim_set_source(struct sim *s, const char *name)
{
	s->source = name;
	s->lineno = 0;
}

void sim_destroy(struct sim *s)
{
	if (!s)
		return;
	kmm_set_report_hook(NULL, NULL);
	/* A countdown the script armed (echo N > /proc/self/fail-nth) ends
	 * with it, as a process's ends with the process. */
	kmm_fail_nth_write(0);
	if (s->k) {
		/* Processes still running end with the machine. */
		exit_all_tasks(s);
		kmm_shutdown(s->k);
	}
	owner_free(&s->owned);
	free(s);
}
