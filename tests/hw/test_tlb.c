/*
 * tests/hw/test_tlb.c - the TLB model: hits after a fill, set associativity
 * and replacement traced exactly, page sizes, PCID and global entries, the
 * flushes and their ceiling, x86's permission rules, stale entries after a
 * simulated munmap / mprotect / COW, the configuration parser, and random
 * operations checked against a reference model and against the set of
 * translations that were filled and not flushed since.
 */
#include <kmm/kmm.h>
#include "hw/tlb.h"
#include "tests/harness.h"

#define K4	0x1000ul
#define M2	0x200000ul
#define G1	0x40000000ul
#define UVA	0x00007f0000000000ul		/* user space */
#define KVA	0xffff888000000000ul		/* the direct map */

#define RW_D	(TLB_PERM_RW | TLB_PERM_DIRTY | TLB_PERM_USER)
#define RO	(TLB_PERM_USER)

static char errbuf[256];

/* A TLB from the defaults changed by spec ("" for the defaults). */
static int make(struct tlb *tlb, const char *spec)
{
	struct tlb_config cfg;

	tlb_config_default(&cfg);
	if (tlb_config_parse(spec, &cfg, errbuf, sizeof(errbuf))) {
		fprintf(stderr, "  bad spec %s: %s\n", spec, errbuf);
		return -1;
	}
	return tlb_init(tlb, &cfg);
}

static int look(struct tlb *tlb, unsigned long va, unsigned int acc, unsigned int pcid)
{
	struct tlb_result r;

	return tlb_lookup(tlb, va, acc, pcid, &r);
}

static unsigned long phys_of(struct tlb *tlb, unsigned long va, unsigned int acc,
			     unsigned int pcid)
{
	struct tlb_result r;

	return tlb_lookup(tlb, va, acc, pcid, &r) ? r.phys : ~0ul;
}

TEST(hit_after_fill)
{
	struct tlb t;
	struct tlb_result r;

	ASSERT_EQ(make(&t, ""), 0);
	ASSERT_EQ(tlb_lookup(&t, UVA + 0x123, TLB_ACC_READ, 1, &r), TLB_MISS);
	ASSERT_EQ(r.why, TLB_MISS_NONE);
	tlb_fill(&t, UVA, K4, 0x4321, RW_D, 1, false);
	ASSERT_EQ(tlb_lookup(&t, UVA + 0x123, TLB_ACC_READ, 1, &r), TLB_HIT_L1);
	ASSERT_EQ(r.phys, 0x4321123);
	ASSERT_EQ(r.page_size, K4);
	ASSERT_EQ(r.perm, RW_D);
	ASSERT_EQ(look(&t, UVA + K4, TLB_ACC_READ, 1), TLB_MISS);
	ASSERT_EQ(look(&t, UVA + 0xfff, TLB_ACC_WRITE | TLB_ACC_USER, 1), TLB_HIT_L1);
	ASSERT_EQ(t.stat[TLBSTAT_DTLB_LOAD_HITS], 1);
	ASSERT_EQ(t.stat[TLBSTAT_DTLB_STORE_HITS], 1);
	ASSERT_EQ(t.stat[TLBSTAT_DTLB_LOAD_MISSES], 2);
	ASSERT_EQ(t.stat[TLBSTAT_STLB_MISSES], 2);
	ASSERT_EQ(t.stat[TLBSTAT_TLB_WALKS], 2);
	ASSERT_EQ(t.stat[TLBSTAT_TLB_FILLS], 1);
	/* A fill for a data access leaves the iTLB alone; a fetch finds the STLB. */
	ASSERT_FALSE(tlb_cached(&t, TLB_L1I, UVA, 1));
	ASSERT_EQ(look(&t, UVA, TLB_ACC_EXEC, 1), TLB_HIT_STLB);
	ASSERT_EQ(look(&t, UVA, TLB_ACC_EXEC, 1), TLB_HIT_L1);
	ASSERT_EQ(t.stat[TLBSTAT_ITLB_HITS], 1);
	ASSERT_EQ(t.stat[TLBSTAT_ITLB_MISSES], 1);
	ASSERT_EQ(tlb_check(&t, errbuf, sizeof(errbuf)), 0);
	tlb_exit(&t);
}

/*
 * Lookups skip the page sizes a level was never filled with (sizes_seen);
 * a full flush forgets them.  An entry the filter would skip is a broken
 * invariant that tlb_check names.
 */
TEST(lookups_skip_sizes_never_filled)
{
	struct tlb t;

	ASSERT_EQ(make(&t, ""), 0);
	ASSERT_EQ(t.sizes_seen[TLB_L1D], 0);
	tlb_fill(&t, UVA, K4, 0x4321, RW_D, 1, false);
	ASSERT_EQ(t.sizes_seen[TLB_L1D], 1);		/* 4K only */
	ASSERT_EQ(look(&t, UVA, TLB_ACC_READ, 1), TLB_HIT_L1);
	tlb_fill(&t, UVA + (2ul << 20), 2ul << 20, 0x800, RW_D, 1, false);
	ASSERT_EQ(t.sizes_seen[TLB_L1D], 3);		/* and 2M */
	ASSERT_EQ(look(&t, UVA + (2ul << 20) + K4, TLB_ACC_READ, 1), TLB_HIT_L1);
	ASSERT_EQ(tlb_check(&t, errbuf, sizeof(errbuf)), 0);
	t.sizes_seen[TLB_L1D] = 1;			/* a 2M entry the lookups would miss */
	ASSERT_EQ(tlb_check(&t, errbuf, sizeof(errbuf)), -1);
	ASSERT_TRUE(strstr(errbuf, "skip") != NULL);
	t.sizes_seen[TLB_L1D] = 3;
	tlb_flush_all(&t);
	ASSERT_EQ(t.sizes_seen[TLB_L1D], 0);
	ASSERT_EQ(look(&t, UVA, TLB_ACC_READ, 1), TLB_MISS);
	ASSERT_EQ(tlb_check(&t, errbuf, sizeof(errbuf)), 0);
	tlb_exit(&t);
}

TEST(stlb_hit_refills_l1)
{
	struct tlb t;

	/* The default L1D 4K array: 16 sets of 4; 64 KiB apart share a set. */
	ASSERT_EQ(make(&t, ""), 0);
	for (unsigned long i = 0; i < 5; i++)
		tlb_fill(&t, UVA + i * 16 * K4, K4, 100 + i, RW_D, 1, false);
	ASSERT_EQ(t.stat[TLBSTAT_DTLB_EVICTIONS], 1);
	ASSERT_EQ(t.stat[TLBSTAT_STLB_EVICTIONS], 0);
	ASSERT_FALSE(tlb_cached(&t, TLB_L1D, UVA, 1));
	ASSERT_TRUE(tlb_cached(&t, TLB_STLB, UVA, 1));
	ASSERT_EQ(phys_of(&t, UVA + 5, TLB_ACC_READ, 1), 100 * K4 + 5);
	ASSERT_EQ(t.stat[TLBSTAT_STLB_HITS], 1);
	ASSERT_TRUE(tlb_cached(&t, TLB_L1D, UVA, 1));
	ASSERT_EQ(look(&t, UVA, TLB_ACC_READ, 1), TLB_HIT_L1);
	ASSERT_EQ(tlb_check(&t, errbuf, sizeof(errbuf)), 0);
	tlb_exit(&t);
}

/* 2 sets of 4 ways, no STLB: pages 2 apart share set 0. */
#define TINY "l1d=8:4,l1d_2m=0,l1d_1g=0,stlb=0,stlb_1g=0"

