/*
 * hw/tlb.c - the TLB model: set-associative arrays per level and page size,
 * lookups with x86's permission rules, fills after a walk, the flushes of
 * arch/x86/mm/tlb.c.  Replacement is a policy of hw/repl/ (LRU, bit-PLRU,
 * random) working on the entries' stamps; the configuration is in
 * hw/tlb_config.c.
 * The structures and the rules are in hw/tlb.h; docs/tlb.md explains them.
 *
 * The hot path, an L1 hit in the 4K array, is inline in hw/tlb.h: one set
 * (a mask, a multiply), a compare per way, a permission test, an LRU stamp
 * and a counter.  Everything else (other page sizes, L1 misses, refusals,
 * fills, flushes) is here, out of line.  One owner, no locks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/compiler.h>
#include <kmm/pgtable.h>
#include "base/seq_buf.h"
#include "hw/tlb.h"

/* The access bits are the page-fault error code's, so a caller passes PF_*. */
_Static_assert(TLB_ACC_WRITE == PF_WRITE && TLB_ACC_USER == PF_USER &&
	       TLB_ACC_EXEC == PF_INSTR, "TLB_ACC_* must be PF_*");
/* The permission test relies on these positions. */
_Static_assert(TLB_PERM_RW == TLB_ACC_WRITE && TLB_PERM_USER == TLB_ACC_USER &&
	       TLB_PERM_NX == TLB_ACC_EXEC && TLB_PERM_DIRTY == TLB_ACC_WRITE << 5,
	       "TLB_PERM_* line up with TLB_ACC_*");

static const unsigned int size_shift[3] = { 12, 21, 30 };

const char *const tlb_stat_names[NR_TLB_STAT_ITEMS] = {
#define X(id, name) name,
	TLB_STAT_ITEMS(X)
#undef X
};

static const enum tlb_stat_item evict_item[NR_TLB_LEVELS] = {
	TLBSTAT_DTLB_EVICTIONS, TLBSTAT_ITLB_EVICTIONS, TLBSTAT_STLB_EVICTIONS,
};

/* ---------------------------------------------------------------- tags */

static inline uint64_t make_key(unsigned long va, unsigned int sz, unsigned int pcid)
{
	uint64_t vpn = (va & TLB_VA_MASK) >> size_shift[sz];

	return vpn << TLB_TAG_VPN_SHIFT | (uint64_t)sz << TLB_TAG_SIZE_SHIFT |
	       (uint64_t)pcid << TLB_TAG_PCID_SHIFT | TLB_TAG_VALID;
}

/*
 * tlb_set_find's test without branches: does the entry with this tag
 * translate key?  A global entry matches whatever the PCID.
 */
static inline bool tag_match(uint64_t tag, uint64_t key)
{
	uint64_t ignore = (0 - ((tag & TLB_TAG_GLOBAL) >> 15)) & (TLB_TAG_PCID | TLB_TAG_GLOBAL);

	return ((tag ^ key) & ~ignore) == 0;
}

static inline unsigned int tag_size(uint64_t tag)
{
	return (tag >> TLB_TAG_SIZE_SHIFT) & 3;
}

static inline struct tlb_entry *set_of(const struct tlb_array *a, uint64_t key)
{
	return a->sets + ((key >> TLB_TAG_VPN_SHIFT) & a->set_mask) * a->ways;
}

/* The entry of level that translates (va, pcid): arrays in order, sizes ascending. */
static inline struct tlb_entry *level_find(const struct tlb *tlb, enum tlb_level level,
					   unsigned long va, unsigned int pcid)
{
	unsigned int seen = tlb->sizes_seen[level];

	for (int s = 0; s < TLB_MAX_ARRAYS && seen; s++) {
		const struct tlb_array *a = &tlb->array[level][s];

		for (unsigned int i = 0; i < a->nr_sizes; i++) {
			uint64_t key;
			struct tlb_entry *e;

			/* A size never filled since the last full flush: no
			 * entry of it to find (the 2M and 1G arrays, mostly). */
			if (!(seen & (1u << a->size[i])))
				continue;
			key = make_key(va, a->size[i], pcid);
			e = tlb_set_find(set_of(a, key), a->ways, key);
			if (e)
				return e;
		}
	}
	return NULL;
}

static inline void clear_entry(struct tlb_entry *e)
{
	memset(e, 0, sizeof(*e));
}

