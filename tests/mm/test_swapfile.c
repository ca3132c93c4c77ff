/*
 * tests/mm/test_swapfile.c - swap areas (mm/swapfile.c, mm/page_io.c)
 * and the swap entries page tables hold (<kmm/swapops.h>, x86-64's
 * encoding in <kmm/pgtable.h>):
 *
 *   - encoding: every type and offset a PTE can hold comes back from it;
 *     a swap PTE is never present to the MMU, never protnone, never none;
 *     the guard marker is a PTE marker, not a slot of an area;
 *   - headers: kmm's mkswap and the host's (util-linux) both swap on, and
 *     the host's blkid and file read kmm's header as kmm wrote it; a
 *     byte-swapped header is turned round; each bad header (magic,
 *     version, last_page 0 or past the file, a file shorter than a page,
 *     holes, bad pages in a file, already on, a directory, bad flags) is
 *     refused with Linux's errno and leaves every area as it was;
 *   - priorities: -2, -3 ... by default, given ones above them, at most
 *     MAX_SWAPFILES areas (EPERM), a swapoff closing the default ones up;
 *   - slots: one CPU's allocations are consecutive, a cluster at a time,
 *     in Linux's cluster order; equal priorities take turns per cluster;
 *     a full area gives no slot and takes slots again once one is freed;
 *     counts (duplicate, free, the cache bit, SWAP_MAP_MAX) and bad
 *     entries, which are reported and change nothing;
 *   - a partition: bad pages become SWAP_MAP_BAD, I/O by bios on kda,
 *     a mounted or read-only device refused, a mount of it refused;
 *   - I/O: a page written to its slot is in the host file and reads back
 *     with the same CRC, costing simulated disk time; a queued write is
 *     PG_writeback until the disk finishes; an injected disk error keeps
 *     the page dirty and is reported once;
 *   - views: /proc/swaps and meminfo's Swap lines; swapoff with nothing in
 *     use, EBUSY with slots in use, ENOMEM when the commit would not fit;
 *     a swap file refuses writes and truncation (ETXTBSY);
 *   - random slot operations against a model, the checker after each.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <kmm/fs.h>
#include <kmm/sched.h>
#include <kmm/swap.h>
#include <kmm/swapops.h>
#include <kmm/timer.h>
#include "mm/internal.h"
#include "mm/memory.h"
#include "mm/swap.h"
#include "hw/machine.h"
#include "base/crc32.h"
#include "tests/harness.h"
#include "tests/kmm_test.h"
#include "tests/fs_test.h"

#define PG	4096ul
#define BASE	0x10000000ul

/* A fresh machine over a fresh host directory (fs=DIR), with pid 1. */
static struct kmm *boot_dir(const char *name)
{
	make_test_dir(name);
	boot_on_test_dir("");
	return kmm_cur();
}

/* ---- swap entries in PTEs -------------------------------------------------- */

static int round_trips(unsigned long type, unsigned long offset)
{
	swp_entry_t e = swp_entry(type, offset), back;
	pte_t pte = swp_entry_to_pte(e);

	back = pte_to_swp_entry(pte);
	return back.val == e.val && swp_type(back) == type && swp_offset(back) == offset &&
	       is_swap_pte(pte) && !pte_present(pte) && !pte_none(pte) &&
	       !(pte_val(pte) & _PAGE_PROTNONE);
}

TEST(swap_pte_round_trips_every_type_and_offset)
{
	const unsigned long max_offset = (1ul << SWP_OFFSET_BITS) - 1;
	unsigned long type, i;

	rng_seed(TEST_SEED());
	for (type = 0; type < (1ul << MAX_SWAPFILES_SHIFT); type++) {
		ASSERT_TRUE(round_trips(type, 0));
		ASSERT_TRUE(round_trips(type, 1));
		ASSERT_TRUE(round_trips(type, 511));
		ASSERT_TRUE(round_trips(type, 512));
		ASSERT_TRUE(round_trips(type, 0xffffffffu));
		ASSERT_TRUE(round_trips(type, max_offset - 1));
		if (type)
			ASSERT_TRUE(round_trips(type, max_offset));
		for (i = 0; i < 64; i++)
			ASSERT_TRUE(round_trips(type, 1ul << (i % SWP_OFFSET_BITS)));
		for (i = 0; i < 1000; i++)
			ASSERT_TRUE(round_trips(type, rng_next() & (max_offset >> 1)));
	}
	/* The one entry that would read as an empty PTE: type 0 at the last
	 * offset.  No area gets there: an area's size (max) is 32 bits. */
	ASSERT_TRUE(pte_none(swp_entry_to_pte(swp_entry(0, max_offset))));
	/* x86-64's layout: type in bits 59-63, ~offset in 9-58, bits 0-8 clear. */
	ASSERT_EQ(pte_val(swp_entry_to_pte(swp_entry(0, 0))), 0x07fffffffffffe00ul);
	ASSERT_EQ(pte_val(swp_entry_to_pte(swp_entry(3, 1))), 0x1ffffffffffffc00ul);
	ASSERT_EQ(pte_val(swp_entry_to_pte(swp_entry(31, max_offset))), 0xf800000000000000ul);
	/* An offset past the 50 bits does not survive: the largest area. */
	ASSERT_EQ(swp_offset(pte_to_swp_entry(swp_entry_to_pte(swp_entry(0, ~0ul)))), max_offset);
}

TEST(guard_marker_is_a_pte_marker)
{
	pte_t g = __pte(_PAGE_GUARD);

	ASSERT_TRUE(is_swap_pte(g));
	ASSERT_TRUE(is_pte_marker(g));
	ASSERT_TRUE(non_swap_entry(pte_to_swp_entry(g)));
	ASSERT_EQ(pte_marker_get(g), PTE_MARKER_GUARD);
	ASSERT_FALSE(pte_mapped(g));
	ASSERT_FALSE(non_swap_entry(swp_entry(MAX_SWAPFILES - 1, 5)));
	ASSERT_EQ(MAX_SWAPFILES, 23);
}

/* A swap PTE in a process's page table: the MMU's walk faults on it as
 * not present (no PF_PROT), at the PTE level. */
