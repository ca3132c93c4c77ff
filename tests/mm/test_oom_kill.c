/*
 * tests/mm/test_oom_kill.c - the OOM killer (mm/oom_kill.c), its place in
 * the page allocator's slow path and its /proc files.
 *
 *   - oom_badness and /proc/PID/oom_score on hand-made counters: RSS of
 *     each type, swap entries and page-table pages, oom_score_adj scaled
 *     by totalpages/1000 (divided first), LONG_MIN for the unkillable;
 *   - the choice: the biggest process, never oom_score_adj -1000 nor
 *     init; vm.oom_kill_allocating_task; vm.panic_on_oom 1 and 2; no
 *     killable process left is Linux's panic;
 *   - the kill: SIGKILL pending, the reaper's pages back at once for a
 *     victim that is not running, the current task's kept until it dies
 *     and reaped by the next OOM otherwise, oom_kill counted, the log
 *     lines in Linux 6.x's format;
 *   - what does not kill: GFP_NOFS, __GFP_NORETRY, __GFP_RETRY_MAYFAIL,
 *     costly orders, the DMA zones, a machine without processes;
 *   - a process faulting in more than the machine has, through the
 *     script: it (or a bigger one) is killed, MemFree comes back;
 *   - oom_score_adj and oom_adj writes: the range, kstrtoint's notation,
 *     bad input refused with the value unchanged.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/oom.h>
#include <kmm/sched.h>
#include "mm/internal.h"
#include "mm/memory.h"
#include "proc/internal.h"
#include "arch/x86/mm/fault.h"
#include "sim/script.h"
#include "tests/harness.h"
#include "tests/kmm_test.h"

#define PG	4096ul
#define BASE	0x10000000ul

static char log_buf[LOG_BUF_LEN + 1];

static struct kmm *boot(unsigned long mem)
{
	struct kmm_config cfg = { .mem = mem, .cpus = 1, .quiet = 1, .norandmaps = 1 };
	struct kmm *k = kmm_boot(&cfg);

	capture_reports();
	return k;
}

/* The kernel log since the last call (dmesg -c). */
static const char *take_log(struct kmm *k)
{
	size_t n = printk_log_read(k, log_buf, LOG_BUF_LEN, true);

	log_buf[n] = 0;
	return log_buf;
}

/* A process with pages of anonymous memory written (0: as exec left it). */
static struct task_struct *spawn_with(const char *name, unsigned long pages)
{
	struct kmm_siginfo si;
	struct task_struct *t;
	unsigned long a;
	phys_addr_t phys;
	int err;

	t = kernel_spawn(name, &err);
	if (!t || !pages)
		return t;
	if (do_mmap(t->mm, BASE, pages * PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED) != (long)BASE)
		return NULL;
	for (a = BASE; a < BASE + pages * PG; a += PG)
		if (user_access(t, a, PF_WRITE, &phys, &si))
			return NULL;
	return t;
}

/* An out_of_memory of the machine's own (no current task). */
static bool oom(struct kmm *k, gfp_t gfp, int order)
{
	struct oom_control oc = { .kmm = k, .gfp_mask = gfp, .order = order };

	return out_of_memory(&oc);
}