TEST(lru_evicts_exactly_the_least_recent)
{
	struct tlb t;

	ASSERT_EQ(make(&t, TINY), 0);
	for (unsigned long i = 0; i < 4; i++)
		tlb_fill(&t, UVA + 2 * i * K4, K4, i, RW_D, 0, false);
	tlb_fill(&t, UVA + K4, K4, 50, RW_D, 0, false);	/* set 1: no conflict */
	/* Use 0 and 2: page 1 (index 2) becomes the LRU one, then 3. */
	ASSERT_EQ(look(&t, UVA, TLB_ACC_READ, 0), TLB_HIT_L1);
	ASSERT_EQ(look(&t, UVA + 4 * K4, TLB_ACC_READ, 0), TLB_HIT_L1);
	tlb_fill(&t, UVA + 8 * K4, K4, 4, RW_D, 0, false);
	ASSERT_FALSE(tlb_cached(&t, TLB_L1D, UVA + 2 * K4, 0));
	ASSERT_TRUE(tlb_cached(&t, TLB_L1D, UVA, 0));
	ASSERT_TRUE(tlb_cached(&t, TLB_L1D, UVA + 4 * K4, 0));
	ASSERT_TRUE(tlb_cached(&t, TLB_L1D, UVA + 6 * K4, 0));
	ASSERT_TRUE(tlb_cached(&t, TLB_L1D, UVA + 8 * K4, 0));
	ASSERT_TRUE(tlb_cached(&t, TLB_L1D, UVA + K4, 0));
	tlb_fill(&t, UVA + 10 * K4, K4, 5, RW_D, 0, false);
	ASSERT_FALSE(tlb_cached(&t, TLB_L1D, UVA + 6 * K4, 0));
	ASSERT_EQ(t.stat[TLBSTAT_DTLB_EVICTIONS], 2);
	/* A refill of a cached page takes no new way. */
	tlb_fill(&t, UVA, K4, 7, RW_D, 0, false);
	ASSERT_EQ(t.stat[TLBSTAT_DTLB_EVICTIONS], 2);
	ASSERT_EQ(phys_of(&t, UVA, TLB_ACC_READ, 0), 7 * K4);
	ASSERT_EQ(tlb_nr_valid(&t, TLB_L1D), 5);
	ASSERT_EQ(tlb_check(&t, errbuf, sizeof(errbuf)), 0);
	tlb_exit(&t);
}

TEST(plru_and_random_traces)
{
	struct tlb t;
	unsigned long present = 0;

	/* Bit-PLRU, 4 ways: a b c d fill; d's fill sets the last bit so only d keeps it. */
	ASSERT_EQ(make(&t, TINY ",repl=plru"), 0);
	for (unsigned long i = 0; i < 4; i++)
		tlb_fill(&t, UVA + 2 * i * K4, K4, i, RW_D, 0, false);
	tlb_fill(&t, UVA + 8 * K4, K4, 4, RW_D, 0, false);	/* e replaces a (way 0) */
	ASSERT_FALSE(tlb_cached(&t, TLB_L1D, UVA, 0));
	ASSERT_EQ(look(&t, UVA + 2 * K4, TLB_ACC_READ, 0), TLB_HIT_L1);	/* b used */
	tlb_fill(&t, UVA + 10 * K4, K4, 5, RW_D, 0, false);	/* f replaces c */
	ASSERT_FALSE(tlb_cached(&t, TLB_L1D, UVA + 4 * K4, 0));
	ASSERT_TRUE(tlb_cached(&t, TLB_L1D, UVA + 2 * K4, 0));
	ASSERT_TRUE(tlb_cached(&t, TLB_L1D, UVA + 6 * K4, 0));
	ASSERT_EQ(tlb_check(&t, errbuf, sizeof(errbuf)), 0);
	tlb_exit(&t);

	/* Random: a full set loses exactly one entry per new page. */
	ASSERT_EQ(make(&t, TINY ",repl=random,seed=7"), 0);
	for (unsigned long i = 0; i < 5; i++)
		tlb_fill(&t, UVA + 2 * i * K4, K4, i, RW_D, 0, false);
	for (unsigned long i = 0; i < 5; i++)
		present += tlb_cached(&t, TLB_L1D, UVA + 2 * i * K4, 0);
	ASSERT_EQ(present, 4);
	ASSERT_TRUE(tlb_cached(&t, TLB_L1D, UVA + 8 * K4, 0));
	ASSERT_EQ(t.stat[TLBSTAT_DTLB_EVICTIONS], 1);
	ASSERT_EQ(tlb_check(&t, errbuf, sizeof(errbuf)), 0);
	tlb_exit(&t);
}

TEST(huge_pages_cover_their_4k_pages)
{
	struct tlb t;
	unsigned long base2m = UVA + 7 * M2, base1g = UVA + 3 * G1;

	ASSERT_EQ(make(&t, ""), 0);
	tlb_fill(&t, base2m + 0x5000, M2, 0x200, RW_D, 1, false);
	for (unsigned long off = 0; off < M2; off += 61 * K4 + 8)
		ASSERT_EQ(phys_of(&t, base2m + off, TLB_ACC_READ, 1), 0x200 * K4 + off);
	ASSERT_EQ(phys_of(&t, base2m + M2 - 1, TLB_ACC_READ, 1), 0x200 * K4 + M2 - 1);
	ASSERT_EQ(look(&t, base2m + M2, TLB_ACC_READ, 1), TLB_MISS);
	ASSERT_EQ(look(&t, base2m - 1, TLB_ACC_READ, 1), TLB_MISS);
	/* invlpg of any address inside removes it from every level. */
	tlb_invlpg(&t, base2m + 0x1ff000, 1);
	ASSERT_FALSE(tlb_cached(&t, TLB_L1D, base2m, 1));
	ASSERT_FALSE(tlb_cached(&t, TLB_STLB, base2m, 1));
	ASSERT_EQ(look(&t, base2m + 0x123456, TLB_ACC_READ, 1), TLB_MISS);

	/* 1G: in the L1D's and the STLB's 1G arrays. */
	tlb_fill(&t, base1g, G1, 0x40000, RW_D, 1, false);
	ASSERT_EQ(phys_of(&t, base1g + 0x3abcdef1, TLB_ACC_READ, 1), 0x40000 * K4 + 0x3abcdef1);
	tlb_invlpg(&t, base1g + 0x2345678, 1);
	ASSERT_EQ(look(&t, base1g, TLB_ACC_READ, 1), TLB_MISS);
	/* The iTLB has no 1G array: fetches from a 1G page hit in the STLB. */
	tlb_fill(&t, base1g, G1, 0x40000, RO | TLB_FILL_ITLB, 1, false);
	ASSERT_FALSE(tlb_cached(&t, TLB_L1I, base1g, 1));
	ASSERT_EQ(look(&t, base1g + 0x1000, TLB_ACC_EXEC | TLB_ACC_USER, 1), TLB_HIT_STLB);
	ASSERT_EQ(look(&t, base1g + 0x1000, TLB_ACC_EXEC | TLB_ACC_USER, 1), TLB_HIT_STLB);
	/* The STLB's shared array holds 4K and 2M entries side by side. */
	tlb_fill(&t, base2m, M2, 0x400, RW_D, 1, false);
	tlb_fill(&t, base2m + M2, K4, 0x999, RW_D, 1, false);
	ASSERT_TRUE(tlb_cached(&t, TLB_STLB, base2m + 0x10000, 1));
	ASSERT_TRUE(tlb_cached(&t, TLB_STLB, base2m + M2, 1));
	/* Sizes that are not pages are ignored. */
	tlb_fill(&t, UVA, 8 * K4, 1, RW_D, 1, false);
	ASSERT_FALSE(tlb_cached(&t, TLB_STLB, UVA, 1));
	ASSERT_EQ(tlb_check(&t, errbuf, sizeof(errbuf)), 0);
	tlb_exit(&t);
}

