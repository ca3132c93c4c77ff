/*
 * tests/proc/test_sysctl.c - the /proc/sys/vm knobs (proc/sysctl.c):
 * what a write stores reads back as Linux prints it, a refused write
 * changes nothing, overcommit_ratio and overcommit_kbytes exclude each
 * other, and each knob changes what it governs: CommitLimit and mmap's
 * refusals (overcommit_*), the VMA limit (max_map_count), the watermarks
 * (min_free_kbytes, watermark_scale_factor).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "mm/internal.h"
#include "mm/mmap.h"
#include "tests/harness.h"

#define PG 4096ul
#define VM "/proc/sys/vm/"

static struct kmm *boot(unsigned long mem)
{
	struct kmm_config cfg = { .mem = mem, .cpus = 1, .quiet = 1 };

	return kmm_boot(&cfg);
}

/* The knob's value as cat prints it, without the newline; "" if none. */
static const char *knob(const char *name)
{
	static char buf[256];
	char path[128];
	long n;

	snprintf(path, sizeof(path), VM "%s", name);
	n = kmm_proc_read(path, buf, sizeof(buf));
	if (n <= 0 || buf[n - 1] != '\n' || memchr(buf, '\n', (size_t)n - 1))
		return "";		/* not one line */
	buf[n - 1] = 0;
	return buf;
}

static int set(const char *name, const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), VM "%s", name);
	return kmm_proc_write(path, value);
}

static unsigned long meminfo_kb(const char *label)
{
	static char buf[8192];
	unsigned long v = 0;
	const char *p;

	kmm_proc_read("/proc/meminfo", buf, sizeof(buf));
	p = strstr(buf, label);
	if (p)
		sscanf(p + strlen(label), " %lu", &v);
	return v;
}

TEST(round_trips)
{
	static const struct {
		const char *name;
		const char *write;
		const char *read;
	} cases[] = {
		{ "overcommit_memory", "2", "2" },
		{ "overcommit_memory", "1\n", "1" },	/* as echo sends it */
		{ "overcommit_memory", "0", "0" },
		{ "overcommit_ratio", "80", "80" },
		{ "overcommit_ratio", "0x10", "16" },
		{ "overcommit_ratio", "010", "8" },	/* octal, as Linux reads it */
		{ "overcommit_kbytes", "1048576", "1048576" },
		{ "user_reserve_kbytes", "4096", "4096" },
		{ "admin_reserve_kbytes", "  0 ", "0" },
		{ "max_map_count", "1000", "1000" },
		{ "min_free_kbytes", "4096", "4096" },
		{ "watermark_scale_factor", "3000", "3000" },
		{ "watermark_scale_factor", "1", "1" },
	};
	struct kmm *k = boot(64ul << 20);
	size_t i;

	ASSERT_NOT_NULL(k);
	/* Linux's defaults first. */
	ASSERT_STR_EQ(knob("overcommit_memory"), "0");
	ASSERT_STR_EQ(knob("overcommit_ratio"), "50");
	ASSERT_STR_EQ(knob("overcommit_kbytes"), "0");
	ASSERT_STR_EQ(knob("max_map_count"), "65530");
	ASSERT_STR_EQ(knob("watermark_scale_factor"), "10");
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (set(cases[i].name, cases[i].write))
			TEST_FAIL_("write '%s' to %s refused", cases[i].write, cases[i].name);
		ASSERT_STR_EQ(knob(cases[i].name), cases[i].read);
	}
	ASSERT_EQ(k->mem->sysctl_max_map_count, 1000);
	ASSERT_EQ(k->mem->min_free_kbytes, 4096);
	kmm_shutdown(k);
}