TEST(swap_pte_is_not_present_to_the_mmu)
{
	struct task_struct *p;
	struct mmu_walk w;
	unsigned int type;
	pte_t *ptep, old;

	boot_dir("swapmmu");
	p = next_task(0);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(do_mmap(p->mm, BASE, PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), (long)BASE);
	ASSERT_EQ(mmu_walk(p->mm->pgd, BASE, PF_USER, &w) & PF_FAULT, PF_FAULT);
	ASSERT_EQ(handle_mm_fault(find_vma(p->mm, BASE), BASE, FAULT_FLAG_WRITE), 0);
	ASSERT_EQ(mmu_walk(p->mm->pgd, BASE, PF_USER | PF_WRITE, &w), 0);
	ptep = pte_lookup(p->mm, BASE);
	ASSERT_NOT_NULL(ptep);
	old = ptep_get(ptep);
	for (type = 0; type < MAX_SWAPFILES; type++) {
		pte_t swp = swp_entry_to_pte(swp_entry(type, 1 + type * 1000));
		int r;

		set_pte(ptep, swp);
		r = mmu_walk(p->mm->pgd, BASE, PF_USER | PF_WRITE | PF_PEEK, &w);
		ASSERT_EQ(r, PF_FAULT | PF_USER | PF_WRITE);
		ASSERT_EQ(w.level, PT_PTE);
		ASSERT_EQ(w.entries[3], pte_val(swp));
		ASSERT_FALSE(pte_mapped(swp));
	}
	set_pte(ptep, old);
	shutdown_dir();
}

/* ---- helpers ------------------------------------------------------------------- */

static char hpath[512];

/* The host path of name in the test directory. */
static const char *host_path(const char *name)
{
	snprintf(hpath, sizeof(hpath), "%s/%s", dir, name);
	return hpath;
}

/* A host file of pages pages, every byte written (no hole), with hdr (if
 * any) as its first page. */
static void make_host_file(const char *name, unsigned long pages, const void *hdr)
{
	static const char zero[PG];
	int fd = open(host_path(name), O_RDWR | O_CREAT | O_TRUNC, 0600);
	unsigned long i;

	if (fd < 0)
		abort();
	for (i = 0; i < pages; i++)
		if (pwrite(fd, zero, PG, (off_t)(i * PG)) != (ssize_t)PG)
			abort();
	if (hdr && pwrite(fd, hdr, PG, 0) != (ssize_t)PG)
		abort();
	close(fd);
}

static const unsigned char test_uuid[16] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0x4d, 0xef,
					     0x80, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };

static union swap_header hdr;

/* hdr made a good header of pages pages. */
static union swap_header *good_header(unsigned long pages)
{
	mkswap_header(&hdr, pages, test_uuid, "test");
	return &hdr;
}

static char swaps_before[4096], swaps_now[4096];

static void snap_swaps(void)
{
	kmm_proc_read("/proc/swaps", swaps_before, sizeof(swaps_before));
}

/* A refused call changed nothing: the checker holds, /proc/swaps is as it was. */
#define ASSERT_UNCHANGED(k)							\
	do {									\
		kmm_proc_read("/proc/swaps", swaps_now, sizeof(swaps_now));	\
		ASSERT_STR_EQ(swaps_now, swaps_before);				\
		ASSERT_EQ(check_swap_invariants(k), 0);				\
	} while (0)

static struct swap_info_struct *area(struct kmm *k, int type)
{
	return k->mem->swap_info[type];
}

static unsigned char map_of(struct kmm *k, swp_entry_t e)
{
	return area(k, (int)swp_type(e))->swap_map[swp_offset(e)];
}

/* The output of a host command, or "" if it did not run. */
static const char *run_host(const char *cmd)
{
	static char out[4096];
	FILE *p = popen(cmd, "r");
	size_t n = 0;

	out[0] = 0;
	if (!p)
		return out;
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	pclose(p);
	return out;
}

/* ---- headers -------------------------------------------------------------------- */

TEST(kmm_and_host_mkswap_are_accepted)
{
	struct kmm *k = boot_dir("swaphdr");
	unsigned char uuid[16];
	char want[256], cmd[700];
	const char *out;
	int fd;

	ASSERT_EQ(kmm_mkswap("/a", 1ul << 20, "kmmlab"), 0);
	ASSERT_EQ(ksys_swapon("/a", 0), 0);
	ASSERT_EQ(area(k, 0)->pages, 255);
	ASSERT_EQ(area(k, 0)->prio, -2);
	/* The host reads kmm's header as kmm wrote it. */
	fd = open(host_path("a"), O_RDONLY);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(pread(fd, uuid, 16, 1036), 16);
	close(fd);
	ASSERT_EQ(uuid[6] >> 4, 4);	/* a version-4 uuid */
	snprintf(want, sizeof(want),
		 "UUID=%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7], uuid[8],
		 uuid[9], uuid[10], uuid[11], uuid[12], uuid[13], uuid[14], uuid[15]);
	if (!access("/sbin/blkid", X_OK)) {
		snprintf(cmd, sizeof(cmd), "/sbin/blkid -o export %s", host_path("a"));
		out = run_host(cmd);
		ASSERT_CONTAINS(out, "TYPE=swap");
		ASSERT_CONTAINS(out, "LABEL=kmmlab");
		ASSERT_CONTAINS(out, want);
	} else {
		printf("  skip: no /sbin/blkid\n");
	}
	if (!access("/sbin/swaplabel", X_OK)) {
		snprintf(cmd, sizeof(cmd), "/sbin/swaplabel %s", host_path("a"));
		out = run_host(cmd);
		ASSERT_CONTAINS(out, "LABEL: kmmlab");
		ASSERT_CONTAINS(out, want + 5);
	}
	if (!access("/usr/bin/file", X_OK)) {
		snprintf(cmd, sizeof(cmd), "/usr/bin/file -b %s", host_path("a"));
		out = run_host(cmd);
		ASSERT_CONTAINS(out, "Linux swap file, 4k page size, little endian, version 1, "
				     "size 255 pages, 0 bad pages, LABEL=kmmlab");
		ASSERT_CONTAINS(out, want + 5);
	} else {
		printf("  skip: no /usr/bin/file\n");
	}
	/* The host's mkswap makes what kmm's swapon takes. */
	if (!access("/sbin/mkswap", X_OK)) {
		make_host_file("b", 512, NULL);
		snprintf(cmd, sizeof(cmd), "/sbin/mkswap -q -L hostlab -U "
			 "01234567-89ab-4def-8123-456789abcdef %s >/dev/null 2>&1", host_path("b"));
		ASSERT_EQ(system(cmd), 0);
		ASSERT_EQ(ksys_swapon("/b", SWAP_FLAG_PREFER | 7), 0);
		ASSERT_EQ(area(k, 1)->pages, 511);
		ASSERT_EQ(area(k, 1)->prio, 7);
	} else {
		printf("  skip: no /sbin/mkswap (util-linux)\n");
	}
	ASSERT_EQ(check_swap_invariants(k), 0);
	shutdown_dir();
}

