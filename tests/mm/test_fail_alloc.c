/*
 * tests/mm/test_fail_alloc.c - fault injection in the allocators
 * (mm/fail_page_alloc.c, mm/failslab.c) and what it proves about every
 * caller's failure path.
 *
 *   - the capabilities' filters (ignore-gfp-wait, ignore-gfp-highmem,
 *     min-order, cache-filter, __GFP_NOFAIL) and what a failure looks like
 *     (NULL, the page allocator's warning unless __GFP_NOWARN), the knobs
 *     from C, from the debugfs files and from the boot options;
 *   - fail-nth, Linux's systematic technique: for each operation that
 *     allocates many times, fail its 1st, 2nd, 3rd ... eligible allocation
 *     until it runs without reaching the countdown; after each run the
 *     operation either succeeded or failed cleanly, kmm_check_invariants
 *     holds, and once undone, the free pages and the slab objects in use
 *     are what they were before (no leak);
 *   - random injection: generated scripts run with both capabilities at 5%,
 *     `check` after every line, which must print ok.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/fs.h>
#include <kmm/sched.h>
#include "mm/internal.h"
#include "mm/memory.h"
#include "mm/mmap.h"
#include "mm/slab.h"
#include "arch/x86/mm/fault.h"
#include "sim/script.h"
#include "tools/script_gen.h"
#include "tests/harness.h"
#include "tests/kmm_test.h"

#define PG		4096ul
#define MAX_POINTS	100000	/* more eligible allocations than any operation makes */

/* The notice of the last failure injected: where it was, for a report. */
static char injected_at[4096];

static void keep_notice(const char *report, void *arg)
{
	if (!strncmp(report, "FAULT_INJECTION", 15))
		snprintf(injected_at, sizeof(injected_at), "%s", report);
	capture(report, arg);
}

/* Knobs for systematic injection: every allocation is eligible; the
 * notice (with its callers) goes to keep_notice only. */
static void fail_everything(void)
{
	kmm_fault_write("fail_page_alloc", "ignore-gfp-wait", 0);
	kmm_fault_write("fail_page_alloc", "ignore-gfp-highmem", 0);
	kmm_fault_write("fail_page_alloc", "min-order", 0);
	kmm_fault_write("fail_page_alloc", "verbose", 2);
	kmm_fault_write("failslab", "ignore-gfp-wait", 0);
	kmm_fault_write("failslab", "verbose", 2);
	kmm_set_report_hook(keep_notice, NULL);
}

static struct kmm *boot(void)
{
	struct kmm_config cfg = { .mem = 128ul << 20, .cpus = 1, .quiet = 1, .norandmaps = 1 };
	struct kmm *k = kmm_boot(&cfg);

	capture_reports();
	return k;
}

/* ------------------------------------------------------------------ */
/* The capabilities                                                    */
/* ------------------------------------------------------------------ */

TEST(fail_page_alloc_filters_as_linux)
{
	struct kmm *k = boot();
	struct page *p;
	long v;

	ASSERT_NOT_NULL(k);
	ASSERT_EQ(kmm_fault_read("fail_page_alloc", "ignore-gfp-wait", &v), 0);
	ASSERT_EQ(v, 1);
	ASSERT_EQ(kmm_fault_read("fail_page_alloc", "min-order", &v), 0);
	ASSERT_EQ(v, 1);
	ASSERT_EQ(kmm_fault_write("fail_page_alloc", "probability", 100), 0);
	ASSERT_EQ(kmm_fault_write("fail_page_alloc", "times", -1), 0);
	ASSERT_EQ(kmm_fault_write("fail_page_alloc", "verbose", 0), 0);
	/* Spared by the defaults: order 0, reclaim allowed, highmem. */
	p = alloc_pages(GFP_ATOMIC, 0);
	ASSERT_NOT_NULL(p);
	__free_pages(p, 0);
	p = alloc_pages(GFP_KERNEL, 2);
	ASSERT_NOT_NULL(p);
	__free_pages(p, 2);
	p = alloc_pages(GFP_ATOMIC | __GFP_HIGHMEM, 1);
	ASSERT_NOT_NULL(p);
	__free_pages(p, 1);
	ASSERT_EQ(kmm_fault_injected("fail_page_alloc"), 0);
	/* Failed, with the warning a real failure gives. */
	reports_seen = 0;
	ASSERT_NULL(alloc_pages(GFP_ATOMIC, 1));
	ASSERT_EQ(reports_seen, 1);
	ASSERT_CONTAINS(last_report, "page allocation failure: order:1, mode:0x820(GFP_ATOMIC)");
	ASSERT_NULL(alloc_pages(GFP_ATOMIC | __GFP_NOWARN, 3));
	ASSERT_EQ(reports_seen, 1);
	ASSERT_EQ(__get_free_pages(GFP_ATOMIC | __GFP_NOWARN, 1), 0);
	/* Never __GFP_NOFAIL. */
	p = alloc_pages(GFP_ATOMIC | __GFP_NOFAIL, 1);
	ASSERT_NOT_NULL(p);
	__free_pages(p, 1);
	/* Everything, with the filters off; the order-0 fast path too. */
	kmm_fault_write("fail_page_alloc", "min-order", 0);
	kmm_fault_write("fail_page_alloc", "ignore-gfp-wait", 0);
	kmm_fault_write("fail_page_alloc", "ignore-gfp-highmem", 0);
	ASSERT_NULL(alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0));
	ASSERT_NULL(alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, 0));
	ASSERT_EQ(kmm_fault_injected("fail_page_alloc"), 5);
	ASSERT_EQ(kmm_fault_write("fail_page_alloc", "probability", 0), 0);
	p = alloc_pages(GFP_KERNEL, 0);
	ASSERT_NOT_NULL(p);
	__free_pages(p, 0);
	ASSERT_EQ(kmm_check_invariants(k), 0);
	kmm_shutdown(k);
}