static int count_killed(struct kmm *k)
{
	return deliver_fatal_signals(k, NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* The heuristic                                                        */
/* ------------------------------------------------------------------ */

/* A task that exists only for oom_badness: the counters, the adj. */
struct fake {
	struct task_struct t;
	struct mm_struct mm;
};

static struct task_struct *fake_task(struct fake *f, int pid, unsigned long anon,
				     unsigned long file, unsigned long shmem,
				     unsigned long swap, unsigned long pt_pages, int adj)
{
	memset(f, 0, sizeof(*f));
	f->t.pid = pid;
	f->t.mm = &f->mm;
	f->t.oom_score_adj = adj;
	f->mm.rss_stat[MM_ANONPAGES] = anon;
	f->mm.rss_stat[MM_FILEPAGES] = file;
	f->mm.rss_stat[MM_SHMEMPAGES] = shmem;
	f->mm.rss_stat[MM_SWAPENTS] = swap;
	f->mm.pgtables_bytes = pt_pages * PG;
	return &f->t;
}

TEST(badness_is_rss_swap_pagetables_plus_scaled_adj)
{
	struct fake f;

	/* 1000 + 200 + 50 resident, 7 swapped, 3 table pages. */
	ASSERT_EQ(oom_badness(fake_task(&f, 5, 1000, 200, 50, 7, 3, 0), 123456), 1260);
	/* adj in thousandths of totalpages, the division first: 123456/1000 = 123. */
	ASSERT_EQ(oom_badness(fake_task(&f, 5, 1000, 200, 50, 7, 3, 500), 123456), 1260 + 500 * 123);
	ASSERT_EQ(oom_badness(fake_task(&f, 5, 1000, 200, 50, 7, 3, -999), 123456), 1260 - 999 * 123);
	ASSERT_EQ(oom_badness(fake_task(&f, 5, 1000, 0, 0, 0, 0, 1000), 999), 1000);	/* 999/1000 = 0 */
	/* A partial table page does not count. */
	f.mm.pgtables_bytes = PG + 100;
	f.t.oom_score_adj = 0;
	ASSERT_EQ(oom_badness(&f.t, 123456), 1001);
	/* The unkillable. */
	ASSERT_EQ(oom_badness(fake_task(&f, 5, 1000, 0, 0, 0, 0, OOM_SCORE_ADJ_MIN), 123456), LONG_MIN);
	ASSERT_EQ(oom_badness(fake_task(&f, 1, 1000, 0, 0, 0, 0, 0), 123456), LONG_MIN);
	fake_task(&f, 5, 1000, 0, 0, 0, 0, 0);
	f.mm.flags |= MMF_OOM_SKIP;
	ASSERT_EQ(oom_badness(&f.t, 123456), LONG_MIN);
	f.t.mm = NULL;
	ASSERT_EQ(oom_badness(&f.t, 123456), LONG_MIN);
}

TEST(oom_score_scales_badness_into_0_2000)
{
	ASSERT_EQ(proc_oom_score_points(LONG_MIN, 123456), 0);
	ASSERT_EQ(proc_oom_score_points(0, 123456), 666);
	ASSERT_EQ(proc_oom_score_points(1260, 123456), (1000 + 10) * 2 / 3);
	/* An idle task with adj 1000: 1330 here, 1332 on a host with more RAM. */
	ASSERT_EQ(proc_oom_score_points(1000 * 123 + 10, 123456), 1330);
	ASSERT_EQ(proc_oom_score_points(1000 * (16000500 / 1000) + 4, 16000500), 1332);
	ASSERT_EQ(proc_oom_score_points(1260 - 999 * 123, 123456), (1000 - 985) * 2 / 3);
	ASSERT_EQ(proc_oom_score_points(123456, 123456), 1333);
	ASSERT_EQ(proc_oom_score_points(3 * 123456l, 123456), 2666);
}

/* ------------------------------------------------------------------ */
/* The choice and the kill                                              */
/* ------------------------------------------------------------------ */

TEST(the_biggest_is_killed_and_reaped_at_once)
{
	struct kmm *k = boot(64ul << 20);
	struct task_struct *init, *a, *b, *c;
	unsigned long free_before;
	const char *log;
	char line[256];

	ASSERT_NOT_NULL(k);
	init = spawn_with("init", 3000);	/* the biggest, but never a candidate */
	a = spawn_with("small", 100);
	b = spawn_with("big", 2000);
	c = spawn_with("middle", 1000);
	ASSERT_TRUE(init && a && b && c);
	take_log(k);
	__drain_all_pages(k, NULL);
	free_before = __global_zone_page_state(k, NR_FREE_PAGES);
	ASSERT_TRUE(oom(k, GFP_KERNEL, 0));
	ASSERT_TRUE(fatal_signal_pending(b));
	ASSERT_TRUE(tsk_is_oom_victim(b));
	ASSERT_FALSE(fatal_signal_pending(a) || fatal_signal_pending(c) || fatal_signal_pending(init));
	/* Not running: the reaper took its anonymous pages already. */
	ASSERT_EQ(get_mm_counter(b->mm, MM_ANONPAGES), 0);
	ASSERT_TRUE(b->mm->flags & MMF_OOM_SKIP);
	__drain_all_pages(k, NULL);
	ASSERT_LE(free_before + 2000, __global_zone_page_state(k, NR_FREE_PAGES));
	ASSERT_EQ(sum_vm_event(k, OOM_KILL), 1);
	log = take_log(k);
	ASSERT_CONTAINS(log, "kmm invoked oom-killer: gfp_mask=");
	ASSERT_CONTAINS(log, "(GFP_KERNEL), order=0, oom_score_adj=0\n");
	ASSERT_CONTAINS(log, "\nMem-Info:\nactive_anon:");
	ASSERT_CONTAINS(log, "\nTasks state (memory values in pages):\n[  pid  ]   uid  tgid total_vm      "
			"rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name\n");
	snprintf(line, sizeof(line), "[%7d] %5d %5d %8lu %8lu %8lu %8lu %9lu %8lu %8lu         %5d big\n",
		 b->pid, 0, b->pid, b->mm->total_vm, 2000ul + 3, 2000ul + 3, 0ul, 0ul,
		 mm_pgtables_bytes(b->mm), 0ul, 0);
	ASSERT_CONTAINS(log, line);
	ASSERT_TRUE(strstr(log, "] init\n") == NULL);	/* unkillable: not listed */
	ASSERT_CONTAINS(log, "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),task=big,pid=3,uid=0\n");
	snprintf(line, sizeof(line), "Out of memory: Killed process 3 (big) total-vm:%lukB, anon-rss:%lukB, "
		 "file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:%lukB oom_score_adj:0\n",
		 b->mm->total_vm * 4, (2000ul + 3) * 4, mm_pgtables_bytes(b->mm) >> 10);
	ASSERT_CONTAINS(log, line);
	ASSERT_CONTAINS(log, "oom_reaper: reaped process 3 (big), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n");
	/* The next OOM skips the reaped victim and takes the next biggest. */
	ASSERT_TRUE(oom(k, GFP_KERNEL, 0));
	ASSERT_TRUE(fatal_signal_pending(c));
	ASSERT_EQ(count_killed(k), 2);
	ASSERT_NULL(find_task_by_vpid(3));
	ASSERT_NULL(find_task_by_vpid(4));
	ASSERT_NOT_NULL(find_task_by_vpid(2));
	ASSERT_EQ(kmm_check_invariants(k), 0);
	kmm_shutdown(k);
}

/* A 64M machine with init and *t, a process with pages written. */
static struct kmm *boot_with(struct task_struct **t, const char *name, unsigned long pages)
{
	struct kmm *k = boot(64ul << 20);

	if (!k || !spawn_with("init", 0))
		return NULL;
	*t = spawn_with(name, pages);
	return *t ? k : NULL;
}

/* ... with a big process (2000 pages) and a small one (10). */
static struct kmm *boot_big_small(struct task_struct **big, struct task_struct **small)
{
	struct kmm *k = boot_with(big, "big", 2000);

	*small = k ? spawn_with("small", 10) : NULL;
	return *small ? k : NULL;
}

TEST(oom_score_adj_min_is_never_chosen)
{
	struct task_struct *big, *small;
	struct kmm *k = boot_big_small(&big, &small);

	ASSERT_NOT_NULL(k);
	big->oom_score_adj = OOM_SCORE_ADJ_MIN;
	ASSERT_TRUE(oom(k, GFP_KERNEL, 0));
	ASSERT_FALSE(fatal_signal_pending(big));
	ASSERT_TRUE(fatal_signal_pending(small));
	ASSERT_EQ(count_killed(k), 1);
	/* Nothing killable left: Linux's panic. */
	ASSERT_FALSE(oom(k, GFP_KERNEL, 0));
	ASSERT_TRUE(k->panicked);
	ASSERT_CONTAINS(take_log(k), "Out of memory and no killable processes...\n"
			"Kernel panic - not syncing: System is deadlocked on memory\n");
	ASSERT_FALSE(fatal_signal_pending(big));
	kmm_shutdown(k);
}

TEST(a_positive_adj_makes_a_small_task_the_victim)
{
	struct task_struct *big, *small;
	struct kmm *k = boot_big_small(&big, &small);

	ASSERT_NOT_NULL(k);
	/* 200 thousandths of ~15800 pages is ~3000 pages more than its own. */
	small->oom_score_adj = 200;
	ASSERT_TRUE(oom(k, GFP_KERNEL, 0));
	ASSERT_TRUE(fatal_signal_pending(small));
	ASSERT_FALSE(fatal_signal_pending(big));
	ASSERT_CONTAINS(take_log(k), "oom_score_adj:200\n");
	ASSERT_EQ(count_killed(k), 1);
	kmm_shutdown(k);
}

TEST(oom_kill_allocating_task_kills_the_caller)
{
	struct kmm *k = boot(64ul << 20);
	struct task_struct *big, *small, *old;

	ASSERT_NOT_NULL(k);
	ASSERT_NOT_NULL(spawn_with("init", 0));
	big = spawn_with("big", 2000);
	small = spawn_with("small", 100);
	ASSERT_TRUE(big && small);
	ASSERT_EQ(kmm_proc_write("/proc/sys/vm/oom_kill_allocating_task", "1"), 0);
	take_log(k);
	old = set_current(small);
	ASSERT_TRUE(oom(k, GFP_HIGHUSER_MOVABLE, 0));
	set_current(old);
	ASSERT_TRUE(fatal_signal_pending(small));
	ASSERT_FALSE(fatal_signal_pending(big));
	ASSERT_CONTAINS(take_log(k), "small invoked oom-killer: ");
	/* Its call was running: the reaper left its pages to it. */
	ASSERT_EQ(get_mm_counter(small->mm, MM_ANONPAGES), 100 + 3);
	/* The next OOM, once that call is over, reaps them first. */
	ASSERT_TRUE(oom(k, GFP_KERNEL, 0));
	ASSERT_EQ(get_mm_counter(small->mm, MM_ANONPAGES), 0);
	ASSERT_FALSE(fatal_signal_pending(big));
	ASSERT_CONTAINS(take_log(k), "oom_reaper: reaped process 3 (small)");
	/* init, and tasks at -1000, are never the allocating task's victim. */
	ASSERT_EQ(count_killed(k), 1);
	big->oom_score_adj = OOM_SCORE_ADJ_MIN;
	old = set_current(big);
	ASSERT_FALSE(oom(k, GFP_KERNEL, 0));	/* selected from the rest: none */
	set_current(old);
	ASSERT_TRUE(k->panicked);
	kmm_shutdown(k);
}

TEST(panic_on_oom)
{
	static const char *const want[] = {
		"Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled\n",
		"Kernel panic - not syncing: Out of memory: compulsory panic_on_oom is enabled\n",
	};
	int mode;

	for (mode = 1; mode <= 2; mode++) {
		struct kmm *k = boot(64ul << 20);
		struct task_struct *big;
		const char *log;
		char v[4];

		ASSERT_NOT_NULL(k);
		ASSERT_NOT_NULL(spawn_with("init", 0));
		big = spawn_with("big", 100);
		ASSERT_NOT_NULL(big);
		snprintf(v, sizeof(v), "%d", mode);
		ASSERT_EQ(kmm_proc_write("/proc/sys/vm/panic_on_oom", v), 0);
		take_log(k);
		ASSERT_FALSE(oom(k, GFP_KERNEL, 0));
		ASSERT_TRUE(k->panicked);
		ASSERT_FALSE(fatal_signal_pending(big));
		log = take_log(k);
		/* The header (no victim: no summary), then the panic. */
		ASSERT_CONTAINS(log, "kmm invoked oom-killer: ");
		ASSERT_TRUE(strstr(log, "oom-kill:") == NULL);
		ASSERT_CONTAINS(log, want[mode - 1]);
		kmm_shutdown(k);
	}
}

TEST(panic_on_oom_knob_range)
{
	struct kmm *k = boot(64ul << 20);
	char buf[32];

	ASSERT_NOT_NULL(k);
	ASSERT_EQ(kmm_proc_write("/proc/sys/vm/panic_on_oom", "3"), -EINVAL);
	ASSERT_EQ(kmm_proc_write("/proc/sys/vm/panic_on_oom", "-1"), -EINVAL);
	ASSERT_TRUE(kmm_proc_read("/proc/sys/vm/panic_on_oom", buf, sizeof(buf)) > 0);
	ASSERT_STR_EQ(buf, "0\n");
	ASSERT_TRUE(kmm_proc_read("/proc/sys/vm/oom_dump_tasks", buf, sizeof(buf)) > 0);
	ASSERT_STR_EQ(buf, "1\n");
	ASSERT_EQ(kmm_proc_write("/proc/sys/vm/oom_dump_tasks", "0"), 0);
	ASSERT_NOT_NULL(spawn_with("init", 0));
	ASSERT_NOT_NULL(spawn_with("big", 10));
	take_log(k);
	ASSERT_TRUE(oom(k, GFP_KERNEL, 0));
	ASSERT_TRUE(strstr(take_log(k), "Tasks state") == NULL);
	kmm_shutdown(k);
}

/* ------------------------------------------------------------------ */
/* Through the page allocator                                           */
/* ------------------------------------------------------------------ */

/*
 * Takes every free page the allocator gives gfp (no reclaim) in every
 * zone, the DMA zones' own too; returns them.  GFP_ATOMIC empties the
 * atomic reserve, GFP_NOWAIT leaves the min reserves to an OOM victim.
 */
static struct page *grab_all(struct kmm *k, gfp_t gfp)
{
	static const gfp_t zones[] = { 0, __GFP_DMA32, __GFP_DMA };
	struct page *list = NULL, *p;
	size_t i;

	bool more = true;

	__drain_all_pages(k, NULL);
	/* Also what reclaim can free (the page cache of the programs'
	 * binaries): __GFP_NORETRY reclaims but never kills; and again with
	 * gfp, which may reach reserves reclaim refilled. */
	while (more) {
		more = false;
		for (i = 0; i < ARRAY_SIZE(zones); i++) {
			while ((p = __alloc_pages(k, gfp | zones[i] | __GFP_NOWARN, 0)) ||
			       (p = __alloc_pages(k, GFP_KERNEL | __GFP_NORETRY | zones[i] |
						  __GFP_NOWARN, 0))) {
				*(struct page **)page_address(p) = list;
				list = p;
				more = true;
			}
		}
	}
	return list;
}

static void give_back(struct kmm *k, struct page *list)
{
	while (list) {
		struct page *next = *(struct page **)page_address(list);

		___free_pages(k, list, 0);
		list = next;
	}
}

TEST(allocations_that_do_not_kill)
{
	static const struct {
		gfp_t gfp;
		unsigned int order;
	} cases[] = {
		{ GFP_NOFS, 0 },
		{ GFP_NOIO, 0 },
		{ GFP_KERNEL | __GFP_NORETRY, 0 },
		{ GFP_KERNEL | __GFP_RETRY_MAYFAIL, 0 },
		{ GFP_KERNEL | __GFP_THISNODE, 0 },
		{ GFP_KERNEL, PAGE_ALLOC_COSTLY_ORDER + 1 },
		{ GFP_KERNEL | __GFP_DMA32, 0 },
		{ GFP_KERNEL | __GFP_DMA, 0 },
		{ GFP_ATOMIC, 0 },
	};
	struct kmm *k = boot(64ul << 20);
	struct task_struct *big;
	struct page *held;
	size_t i;

	ASSERT_NOT_NULL(k);
	ASSERT_NOT_NULL(spawn_with("init", 0));
	big = spawn_with("big", 1000);
	ASSERT_NOT_NULL(big);
	held = grab_all(k, GFP_ATOMIC);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (__alloc_pages(k, cases[i].gfp | __GFP_NOWARN, cases[i].order))
			TEST_FAIL_("case %zu (gfp %#x order %u) got memory", i, cases[i].gfp,
				   cases[i].order);
		ASSERT_FALSE(fatal_signal_pending(big));
	}
	ASSERT_EQ(sum_vm_event(k, OOM_KILL), 0);
	/* GFP_KERNEL order 0 kills, and gets the victim's memory. */
	{
		struct page *p = __alloc_pages(k, GFP_KERNEL, 0);

		ASSERT_NOT_NULL(p);
		ASSERT_TRUE(fatal_signal_pending(big));
		___free_pages(k, p, 0);
	}
	ASSERT_EQ(sum_vm_event(k, OOM_KILL), 1);
	give_back(k, held);
	ASSERT_EQ(count_killed(k), 1);
	kmm_shutdown(k);
}

TEST(no_processes_nothing_to_kill)
{
	struct kmm *k = boot(64ul << 20);
	struct page *held;

	ASSERT_NOT_NULL(k);
	held = grab_all(k, GFP_ATOMIC);
	ASSERT_NULL(__alloc_pages(k, GFP_KERNEL | __GFP_NOWARN, 0));
	ASSERT_FALSE(k->panicked);
	ASSERT_EQ(sum_vm_event(k, OOM_KILL), 0);
	ASSERT_TRUE(strstr(take_log(k), "oom-killer") == NULL);
	give_back(k, held);
	kmm_shutdown(k);
}

/* A process touching more than the machine has: it is the one killed
 * (the biggest), dies at its fault, and everything comes back. */
TEST(a_fault_that_finds_no_memory_kills)
{
	struct kmm *k = boot(64ul << 20);
	struct task_struct *hog, *other;
	unsigned long free_before, a;
	struct kmm_siginfo si = { 0 };
	phys_addr_t phys;
	int sig = 0;

	ASSERT_NOT_NULL(k);
	ASSERT_NOT_NULL(spawn_with("init", 0));
	other = spawn_with("other", 100);
	ASSERT_NOT_NULL(other);
	hog = spawn_with("hog", 0);
	ASSERT_NOT_NULL(hog);
	__drain_all_pages(k, NULL);
	free_before = __global_zone_page_state(k, NR_FREE_PAGES);
	ASSERT_EQ(kmm_proc_write("/proc/sys/vm/overcommit_memory", "1"), 0);
	ASSERT_EQ(do_mmap(hog->mm, BASE, 80ul << 20, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), (long)BASE);
	for (a = BASE; a < BASE + (80ul << 20) && !sig; a += PG)
		sig = user_access(hog, a, PF_WRITE, &phys, &si);
	ASSERT_EQ(sig, SIGKILL);
	ASSERT_TRUE(fatal_signal_pending(hog));
	ASSERT_FALSE(fatal_signal_pending(other));
	/* A killed task runs no more: its next access is SIGKILL too. */
	ASSERT_EQ(user_access(hog, BASE, 0, &phys, &si), SIGKILL);
	ASSERT_CONTAINS(take_log(k), "hog invoked oom-killer: ");
	ASSERT_EQ(count_killed(k), 1);
	__drain_all_pages(k, NULL);
	ASSERT_LE(free_before - 8, __global_zone_page_state(k, NR_FREE_PAGES));
	ASSERT_EQ(kmm_check_invariants(k), 0);
	kmm_shutdown(k);
}

/* fork of the process the OOM killer picks during the copy: no child. */
TEST(fork_of_a_victim_fails)
{
	struct kmm *k = boot(64ul << 20);
	struct task_struct *hog, *child;
	struct page *held;
	int err = 0;

	ASSERT_NOT_NULL(k);
	ASSERT_NOT_NULL(spawn_with("init", 0));
	hog = spawn_with("hog", 2000);
	ASSERT_NOT_NULL(hog);
	held = grab_all(k, GFP_NOWAIT);
	child = kernel_fork(hog, &err);
	ASSERT_NULL(child);
	ASSERT_EQ(err, -EINTR);
	ASSERT_TRUE(fatal_signal_pending(hog));
	give_back(k, held);
	ASSERT_EQ(count_killed(k), 1);
	ASSERT_EQ(kmm_check_invariants(k), 0);
	kmm_shutdown(k);
}

/* ------------------------------------------------------------------ */
/* /proc/PID/oom_score_adj and oom_adj                                  */
/* ------------------------------------------------------------------ */

static int adj_of(struct task_struct *t)
{
	return t->oom_score_adj;
}

TEST(oom_score_adj_writes)
{
	static const struct {
		const char *in;
		int err;
		int adj;		/* after, when err is 0 */
	} cases[] = {
		{ "500", 0, 500 }, { "-1000", 0, -1000 }, { "1000", 0, 1000 }, { "0", 0, 0 },
		{ " 12\n", 0, 12 }, { "0x10", 0, 16 }, { "010", 0, 8 }, { "+7", 0, 7 },
		{ "-0", 0, 0 }, { "1001", -EINVAL, 0 }, { "-1001", -EINVAL, 0 },
		{ "abc", -EINVAL, 0 }, { "", -EINVAL, 0 }, { "5 6", -EINVAL, 0 },
		{ "12abc", -EINVAL, 0 }, { "-+5", -EINVAL, 0 }, { "0x", -EINVAL, 0 },
		{ "08", -EINVAL, 0 }, { "99999999999", -ERANGE, 0 }, { "-2147483649", -ERANGE, 0 },
		{ "2147483647", -EINVAL, 0 },
		/* Only 12 bytes are read: the rest of a long line is not seen. */
		{ "000000000001000000", 0, 1 },
	};
	struct task_struct *t;
	struct kmm *k = boot_with(&t, "cat", 0);
	char buf[32];
	size_t i;

	ASSERT_NOT_NULL(k);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int before = adj_of(t);

		if (kmm_proc_write("/proc/2/oom_score_adj", cases[i].in) != cases[i].err)
			TEST_FAIL_("write '%s': want %d", cases[i].in, cases[i].err);
		if (adj_of(t) != (cases[i].err ? before : cases[i].adj))
			TEST_FAIL_("write '%s': adj %d", cases[i].in, adj_of(t));
	}
	ASSERT_EQ(kmm_proc_write("/proc/2/oom_score_adj", "-5"), 0);
	ASSERT_TRUE(kmm_proc_read("/proc/2/oom_score_adj", buf, sizeof(buf)) > 0);
	ASSERT_STR_EQ(buf, "-5\n");
	/* Read-only files, and no such process. */
	ASSERT_EQ(kmm_proc_write("/proc/2/oom_score", "1"), -EACCES);
	ASSERT_EQ(kmm_proc_write("/proc/9/oom_score_adj", "1"), -ENOENT);
	/* Inherited by a child. */
	{
		int err;
		struct task_struct *c = kernel_fork(t, &err);

		ASSERT_NOT_NULL(c);
		ASSERT_EQ(c->oom_score_adj, -5);
	}
	kmm_shutdown(k);
}