TEST(a_byte_swapped_header_is_turned_round)
{
	struct kmm *k = boot_dir("swapbe");
	union swap_header *h = good_header(16);

	h->info.version = __builtin_bswap32(1);
	h->info.last_page = __builtin_bswap32(15);
	make_host_file("be", 16, h);
	ASSERT_EQ(ksys_swapon("/be", 0), 0);
	ASSERT_EQ(area(k, 0)->max, 16);
	ASSERT_EQ(ksys_swapoff("/be"), 0);
	shutdown_dir();
}

/* One refused swapon: errno, a report if Linux gives one, nothing changed. */
static long refuse(struct kmm *k, const char *path, int flags, const char *report)
{
	long r;

	reports_seen = 0;
	last_report[0] = 0;
	r = ksys_swapon(path, flags);
	if (report && !strstr(last_report, report))
		return -1000;
	return r;
}

TEST(bad_headers_are_refused_and_change_nothing)
{
	struct kmm *k = boot_dir("swapbad");
	union swap_header *h;
	swp_entry_t e;
	int fd;

	ASSERT_EQ(kmm_mkswap("/good", 1ul << 20, NULL), 0);
	ASSERT_EQ(ksys_swapon("/good", 0), 0);
	e = get_swap_page_of_type(0);
	ASSERT_NE(e.val, 0);
	snap_swaps();

	h = good_header(16);
	memset(h->magic.magic, 0, SWAP_MAGIC_LEN);
	make_host_file("nomagic", 16, h);
	ASSERT_EQ(refuse(k, "/nomagic", 0, "Unable to find swap-space signature"), -EINVAL);
	ASSERT_UNCHANGED(k);

	h = good_header(16);
	h->info.version = 2;
	make_host_file("v2", 16, h);
	ASSERT_EQ(refuse(k, "/v2", 0, "Unable to handle swap header version 2"), -EINVAL);
	ASSERT_UNCHANGED(k);

	h = good_header(16);
	h->info.last_page = 0;
	make_host_file("lp0", 16, h);
	ASSERT_EQ(refuse(k, "/lp0", 0, "Empty swap-file"), -EINVAL);
	ASSERT_UNCHANGED(k);

	make_host_file("long", 16, good_header(100));
	ASSERT_EQ(refuse(k, "/long", 0, "Swap area shorter than signature indicates"), -EINVAL);
	ASSERT_UNCHANGED(k);

	fd = open(host_path("tiny"), O_RDWR | O_CREAT, 0600);
	ASSERT_EQ(pwrite(fd, "SWAPSPACE2", 10, 90), 10);
	close(fd);
	ASSERT_EQ(refuse(k, "/tiny", 0, "Unable to find swap-space signature"), -EINVAL);
	ASSERT_UNCHANGED(k);

	/* The header written, the rest never: holes. */
	fd = open(host_path("holes"), O_RDWR | O_CREAT, 0600);
	ASSERT_EQ(pwrite(fd, good_header(256), PG, 0), (long)PG);
	ASSERT_EQ(ftruncate(fd, 256 * PG), 0);
	close(fd);
	ASSERT_EQ(refuse(k, "/holes", 0, "swapon: swapfile has holes"), -EINVAL);
	ASSERT_UNCHANGED(k);

	/* Bad pages in a file: Linux takes them only on a partition. */
	h = good_header(16);
	h->info.nr_badpages = 1;
	h->info.badpages[0] = 5;
	make_host_file("badpages", 16, h);
	ASSERT_EQ(refuse(k, "/badpages", 0, NULL), -EINVAL);
	ASSERT_UNCHANGED(k);

	ASSERT_EQ(refuse(k, "/good", 0, NULL), -EBUSY);
	ASSERT_UNCHANGED(k);
	ASSERT_EQ(refuse(k, "/", 0, NULL), -EISDIR);
	ASSERT_EQ(refuse(k, "/missing", 0, NULL), -ENOENT);
	ASSERT_EQ(refuse(k, "/nomagic", 0x100000, NULL), -EINVAL);
	ASSERT_EQ(refuse(k, "/dev/shm/x", 0, NULL), -ENOENT);
	ASSERT_UNCHANGED(k);

	/* The area on before still works as it did. */
	ASSERT_EQ(swp_swapcount(e), 1);
	swap_free(e);
	ASSERT_EQ(area(k, 0)->inuse_pages, 0);
	ASSERT_EQ(check_swap_invariants(k), 0);
	shutdown_dir();
}

/* ---- priorities ------------------------------------------------------------------ */

TEST(priorities_and_max_swapfiles)
{
	struct kmm *k = boot_dir("swapprio");
	char name[32];
	int i;

	for (i = 0; i <= MAX_SWAPFILES; i++) {
		snprintf(name, sizeof(name), "/s%d", i);
		ASSERT_EQ(kmm_mkswap(name, 40 << 10, NULL), 0);
		if (i < MAX_SWAPFILES)
			ASSERT_EQ(ksys_swapon(name, 0), 0);
	}
	for (i = 0; i < MAX_SWAPFILES; i++)
		ASSERT_EQ(area(k, i)->prio, -2 - i);
	ASSERT_EQ(ksys_swapon("/s23", 0), -EPERM);
	ASSERT_EQ(ksys_swapon("/missing", 0), -EPERM);	/* checked before the open */
	/* The default priorities below one that goes close up. */
	ASSERT_EQ(ksys_swapoff("/s5"), 0);
	ASSERT_EQ(area(k, 4)->prio, -6);
	ASSERT_EQ(area(k, 6)->prio, -7);
	ASSERT_EQ(area(k, 22)->prio, -23);
	ASSERT_EQ(ksys_swapon("/s23", SWAP_FLAG_PREFER | 32767), 0);
	ASSERT_EQ(area(k, 5)->prio, 32767);	/* type 5 again */
	ASSERT_EQ(list_first_entry(&k->mem->swap_active_head, struct swap_info_struct, list),
		  area(k, 5));
	ASSERT_EQ(get_total_swap_pages(k), MAX_SWAPFILES * 9);
	ASSERT_EQ(check_swap_invariants(k), 0);
	shutdown_dir();
}

/* ---- slots ------------------------------------------------------------------------ */

static unsigned long alloc_offset(void)
{
	return swp_offset(folio_alloc_swap(NULL));
}

