/*
 * tests/mm/test_vmscan.c - the LRU lists (mm/swap.c) and page reclaim
 * (mm/vmscan.c) on small machines over the scratch directory:
 *
 *   - new pages wait in a per-CPU batch, then sit on the inactive list;
 *     read(2) twice activates an unmapped page (folio_mark_accessed);
 *   - a file read four times the size of RAM streams through: kswapd
 *     reclaims (pgscan/pgsteal_kswapd), the cache stays within RAM, no
 *     allocation fails, and every byte read is the file's;
 *   - a small file read twice (active) survives such a stream, a
 *     use-once file does not (the inactive list protects the working set);
 *   - a mapping touched through its PTEs twice is activated by reclaim
 *     (folio_referenced), a file mapping larger than RAM is unmapped
 *     page by page and reads back right, through major faults;
 *   - dirty pages are not dropped: reclaim passes them to the flusher with
 *     PG_reclaim, and what was written is in the host file;
 *   - mlocked pages are Unevictable and Mlocked and never reclaimed,
 *     munlock gives them back to the lists;
 *   - anonymous memory is not reclaimed without swap;
 *   - an allocation that does not wake kswapd reclaims directly
 *     (pgscan_direct, allocstall);
 *   - after all of it, the LRU checker (lists against counters and flags)
 *     and the machine's other invariants hold.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/fs.h>
#include <kmm/pagemap.h>
#include <kmm/sched.h>
#include <kmm/mman.h>
#include <kmm/timer.h>
#include <kmm/swap.h>
#include "mm/internal.h"
#include "mm/mmap.h"
#include "mm/memory.h"
#include "mm/swap.h"
#include "arch/x86/mm/fault.h"
#include "tests/harness.h"
#include "tests/kmm_test.h"

#define PG	4096l
#define MiB	(1l << 20)

static struct task_struct *boot_mem(unsigned long mem)
{
	struct kmm_config cfg = { .mem = mem, .cpus = 1, .quiet = 1, .norandmaps = 1 };

	return boot_and_spawn(&cfg);
}

static unsigned long node_stat(enum node_stat_item item)
{
	return node_page_state(&kmm_cur()->mem->node, item);
}

static unsigned long event(enum vm_event_item item)
{
	return global_vm_event(item);
}

/* The byte a test file holds at offset off: its page number, mixed. */
static unsigned char pattern(long off)
{
	return (unsigned char)((off >> 12) * 37 + 11);
}

/* A host-backed file at path of size bytes, each page filled with its
 * pattern, written back and dropped from the cache; its fd. */
static int make_file(struct task_struct *t, const char *path, long size)
{
	char *buf = malloc(MiB);
	int fd = (int)ksys_open(t, path, O_RDWR | O_CREAT, 0644);

	if (!buf || fd < 0)
		abort();
	for (long off = 0; off < size; off += MiB) {
		for (long i = 0; i < MiB; i += PG)
			memset(buf + i, pattern(off + i), PG);
		if (ksys_pwrite64(t, fd, buf, MiB, off) != MiB)
			abort();
		if (ksys_fsync(t, fd))
			abort();
		ksys_fadvise64_64(t, fd, off, MiB, POSIX_FADV_DONTNEED);
	}
	free(buf);
	return fd;
}

/* Reads the whole file in 1 MiB preads; the number of bytes not as written. */
static long read_file(struct task_struct *t, int fd, long size)
{
	char *buf = malloc(MiB);
	long bad = 0;

	for (long off = 0; off < size; off += MiB) {
		if (ksys_pread64(t, fd, buf, MiB, off) != MiB)
			abort();
		for (long i = 0; i < MiB; i++)
			bad += (unsigned char)buf[i] != pattern(off + i);
	}
	free(buf);
	return bad;
}

static long cached(struct task_struct *t, int fd)
{
	struct cachestat cs;

	ksys_cachestat(t, fd, 0, 0, &cs, 0);
	return (long)cs.nr_cache;
}

