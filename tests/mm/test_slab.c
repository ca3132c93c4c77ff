/*
 * tests/mm/test_slab.c - object caches: bootstrap, slab lists, colouring,
 * constructors, shrinking, debug flags, every kind of bad free, and
 * random traffic across many caches with the invariants checked.
 */
#include <stdint.h>
#include "mm/slab.h"
#include <kmm/vmalloc.h>
#include "tests/harness.h"
#include "tests/kmm_test.h"


static struct kmm *boot(unsigned long mem, unsigned int cpus, int slab_debug)
{
	struct kmm_config cfg = { .mem = mem, .cpus = cpus, .quiet = 1,
				  .slab_debug = slab_debug };
	struct kmm *k = kmm_boot(&cfg);

	capture_reports();
	return k;
}


/* Free pages once the slab caches (which hold off-slab descriptors in
 * kmalloc slabs) and the per-CPU lists have given back what they can. */
static unsigned long free_after_drain(void)
{
	kmm_slab_shrink_all(kmm_current());
	drain_all_pages(NULL);
	return nr_free_pages();
}

TEST(bootstrap_cache_cache)
{
	struct kmm *k = boot(64ul << 20, 1, 0);
	struct kmem_cache *root, *k64;

	ASSERT_NOT_NULL(k);
	root = kmem_cache_find("kmem_cache");
	k64 = kmem_cache_find("kmalloc-64");
	ASSERT_NOT_NULL(root);
	ASSERT_NOT_NULL(k64);
	ASSERT_NOT_NULL(kmem_cache_find("kmalloc-96"));
	ASSERT_NOT_NULL(kmem_cache_find("kmalloc-192"));
	ASSERT_NOT_NULL(kmem_cache_find("kmalloc-8k"));
	ASSERT_NOT_NULL(kmem_cache_find("dma-kmalloc-32"));
	/* Every descriptor but the root's is an object of the root cache. */
	ASSERT_TRUE(compound_head(virt_to_page(k64))->slab_cache == root);
	ASSERT_FALSE(virt_addr_valid(root));	/* the static boot descriptor */
	ASSERT_EQ(check_slab_invariants(root), 0);
	kmm_shutdown(k);
}

TEST(create_alloc_free_destroy)
{
	struct kmm *k = boot(64ul << 20, 1, 0);
	unsigned long before = free_after_drain();
	struct kmem_cache *c;
	void *objs[100];
	int i;

	ASSERT_NOT_NULL(k);
	c = kmem_cache_create("test", 100, 0, SLAB_HWCACHE_ALIGN, NULL);
	ASSERT_NOT_NULL(c);
	ASSERT_EQ(kmem_cache_size(c), 100);
	for (i = 0; i < 100; i++) {
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT_NOT_NULL(objs[i]);
		ASSERT_EQ((uintptr_t)objs[i] % 64, 0);	/* 100 > 32: a whole line */
		memset(objs[i], i, 100);
	}
	for (i = 0; i < 100; i++) {
		unsigned char *b = objs[i];

		ASSERT_EQ(b[0], i);
		ASSERT_EQ(b[99], i);
		kmem_cache_free(c, objs[i]);
	}
	ASSERT_EQ(check_slab_invariants(c), 0);
	ASSERT_EQ(kmem_cache_shrink(c), 0);	/* nothing left after shrink */
	kmem_cache_destroy(c);
	ASSERT_NULL(kmem_cache_find("test"));
	ASSERT_EQ(free_after_drain(), before);
	ASSERT_EQ(reports_seen, 0);
	kmm_shutdown(k);
}

static unsigned long ctor_calls;
static void count_ctor(void *obj)
{
	ctor_calls++;
	memset(obj, 0x42, 24);
}

TEST(ctor_runs_once_per_object)
{
	struct kmm *k = boot(64ul << 20, 1, 0);
	struct kmem_cache *c;
	struct kmem_cache_info info;
	void *o;
	int i;

	ASSERT_NOT_NULL(k);
	ctor_calls = 0;
	c = kmem_cache_create("ctor", 24, 0, 0, count_ctor);
	for (i = 0; i < 1000; i++) {
		o = kmem_cache_alloc(c, GFP_KERNEL);
		ASSERT_EQ(((unsigned char *)o)[5], 0x42);
		kmem_cache_free(c, o);
	}
	kmem_cache_get_info(c, &info);
	/* Constructed when carved from new slabs, never per allocation. */
	ASSERT_EQ(ctor_calls, info.num_objs);
	ASSERT_TRUE(ctor_calls < 1000);
	kmem_cache_shrink(c);
	kmem_cache_destroy(c);
	kmm_shutdown(k);
}

TEST(colour_offsets_advance_and_wrap)
{
	struct kmm *k = boot(64ul << 20, 1, 0);
	struct kmem_cache *c;
	struct slab *prev = NULL;
	void **objs;
	unsigned int i, slabs_seen = 0, n;
	unsigned long off0 = 0;

	ASSERT_NOT_NULL(k);
	/* 550-byte objects (552 with alignment): 29 per order-2 slab, the
	 * descriptor off the slab, and the leftover room for 5 colours. */
	c = kmem_cache_create("colour", 550, 8, 0, NULL);
	ASSERT_TRUE(c->flags & CFLGS_OFF_SLAB);
	ASSERT_EQ(c->num, 29);
	ASSERT_EQ(c->colour, 5);
	ASSERT_TRUE(c->colour > 1);
	n = c->num * (c->colour + 1);
	objs = calloc(n, sizeof(void *));
	for (i = 0; i < n; i++) {
		struct slab *sl;

		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
		sl = compound_head(virt_to_page(objs[i]))->slab;
		if (sl == prev)
			continue;
		/* Each new slab starts its objects one colour further on,
		 * wrapping after c->colour slabs. */
		if (!slabs_seen)
			off0 = sl->colouroff;
		ASSERT_EQ(sl->colouroff, off0 + (unsigned long)(slabs_seen % c->colour) * c->colour_off);
		slabs_seen++;
		prev = sl;
	}
	ASSERT_TRUE(slabs_seen > c->colour);
	for (i = 0; i < n; i++)
		kmem_cache_free(c, objs[i]);
	free(objs);
	ASSERT_EQ(check_slab_invariants(c), 0);
	kmem_cache_shrink(c);
	kmem_cache_destroy(c);
	kmm_shutdown(k);
}