TEST(refused_writes_change_nothing)
{
	static const struct {
		const char *name;
		const char *write;
	} cases[] = {
		{ "overcommit_memory", "3" }, { "overcommit_memory", "-1" },
		{ "overcommit_memory", "" }, { "overcommit_memory", "abc" },
		{ "overcommit_memory", "1x" }, { "overcommit_memory", "+1" },
		{ "overcommit_memory", "1 2" }, { "overcommit_ratio", "-5" },
		{ "overcommit_ratio", "2147483648" }, { "overcommit_kbytes", "-1" },
		{ "overcommit_kbytes", "99999999999999999999999" },
		{ "user_reserve_kbytes", "1K" }, { "max_map_count", "-1" },
		{ "min_free_kbytes", "-4096" }, { "watermark_scale_factor", "0" },
		{ "watermark_scale_factor", "3001" },
	};
	struct kmm *k = boot(64ul << 20);
	char before[64];
	size_t i;

	ASSERT_NOT_NULL(k);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(before, sizeof(before), "%s", knob(cases[i].name));
		if (set(cases[i].name, cases[i].write) != -EINVAL)
			TEST_FAIL_("write '%s' to %s not refused", cases[i].write, cases[i].name);
		ASSERT_STR_EQ(knob(cases[i].name), before);
	}
	/* Not knobs: an unknown name, a view, a knob kept read-only. */
	ASSERT_EQ(set("no_such_knob", "1"), -ENOENT);
	ASSERT_EQ(kmm_proc_read(VM "no_such_knob", before, sizeof(before)), -ENOENT);
	ASSERT_EQ(kmm_proc_write("/proc/meminfo", "1"), -EACCES);
	ASSERT_EQ(set("lowmem_reserve_ratio", "1"), -EACCES);
	ASSERT_STR_EQ(knob("lowmem_reserve_ratio"), "256\t256\t32\t0\t0");
	kmm_shutdown(k);
}

TEST(paths_are_listed)
{
	const char *const *p = kmm_proc_paths();
	int found = 0;

	for (; *p; p++)
		found += !strcmp(*p, VM "overcommit_memory") || !strcmp(*p, VM "max_map_count") ||
			 !strcmp(*p, "/proc/meminfo");
	ASSERT_EQ(found, 3);
}

/* Writing one of ratio and kbytes zeroes the other, as in Linux. */
TEST(ratio_and_kbytes_exclude_each_other)
{
	struct kmm *k = boot(64ul << 20);
	unsigned long ram = 0;

	ASSERT_NOT_NULL(k);
	for (int i = 0; i < MAX_NR_ZONES; i++)
		ram += zone_managed_pages(&k->mem->node.node_zones[i]);
	ASSERT_EQ(set("overcommit_kbytes", "8192"), 0);
	ASSERT_STR_EQ(knob("overcommit_ratio"), "0");
	ASSERT_EQ(meminfo_kb("CommitLimit:"), 8192);
	ASSERT_EQ(set("overcommit_ratio", "25"), 0);
	ASSERT_STR_EQ(knob("overcommit_kbytes"), "0");
	ASSERT_EQ(meminfo_kb("CommitLimit:"), ram * 25 / 100 * 4);
	/* A refused write zeroes nothing. */
	ASSERT_EQ(set("overcommit_kbytes", "x"), -EINVAL);
	ASSERT_STR_EQ(knob("overcommit_ratio"), "25");
	kmm_shutdown(k);
}