TEST(one_cpu_takes_consecutive_slots_cluster_by_cluster)
{
	struct kmm *k = boot_dir("swapclust");
	unsigned long i, first[4] = { 512, 1024, 1536, 1 };
	swp_entry_t e;
	int c;

	ASSERT_EQ(kmm_mkswap("/c", 8ul << 20, NULL), 0);	/* 2048 slots, 4 clusters */
	ASSERT_EQ(ksys_swapon("/c", 0), 0);
	/* Free clusters first (1, 2, 3), then the header's (0) from slot 1. */
	for (c = 0; c < 4; c++) {
		unsigned long n = c == 3 ? 511 : 512;

		for (i = 0; i < n; i++)
			ASSERT_EQ(alloc_offset(), first[c] + i);
		ASSERT_EQ(check_swap_invariants(k), 0);
	}
	ASSERT_EQ(get_nr_swap_pages(k), 0);
	ASSERT_EQ(folio_alloc_swap(NULL).val, 0);	/* full */
	ASSERT_EQ(get_swap_page_of_type(0).val, 0);
	ASSERT_TRUE(list_empty(&area(k, 0)->avail_list));
	ASSERT_EQ(map_of(k, swp_entry(0, 700)), SWAP_HAS_CACHE);
	/* A slot freed is the next one given. */
	e = swp_entry(0, 700);
	put_swap_folio(NULL, e);
	ASSERT_EQ(map_of(k, e), 0);
	ASSERT_EQ(get_nr_swap_pages(k), 1);
	ASSERT_EQ(check_swap_invariants(k), 0);
	ASSERT_EQ(alloc_offset(), 700);
	/* A big area lists its free clusters 32 apart: the first slot is
	 * cluster 32's, as Linux gives. */
	ASSERT_EQ(kmm_mkswap("/big", 256ul << 20, NULL), 0);
	ASSERT_EQ(ksys_swapon("/big", SWAP_FLAG_PREFER | 1), 0);
	e = folio_alloc_swap(NULL);
	ASSERT_EQ(swp_type(e), 1);
	ASSERT_EQ(swp_offset(e), 32 * 512);
	ASSERT_EQ(alloc_offset(), 32 * 512 + 1);
	ASSERT_EQ(check_swap_invariants(k), 0);
	shutdown_dir();
}

TEST(equal_priorities_take_turns_a_cluster_each)
{
	struct kmm *k = boot_dir("swaprr");
	int round, i;

	ASSERT_EQ(kmm_mkswap("/a", 8ul << 20, NULL), 0);
	ASSERT_EQ(kmm_mkswap("/b", 8ul << 20, NULL), 0);
	ASSERT_EQ(kmm_mkswap("/low", 8ul << 20, NULL), 0);
	ASSERT_EQ(ksys_swapon("/low", SWAP_FLAG_PREFER | 5), 0);
	ASSERT_EQ(ksys_swapon("/a", SWAP_FLAG_PREFER | 10), 0);
	ASSERT_EQ(ksys_swapon("/b", SWAP_FLAG_PREFER | 10), 0);
	for (round = 0; round < 6; round++) {
		unsigned int want = 1 + (unsigned int)(round & 1);	/* a, b, a, b ... */

		for (i = 0; i < 512; i++) {
			swp_entry_t e = folio_alloc_swap(NULL);

			ASSERT_EQ(swp_type(e), want);
			ASSERT_EQ(swp_offset(e), 512ul * (1 + round / 2) + (unsigned long)i);
		}
	}
	/* The lower priority only when both are full. */
	ASSERT_EQ(area(k, 0)->inuse_pages, 0);
	for (i = 0; i < 2 * 511; i++)
		ASSERT_NE(swp_type(folio_alloc_swap(NULL)), 0);
	ASSERT_EQ(swp_type(folio_alloc_swap(NULL)), 0);
	ASSERT_EQ(check_swap_invariants(k), 0);
	shutdown_dir();
}

TEST(counts_duplicate_free_and_the_cache_bit)
{
	struct kmm *k = boot_dir("swapcount");
	unsigned long inuse;
	swp_entry_t e;
	int i;

	ASSERT_EQ(kmm_mkswap("/c", 8ul << 20, NULL), 0);
	ASSERT_EQ(ksys_swapon("/c", 0), 0);
	e = get_swap_page_of_type(0);
	ASSERT_EQ(map_of(k, e), 1);
	for (i = 1; i < SWAP_MAP_MAX; i++)
		ASSERT_EQ(swap_duplicate(e), 0);
	ASSERT_EQ(swp_swapcount(e), SWAP_MAP_MAX);
	ASSERT_EQ(swap_duplicate(e), -ENOMEM);		/* no continuation */
	ASSERT_EQ(swp_swapcount(e), SWAP_MAP_MAX);
	for (i = 1; i < SWAP_MAP_MAX; i++)
		swap_free(e);
	ASSERT_EQ(__swap_count(e), 1);
	/* The cache bit: one claim at a time. */
	ASSERT_EQ(swapcache_prepare(e, 1), 0);
	ASSERT_EQ(swapcache_prepare(e, 1), -EEXIST);
	ASSERT_EQ(map_of(k, e), 1 | SWAP_HAS_CACHE);
	inuse = area(k, 0)->inuse_pages;
	swap_free(e);				/* the cache holds it still */
	ASSERT_EQ(map_of(k, e), SWAP_HAS_CACHE);
	ASSERT_EQ(area(k, 0)->inuse_pages, inuse);
	ASSERT_EQ(swap_duplicate(e), 0);	/* a PTE to the cached page */
	ASSERT_EQ(swp_swapcount(e), 1);
	swap_free(e);
	swapcache_clear(area(k, 0), e, 1);
	ASSERT_EQ(map_of(k, e), 0);
	ASSERT_EQ(area(k, 0)->inuse_pages, inuse - 1);
	ASSERT_EQ(swapcache_prepare(e, 1), -ENOENT);	/* free */
	ASSERT_EQ(swapcache_prepare(swp_entry(0, 0), 1), -ENOENT);	/* the header */
	ASSERT_EQ(check_swap_invariants(k), 0);

	/* Bad entries are reported and change nothing. */
	e = get_swap_page_of_type(0);
	snap_swaps();
	reports_seen = 0;
	swap_free(swp_entry(7, 1));
	ASSERT_CONTAINS(last_report, "swap_free: Bad swap file entry");
	swap_free(swp_entry(0, 1ul << 30));
	ASSERT_CONTAINS(last_report, "swap_free: Bad swap offset entry");
	swap_free(swp_entry(0, 2000));
	ASSERT_CONTAINS(last_report, "swap_free: Unused swap offset entry");
	swap_free(swp_entry(0, 0));
	ASSERT_CONTAINS(last_report, "Bad swap offset entry");
	ASSERT_EQ(swap_duplicate(swp_entry(0, 2000)), 0);
	ASSERT_CONTAINS(last_report, "swap_duplicate: Unused swap offset entry");
	put_swap_folio(NULL, e);		/* it has no cache bit */
	ASSERT_CONTAINS(last_report, "put_swap_folio: Unused swap offset entry");
	ASSERT_EQ(swapcache_prepare(swp_entry(0, 2040), 16), -EINVAL);	/* past the end */
	ASSERT_EQ(swp_swapcount(swp_entry(9, 1)), 0);
	ASSERT_EQ(reports_seen, 8ul);
	ASSERT_EQ(map_of(k, e), 1);
	ASSERT_UNCHANGED(k);
	swap_free(e);

	ASSERT_EQ(check_swap_invariants(k), 0);
	shutdown_dir();
}