TEST(slab_lists_full_partial_free)
{
	struct kmm *k = boot(64ul << 20, 1, 0);
	struct kmem_cache *c;
	struct kmem_cache_info info;
	void **objs;
	unsigned int i, n;

	ASSERT_NOT_NULL(k);
	c = kmem_cache_create("lists", 256, 0, 0, NULL);
	n = c->num * 4;
	objs = calloc(n, sizeof(void *));
	for (i = 0; i < n; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_get_info(c, &info);
	ASSERT_TRUE(info.num_slabs >= 4);
	ASSERT_EQ(info.active_objs, info.num_objs - c->node.free_objects);
	ASSERT_FALSE(list_empty(&c->node.slabs_full));
	for (i = 0; i < n; i++)
		kmem_cache_free(c, objs[i]);
	/* Back in slabs once the arrays drain: everything free. */
	kmem_cache_shrink(c);
	kmem_cache_get_info(c, &info);
	ASSERT_EQ(info.num_slabs, 0);
	ASSERT_EQ(info.active_objs, 0);
	free(objs);
	kmem_cache_destroy(c);
	kmm_shutdown(k);
}

TEST(random_traffic_many_caches)
{
	struct kmm *k = boot(128ul << 20, 2, 0);
	struct kmem_cache *caches[12];
	static struct { void *p; int c; unsigned char fill; } live[4000];
	unsigned long before = free_after_drain();
	int n = 0, i, step, steps = 20000 * (int)TEST_SCALE();
	char name[32];

	ASSERT_NOT_NULL(k);
	rnd_state = TEST_SEED() * 2654435761u + 7;
	for (i = 0; i < 12; i++) {
		static const unsigned int sizes[12] = { 8, 24, 64, 100, 192, 256, 500,
							1000, 2048, 3000, 5000, 20000 };

		snprintf(name, sizeof(name), "rand-%u", sizes[i]);
		caches[i] = kmem_cache_create(name, sizes[i], 0,
					      i & 1 ? SLAB_HWCACHE_ALIGN : 0, NULL);
		ASSERT_NOT_NULL(caches[i]);
	}
	for (step = 0; step < steps; step++) {
		if (n < 4000 && (n == 0 || rnd() % 100 < 55)) {
			int c = (int)(rnd() % 12);
			void *p = kmem_cache_alloc(caches[c], GFP_KERNEL);

			ASSERT_NOT_NULL(p);
			live[n].p = p;
			live[n].c = c;
			live[n].fill = (unsigned char)rnd();
			memset(p, live[n].fill, kmem_cache_size(caches[c]));
			n++;
		} else {
			int j = (int)(rnd() % (unsigned)n);
			unsigned char *b = live[j].p;
			unsigned int sz = kmem_cache_size(caches[live[j].c]);

			ASSERT_EQ(b[0], live[j].fill);
			ASSERT_EQ(b[sz - 1], live[j].fill);
			kmem_cache_free(caches[live[j].c], live[j].p);
			live[j] = live[--n];
		}
		if (step % 997 == 0)
			for (i = 0; i < 12; i++)
				ASSERT_EQ(check_slab_invariants(caches[i]), 0);
	}
	while (n > 0) {
		n--;
		kmem_cache_free(caches[live[n].c], live[n].p);
	}
	for (i = 0; i < 12; i++) {
		ASSERT_EQ(check_slab_invariants(caches[i]), 0);
		kmem_cache_destroy(caches[i]);
	}
	ASSERT_EQ(reports_seen, 0);
	ASSERT_EQ(check_buddy_invariants(), 0);
	/* kmalloc-64 may keep a few off-slab descriptors' slabs: shrink all. */
	kmm_slab_shrink_all(k);
	ASSERT_EQ(free_after_drain(), before);
	kmm_shutdown(k);
}

/* Misuse is reported with the cache's name and changes nothing. */
TEST(bad_frees_are_caught_cheaply)
{
	struct kmm *k = boot(64ul << 20, 1, 0);
	struct kmem_cache *a, *b;
	char stack_obj[64];
	void *x, *y;
	unsigned long r;

	ASSERT_NOT_NULL(k);
	a = kmem_cache_create("cache-a", 64, 0, 0, NULL);
	b = kmem_cache_create("cache-b", 64, 0, 0, NULL);
	x = kmem_cache_alloc(a, GFP_KERNEL);
	y = kmem_cache_alloc(a, GFP_KERNEL);
	kmem_cache_free(a, x);
	r = reports_seen;
	kmem_cache_free(a, x);				/* double free */
	ASSERT_CONTAINS(last_report, "BUG cache-a: double free");
	kmem_cache_free(a, (char *)y + 8);		/* middle of an object */
	ASSERT_CONTAINS(last_report, "pointer into the middle of an object");
	kmem_cache_free(b, y);				/* another cache's object */
	ASSERT_CONTAINS(last_report, "object of cache cache-a freed to the wrong cache");
	kmem_cache_free(a, stack_obj);			/* not RAM */
	ASSERT_CONTAINS(last_report, "not in RAM");
	kmem_cache_free(a, page_address(alloc_page(GFP_KERNEL)));	/* not a slab */
	ASSERT_CONTAINS(last_report, "not from any slab");
	kfree(stack_obj);
	ASSERT_CONTAINS(last_report, "is not a kmm pointer");
	ASSERT_EQ(reports_seen - r, 6);
	ASSERT_EQ(check_slab_invariants(a), 0);
	ASSERT_EQ(check_slab_invariants(b), 0);
	kmem_cache_free(a, y);				/* the right free still works */
	ASSERT_EQ(reports_seen - r, 6);
	kmm_shutdown(k);
}

/*
 * The free marker (mm/slab.h): a free object's first word.  Every way an
 * object can be free is caught (in an array, in the slab's chain, never
 * handed out), a live object whose first word happens to equal the
 * marker is freed without a report, and a write into a free object that
 * destroys the marker is what check_slab_invariants names.
 */
TEST(free_marker_catches_every_double_free_and_only_those)
{
	struct kmm *k = boot(64ul << 20, 1, 0);
	struct kmem_cache *c;
	unsigned long marker, r;
	void *x, *y, *objs[300];
	int i;

	ASSERT_NOT_NULL(k);
	c = kmem_cache_create("marker-test", 96, 0, 0, NULL);
	ASSERT_NOT_NULL(c);
	ASSERT_TRUE(marker_guard(c));		/* on-slab, no constructor */
	r = reports_seen;
	/* Freed into the per-CPU array, then again. */
	x = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_free(c, x);
	kmem_cache_free(c, x);
	ASSERT_CONTAINS(last_report, "BUG marker-test: double free");
	ASSERT_EQ(reports_seen - r, 1);
	/* Freed, flushed back into its slab's chain (shrink empties the
	 * arrays), then freed again. */
	x = kmem_cache_alloc(c, GFP_KERNEL);
	y = kmem_cache_alloc(c, GFP_KERNEL);	/* keeps the slab alive */
	kmem_cache_free(c, x);
	kmm_slab_shrink_all(k);
	kmem_cache_free(c, x);
	ASSERT_EQ(reports_seen - r, 2);
	ASSERT_CONTAINS(last_report, "double free, or free of an object never allocated");
	/* An object of the slab that was never handed out: the first of its
	 * free chain. */
	{
		struct slab *slabp = compound_head(virt_to_page(y))->slab;

		ASSERT_TRUE(slabp->free != BUFCTL_END);
		kmem_cache_free(c, index_to_obj(c, slabp, slabp->free));
		ASSERT_EQ(reports_seen - r, 3);
		ASSERT_CONTAINS(last_report, "double free, or free of an object never allocated");
	}
	for (i = 0; i < 300; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	/* A live object whose first word is the marker: freed, no report. */
	kmem_cache_free(c, objs[0]);
	marker = *(unsigned long *)objs[0];		/* the freed object's first word */
	x = kmem_cache_alloc(c, GFP_KERNEL);
	ASSERT_TRUE(x == objs[0]);			/* LIFO: the same object */
	ASSERT_EQ(*(unsigned long *)x, 0ul);		/* cleared when handed out */
	*(unsigned long *)x = marker;
	r = reports_seen;
	kmem_cache_free(c, x);
	ASSERT_EQ(reports_seen - r, 0);
	ASSERT_EQ(check_slab_invariants(c), 0);
	/* A slab map word that does not name its slab: the checker says so. */
	{
		struct slab *slabp = compound_head(virt_to_page(x))->slab;
		unsigned long pfn = page_to_pfn(slabp->page), saved = c->slab_map[pfn];

		c->slab_map[pfn] = saved ^ 8;
		ASSERT_EQ(check_slab_invariants(c), -1);
		ASSERT_CONTAINS(last_report, "slab map entry does not name the slab");
		c->slab_map[pfn] = saved;
		ASSERT_EQ(check_slab_invariants(c), 0);
	}
	/* A write into a free object: the checker names it. */
	*(unsigned long *)x = 0;
	ASSERT_EQ(check_slab_invariants(c), -1);
	ASSERT_CONTAINS(last_report, "without the free marker");
	*(unsigned long *)x = marker;
	ASSERT_EQ(check_slab_invariants(c), 0);
	for (i = 1; i < 300; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_free(c, y);
	ASSERT_EQ(check_slab_invariants(c), 0);
	kmem_cache_destroy(c);
	kmm_shutdown(k);
}

/* Caches whose free objects keep their contents use the bufctl marks. */
static void ctor_fill(void *obj)
{
	memset(obj, 0x5a, 64);
}

TEST(constructed_caches_keep_free_contents_and_catch_double_frees)
{
	struct kmm *k = boot(64ul << 20, 1, 0);
	struct kmem_cache *c;
	unsigned char *x;
	unsigned long r;

	ASSERT_NOT_NULL(k);
	c = kmem_cache_create("ctor-test", 64, 0, 0, ctor_fill);
	ASSERT_TRUE(c->flags & CFLGS_BUFCTL_GUARD);
	x = kmem_cache_alloc(c, GFP_KERNEL);
	ASSERT_EQ(x[0], 0x5a);
	kmem_cache_free(c, x);
	x = kmem_cache_alloc(c, GFP_KERNEL);		/* the same, still constructed */
	ASSERT_EQ(x[0], 0x5a);
	ASSERT_EQ(x[7], 0x5a);
	kmem_cache_free(c, x);
	r = reports_seen;
	kmem_cache_free(c, x);
	ASSERT_EQ(reports_seen - r, 1);
	ASSERT_CONTAINS(last_report, "BUG ctor-test: double free");
	ASSERT_EQ(check_slab_invariants(c), 0);
	kmem_cache_destroy(c);
	kmm_shutdown(k);
}

TEST(debug_flags_catch_overflow_and_use_after_free)
{
	struct kmm *k = boot(64ul << 20, 1, 0);
	struct kmem_cache *c;
	unsigned char *o;

	ASSERT_NOT_NULL(k);
	c = kmem_cache_create("dbg", 40, 0, SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER, NULL);
	o = kmem_cache_alloc(c, GFP_KERNEL);
	ASSERT_EQ(o[0], POISON_INUSE);			/* fresh objects read 0x5a */
	o[40] = 1;					/* one byte past the end */
	kmem_cache_free(c, o);
	ASSERT_CONTAINS(last_report, "BUG dbg (Not tainted): Right Redzone overwritten");
	ASSERT_CONTAINS(last_report, "Allocated in ");
	ASSERT_EQ(o[0], POISON_FREE);			/* freed objects read 0x6b */
	ASSERT_EQ(o[39], POISON_END);
	o[3] = 0;					/* use after free */
	o = kmem_cache_alloc(c, GFP_KERNEL);		/* LIFO: the same object */
	ASSERT_CONTAINS(last_report, "use after free: poison overwritten at offset 3");
	kmem_cache_free(c, o);
	ASSERT_EQ(check_slab_invariants(c), 0);
	kmm_shutdown(k);
}

/* Named and exported (the tests link with -rdynamic): the report's owner
 * track prints them as symbol+offset. */
__attribute__((noinline)) void *redzone_test_alloc(struct kmem_cache *c);
__attribute__((noinline)) void redzone_test_free(struct kmem_cache *c, void *o);

/* The empty asm after each call keeps it from being a tail call, which
 * would make the caller's caller the recorded one. */
__attribute__((noinline)) void *redzone_test_alloc(struct kmem_cache *c)
{
	void *o = kmem_cache_alloc(c, GFP_KERNEL);

	__asm__ volatile("" ::: "memory");
	return o;
}

__attribute__((noinline)) void redzone_test_free(struct kmem_cache *c, void *o)
{
	kmem_cache_free(c, o);
	__asm__ volatile("" ::: "memory");
}

/* A red zone hit is reported as SLUB does, every part of it there. */
TEST(redzone_report_in_slub_layout)
{
	struct kmm *k = boot(64ul << 20, 1, 1);		/* slab_debug=1 */
	struct kmem_cache *c;
	unsigned char *o;
	char want[256];

	ASSERT_NOT_NULL(k);
	c = kmem_cache_find("kmalloc-64");
	ASSERT_NOT_NULL(c);
	o = redzone_test_alloc(c);
	redzone_test_free(c, o);			/* a free site to show */
	ASSERT_TRUE(redzone_test_alloc(c) == o);	/* LIFO: the same object */
	ASSERT_EQ(reports_seen, 0);
	o[64] = 0x77;					/* the first byte past it */
	o[66] = 0x78;
	redzone_test_free(c, o);
	ASSERT_EQ(reports_seen, 1);
	ASSERT_CONTAINS(last_report, "=====\nBUG kmalloc-64 (Not tainted): Right Redzone overwritten\n-----");
	snprintf(want, sizeof(want), "%#lx-%#lx @offset=", kmm_kaddr(o + 64), kmm_kaddr(o + 66));
	ASSERT_CONTAINS(last_report, want);
	ASSERT_CONTAINS(last_report, ". First byte 0x77 instead of 0xc0 (object+64)\n");
	ASSERT_CONTAINS(last_report, "\nAllocated in redzone_test_alloc+0x");
	ASSERT_CONTAINS(last_report, "\nFreed in redzone_test_free+0x");
	ASSERT_CONTAINS(last_report, "\nFound at free by redzone_test_free+0x");
	snprintf(want, sizeof(want), "\nObject %#lx @offset=", kmm_kaddr(o));
	ASSERT_CONTAINS(last_report, want);
	/* The dump: the object (0x5a, as kmem_cache_alloc left it) and the
	 * overwritten red zone, 16 bytes a row with their characters. */
	snprintf(want, sizeof(want), "\nObject   %#lx: 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a 5a  ZZZZZZZZZZZZZZZZ\n",
		 kmm_kaddr(o));
	ASSERT_CONTAINS(last_report, want);
	snprintf(want, sizeof(want), "\nRedzone  %#lx: 77 88 78 63 c5 56 41 d8 ", kmm_kaddr(o + 64));
	ASSERT_CONTAINS(last_report, want);
	ASSERT_CONTAINS(last_report, "\nFIX kmalloc-64: Restoring Right Redzone ");

	/* Written before its start, found when the object is handed out
	 * again: the Left red zone, the free state it should have had. */
	o[-1] = 0;
	ASSERT_TRUE(redzone_test_alloc(c) == o);
	ASSERT_EQ(reports_seen, 2);
	ASSERT_CONTAINS(last_report, "BUG kmalloc-64 (Not tainted): Left Redzone overwritten");
	ASSERT_CONTAINS(last_report, "First byte 0 instead of 0x9 (object-1)");
	ASSERT_CONTAINS(last_report, "Found at allocation by redzone_test_alloc+0x");
	redzone_test_free(c, o);			/* restored: no more reports */
	ASSERT_EQ(reports_seen, 2);
	ASSERT_EQ(check_slab_invariants(c), 0);
	kmm_shutdown(k);
}

TEST(slab_debug_applies_to_every_cache)
{
	struct kmm *k = boot(64ul << 20, 1, 1);
	unsigned char *p;

	ASSERT_NOT_NULL(k);
	p = kmalloc(30, GFP_KERNEL);
	ASSERT_TRUE(kmem_cache_find("kmalloc-32")->flags & SLAB_RED_ZONE);
	p[32] = 0x77;					/* overflow into the red zone */
	kfree(p);
	ASSERT_CONTAINS(last_report, "BUG kmalloc-32 (Not tainted): Right Redzone overwritten");
	kmm_shutdown(k);
}

TEST(destroy_with_live_objects_reports_them)
{
	struct kmm *k = boot(64ul << 20, 1, 0);
	struct kmem_cache *c;
	void *o;

	ASSERT_NOT_NULL(k);
	c = kmem_cache_create("leaky", 128, 0, 0, NULL);
	o = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_destroy(c);
	ASSERT_CONTAINS(last_report, "kmem_cache_destroy leaky: Slab cache still has objects (1)");
	ASSERT_NOT_NULL(kmem_cache_find("leaky"));	/* kept: memory still in use */
	memset(o, 1, 128);				/* and the object still valid */
	kmem_cache_free(c, o);
	kmem_cache_destroy(c);
	ASSERT_NULL(kmem_cache_find("leaky"));
	kmm_shutdown(k);
}

TEST(bad_create_arguments)
{
	struct kmm *k = boot(64ul << 20, 1, 0);

	ASSERT_NOT_NULL(k);
	ASSERT_NULL(kmem_cache_create("zero", 0, 0, 0, NULL));
	ASSERT_NULL(kmem_cache_create("align", 64, 3, 0, NULL));
	ASSERT_NULL(kmem_cache_create(NULL, 64, 0, 0, NULL));
	ASSERT_NULL(kmem_cache_create("huge", 64u << 20, 0, 0, NULL));
	ASSERT_NULL(kmem_cache_create("a-name-of-thirty-two-characters!", 64, 0, 0, NULL));
	ASSERT_CONTAINS(last_report, "longer than 31 characters");
	ASSERT_EQ(reports_seen, 5);
	kmm_shutdown(k);
}

/* Only the flags kmem_cache_create knows; even SLAB_PANIC in ~0 is not
 * believed (the call returns NULL rather than abort). */
TEST(create_rejects_unknown_flags)
{
	struct kmm *k = boot(64ul << 20, 1, 0);
	struct kmem_cache *c;

	ASSERT_NOT_NULL(k);
	ASSERT_NULL(kmem_cache_create("all-bits", 64, 0, ~0u, NULL));
	ASSERT_CONTAINS(last_report, "kmem_cache_create(all-bits): flags 0xffffffff outside "
			"SLAB_FLAGS_PERMITTED");
	ASSERT_NULL(kmem_cache_find("all-bits"));
	ASSERT_NULL(kmem_cache_create("one-bit", 64, 0, SLAB_HWCACHE_ALIGN | 0x1u, NULL));
	ASSERT_CONTAINS(last_report, "unknown bits 0x1\n");
	ASSERT_NULL(kmem_cache_create("internal", 64, 0, CFLGS_OFF_SLAB, NULL));
	ASSERT_NULL(kmem_cache_create("permanent", 64, 0, CFLGS_PERMANENT, NULL));
	ASSERT_EQ(reports_seen, 4);
	c = kmem_cache_create("every-good-flag", 64, 0, SLAB_FLAGS_PERMITTED &
			      ~(SLAB_PANIC | SLAB_CACHE_DMA32), NULL);
	ASSERT_NOT_NULL(c);
	ASSERT_EQ(reports_seen, 4);
	kmem_cache_free(c, kmem_cache_alloc(c, GFP_KERNEL));
	ASSERT_EQ(check_slab_invariants(c), 0);
	kmem_cache_destroy(c);
	ASSERT_EQ(reports_seen, 4);
	kmm_shutdown(k);
}

/* Every line of /proc/slabinfo after the header: 16 blank-separated words. */
static int slabinfo_columns_ok(const char *buf, int *lines)
{
	const char *p = strchr(buf, '\n');

	*lines = 0;
	if (!p || !(p = strchr(p + 1, '\n')))
		return 0;
	for (p++; *p; (*lines)++) {
		const char *nl = strchr(p, '\n');
		int words = 0, in_word = 0;

		if (!nl)
			return 0;
		for (; p < nl; p++) {
			unsigned char c = (unsigned char)*p;

			if (c < ' ' || c >= 0x7f)
				return 0;	/* a control character in the file */
			if (c != ' ' && !in_word)
				words++;
			in_word = c != ' ';
		}
		if (words != 16)
			return 0;
		p = nl + 1;
	}
	return 1;
}

/* A name that would break slabinfo's columns is refused, reported escaped. */
TEST(cache_names_keep_slabinfo_parseable)
{
	static const char *const bad[] = {
		"two words", "tab\there", "newline\n", "esc\x1b[31mred", "bell\a",
		" lead", "trail ", "del\x7f", "caf\xc3\xa9",
	};
	struct kmm *k = boot(64ul << 20, 1, 0);
	char buf[1 << 16];
	int lines, before;
	size_t i;

	ASSERT_NOT_NULL(k);
	kmm_proc_read("/proc/slabinfo", buf, sizeof(buf));
	ASSERT_TRUE(slabinfo_columns_ok(buf, &before));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (kmem_cache_create(bad[i], 64, 0, 0, NULL))
			TEST_FAIL_("cache name '%s' was accepted", bad[i]);
		ASSERT_CONTAINS(last_report, "printable ASCII without blanks");
		ASSERT_EQ(strchr(last_report, '\x1b'), NULL);	/* shown escaped */
	}
	ASSERT_CONTAINS(last_report, "kmem_cache_create(caf\\xc3\\xa9)");
	ASSERT_EQ(reports_seen, (int)ARRAY_SIZE(bad));
	/* Names as Linux's own look: letters, digits and punctuation. */
	ASSERT_NOT_NULL(kmem_cache_create("ext4_inode_cache", 64, 0, 0, NULL));
	ASSERT_NOT_NULL(kmem_cache_create("fuse_request:v2(x)", 64, 0, 0, NULL));
	kmm_proc_read("/proc/slabinfo", buf, sizeof(buf));
	ASSERT_TRUE(slabinfo_columns_ok(buf, &lines));
	ASSERT_EQ(lines, before + 2);
	kmm_shutdown(k);
}

TEST(bulk_alloc_and_free)
{
	struct kmm *k = boot(64ul << 20, 1, 0);
	struct kmem_cache *c;
	void *p[300];

	ASSERT_NOT_NULL(k);
	c = kmem_cache_create("bulk", 48, 0, 0, NULL);
	ASSERT_EQ(kmem_cache_alloc_bulk(c, GFP_KERNEL, 300, p), 300);
	ASSERT_TRUE(p[0] != p[299]);
	kmem_cache_free_bulk(c, 300, p);
	ASSERT_EQ(check_slab_invariants(c), 0);
	ASSERT_EQ(reports_seen, 0);
	/* Every object distinct, handed out once; a bad one inside a bulk
	 * free is reported and the rest still go back. */
	ASSERT_EQ(kmem_cache_alloc_bulk(c, GFP_KERNEL, 300, p), 300);
	{
		int i, j;

		for (i = 0; i < 300; i++)
			for (j = i + 1; j < 300; j++)
				if (p[i] == p[j])
					TEST_FAIL_("bulk gave object %p twice", p[i]);
	}
	p[150] = p[149];				/* a double free inside the bulk */
	kmem_cache_free_bulk(c, 300, p);
	ASSERT_EQ(reports_seen, 1);
	ASSERT_CONTAINS(last_report, "double free");
	ASSERT_EQ(check_slab_invariants(c), 0);
	kmm_shutdown(k);
}

TEST(slabinfo_and_meminfo)
{
	struct kmm *k = boot(64ul << 20, 1, 0);
	struct kmem_cache *c;
	char buf[1 << 16];
	void *o;

	ASSERT_NOT_NULL(k);
	c = kmem_cache_create("session", 192, 0, SLAB_RECLAIM_ACCOUNT, NULL);
	o = kmem_cache_alloc(c, GFP_KERNEL);
	kmm_proc_read("/proc/slabinfo", buf, sizeof(buf));
	ASSERT_EQ(strncmp(buf, "slabinfo - version: 2.1\n# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n", 200), 0);
	/* Newest first; the refill batch (16) counts as active, as in Linux. */
	{
		char want[256];

		snprintf(want, sizeof(want),
			 "\nsession               16 %6u    192 %4u    4 : tunables  120   60    0 : slabdata      1      1      0\n",
			 c->num, c->num);
		/* Off-slab descriptor: 85 objects in 4 pages, 1.9% overhead
		 * with the descriptor's kmalloc-256 object. */
		ASSERT_EQ(c->gfporder, 2);
		ASSERT_EQ(c->num, 85);
		{
			struct kmem_cache_info info;

			ASSERT_EQ(kmem_cache_get_info(c, &info), 0);
			ASSERT_EQ(info.mgmt_bytes, 256ul);	/* one slab's kmalloc-256 */
		}
		ASSERT_CONTAINS(buf, want);
	}
	kmm_proc_read("/proc/meminfo", buf, sizeof(buf));
	ASSERT_CONTAINS(buf, "\nSReclaimable:         16 kB\n");
	kmem_cache_free(c, o);
	kmm_shutdown(k);
}

/*
 * Every frame allocated at order 0, then every even frame freed: half of
 * RAM is free and not one order-1 block.  Returns the frames still held.
 */
static struct page **fragment_order0(unsigned long *n)
{
	struct page **held = NULL, *p;
	unsigned long cap = 0, i, kept = 0;

	*n = 0;
	while ((p = alloc_page(GFP_KERNEL | __GFP_MEMALLOC | __GFP_NOWARN))) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8192;
			held = realloc(held, cap * sizeof(*held));
		}
		held[(*n)++] = p;
	}
	/* Reclaim at the end of that loop may have freed a few slabs: take
	 * their blocks too, a page at a time. */
	while ((p = alloc_pages(GFP_NOWAIT | __GFP_MEMALLOC, 1))) {
		if (*n + 2 > cap) {
			cap = cap ? cap * 2 : 8192;
			held = realloc(held, cap * sizeof(*held));
		}
		split_page(p, 1);
		held[(*n)++] = p;
		held[(*n)++] = p + 1;
	}
	for (i = 0; i < *n; i++) {
		if (!(page_to_pfn(held[i]) & 1))
			__free_page(held[i]);
		else
			held[kept++] = held[i];
	}
	*n = kept;
	drain_all_pages(NULL);
	return held;
}