TEST(oom_adj_is_the_legacy_scale)
{
	static const struct {
		const char *in;
		int err;
		int adj;		/* oom_score_adj after */
		const char *reads;	/* oom_adj after */
	} cases[] = {
		{ "15", 0, 1000, "15\n" }, { "-17", 0, -1000, "-17\n" }, { "-16", 0, -941, "-15\n" },
		{ "8", 0, 470, "7\n" }, { "0", 0, 0, "0\n" }, { "16", -EINVAL, 0, "0\n" },
		{ "-18", -EINVAL, 0, "0\n" }, { "x", -EINVAL, 0, "0\n" },
	};
	struct task_struct *t;
	struct kmm *k = boot_with(&t, "cat", 0);
	char buf[32];
	size_t i;

	ASSERT_NOT_NULL(k);
	take_log(k);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(kmm_proc_write("/proc/2/oom_adj", cases[i].in), cases[i].err);
		ASSERT_EQ(t->oom_score_adj, cases[i].adj);
		ASSERT_TRUE(kmm_proc_read("/proc/2/oom_adj", buf, sizeof(buf)) > 0);
		ASSERT_STR_EQ(buf, cases[i].reads);
	}
	/* oom_adj of an oom_score_adj written directly. */
	ASSERT_EQ(kmm_proc_write("/proc/2/oom_score_adj", "999"), 0);
	ASSERT_TRUE(kmm_proc_read("/proc/2/oom_adj", buf, sizeof(buf)) > 0);
	ASSERT_STR_EQ(buf, "15\n");
	/* Linux says once that oom_adj is deprecated. */
	ASSERT_STR_EQ(take_log(k), "kmm (0): /proc/2/oom_adj is deprecated, please use "
		      "/proc/2/oom_score_adj instead.\n");
	kmm_shutdown(k);
}