/* -------------------------------------------------------- replacement */

/*
 * The policy (hw/repl/) sees a set as the stamp words of its entries.  The
 * LRU hit on the fast path is inline (tlb_touch in hw/tlb.h); everything
 * else goes through tlb->repl.
 */
_Static_assert(sizeof(struct tlb_entry) % sizeof(uint32_t) == 0 && TLB_MAX_WAYS <= REPL_MAX_WAYS,
	       "a set's stamps are a strided array of 32-bit words");

static inline struct repl_set set_view(struct tlb_entry *set, unsigned int ways)
{
	return (struct repl_set){ &set->stamp, sizeof(*set) / sizeof(uint32_t), ways };
}

/* struct repl's for_each_set: every set of every array. */
static void for_each_set(struct repl *r, void (*fn)(struct repl *r, const struct repl_set *s))
{
	struct tlb *tlb = container_of(r, struct tlb, repl);

	for (int l = 0; l < NR_TLB_LEVELS; l++)
		for (int s = 0; s < TLB_MAX_ARRAYS; s++) {
			struct tlb_array *a = &tlb->array[l][s];

			for (unsigned int set = 0; a->nr_sizes && set <= a->set_mask; set++) {
				struct repl_set rs = set_view(a->sets + (size_t)set * a->ways, a->ways);

				fn(r, &rs);
			}
		}
}

/* The set and array holding e (slow: for the policies other than LRU). */
static struct tlb_entry *set_containing(struct tlb *tlb, struct tlb_entry *e,
					unsigned int *ways)
{
	for (int l = 0; l < NR_TLB_LEVELS; l++)
		for (int s = 0; s < TLB_MAX_ARRAYS; s++) {
			struct tlb_array *a = &tlb->array[l][s];
			size_t nr = a->nr_sizes ? (size_t)(a->set_mask + 1) * a->ways : 0;

			if (e >= a->sets && e < a->sets + nr) {
				*ways = a->ways;
				return a->sets + (size_t)(e - a->sets) / a->ways * a->ways;
			}
		}
	return NULL;
}

/* tlb_touch's call: another policy than LRU, or the LRU clock about to wrap. */
void tlb_touch_slow(struct tlb *tlb, struct tlb_entry *e)
{
	unsigned int ways = 0;
	struct tlb_entry *set = set_containing(tlb, e, &ways);
	struct repl_set rs;

	if (!set)
		return;
	rs = set_view(set, ways);
	repl_hit(&tlb->repl, &rs, (unsigned int)(e - set));
}

/* The way a new entry goes to: an empty one, else the policy's victim. */
static unsigned int victim(struct tlb *tlb, const struct tlb_entry *set,
			   const struct repl_set *rs)
{
	/* LRU's oldest is the first empty way if there is one: its stamp is 0. */
	if (likely(tlb->repl.ops == &repl_lru_ops))
		return lru_oldest(rs);
	for (unsigned int w = 0; w < rs->ways; w++)
		if (!(set[w].tag & TLB_TAG_VALID))
			return w;
	return repl_victim(&tlb->repl, rs);
}

/* Empties way w of set: the policy forgets it, the entry is zeroed. */
static inline void drop_way(struct tlb *tlb, struct tlb_entry *set, unsigned int ways,
			    unsigned int w)
{
	if (unlikely(tlb->repl.ops->remove)) {
		struct repl_set rs = set_view(set, ways);

		repl_remove(&tlb->repl, &rs, w);
	}
	clear_entry(&set[w]);		/* the stamp too: remove's default */
}

/* ------------------------------------------------------ lookup, fill */

/*
 * The entries of set that a lookup could confuse with a new entry for key
 * (the same page; the same PCID, or either of them global): the first's
 * way is returned to be overwritten, the others are dropped, so that no
 * lookup ever matches two entries of one set.  With no rival: -2 - the
 * way with the oldest LRU stamp (an empty way's is 0, the oldest of all),
 * found in the same pass, since a fill of the STLB scans 12 ways.
 */