TEST(failslab_filters_as_linux)
{
	struct kmm *k = boot();
	struct kmem_cache *plain, *marked;
	void *a, *b;

	ASSERT_NOT_NULL(k);
	plain = kmem_cache_create("fi_plain", 100, 0, 0, NULL);
	marked = kmem_cache_create("fi_marked", 100, 0, SLAB_FAILSLAB, NULL);
	ASSERT_NOT_NULL(plain);
	ASSERT_NOT_NULL(marked);
	kmm_fault_write("failslab", "probability", 100);
	kmm_fault_write("failslab", "times", -1);
	kmm_fault_write("failslab", "verbose", 1);
	a = kmem_cache_alloc(plain, GFP_KERNEL);	/* ignore-gfp-wait */
	ASSERT_NOT_NULL(a);
	kmem_cache_free(plain, a);
	reports_seen = 0;
	ASSERT_NULL(kmem_cache_alloc(plain, GFP_ATOMIC));
	ASSERT_EQ(reports_seen, 1);
	ASSERT_CONTAINS(last_report, "FAULT_INJECTION: forcing a failure.\nname failslab, ");
	ASSERT_NULL(kmalloc(64, GFP_ATOMIC | __GFP_NOWARN));
	ASSERT_EQ(reports_seen, 1);	/* no notice under __GFP_NOWARN */
	a = kmalloc(64, GFP_ATOMIC | __GFP_NOFAIL);
	ASSERT_NOT_NULL(a);
	kfree(a);
	/* cache-filter: only SLAB_FAILSLAB caches fail. */
	ASSERT_EQ(kmm_fault_write("failslab", "cache-filter", 1), 0);
	a = kmem_cache_alloc(plain, GFP_ATOMIC);
	ASSERT_NOT_NULL(a);
	ASSERT_NULL(kmem_cache_alloc(marked, GFP_ATOMIC));
	/* The space counts object sizes: 250 bytes let two 100-byte ones by. */
	kmm_fault_write("failslab", "space", 250);
	b = kmem_cache_alloc(marked, GFP_ATOMIC);
	ASSERT_NOT_NULL(b);
	kmem_cache_free(marked, b);
	b = kmem_cache_alloc(marked, GFP_ATOMIC);
	ASSERT_NOT_NULL(b);
	ASSERT_NULL(kmem_cache_alloc(marked, GFP_ATOMIC));
	kmm_fault_write("failslab", "probability", 0);
	kmem_cache_free(marked, b);
	kmem_cache_free(plain, a);
	ASSERT_EQ(kmm_fault_injected("failslab"), 4);
	kmem_cache_destroy(plain);
	kmem_cache_destroy(marked);
	ASSERT_EQ(kmm_check_invariants(k), 0);
	kmm_shutdown(k);
}

TEST(knobs_through_the_files_and_the_c_api)
{
	struct kmm *k = boot();
	char buf[256];
	long v;

	ASSERT_NOT_NULL(k);
	ASSERT_EQ(kmm_proc_write("/sys/kernel/debug/failslab/times", "-1\n"), 0);
	ASSERT_EQ(kmm_fault_read("failslab", "times", &v), 0);
	ASSERT_EQ(v, -1);
	ASSERT_EQ(kmm_proc_write("/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N"), 0);
	ASSERT_TRUE(kmm_proc_read("/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem",
				  buf, sizeof(buf)) == 2);
	ASSERT_STR_EQ(buf, "N\n");
	ASSERT_EQ(kmm_proc_write("/sys/kernel/debug/fail_page_alloc/interval", "0x10"), 0);
	kmm_proc_read("/sys/kernel/debug/fail_page_alloc/interval", buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "16\n");
	ASSERT_EQ(kmm_proc_write("/sys/kernel/debug/failslab/probability", "101"), -EINVAL);
	ASSERT_EQ(kmm_proc_write("/sys/kernel/debug/failslab/cache-filter", "2"), -EINVAL);
	ASSERT_EQ(kmm_proc_write("/sys/kernel/debug/failslab/min-order", "1"), -ENOENT);
	ASSERT_EQ(kmm_proc_write("/sys/kernel/debug/fail_futex/probability", "1"), -ENOENT);
	ASSERT_EQ(kmm_proc_read("/sys/kernel/debug/failslab/", buf, sizeof(buf)), -ENOENT);
	ASSERT_EQ(kmm_fault_write("failslab", "ignore-gfp-highmem", 0), -ENOENT);
	ASSERT_EQ(kmm_fault_write("failslab", "verbose", 3), -EINVAL);
	ASSERT_EQ(kmm_fault_write("nope", "verbose", 1), -ENOENT);
	ASSERT_EQ(kmm_proc_write("/proc/self/fail-nth", "7"), 0);
	ASSERT_EQ(kmm_fail_nth_read(), 7);
	kmm_proc_read("/proc/thread-self/fail-nth", buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "7\n");
	ASSERT_EQ(kmm_proc_write("/proc/self/fail-nth", "-1"), -EINVAL);
	kmm_fail_nth_write(0);
	kmm_proc_read("/proc/fault_inject", buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "fail_page_alloc_injected 0\nfailslab_injected 0\nfail_nth 0\n");
	/* Every file is listed. */
	{
		const char *const *p = kmm_proc_paths();
		int found = 0;

		for (; *p; p++)
			found += !strcmp(*p, "/proc/fault_inject") ||
				 !strcmp(*p, "/sys/kernel/debug/failslab/cache-filter") ||
				 !strcmp(*p, "/proc/self/fail-nth");
		ASSERT_EQ(found, 3);
	}
	kmm_shutdown(k);
}