TEST(oom_score_of_live_tasks)
{
	struct task_struct *t;
	struct kmm *k = boot_with(&t, "big", 4000);
	unsigned long total;
	char buf[32], want[32];

	ASSERT_NOT_NULL(k);
	total = oom_totalpages(k);
	ASSERT_EQ(total, __totalram_pages(k));	/* no swap */
	snprintf(want, sizeof(want), "%lu\n", proc_oom_score_points(oom_badness(t, total), total));
	ASSERT_TRUE(kmm_proc_read("/proc/2/oom_score", buf, sizeof(buf)) > 0);
	ASSERT_STR_EQ(buf, want);
	ASSERT_TRUE(strtoul(buf, NULL, 10) > 666 + 100);
	ASSERT_TRUE(kmm_proc_read("/proc/1/oom_score", buf, sizeof(buf)) > 0);
	ASSERT_STR_EQ(buf, "0\n");	/* init */
	ASSERT_EQ(kmm_proc_write("/proc/2/oom_score_adj", "-1000"), 0);
	ASSERT_TRUE(kmm_proc_read("/proc/2/oom_score", buf, sizeof(buf)) > 0);
	ASSERT_STR_EQ(buf, "0\n");
	/* Swap counts in the total once there is some (mm/swapfile.c). */
	k->mem->total_swap_pages = 1000;
	ASSERT_EQ(oom_totalpages(k), __totalram_pages(k) + 1000);
	k->mem->total_swap_pages = 0;
	kmm_shutdown(k);
}