TEST(new_pages_join_the_inactive_list_after_their_batch)
{
	struct task_struct *t = boot_mem(64 * MiB);
	int fd = make_file(t, "/f", MiB);
	char b;

	ASSERT_EQ(ksys_pread64(t, fd, &b, 1, 0), 1);		/* 32 pages of readahead */
	lru_add_drain_all(kmm_cur());
	unsigned long inactive = node_stat(NR_INACTIVE_FILE), active = node_stat(NR_ACTIVE_FILE);
	ASSERT_TRUE(inactive >= 4);
	/* One more page in a batch of its own: not on a list until drained. */
	ASSERT_EQ(ksys_open(t, "/g", O_RDWR | O_CREAT, 0644), fd + 1);
	ASSERT_EQ(ksys_pwrite64(t, fd + 1, "x", 1, 0), 1);
	ASSERT_EQ(node_stat(NR_INACTIVE_FILE), inactive);
	lru_add_drain();
	ASSERT_EQ(node_stat(NR_INACTIVE_FILE), inactive + 1);
	/* A second read of page 0 that is not the same read: active. */
	ASSERT_EQ(ksys_pread64(t, fd, &b, 1, 8 * PG), 1);
	ASSERT_EQ(ksys_pread64(t, fd, &b, 1, 0), 1);
	lru_add_drain();
	ASSERT_TRUE(node_stat(NR_ACTIVE_FILE) > active);
	ASSERT_TRUE(event(PGACTIVATE) > 0);
	ASSERT_EQ(check_lru_invariants(kmm_cur()), 0);
	ASSERT_EQ(kmm_nr_reports(), 0);
	kmm_shutdown(NULL);
}

TEST(a_stream_four_times_ram_is_reclaimed_by_kswapd)
{
	struct task_struct *t = boot_mem(64 * MiB);
	int fd = make_file(t, "/big", 256 * MiB);
	unsigned long ram = kmm_cur()->mem->node.node_present_pages;

	ASSERT_EQ(read_file(t, fd, 256 * MiB), 0);
	ASSERT_TRUE(event(PGSCAN_KSWAPD) > 0);
	ASSERT_TRUE(event(PGSTEAL_KSWAPD) > 32768);		/* most of the stream */
	ASSERT_TRUE(event(PAGEOUTRUN) > 0);
	ASSERT_LE(event(PGSTEAL_KSWAPD) + event(PGSTEAL_DIRECT), event(PGSCAN_KSWAPD) + event(PGSCAN_DIRECT));
	ASSERT_EQ(event(PGSTEAL_FILE), event(PGSTEAL_KSWAPD) + event(PGSTEAL_DIRECT));
	ASSERT_LE(node_stat(NR_FILE_PAGES), ram);
	ASSERT_EQ(kmm_nr_reports(), 0);				/* no allocation failure */
	ASSERT_EQ(kmm_check_invariants(kmm_cur()), 0);
	kmm_shutdown(NULL);
}

TEST(a_file_read_twice_survives_a_use_once_stream)
{
	struct task_struct *t = boot_mem(64 * MiB);
	int hot = make_file(t, "/hot", 8 * MiB);
	int cold = make_file(t, "/cold", 8 * MiB);
	int big = make_file(t, "/big", 192 * MiB);

	ASSERT_EQ(read_file(t, hot, 8 * MiB), 0);
	ASSERT_EQ(read_file(t, hot, 8 * MiB), 0);		/* a second use: active */
	ASSERT_EQ(read_file(t, cold, 8 * MiB), 0);		/* once: inactive */
	ASSERT_EQ(read_file(t, big, 192 * MiB), 0);
	ASSERT_TRUE(cached(t, hot) >= 2048 * 9 / 10);
	ASSERT_TRUE(cached(t, cold) < 2048 / 10);
	ASSERT_EQ(kmm_check_invariants(kmm_cur()), 0);
	ASSERT_EQ(kmm_nr_reports(), 0);
	kmm_shutdown(NULL);
}

/* Touches each page of [addr, addr + len) of t for reading. */
static int touch(struct task_struct *t, long addr, long len, unsigned int access)
{
	struct kmm_siginfo si = { 0 };
	phys_addr_t phys;

	for (long off = 0; off < len; off += PG)
		if (user_access(t, (unsigned long)(addr + off), access, &phys, &si)) {
			fprintf(stderr, "  touch at +%#lx: signal %d code %d\n%s", off, si.signo,
				si.code, last_report);
			return -1;
		}
	return 0;
}