static inline int find_rivals(struct tlb *tlb, struct tlb_entry *set, unsigned int ways,
			      uint64_t key, bool global)
{
	int first = -1;
	unsigned int oldest = 0;
	uint32_t oldest_stamp = UINT32_MAX;

	for (unsigned int w = 0; w < ways; w++) {
		uint64_t t = set[w].tag;

		if (set[w].stamp < oldest_stamp) {
			oldest_stamp = set[w].stamp;
			oldest = w;
		}
		if ((t ^ key) & ~(TLB_TAG_PCID | TLB_TAG_GLOBAL))
			continue;		/* empty, or another page */
		if (!global && !(t & TLB_TAG_GLOBAL) && (t ^ key) & TLB_TAG_PCID)
			continue;		/* another PCID's own entry */
		if (first >= 0)
			drop_way(tlb, set, ways, w);
		else
			first = (int)w;
	}
	return first >= 0 ? first : -2 - (int)oldest;
}

static void insert(struct tlb *tlb, enum tlb_level level, unsigned int sz,
		   unsigned long va, unsigned int pcid, bool global,
		   uint64_t pfn, unsigned int perm)
{
	struct tlb_array *a = tlb->by_size[level][sz];
	struct tlb_entry *set, *e;
	struct repl_set rs;
	uint64_t key;
	bool evict;
	int w;

	if (!a)
		return;
	key = make_key(va, sz, pcid);
	set = set_of(a, key);
	rs = set_view(set, a->ways);
	w = find_rivals(tlb, set, a->ways, key, global);
	evict = w < 0;
	if (evict)
		w = likely(tlb->repl.ops == &repl_lru_ops) ? -2 - w : (int)victim(tlb, set, &rs);
	if (evict && (set[w].tag & TLB_TAG_VALID))
		tlb->stat[evict_item[level]]++;
	e = &set[w];
	tlb->sizes_seen[level] |= (uint8_t)(1u << sz);
	e->tag = global ? (key & ~TLB_TAG_PCID) | TLB_TAG_GLOBAL : key;
	e->pfn = pfn;
	e->perm = perm;
	repl_insert(&tlb->repl, &rs, (unsigned int)w);
}

/* Drops the entries of every level that a lookup of (va, pcid) could hit. */
static unsigned long drop_va(struct tlb *tlb, unsigned long va, unsigned int pcid)
{
	unsigned long n = 0;

	for (int l = 0; l < NR_TLB_LEVELS; l++)
		for (int s = 0; s < TLB_MAX_ARRAYS; s++) {
			struct tlb_array *a = &tlb->array[l][s];

			for (unsigned int i = 0; i < a->nr_sizes; i++) {
				uint64_t key = make_key(va, a->size[i], pcid);
				struct tlb_entry *set = set_of(a, key);

				for (unsigned int w = 0; w < a->ways; w++)
					if (tag_match(set[w].tag, key)) {
						drop_way(tlb, set, a->ways, w);
						n++;
					}
			}
		}
	return n;
}

/* drop_if for a policy with a remove op: set by set, so that it can be called. */
static __noinline unsigned long drop_if_by_set(struct tlb *tlb, uint64_t mask, uint64_t want)
{
	unsigned long n = 0;

	for (int l = 0; l < NR_TLB_LEVELS; l++)
		for (int s = 0; s < TLB_MAX_ARRAYS; s++) {
			struct tlb_array *a = &tlb->array[l][s];

			for (unsigned int set = 0; a->nr_sizes && set <= a->set_mask; set++) {
				struct tlb_entry *base = a->sets + (size_t)set * a->ways;

				for (unsigned int w = 0; w < a->ways; w++)
					if ((base[w].tag & mask) == want) {
						drop_way(tlb, base, a->ways, w);
						n++;
					}
			}
		}
	return n;
}

/* Drops every entry whose tag & mask == want (want includes TLB_TAG_VALID). */
static unsigned long drop_if(struct tlb *tlb, uint64_t mask, uint64_t want)
{
	unsigned long n = 0;

	if (unlikely(tlb->repl.ops->remove))
		return drop_if_by_set(tlb, mask, want);
	/* Zeroing an entry is the policy's remove: one pass over all of them. */
	for (struct tlb_entry *e = tlb->mem, *end = e + tlb->nr_entries; e < end; e++)
		if ((e->tag & mask) == want) {
			clear_entry(e);
			n++;
		}
	return n;
}

static inline void set_result(struct tlb_result *res, const struct tlb_entry *e,
			      unsigned long va)
{
	unsigned long size = 1ul << size_shift[tag_size(e->tag)];

	res->phys = (e->pfn << 12) + (va & (size - 1));
	res->page_size = size;
	res->perm = e->perm;
	res->why = TLB_MISS_NONE;
}