/*
 * A CPU keeps to its cluster even when a better area comes (Linux 6.15's
 * swap_alloc_fast looks at no priority); the next cluster is the best
 * area's.  A run of PTE references over two clusters goes in one call.
 */
TEST(the_cpu_keeps_its_cluster_then_takes_the_best_area)
{
	struct kmm *k = boot_dir("swaprun");
	swp_entry_t r;
	int i;

	ASSERT_EQ(kmm_mkswap("/a", 8ul << 20, NULL), 0);
	ASSERT_EQ(kmm_mkswap("/b", 8ul << 20, NULL), 0);
	ASSERT_EQ(ksys_swapon("/a", 0), 0);
	ASSERT_EQ(folio_alloc_swap(NULL).val, swp_entry(0, 512).val);
	ASSERT_EQ(ksys_swapon("/b", SWAP_FLAG_PREFER | 10), 0);
	for (i = 513; i < 1024; i++)
		ASSERT_EQ(folio_alloc_swap(NULL).val, swp_entry(0, (unsigned long)i).val);
	for (i = 0; i < 1024; i++) {
		r = folio_alloc_swap(NULL);
		ASSERT_EQ(r.val, swp_entry(1, 512 + (unsigned long)i).val);
		ASSERT_EQ(swap_duplicate(r), 0);
		put_swap_folio(NULL, r);
	}
	ASSERT_EQ(area(k, 1)->inuse_pages, 1024);
	swap_free_nr(swp_entry(1, 512), 1024);
	ASSERT_EQ(area(k, 1)->inuse_pages, 0);
	ASSERT_EQ(check_swap_invariants(k), 0);
	shutdown_dir();
}

TEST(no_area_no_slot)
{
	struct kmm *k = boot_dir("swapnone");

	ASSERT_EQ(folio_alloc_swap(NULL).val, 0);
	ASSERT_EQ(get_swap_page_of_type(0).val, 0);
	ASSERT_NULL(get_swap_device(swp_entry(0, 1)));
	ASSERT_EQ(get_total_swap_pages(k), 0);
	ASSERT_EQ(check_swap_invariants(k), 0);
	shutdown_dir();
}

/* ---- I/O -------------------------------------------------------------------------- */

/* A page filled with a pattern of seed, with a slot of its own as its
 * swap cache would have it. */
static struct page *swap_page(unsigned char seed)
{
	struct page *page = alloc_page(GFP_KERNEL);
	unsigned char *p;
	swp_entry_t e;
	unsigned long i;

	if (!page)
		abort();
	p = page_address(page);
	for (i = 0; i < PG; i++)
		p[i] = (unsigned char)(seed + i * 7 + (i >> 8));
	e = folio_alloc_swap(page);
	if (!e.val)
		abort();
	page->private = e.val;
	return page;
}

static void drop_swap_page(struct page *page)
{
	put_swap_folio(page, page_swap_entry(page));
	page->private = 0;
	ClearPageDirty(page);
	ClearPageUptodate(page);
	__free_pages(page, 0);
}

static unsigned long writes_done(struct kmm *k)
{
	return k->hw->disk.wr.ios;
}

TEST(write_then_read_round_trips_through_the_host_file)
{
	struct kmm *k = boot_dir("swapio");
	struct writeback_control sync = { .sync_all = true }, async = { .sync_all = false };
	unsigned long long t0;
	unsigned long ios, out0 = sum_vm_event(k, PSWPOUT), in0 = sum_vm_event(k, PSWPIN);
	struct page *page, *page2;
	unsigned char buf[PG];
	uint32_t crc;
	int fd;

	ASSERT_EQ(kmm_mkswap("/io", 1ul << 20, NULL), 0);
	ASSERT_EQ(ksys_swapon("/io", 0), 0);
	page = swap_page(3);
	crc = crc32_le(0, page_address(page), PG);
	t0 = hw_clock_ns(k);
	ios = writes_done(k);
	ASSERT_EQ(swap_writepage(page, &sync), 0);
	ASSERT_FALSE(PageWriteback(page));
	ASSERT_EQ(node_stat(NR_WRITEBACK), 0);
	ASSERT_TRUE(hw_clock_ns(k) > t0);		/* the disk took its time */
	ASSERT_EQ(writes_done(k), ios + 1);
	ASSERT_EQ(sum_vm_event(k, PSWPOUT), out0 + 1);
	/* Slot N is page N of the host file. */
	fd = open(host_path("io"), O_RDONLY);
	ASSERT_EQ(pread(fd, buf, PG, (off_t)(swp_offset(page_swap_entry(page)) * PG)), (long)PG);
	close(fd);
	ASSERT_EQ(crc32_le(0, buf, PG), crc);
	memset(page_address(page), 0, PG);
	ASSERT_EQ(swap_read_folio(page), 0);
	ASSERT_TRUE(PageUptodate(page));
	ASSERT_EQ(crc32_le(0, page_address(page), PG), crc);
	ASSERT_EQ(sum_vm_event(k, PSWPIN), in0 + 1);

	/* A queued write: PG_writeback until the disk has done it. */
	page2 = swap_page(9);
	crc = crc32_le(0, page_address(page2), PG);
	ASSERT_EQ(swap_writepage(page2, &async), 0);
	ASSERT_TRUE(PageWriteback(page2));
	ASSERT_EQ(node_stat(NR_WRITEBACK), 1);
	hw_clock_sleep(k, 1000000);
	ASSERT_FALSE(PageWriteback(page2));
	ASSERT_EQ(node_stat(NR_WRITEBACK), 0);
	memset(page_address(page2), 0, PG);
	ASSERT_EQ(swap_read_folio(page2), 0);
	ASSERT_EQ(crc32_le(0, page_address(page2), PG), crc);
	/* A queued write still in flight at shutdown is waited for. */
	ASSERT_EQ(swap_writepage(page2, &async), 0);
	ASSERT_TRUE(PageWriteback(page2));
	ASSERT_EQ(reports_seen, 0ul);
	drop_swap_page(page);
	ASSERT_EQ(check_swap_invariants(k), 0);
	shutdown_dir();
	ASSERT_EQ(reports_seen, 0ul);	/* the write in flight was waited for */
}

