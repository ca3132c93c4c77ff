/*
 * tests/mm/test_memory_hotplug.c - memory hot-add (mm/memory_hotplug.c)
 * when its allocations fail: a hot-add either adds all its sections or
 * nothing.  (The hot-add itself, zones and watermarks, is tested in
 * tests/mm/test_page_alloc.c.)
 *
 * The direct map was built after the sections were onlined: when its
 * page tables could not be allocated, add_memory returned -ENOMEM with
 * the memory already in the buddy allocator, unmapped, and a retry added
 * a second range.
 */
#include <errno.h>
#include "mm/internal.h"
#include "tests/harness.h"
#include "tests/kmm_test.h"

static struct kmm *boot(void)
{
	struct kmm_config cfg = { .mem = 128ul << 20, .max_mem = 1ul << 30, .cpus = 1,
				  .quiet = 1 };
	struct kmm *k = kmm_boot(&cfg);

	capture_reports();
	kmm_fault_write("fail_page_alloc", "ignore-gfp-wait", 0);
	kmm_fault_write("fail_page_alloc", "min-order", 0);
	kmm_fault_write("fail_page_alloc", "verbose", 0);
	kmm_fault_write("failslab", "ignore-gfp-wait", 0);
	kmm_fault_write("failslab", "verbose", 0);
	return k;
}

/* Reading /proc/meminfo's line NAME, in kB. */
static unsigned long meminfo(const char *name)
{
	char buf[8192];
	const char *p;

	kmm_proc_read("/proc/meminfo", buf, sizeof(buf));
	p = strstr(buf, name);
	return p ? strtoul(p + strlen(name), NULL, 10) : ~0ul;
}

TEST(a_failed_hot_add_adds_nothing)
{
	struct kmm *k = boot();
	unsigned long total = totalram_pages(), tables = meminfo("PageTables:");
	unsigned long direct = meminfo("DirectMap2M:");
	unsigned int n, left = 0;

	ASSERT_NOT_NULL(k);
	for (n = 1; n < 1000 && !left; n++) {
		int err;

		kmm_fail_nth_write(n);
		err = add_memory(256ul << 20);
		left = kmm_fail_nth_read();
		kmm_fail_nth_write(0);
		ASSERT_EQ(kmm_check_invariants(k), 0);
		if (!err)
			break;
		ASSERT_EQ(err, -ENOMEM);
		ASSERT_EQ(totalram_pages(), total);
		ASSERT_EQ(meminfo("PageTables:"), tables);
		ASSERT_EQ(meminfo("DirectMap2M:"), direct);
		ASSERT_EQ(k->mem->hotplug_added, 0);
	}
	ASSERT_TRUE(n > 1);		/* one failure, at least, was injected */
	ASSERT_EQ(totalram_pages(), total + 65536 - 1024);
	ASSERT_EQ(meminfo("DirectMap2M:"), direct + (256 << 10));
	ASSERT_EQ(k->mem->hotplug_added, 256ul << 20);
	kmm_shutdown(k);
}

int main(void)
{
	RUN_TEST(a_failed_hot_add_adds_nothing);
	return harness_summary();
}