/* e refused the access: drop va's entries as a page fault does; miss. */
static int refuse(struct tlb *tlb, const struct tlb_entry *e, unsigned long va,
		  unsigned int access, unsigned int pcid, struct tlb_result *res)
{
	bool dirty = tlb_refused(e->perm, access) == TLB_PERM_DIRTY;

	tlb->stat[dirty ? TLBSTAT_TLB_DIRTY_MISSES : TLBSTAT_TLB_PROT_MISSES]++;
	tlb->stat[TLBSTAT_TLB_WALKS]++;
	drop_va(tlb, va, pcid);
	res->why = dirty ? TLB_MISS_DIRTY : TLB_MISS_PROT;
	return TLB_MISS;
}

/* Past the L1's 4K array (tlb_lookup in hw/tlb.h): the whole L1, then the STLB. */
int tlb_lookup_slow(struct tlb *tlb, unsigned long va, unsigned int access,
		    unsigned int pcid, unsigned int kind, struct tlb_result *res)
{
	enum tlb_level l1 = kind == 2 ? TLB_L1I : TLB_L1D;
	struct tlb_entry *e = level_find(tlb, l1, va, pcid);

	if (e && !tlb_refused(e->perm, access)) {
		tlb_touch(tlb, e);
		tlb->stat[TLBSTAT_DTLB_LOAD_HITS + kind]++;
		set_result(res, e, va);
		return TLB_HIT_L1;
	}
	tlb->stat[TLBSTAT_DTLB_LOAD_MISSES + kind]++;
	if (e)
		return refuse(tlb, e, va, access, pcid, res);
	e = level_find(tlb, TLB_STLB, va, pcid);
	if (!e || tlb_refused(e->perm, access)) {
		tlb->stat[TLBSTAT_STLB_MISSES]++;
		if (e)
			return refuse(tlb, e, va, access, pcid, res);
		tlb->stat[TLBSTAT_TLB_WALKS]++;
		res->why = TLB_MISS_NONE;
		return TLB_MISS;
	}
	tlb->stat[TLBSTAT_STLB_HITS]++;
	tlb_touch(tlb, e);
	set_result(res, e, va);
	insert(tlb, l1, tag_size(e->tag), va, pcid, e->tag & TLB_TAG_GLOBAL, e->pfn, e->perm);
	return TLB_HIT_STLB;
}

static int size_code(unsigned long page_size)
{
	for (int sz = 0; sz < 3; sz++)
		if (page_size == 1ul << size_shift[sz])
			return sz;
	return -1;
}

void tlb_fill(struct tlb *tlb, unsigned long va, unsigned long page_size,
	      unsigned long pfn, unsigned int flags, unsigned int pcid, bool global)
{
	int sz = size_code(page_size);
	enum tlb_level l1 = flags & TLB_FILL_ITLB ? TLB_L1I : TLB_L1D;
	unsigned int perm = flags & TLB_PERM_MASK;

	if (sz < 0)
		return;
	pcid &= tlb->pcid_mask;
	tlb->stat[TLBSTAT_TLB_FILLS]++;
	insert(tlb, TLB_STLB, sz, va, pcid, global, pfn, perm);
	insert(tlb, l1, sz, va, pcid, global, pfn, perm);
}

/* ------------------------------------------------------------ flushes */

static void count_flushed(struct tlb *tlb, unsigned long n)
{
	tlb->stat[TLBSTAT_TLB_ENTRIES_FLUSHED] += n;
}

void tlb_flush_all(struct tlb *tlb)
{
	count_flushed(tlb, drop_if(tlb, TLB_TAG_VALID, TLB_TAG_VALID));
	memset(tlb->sizes_seen, 0, sizeof(tlb->sizes_seen));	/* all empty now */
	tlb->stat[TLBSTAT_NR_TLB_LOCAL_FLUSH_ALL]++;
	tlb->stat[TLBSTAT_TLB_FLUSH_GLOBAL]++;
}