TEST(a_failed_write_keeps_the_page_dirty_and_is_reported_once)
{
	struct kmm *k = boot_dir("swaperr");
	struct writeback_control sync = { .sync_all = true }, async = { .sync_all = false };
	struct page *page;

	ASSERT_EQ(kmm_mkswap("/e", 1ul << 20, NULL), 0);
	ASSERT_EQ(ksys_swapon("/e", 0), 0);
	page = swap_page(1);
	reports_seen = 0;
	hw_disk_fail_nth(k, 1);
	ASSERT_EQ(swap_writepage(page, &sync), -EIO);
	ASSERT_TRUE(PageDirty(page));
	ASSERT_FALSE(PageWriteback(page));
	ASSERT_EQ(node_stat(NR_WRITEBACK), 0);
	ASSERT_EQ(reports_seen, 1ul);
	ASSERT_CONTAINS(last_report, "Write-error on swap-device (8:1:");
	/* Counted again, not said again; queued or not. */
	ClearPageDirty(page);
	hw_disk_fail_nth(k, 1);
	ASSERT_EQ(swap_writepage(page, &async), 0);
	ASSERT_TRUE(PageDirty(page));
	ASSERT_FALSE(PageWriteback(page));
	ASSERT_EQ(reports_seen, 1ul);
	ASSERT_EQ(area(k, 0)->nr_write_errors, 2);
	/* The next write works. */
	ClearPageDirty(page);
	ASSERT_EQ(swap_writepage(page, &sync), 0);
	ASSERT_FALSE(PageDirty(page));
	/* A failed read leaves the page not uptodate. */
	hw_disk_fail_nth(k, 1);
	ASSERT_EQ(swap_read_folio(page), -EIO);
	ASSERT_FALSE(PageUptodate(page));
	ASSERT_CONTAINS(last_report, "Read-error on swap-device");
	ASSERT_EQ(swap_read_folio(page), 0);
	ASSERT_TRUE(PageUptodate(page));
	drop_swap_page(page);
	ASSERT_EQ(check_swap_invariants(k), 0);
	shutdown_dir();
}

/* ---- a partition ------------------------------------------------------------------ */

/* A machine over the test directory with the image img as kda (fs=DIR
 * keeps the root on the directory; the image is no ext2, so nothing
 * mounts it). */
static struct kmm *boot_with_disk(const char *img, const char *suffix)
{
	struct kmm_config cfg = { .mem = 128ul << 20, .cpus = 1, .quiet = 1 };
	struct kmm *k;

	snprintf(cfg.fs, sizeof(cfg.fs), "%s", dir);
	snprintf(cfg.disk, sizeof(cfg.disk), "%.240s%s", host_path(img), suffix);
	k = kmm_boot(&cfg);
	capture_reports();
	return k;
}

TEST(a_partition_takes_bad_pages)
{
	struct writeback_control sync = { .sync_all = true }, async = { .sync_all = false };
	union swap_header *h = good_header(1024);
	unsigned char buf[PG];
	unsigned long i, ios;
	struct page *page;
	struct kmm *k;
	char swaps[512];
	uint32_t crc;
	int fd;

	make_test_dir("swapdev");
	h->info.nr_badpages = 2;
	h->info.badpages[0] = 5;
	h->info.badpages[1] = 600;
	make_host_file("kda.img", 1024, h);
	k = boot_with_disk("kda.img", "");
	ASSERT_NOT_NULL(k);
	ASSERT_EQ(ksys_swapon("/dev/kda", 0), 0);
	ASSERT_EQ(ksys_swapon("/dev/kda", 0), -EBUSY);
	ASSERT_EQ(area(k, 0)->pages, 1021);
	ASSERT_EQ(map_of(k, swp_entry(0, 5)), SWAP_MAP_BAD);
	ASSERT_EQ(map_of(k, swp_entry(0, 600)), SWAP_MAP_BAD);
	kmm_proc_read("/proc/swaps", swaps, sizeof(swaps));
	ASSERT_CONTAINS(swaps, "/dev/kda                                partition\t4084\t\t0\t\t-2\n");
	/* Every slot but the bad ones, each once. */
	for (i = 0; i < 1021; i++) {
		swp_entry_t e = folio_alloc_swap(NULL);

		ASSERT_NE(e.val, 0);
		ASSERT_TRUE(swp_offset(e) != 5 && swp_offset(e) != 600 && swp_offset(e) < 1024);
	}
	ASSERT_EQ(folio_alloc_swap(NULL).val, 0);
	ASSERT_EQ(check_swap_invariants(k), 0);
	swapcache_clear(area(k, 0), swp_entry(0, 700), 1);
	/* A page to slot 700 and back, by bios on kda's own disk. */
	page = alloc_page(GFP_KERNEL);
	memset(page_address(page), 0x3c, PG);
	crc = crc32_le(0, page_address(page), PG);
	page->private = folio_alloc_swap(page).val;
	ASSERT_EQ(swp_offset(page_swap_entry(page)), 700);
	ios = k->hw->blk_disk.wr.ios;
	ASSERT_EQ(swap_writepage(page, &sync), 0);
	ASSERT_EQ(k->hw->blk_disk.wr.ios, ios + 1);
	memset(page_address(page), 0, PG);
	ASSERT_EQ(swap_read_folio(page), 0);
	ASSERT_EQ(crc32_le(0, page_address(page), PG), crc);
	fd = open(host_path("kda.img"), O_RDONLY);
	ASSERT_EQ(pread(fd, buf, PG, 700 * PG), (long)PG);
	close(fd);
	ASSERT_EQ(crc32_le(0, buf, PG), crc);
	ASSERT_EQ(swap_writepage(page, &async), 0);	/* queued on kda's disk */
	ASSERT_TRUE(PageWriteback(page));
	hw_clock_sleep(k, 1000000);
	ASSERT_FALSE(PageWriteback(page));
	hw_disk_fail_nth(k, 1);
	ASSERT_EQ(swap_writepage(page, &sync), -EIO);
	ASSERT_CONTAINS(last_report, "Write-error on swap-device (254:0:5600)");
	/* Held: no mount while it swaps; then off. */
	ASSERT_EQ(mkdir(host_path("m"), 0755), 0);
	ASSERT_EQ(do_mount(k, "/dev/kda", "/m", "ext2", 0), -EBUSY);
	/* Slots in use by no PTE (this test's): try_to_unuse cannot bring
	 * them back, swapoff gives up with ENOMEM and the area stays on. */
	ASSERT_EQ(ksys_swapoff("/dev/kda"), -ENOMEM);
	for (i = 1; i < 1024; i++)
		if (i != 5 && i != 600)
			swapcache_clear(area(k, 0), swp_entry(0, i), 1);
	ASSERT_EQ(ksys_swapoff("/dev/kda"), 0);
	ASSERT_EQ(check_swap_invariants(k), 0);
	page->private = 0;
	ClearPageDirty(page);
	ClearPageUptodate(page);
	__free_pages(page, 0);
	kmm_shutdown(k);

	/* A bad page past the area, a read-only device: refused. */
	h = good_header(1024);
	h->info.nr_badpages = 1;
	h->info.badpages[0] = 2000;
	make_host_file("kda.img", 1024, h);
	k = boot_with_disk("kda.img", "");
	ASSERT_EQ(ksys_swapon("/dev/kda", 0), -EINVAL);
	ASSERT_EQ(ksys_swapon("/dev/kdb", 0), -ENOENT);
	ASSERT_EQ(check_swap_invariants(k), 0);
	kmm_shutdown(k);
	k = boot_with_disk("kda.img", ":ro");
	ASSERT_EQ(ksys_swapon("/dev/kda", 0), -EACCES);
	shutdown_dir();
}