/* Allocates 3 slabs' worth of kmalloc(size); the cache must have made
 * slabs of its minimum order, and every object must go back cleanly. */
static void kmalloc_from_min_order(size_t size, const char *name)
{
	struct kmem_cache *s = kmem_cache_find(name);
	unsigned int i, n = 0, small = 0;
	struct kmem_cache_info info;
	void *objs[256];

	ASSERT_NOT_NULL(s);
	ASSERT_TRUE(s->gfporder > 0);
	ASSERT_EQ(s->min_order, 0);
	n = 3 * s->num;
	ASSERT_TRUE(n <= 256);
	for (i = 0; i < n; i++) {
		objs[i] = kmalloc(size, GFP_KERNEL);
		ASSERT_NOT_NULL(objs[i]);
		memset(objs[i], (int)i, size);
		small += compound_order(compound_head(virt_to_page(objs[i]))) == 0;
	}
	ASSERT_TRUE(small > 0);
	kmem_cache_get_info(s, &info);
	ASSERT_TRUE(info.order_fallback > 0);
	/* Counted at their own size: fewer objects and pages than
	 * num_slabs x the preferred slab. */
	ASSERT_TRUE(info.num_objs < info.num_slabs * info.objperslab);
	ASSERT_TRUE(info.pages < info.num_slabs * info.pagesperslab);
	ASSERT_EQ(check_slab_invariants(s), 0);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(((unsigned char *)objs[i])[size - 1], (unsigned char)i);
		kfree(objs[i]);
	}
	ASSERT_EQ(check_slab_invariants(s), 0);
	kmem_cache_shrink(s);
	ASSERT_EQ(check_slab_invariants(s), 0);
	kmem_cache_get_info(s, &info);
	ASSERT_EQ(info.pages, info.num_slabs << s->gfporder);	/* none left over */
}