void tlb_flush_mm(struct tlb *tlb, unsigned int pcid)
{
	pcid &= tlb->pcid_mask;
	count_flushed(tlb, drop_if(tlb, TLB_TAG_VALID | TLB_TAG_GLOBAL | TLB_TAG_PCID,
				   TLB_TAG_VALID | (uint64_t)pcid << TLB_TAG_PCID_SHIFT));
	tlb->stat[TLBSTAT_NR_TLB_LOCAL_FLUSH_ALL]++;
}

void tlb_flush_local(struct tlb *tlb)
{
	tlb_flush_mm(tlb, tlb->pcid);
}

void tlb_invlpg(struct tlb *tlb, unsigned long va, unsigned int pcid)
{
	count_flushed(tlb, drop_va(tlb, va, pcid & tlb->pcid_mask));
	tlb->stat[TLBSTAT_NR_TLB_LOCAL_FLUSH_ONE]++;
}

/*
 * Pages of [start, end) at 1 << shift each, both ends widened to the
 * stride; 0 for an empty range.
 */
static unsigned long range_pages(unsigned long *start, unsigned long end, unsigned int shift)
{
	unsigned long mask = (1ul << shift) - 1;

	if (end <= *start)
		return 0;
	*start &= ~mask;
	return ((end - *start) + mask) >> shift;
}

void tlb_flush_mm_range(struct tlb *tlb, unsigned int pcid, unsigned long start,
			unsigned long end, unsigned int stride_shift)
{
	unsigned long nr = range_pages(&start, end, stride_shift);

	tlb->stat[TLBSTAT_TLB_FLUSH_RANGE]++;
	if (nr > tlb->flush_ceiling) {
		tlb->stat[TLBSTAT_TLB_FLUSH_RANGE_FULL]++;
		tlb_flush_mm(tlb, pcid);
		return;
	}
	pcid &= tlb->pcid_mask;
	for (unsigned long i = 0; i < nr; i++)
		count_flushed(tlb, drop_va(tlb, start + (i << stride_shift), pcid));
	tlb->stat[TLBSTAT_NR_TLB_LOCAL_FLUSH_ONE] += nr;
}

void tlb_flush_range(struct tlb *tlb, unsigned long start, unsigned long end,
		     unsigned int pcid)
{
	tlb_flush_mm_range(tlb, pcid, start, end, 12);
}

void tlb_flush_kernel_range(struct tlb *tlb, unsigned long start, unsigned long end)
{
	unsigned long nr = range_pages(&start, end, 12);

	tlb->stat[TLBSTAT_TLB_FLUSH_RANGE]++;
	if (nr > tlb->flush_ceiling) {
		tlb->stat[TLBSTAT_TLB_FLUSH_RANGE_FULL]++;
		tlb_flush_all(tlb);
		return;
	}
	for (unsigned long i = 0; i < nr; i++)
		count_flushed(tlb, drop_va(tlb, start + (i << 12), tlb->pcid));
	tlb->stat[TLBSTAT_NR_TLB_LOCAL_FLUSH_ONE] += nr;
}

void tlb_switch_mm(struct tlb *tlb, unsigned int pcid)
{
	if (tlb->pcid_mask) {
		tlb->pcid = pcid & tlb->pcid_mask;
		tlb->stat[TLBSTAT_TLB_SWITCH_NOFLUSH]++;
		return;
	}
	tlb->pcid = 0;
	count_flushed(tlb, drop_if(tlb, TLB_TAG_VALID | TLB_TAG_GLOBAL, TLB_TAG_VALID));
	tlb->stat[TLBSTAT_TLB_FLUSH_TASK_SWITCH]++;
}

/* ---------------------------------------------------- setup, teardown */