/* ---- views and swapoff ------------------------------------------------------------ */

static const char *meminfo_line(const char *label)
{
	static char buf[8192], line[128];
	const char *p;

	kmm_proc_read("/proc/meminfo", buf, sizeof(buf));
	p = strstr(buf, label);
	if (!p)
		return "";
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(p, "\n"), p);
	return line;
}

TEST(proc_swaps_and_meminfo_as_linux_prints_them)
{
	struct kmm_config cfg = { .mem = 128ul << 20, .cpus = 1, .quiet = 1, .swap = 4ul << 20 };
	unsigned long limit0;
	struct kmm *k;
	char buf[1024];

	make_test_dir("swapview");
	snprintf(cfg.fs, sizeof(cfg.fs), "%s", dir);
	k = kmm_boot(&cfg);
	ASSERT_NOT_NULL(k);
	capture_reports();
	kmm_proc_read("/proc/swaps", buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
			   "/swapfile\\040(deleted)                  file\t\t4092\t\t0\t\t-2\n");
	ASSERT_STR_EQ(meminfo_line("SwapTotal:"), "SwapTotal:          4092 kB");
	limit0 = strtoul(meminfo_line("CommitLimit:") + 12, NULL, 10);
	ASSERT_EQ(kmm_mkswap("/x y", 1ul << 20, NULL), 0);
	ASSERT_EQ(ksys_swapon("/x y", SWAP_FLAG_PREFER | 3), 0);
	ASSERT_NE(folio_alloc_swap(NULL).val, 0);
	ASSERT_NE(folio_alloc_swap(NULL).val, 0);
	kmm_proc_read("/proc/swaps", buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
			   "/swapfile\\040(deleted)                  file\t\t4092\t\t0\t\t-2\n"
			   "/x\\040y                                 file\t\t1020\t\t8\t\t3\n");
	ASSERT_STR_EQ(meminfo_line("SwapCached:"), "SwapCached:            0 kB");
	ASSERT_STR_EQ(meminfo_line("SwapTotal:"), "SwapTotal:          5112 kB");
	ASSERT_STR_EQ(meminfo_line("SwapFree:"), "SwapFree:           5104 kB");
	ASSERT_EQ(strtoul(meminfo_line("CommitLimit:") + 12, NULL, 10), limit0 + 1020);
	/* The boot area has no name to swap off by. */
	ASSERT_EQ(ksys_swapoff("/swapfile"), -ENOENT);
	ASSERT_EQ(check_swap_invariants(k), 0);
	shutdown_dir();
}

TEST(boot_swap_too_small_fails_the_boot)
{
	struct kmm_config cfg = { .mem = 64ul << 20, .cpus = 1, .quiet = 1, .swap = 36ul << 10 };

	capture_reports();
	ASSERT_NULL(kmm_boot(&cfg));
	ASSERT_CONTAINS(last_report, "kmm_boot: swap=36864: a swap area needs at least 10 pages");
}

TEST(swapoff_as_linux_answers)
{
	struct kmm *k = boot_dir("swapoff");
	struct task_struct *t = next_task(0);
	swp_entry_t e;

	ASSERT_EQ(kmm_mkswap("/s", 1ul << 20, NULL), 0);
	ASSERT_EQ(kmm_mkswap("/t", 1ul << 20, NULL), 0);
	ASSERT_EQ(ksys_swapon("/s", 0), 0);
	ASSERT_EQ(ksys_swapon("/t", 0), 0);
	/* A swap file keeps its blocks. */
	ASSERT_EQ(ksys_open(t, "/s", O_RDWR, 0), 3);
	ASSERT_EQ(ksys_pwrite64(t, 3, "x", 1, 0), -ETXTBSY);
	ASSERT_EQ(ksys_ftruncate(t, 3, 0), -ETXTBSY);
	ASSERT_EQ(ksys_fallocate(t, 3, 0, 0, PG), -ETXTBSY);
	ASSERT_EQ(ksys_unlink(t, "/s"), -EPERM);
	ASSERT_EQ(ksys_rename(t, "/s", "/s2"), -EPERM);
	ASSERT_EQ(ksys_rename(t, "/t", "/s"), -EPERM);
	ASSERT_EQ(ksys_swapoff("/missing"), -ENOENT);
	ASSERT_EQ(ksys_swapoff("/"), -EISDIR);
	ASSERT_EQ(kmm_mkswap("/other", 1ul << 20, NULL), 0);
	ASSERT_EQ(ksys_swapoff("/other"), -EINVAL);
	/* In use by no PTE or cache page (a slot this test took): swapoff
	 * cannot bring it back, gives up (ENOMEM), the area stays on. */
	e = get_swap_page_of_type(0);
	snap_swaps();
	ASSERT_EQ(ksys_swapoff("/s"), -ENOMEM);
	ASSERT_EQ(swp_swapcount(e), 1);
	ASSERT_TRUE(area(k, 0)->flags & SWP_WRITEOK);
	/* Back on as Linux puts it back: a default priority is new, the lowest. */
	ASSERT_EQ(area(k, 0)->prio, -3);
	ASSERT_EQ(area(k, 1)->prio, -2);
	ASSERT_EQ(check_swap_invariants(k), 0);
	swap_free(e);
	/* Committed memory that would not fit without it: ENOMEM. */
	ASSERT_TRUE(do_mmap(t->mm, 0, 64ul << 20, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS) > 0);
	ASSERT_EQ(kmm_proc_write("/proc/sys/vm/overcommit_memory", "2"), 0);
	ASSERT_EQ(kmm_proc_write("/proc/sys/vm/overcommit_kbytes", "4"), 0);
	ASSERT_EQ(ksys_swapoff("/s"), -ENOMEM);
	ASSERT_TRUE(area(k, 0)->flags & SWP_WRITEOK);
	ASSERT_EQ(kmm_proc_write("/proc/sys/vm/overcommit_memory", "0"), 0);
	/* Nothing in use: off, and the file is a file again. */
	ASSERT_EQ(ksys_swapoff("/s"), 0);
	ASSERT_EQ(ksys_swapoff("/s"), -EINVAL);
	ASSERT_EQ(ksys_pwrite64(t, 3, "x", 1, 0), 1);
	ASSERT_EQ(ksys_rename(t, "/s", "/s2"), 0);
	ASSERT_EQ(area(k, 1)->prio, -2);
	ASSERT_EQ(get_total_swap_pages(k), 255);
	ASSERT_EQ(check_swap_invariants(k), 0);
	/* The type is free for the next swapon. */
	ASSERT_EQ(ksys_swapon("/other", 0), 0);
	ASSERT_EQ(area(k, 0)->prio, -3);
	ASSERT_EQ(check_swap_invariants(k), 0);
	shutdown_dir();
}