/* The slab never needs an order-1 block: it falls back to order 0. */
TEST(slabs_fall_back_to_min_order_without_order1_blocks)
{
	struct kmm *k = boot(256ul << 20, 1, 0);
	unsigned long n, meminfo_slab;
	struct page **held;
	char buf[1 << 16], *line;
	void *v;

	ASSERT_NOT_NULL(k);
	kmm_slab_shrink_all(k);		/* no free slab to hide the test */
	held = fragment_order0(&n);
	ASSERT_NULL(alloc_pages(GFP_NOWAIT, 1));
	reports_seen = 0;
	kmalloc_from_min_order(192, "kmalloc-192");
	ASSERT_EQ(reports_seen, 0);	/* the preferred order fails quietly */
	v = vmalloc(64ul << 20);
	ASSERT_NOT_NULL(v);
	memset(v, 0x5c, 64ul << 20);
	vfree(v);
	ASSERT_EQ(reports_seen, 0);
	/* Slab in /proc/meminfo counts each slab's own pages. */
	kmm_proc_read("/proc/meminfo", buf, sizeof(buf));
	line = strstr(buf, "\nSlab:");
	ASSERT_NOT_NULL(line);
	meminfo_slab = strtoul(line + 6, NULL, 10);
	{
		struct kmem_cache *s = kmem_cache_find("kmalloc-256");
		struct kmem_cache_info info;

		kmem_cache_get_info(s, &info);
		ASSERT_TRUE(meminfo_slab >= info.pages * 4);
	}
	while (n)
		__free_page(held[--n]);
	free(held);
	ASSERT_EQ(check_buddy_invariants(), 0);
	kmm_shutdown(k);
}

