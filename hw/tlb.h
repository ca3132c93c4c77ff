/*
 * hw/tlb.h - the translation lookaside buffers of one simulated CPU: an L1
 * data TLB, an L1 instruction TLB and a second-level TLB (STLB) shared by
 * both, each made of set-associative arrays per page size, with PCID
 * tagging, global entries and the flushes x86 Linux issues.
 *
 * Glossary (docs/tlb.md says more):
 *   level   L1D, L1I or STLB.  A lookup tries the L1 of its kind (L1I for an
 *           instruction fetch, L1D otherwise), then the STLB; a STLB hit is
 *           copied into that L1.  A miss at both asks the caller to walk the
 *           page table (hw/mmu.c) and tlb_fill() the result.
 *   array   one set-associative array of a level, holding one or more page
 *           sizes (the default STLB array holds 4K and 2M).  A level without
 *           an array for a page size does not cache that size.
 *   entry   a cached leaf: virtual page number at its page size, PCID (or
 *           none: global), frame, and the leaf's RW, U/S, NX and dirty bits.
 *   PCID    the 12-bit address-space tag of CR3.  Off: every entry has PCID
 *           0 and a context switch flushes every non-global entry.  On: an
 *           entry only hits for its own PCID, and a switch flushes nothing.
 *
 * What an entry allows, as on x86: a write needs RW and a dirty bit already
 * set (a write through a clean entry re-walks so that the walk sets D), a
 * user access needs U/S, a fetch needs NX clear; supervisor accesses to user
 * pages are allowed (SMAP/SMEP are not modelled).  An access an entry does
 * not allow is a miss, and, as x86 does on a page fault, the entries for
 * that address are dropped: the caller walks, and fills or faults.
 *
 * One struct tlb per simulated CPU, used by that CPU only: no locking.  The
 * caller owns the struct (tlb_init/tlb_exit); the entries are one host
 * allocation made at init.  Virtual addresses must be canonical; at most 57
 * bits of them are kept.
 */
#ifndef KMM_HW_TLB_H
#define KMM_HW_TLB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hw/repl/repl.h"

enum tlb_level {
	TLB_L1D,			/* first-level data TLB */
	TLB_L1I,			/* first-level instruction TLB */
	TLB_STLB,			/* second level, shared by data and code */
	NR_TLB_LEVELS
};

/* Page sizes, as a bit mask in tlb_array_config.sizes. */
#define TLB_4K		0x1u
#define TLB_2M		0x2u
#define TLB_1G		0x4u
#define TLB_MAX_ARRAYS	3		/* per level: one per page-size slot */
#define TLB_MAX_WAYS	64
#define TLB_MAX_ENTRIES	65536		/* per array */

/* The access of a lookup: the bits of x86's page-fault error code (PF_*). */
#define TLB_ACC_READ	0x00
#define TLB_ACC_WRITE	0x02		/* = PF_WRITE */
#define TLB_ACC_USER	0x04		/* = PF_USER: CPL 3 */
#define TLB_ACC_EXEC	0x10		/* = PF_INSTR: an instruction fetch */

/* An entry's permissions, as the walk combined them over all levels. */
#define TLB_PERM_RW	0x02		/* writable */
#define TLB_PERM_USER	0x04		/* user-accessible (U/S) */
#define TLB_PERM_NX	0x10		/* no execute */
#define TLB_PERM_DIRTY	0x40		/* the leaf's D bit was already set */
#define TLB_PERM_PKEY_SHIFT 8		/* bits 8-11: the leaf's protection key */
#define TLB_PERM_PKEY	(0xfu << TLB_PERM_PKEY_SHIFT)
#define TLB_PERM_MASK	(TLB_PERM_RW | TLB_PERM_USER | TLB_PERM_NX | TLB_PERM_DIRTY | TLB_PERM_PKEY)
/* tlb_fill flag: the walk was for an instruction fetch: fill L1I, not L1D. */
#define TLB_FILL_ITLB	0x1000

#define TLB_PCID_MASK	0xfffu