TEST(pcid_isolation_and_global_entries)
{
	struct tlb t;

	ASSERT_EQ(make(&t, "pcid=on"), 0);
	tlb_fill(&t, UVA, K4, 1, RW_D, 1, false);
	tlb_fill(&t, UVA + K4, K4, 2, RW_D, 2, false);
	tlb_fill(&t, KVA, K4, 3, TLB_PERM_RW | TLB_PERM_DIRTY, 1, true);
	ASSERT_EQ(look(&t, UVA, TLB_ACC_READ, 2), TLB_MISS);
	ASSERT_EQ(look(&t, UVA, TLB_ACC_READ, 1), TLB_HIT_L1);
	ASSERT_EQ(look(&t, UVA + K4, TLB_ACC_READ, 1), TLB_MISS);
	ASSERT_EQ(phys_of(&t, KVA + 8, TLB_ACC_READ, 2), 3 * K4 + 8);	/* global: any PCID */
	ASSERT_EQ(phys_of(&t, KVA + 8, TLB_ACC_WRITE, 4095), 3 * K4 + 8);
	/* Two PCIDs may map one address differently, side by side. */
	tlb_fill(&t, UVA, K4, 9, RW_D, 2, false);
	ASSERT_EQ(phys_of(&t, UVA, TLB_ACC_READ, 1), 1 * K4);
	ASSERT_EQ(phys_of(&t, UVA, TLB_ACC_READ, 2), 9 * K4);
	/* A switch with PCID flushes nothing. */
	tlb_switch_mm(&t, 2);
	ASSERT_EQ(t.pcid, 2);
	ASSERT_EQ(look(&t, UVA, TLB_ACC_READ, 1), TLB_HIT_L1);
	ASSERT_EQ(t.stat[TLBSTAT_TLB_SWITCH_NOFLUSH], 1);
	/* flush_tlb_mm(1): PCID 1's own entries only. */
	tlb_flush_mm(&t, 1);
	ASSERT_EQ(look(&t, UVA, TLB_ACC_READ, 1), TLB_MISS);
	ASSERT_EQ(look(&t, UVA, TLB_ACC_READ, 2), TLB_HIT_L1);
	ASSERT_EQ(look(&t, KVA, TLB_ACC_READ, 1), TLB_HIT_L1);
	/* flush_tlb_local: the current PCID (2). */
	tlb_flush_local(&t);
	ASSERT_EQ(look(&t, UVA, TLB_ACC_READ, 2), TLB_MISS);
	ASSERT_EQ(look(&t, KVA, TLB_ACC_READ, 2), TLB_HIT_L1);
	ASSERT_EQ(t.stat[TLBSTAT_NR_TLB_LOCAL_FLUSH_ALL], 2);
	/* __flush_tlb_all: global entries too. */
	tlb_flush_all(&t);
	ASSERT_EQ(look(&t, KVA, TLB_ACC_READ, 2), TLB_MISS);
	ASSERT_EQ(tlb_nr_valid(&t, TLB_L1D) + tlb_nr_valid(&t, TLB_STLB), 0);
	ASSERT_EQ(t.stat[TLBSTAT_TLB_FLUSH_GLOBAL], 1);
	ASSERT_EQ(tlb_check(&t, errbuf, sizeof(errbuf)), 0);
	tlb_exit(&t);
}

TEST(switch_without_pcid_keeps_only_global)
{
	struct tlb t;

	ASSERT_EQ(make(&t, "pcid=off"), 0);
	tlb_fill(&t, UVA, K4, 1, RW_D, 5, false);
	tlb_fill(&t, UVA + 0x10000, K4, 2, RO | TLB_FILL_ITLB, 5, false);
	tlb_fill(&t, KVA, M2, 0x200, TLB_PERM_RW | TLB_PERM_DIRTY, 0, true);
	/* Without PCID, the PCID arguments are ignored: one address space. */
	ASSERT_EQ(look(&t, UVA, TLB_ACC_READ, 7), TLB_HIT_L1);
	tlb_switch_mm(&t, 3);
	ASSERT_EQ(t.stat[TLBSTAT_TLB_FLUSH_TASK_SWITCH], 1);
	ASSERT_EQ(t.stat[TLBSTAT_TLB_ENTRIES_FLUSHED], 4);	/* L1D, L1I, 2 in the STLB */
	ASSERT_EQ(look(&t, UVA, TLB_ACC_READ, 3), TLB_MISS);
	ASSERT_EQ(look(&t, UVA + 0x10000, TLB_ACC_EXEC | TLB_ACC_USER, 3), TLB_MISS);
	ASSERT_EQ(look(&t, KVA + 0x1234, TLB_ACC_WRITE, 3), TLB_HIT_L1);
	ASSERT_EQ(tlb_check(&t, errbuf, sizeof(errbuf)), 0);
	tlb_exit(&t);
}

TEST(range_flush_ceiling)
{
	struct tlb t;
	unsigned long base = UVA + 0x100000;

	ASSERT_EQ(make(&t, ""), 0);
	ASSERT_EQ(t.flush_ceiling, 33);
	for (unsigned long i = 0; i < 40; i++)
		tlb_fill(&t, base + i * K4, K4, i, RW_D, 1, false);
	tlb_fill(&t, UVA, K4, 100, RW_D, 1, false);
	tlb_fill(&t, base, K4, 101, RW_D, 2, false);
	tlb_fill(&t, KVA, K4, 102, TLB_PERM_RW, 0, true);
	/* 33 pages: one INVLPG each. */
	tlb_flush_range(&t, base, base + 33 * K4, 1);
	for (unsigned long i = 0; i < 40; i++)
		ASSERT_EQ(tlb_cached(&t, TLB_STLB, base + i * K4, 1), i >= 33);
	ASSERT_TRUE(tlb_cached(&t, TLB_STLB, UVA, 1));
	ASSERT_TRUE(tlb_cached(&t, TLB_STLB, base, 2));
	ASSERT_EQ(t.stat[TLBSTAT_NR_TLB_LOCAL_FLUSH_ONE], 33);
	ASSERT_EQ(t.stat[TLBSTAT_NR_TLB_LOCAL_FLUSH_ALL], 0);
	ASSERT_EQ(t.stat[TLBSTAT_TLB_FLUSH_RANGE_FULL], 0);
	/* 34 pages: the whole PCID instead, global entries kept. */
	tlb_flush_range(&t, base, base + 34 * K4, 1);
	ASSERT_FALSE(tlb_cached(&t, TLB_STLB, base + 35 * K4, 1));
	ASSERT_FALSE(tlb_cached(&t, TLB_STLB, UVA, 1));
	ASSERT_TRUE(tlb_cached(&t, TLB_STLB, base, 2));
	ASSERT_TRUE(tlb_cached(&t, TLB_STLB, KVA, 1));
	ASSERT_EQ(t.stat[TLBSTAT_NR_TLB_LOCAL_FLUSH_ONE], 33);
	ASSERT_EQ(t.stat[TLBSTAT_NR_TLB_LOCAL_FLUSH_ALL], 1);
	ASSERT_EQ(t.stat[TLBSTAT_TLB_FLUSH_RANGE], 2);
	ASSERT_EQ(t.stat[TLBSTAT_TLB_FLUSH_RANGE_FULL], 1);
	/* An unaligned range covers every page it touches: 2 here. */
	tlb_fill(&t, base, K4, 1, RW_D, 1, false);
	tlb_fill(&t, base + K4, K4, 2, RW_D, 1, false);
	tlb_flush_range(&t, base + 0xfff, base + K4 + 1, 1);
	ASSERT_FALSE(tlb_cached(&t, TLB_STLB, base, 1));
	ASSERT_FALSE(tlb_cached(&t, TLB_STLB, base + K4, 1));
	ASSERT_EQ(t.stat[TLBSTAT_NR_TLB_LOCAL_FLUSH_ONE], 35);
	/* 2M stride: two huge pages, two INVLPGs. */
	tlb_fill(&t, UVA + 4 * M2, M2, 0x800, RW_D, 1, false);
	tlb_fill(&t, UVA + 5 * M2, M2, 0xa00, RW_D, 1, false);
	tlb_flush_mm_range(&t, 1, UVA + 4 * M2, UVA + 6 * M2, 21);
	ASSERT_EQ(look(&t, UVA + 4 * M2 + 0x7000, TLB_ACC_READ, 1), TLB_MISS);
	ASSERT_EQ(look(&t, UVA + 5 * M2 + 0x1ff000, TLB_ACC_READ, 1), TLB_MISS);
	ASSERT_EQ(t.stat[TLBSTAT_NR_TLB_LOCAL_FLUSH_ONE], 37);
	/* Kernel ranges: INVLPG up to the ceiling, then everything, globals too. */
	tlb_flush_kernel_range(&t, KVA, KVA + K4);
	ASSERT_FALSE(tlb_cached(&t, TLB_STLB, KVA, 1));
	tlb_fill(&t, KVA, K4, 102, TLB_PERM_RW, 0, true);
	tlb_flush_kernel_range(&t, KVA + M2, KVA + 2 * M2);
	ASSERT_FALSE(tlb_cached(&t, TLB_STLB, KVA, 1));
	ASSERT_FALSE(tlb_cached(&t, TLB_STLB, base, 2));
	ASSERT_EQ(t.stat[TLBSTAT_TLB_FLUSH_GLOBAL], 1);
	/* A smaller ceiling, from the boot option. */
	tlb_exit(&t);
	ASSERT_EQ(make(&t, "ceiling=1"), 0);
	tlb_fill(&t, UVA, K4, 1, RW_D, 1, false);
	tlb_fill(&t, UVA + 0x100000, K4, 1, RW_D, 1, false);
	tlb_flush_range(&t, UVA, UVA + 2 * K4, 1);
	ASSERT_FALSE(tlb_cached(&t, TLB_STLB, UVA + 0x100000, 1));
	ASSERT_EQ(tlb_check(&t, errbuf, sizeof(errbuf)), 0);
	tlb_exit(&t);
}