/* The boot options take effect once the machine is up; a new machine
 * starts from Linux's defaults; a shut-down one disarms the hooks. */
TEST(boot_options)
{
	struct kmm_config cfg = { .mem = 64ul << 20, .cpus = 1, .quiet = 1 };
	struct kmm *k;
	char err[256];
	long v;

	ASSERT_EQ(kmm_config_set(&cfg, "failslab", "1,100,0,3", err, sizeof(err)), 0);
	ASSERT_EQ(kmm_config_set(&cfg, "fail_page_alloc", "1,5,0", err, sizeof(err)), -1);
	ASSERT_CONTAINS(err, "option fail_page_alloc: '1,5,0' is not <interval>,<probability>");
	k = kmm_boot(&cfg);
	ASSERT_NOT_NULL(k);
	capture_reports();
	ASSERT_EQ(kmm_fault_read("failslab", "times", &v), 0);
	ASSERT_EQ(v, 3);
	kmm_fault_write("failslab", "verbose", 0);
	for (int i = 0; i < 5; i++)
		kfree(kmalloc(32, GFP_ATOMIC));
	ASSERT_EQ(kmm_fault_injected("failslab"), 3);
	ASSERT_EQ(kmm_check_invariants(k), 0);
	kmm_shutdown(k);
	ASSERT_FALSE(fault_inject_armed());
	/* From the environment, as every option. */
	setenv("KMM_FAIL_PAGE_ALLOC", "2,100,0,-1", 1);
	k = boot();
	unsetenv("KMM_FAIL_PAGE_ALLOC");
	ASSERT_NOT_NULL(k);
	ASSERT_EQ(kmm_fault_read("fail_page_alloc", "interval", &v), 0);
	ASSERT_EQ(v, 2);
	ASSERT_EQ(kmm_fault_read("failslab", "probability", &v), 0);
	ASSERT_EQ(v, 0);
	kmm_shutdown(k);
}

/* ------------------------------------------------------------------ */
/* fail-nth: every allocation of an operation fails in turn            */
/* ------------------------------------------------------------------ */

/* What a leak would change: free pages, and objects out of the slabs. */
#define MAX_CACHES 64
struct usage {
	unsigned long free_pages;
	unsigned long slab_objects;
	unsigned long caches;
	char name[MAX_CACHES][32];		/* the objects of each cache */
	unsigned long objects[MAX_CACHES];
};

static void usage_now(struct kmm *k, struct usage *u)
{
	struct kmem_cache *s;

	vm_unmap_aliases();	/* frees vmap_areas: before the slabs are shrunk */
	kmm_slab_shrink_all(k);
	lru_add_drain_all(k);	/* pages whose last reference is an LRU batch's */
	__drain_all_pages(k, NULL);
	u->free_pages = nr_free_pages();
	u->slab_objects = u->caches = 0;
	pthread_mutex_lock(&k->mem->slab->slab_mutex);
	list_for_each_entry(s, &k->mem->slab->slab_caches, list) {
		struct kmem_cache_info info;

		kmem_cache_get_info(s, &info);
		u->slab_objects += info.active_objs;
		if (u->caches < MAX_CACHES) {
			snprintf(u->name[u->caches], sizeof(u->name[0]), "%s", s->name);
			u->objects[u->caches] = info.active_objs;
		}
		u->caches++;
	}
	pthread_mutex_unlock(&k->mem->slab->slab_mutex);
}

/* The caches whose objects in use differ, on stderr. */
static void usage_diff(const struct usage *a, const struct usage *b)
{
	for (unsigned long i = 0; i < b->caches && i < MAX_CACHES; i++)
		for (unsigned long j = 0; j < a->caches && j < MAX_CACHES; j++)
			if (!strcmp(a->name[j], b->name[i]) && a->objects[j] != b->objects[i])
				fprintf(stderr, "    %s: %lu objects, were %lu\n", b->name[i],
					b->objects[i], a->objects[j]);
}

/*
 * An operation: run does it (0, or -1 for a clean failure, having given
 * back what it took), undo takes a success back.
 */
struct operation {
	const char *name;
	int (*run)(void *state);
	void (*undo)(void *state);
	void *state;
};

/*
 * Fails the operation's 1st, 2nd, ... eligible allocation until a run no
 * longer reaches the countdown, which must be a success.  Returns how
 * many allocations could fail, or 0 after a test failure.
 */