int tlb_init(struct tlb *tlb, const struct tlb_config *cfg)
{
	struct tlb_config def;
	unsigned long total = 0;
	char err[128];

	if (!cfg) {
		tlb_config_default(&def);
		cfg = &def;
	}
	if (tlb_config_check(cfg, err, sizeof(err)))
		return -EINVAL;
	memset(tlb, 0, sizeof(*tlb));
	for (int l = 0; l < NR_TLB_LEVELS; l++)
		for (int s = 0; s < TLB_MAX_ARRAYS; s++)
			total += cfg->array[l][s].sizes ? cfg->array[l][s].entries : 0;
	tlb->mem = calloc(total ? total : 1, sizeof(*tlb->mem));
	if (!tlb->mem)
		return -ENOMEM;
	tlb->nr_entries = total;
	total = 0;
	for (int l = 0; l < NR_TLB_LEVELS; l++)
		for (int s = 0; s < TLB_MAX_ARRAYS; s++) {
			const struct tlb_array_config *ac = &cfg->array[l][s];
			struct tlb_array *a = &tlb->array[l][s];

			if (!ac->entries || !ac->sizes)
				continue;
			a->sets = tlb->mem + total;
			a->ways = ac->ways;
			a->set_mask = ac->entries / ac->ways - 1;
			for (unsigned int sz = 0; sz < 3; sz++)
				if (ac->sizes & (1u << sz)) {
					a->size[a->nr_sizes++] = sz;
					tlb->by_size[l][sz] = a;
				}
			total += ac->entries;
		}
	for (int l = TLB_L1D; l <= TLB_L1I; l++)
		if (tlb->array[l][0].nr_sizes == 1 && tlb->array[l][0].size[0] == 0)
			tlb->l1_4k[l] = &tlb->array[l][0];
	tlb->cfg = *cfg;
	repl_init(&tlb->repl, tlb_repl_ops[cfg->repl], &tlb->clock, for_each_set, cfg->seed);
	/* LRU's hit is inline (tlb_touch); with another policy, every one is a call. */
	tlb->clock_max = tlb->repl.ops == &repl_lru_ops ? REPL_CLOCK_MAX : 0;
	tlb->pcid_mask = cfg->pcid ? TLB_PCID_MASK : 0;
	tlb->flush_ceiling = cfg->flush_ceiling;
	return 0;
}

void tlb_exit(struct tlb *tlb)
{
	free(tlb->mem);
	memset(tlb, 0, sizeof(*tlb));
}

/* ------------------------------------------------------------ inspect */

bool tlb_cached(const struct tlb *tlb, enum tlb_level level, unsigned long va,
		unsigned int pcid)
{
	return level_find(tlb, level, va, pcid & tlb->pcid_mask) != NULL;
}

unsigned long tlb_nr_valid(const struct tlb *tlb, enum tlb_level level)
{
	unsigned long n = 0;

	for (int s = 0; s < TLB_MAX_ARRAYS; s++) {
		const struct tlb_array *a = &tlb->array[level][s];
		unsigned int nr = a->nr_sizes ? (a->set_mask + 1) * a->ways : 0;

		for (unsigned int i = 0; i < nr; i++)
			n += a->sets[i].tag & TLB_TAG_VALID;
	}
	return n;
}

/* One entry's own invariants; returns a message or NULL. */
static const char *check_entry(const struct tlb *tlb, const struct tlb_array *a,
			       unsigned int set, const struct tlb_entry *e)
{
	unsigned int sz = tag_size(e->tag), pcid = (e->tag & TLB_TAG_PCID) >> TLB_TAG_PCID_SHIFT;
	bool size_ok = false;

	if (!(e->tag & TLB_TAG_VALID))
		return e->tag || e->stamp || e->perm || e->pfn ? "empty entry not zero" : NULL;
	for (unsigned int i = 0; i < a->nr_sizes; i++)
		size_ok |= a->size[i] == sz;
	if (!size_ok)
		return "entry of a page size its array does not cache";
	if (((e->tag >> TLB_TAG_VPN_SHIFT) & a->set_mask) != set)
		return "entry in the wrong set";
	if (pcid & ~tlb->pcid_mask || ((e->tag & TLB_TAG_GLOBAL) && pcid))
		return "bad PCID";
	if (e->perm & ~TLB_PERM_MASK)
		return "bad permission bits";
	return NULL;
}

/* The invariants between the entries of one set, and the policy's. */
static const char *check_set(const struct tlb *tlb, const struct tlb_entry *set,
			     unsigned int ways)
{
	struct repl_set rs = set_view((struct tlb_entry *)set, ways);
	uint64_t valid = 0;

	for (unsigned int w = 0; w < ways; w++) {
		if (!(set[w].tag & TLB_TAG_VALID))
			continue;
		valid |= 1ull << w;
		for (unsigned int v = w + 1; v < ways; v++) {
			uint64_t a = set[w].tag, b = set[v].tag;

			if ((b & TLB_TAG_VALID) && !((a ^ b) & ~(TLB_TAG_PCID | TLB_TAG_GLOBAL)) &&
			    ((a | b) & TLB_TAG_GLOBAL || a == b))
				return "two entries one lookup matches";
		}
	}
	return repl_check(&tlb->repl, &rs, valid);
}