TEST(permissions_as_x86)
{
	struct tlb t;
	struct tlb_result r;

	ASSERT_EQ(make(&t, ""), 0);
	/* Read-only user page: reads hit, a write never does, and drops it. */
	tlb_fill(&t, UVA, K4, 1, RO, 1, false);
	ASSERT_EQ(look(&t, UVA, TLB_ACC_READ | TLB_ACC_USER, 1), TLB_HIT_L1);
	ASSERT_EQ(tlb_lookup(&t, UVA, TLB_ACC_WRITE | TLB_ACC_USER, 1, &r), TLB_MISS);
	ASSERT_EQ(r.why, TLB_MISS_PROT);
	ASSERT_FALSE(tlb_cached(&t, TLB_L1D, UVA, 1));
	ASSERT_FALSE(tlb_cached(&t, TLB_STLB, UVA, 1));
	ASSERT_EQ(t.stat[TLBSTAT_TLB_PROT_MISSES], 1);
	ASSERT_EQ(t.stat[TLBSTAT_DTLB_STORE_MISSES], 1);
	/* The kernel may not write it either (CR0.WP). */
	tlb_fill(&t, UVA, K4, 1, RO, 1, false);
	ASSERT_EQ(look(&t, UVA, TLB_ACC_WRITE, 1), TLB_MISS);
	/* Supervisor-only: no user access of any kind; the kernel's hit. */
	tlb_fill(&t, KVA, K4, 2, TLB_PERM_RW | TLB_PERM_DIRTY, 1, true);
	ASSERT_EQ(look(&t, KVA, TLB_ACC_READ | TLB_ACC_USER, 1), TLB_MISS);
	tlb_fill(&t, KVA, K4, 2, TLB_PERM_RW | TLB_PERM_DIRTY, 1, true);
	ASSERT_EQ(look(&t, KVA, TLB_ACC_WRITE | TLB_ACC_USER, 1), TLB_MISS);
	tlb_fill(&t, KVA, K4, 2, TLB_PERM_RW | TLB_PERM_DIRTY | TLB_FILL_ITLB, 1, true);
	ASSERT_EQ(look(&t, KVA, TLB_ACC_EXEC | TLB_ACC_USER, 1), TLB_MISS);
	tlb_fill(&t, KVA, K4, 2, TLB_PERM_RW | TLB_PERM_DIRTY, 1, true);
	ASSERT_EQ(look(&t, KVA, TLB_ACC_WRITE, 1), TLB_HIT_L1);
	/* A user page serves the kernel (no SMAP). */
	tlb_fill(&t, UVA + K4, K4, 3, RW_D, 1, false);
	ASSERT_EQ(look(&t, UVA + K4, TLB_ACC_WRITE, 1), TLB_HIT_L1);
	/* NX: no fetch, from the iTLB or the STLB. */
	tlb_fill(&t, UVA + 2 * K4, K4, 4, RO | TLB_PERM_NX | TLB_FILL_ITLB, 1, false);
	ASSERT_EQ(tlb_lookup(&t, UVA + 2 * K4, TLB_ACC_EXEC | TLB_ACC_USER, 1, &r), TLB_MISS);
	ASSERT_EQ(r.why, TLB_MISS_PROT);
	tlb_fill(&t, UVA + 2 * K4, K4, 4, RO | TLB_PERM_NX, 1, false);
	ASSERT_EQ(tlb_lookup(&t, UVA + 2 * K4, TLB_ACC_EXEC | TLB_ACC_USER, 1, &r), TLB_MISS);
	ASSERT_EQ(r.why, TLB_MISS_PROT);
	ASSERT_EQ(t.stat[TLBSTAT_STLB_MISSES], 1);
	tlb_fill(&t, UVA + 3 * K4, K4, 5, RO | TLB_FILL_ITLB, 1, false);
	ASSERT_EQ(look(&t, UVA + 3 * K4, TLB_ACC_EXEC | TLB_ACC_USER, 1), TLB_HIT_L1);
	/* Writable but clean: a write re-walks so that D gets set. */
	tlb_fill(&t, UVA + 4 * K4, K4, 6, TLB_PERM_RW | TLB_PERM_USER, 1, false);
	ASSERT_EQ(look(&t, UVA + 4 * K4, TLB_ACC_READ | TLB_ACC_USER, 1), TLB_HIT_L1);
	ASSERT_EQ(tlb_lookup(&t, UVA + 4 * K4, TLB_ACC_WRITE | TLB_ACC_USER, 1, &r), TLB_MISS);
	ASSERT_EQ(r.why, TLB_MISS_DIRTY);
	ASSERT_EQ(t.stat[TLBSTAT_TLB_DIRTY_MISSES], 1);
	tlb_fill(&t, UVA + 4 * K4, K4, 6, RW_D, 1, false);
	ASSERT_EQ(look(&t, UVA + 4 * K4, TLB_ACC_WRITE | TLB_ACC_USER, 1), TLB_HIT_L1);
	ASSERT_EQ(tlb_check(&t, errbuf, sizeof(errbuf)), 0);
	tlb_exit(&t);
}

/*
 * The stale-entry tests: a tiny page table and an MMU that asks the TLB
 * first and walks on a miss, as the fault layer will.  After the page table
 * changes and the kernel's flush, no access may go through the old entry.
 */
struct mini_pte {
	unsigned long va, size, pfn;
	unsigned int perm;
	bool present;
};

#define NR_MINI 4
static struct mini_pte mini[NR_MINI];

/* Returns the physical address, or ~0ul for a fault. */
static unsigned long mini_access(struct tlb *tlb, unsigned long va, unsigned int acc,
				 unsigned int pcid)
{
	struct tlb_result r;

	if (tlb_lookup(tlb, va, acc, pcid, &r))
		return r.phys;
	for (int i = 0; i < NR_MINI; i++) {
		struct mini_pte *p = &mini[i];
		unsigned int perm = p->perm;

		if (!p->present || va < p->va || va >= p->va + p->size)
			continue;
		if (((acc & TLB_ACC_WRITE) && !(perm & TLB_PERM_RW)) ||
		    ((acc & TLB_ACC_USER) && !(perm & TLB_PERM_USER)) ||
		    ((acc & TLB_ACC_EXEC) && (perm & TLB_PERM_NX)))
			return ~0ul;
		if (acc & TLB_ACC_WRITE)
			p->perm |= TLB_PERM_DIRTY;	/* the walk sets D */
		tlb_fill(tlb, va, p->size, p->pfn, p->perm |
			 (acc & TLB_ACC_EXEC ? TLB_FILL_ITLB : 0), pcid, false);
		return p->pfn * K4 + (va - p->va);
	}
	return ~0ul;
}

/* Pushes va out of the L1D (16 sets of 4 in the default) but not the STLB. */
static void evict_from_l1(struct tlb *tlb, unsigned long va, unsigned int pcid)
{
	for (unsigned long i = 1; i <= 4; i++)
		tlb_fill(tlb, va + i * 16 * K4 + 0x40000000ul, K4, 7, RO, pcid, false);
}