/*
 * A boot that fails in the slab allocator or in vmalloc names the cause
 * and takes down what it set up (under LeakSanitizer, the boot cache
 * descriptor leaked).  Values around the limit stop the boot at every
 * step: kmalloc caches, the cache of vmap_areas, the first vmap_area.
 */
TEST(failed_boot_names_its_cause_and_leaks_nothing)
{
	struct kmm_config cfg = { .mem = 64ul << 20, .cpus = 1, .quiet = 1,
				  .min_free_kbytes = 65536 };
	unsigned long failed = 0;
	int v;

	capture_reports();
	ASSERT_NULL(kmm_boot(&cfg));
	ASSERT_NULL(kmm_current());
	ASSERT_CONTAINS(last_report, "kmm_boot: cannot set up the slab allocator: "
			"min_free_kbytes=65536 is larger than what memory allows: mem=64M");
	for (v = 62100; v <= 62400; v += 10) {
		struct kmm *k;

		cfg.min_free_kbytes = v;
		k = kmm_boot(&cfg);
		if (!k) {
			failed++;
			ASSERT_CONTAINS(last_report, "is larger than what memory allows");
			ASSERT_NULL(kmm_current());
		}
		kmm_shutdown(k);
	}
	ASSERT_TRUE(failed > 0);
	ASSERT_TRUE(failed < 31);
}