/* The replacement policies (hw/repl/) a TLB can be configured with. */
enum tlb_repl {
	TLB_REPL_LRU,			/* true LRU per set (default) */
	TLB_REPL_PLRU,			/* bit-PLRU: one MRU bit per way */
	TLB_REPL_RANDOM,		/* seeded xorshift */
	NR_TLB_REPL
};

/* Each one's ops (hw/tlb_config.c); the names are the repl= values. */
extern const struct repl_ops *const tlb_repl_ops[NR_TLB_REPL];

struct tlb_array_config {
	unsigned int entries;		/* 0: no such array */
	unsigned int ways;		/* entries / ways sets, a power of two */
	unsigned int sizes;		/* TLB_4K | TLB_2M | TLB_1G it caches */
};

/*
 * A machine's TLBs.  tlb_config_default() gives an Intel Skylake core
 * (docs/tlb.md cites the source); array[level][slot]: slot 0 the 4K array
 * (4K and 2M in the STLB), slot 1 the 2M array, slot 2 the 1G array.
 */
struct tlb_config {
	struct tlb_array_config array[NR_TLB_LEVELS][TLB_MAX_ARRAYS];
	enum tlb_repl repl;
	bool pcid;			/* CR4.PCIDE */
	unsigned int flush_ceiling;	/* tlb_single_page_flush_ceiling (33) */
	unsigned int seed;		/* of the random policy */
};

/* The configuration functions are in hw/tlb_config.c. */
void tlb_config_default(struct tlb_config *cfg);
/*
 * Applies "key=value,..." to cfg: l1d, l1d_2m, l1d_1g, l1i, l1i_2m, l1i_1g,
 * stlb (4K+2M), stlb_1g = ENTRIES:WAYS, ENTRIES (fully associative) or 0;
 * pcid=on|off; repl=lru|plru|random; ceiling=N; seed=N.  Returns 0, or -1
 * with a message in err and cfg unchanged.
 */
int tlb_config_parse(const char *s, struct tlb_config *cfg, char *err, size_t errlen);
/* Checks a configuration; returns 0 or -1 with a message in err. */
int tlb_config_check(const struct tlb_config *cfg, char *err, size_t errlen);
/* Writes cfg in tlb_config_parse's syntax; returns the length snprintf would. */
int tlb_config_format(const struct tlb_config *cfg, char *buf, size_t size);

/*
 * Counters, listed once: the enum and the names /proc/vmstat-style output
 * prints.  The nr_tlb_* names that Linux has (CONFIG_DEBUG_TLBFLUSH) count
 * what Linux counts; the others are kmm's.  docs/tlb.md explains each.
 */
#define TLB_STAT_ITEMS(X)						\
	X(DTLB_LOAD_HITS, "dtlb_load_hits")				\
	X(DTLB_STORE_HITS, "dtlb_store_hits")				\
	X(ITLB_HITS, "itlb_hits")					\
	X(DTLB_LOAD_MISSES, "dtlb_load_misses")				\
	X(DTLB_STORE_MISSES, "dtlb_store_misses")			\
	X(ITLB_MISSES, "itlb_misses")					\
	X(STLB_HITS, "stlb_hits")					\
	X(STLB_MISSES, "stlb_misses")					\
	X(TLB_PROT_MISSES, "tlb_prot_misses")				\
	X(TLB_DIRTY_MISSES, "tlb_dirty_misses")				\
	X(TLB_WALKS, "tlb_walks")					\
	X(TLB_FILLS, "tlb_fills")					\
	X(DTLB_EVICTIONS, "dtlb_evictions")				\
	X(ITLB_EVICTIONS, "itlb_evictions")				\
	X(STLB_EVICTIONS, "stlb_evictions")				\
	X(NR_TLB_REMOTE_FLUSH, "nr_tlb_remote_flush")			\
	X(NR_TLB_REMOTE_FLUSH_RECEIVED, "nr_tlb_remote_flush_received")	\
	X(NR_TLB_LOCAL_FLUSH_ALL, "nr_tlb_local_flush_all")		\
	X(NR_TLB_LOCAL_FLUSH_ONE, "nr_tlb_local_flush_one")		\
	X(TLB_FLUSH_GLOBAL, "nr_tlb_flush_global")			\
	X(TLB_FLUSH_TASK_SWITCH, "nr_tlb_flush_task_switch")		\
	X(TLB_SWITCH_NOFLUSH, "nr_tlb_switch_noflush")			\
	X(TLB_FLUSH_RANGE, "nr_tlb_flush_range")			\
	X(TLB_FLUSH_RANGE_FULL, "nr_tlb_flush_range_full")		\
	X(TLB_ENTRIES_FLUSHED, "nr_tlb_entries_flushed")