TEST(stale_entries_never_survive_munmap_mprotect_cow)
{
	static const unsigned long sizes[] = { K4, M2, G1 };
	struct tlb t;

	ASSERT_EQ(make(&t, ""), 0);
	for (int si = 0; si < 3; si++)
		for (int where = 0; where < 2; where++) {	/* L1 and STLB, or STLB only */
			unsigned long sz = sizes[si], va = UVA + 4 * G1, a = va + sz / 2;
			unsigned int acc = TLB_ACC_USER;

			mini[0] = (struct mini_pte){ va, sz, 0x80000, RW_D, true };
			ASSERT_EQ(mini_access(&t, a, acc | TLB_ACC_WRITE, 1), 0x80000 * K4 + sz / 2);
			if (where)
				evict_from_l1(&t, va, 1);
			ASSERT_NE(look(&t, a, acc | TLB_ACC_WRITE, 1), TLB_MISS);

			/* mprotect(PROT_READ): change the PTE, then flush_tlb_range. */
			mini[0].perm = RO | TLB_PERM_DIRTY;
			tlb_flush_range(&t, va, va + sz, 1);
			ASSERT_EQ(mini_access(&t, a, acc | TLB_ACC_WRITE, 1), ~0ul);
			ASSERT_EQ(mini_access(&t, a, acc, 1), 0x80000 * K4 + sz / 2);
			ASSERT_EQ(mini_access(&t, a, acc | TLB_ACC_WRITE, 1), ~0ul);

			/* COW break: a new frame, writable; the kernel flushes one page. */
			mini[0].pfn = 0xc0000;
			mini[0].perm = RW_D;
			tlb_invlpg(&t, a, 1);
			ASSERT_EQ(mini_access(&t, a, acc | TLB_ACC_WRITE, 1), 0xc0000 * K4 + sz / 2);
			ASSERT_EQ(mini_access(&t, a, acc, 1), 0xc0000 * K4 + sz / 2);

			/* munmap: the PTE goes, then the flush. */
			if (where)
				evict_from_l1(&t, va, 1);
			mini[0].present = false;
			tlb_flush_range(&t, va, va + sz, 1);
			ASSERT_EQ(mini_access(&t, a, acc, 1), ~0ul);
			ASSERT_EQ(mini_access(&t, a, acc | TLB_ACC_WRITE, 1), ~0ul);
			ASSERT_EQ(look(&t, va, acc, 1), TLB_MISS);
			ASSERT_EQ(tlb_check(&t, errbuf, sizeof(errbuf)), 0);
		}
	/* Why the flushes matter: without one, the old entry would still serve. */
	mini[0] = (struct mini_pte){ UVA, K4, 0x123, RW_D, true };
	ASSERT_EQ(mini_access(&t, UVA, TLB_ACC_USER | TLB_ACC_WRITE, 1), 0x123 * K4);
	mini[0].present = false;
	ASSERT_EQ(mini_access(&t, UVA, TLB_ACC_USER, 1), 0x123 * K4);
	/* ... and the page-fault path (zap) flushes a single page. */
	tlb_invlpg(&t, UVA, 1);
	ASSERT_EQ(mini_access(&t, UVA, TLB_ACC_USER, 1), ~0ul);
	tlb_exit(&t);
}

TEST(config_parse_and_errors)
{
	static const char *const bad[] = {
		"l1d=64:3", "l1d=48:4", "l1d=64:0", "l1d=abc", "l1d=64:4:2",
		"stlb=1536:128", "l1d=131072:4", "pcid=maybe", "repl=fifo",
		"bogus=1", "l1d", "ceiling=-1", "seed=x",
		"l1d=64:4,l1d_2m=32:5",
	};
	struct tlb_config cfg, before, back;
	char buf[512];
	struct tlb t;

	tlb_config_default(&cfg);
	ASSERT_EQ(cfg.array[TLB_STLB][0].entries, 1536);
	ASSERT_EQ(cfg.array[TLB_STLB][0].ways, 12);
	ASSERT_EQ(tlb_config_parse("l1d=128:8,stlb=2048:16,pcid=off,repl=plru,ceiling=8",
				   &cfg, errbuf, sizeof(errbuf)), 0);
	ASSERT_EQ(cfg.array[TLB_L1D][0].entries, 128);
	ASSERT_EQ(cfg.array[TLB_L1D][0].ways, 8);
	ASSERT_EQ(cfg.array[TLB_STLB][0].sizes, TLB_4K | TLB_2M);
	ASSERT_FALSE(cfg.pcid);
	ASSERT_EQ(cfg.repl, TLB_REPL_PLRU);
	ASSERT_EQ(cfg.flush_ceiling, 8);
	ASSERT_EQ(tlb_config_parse("l1i_2m=8,stlb_1g=off,,", &cfg, errbuf, sizeof(errbuf)), 0);
	ASSERT_EQ(cfg.array[TLB_L1I][1].ways, 8);
	ASSERT_EQ(cfg.array[TLB_STLB][2].entries, 0);
	/* The format parses back to the same configuration. */
	tlb_config_format(&cfg, buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "l1d=128:8,l1d_2m=32:4,l1d_1g=4:4,l1i=128:8,l1i_2m=8:8,"
		      "l1i_1g=0,stlb=2048:16,stlb_1g=0,pcid=off,repl=plru,ceiling=8,seed=1");
	tlb_config_default(&back);
	ASSERT_EQ(tlb_config_parse(buf, &back, errbuf, sizeof(errbuf)), 0);
	ASSERT_EQ(memcmp(&back, &cfg, sizeof(cfg)), 0);
	/* Errors leave the configuration as it was. */
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		before = cfg;
		errbuf[0] = 0;
		if (tlb_config_parse(bad[i], &cfg, errbuf, sizeof(errbuf)) != -1)
			TEST_FAIL_("'%s' was accepted", bad[i]);
		ASSERT_TRUE(errbuf[0] != 0);
		ASSERT_EQ(memcmp(&before, &cfg, sizeof(cfg)), 0);
	}
	ASSERT_EQ(tlb_config_parse("repl=fifo", &cfg, errbuf, sizeof(errbuf)), -1);
	ASSERT_STR_EQ(errbuf, "repl=fifo: expected lru, plru or random");
	ASSERT_EQ(tlb_config_parse("l1d=48:4", &cfg, errbuf, sizeof(errbuf)), -1);
	ASSERT_STR_EQ(errbuf, "l1d array 0 (48:4): entries must be ways times a power of two");
	/* tlb_init refuses what the parser would. */
	cfg.array[TLB_L1D][0].ways = 3;
	ASSERT_EQ(tlb_init(&t, &cfg), -22);
	ASSERT_EQ(tlb_init(&t, NULL), 0);
	ASSERT_EQ(t.nr_entries, 64 + 32 + 4 + 128 + 8 + 1536 + 16);
	tlb_exit(&t);
}

TEST(counters_render_as_vmstat_lines)
{
	unsigned long sum[NR_TLB_STAT_ITEMS] = { 0 };
	struct tlb a, b;
	char buf[4096];
	int len;

	ASSERT_EQ(make(&a, ""), 0);
	ASSERT_EQ(make(&b, ""), 0);
	tlb_fill(&a, UVA, K4, 1, RW_D, 1, false);
	look(&a, UVA, TLB_ACC_READ, 1);
	look(&b, UVA, TLB_ACC_READ, 1);
	tlb_invlpg(&b, UVA, 1);
	tlb_count(&b, TLBSTAT_NR_TLB_REMOTE_FLUSH_RECEIVED);
	tlb_stat_add(sum, &a);
	tlb_stat_add(sum, &b);
	len = tlb_stat_format(sum, buf, sizeof(buf));
	ASSERT_EQ(len, (int)strlen(buf));
	ASSERT_CONTAINS(buf, "dtlb_load_hits 1\ndtlb_store_hits 0\n");
	ASSERT_CONTAINS(buf, "\ndtlb_load_misses 1\n");
	ASSERT_CONTAINS(buf, "\nnr_tlb_remote_flush_received 1\n");
	ASSERT_CONTAINS(buf, "\nnr_tlb_local_flush_one 1\n");
	ASSERT_CONTAINS(buf, "\nnr_tlb_local_flush_all 0\n");
	ASSERT_CONTAINS(buf, "\nnr_tlb_entries_flushed 0\n");
	/* A short buffer: truncated, the full length returned. */
	ASSERT_EQ(tlb_stat_format(sum, buf, 10), len);
	ASSERT_EQ(strlen(buf), 9);
	len = tlbstat_format(&a.cfg, sum, buf, sizeof(buf));
	ASSERT_EQ(len, (int)strlen(buf));
	ASSERT_CONTAINS(buf, "tlb l1d=64:4,");
	ASSERT_CONTAINS(buf, "dtlb-load");
	ASSERT_CONTAINS(buf, " 50.00%");
	tlb_exit(&a);
	tlb_exit(&b);
}