/* overcommit_memory=2 makes CommitLimit a limit for mmap; 0 lifts it. */
TEST(overcommit_never_limits_mmap)
{
	struct kmm *k = boot(64ul << 20);
	struct mm_struct *mm;
	unsigned long limit_kb, half;
	long a;

	ASSERT_NOT_NULL(k);
	ASSERT_EQ(set("overcommit_kbytes", "16384"), 0);	/* 16M of 64M */
	limit_kb = meminfo_kb("CommitLimit:");
	ASSERT_EQ(limit_kb, 16384);
	mm = mm_alloc();
	/* Policy 0 (guess): twice the limit is fine. */
	a = do_mmap(mm, 0, 2 * limit_kb * 1024, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_TRUE(a > 0);
	ASSERT_EQ(do_munmap(mm, (unsigned long)a, 2 * limit_kb * 1024), 0);
	ASSERT_EQ(set("overcommit_memory", "2"), 0);
	ASSERT_EQ(k->mem->sysctl_overcommit_memory, OVERCOMMIT_NEVER);
	/* Policy 2: the limit (less the admin reserve) is refused ... */
	a = do_mmap(mm, 0, limit_kb * 1024, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_EQ(a, -ENOMEM);
	/* ... and with no reserves, all but the last page fits (the
	 * committed total must stay below the limit). */
	ASSERT_EQ(set("admin_reserve_kbytes", "0"), 0);
	ASSERT_EQ(set("user_reserve_kbytes", "0"), 0);
	half = limit_kb * 1024 / 2;
	a = do_mmap(mm, 0, half, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_TRUE(a > 0);
	ASSERT_EQ(meminfo_kb("Committed_AS:"), limit_kb / 2);
	a = do_mmap(mm, 0, half - PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_TRUE(a > 0);
	a = do_mmap(mm, 0, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_EQ(a, -ENOMEM);
	ASSERT_EQ(set("overcommit_memory", "0"), 0);
	a = do_mmap(mm, 0, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_TRUE(a > 0);
	mmput(mm);
	kmm_shutdown(k);
}

/*
 * Lowered max_map_count: as in Linux, mmap refuses once map_count is
 * above the limit, and a munmap that would split a VMA refuses once it is
 * at the limit.
 */
TEST(max_map_count_limits_vmas)
{
	struct kmm *k = boot(64ul << 20);
	struct mm_struct *mm;
	unsigned long base = 0x10000000ul;
	long a;
	int i;

	ASSERT_NOT_NULL(k);
	ASSERT_EQ(set("max_map_count", "10"), 0);
	mm = mm_alloc();
	/* One page every other page: no two VMAs merge. */
	for (i = 0; i <= 10; i++) {
		a = do_mmap(mm, base + 2 * i * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
		ASSERT_EQ(a, (long)(base + 2 * i * PG));
	}
	ASSERT_EQ(mm->map_count, 11);
	a = do_mmap(mm, base + 2 * i * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
	ASSERT_EQ(a, -ENOMEM);
	ASSERT_EQ(mm->map_count, 11);
	/* Room again after one goes; a split at the limit is refused. */
	ASSERT_EQ(do_munmap(mm, base, PG), 0);
	ASSERT_EQ(do_munmap(mm, base + 2 * PG, PG), 0);
	a = do_mmap(mm, base + 40 * PG, 3 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
	ASSERT_TRUE(a > 0);
	ASSERT_EQ(mm->map_count, 10);
	ASSERT_EQ(do_munmap(mm, base + 41 * PG, PG), -ENOMEM);
	ASSERT_EQ(mm->map_count, 10);
	/* Raised again: the same calls pass. */
	ASSERT_EQ(set("max_map_count", "65530"), 0);
	ASSERT_EQ(do_munmap(mm, base + 41 * PG, PG), 0);
	ASSERT_EQ(mm->map_count, 11);
	mmput(mm);
	kmm_shutdown(k);
}

/* min_free_kbytes and watermark_scale_factor move the watermarks. */
TEST(watermarks_follow)
{
	struct kmm *k = boot(256ul << 20);
	unsigned long min_sum = 0, gap;
	struct zone *dma32 = &k->mem->node.node_zones[ZONE_DMA32];
	int i;

	ASSERT_NOT_NULL(k);
	ASSERT_EQ(set("min_free_kbytes", "16384"), 0);
	for (i = 0; i < MAX_NR_ZONES; i++)
		if (i != ZONE_MOVABLE && populated_zone(&k->mem->node.node_zones[i]))
			min_sum += min_wmark_pages(&k->mem->node.node_zones[i]);
	/* Split by zone size, rounding down: within a page per zone. */
	ASSERT_LE(min_sum, 16384 / 4);
	ASSERT_LE(16384 / 4 - MAX_NR_ZONES, min_sum);
	ASSERT_EQ(k->mem->user_min_free_kbytes, 16384);
	/* The gap between min and low: a quarter of min, or the scale factor. */
	gap = low_wmark_pages(dma32) - min_wmark_pages(dma32);
	ASSERT_EQ(gap, min_wmark_pages(dma32) / 4);
	ASSERT_EQ(set("watermark_scale_factor", "1000"), 0);	/* 10% */
	gap = low_wmark_pages(dma32) - min_wmark_pages(dma32);
	ASSERT_EQ(gap, zone_managed_pages(dma32) / 10);
	ASSERT_STR_EQ(knob("min_free_kbytes"), "16384");
	kmm_shutdown(k);
}

int main(void)
{
	RUN_TEST(round_trips);
	RUN_TEST(refused_writes_change_nothing);
	RUN_TEST(paths_are_listed);
	RUN_TEST(ratio_and_kbytes_exclude_each_other);
	RUN_TEST(overcommit_never_limits_mmap);
	RUN_TEST(max_map_count_limits_vmas);
	RUN_TEST(watermarks_follow);
	return harness_summary();
}