enum tlb_stat_item {
#define X(id, name) TLBSTAT_##id,
	TLB_STAT_ITEMS(X)
#undef X
	NR_TLB_STAT_ITEMS
};

extern const char *const tlb_stat_names[NR_TLB_STAT_ITEMS];

/* One cached translation: 24 bytes. */
struct tlb_entry {
	uint64_t tag;			/* vpn << 16 | global << 15 | size << 13
					 * | pcid << 1 | valid; 0 when empty */
	uint64_t pfn;			/* first frame of the page */
	uint32_t stamp;			/* the policy's word (hw/repl/repl.h):
					 * LRU: tlb->clock at last use;
					 * PLRU: the MRU bit; random: 0 */
	uint32_t perm;			/* TLB_PERM_* */
};

struct tlb_array {
	struct tlb_entry *sets;		/* nr_sets * ways entries, set by set */
	unsigned int set_mask;		/* nr_sets - 1 */
	unsigned int ways;
	unsigned int nr_sizes;		/* how many page sizes it caches, 0: none */
	unsigned char size[3];		/* their size codes (0 4K, 1 2M, 2 1G), ascending */
};

struct tlb {
	struct tlb_array array[NR_TLB_LEVELS][TLB_MAX_ARRAYS];
	struct tlb_array *by_size[NR_TLB_LEVELS][3];	/* the array caching each size, or NULL */
	struct tlb_array *l1_4k[2];	/* L1D's, L1I's slot 0 if it caches 4K only */
	uint32_t clock;			/* LRU stamps (repl.clock); renumbered
					 * before it wraps */
	uint32_t clock_max;		/* REPL_CLOCK_MAX with LRU, else 0 (the slow touch) */
	uint8_t sizes_seen[NR_TLB_LEVELS];	/* bit sz: the level may hold entries of
						 * size sz (set by a fill, cleared by a
						 * full flush): lookups skip the others */
	unsigned int pcid_mask;		/* TLB_PCID_MASK with PCID on, else 0 */
	unsigned int pcid;		/* current PCID (tlb_switch_mm) */
	unsigned int flush_ceiling;
	struct repl repl;		/* the replacement policy, over the stamps */
	struct tlb_entry *mem;		/* every entry, one allocation */
	unsigned long nr_entries;
	struct tlb_config cfg;
	unsigned long stat[NR_TLB_STAT_ITEMS];
};

/* Returns 0, -EINVAL for a bad cfg (NULL: the defaults) or -ENOMEM. */
int tlb_init(struct tlb *tlb, const struct tlb_config *cfg);
void tlb_exit(struct tlb *tlb);

/* What tlb_lookup returns: where it hit, or TLB_MISS. */
#define TLB_MISS	0
#define TLB_HIT_L1	1
#define TLB_HIT_STLB	2

/* Why a lookup missed (tlb_result.why). */
enum tlb_miss {
	TLB_MISS_NONE,			/* no entry: walk */
	TLB_MISS_PROT,			/* an entry refused the access: dropped, walk */
	TLB_MISS_DIRTY,			/* a write through a clean entry: dropped,
					 * walk (the walk sets D) */
};

struct tlb_result {
	unsigned long phys;		/* hit: the physical address of va */
	unsigned long page_size;	/* hit: 4K, 2M or 1G */
	unsigned int perm;		/* hit: the entry's TLB_PERM_* */
	enum tlb_miss why;		/* miss: why */
};