static unsigned int fail_each_allocation(struct kmm *k, const struct operation *op)
{
	struct usage before, after;
	unsigned int n;

	/* What lives as long as the machine is made by a first run. */
	for (int warm = 0; warm < 20; warm++) {
		if (op->run(op->state)) {
			fprintf(stderr, "  %s: fails without injection\n", op->name);
			return 0;
		}
		op->undo(op->state);
	}
	fail_everything();
	usage_now(k, &before);
	for (n = 1; n < MAX_POINTS; n++) {
		unsigned int left;
		int ret;

		injected_at[0] = 0;
		kmm_fail_nth_write(n);
		ret = op->run(op->state);
		left = kmm_fail_nth_read();
		kmm_fail_nth_write(0);
		if (kmm_check_invariants(k)) {
			fprintf(stderr, "  %s: invariants broken after failing allocation %u\n%s",
				op->name, n, injected_at);
			return 0;
		}
		if (!ret)
			op->undo(op->state);
		usage_now(k, &after);
		if (after.free_pages != before.free_pages ||
		    after.slab_objects != before.slab_objects || after.caches != before.caches) {
			fprintf(stderr, "  %s: allocation %u failed (%s): free pages %ld, slab objects "
				"%ld, caches %ld\n", op->name, n, ret ? "operation failed" : "succeeded",
				(long)after.free_pages - (long)before.free_pages,
				(long)after.slab_objects - (long)before.slab_objects,
				(long)after.caches - (long)before.caches);
			usage_diff(&before, &after);
			fprintf(stderr, "%s", injected_at);
			return 0;
		}
		if (left) {
			if (ret) {
				fprintf(stderr, "  %s: failed with no failure injected\n", op->name);
				return 0;
			}
			break;
		}
	}
	printf("  %s: %u allocations failed in turn\n", op->name, n - 1);
	return n - 1;
}

static void run_operation(const char *name, int (*run)(void *), void (*undo)(void *),
			  void *state, unsigned int *points)
{
	struct kmm *k = boot();
	struct operation op = { name, run, undo, state };

	*points = k ? fail_each_allocation(k, &op) : 0;
	if (k)
		kmm_shutdown(k);
}

/* kmem_cache_create: on-slab and off-slab caches, a first object. */
struct cache_state {
	struct kmem_cache *s;
	void *obj;
	unsigned int size;
	slab_flags_t flags;
};

static int cache_run(void *arg)
{
	struct cache_state *c = arg;

	c->s = kmem_cache_create("fi_cache", c->size, 0, c->flags, NULL);
	if (!c->s)
		return -1;
	c->obj = kmem_cache_alloc(c->s, GFP_KERNEL);
	if (!c->obj) {
		kmem_cache_destroy(c->s);
		return -1;
	}
	return 0;
}

static void cache_undo(void *arg)
{
	struct cache_state *c = arg;

	kmem_cache_free(c->s, c->obj);
	kmem_cache_destroy(c->s);
}

TEST(fail_nth_kmem_cache_create)
{
	struct cache_state small = { .size = 200, .flags = SLAB_HWCACHE_ALIGN };
	struct cache_state big = { .size = 3000, .flags = SLAB_RED_ZONE | SLAB_POISON };
	unsigned int points;

	run_operation("kmem_cache_create(200)", cache_run, cache_undo, &small, &points);
	ASSERT_TRUE(points > 2);
	run_operation("kmem_cache_create(3000, debug)", cache_run, cache_undo, &big, &points);
	ASSERT_TRUE(points > 2);
}

/* kmalloc of every kind of size: the caches, and pages beyond 8 KiB. */
static const size_t kmalloc_sizes[] = { 8, 96, 192, 1000, 4096, 8192, 20000, 300000 };
static void *kmalloc_objs[ARRAY_SIZE(kmalloc_sizes)];

static void kmalloc_undo(void *arg)
{
	for (size_t i = 0; i < ARRAY_SIZE(kmalloc_sizes); i++) {
		kfree(kmalloc_objs[i]);
		kmalloc_objs[i] = NULL;
	}
}

static int kmalloc_run(void *arg)
{
	for (size_t i = 0; i < ARRAY_SIZE(kmalloc_sizes); i++) {
		kmalloc_objs[i] = kmalloc(kmalloc_sizes[i], GFP_KERNEL);
		if (!kmalloc_objs[i]) {
			kmalloc_undo(arg);
			return -1;
		}
	}
	/* krealloc's move, and kstrdup: their own allocations. */
	{
		void *p = krealloc(kmalloc_objs[0], 5000, GFP_KERNEL);

		if (!p) {
			kmalloc_undo(arg);
			return -1;
		}
		kmalloc_objs[0] = p;
	}
	return 0;
}

TEST(fail_nth_kmalloc)
{
	unsigned int points;

	run_operation("kmalloc", kmalloc_run, kmalloc_undo, NULL, &points);
	ASSERT_TRUE(points >= ARRAY_SIZE(kmalloc_sizes));
}

static void *vmalloc_area;

static int vmalloc_run(void *arg)
{
	vmalloc_area = vmalloc(1ul << 20);
	return vmalloc_area ? 0 : -1;
}

static void vmalloc_undo(void *arg)
{
	vfree(vmalloc_area);
}

TEST(fail_nth_vmalloc)
{
	unsigned int points;

	run_operation("vmalloc(1M)", vmalloc_run, vmalloc_undo, NULL, &points);
	ASSERT_TRUE(points >= 256);
}

static mempool_t *pools[3];

static void mempool_undo(void *arg)
{
	for (int i = 0; i < 3; i++) {
		mempool_destroy(pools[i]);
		pools[i] = NULL;
	}
}

static int mempool_run(void *arg)
{
	void *e;

	pools[0] = mempool_create_kmalloc_pool(16, 256);
	pools[1] = mempool_create_page_pool(4, 1);
	pools[2] = mempool_create_kmalloc_pool(4, 5000);
	if (!pools[0] || !pools[1] || !pools[2]) {
		mempool_undo(arg);
		return -1;
	}
	/* An element from the allocator or, when it fails, from the pool. */
	e = mempool_alloc(pools[0], GFP_KERNEL);
	if (!e) {
		mempool_undo(arg);
		return -1;
	}
	mempool_free(e, pools[0]);
	return 0;
}