/* A destroyed cache's handle is reported by every entry point, not used. */
TEST(stale_cache_handles_are_reported)
{
	struct kmm *k = boot(64ul << 20, 1, 0);
	struct kmem_cache *c, *d, *many[SLAB_DEAD_CACHES + 4];
	unsigned long r;
	void *o, *fake;
	int i;

	ASSERT_NOT_NULL(k);
	c = kmem_cache_create("stale", 64, 0, 0, NULL);
	o = kmem_cache_alloc(c, GFP_KERNEL);
	kmem_cache_free(c, o);
	kmem_cache_destroy(c);
	ASSERT_EQ(reports_seen, 0);
	ASSERT_NULL(kmem_cache_alloc(c, GFP_KERNEL));
	ASSERT_CONTAINS(last_report, "BUG: kmem_cache_alloc: stale or invalid cache handle 0xffff888");
	ASSERT_CONTAINS(last_report, "(the cache was destroyed)");
	ASSERT_NULL(kmem_cache_zalloc(c, GFP_KERNEL));
	ASSERT_CONTAINS(last_report, "kmem_cache_zalloc: stale");
	kmem_cache_destroy(c);
	ASSERT_CONTAINS(last_report, "BUG: kmem_cache_destroy: stale or invalid cache handle");
	kmem_cache_free(c, o);
	ASSERT_CONTAINS(last_report, "kmem_cache_free: stale");
	ASSERT_EQ(kmem_cache_shrink(c), 0);
	ASSERT_EQ(kmem_cache_size(c), 0);
	ASSERT_NULL(kmem_cache_name(c));
	ASSERT_EQ(kmem_cache_alloc_bulk(c, GFP_KERNEL, 1, &o), 0);
	ASSERT_EQ(reports_seen, 8);
	/* The next cache does not get the same descriptor at once. */
	d = kmem_cache_create("fresh", 64, 0, 0, NULL);
	ASSERT_TRUE(d != c);
	ASSERT_NULL(kmem_cache_alloc(c, GFP_KERNEL));
	ASSERT_EQ(reports_seen, 9);
	/* Past the quarantine, descriptors go back to cache_cache. */
	for (i = 0; i < (int)(sizeof(many) / sizeof(many[0])); i++)
		many[i] = kmem_cache_create("churn", 32, 0, 0, NULL);
	for (i = 0; i < (int)(sizeof(many) / sizeof(many[0])); i++)
		kmem_cache_destroy(many[i]);
	ASSERT_EQ(k->mem->slab->nr_dead_caches, SLAB_DEAD_CACHES);
	ASSERT_EQ(check_slab_invariants(k->mem->slab->kmem_cache), 0);
	/* Never a cache at all, and NULL. */
	fake = kzalloc(512, GFP_KERNEL);
	r = reports_seen;
	ASSERT_NULL(kmem_cache_alloc(fake, GFP_KERNEL));
	ASSERT_CONTAINS(last_report, "(not a cache)");
	ASSERT_NULL(kmem_cache_alloc(NULL, GFP_KERNEL));
	ASSERT_CONTAINS(last_report, "stale or invalid cache handle 0 (NULL)");
	ASSERT_EQ(reports_seen - r, 2);
	kfree(fake);
	o = kmem_cache_alloc(d, GFP_KERNEL);	/* the live cache still works */
	ASSERT_NOT_NULL(o);
	kmem_cache_free(d, o);
	kmem_cache_destroy(d);
	ASSERT_EQ(reports_seen - r, 2);
	kmm_shutdown(k);
}