/* ------------------------------------------------ the reference model */

/*
 * The same machine written the plain way: each set an array of ways, each
 * entry with its fields spelled out, LRU as a list of ways most recent
 * first, bit-PLRU as a bit per way, every flush a loop over every entry.
 */
struct ref_entry {
	bool valid, global;
	unsigned long vpn, pfn;
	unsigned int sz, pcid, perm;
};

struct ref_array {
	unsigned int nsets, ways, sizes;
	struct ref_entry *e;		/* nsets * ways */
	int *order;			/* per set: ways, most recent first, -1 after */
	unsigned char *bit;		/* bit-PLRU */
};

struct ref {
	struct ref_array a[NR_TLB_LEVELS][TLB_MAX_ARRAYS];
	unsigned int pcid_mask, cur, ceiling;
	enum tlb_repl repl;
	unsigned long hits[3], misses[3], stlb_hits, stlb_misses, evictions, flushed;
};

static const unsigned int shift_of[3] = { 12, 21, 30 };

static void ref_init(struct ref *r, const struct tlb_config *cfg)
{
	memset(r, 0, sizeof(*r));
	for (int l = 0; l < NR_TLB_LEVELS; l++)
		for (int s = 0; s < TLB_MAX_ARRAYS; s++) {
			const struct tlb_array_config *ac = &cfg->array[l][s];
			struct ref_array *a = &r->a[l][s];

			if (!ac->entries)
				continue;
			a->ways = ac->ways;
			a->nsets = ac->entries / ac->ways;
			a->sizes = ac->sizes;
			a->e = calloc(ac->entries, sizeof(*a->e));
			a->order = malloc(ac->entries * sizeof(int));
			a->bit = calloc(ac->entries, 1);
			for (unsigned int i = 0; i < ac->entries; i++)
				a->order[i] = -1;
		}
	r->pcid_mask = cfg->pcid ? 0xfff : 0;
	r->ceiling = cfg->flush_ceiling;
	r->repl = cfg->repl;
}

static void ref_free(struct ref *r)
{
	for (int l = 0; l < NR_TLB_LEVELS; l++)
		for (int s = 0; s < TLB_MAX_ARRAYS; s++) {
			free(r->a[l][s].e);
			free(r->a[l][s].order);
			free(r->a[l][s].bit);
		}
}

static unsigned long vpn_of(unsigned long va, unsigned int sz)
{
	return (va & ((1ul << 57) - 1)) >> shift_of[sz];
}

static struct ref_array *ref_array_for(struct ref *r, int l, unsigned int sz)
{
	for (int s = 0; s < TLB_MAX_ARRAYS; s++)
		if (r->a[l][s].sizes & (1u << sz))
			return &r->a[l][s];
	return NULL;
}

static void ref_unlist(struct ref_array *a, unsigned int set, int w)
{
	int *o = a->order + set * a->ways, j = 0;

	for (unsigned int i = 0; i < a->ways; i++)
		if (o[i] != w)
			o[j++] = o[i];
	while (j < (int)a->ways)
		o[j++] = -1;
}

static void ref_touch(struct ref *r, struct ref_array *a, unsigned int set, int w)
{
	int *o = a->order + set * a->ways;
	unsigned char *bit = a->bit + set * a->ways;
	unsigned int all = 0;

	ref_unlist(a, set, w);
	memmove(o + 1, o, (a->ways - 1) * sizeof(int));
	o[0] = w;
	if (r->repl != TLB_REPL_PLRU)
		return;
	bit[w] = 1;
	for (unsigned int i = 0; i < a->ways; i++)
		all += bit[i];
	if (all == a->ways)
		for (unsigned int i = 0; i < a->ways; i++)
			bit[i] = (int)i == w;
}

static void ref_drop(struct ref *r, struct ref_array *a, unsigned int set, int w)
{
	a->e[set * a->ways + w].valid = false;
	a->bit[set * a->ways + w] = 0;
	ref_unlist(a, set, w);
	r->flushed++;
}

static bool ref_match(const struct ref_entry *e, unsigned long vpn, unsigned int sz,
		      unsigned int pcid)
{
	return e->valid && e->vpn == vpn && e->sz == sz && (e->global || e->pcid == pcid);
}

/* The entry of level l for (va, pcid), as *set and *way; NULL if none. */
static struct ref_entry *ref_find(struct ref *r, int l, unsigned long va, unsigned int pcid,
				  struct ref_array **ap, unsigned int *setp, int *wayp)
{
	for (int s = 0; s < TLB_MAX_ARRAYS; s++) {
		struct ref_array *a = &r->a[l][s];

		for (unsigned int sz = 0; sz < 3; sz++) {
			unsigned int set;

			if (!(a->sizes & (1u << sz)))
				continue;
			set = vpn_of(va, sz) % a->nsets;
			for (unsigned int w = 0; w < a->ways; w++)
				if (ref_match(&a->e[set * a->ways + w], vpn_of(va, sz), sz, pcid)) {
					*ap = a;
					*setp = set;
					*wayp = (int)w;
					return &a->e[set * a->ways + w];
				}
		}
	}
	return NULL;
}

static void ref_insert(struct ref *r, int l, unsigned int sz, unsigned long va,
		       unsigned int pcid, bool global, unsigned long pfn, unsigned int perm)
{
	struct ref_array *a = ref_array_for(r, l, sz);
	unsigned long vpn = vpn_of(va, sz);
	unsigned int set;
	int w = -1;

	if (!a)
		return;
	set = vpn % a->nsets;
	for (unsigned int i = 0; i < a->ways; i++) {
		struct ref_entry *e = &a->e[set * a->ways + i];

		if (!e->valid || e->vpn != vpn || e->sz != sz)
			continue;
		if (!global && !e->global && e->pcid != pcid)
			continue;
		if (w < 0) {
			w = (int)i;
		} else {
			ref_drop(r, a, set, (int)i);
			r->flushed--;
		}
	}
	if (w < 0) {
		for (unsigned int i = 0; i < a->ways && w < 0; i++)
			if (!a->e[set * a->ways + i].valid)
				w = (int)i;
		if (w < 0) {
			if (r->repl == TLB_REPL_LRU)
				w = a->order[set * a->ways + a->ways - 1];
			for (unsigned int i = 0; i < a->ways && w < 0; i++)
				if (!a->bit[set * a->ways + i])
					w = (int)i;
			r->evictions++;
		}
	}
	a->e[set * a->ways + w] = (struct ref_entry){ true, global, vpn, pfn, sz,
						      global ? 0 : pcid, perm };
	a->bit[set * a->ways + w] = 0;
	ref_touch(r, a, set, w);
}

static void ref_drop_va(struct ref *r, unsigned long va, unsigned int pcid)
{
	for (int l = 0; l < NR_TLB_LEVELS; l++)
		for (int s = 0; s < TLB_MAX_ARRAYS; s++) {
			struct ref_array *a = &r->a[l][s];

			for (unsigned int set = 0; set < a->nsets; set++)
				for (unsigned int w = 0; w < a->ways; w++) {
					struct ref_entry *e = &a->e[set * a->ways + w];

					if ((a->sizes & (1u << e->sz)) &&
					    ref_match(e, vpn_of(va, e->sz), e->sz, pcid))
						ref_drop(r, a, set, (int)w);
				}
		}
}