TEST(a_mapping_larger_than_ram_is_unmapped_and_reads_back)
{
	struct task_struct *t = boot_mem(64 * MiB);
	int fd = make_file(t, "/big", 128 * MiB);
	long addr = do_mmap_pgoff(t->mm, fget_raw(t->files, fd), 0, 128 * MiB, PROT_READ,
				  MAP_SHARED, 0);
	struct kmm_siginfo si = { 0 };
	unsigned long majflt;
	unsigned char b;

	ASSERT_TRUE(addr > 0);
	ASSERT_EQ(touch(t, addr, 128 * MiB, 0), 0);
	ASSERT_TRUE(event(PGSTEAL_KSWAPD) + event(PGSTEAL_DIRECT) > 8192);
	ASSERT_LE(t->mm->rss_stat[MM_FILEPAGES], 64 * MiB / PG);
	/* The first page went long ago: a major fault brings the right bytes. */
	majflt = t->maj_flt;
	ASSERT_EQ(user_copy(t, (unsigned long)addr + 5 * PG + 7, &b, 1, false, &si), 0);
	ASSERT_EQ(b, pattern(5 * PG));
	ASSERT_TRUE(t->maj_flt > majflt);
	ASSERT_EQ(kmm_check_invariants(kmm_cur()), 0);
	ASSERT_EQ(kmm_nr_reports(), 0);
	kmm_shutdown(NULL);
}

TEST(pages_mapped_and_touched_twice_are_activated)
{
	struct task_struct *t = boot_mem(64 * MiB);
	int fd = make_file(t, "/hot", 4 * MiB);
	int big = make_file(t, "/big", 128 * MiB);
	long addr = do_mmap_pgoff(t->mm, fget_raw(t->files, fd), 0, 4 * MiB, PROT_READ,
				  MAP_SHARED, 0);

	ASSERT_TRUE(addr > 0);
	ASSERT_EQ(touch(t, addr, 4 * MiB, 0), 0);
	/* Stream while touching the mapping again now and then: each look of
	 * reclaim finds its accessed bits set (the TLB is flushed by the
	 * unmaps the stream's own reclaim makes, so the bits come back). */
	for (long off = 0; off < 128 * MiB; off += 16 * MiB) {
		char *buf = malloc(16 * MiB);

		ASSERT_EQ(ksys_pread64(t, big, buf, 16 * MiB, off), 16 * MiB);
		free(buf);
		flush_tlb_range(t->mm, (unsigned long)addr, (unsigned long)addr + 4 * MiB);
		ASSERT_EQ(touch(t, addr, 4 * MiB, 0), 0);
	}
	ASSERT_TRUE(cached(t, fd) == 1024);
	ASSERT_EQ(t->mm->rss_stat[MM_FILEPAGES], 1024);
	ASSERT_TRUE(node_stat(NR_ACTIVE_FILE) >= 1024);
	ASSERT_EQ(kmm_check_invariants(kmm_cur()), 0);
	ASSERT_EQ(kmm_nr_reports(), 0);
	kmm_shutdown(NULL);
}

TEST(dirty_pages_go_to_the_flusher_not_away)
{
	struct task_struct *t = boot_mem(64 * MiB);
	char *buf = malloc(MiB);
	int fd = (int)ksys_open(t, "/w", O_RDWR | O_CREAT, 0644);

	ASSERT_TRUE(fd >= 0);
	for (long off = 0; off < 160 * MiB; off += MiB) {
		for (long i = 0; i < MiB; i += PG)
			memset(buf + i, pattern(off + i), PG);
		ASSERT_EQ(ksys_pwrite64(t, fd, buf, MiB, off), MiB);
	}
	free(buf);
	ASSERT_EQ(ksys_fsync(t, fd), 0);
	ASSERT_TRUE(event(PGSTEAL_KSWAPD) + event(PGSTEAL_DIRECT) > 16384);
	ASSERT_EQ(node_stat(NR_DIRTY), 0);
	ASSERT_EQ(ksys_fadvise64_64(t, fd, 0, 0, POSIX_FADV_DONTNEED), 0);
	ASSERT_EQ(read_file(t, fd, 160 * MiB), 0);		/* every byte from the host */
	ASSERT_EQ(kmm_check_invariants(kmm_cur()), 0);
	ASSERT_EQ(kmm_nr_reports(), 0);
	kmm_shutdown(NULL);
}