/* The tag of an entry (struct tlb_entry.tag), bit by bit. */
#define TLB_TAG_VALID		0x1ul
#define TLB_TAG_PCID_SHIFT	1
#define TLB_TAG_PCID		((uint64_t)TLB_PCID_MASK << TLB_TAG_PCID_SHIFT)
#define TLB_TAG_SIZE_SHIFT	13
#define TLB_TAG_GLOBAL		(1ul << 15)
#define TLB_TAG_VPN_SHIFT	16
#define TLB_VA_MASK		((1ul << 57) - 1)	/* 5-level paging's 57 bits */

/*
 * The entry of a set that translates key (a lookup's vpn, size and PCID):
 * the same page, and the same PCID or a global entry.  At most one can.
 */
static inline struct tlb_entry *tlb_set_find(struct tlb_entry *set, unsigned int ways,
					     uint64_t key)
{
	for (unsigned int w = 0; w < ways; w++) {
		uint64_t t = set[w].tag;

		/* Mostly another page: one xor, one and, one branch per way. */
		if (__builtin_expect(!!((t ^ key) & ~(TLB_TAG_PCID | TLB_TAG_GLOBAL)), 1))
			continue;
		if (t == key || (t & TLB_TAG_GLOBAL))
			return &set[w];
	}
	return NULL;
}

/* Which TLB_PERM_* bits an entry lacks (or has, for NX) for an access. */
static inline unsigned int tlb_refused(unsigned int perm, unsigned int access)
{
	unsigned int need = (access & (TLB_ACC_WRITE | TLB_ACC_USER)) |
			    (access & TLB_ACC_WRITE) << 5;

	return (need & ~perm) | (perm & access & TLB_ACC_EXEC);
}

void tlb_touch_slow(struct tlb *tlb, struct tlb_entry *e);

/*
 * e was just used: the replacement policy's bookkeeping.  LRU's hit
 * (hw/repl/lru.c) is one stamp from the shared clock, done here inline;
 * another policy, or the clock about to wrap, is the policy's call.
 */
static inline void tlb_touch(struct tlb *tlb, struct tlb_entry *e)
{
	if (__builtin_expect(tlb->clock < tlb->clock_max, 1))
		e->stamp = ++tlb->clock;
	else
		tlb_touch_slow(tlb, e);
}

/* Everything past a hit in the L1's 4K array; kind: 0 load, 1 store, 2 fetch. */
int tlb_lookup_slow(struct tlb *tlb, unsigned long va, unsigned int access,
		    unsigned int pcid, unsigned int kind, struct tlb_result *res);

/*
 * Translates va for access (TLB_ACC_*) in address space pcid (ignored with
 * PCID off).  Returns TLB_HIT_L1, TLB_HIT_STLB, or TLB_MISS: the caller
 * walks the page table and calls tlb_fill, or raises the fault.
 * Inline: the L1's 4K array, straight-line (the hot path); anything else
 * (another page size, a refusal, a miss) is tlb_lookup_slow, which starts
 * over with the whole L1.
 */
static inline int tlb_lookup(struct tlb *tlb, unsigned long va, unsigned int access,
			     unsigned int pcid, struct tlb_result *res)
{
	/* kind: 0 load, 1 store, 2 fetch; the hit counters are in that order. */
	unsigned int kind = access & TLB_ACC_EXEC ? 2 : (access & TLB_ACC_WRITE) >> 1;
	const struct tlb_array *a = tlb->l1_4k[kind >> 1];
	uint64_t vpn = (va & TLB_VA_MASK) >> 12, key;
	struct tlb_entry *e;

	pcid &= tlb->pcid_mask;
	key = vpn << TLB_TAG_VPN_SHIFT | (uint64_t)pcid << TLB_TAG_PCID_SHIFT | TLB_TAG_VALID;
	if (__builtin_expect(!a, 0))
		return tlb_lookup_slow(tlb, va, access, pcid, kind, res);
	e = tlb_set_find(a->sets + (vpn & a->set_mask) * a->ways, a->ways, key);
	if (__builtin_expect(!e || tlb_refused(e->perm, access), 0))
		return tlb_lookup_slow(tlb, va, access, pcid, kind, res);
	tlb_touch(tlb, e);
	tlb->stat[TLBSTAT_DTLB_LOAD_HITS + kind]++;
	res->phys = e->pfn << 12 | (va & 0xfff);
	res->page_size = 4096;
	res->perm = e->perm;
	res->why = TLB_MISS_NONE;
	return TLB_HIT_L1;
}
/*
 * Caches a translation after a successful walk: va lies in a page of
 * page_size bytes (4K, 2M or 1G) starting at frame pfn; flags: TLB_PERM_*
 * and TLB_FILL_ITLB for a fetch.  Fills the STLB and the L1 of the access,
 * where they have an array for page_size, replacing the entries of the same
 * page that a lookup could confuse with it (the same PCID, or either one
 * global).  A global entry hits for every PCID.
 */