/* Direct reclaim asks the shrinkers: free slabs go back when memory runs out. */
TEST(reclaim_shrinks_free_slabs)
{
	struct kmm *k = boot(64ul << 20, 1, 0);
	struct kmem_cache *c;
	struct kmem_cache_info info;
	void *objs[2000];
	struct page **hog = NULL;
	size_t n = 0, cap = 0;
	int i;

	ASSERT_NOT_NULL(k);
	c = kmem_cache_create("reclaimable", 1024, 0, SLAB_RECLAIM_ACCOUNT, NULL);
	for (i = 0; i < 2000; i++)
		objs[i] = kmem_cache_alloc(c, GFP_KERNEL);
	for (i = 0; i < 2000; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_get_info(c, &info);
	ASSERT_TRUE(c->node.free_slabs > 0);	/* kept for reuse, below free_limit */
	for (;;) {
		struct page *p = alloc_page(GFP_KERNEL | __GFP_NOWARN);

		if (!p)
			break;
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			hog = realloc(hog, cap * sizeof(*hog));
		}
		hog[n++] = p;
	}
	/* Before failing, the allocator took the free slabs back. */
	ASSERT_EQ(c->node.free_slabs, 0);
	while (n)
		__free_pages(hog[--n], 0);
	free(hog);
	ASSERT_EQ(check_slab_invariants(c), 0);
	ASSERT_EQ(check_buddy_invariants(), 0);
	kmm_shutdown(k);
}