TEST(mlocked_pages_are_unevictable_until_munlock)
{
	struct task_struct *t = boot_mem(64 * MiB);
	int fd = make_file(t, "/locked", 4 * MiB);
	int big = make_file(t, "/big", 128 * MiB);
	long addr = do_mmap_pgoff(t->mm, fget_raw(t->files, fd), 0, 4 * MiB, PROT_READ,
				  MAP_SHARED, 0);
	long anon = do_mmap(t->mm, 0, 2 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);

	ASSERT_TRUE(addr > 0 && anon > 0);
	t->mm->cap_ipc_lock = true;
	ASSERT_EQ(do_mlock(t->mm, (unsigned long)addr, 4 * MiB, VM_LOCKED), 0);
	ASSERT_EQ(do_mlock(t->mm, (unsigned long)anon, 2 * MiB, VM_LOCKED), 0);
	ASSERT_EQ(touch(t, anon, 2 * MiB, PF_WRITE), 0);	/* populated already */
	lru_add_drain_all(kmm_cur());
	ASSERT_EQ(__global_zone_page_state(kmm_cur(), NR_MLOCK), 1536);
	ASSERT_EQ(node_stat(NR_UNEVICTABLE), 1536);
	ASSERT_EQ(read_file(t, big, 128 * MiB), 0);
	ASSERT_EQ(cached(t, fd), 1024);				/* none reclaimed */
	ASSERT_EQ(node_stat(NR_UNEVICTABLE), 1536);
	ASSERT_EQ(do_munlock(t->mm, (unsigned long)addr, 4 * MiB), 0);
	ASSERT_EQ(node_stat(NR_UNEVICTABLE), 512);
	ASSERT_EQ(__global_zone_page_state(kmm_cur(), NR_MLOCK), 512);
	ASSERT_EQ(event(UNEVICTABLE_PGS_MUNLOCKED), 1024);
	/* munmap of the locked anonymous area frees its pages, unlocked. */
	ASSERT_EQ(do_munmap(t->mm, (unsigned long)anon, 2 * MiB), 0);
	ASSERT_EQ(node_stat(NR_UNEVICTABLE), 0);
	ASSERT_EQ(__global_zone_page_state(kmm_cur(), NR_MLOCK), 0);
	ASSERT_EQ(kmm_check_invariants(kmm_cur()), 0);
	ASSERT_EQ(kmm_nr_reports(), 0);
	kmm_shutdown(NULL);
}

TEST(anonymous_memory_stays_without_swap)
{
	struct task_struct *t = boot_mem(64 * MiB);
	int big = make_file(t, "/big", 128 * MiB);
	long anon = do_mmap(t->mm, 0, 16 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);

	unsigned long rss = t->mm->rss_stat[MM_ANONPAGES];

	ASSERT_TRUE(anon > 0);
	ASSERT_EQ(touch(t, anon, 16 * MiB, PF_WRITE), 0);
	ASSERT_EQ(read_file(t, big, 128 * MiB), 0);
	ASSERT_EQ(t->mm->rss_stat[MM_ANONPAGES], rss + 4096);
	ASSERT_EQ(event(PGSCAN_ANON), 0);
	lru_add_drain_all(kmm_cur());
	ASSERT_TRUE(node_stat(NR_INACTIVE_ANON) + node_stat(NR_ACTIVE_ANON) >= 4096);
	ASSERT_EQ(kmm_check_invariants(kmm_cur()), 0);
	ASSERT_EQ(kmm_nr_reports(), 0);
	kmm_shutdown(NULL);
}

TEST(an_allocation_that_does_not_wake_kswapd_reclaims_directly)
{
	struct task_struct *t = boot_mem(64 * MiB);
	int big = make_file(t, "/big", 64 * MiB);
	struct page *pages[4096];
	int n;

	ASSERT_EQ(read_file(t, big, 64 * MiB), 0);		/* RAM full of clean cache */
	for (n = 0; n < 4096; n++) {
		pages[n] = alloc_pages(GFP_KERNEL & ~__GFP_KSWAPD_RECLAIM, 0);
		ASSERT_NOT_NULL(pages[n]);
	}
	ASSERT_TRUE(event(PGSCAN_DIRECT) > 0);
	ASSERT_TRUE(event(PGSTEAL_DIRECT) > 0);
	ASSERT_TRUE(event(ALLOCSTALL_NORMAL) + event(ALLOCSTALL_DMA32) > 0);
	while (n--)
		__free_pages(pages[n], 0);
	ASSERT_EQ(kmm_check_invariants(kmm_cur()), 0);
	ASSERT_EQ(kmm_nr_reports(), 0);
	kmm_shutdown(NULL);
}