int tlb_check(const struct tlb *tlb, char *err, size_t errlen)
{
	for (int l = 0; l < NR_TLB_LEVELS; l++)
		for (int s = 0; s < TLB_MAX_ARRAYS; s++) {
			const struct tlb_array *a = &tlb->array[l][s];

			for (unsigned int set = 0; a->nr_sizes && set <= a->set_mask; set++) {
				const struct tlb_entry *base = a->sets + (size_t)set * a->ways;
				const char *why = check_set(tlb, base, a->ways);

				for (unsigned int w = 0; !why && w < a->ways; w++) {
					why = check_entry(tlb, a, set, &base[w]);
					if (!why && (base[w].tag & TLB_TAG_VALID) &&
					    !(tlb->sizes_seen[l] & (1u << tag_size(base[w].tag))))
						why = "entry of a size the level's lookups skip";
				}
				if (why) {
					snprintf(err, errlen, "tlb level %d array %d set %u: %s",
						 l, s, set, why);
					return -1;
				}
			}
		}
	return 0;
}

/* ----------------------------------------------------------- counters */

void tlb_stat_add(unsigned long *sum, const struct tlb *tlb)
{
	for (int i = 0; i < NR_TLB_STAT_ITEMS; i++)
		sum[i] += tlb->stat[i];
}

int tlb_stat_format(const unsigned long *stat, char *buf, size_t size)
{
	struct seq_buf s;

	seq_buf_init(&s, buf, size);
	for (int i = 0; i < NR_TLB_STAT_ITEMS; i++)
		seq_printf(&s, "%s %lu\n", tlb_stat_names[i], stat[i]);
	return (int)s.len;
}

static void tlbstat_row(struct seq_buf *s, const char *name, unsigned long hits,
			unsigned long misses)
{
	unsigned long all = hits + misses;

	seq_printf(s, "%-10s %14lu %14lu %14lu %6.2f%%\n", name, all, hits, misses,
		   all ? 100.0 * (double)hits / (double)all : 0.0);
}

int tlbstat_format(const struct tlb_config *cfg, const unsigned long *stat,
		   char *buf, size_t size)
{
	char line[256];
	struct seq_buf s;

	seq_buf_init(&s, buf, size);
	tlb_config_format(cfg, line, sizeof(line));
	seq_printf(&s, "tlb %s\n", line);
	seq_printf(&s, "%-10s %14s %14s %14s %7s\n", "level", "lookups", "hits", "misses", "hit%");
	tlbstat_row(&s, "dtlb-load", stat[TLBSTAT_DTLB_LOAD_HITS], stat[TLBSTAT_DTLB_LOAD_MISSES]);
	tlbstat_row(&s, "dtlb-store", stat[TLBSTAT_DTLB_STORE_HITS], stat[TLBSTAT_DTLB_STORE_MISSES]);
	tlbstat_row(&s, "itlb", stat[TLBSTAT_ITLB_HITS], stat[TLBSTAT_ITLB_MISSES]);
	tlbstat_row(&s, "stlb", stat[TLBSTAT_STLB_HITS], stat[TLBSTAT_STLB_MISSES]);
	seq_printf(&s, "walks %lu (prot %lu, dirty %lu), fills %lu\n",
		   stat[TLBSTAT_TLB_WALKS], stat[TLBSTAT_TLB_PROT_MISSES], stat[TLBSTAT_TLB_DIRTY_MISSES],
		   stat[TLBSTAT_TLB_FILLS]);
	seq_printf(&s, "flushes: all %lu (global %lu), one %lu, range %lu (full %lu), "
		   "task switch %lu, entries %lu\n",
		   stat[TLBSTAT_NR_TLB_LOCAL_FLUSH_ALL], stat[TLBSTAT_TLB_FLUSH_GLOBAL],
		   stat[TLBSTAT_NR_TLB_LOCAL_FLUSH_ONE], stat[TLBSTAT_TLB_FLUSH_RANGE],
		   stat[TLBSTAT_TLB_FLUSH_RANGE_FULL], stat[TLBSTAT_TLB_FLUSH_TASK_SWITCH],
		   stat[TLBSTAT_TLB_ENTRIES_FLUSHED]);
	return (int)s.len;
}