/* ------------------------------------------------------------------ */
/* Through the script                                                   */
/* ------------------------------------------------------------------ */

/* Runs script, returns what it printed on out (static). */
static const char *run_script(const char *script)
{
	static char out[1 << 18];
	char *obuf = NULL, *ebuf = NULL;
	size_t olen = 0, elen = 0;
	FILE *o = open_memstream(&obuf, &olen), *e = open_memstream(&ebuf, &elen);
	FILE *in = fmemopen((void *)script, strlen(script), "r");
	struct sim *s = sim_create(o, e);

	sim_run_stream(s, in, 0);
	sim_destroy(s);
	fclose(in);
	fclose(o);
	fclose(e);
	snprintf(out, sizeof(out), "%s", obuf ? obuf : "");
	free(obuf);
	free(ebuf);
	return out;
}

static unsigned long meminfo_free(const char *out, int nth)
{
	const char *p = out;

	while (nth-- >= 0 && p)
		if ((p = strstr(p, "MemFree:")))
			p += 8;
	return p ? strtoul(p, NULL, 10) : 0;
}

TEST(script_a_process_exhausts_memory)
{
	const char *out = run_script(
		"boot mem=64M cpus=1 aslr=off\n"
		"echo 1 > /proc/sys/vm/overcommit_memory\n"
		"spawn init\n"
		"spawn hog\n"
		"drain\n"
		"cat /proc/meminfo\n"
		"mmap 2 0x10000000 96M PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED\n"
		"touch 2 0x10000000 64M w\n"
		"touch 2 0x14000000 32M w\n"
		"ps\n"
		"drain\n"
		"cat /proc/meminfo\n"
		"cat /proc/vmstat\n"
		"dmesg\n");

	ASSERT_CONTAINS(out, "SIGKILL (out of memory)\npid 2 killed by SIGKILL (oom)\nerror ESRCH\n");
	ASSERT_CONTAINS(out, "      1       0    424 init\n");
	ASSERT_TRUE(strstr(out, " hog\n") == NULL || strstr(out, " hog\n") > strstr(out, "Tasks state"));
	ASSERT_LE(meminfo_free(out, 0) - 64, meminfo_free(out, 1));	/* it came back */
	ASSERT_CONTAINS(out, "\noom_kill 1\n");
	ASSERT_CONTAINS(out, "hog invoked oom-killer: gfp_mask=");
	ASSERT_CONTAINS(out, "(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), order=0, oom_score_adj=0\n");
	ASSERT_CONTAINS(out, "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),task=hog,pid=2,uid=0\n"
			"Out of memory: Killed process 2 (hog) total-vm:");
}