TEST(a_new_working_set_refaults_into_the_active_list)
{
	struct task_struct *t = boot_mem(64 * MiB);
	int a = make_file(t, "/a", 32 * MiB);
	int b = make_file(t, "/b", 32 * MiB);
	struct cachestat cs;
	long before;

	/* A is the old working set: read twice, active. */
	ASSERT_EQ(read_file(t, a, 32 * MiB), 0);
	ASSERT_EQ(read_file(t, a, 32 * MiB), 0);
	/* B is the new one, used over and over: too big for what the
	 * inactive list has beside A, so without refault detection each
	 * pass would evict B before its second use. */
	for (int pass = 0; pass < 6; pass++)
		ASSERT_EQ(read_file(t, b, 32 * MiB), 0);
	ASSERT_TRUE(node_stat(WORKINGSET_REFAULT_FILE) > 0);
	ASSERT_TRUE(node_stat(WORKINGSET_ACTIVATE_FILE) > 0);
	before = (long)global_vm_event(PGPGIN);
	ASSERT_EQ(read_file(t, b, 32 * MiB), 0);
	/* B has taken over: its last pass reads (almost) nothing from disk. */
	ASSERT_LE((long)global_vm_event(PGPGIN) - before, 32 * MiB / 512 / 10);
	ksys_cachestat(t, a, 0, 0, &cs, 0);
	ASSERT_TRUE(cs.nr_evicted > 0);			/* A made room, leaving shadows */
	ASSERT_LE(cs.nr_recently_evicted, cs.nr_evicted);
	ASSERT_EQ(kmm_check_invariants(kmm_cur()), 0);
	ASSERT_EQ(kmm_nr_reports(), 0);
	kmm_shutdown(NULL);
}

TEST(shadow_entries_are_counted_and_bounded)
{
	struct task_struct *t = boot_mem(32 * MiB);
	int big = make_file(t, "/big", 512 * MiB);
	unsigned long present = kmm_cur()->mem->node.node_present_pages;
	struct cachestat cs;

	ASSERT_EQ(read_file(t, big, 512 * MiB), 0);
	ksys_cachestat(t, big, 0, 0, &cs, 0);
	ASSERT_TRUE(cs.nr_evicted > 0);
	ASSERT_LE(cs.nr_cache + cs.nr_evicted, 512 * MiB / PG);
	/* Nodes of shadows only, beyond 1/8 of a node a page, were freed. */
	ASSERT_TRUE(node_stat(WORKINGSET_NODERECLAIM) > 0);
	ASSERT_LE(node_stat(WORKINGSET_NODES), present / 8 + 64);
	/* fadvise(DONTNEED) drops the pages and the shadows. */
	ASSERT_EQ(ksys_fadvise64_64(t, big, 0, 0, POSIX_FADV_DONTNEED), 0);
	ksys_cachestat(t, big, 0, 0, &cs, 0);
	ASSERT_EQ(cs.nr_evicted, 0);
	ASSERT_EQ(kmm_check_invariants(kmm_cur()), 0);
	ASSERT_EQ(kmm_nr_reports(), 0);
	kmm_shutdown(NULL);
}