void tlb_fill(struct tlb *tlb, unsigned long va, unsigned long page_size,
	      unsigned long pfn, unsigned int flags, unsigned int pcid, bool global);

/*
 * Flushes.  Each acts on this CPU's TLB only; a shootdown is the caller
 * calling it on every CPU (counting NR_TLB_REMOTE_FLUSH* with tlb_count).
 */
/* __flush_tlb_all: every entry, global ones too (CR4.PGE toggle). */
void tlb_flush_all(struct tlb *tlb);
/* flush_tlb_local: a CR3 reload: the non-global entries of the current PCID. */
void tlb_flush_local(struct tlb *tlb);
/* The non-global entries of pcid (INVPCID single-context; flush_tlb_mm). */
void tlb_flush_mm(struct tlb *tlb, unsigned int pcid);
/* INVLPG (flush_tlb_one_user): the entries of pcid, and global ones, covering va. */
void tlb_invlpg(struct tlb *tlb, unsigned long va, unsigned int pcid);
/*
 * flush_tlb_mm_range: INVLPG every 1 << stride_shift bytes of [start, end)
 * when that is at most flush_ceiling pages, else tlb_flush_mm(pcid).
 */
void tlb_flush_mm_range(struct tlb *tlb, unsigned int pcid, unsigned long start,
			unsigned long end, unsigned int stride_shift);
/* tlb_flush_mm_range with 4K pages. */
void tlb_flush_range(struct tlb *tlb, unsigned long start, unsigned long end,
		     unsigned int pcid);
/* flush_tlb_kernel_range: INVLPG per page up to the ceiling, else tlb_flush_all. */
void tlb_flush_kernel_range(struct tlb *tlb, unsigned long start, unsigned long end);
/*
 * switch_mm's CR3 write: with PCID, makes pcid current and flushes nothing;
 * without, flushes every non-global entry.
 */
void tlb_switch_mm(struct tlb *tlb, unsigned int pcid);

/* Adds one to a counter the TLB cannot see itself (remote flushes). */
static inline void tlb_count(struct tlb *tlb, enum tlb_stat_item item)
{
	tlb->stat[item]++;
}
/* Adds tlb's counters into sum[NR_TLB_STAT_ITEMS] (to total all CPUs). */
void tlb_stat_add(unsigned long *sum, const struct tlb *tlb);
/*
 * Writes "name value\n" per counter, as /proc/vmstat does; returns the
 * length of the whole text (as snprintf).
 */
int tlb_stat_format(const unsigned long *stat, char *buf, size_t size);
/* The `tlbstat` view: the configuration, then hits and misses per level. */
int tlbstat_format(const struct tlb_config *cfg, const unsigned long *stat,
		   char *buf, size_t size);

/* Is va cached for pcid at level (no side effects; for tests and views)? */
bool tlb_cached(const struct tlb *tlb, enum tlb_level level, unsigned long va,
		unsigned int pcid);
/* Valid entries at level. */
unsigned long tlb_nr_valid(const struct tlb *tlb, enum tlb_level level);
/* Checks the invariants; returns 0 or -1 with a message in err. */
int tlb_check(const struct tlb *tlb, char *err, size_t errlen);

#endif /* KMM_HW_TLB_H */