/* Drops every entry that pred says; mode 0 all, 1 non-global, 2 non-global of pcid. */
static void ref_drop_all(struct ref *r, int mode, unsigned int pcid)
{
	for (int l = 0; l < NR_TLB_LEVELS; l++)
		for (int s = 0; s < TLB_MAX_ARRAYS; s++) {
			struct ref_array *a = &r->a[l][s];

			for (unsigned int set = 0; set < a->nsets; set++)
				for (unsigned int w = 0; w < a->ways; w++) {
					struct ref_entry *e = &a->e[set * a->ways + w];

					if (e->valid && (mode == 0 || (!e->global &&
					    (mode == 1 || e->pcid == pcid))))
						ref_drop(r, a, set, (int)w);
				}
		}
}

static bool ref_allows(unsigned int perm, unsigned int acc, bool *dirty)
{
	*dirty = false;
	if ((acc & TLB_ACC_USER) && !(perm & TLB_PERM_USER))
		return false;
	if ((acc & TLB_ACC_EXEC) && (perm & TLB_PERM_NX))
		return false;
	if ((acc & TLB_ACC_WRITE) && !(perm & TLB_PERM_RW))
		return false;
	if ((acc & TLB_ACC_WRITE) && !(perm & TLB_PERM_DIRTY)) {
		*dirty = true;
		return false;
	}
	return true;
}

static int ref_lookup(struct ref *r, unsigned long va, unsigned int acc, unsigned int pcid,
		      struct tlb_result *res)
{
	int kind = acc & TLB_ACC_EXEC ? 2 : acc & TLB_ACC_WRITE ? 1 : 0;
	int l1 = kind == 2 ? TLB_L1I : TLB_L1D;
	struct ref_array *a;
	struct ref_entry *e;
	unsigned int set;
	int w, level = TLB_HIT_L1;
	bool dirty;

	pcid &= r->pcid_mask;
	e = ref_find(r, l1, va, pcid, &a, &set, &w);
	if (!e) {
		r->misses[kind]++;
		level = TLB_HIT_STLB;
		e = ref_find(r, TLB_STLB, va, pcid, &a, &set, &w);
		if (!e || !ref_allows(e->perm, acc, &dirty))
			r->stlb_misses++;
		if (!e) {
			res->why = TLB_MISS_NONE;
			return TLB_MISS;
		}
	}
	if (!ref_allows(e->perm, acc, &dirty)) {
		if (level == TLB_HIT_L1)
			r->misses[kind]++;
		ref_drop_va(r, va, pcid);
		res->why = dirty ? TLB_MISS_DIRTY : TLB_MISS_PROT;
		return TLB_MISS;
	}
	ref_touch(r, a, set, w);
	res->phys = (e->pfn << 12) + (va & ((1ul << shift_of[e->sz]) - 1));
	res->page_size = 1ul << shift_of[e->sz];
	res->perm = e->perm;
	if (level == TLB_HIT_L1) {
		r->hits[kind]++;
	} else {
		r->stlb_hits++;
		ref_insert(r, l1, e->sz, va, pcid, e->global, e->pfn, e->perm);
	}
	return level;
}

static void ref_range(struct ref *r, unsigned int pcid, unsigned long start,
		      unsigned long end, unsigned int shift, bool kernel)
{
	unsigned long first = start >> shift, last, nr;

	if (end <= start)
		return;
	last = (end - 1) >> shift;
	nr = last - first + 1;
	if (nr > r->ceiling) {
		if (kernel)
			ref_drop_all(r, 0, 0);
		else
			ref_drop_all(r, 2, pcid & r->pcid_mask);
		return;
	}
	for (unsigned long p = first; p <= last; p++)
		ref_drop_va(r, p << shift, kernel ? r->cur : pcid & r->pcid_mask);
}

/* Does the model's whole state equal the reference's, way by way? */
static const char *ref_compare(const struct tlb *t, const struct ref *r)
{
	for (int l = 0; l < NR_TLB_LEVELS; l++)
		for (int s = 0; s < TLB_MAX_ARRAYS; s++) {
			const struct ref_array *a = &r->a[l][s];
			const struct tlb_array *ta = &t->array[l][s];

			for (unsigned int i = 0; i < a->nsets * a->ways; i++) {
				const struct ref_entry *e = &a->e[i];
				const struct tlb_entry *x = &ta->sets[i];
				unsigned long want;

				if (!e->valid) {
					if (x->tag & 1)
						return "an entry the reference does not have";
					continue;
				}
				want = e->vpn << 16 | (unsigned long)e->global << 15 |
				       (unsigned long)e->sz << 13 | (unsigned long)e->pcid << 1 | 1;
				if (x->tag != want || x->pfn != e->pfn || x->perm != e->perm)
					return "an entry differs";
				if (r->repl == TLB_REPL_PLRU && x->stamp != a->bit[i])
					return "a PLRU bit differs";
			}
			if (r->repl != TLB_REPL_LRU)
				continue;
			for (unsigned int set = 0; set < a->nsets; set++) {
				const int *o = a->order + set * a->ways;

				for (unsigned int i = 0; i + 1 < a->ways && o[i + 1] >= 0; i++)
					if (ta->sets[set * a->ways + o[i]].stamp <=
					    ta->sets[set * a->ways + o[i + 1]].stamp)
						return "the LRU order differs";
			}
		}
	if (t->stat[TLBSTAT_DTLB_LOAD_HITS] != r->hits[0] ||
	    t->stat[TLBSTAT_DTLB_STORE_HITS] != r->hits[1] ||
	    t->stat[TLBSTAT_ITLB_HITS] != r->hits[2] ||
	    t->stat[TLBSTAT_DTLB_LOAD_MISSES] != r->misses[0] ||
	    t->stat[TLBSTAT_DTLB_STORE_MISSES] != r->misses[1] ||
	    t->stat[TLBSTAT_ITLB_MISSES] != r->misses[2] ||
	    t->stat[TLBSTAT_STLB_HITS] != r->stlb_hits ||
	    t->stat[TLBSTAT_STLB_MISSES] != r->stlb_misses)
		return "a hit or miss counter differs";
	if (t->stat[TLBSTAT_DTLB_EVICTIONS] + t->stat[TLBSTAT_ITLB_EVICTIONS] +
	    t->stat[TLBSTAT_STLB_EVICTIONS] != r->evictions)
		return "the eviction count differs";
	return NULL;
}

/*
 * The oracle that holds for every policy: a hit must give a translation
 * that was filled for that page (its PCID, or global) and not flushed
 * since.  Fills add to the list; flushes take out what they cover.
 */
struct live {
	unsigned long vpn, pfn;
	unsigned int sz, pcid, perm;
	bool global;
};

#define MAX_LIVE 4096
static struct live live[MAX_LIVE];
static int nr_live;

static bool live_covers(const struct live *x, unsigned long va, unsigned int pcid)
{
	return x->vpn == vpn_of(va, x->sz) && (x->global || x->pcid == pcid);
}

/* mode: 0 va (invlpg), 1 everything, 2 non-global, 3 non-global of pcid. */
static void live_remove(int mode, unsigned long va, unsigned int pcid)
{
	for (int i = 0; i < nr_live; i++) {
		struct live *x = &live[i];
		bool drop = mode == 0 ? live_covers(x, va, pcid) : mode == 1 ? true :
			    mode == 2 ? !x->global : !x->global && x->pcid == pcid;

		if (drop)
			live[i--] = live[--nr_live];
	}
}

static bool live_explains(unsigned long va, unsigned int pcid, const struct tlb_result *res)
{
	for (int i = 0; i < nr_live; i++) {
		const struct live *x = &live[i];

		if (live_covers(x, va, pcid) && res->page_size == 1ul << shift_of[x->sz] &&
		    res->phys == (x->pfn << 12) + (va & (res->page_size - 1)) &&
		    res->perm == x->perm)
			return true;
	}
	return false;
}

static unsigned long rnd_state;
static unsigned long rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* An address that collides often: few 1G, 2M and 4K pages, user and kernel. */
static unsigned long random_va(void)
{
	unsigned long base = rnd() % 4 == 0 ? KVA : UVA;

	return base + (rnd() % 3) * G1 + (rnd() % 4) * M2 + (rnd() % 48) * K4 + rnd() % K4;
}