TEST(madv_pageout_skips_dirty_and_shared_pages_and_cold_deactivates)
{
	struct task_struct *t = boot_mem(64 * MiB), *child;
	int fd = make_file(t, "/f", 256 * PG);
	long addr = do_mmap_pgoff(t->mm, fget_raw(t->files, fd), 0, 256 * PG,
				  PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	struct cachestat cs;
	int err;

	ASSERT_TRUE(addr > 0);
	/* Pages 0-63 dirty, 64-255 clean; all mapped and then used again,
	 * so they are active. */
	ASSERT_EQ(touch(t, addr, 64 * PG, PF_WRITE), 0);
	ASSERT_EQ(touch(t, addr + 64 * PG, 192 * PG, 0), 0);
	for (long i = 0; i < 256; i++)
		folio_mark_accessed(find_get_page(&fget_raw(t->files, fd)->f_inode->i_data, (pgoff_t)i));
	lru_add_drain_all(kmm_cur());
	unsigned long active = node_stat(NR_ACTIVE_FILE);
	/* MADV_COLD: to the inactive list, still cached and mapped. */
	ASSERT_EQ(do_madvise(t->mm, (unsigned long)addr + 128 * PG, 64 * PG, MADV_COLD), 0);
	lru_add_drain_all(kmm_cur());
	ASSERT_TRUE(node_stat(NR_ACTIVE_FILE) <= active - 60);
	ASSERT_EQ(cached(t, fd), 256);
	/* A child maps pages 192-255 too: PAGEOUT leaves those alone. */
	child = kernel_fork(t, &err);
	ASSERT_NOT_NULL(child);
	ASSERT_EQ(do_munmap(child->mm, (unsigned long)addr, 192 * PG), 0);
	ASSERT_EQ(touch(child, addr + 192 * PG, 64 * PG, 0), 0);
	ASSERT_EQ(do_madvise(t->mm, (unsigned long)addr, 256 * PG, MADV_PAGEOUT), 0);
	ksys_cachestat(t, fd, 0, 0, &cs, 0);
	ASSERT_EQ(cs.nr_cache, 64 + 64);		/* the dirty ones and the shared ones */
	ASSERT_EQ(cs.nr_evicted, 128);			/* 64-191 went, shadows left */
	ASSERT_EQ(cs.nr_dirty, 64);
	/* As Linux's shrink_folio_list, the dirty pages were unmapped before
	 * their dirtiness sent them to the flusher: only the shared stay. */
	ASSERT_EQ(t->mm->rss_stat[MM_FILEPAGES], 64);
	do_exit(child);
	ASSERT_EQ(kmm_check_invariants(kmm_cur()), 0);
	if (kmm_nr_reports())
		fprintf(stderr, "%s", last_report);
	ASSERT_EQ(kmm_nr_reports(), 0);
	kmm_shutdown(NULL);
}

TEST(a_fragmenting_fallback_boosts_the_watermarks_and_kswapd_spends_it)
{
	struct task_struct *t = boot_mem(128 * MiB);
	int big = make_file(t, "/big", 160 * MiB);
	struct kmm *k = kmm_cur();
	struct zone *dma32 = &k->mem->node.node_zones[ZONE_DMA32];
	static struct page *pages[8192];
	unsigned long steal, boost = 0;
	int n;

	/* Memory full of movable page cache, then unmovable allocations that
	 * must break into its pageblocks. */
	ASSERT_EQ(read_file(t, big, 160 * MiB), 0);
	steal = event(PGSTEAL_KSWAPD);
	for (n = 0; n < 8192 && !boost; n++) {
		pages[n] = alloc_pages(GFP_NOWAIT | __GFP_NOWARN, 0);
		ASSERT_NOT_NULL(pages[n]);
		boost = READ_ONCE(dma32->watermark_boost);
	}
	ASSERT_TRUE(boost >= 512);			/* a pageblock at least */
	/* GFP_NOWAIT woke kswapd for the next timer point: it reclaims the
	 * boost's worth and spends it. */
	run_timers(k);
	ASSERT_EQ(dma32->watermark_boost, 0);
	ASSERT_TRUE(event(PGSTEAL_KSWAPD) > steal);
	while (n--)
		__free_pages(pages[n], 0);
	ASSERT_EQ(kmm_check_invariants(k), 0);
	ASSERT_EQ(kmm_nr_reports(), 0);
	kmm_shutdown(NULL);
}

/* The 8 bytes at the start of anonymous page i of a test: its number, mixed. */
static unsigned long anon_word(unsigned long i)
{
	return i * 0x9e3779b97f4a7c15ul + 1;
}

static long write_words(struct task_struct *t, long addr, unsigned long pages)
{
	struct kmm_siginfo si = { 0 };

	for (unsigned long i = 0; i < pages; i++) {
		unsigned long w = anon_word(i);

		if (user_copy(t, (unsigned long)addr + i * PG, &w, sizeof(w), true, &si)) {
			fprintf(stderr, "  write page %lu: signal %d pswpout %lu pgscan_anon %lu "
				"pgsteal_anon %lu swapents %lu anon %lu writeback %lu swapcached %lu "
				"ia %lu aa %lu\n", i, si.signo, event(PSWPOUT), event(PGSCAN_ANON),
				event(PGSTEAL_ANON), t->mm->rss_stat[MM_SWAPENTS],
				t->mm->rss_stat[MM_ANONPAGES], node_stat(NR_WRITEBACK),
				node_stat(NR_SWAPCACHED), node_stat(NR_INACTIVE_ANON),
				node_stat(NR_ACTIVE_ANON));
			return -1;
		}
	}
	return 0;
}

/* The pages whose word is not what write_words wrote (or unreadable). */
static long bad_words(struct task_struct *t, long addr, unsigned long pages)
{
	struct kmm_siginfo si = { 0 };
	long bad = 0;

	for (unsigned long i = 0; i < pages; i++) {
		unsigned long w = 0;

		pte_t *pte = pte_lookup(t->mm, (unsigned long)addr + i * PG);
		pte_t before = pte ? ptep_get(pte) : __pte(0);

		if (user_copy(t, (unsigned long)addr + i * PG, &w, sizeof(w), false, &si) ||
		    w != anon_word(i)) {
			if (!bad && getenv("KMM_TEST_VERBOSE"))
				fprintf(stderr, "  page %lu: %#lx, want %#lx; pte before %#lx after %#lx\n",
					i, w, anon_word(i), pte_val(before), pte ? pte_val(ptep_get(pte)) : 0);
			bad++;
		}
	}
	return bad;
}

TEST(anonymous_memory_goes_to_swap_and_comes_back)
{
	struct kmm_config cfg = { .mem = 64 * MiB, .cpus = 1, .quiet = 1, .norandmaps = 1,
				  .swap = 256 * MiB };
	struct task_struct *t = boot_and_spawn(&cfg), *child;
	unsigned long pages = 96 * MiB / PG, total, free_swap;
	struct kmm *k = kmm_cur();
	long addr = do_mmap(t->mm, 0, 96 * MiB, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS);
	unsigned long majflt;
	int err;

	ASSERT_TRUE(addr > 0);
	/* 96 MiB of anonymous memory on a 64 MiB machine: it must swap. */
	ASSERT_EQ(write_words(t, addr, pages), 0);
	ASSERT_TRUE(event(PSWPOUT) > 8192);
	ASSERT_TRUE(event(PGSCAN_ANON) > 0);
	ASSERT_TRUE(t->mm->rss_stat[MM_SWAPENTS] > 8192);
	ASSERT_EQ(t->mm->rss_stat[MM_SWAPENTS] + t->mm->rss_stat[MM_ANONPAGES] >= pages, true);
	ASSERT_EQ(kmm_check_invariants(k), 0);
	ASSERT_EQ(check_swap_references(k), 0);
	/* Every page reads back what was written: the swapped ones through
	 * major faults. */
	majflt = t->maj_flt;
	ASSERT_EQ(bad_words(t, addr, pages), 0);
	ASSERT_TRUE(t->maj_flt > majflt);
	ASSERT_TRUE(event(PSWPIN) > 0);
	if (kmm_check_invariants(k))
		fprintf(stderr, "%s", last_report);
	ASSERT_EQ(kmm_check_invariants(k), 0);
	ASSERT_EQ(check_swap_references(k), 0);
	/* fork shares the swap slots; the child reads the same words, and its
	 * writes (copy on write) do not reach the parent. */
	child = kernel_fork(t, &err);
	ASSERT_NOT_NULL(child);
	ASSERT_EQ(bad_words(child, addr, pages), 0);
	{
		struct kmm_siginfo si = { 0 };
		unsigned long w = 42;

		ASSERT_EQ(user_copy(child, (unsigned long)addr, &w, sizeof(w), true, &si), 0);
	}
	ASSERT_EQ(bad_words(t, addr, pages), 0);
	ASSERT_EQ(kmm_check_invariants(k), 0);
	ASSERT_EQ(check_swap_references(k), 0);
	do_exit(child);
	/* munmap gives every slot back. */
	ASSERT_EQ(do_munmap(t->mm, (unsigned long)addr, 96 * MiB), 0);
	lru_add_drain_all(k);
	si_swapinfo(k, &total, &free_swap);
	/* What is left on swap is the rest of the process (its stack...):
	 * a few pages, each slot named by a PTE or held by the swap cache. */
	ASSERT_LE(t->mm->rss_stat[MM_SWAPENTS], 16);
	ASSERT_LE(total - free_swap, t->mm->rss_stat[MM_SWAPENTS] + node_stat(NR_SWAPCACHED));
	ASSERT_EQ(kmm_check_invariants(k), 0);
	ASSERT_EQ(check_swap_references(k), 0);
	if (kmm_nr_reports())
		fprintf(stderr, "%s", last_report);
	ASSERT_EQ(kmm_nr_reports(), 0);
	kmm_shutdown(NULL);
}

TEST(swapoff_brings_every_page_back_or_refuses_with_nothing_lost)
{
	struct kmm_config cfg = { .mem = 64 * MiB, .cpus = 1, .quiet = 1, .norandmaps = 1 };
	struct task_struct *t = boot_and_spawn(&cfg);
	unsigned long pages = 96 * MiB / PG, total, free_swap;
	struct kmm *k = kmm_cur();
	long addr;

	ASSERT_EQ(kmm_mkswap("/swapfile", 256 * MiB, NULL), 0);
	ASSERT_EQ(ksys_swapon("/swapfile", 0), 0);
	addr = do_mmap(t->mm, 0, 96 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	ASSERT_TRUE(addr > 0);
	ASSERT_EQ(write_words(t, addr, pages), 0);
	ASSERT_TRUE(t->mm->rss_stat[MM_SWAPENTS] > 8192);
	/* 96 MiB cannot all come back into 64 MiB: ENOMEM, the area stays on,
	 * every page still reads back. */
	ASSERT_EQ(ksys_swapoff("/swapfile"), -ENOMEM);
	si_swapinfo(k, &total, &free_swap);
	ASSERT_EQ(total, 256 * MiB / PG - 1);
	ASSERT_EQ(bad_words(t, addr, pages), 0);
	ASSERT_EQ(kmm_check_invariants(k), 0);
	ASSERT_EQ(check_swap_references(k), 0);
	/* Half of it fits: swapoff brings it back and the area goes. */
	ASSERT_EQ(do_munmap(t->mm, (unsigned long)addr + 48 * MiB, 48 * MiB), 0);
	ASSERT_EQ(ksys_swapoff("/swapfile"), 0);
	si_swapinfo(k, &total, &free_swap);
	ASSERT_EQ(total, 0);
	ASSERT_EQ(t->mm->rss_stat[MM_SWAPENTS], 0);
	ASSERT_EQ(node_stat(NR_SWAPCACHED), 0);
	ASSERT_EQ(bad_words(t, addr, pages / 2), 0);
	ASSERT_EQ(kmm_check_invariants(k), 0);
	ASSERT_EQ(check_swap_references(k), 0);
	if (kmm_nr_reports())
		fprintf(stderr, "%s", last_report);
	ASSERT_EQ(kmm_nr_reports(), 0);
	kmm_shutdown(NULL);
}

int main(void)
{
	RUN_TEST(new_pages_join_the_inactive_list_after_their_batch);
	RUN_TEST(a_stream_four_times_ram_is_reclaimed_by_kswapd);
	RUN_TEST(a_file_read_twice_survives_a_use_once_stream);
	RUN_TEST(a_mapping_larger_than_ram_is_unmapped_and_reads_back);
	RUN_TEST(pages_mapped_and_touched_twice_are_activated);
	RUN_TEST(dirty_pages_go_to_the_flusher_not_away);
	RUN_TEST(mlocked_pages_are_unevictable_until_munlock);
	RUN_TEST(anonymous_memory_stays_without_swap);
	RUN_TEST(an_allocation_that_does_not_wake_kswapd_reclaims_directly);
	RUN_TEST(a_new_working_set_refaults_into_the_active_list);
	RUN_TEST(shadow_entries_are_counted_and_bounded);
	RUN_TEST(madv_pageout_skips_dirty_and_shared_pages_and_cold_deactivates);
	RUN_TEST(a_fragmenting_fallback_boosts_the_watermarks_and_kswapd_spends_it);
	RUN_TEST(anonymous_memory_goes_to_swap_and_comes_back);
	RUN_TEST(swapoff_brings_every_page_back_or_refuses_with_nothing_lost);
	return harness_summary();
}