TEST(script_a_bigger_process_dies_for_a_smaller_one)
{
	const char *out = run_script(
		"boot mem=64M cpus=1 aslr=off\n"
		"spawn init\n"
		"spawn big\n"
		"spawn small\n"
		"mmap 2 0x10000000 40M PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED\n"
		"touch 2 0x10000000 40M w\n"
		"mmap 3 0x10000000 40M PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED\n"
		"touch 3 0x10000000 40M w\n"
		"ps\n"
		"dmesg -c\n"
		"dmesg\n");

	/* The toucher goes on; the bigger one is killed and reaped meanwhile. */
	ASSERT_CONTAINS(out, "ok\npid 2 killed by SIGKILL (oom)\n");
	ASSERT_CONTAINS(out, "      3       0  41384 small\n");
	ASSERT_CONTAINS(out, "small invoked oom-killer: ");
	ASSERT_CONTAINS(out, "task=big,pid=2,uid=0\n");
	ASSERT_CONTAINS(out, "oom_reaper: reaped process 2 (big), now anon-rss:0kB");
	/* dmesg -c emptied the log. */
	ASSERT_TRUE(strstr(out, "oom_reaper: reaped process 2 (big), now anon-rss:0kB, file-rss:0kB, "
			   "shmem-rss:0kB\n")[strlen("oom_reaper: reaped process 2 (big), now anon-rss:0kB, "
						     "file-rss:0kB, shmem-rss:0kB\n")] == 0);
}