TEST(fail_nth_mempool_create)
{
	unsigned int points;

	run_operation("mempool_create", mempool_run, mempool_undo, NULL, &points);
	ASSERT_TRUE(points > 20);
}

/*
 * The rest of the allocator API: kmem_cache_alloc_bulk from an off-slab
 * cache, kvmalloc (kmalloc first, then vmalloc), vmap of allocated
 * frames, alloc_pages_exact, kstrdup and kmemdup, mempool_resize.
 */
struct extras {
	struct kmem_cache *s;
	void *bulk[64];
	void *kv, *exact, *str, *dup, *mapped;
	struct page *pages[16];
	mempool_t *pool;
};

static struct extras extras;

static void extras_undo(void *arg)
{
	struct extras *e = arg;

	if (e->s) {
		kmem_cache_free_bulk(e->s, ARRAY_SIZE(e->bulk), e->bulk);
		kmem_cache_destroy(e->s);
	}
	kvfree(e->kv);
	if (e->exact)
		free_pages_exact(e->exact, 3 * PG);
	kfree(e->str);
	kfree(e->dup);
	if (e->mapped)
		vunmap(e->mapped);
	for (unsigned int i = 0; i < ARRAY_SIZE(e->pages); i++)
		if (e->pages[i])
			__free_pages(e->pages[i], 0);
	mempool_destroy(e->pool);
	memset(e, 0, sizeof(*e));
}

static int extras_run(void *arg)
{
	struct extras *e = arg;
	unsigned int i;

	e->s = kmem_cache_create("fi_bulk", 700, 0, 0, NULL);
	if (!e->s || kmem_cache_alloc_bulk(e->s, GFP_KERNEL, ARRAY_SIZE(e->bulk), e->bulk) == 0) {
		if (e->s)
			kmem_cache_destroy(e->s);
		e->s = NULL;
		goto fail;
	}
	e->kv = kvmalloc(300000, GFP_KERNEL);
	e->exact = alloc_pages_exact(3 * PG, GFP_KERNEL);
	e->str = kstrdup("a string to copy", GFP_KERNEL);
	e->dup = kmemdup(extras.bulk, sizeof(extras.bulk), GFP_KERNEL);
	if (!e->kv || !e->exact || !e->str || !e->dup)
		goto fail;
	for (i = 0; i < ARRAY_SIZE(e->pages); i++) {
		e->pages[i] = alloc_page(GFP_KERNEL);
		if (!e->pages[i])
			goto fail;
	}
	e->mapped = vmap(e->pages, ARRAY_SIZE(e->pages), 0, PAGE_KERNEL);
	e->pool = mempool_create_kmalloc_pool(2, 128);
	if (!e->mapped || !e->pool || mempool_resize(e->pool, 32))
		goto fail;
	return 0;
fail:
	extras_undo(arg);
	return -1;
}

TEST(fail_nth_allocator_api)
{
	unsigned int points;

	run_operation("bulk+kvmalloc+vmap+exact+kstrdup+mempool_resize", extras_run, extras_undo,
		      &extras, &points);
	ASSERT_TRUE(points > 40);
}

/*
 * A process's life: spawn, mmap, touch every page, mprotect the middle
 * (a split), fork, the child writes (copy-on-write), both exit.  pid 1,
 * which may never exit, is spawned first and stays.
 */
#define PROC_LEN	(64 * PG)

static int touch_all(struct task_struct *t, unsigned long addr)
{
	struct kmm_siginfo si;
	phys_addr_t phys;

	for (unsigned long a = addr; a < addr + PROC_LEN; a += PG)
		if (user_access(t, a, PF_WRITE, &phys, &si))
			return -1;
	return 0;
}