/* Runs ops random operations on t and the reference; returns a failure or NULL. */
static const char *random_run(const char *spec, unsigned long ops, bool set_clock_near_wrap,
			      char *why, size_t whylen)
{
	struct tlb_config cfg;
	struct tlb t;
	struct ref r;
	const char *fail = NULL;

	tlb_config_default(&cfg);
	if (tlb_config_parse(spec, &cfg, why, whylen) || tlb_init(&t, &cfg))
		return "bad spec";
	ref_init(&r, &cfg);
	nr_live = 0;
	if (set_clock_near_wrap)
		t.clock = UINT32_MAX - 3000;
	for (unsigned long op = 0; op < ops && !fail; op++) {
		unsigned long va = random_va(), choice = rnd() % 100;
		unsigned int pcid = (unsigned int)(rnd() % 3) & t.pcid_mask;

		if (choice < 45) {
			unsigned int acc = (unsigned int)(rnd() & (TLB_ACC_WRITE | TLB_ACC_USER));
			struct tlb_result got, want;
			int g, w;

			if (rnd() % 4 == 0)
				acc = TLB_ACC_EXEC | (acc & TLB_ACC_USER);
			memset(&got, 0, sizeof(got));
			memset(&want, 0, sizeof(want));
			g = tlb_lookup(&t, va, acc, pcid, &got);
			if (cfg.repl == TLB_REPL_RANDOM)	/* the oracle only */
				want = got, w = g;
			else
				w = ref_lookup(&r, va, acc, pcid, &want);
			if (g != w || (g && (got.phys != want.phys || got.page_size != want.page_size ||
					     got.perm != want.perm)) || (!g && got.why != want.why))
				fail = "a lookup differs from the reference";
			else if (g && !live_explains(va, pcid, &got))
				fail = "a hit no live translation explains (stale entry)";
		} else if (choice < 80) {
			unsigned int sz = (unsigned int)(rnd() % 10 < 7 ? 0 : rnd() % 2 ? 1 : 2);
			unsigned long pfn = (rnd() % 100000) & ~((1ul << (shift_of[sz] - 12)) - 1);
			unsigned int perm = (unsigned int)rnd() & TLB_PERM_MASK;
			bool global = va >= KVA && rnd() % 2;
			unsigned int flags = perm | (rnd() % 3 == 0 ? TLB_FILL_ITLB : 0);

			tlb_fill(&t, va, 1ul << shift_of[sz], pfn, flags, pcid, global);
			if (cfg.repl != TLB_REPL_RANDOM) {
				ref_insert(&r, TLB_STLB, sz, va, pcid, global, pfn, perm);
				ref_insert(&r, flags & TLB_FILL_ITLB ? TLB_L1I : TLB_L1D, sz, va,
					   pcid, global, pfn, perm);
			}
			if (nr_live < MAX_LIVE)
				live[nr_live++] = (struct live){ vpn_of(va, sz), pfn, sz,
								 global ? 0 : pcid, perm, global };
			else
				fail = "too many live translations for the oracle";
		} else if (choice < 88) {
			tlb_invlpg(&t, va, pcid);
			ref_drop_va(&r, va, pcid);
			live_remove(0, va, pcid);
		} else if (choice < 93) {
			unsigned long len = (rnd() % 40 + 1) * K4;
			unsigned long start = va & ~(K4 - 1);

			tlb_flush_range(&t, start, start + len, pcid);
			ref_range(&r, pcid, start, start + len, 12, false);
			if (len / K4 > cfg.flush_ceiling)
				live_remove(3, 0, pcid);
			else
				for (unsigned long a = start; a < start + len; a += K4)
					live_remove(0, a, pcid);
		} else if (choice < 95) {
			tlb_flush_mm(&t, pcid);
			ref_drop_all(&r, 2, pcid);
			live_remove(3, 0, pcid);
		} else if (choice < 98) {
			tlb_switch_mm(&t, pcid);
			if (!t.pcid_mask) {
				ref_drop_all(&r, 1, 0);
				live_remove(2, 0, 0);
			}
			r.cur = pcid;
		} else {
			tlb_flush_all(&t);
			ref_drop_all(&r, 0, 0);
			live_remove(1, 0, 0);
		}
		if (!fail && tlb_check(&t, why, whylen))
			fail = why;
		if (!fail && cfg.repl != TLB_REPL_RANDOM && (op % 16 == 0 || op + 1 == ops))
			fail = ref_compare(&t, &r);
		if (fail && fail != why)
			snprintf(why, whylen, "%s: op %lu (seed %lu)", fail, op, TEST_SEED());
	}
	if (set_clock_near_wrap && !fail && t.clock > 1000000)
		fail = "the LRU clock did not wrap";
	tlb_exit(&t);
	ref_free(&r);
	return fail ? why : NULL;
}

TEST(random_ops_match_the_reference)
{
	static const char *const specs[] = {
		/* Small arrays, so that sets overflow all the time. */
		"l1d=8:2,l1d_2m=4:2,l1d_1g=2:2,l1i=8:4,l1i_2m=2:2,stlb=32:4,stlb_1g=4:2,pcid=on",
		"l1d=8:2,l1d_2m=4:2,l1d_1g=2:2,l1i=8:4,l1i_2m=2:2,stlb=32:4,stlb_1g=4:2,pcid=off",
		"l1d=8:2,l1d_2m=4:2,l1d_1g=2:2,l1i=8:4,l1i_2m=2:2,stlb=32:4,stlb_1g=4:2,repl=plru",
		"l1d=8:4,l1d_2m=4,l1d_1g=0,l1i=4:4,stlb=24:3,stlb_1g=0,repl=plru,pcid=off",
		"l1d=8:2,l1d_2m=4:2,l1d_1g=2:2,l1i=8:4,l1i_2m=2:2,stlb=32:4,stlb_1g=4:2,repl=random",
		"",					/* the Skylake defaults */
		"l1i=0,l1i_2m=0,stlb=0,stlb_1g=0,ceiling=4",
	};
	unsigned long ops = 20000 * TEST_SCALE();
	char why[256];

	for (unsigned int i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		const char *fail;

		rnd_state = TEST_SEED() * 0x9e3779b97f4a7c15ul + i;
		fail = random_run(specs[i], ops, i == 0, why, sizeof(why));
		if (fail)
			TEST_FAIL_("spec \"%s\": %s", specs[i], fail);
	}
}

/*
 * `tlb=` is a string option of base/'s table, checked by the validator
 * hw/tlb_config.c registers: a bad geometry is refused with the parser's
 * reason, a good one is stored, one too long for the buffer is refused.
 */
TEST(tlb_option_is_checked_by_its_layer)
{
	struct kmm_config cfg = { 0 };
	char err[200], big[300];

	ASSERT_EQ(kmm_config_set(&cfg, "tlb", "l1d=7:3", err, sizeof(err)), -1);
	ASSERT_TRUE(strstr(err, "power of two") != NULL);
	ASSERT_EQ(cfg.tlb[0], 0);
	ASSERT_EQ(kmm_config_set(&cfg, "tlb", "l1d=64:4,pcid=off", err, sizeof(err)), 0);
	ASSERT_EQ(strcmp(cfg.tlb, "l1d=64:4,pcid=off"), 0);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	ASSERT_EQ(kmm_config_set(&cfg, "tlb", big, err, sizeof(err)), -1);
	ASSERT_TRUE(strstr(err, "too long") != NULL);
	ASSERT_EQ(strcmp(cfg.tlb, "l1d=64:4,pcid=off"), 0);
}

int main(void)
{
	RUN_TEST(hit_after_fill);
	RUN_TEST(lookups_skip_sizes_never_filled);
	RUN_TEST(stlb_hit_refills_l1);
	RUN_TEST(lru_evicts_exactly_the_least_recent);
	RUN_TEST(plru_and_random_traces);
	RUN_TEST(huge_pages_cover_their_4k_pages);
	RUN_TEST(pcid_isolation_and_global_entries);
	RUN_TEST(switch_without_pcid_keeps_only_global);
	RUN_TEST(range_flush_ceiling);
	RUN_TEST(permissions_as_x86);
	RUN_TEST(stale_entries_never_survive_munmap_mprotect_cow);
	RUN_TEST(config_parse_and_errors);
	RUN_TEST(counters_render_as_vmstat_lines);
	RUN_TEST(random_ops_match_the_reference);
	RUN_TEST(tlb_option_is_checked_by_its_layer);
	return harness_summary();
}