TEST(script_oom_score_adj_refused_keeps_the_value)
{
	const char *out = run_script(
		"boot mem=64M cpus=1\n"
		"spawn init\n"
		"spawn cat\n"
		"echo 300 > /proc/2/oom_score_adj\n"
		"echo 1001 > /proc/2/oom_score_adj\n"
		"echo -1001 > /proc/2/oom_score_adj\n"
		"echo ten > /proc/2/oom_score_adj\n"
		"echo 4294967296 > /proc/2/oom_score_adj\n"
		"cat /proc/2/oom_score_adj\n");

	ASSERT_STR_EQ(out, "pid 1\npid 2\nok\nerror EINVAL\nerror EINVAL\nerror EINVAL\nerror ERANGE\n300\n");
}

int main(void)
{
	RUN_TEST(badness_is_rss_swap_pagetables_plus_scaled_adj);
	RUN_TEST(oom_score_scales_badness_into_0_2000);
	RUN_TEST(the_biggest_is_killed_and_reaped_at_once);
	RUN_TEST(oom_score_adj_min_is_never_chosen);
	RUN_TEST(a_positive_adj_makes_a_small_task_the_victim);
	RUN_TEST(oom_kill_allocating_task_kills_the_caller);
	RUN_TEST(panic_on_oom);
	RUN_TEST(panic_on_oom_knob_range);
	RUN_TEST(allocations_that_do_not_kill);
	RUN_TEST(no_processes_nothing_to_kill);
	RUN_TEST(a_fault_that_finds_no_memory_kills);
	RUN_TEST(fork_of_a_victim_fails);
	RUN_TEST(oom_score_adj_writes);
	RUN_TEST(oom_adj_is_the_legacy_scale);
	RUN_TEST(oom_score_of_live_tasks);
	RUN_TEST(script_a_process_exhausts_memory);
	RUN_TEST(script_a_bigger_process_dies_for_a_smaller_one);
	RUN_TEST(script_oom_score_adj_refused_keeps_the_value);
	return harness_summary();
}