static int process_run(void *arg)
{
	struct task_struct *p, *c;
	long addr;
	int err;

	p = kernel_spawn("cat", &err);
	if (!p)
		return -1;
	addr = do_mmap(p->mm, 0, PROC_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	if (addr < 0 || touch_all(p, (unsigned long)addr))
		goto out_p;
	if (do_mprotect_pkey(p->mm, (unsigned long)addr + 16 * PG, 16 * PG, PROT_READ, -1))
		goto out_p;
	if (do_mprotect_pkey(p->mm, (unsigned long)addr + 16 * PG, 16 * PG,
			     PROT_READ | PROT_WRITE, -1))
		goto out_p;
	c = kernel_fork(p, &err);
	if (!c)
		goto out_p;
	if (touch_all(c, (unsigned long)addr))
		goto out_c;
	do_exit(c);
	do_exit(p);
	return 0;
out_c:
	do_exit(c);
out_p:
	do_exit(p);
	return -1;
}

static void process_undo(void *arg)
{
}

TEST(fail_nth_process_life)
{
	struct kmm *k = boot();
	struct operation op = { "spawn+mmap+touch+mprotect+fork+exit", process_run, process_undo,
				NULL };
	struct task_struct *init;
	int err;

	ASSERT_NOT_NULL(k);
	init = kernel_spawn(NULL, &err);
	ASSERT_NOT_NULL(init);
	ASSERT_TRUE(fail_each_allocation(k, &op) > 64);
	kmm_shutdown(k);
}

/*
 * The system calls that split, move, populate and share: munmap of a
 * middle part, mremap growing (and moving), mlock, MADV_DONTNEED, brk,
 * a shared mapping, and a fork whose child writes both kinds.
 */
static int touch_range(struct task_struct *t, unsigned long addr, unsigned long len)
{
	struct kmm_siginfo si;
	phys_addr_t phys;

	for (unsigned long a = addr; a < addr + len; a += PG)
		if (user_access(t, a, PF_WRITE, &phys, &si))
			return -1;
	return 0;
}

static int syscalls_in(struct task_struct *p)
{
	struct task_struct *c;
	unsigned long brk;
	long a, r, sh;
	int err;

	a = do_mmap(p->mm, 0, PROC_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	if (a < 0 || touch_range(p, (unsigned long)a, PROC_LEN))
		return -1;
	if (do_munmap(p->mm, (unsigned long)a + 8 * PG, 4 * PG))
		return -1;
	r = do_mremap(p->mm, (unsigned long)a + 16 * PG, 16 * PG, 48 * PG, MREMAP_MAYMOVE, 0);
	if (r < 0 || touch_range(p, (unsigned long)r, 48 * PG))
		return -1;
	if (do_mlock(p->mm, (unsigned long)a, 8 * PG, VM_LOCKED) ||
	    do_madvise(p->mm, (unsigned long)r, 8 * PG, MADV_DONTNEED))
		return -1;
	brk = sys_brk(p->mm, 0);
	if (sys_brk(p->mm, brk + 16 * PG) != brk + 16 * PG || touch_range(p, brk, 16 * PG))
		return -1;
	sh = do_mmap(p->mm, 0, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS);
	if (sh < 0 || touch_range(p, (unsigned long)sh, 8 * PG))
		return -1;
	c = kernel_fork(p, &err);
	if (!c)
		return -1;
	err = touch_range(c, (unsigned long)sh, 8 * PG) || touch_range(c, (unsigned long)r, 48 * PG);
	do_exit(c);
	return err ? -1 : 0;
}

static int syscalls_run(void *arg)
{
	int err, ret;
	struct task_struct *p = kernel_spawn("sh", &err);

	if (!p)
		return -1;
	ret = syscalls_in(p);
	do_exit(p);
	return ret;
}

TEST(fail_nth_system_calls)
{
	struct kmm *k = boot();
	struct operation op = { "munmap+mremap+mlock+madvise+brk+MAP_SHARED+fork", syscalls_run,
				process_undo, NULL };
	int err;

	ASSERT_NOT_NULL(k);
	ASSERT_NOT_NULL(kernel_spawn(NULL, &err));	/* init */
	ASSERT_TRUE(fail_each_allocation(k, &op) > 64);
	kmm_shutdown(k);
}

/* execve, and a file mapped private (written: copy-on-write of the
 * page cache) and shared (read). */
static int exec_and_files_in(struct task_struct *p)
{
	struct kmm_siginfo si;
	phys_addr_t phys;
	struct file *f;
	long priv, shared;
	int err;

	if (kernel_execve(p, "sh"))
		return -1;
	f = filp_open_rootfs("/usr/bin/cat", &err);
	if (!f)
		return -1;
	priv = do_mmap_pgoff(p->mm, f, 0, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
	shared = do_mmap_pgoff(p->mm, f, 0, 4 * PG, PROT_READ, MAP_SHARED, 0);
	fput(f);
	if (priv < 0 || shared < 0 || touch_range(p, (unsigned long)priv, 4 * PG))
		return -1;
	for (unsigned long a = 0; a < 4 * PG; a += PG)
		if (user_access(p, (unsigned long)shared + a, 0, &phys, &si))
			return -1;
	return 0;
}

static int exec_run(void *arg)
{
	int err, ret;
	struct task_struct *p = kernel_spawn("cat", &err);

	if (!p)
		return -1;
	ret = exec_and_files_in(p);
	do_exit(p);
	return ret;
}

TEST(fail_nth_execve_and_files)
{
	struct kmm *k = boot();
	struct operation op = { "execve+file mmap", exec_run, process_undo, NULL };
	int err;

	ASSERT_NOT_NULL(k);
	ASSERT_NOT_NULL(kernel_spawn(NULL, &err));	/* init */
	ASSERT_TRUE(fail_each_allocation(k, &op) > 16);
	kmm_shutdown(k);
}

/* ------------------------------------------------------------------ */
/* Random injection in generated scripts                               */
/* ------------------------------------------------------------------ */

/*
 * Runs a script line by line with `check` after each; counts the checks
 * and those that did not print ok.  A line that kills init ends the run:
 * the machine panics, as Linux's does (an injected failure in a page
 * fault kills the faulting process, docs/fault_injection.md).  Returns
 * what the script printed.
 */
struct script_run {
	unsigned long lines, checks, bad, panics, injected;
};

static char *run_script_checked(const char *text, struct script_run *r)
{
	char *obuf = NULL, *ebuf = NULL, line[4096], *out_text;
	size_t olen = 0, elen = 0, done;
	FILE *out = open_memstream(&obuf, &olen), *err = open_memstream(&ebuf, &elen);
	struct sim *s = sim_create(out, err);
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, "\n");

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		p += n + (p[n] == '\n');
		sim_run_line(s, line);
		r->lines++;
		if (sim_panicked(s)) {
			if (getenv("KMM_TEST_VERBOSE"))
				fprintf(stderr, "  init died at '%s'\n", line);
			r->panics++;
			break;
		}
		if (!strncmp(line, "boot", 4))
			continue;
		fflush(out);
		done = olen;
		sim_run_line(s, "check");
		fflush(out);
		r->checks++;
		if (strcmp(obuf + done, "ok\n")) {
			if (r->bad < 5)
				fprintf(stderr, "  after '%s': check printed %s", line, obuf + done);
			r->bad++;
		}
	}
	r->injected += kmm_fault_injected("fail_page_alloc") + kmm_fault_injected("failslab");
	sim_destroy(s);
	fclose(out);
	fclose(err);
	out_text = strdup(obuf);
	free(obuf);
	free(ebuf);
	return out_text;
}

/*
 * The knobs, as a script writes them: both capabilities at percent, every
 * allocation eligible, no notices.
 */
static void write_knobs(FILE *f, unsigned int percent)
{
	static const char *const caps[] = { "fail_page_alloc", "failslab" };

	for (int i = 0; i < 2; i++)
		fprintf(f, "echo %u > /sys/kernel/debug/%s/probability\n"
			   "echo -1 > /sys/kernel/debug/%s/times\n"
			   "echo N > /sys/kernel/debug/%s/ignore-gfp-wait\n"
			   "echo 0 > /sys/kernel/debug/%s/verbose\n",
			percent, caps[i], caps[i], caps[i], caps[i]);
	fputs("echo N > /sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem\n"
	      "echo 0 > /sys/kernel/debug/fail_page_alloc/min-order\n", f);
}

/*
 * A generated script whose spawn of pid 1 runs without injection (else
 * most scripts would end there), then everything with it: at 5% for most
 * seeds, 1% for every third, where more forks get through.  Odd seeds let
 * only forked processes touch memory, so that init, which may not die,
 * survives to the end.  The boot line also checks the boot options' way.
 */
static char *make_script(unsigned long seed)
{
	unsigned int flags = SCRIPT_GEN_FAULTS | (seed & 1 ? SCRIPT_GEN_CHILD_ACCESS_ONLY : 0);
	char *gen = NULL, *text = NULL, *spawn;
	size_t gen_size = 0, size = 0;
	FILE *f = open_memstream(&gen, &gen_size);

	script_gen_flags(f, seed, 300, NULL, flags);
	fclose(f);
	spawn = strstr(gen, "\nspawn\n");
	if (!spawn)
		abort();
	spawn += strlen("\nspawn\n");
	f = open_memstream(&text, &size);
	fprintf(f, "boot mem=128M cpus=2 quiet=1 seed=%lu fail_page_alloc=1,0,0,-1 "
		   "failslab=1,0,0,-1\n%.*s", seed, (int)(spawn - gen), gen);
	write_knobs(f, seed % 3 ? 5 : 1);
	fprintf(f, "%scat /proc/fault_inject\n", spawn);
	fclose(f);
	free(gen);
	return text;
}

TEST(random_injection_in_generated_scripts)
{
	unsigned long seeds = 100 * TEST_SCALE(), first = TEST_SEED();
	struct script_run r = { 0 };

	for (unsigned long seed = first; seed < first + seeds; seed++) {
		char *text = make_script(seed), *out;

		out = run_script_checked(text, &r);
		free(out);
		free(text);
	}
	printf("  %lu seeds, %lu lines, %lu checks, %lu failures injected, %lu ended by init's death\n",
	       seeds, r.lines, r.checks, r.injected, r.panics);
	ASSERT_EQ(r.bad, 0);
	ASSERT_TRUE(r.checks > seeds * 50);
	ASSERT_TRUE(r.injected > seeds * 5);
}

/*
 * Every allocation of every line fails in turn: for each line of a
 * generated script, and n = 1, 2, ..., a fresh machine runs the lines
 * before it, then `fail_nth n` and the line, then `check`, until the
 * line runs without reaching the countdown.
 */
struct lines {
	char **line;
	size_t n;
};

static void split_lines(char *text, struct lines *l)
{
	char *save = NULL, *w;

	l->n = 0;
	l->line = NULL;
	for (w = strtok_r(text, "\n", &save); w; w = strtok_r(NULL, "\n", &save)) {
		l->line = realloc(l->line, (l->n + 1) * sizeof(*l->line));
		l->line[l->n++] = w;
	}
}

/* Runs lines [0, upto) then line upto under fail_nth n; 0 if check says
 * ok (or init died), -1 if not; *left: what the line left of the count. */
static int run_with_nth(const char *boot_line, const struct lines *l, size_t upto, unsigned int n,
			unsigned int *left)
{
	char *obuf = NULL, *ebuf = NULL, cmd[32];
	size_t olen = 0, elen = 0, mark;
	FILE *out = open_memstream(&obuf, &olen), *err = open_memstream(&ebuf, &elen);
	struct sim *s = sim_create(out, err);
	int ret = 0;

	sim_run_line(s, boot_line);
	sim_run_line(s, "echo N > /sys/kernel/debug/fail_page_alloc/ignore-gfp-wait");
	sim_run_line(s, "echo N > /sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem");
	sim_run_line(s, "echo 0 > /sys/kernel/debug/fail_page_alloc/min-order");
	sim_run_line(s, "echo 0 > /sys/kernel/debug/fail_page_alloc/verbose");
	sim_run_line(s, "echo N > /sys/kernel/debug/failslab/ignore-gfp-wait");
	sim_run_line(s, "echo 0 > /sys/kernel/debug/failslab/verbose");
	for (size_t i = 0; i < upto && !sim_panicked(s); i++)
		sim_run_line(s, l->line[i]);
	snprintf(cmd, sizeof(cmd), "fail_nth %u", n);
	sim_run_line(s, cmd);
	sim_run_line(s, l->line[upto]);
	*left = 1;
	if (!sim_panicked(s)) {
		fflush(out);
		mark = olen;
		sim_run_line(s, "fail_nth");	/* prints what the line left */
		fflush(out);
		*left = (unsigned int)strtoul(obuf + mark, NULL, 10);
		mark = olen;
		sim_run_line(s, "check");
		fflush(out);
		if (strcmp(obuf + mark, "ok\n")) {
			fprintf(stderr, "  line %zu '%s', allocation %u failed: check printed %s",
				upto, l->line[upto], n, obuf + mark);
			ret = -1;
		}
	}
	sim_destroy(s);
	fclose(out);
	fclose(err);
	free(obuf);
	free(ebuf);
	return ret;
}

#define BOOT_LINE "boot mem=64M cpus=1 quiet=1"

/* Each line of l, each of its allocations failed in turn; the runs. */
static unsigned long fail_each_line(const char *boot_line, const struct lines *l,
				    unsigned long *bad)
{
	unsigned long points = 0;

	for (size_t i = 0; i < l->n; i++) {
		unsigned int n, left = 0;

		if (l->line[i][0] == '#')
			continue;
		for (n = 1; n < MAX_POINTS && !left; n++) {
			if (run_with_nth(boot_line, l, i, n, &left) && ++*bad > 5)
				return points;
			points++;
		}
	}
	return points;
}

TEST(fail_nth_every_line_of_generated_scripts)
{
	unsigned long seeds = 3 * TEST_SCALE(), first = TEST_SEED(), points = 0, bad = 0;

	for (unsigned long seed = first; seed < first + seeds; seed++) {
		char *text = NULL;
		size_t size = 0;
		FILE *f = open_memstream(&text, &size);
		struct lines l;

		script_gen_flags(f, seed, 40, NULL, SCRIPT_GEN_FAULTS);
		fclose(f);
		split_lines(text, &l);
		points += fail_each_line(BOOT_LINE, &l, &bad);
		free(l.line);
		free(text);
	}
	printf("  %lu seeds: %lu runs, each failing one allocation of one line\n", seeds, points);
	ASSERT_EQ(bad, 0);
}

/* The allocator commands the generator does not write, and processes. */
static const char allocator_script[] =
	"kmem_cache_create c 300 0 SLAB_RED_ZONE|SLAB_POISON\n"
	"kmem_cache_alloc c\n"
	"kmem_cache_alloc c GFP_ATOMIC\n"
	"kmalloc 100\n"
	"kmalloc 20000\n"
	"kmalloc 3000 GFP_ATOMIC\n"
	"vmalloc 1M\n"
	"vmalloc 4M\n"
	"alloc_pages 3\n"
	"alloc_pages 0 GFP_ATOMIC\n"
	"hotplug_add 128M\n"
	"kmem_cache_shrink c\n"
	"kmem_cache_destroy c\n"
	"spawn\n"
	"mmap 1 0x10000000 1M PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS\n"
	"touch 1 0x10000000 1M w\n"
	"mmap 1 0x20000000 64K PROT_READ|PROT_WRITE MAP_SHARED|MAP_ANONYMOUS\n"
	"touch 1 0x20000000 64K w\n"
	"mmap 1 0x30000000 16K PROT_READ MAP_PRIVATE /usr/bin/cat\n"
	"touch 1 0x30000000 16K r\n"
	"fork 1\n"
	"touch 2 0x10000000 1M w\n"
	"touch 2 0x20000000 64K r\n"
	"mremap 2 0x10000000 1M 2M MREMAP_MAYMOVE\n"
	"mprotect 1 0x10040000 64K PROT_READ\n"
	"munmap 1 0x10080000 64K\n"
	"mlock 1 0x10000000 256K\n"
	"madvise 1 0x100c0000 256K MADV_DONTNEED\n"
	"brk 1 0x555555580000\n"
	"spawn sh\n"
	"exit 2\n"
	"exit 3\n"
	"hotplug_add 128M\n";

TEST(fail_nth_every_line_of_an_allocator_script)
{
	char *text = strdup(allocator_script);
	unsigned long points, bad = 0;
	struct lines l;

	split_lines(text, &l);
	points = fail_each_line("boot mem=64M max_mem=512M cpus=1 quiet=1 aslr=off", &l, &bad);
	printf("  %lu runs, each failing one allocation of one line\n", points);
	free(l.line);
	free(text);
	ASSERT_EQ(bad, 0);
	ASSERT_TRUE(points > 200);
}

int main(void)
{
	RUN_TEST(fail_page_alloc_filters_as_linux);
	RUN_TEST(failslab_filters_as_linux);
	RUN_TEST(knobs_through_the_files_and_the_c_api);
	RUN_TEST(boot_options);
	RUN_TEST(fail_nth_kmem_cache_create);
	RUN_TEST(fail_nth_kmalloc);
	RUN_TEST(fail_nth_vmalloc);
	RUN_TEST(fail_nth_mempool_create);
	RUN_TEST(fail_nth_allocator_api);
	RUN_TEST(fail_nth_process_life);
	RUN_TEST(fail_nth_system_calls);
	RUN_TEST(fail_nth_execve_and_files);
	RUN_TEST(random_injection_in_generated_scripts);
	RUN_TEST(fail_nth_every_line_of_generated_scripts);
	RUN_TEST(fail_nth_every_line_of_an_allocator_script);
	return harness_summary();
}