int main(void)
{
	RUN_TEST(bootstrap_cache_cache);
	RUN_TEST(create_alloc_free_destroy);
	RUN_TEST(ctor_runs_once_per_object);
	RUN_TEST(colour_offsets_advance_and_wrap);
	RUN_TEST(slab_lists_full_partial_free);
	RUN_TEST(random_traffic_many_caches);
	RUN_TEST(bad_frees_are_caught_cheaply);
	RUN_TEST(free_marker_catches_every_double_free_and_only_those);
	RUN_TEST(constructed_caches_keep_free_contents_and_catch_double_frees);
	RUN_TEST(debug_flags_catch_overflow_and_use_after_free);
	RUN_TEST(slab_debug_applies_to_every_cache);
	RUN_TEST(redzone_report_in_slub_layout);
	RUN_TEST(destroy_with_live_objects_reports_them);
	RUN_TEST(bad_create_arguments);
	RUN_TEST(create_rejects_unknown_flags);
	RUN_TEST(cache_names_keep_slabinfo_parseable);
	RUN_TEST(bulk_alloc_and_free);
	RUN_TEST(slabinfo_and_meminfo);
	RUN_TEST(reclaim_shrinks_free_slabs);
	RUN_TEST(slabs_fall_back_to_min_order_without_order1_blocks);
	RUN_TEST(failed_boot_names_its_cause_and_leaks_nothing);
	RUN_TEST(stale_cache_handles_are_reported);
	return harness_summary();
}