/* The checker sees what breaks: a slot's byte, a cluster's list, a total. */
TEST(the_checker_sees_a_broken_map)
{
	struct kmm *k = boot_dir("swapcheck");
	struct swap_info_struct *si;
	swp_entry_t e;

	ASSERT_EQ(kmm_mkswap("/c", 8ul << 20, NULL), 0);
	ASSERT_EQ(ksys_swapon("/c", 0), 0);
	si = area(k, 0);
	e = folio_alloc_swap(NULL);
	ASSERT_EQ(check_swap_invariants(k), 0);
	si->swap_map[swp_offset(e)] = 0;
	ASSERT_EQ(check_swap_invariants(k), -1);
	ASSERT_CONTAINS(last_report, "cluster count is not its slots in use");
	si->swap_map[swp_offset(e)] = SWAP_HAS_CACHE;
	si->cluster_info[1].flags = CLUSTER_FLAG_FULL;
	ASSERT_EQ(check_swap_invariants(k), -1);
	ASSERT_CONTAINS(last_report, "cluster on the wrong list");
	si->cluster_info[1].flags = CLUSTER_FLAG_FRAG;
	k->mem->nr_swap_pages++;
	ASSERT_EQ(check_swap_invariants(k), -1);
	ASSERT_CONTAINS(last_report, "nr_swap_pages is not the areas' sum");
	k->mem->nr_swap_pages--;
	ASSERT_EQ(check_swap_invariants(k), 0);
	shutdown_dir();
}

/* ---- random operations --------------------------------------------------------------- */

#define NR_MODEL 512

struct model_slot {
	swp_entry_t e;
	int count;
	bool cache;
};

TEST(random_slot_operations_keep_the_invariants)
{
	struct kmm *k = boot_dir("swaprand");
	static struct model_slot m[NR_MODEL];
	unsigned long steps = 3000 * TEST_SCALE(), step;
	int n = 0, i;

	rng_seed(TEST_SEED());
	capture_reports();
	ASSERT_EQ(kmm_mkswap("/r1", 1ul << 20, NULL), 0);
	ASSERT_EQ(kmm_mkswap("/r2", 2ul << 20, NULL), 0);
	ASSERT_EQ(ksys_swapon("/r1", SWAP_FLAG_PREFER | 1), 0);
	ASSERT_EQ(ksys_swapon("/r2", 0), 0);
	for (step = 0; step < steps; step++) {
		unsigned long op = rng_below(6);
		struct model_slot *s = n ? &m[rng_below((unsigned long)n)] : NULL;

		if (op <= 1 || !s) {
			swp_entry_t e = op == 0 ? folio_alloc_swap(NULL) :
					get_swap_page_of_type((int)rng_below(2));

			if (e.val && n < NR_MODEL) {
				m[n++] = (struct model_slot){ e, op != 0, op == 0 };
			} else if (e.val) {
				if (op == 0)
					put_swap_folio(NULL, e);
				else
					swap_free(e);
			}
		} else if (op == 2) {
			int r = swap_duplicate(s->e);

			ASSERT_EQ(r, s->count >= SWAP_MAP_MAX ? -ENOMEM : 0);
			s->count += !r;
		} else if (op == 3 && s->count) {
			swap_free(s->e);
			s->count--;
		} else if (op == 4) {
			ASSERT_EQ(swapcache_prepare(s->e, 1), s->cache ? -EEXIST : 0);
			s->cache = true;
		} else if (op == 5 && s->cache) {
			put_swap_folio(NULL, s->e);
			s->cache = false;
		}
		/* A slot with nothing left is free: out of the model. */
		for (i = 0; i < n; i++) {
			if (m[i].count || m[i].cache) {
				ASSERT_EQ(map_of(k, m[i].e),
					  m[i].count | (m[i].cache ? SWAP_HAS_CACHE : 0));
				continue;
			}
			ASSERT_EQ(map_of(k, m[i].e), 0);
			m[i--] = m[--n];
		}
		ASSERT_EQ(check_swap_invariants(k), 0);
	}
	ASSERT_EQ(reports_seen, 0ul);
	ASSERT_EQ(area(k, 0)->inuse_pages + area(k, 1)->inuse_pages, (unsigned long)n);
	shutdown_dir();
}

int main(void)
{
	RUN_TEST(swap_pte_round_trips_every_type_and_offset);
	RUN_TEST(guard_marker_is_a_pte_marker);
	RUN_TEST(swap_pte_is_not_present_to_the_mmu);
	RUN_TEST(kmm_and_host_mkswap_are_accepted);
	RUN_TEST(a_byte_swapped_header_is_turned_round);
	RUN_TEST(bad_headers_are_refused_and_change_nothing);
	RUN_TEST(priorities_and_max_swapfiles);
	RUN_TEST(one_cpu_takes_consecutive_slots_cluster_by_cluster);
	RUN_TEST(equal_priorities_take_turns_a_cluster_each);
	RUN_TEST(counts_duplicate_free_and_the_cache_bit);
	RUN_TEST(the_cpu_keeps_its_cluster_then_takes_the_best_area);
	RUN_TEST(no_area_no_slot);
	RUN_TEST(write_then_read_round_trips_through_the_host_file);
	RUN_TEST(a_failed_write_keeps_the_page_dirty_and_is_reported_once);
	RUN_TEST(a_partition_takes_bad_pages);
	RUN_TEST(proc_swaps_and_meminfo_as_linux_prints_them);
	RUN_TEST(boot_swap_too_small_fails_the_boot);
	RUN_TEST(swapoff_as_linux_answers);
	RUN_TEST(the_checker_sees_a_broken_map);
	RUN_TEST(random_slot_operations_keep_the_invariants);
	return harness_summary();
}
