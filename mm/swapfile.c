/*
 * mm/swapfile.c - swap areas: swapon(2) and swapoff(2), the slots of each
 * area and their reference counts, the clusters slots are handed out by,
 * /proc/swaps, and the boot area of `boot swap=SIZE`.  Mirrors Linux
 * 6.15's mm/swapfile.c (mm/swap.h has the glossary).
 *
 * Areas.  swapon reads the header mkswap wrote (page 0; <kmm/swap.h>),
 * checks that the file has its blocks (a_ops->swap_activate), and puts the
 * area on the active list by priority: a given one (SWAP_FLAG_PREFER), or
 * -2, -3 ... in swapon order.  Slots come from the highest-priority area
 * with room; areas of equal priority take turns, one cluster each.
 *
 * Clusters.  An area's slots are cut into clusters of 512.  A cluster is
 * free (no slot used), nonfull (slots freed into it since it was last
 * allocated from), frag (allocated from, not full) or full.  Each CPU has
 * a current cluster and takes the slot after its last one from it, so a
 * reclaim pass on one CPU writes neighbouring slots; when the cluster is
 * used up the CPU takes a free cluster, else a nonfull one, else a frag
 * one.  Free clusters are listed 32 apart first (0, 32, 64 ... then 1,
 * 33 ...), as Linux lists them to spread CPUs over its swap cache's
 * address spaces: the first slot a fresh 64 MiB area gives is 512.
 *
 * What differs from Linux (docs/swap.md): one lock, swap_lock, for all of
 * it (Linux: swap_lock, si->lock, a lock per cluster, a per-CPU lock);
 * order 0 only (no THP swap-out, so no per-order cluster lists); no count
 * continuation (a slot's count stops at SWAP_MAP_MAX, 62, and
 * swap_duplicate fails -ENOMEM beyond); no discard; I/O always through
 * the file's a_ops->swap_rw (a file's filesystem, or the block device's
 * bios), where Linux maps a file's blocks to bios itself; a block device
 * is named by its /dev name, the VFS having no device nodes; swapoff
 * cannot bring pages back yet (try_to_unuse).
 *
 * Lock order: swap_lock; never held across I/O or the filesystem's calls.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <kmm/blkdev.h>
#include <kmm/fs.h>
#include <kmm/pagemap.h>
#include <kmm/slab.h>
#include <kmm/vmalloc.h>
#include "mm/swap.h"
#include "mm/slab.h"
#include "base/seq_buf.h"

/* Clusters are listed this many apart at swapon (Linux's SWAP_CLUSTER_COLS:
 * its swap cache's 16384-page address spaces over 512-slot clusters). */
#define SWAP_CLUSTER_COLS	32

static const char Bad_file[] = "Bad swap file entry ";
static const char Bad_offset[] = "Bad swap offset entry ";
static const char Unused_offset[] = "Unused swap offset entry ";

static void swap_lock(struct kmm *k)
{
	pthread_mutex_lock(&k->mem->swap_lock);
}

static void swap_unlock(struct kmm *k)
{
	pthread_mutex_unlock(&k->mem->swap_lock);
}

static inline unsigned char swap_count(unsigned char ent)
{
	return ent & ~SWAP_HAS_CACHE;
}

static struct swap_info_struct *swap_type_to_swap_info(struct kmm *k, unsigned int type)
{
	return type < MAX_SWAPFILES ? READ_ONCE(k->mem->swap_info[type]) : NULL;
}

struct swap_info_struct *swp_swap_info(swp_entry_t entry)
{
	return swap_type_to_swap_info(kmm_cur(), swp_type(entry));
}

/* The CPU's cluster; threads without a CPU share the last one. */
static struct percpu_swap_cluster *this_cpu_cluster(struct kmm *k)
{
	int cpu = smp_processor_id(k);

	return &k->mem->percpu_swap_cluster[cpu >= 0 ? (unsigned int)cpu : k->nr_cpus];
}

long get_nr_swap_pages(struct kmm *k)
{
	return READ_ONCE(k->mem->nr_swap_pages);
}

long get_total_swap_pages(struct kmm *k)
{
	return READ_ONCE(k->mem->total_swap_pages);
}

bool vm_swap_full(struct kmm *k)
{
	return get_nr_swap_pages(k) * 2 < get_total_swap_pages(k);
}

/* ---- the priority lists ------------------------------------------------------- */

/* Puts si on list (through link) after every area of a priority >= its own. */
static void list_add_by_prio(struct list_head *link, struct list_head *list, int prio,
			     size_t link_off)
{
	struct list_head *pos;

	for (pos = list->next; pos != list; pos = pos->next) {
		struct swap_info_struct *o = (void *)((char *)pos - link_off);

		if (o->prio < prio)
			break;
	}
	list_add_tail(link, pos);
}

static void add_to_avail_list(struct kmm *k, struct swap_info_struct *si)
{
	if (list_empty(&si->avail_list))
		list_add_by_prio(&si->avail_list, &k->mem->swap_avail_head, si->prio,
				 offsetof(struct swap_info_struct, avail_list));
}

static void del_from_avail_list(struct swap_info_struct *si)
{
	list_del_init(&si->avail_list);
}

/* si goes behind the other areas of its priority: they take turns
 * (plist_requeue). */
static void requeue_avail(struct kmm *k, struct swap_info_struct *si)
{
	struct list_head *pos = si->avail_list.next, *head = &k->mem->swap_avail_head;

	while (pos != head && list_entry(pos, struct swap_info_struct, avail_list)->prio == si->prio)
		pos = pos->next;
	list_move_tail(&si->avail_list, pos);
}

/* ---- clusters -------------------------------------------------------------------- */

static struct swap_cluster_info *offset_to_cluster(struct swap_info_struct *si,
						   unsigned long offset)
{
	return &si->cluster_info[offset / SWAPFILE_CLUSTER];
}

static unsigned long cluster_offset(struct swap_info_struct *si, struct swap_cluster_info *ci)
{
	return (unsigned long)(ci - si->cluster_info) * SWAPFILE_CLUSTER;
}

static unsigned long nr_clusters(const struct swap_info_struct *si)
{
	return DIV_ROUND_UP(si->max, SWAPFILE_CLUSTER);
}

/* A cluster order-0 allocation may take slots from: on no list, free,
 * nonfull or frag. */
static bool cluster_is_usable(const struct swap_cluster_info *ci)
{
	return ci->flags <= CLUSTER_FLAG_USABLE;
}

static void move_cluster(struct swap_info_struct *si, struct swap_cluster_info *ci,
			 struct list_head *list, enum swap_cluster_flags flags)
{
	VM_WARN_ON(ci->flags == flags);
	if (ci->flags == CLUSTER_FLAG_NONE)
		list_add_tail(&ci->list, list);
	else
		list_move_tail(&ci->list, list);
	if (ci->flags == CLUSTER_FLAG_FRAG)
		si->frag_cluster_nr--;
	else if (flags == CLUSTER_FLAG_FRAG)
		si->frag_cluster_nr++;
	ci->flags = (unsigned char)flags;
}

/* The first cluster of list, taken off it to allocate from, or NULL. */
static struct swap_cluster_info *isolate_cluster(struct swap_info_struct *si,
						 struct list_head *list)
{
	struct swap_cluster_info *ci = list_first_entry_or_null(list, struct swap_cluster_info, list);

	if (!ci || !(si->flags & SWP_WRITEOK))
		return NULL;
	list_del_init(&ci->list);
	if (ci->flags == CLUSTER_FLAG_FRAG)
		si->frag_cluster_nr--;
	ci->flags = CLUSTER_FLAG_NONE;
	return ci;
}

/* After allocating from ci: the list its count now says. */
static void relocate_cluster(struct swap_info_struct *si, struct swap_cluster_info *ci)
{
	if (!ci->count) {
		if (ci->flags != CLUSTER_FLAG_FREE)
			move_cluster(si, ci, &si->free_clusters, CLUSTER_FLAG_FREE);
	} else if (ci->count < SWAPFILE_CLUSTER) {
		if (ci->flags != CLUSTER_FLAG_FRAG)
			move_cluster(si, ci, &si->frag_clusters, CLUSTER_FLAG_FRAG);
	} else if (ci->flags != CLUSTER_FLAG_FULL) {
		move_cluster(si, ci, &si->full_clusters, CLUSTER_FLAG_FULL);
	}
}

/* After freeing into ci: free, or nonfull (free_cluster, partial_free_cluster). */
static void cluster_freed(struct swap_info_struct *si, struct swap_cluster_info *ci)
{
	if (!ci->count)
		move_cluster(si, ci, &si->free_clusters, CLUSTER_FLAG_FREE);
	else if (ci->flags != CLUSTER_FLAG_NONFULL)
		move_cluster(si, ci, &si->nonfull_clusters, CLUSTER_FLAG_NONFULL);
}

/* ---- slots in use -------------------------------------------------------------- */

/* nr slots taken: a full area leaves the avail list. */
static void swap_range_alloc(struct kmm *k, struct swap_info_struct *si, unsigned int nr)
{
	si->inuse_pages += nr;
	if (si->inuse_pages == si->pages)
		del_from_avail_list(si);
	k->mem->nr_swap_pages -= nr;
}

/* nr slots free again: a writable area with room is back on the avail list. */
static void swap_range_free(struct kmm *k, struct swap_info_struct *si, unsigned int nr)
{
	si->inuse_pages -= nr;
	k->mem->nr_swap_pages += nr;
	if (si->flags & SWP_WRITEOK)
		add_to_avail_list(k, si);
}

/* The last reference of nr slots from offset, all in one cluster, went. */
static void swap_entries_free(struct kmm *k, struct swap_info_struct *si, unsigned long offset,
			      unsigned int nr)
{
	struct swap_cluster_info *ci = offset_to_cluster(si, offset);

	VM_BUG_ON(ci != offset_to_cluster(si, offset + nr - 1) || ci->count < nr);
	memset(si->swap_map + offset, 0, nr);
	ci->count -= nr;
	swap_range_free(k, si, nr);
	cluster_freed(si, ci);
}

/* ---- allocation --------------------------------------------------------------- */

/*
 * Takes the first free slot of ci at or after offset, for this CPU: its
 * cluster afterwards, and the slot after as its next try (none when the
 * cluster is used up).  ci goes on the list its count says.  The offset,
 * or 0 when ci has no free slot there.
 */
static unsigned long alloc_swap_scan_cluster(struct kmm *k, struct swap_info_struct *si,
					     struct swap_cluster_info *ci, unsigned long offset,
					     unsigned char usage, struct percpu_swap_cluster *pcp)
{
	unsigned long end = min(cluster_offset(si, ci) + SWAPFILE_CLUSTER, (unsigned long)si->max);
	unsigned long found = 0, next = 0;

	if ((si->flags & SWP_WRITEOK) && ci->count < SWAPFILE_CLUSTER) {
		for (; offset < end; offset++) {
			if (si->swap_map[offset])
				continue;	/* used, bad, or held by the swap cache */
			si->swap_map[offset] = usage;
			ci->count++;
			swap_range_alloc(k, si, 1);
			found = offset;
			if (ci->count < SWAPFILE_CLUSTER && offset + 1 < end)
				next = offset + 1;
			break;
		}
	}
	relocate_cluster(si, ci);
	pcp->si = si;
	pcp->offset = (unsigned int)next;
	return found;
}

/* A slot of si from a new cluster: free, else nonfull, else frag ones in turn. */
static unsigned long cluster_alloc_swap_entry(struct kmm *k, struct swap_info_struct *si,
					      unsigned char usage, struct percpu_swap_cluster *pcp)
{
	struct swap_cluster_info *ci;
	unsigned long found, frags = 0, frags_existing;

	ci = isolate_cluster(si, &si->free_clusters);
	if (ci && (found = alloc_swap_scan_cluster(k, si, ci, cluster_offset(si, ci), usage, pcp)))
		return found;
	while ((ci = isolate_cluster(si, &si->nonfull_clusters))) {
		found = alloc_swap_scan_cluster(k, si, ci, cluster_offset(si, ci), usage, pcp);
		if (found)
			return found;
		frags++;	/* it went to frag (or full) */
	}
	frags_existing = si->frag_cluster_nr;
	while (frags < frags_existing && (ci = isolate_cluster(si, &si->frag_clusters))) {
		found = alloc_swap_scan_cluster(k, si, ci, cluster_offset(si, ci), usage, pcp);
		if (found)
			return found;
		frags++;
	}
	return 0;
}

/* The CPU's cluster, if it still has a slot (swap_alloc_fast). */
static unsigned long swap_alloc_fast(struct kmm *k, struct percpu_swap_cluster *pcp,
				     unsigned char usage, struct swap_info_struct **sip)
{
	struct swap_info_struct *si = pcp->si;
	struct swap_cluster_info *ci;
	unsigned long offset = pcp->offset;

	if (!si || !offset || !(si->flags & SWP_WRITEOK) || offset >= si->max)
		return 0;
	ci = offset_to_cluster(si, offset);
	if (!cluster_is_usable(ci))
		return 0;
	if (!ci->count)
		offset = cluster_offset(si, ci);
	*sip = si;
	return alloc_swap_scan_cluster(k, si, ci, offset, usage, pcp);
}

/* The areas with room, best first; each one tried goes behind its equals. */
static unsigned long swap_alloc_slow(struct kmm *k, struct percpu_swap_cluster *pcp,
				     unsigned char usage, struct swap_info_struct **sip)
{
	struct swap_info_struct *cand[MAX_SWAPFILES], *si;
	unsigned long offset;
	unsigned int n = 0, i;

	list_for_each_entry(si, &k->mem->swap_avail_head, avail_list)
		cand[n++] = si;
	for (i = 0; i < n; i++) {
		si = cand[i];
		if (list_empty(&si->avail_list))
			continue;	/* filled up by the tries before */
		requeue_avail(k, si);
		offset = cluster_alloc_swap_entry(k, si, usage, pcp);
		if (offset) {
			*sip = si;
			return offset;
		}
	}
	return 0;
}

swp_entry_t folio_alloc_swap(struct page *folio)
{
	struct kmm *k = kmm_cur();
	struct percpu_swap_cluster *pcp;
	struct swap_info_struct *si = NULL;
	unsigned long offset;

	(void)folio;		/* order 0: every folio takes one slot */
	swap_lock(k);
	pcp = this_cpu_cluster(k);
	offset = swap_alloc_fast(k, pcp, SWAP_HAS_CACHE, &si);
	if (!offset)
		offset = swap_alloc_slow(k, pcp, SWAP_HAS_CACHE, &si);
	swap_unlock(k);
	return offset ? swp_entry((unsigned long)si->type, offset) : (swp_entry_t){ 0 };
}

swp_entry_t get_swap_page_of_type(int type)
{
	struct kmm *k = kmm_cur();
	struct swap_info_struct *si = swap_type_to_swap_info(k, (unsigned int)type);
	unsigned long offset = 0;

	if (!si)
		return (swp_entry_t){ 0 };
	swap_lock(k);
	if (si->flags & SWP_WRITEOK)
		offset = cluster_alloc_swap_entry(k, si, 1, this_cpu_cluster(k));
	swap_unlock(k);
	return offset ? swp_entry((unsigned long)type, offset) : (swp_entry_t){ 0 };
}

/* ---- references ---------------------------------------------------------------- */

/*
 * The area of entry if entry names a slot of one that is on (or being
 * swapped off) and [offset, offset + nr) lies in it; else NULL, reported
 * as Linux's "Bad swap file entry" / "Bad swap offset entry".
 */
static struct swap_info_struct *swap_entry_area(struct kmm *k, swp_entry_t entry, int nr,
						const char *fn)
{
	struct swap_info_struct *si = swap_type_to_swap_info(k, swp_type(entry));
	unsigned long offset = swp_offset(entry);

	if (!si || !(si->flags & SWP_USED) || !si->swap_map) {
		kmm_report(k, "%s: %s%08lx\n", fn, Bad_file, entry.val);
		return NULL;
	}
	if (nr < 1 || offset >= si->max || (unsigned long)nr > si->max - offset) {
		kmm_report(k, "%s: %s%08lx\n", fn, Bad_offset, entry.val);
		return NULL;
	}
	return si;
}

/*
 * Checks and then changes the counts of nr slots (Linux's
 * __swap_duplicate): usage 1 adds a reference, SWAP_HAS_CACHE claims the
 * cache.  Nothing changes unless every slot can take it.
 */
static int __swap_duplicate(struct kmm *k, swp_entry_t entry, unsigned char usage, int nr,
			    const char *fn)
{
	struct swap_info_struct *si;
	unsigned long offset = swp_offset(entry), i;
	int err = 0;

	swap_lock(k);
	si = swap_entry_area(k, entry, nr, fn);
	if (!si) {
		swap_unlock(k);
		return -EINVAL;
	}
	for (i = offset; i < offset + (unsigned long)nr && !err; i++) {
		unsigned char count = swap_count(si->swap_map[i]);
		bool has_cache = si->swap_map[i] & SWAP_HAS_CACHE;

		if (count == SWAP_MAP_BAD || (!count && !has_cache))
			err = -ENOENT;
		else if (usage == SWAP_HAS_CACHE && has_cache)
			err = -EEXIST;
		else if (usage != SWAP_HAS_CACHE && count >= SWAP_MAP_MAX)
			err = -ENOMEM;		/* Linux: a count continuation */
	}
	for (i = offset; i < offset + (unsigned long)nr && !err; i++)
		si->swap_map[i] = usage == SWAP_HAS_CACHE ? si->swap_map[i] | SWAP_HAS_CACHE :
							    (unsigned char)(si->swap_map[i] + usage);
	swap_unlock(k);
	return err;
}

int swap_duplicate(swp_entry_t entry)
{
	struct kmm *k = kmm_cur();
	int err = __swap_duplicate(k, entry, 1, 1, __func__);

	if (err == -ENOENT)
		kmm_report(k, "%s: %s%08lx\n", __func__, Unused_offset, entry.val);
	/* A broken entry is as good as copied (Linux's answer): only a count
	 * that cannot grow fails the caller. */
	return err == -ENOMEM ? err : 0;
}

int swapcache_prepare(swp_entry_t entry, int nr)
{
	return __swap_duplicate(kmm_cur(), entry, SWAP_HAS_CACHE, nr, __func__);
}

/*
 * Drops one reference of each of nr slots from offset: a PTE's (usage 1)
 * or the cache's.  A slot without that reference is reported and left
 * alone.  Slots that end with none are free, a cluster at a time.
 */
static void swap_entries_put(struct kmm *k, struct swap_info_struct *si, unsigned long offset,
			     int nr, unsigned char usage, const char *fn)
{
	unsigned long i, end = offset + (unsigned long)nr;

	for (i = offset; i < end; i++) {
		unsigned char map = si->swap_map[i], count = swap_count(map);
		bool cache = usage == SWAP_HAS_CACHE;

		if (count == SWAP_MAP_BAD || (cache ? !(map & SWAP_HAS_CACHE) : !count)) {
			kmm_report(k, "%s: %s%08lx\n", fn, count == SWAP_MAP_BAD ? Bad_offset :
				   Unused_offset, swp_entry((unsigned long)si->type, i).val);
			continue;
		}
		map = cache ? (unsigned char)(map & ~SWAP_HAS_CACHE) : (unsigned char)(map - 1);
		if (map)
			si->swap_map[i] = map;
		else
			swap_entries_free(k, si, i, 1);
	}
}

static void put_entries(swp_entry_t entry, int nr, unsigned char usage, const char *fn)
{
	struct kmm *k = kmm_cur();
	struct swap_info_struct *si;

	swap_lock(k);
	si = swap_entry_area(k, entry, nr, fn);
	if (si)
		swap_entries_put(k, si, swp_offset(entry), nr, usage, fn);
	swap_unlock(k);
}

void swap_free_nr(swp_entry_t entry, int nr_pages)
{
	put_entries(entry, nr_pages, 1, "swap_free");
}

void put_swap_folio(struct page *folio, swp_entry_t entry)
{
	(void)folio;
	put_entries(entry, 1, SWAP_HAS_CACHE, __func__);
}

void swapcache_clear(struct swap_info_struct *si, swp_entry_t entry, int nr)
{
	(void)si;
	put_entries(entry, nr, SWAP_HAS_CACHE, __func__);
}

int __swap_count(swp_entry_t entry)
{
	struct swap_info_struct *si = swp_swap_info(entry);

	return swap_count(si->swap_map[swp_offset(entry)]);
}

int swp_swapcount(swp_entry_t entry)
{
	struct kmm *k = kmm_cur();
	struct swap_info_struct *si;
	int count = 0;

	swap_lock(k);
	si = swap_entry_area(k, entry, 1, __func__);
	if (si) {
		count = swap_count(si->swap_map[swp_offset(entry)]);
		if (count == SWAP_MAP_BAD)
			count = 0;
	}
	swap_unlock(k);
	return count;
}

struct swap_info_struct *get_swap_device(swp_entry_t entry)
{
	struct kmm *k = kmm_cur();
	struct swap_info_struct *si;

	if (!entry.val)
		return NULL;
	swap_lock(k);
	si = swap_entry_area(k, entry, 1, __func__);
	swap_unlock(k);
	return si;
}

/* ---- swapon ------------------------------------------------------------------- */

/* A free entry of swap_info[], marked SWP_USED; -EPERM when all
 * MAX_SWAPFILES are taken (alloc_swap_info).  A new entry is allocated
 * before swap_lock is taken (allocation may reclaim, and reclaim swap). */
static struct swap_info_struct *alloc_swap_info(struct kmm *k, int *err)
{
	struct mm_machine *mm = k->mem;
	struct swap_info_struct *si = NULL, *fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
	unsigned int type;

	swap_lock(k);
	for (type = 0; type < mm->nr_swapfiles; type++)
		if (!(mm->swap_info[type]->flags & SWP_USED))
			break;
	*err = type >= MAX_SWAPFILES ? -EPERM : -ENOMEM;
	if (type < mm->nr_swapfiles) {
		si = mm->swap_info[type];
	} else if (type < MAX_SWAPFILES && fresh) {
		si = fresh;
		fresh = NULL;
		si->type = (signed char)type;
		WRITE_ONCE(mm->swap_info[type], si);
		mm->nr_swapfiles++;
	}
	if (si) {
		INIT_LIST_HEAD(&si->list);
		INIT_LIST_HEAD(&si->avail_list);
		si->flags = SWP_USED;
		*err = 0;
	}
	swap_unlock(k);
	kfree(fresh);
	return si;
}

static uint32_t swab32(uint32_t v)
{
	return __builtin_bswap32(v);
}

/*
 * The number of slots the header describes (its last_page + 1), or 0
 * with the reason reported, as Linux's read_swap_header: the magic,
 * version 1 (a byte-swapped one is turned round), a non-empty area that
 * the file holds, and no bad pages in a file.
 */
static unsigned long read_swap_header(struct kmm *k, union swap_header *h, struct inode *inode)
{
	/* The largest offset a swap PTE holds (generic_max_swapfile_size). */
	unsigned long maxpages = swp_offset(pte_to_swp_entry(swp_entry_to_pte(swp_entry(0, ~0ul)))) + 1;
	unsigned long last_page, swapfilepages;
	uint32_t i;

	if (memcmp(SWAP_MAGIC, h->magic.magic, SWAP_MAGIC_LEN)) {
		kmm_report(k, "Unable to find swap-space signature\n");
		return 0;
	}
	if (swab32(h->info.version) == 1) {
		h->info.version = 1;
		h->info.last_page = swab32(h->info.last_page);
		h->info.nr_badpages = swab32(h->info.nr_badpages);
		if (h->info.nr_badpages > MAX_SWAP_BADPAGES)
			return 0;
		for (i = 0; i < h->info.nr_badpages; i++)
			h->info.badpages[i] = swab32(h->info.badpages[i]);
	}
	if (h->info.version != 1) {
		kmm_report(k, "Unable to handle swap header version %u\n", h->info.version);
		return 0;
	}
	last_page = h->info.last_page;
	if (!last_page) {
		kmm_report(k, "Empty swap-file\n");
		return 0;
	}
	if (maxpages > last_page) {
		maxpages = last_page + 1;
		if ((unsigned int)maxpages == 0)
			maxpages = UINT_MAX;	/* si->max is 32 bits */
	}
	swapfilepages = (unsigned long)(inode->i_size >> PAGE_SHIFT);
	if (swapfilepages && maxpages > swapfilepages) {
		kmm_report(k, "Swap area shorter than signature indicates\n");
		return 0;
	}
	if (h->info.nr_badpages && S_ISREG(inode->i_mode))
		return 0;
	if (h->info.nr_badpages > MAX_SWAP_BADPAGES)
		return 0;
	return maxpages;
}

/* The map: the header and the bad pages are SWAP_MAP_BAD (setup_swap_map). */
static int setup_swap_map(struct kmm *k, struct swap_info_struct *si, const union swap_header *h)
{
	uint32_t i;

	si->swap_map[0] = SWAP_MAP_BAD;
	for (i = 0; i < h->info.nr_badpages; i++) {
		uint32_t page_nr = h->info.badpages[i];

		if (page_nr == 0 || page_nr > h->info.last_page)
			return -EINVAL;
		if (page_nr < si->max && si->swap_map[page_nr] != SWAP_MAP_BAD) {
			si->swap_map[page_nr] = SWAP_MAP_BAD;
			si->pages--;
		}
	}
	if (!si->pages) {
		kmm_report(k, "Empty swap-file\n");
		return -EINVAL;
	}
	return 0;
}

/*
 * The clusters, each on its list: slots not to be used (the header, bad
 * pages, the end of the last cluster past the area) count as used; free
 * clusters are listed SWAP_CLUSTER_COLS apart (setup_clusters).
 */
static int setup_clusters(struct swap_info_struct *si)
{
	unsigned long n = nr_clusters(si), i, j, idx;

	si->cluster_info = kvzalloc(n * sizeof(*si->cluster_info), GFP_KERNEL);
	if (!si->cluster_info)
		return -ENOMEM;
	for (i = 0; i < n * SWAPFILE_CLUSTER; i++)
		if (i >= si->max || si->swap_map[i] == SWAP_MAP_BAD)
			si->cluster_info[i / SWAPFILE_CLUSTER].count++;
	INIT_LIST_HEAD(&si->free_clusters);
	INIT_LIST_HEAD(&si->nonfull_clusters);
	INIT_LIST_HEAD(&si->frag_clusters);
	INIT_LIST_HEAD(&si->full_clusters);
	si->frag_cluster_nr = 0;
	for (j = 0; j < SWAP_CLUSTER_COLS; j++) {
		for (idx = j; idx < n; idx += SWAP_CLUSTER_COLS) {
			struct swap_cluster_info *ci = &si->cluster_info[idx];

			INIT_LIST_HEAD(&ci->list);
			if (!ci->count)
				move_cluster(si, ci, &si->free_clusters, CLUSTER_FLAG_FREE);
			else if (ci->count < SWAPFILE_CLUSTER)
				move_cluster(si, ci, &si->nonfull_clusters, CLUSTER_FLAG_NONFULL);
			else
				move_cluster(si, ci, &si->full_clusters, CLUSTER_FLAG_FULL);
		}
	}
	return 0;
}

/* The area is on, writable, in priority order (enable_swap_info). */
static void enable_swap_info(struct kmm *k, struct swap_info_struct *si, int prio)
{
	struct mm_machine *mm = k->mem;

	swap_lock(k);
	si->prio = (signed short)(prio >= 0 ? prio : --mm->least_priority);
	list_add_by_prio(&si->list, &mm->swap_active_head, si->prio,
			 offsetof(struct swap_info_struct, list));
	si->flags |= SWP_WRITEOK;
	mm->nr_swap_pages += si->pages;
	mm->total_swap_pages += si->pages;
	if (si->inuse_pages < si->pages)
		add_to_avail_list(k, si);
	swap_unlock(k);
}

/* What a failed swapon, or a done swapoff, lets go of; si is free again. */
static void release_swap_info(struct kmm *k, struct swap_info_struct *si)
{
	struct file *f = si->swap_file;
	unsigned char *map = si->swap_map;
	struct swap_cluster_info *ci = si->cluster_info;

	/* Shadows of pages swapped in long ago: the cache holds nothing else
	 * once every slot is unused. */
	swap_cache_destroy(&si->swap_cache);
	swap_lock(k);
	si->swap_file = NULL;
	si->bdev = NULL;
	si->swap_map = NULL;
	si->cluster_info = NULL;
	si->max = 0;
	si->pages = 0;
	si->inuse_pages = 0;
	si->nr_write_errors = si->nr_read_errors = 0;
	si->flags = 0;
	swap_unlock(k);
	vfree(map);
	kvfree(ci);
	if (f)
		fput(f);
}

static int bdev_held(struct super_block *sb, void *bdev)
{
	return sb->s_bdev == bdev;
}

/*
 * What swapon and swapoff name: a block device by its /dev name (kmm's
 * VFS has no device nodes; "/dev/kda"), else a file of the filesystems,
 * opened read-write.  excl: swapon's O_EXCL, -EBUSY for a mounted device.
 */
static struct file *swap_file_open(struct kmm *k, const char *path, bool excl, int *err)
{
	struct block_device *bdev = strncmp(path, "/dev/", 5) ? NULL : lookup_bdev(path);
	struct file *f;

	if (!bdev)
		return filp_open(path, O_RDWR, 0, err);
	*err = bdev_read_only(bdev) ? -EACCES : excl && iterate_supers(k, bdev_held, bdev) ? -EBUSY : 0;
	if (*err)
		return NULL;
	bdev->bd_inode->i_count++;
	f = alloc_file(bdev->bd_inode, path, FMODE_READ | FMODE_WRITE);
	if (!f) {
		iput(bdev->bd_inode);
		*err = -ENOMEM;
	}
	return f;
}

/* The header page, read through the file's page cache (read_mapping_folio). */
static union swap_header *read_header(struct file *f, int *err)
{
	union swap_header *h = kzalloc(sizeof(*h), GFP_KERNEL);
	long n;

	*err = -ENOMEM;
	if (!h)
		return NULL;
	n = filemap_read(f, 0, h, sizeof(*h));
	if (n >= 0)
		return h;		/* a short file reads as zeros past its end */
	kfree(h);
	*err = (int)n;
	return NULL;
}

/* A file or a block device, not on already (claim_swapfile). */
static int claim_swapfile(struct swap_info_struct *si, struct inode *inode)
{
	if (S_ISBLK(inode->i_mode)) {
		si->bdev = inode->i_private;
		si->flags |= SWP_BLKDEV;
	} else if (!S_ISREG(inode->i_mode)) {
		return -EINVAL;
	}
	return IS_SWAPFILE(inode) ? -EBUSY : 0;
}

/*
 * The file's blocks (after its dirty pages reach them: Linux drains
 * later, but kmm's filesystems look at the disk), then the map with the
 * header's bad pages, then the clusters.
 */
static int setup_swap_area(struct kmm *k, struct swap_info_struct *si, struct file *f,
			   const union swap_header *h)
{
	const struct address_space_operations *aops = f->f_inode->i_data.a_ops;
	int err = filemap_write_and_wait_range(&f->f_inode->i_data, 0, LLONG_MAX);

	if (err)
		return err;
	if (!aops || !aops->swap_activate || !aops->swap_rw) {
		kmm_report(k, "swapon: swapfile has holes\n");	/* no bmap: Linux's words */
		return -EINVAL;
	}
	err = aops->swap_activate(f, (long long)si->max << PAGE_SHIFT);
	if (err)
		return err;
	si->swap_map = vzalloc(si->max);
	if (!si->swap_map)
		return -ENOMEM;
	xa_init_ops(&si->swap_cache, 0, &k->mem->slab->xa_node_ops);
	err = setup_swap_map(k, si, h);
	return err ? err : setup_clusters(si);
}

/*
 * swapon of the open file f into the entry si (both taken over: si is
 * released, f put, on failure): claim, header, blocks, map, clusters,
 * then on.  The sequence of Linux's sys_swapon after the open.
 */
static int __swapon(struct kmm *k, struct swap_info_struct *si, struct file *f, int swap_flags)
{
	struct inode *inode = f->f_inode;
	union swap_header *h = NULL;
	unsigned long maxpages;
	int err;

	si->swap_file = f;
	err = claim_swapfile(si, inode);
	if (err)
		goto bad_swap;
	h = read_header(f, &err);
	if (!h)
		goto bad_swap;
	err = -EINVAL;
	maxpages = read_swap_header(k, h, inode);
	if (!maxpages)
		goto bad_swap;
	si->max = (unsigned int)maxpages;
	si->pages = si->max - 1;
	err = setup_swap_area(k, si, f, h);
	if (err)
		goto bad_swap;
	kfree(h);
	si->flags |= SWP_SOLIDSTATE | (si->bdev ? 0 : SWP_FS_OPS);
	inode->i_flags |= S_SWAPFILE;
	enable_swap_info(k, si, swap_flags & SWAP_FLAG_PREFER ? swap_flags & SWAP_FLAG_PRIO_MASK : -1);
	return 0;
bad_swap:
	kfree(h);
	release_swap_info(k, si);
	return err;
}

long ksys_swapon(const char *path, int swap_flags)
{
	struct kmm *k = kmm_cur();
	struct swap_info_struct *si;
	struct file *f;
	int err = 0;

	if (swap_flags & ~SWAP_FLAGS_VALID)
		return -EINVAL;
	si = alloc_swap_info(k, &err);
	if (!si)
		return err;		/* -EPERM: all taken, before the path is looked at */
	f = swap_file_open(k, path, true, &err);
	if (!f) {
		release_swap_info(k, si);
		return err;
	}
	err = __swapon(k, si, f, swap_flags);
	VM_CHECK(check_swap_invariants(k));
	return err;
}

/* ---- swapoff --------------------------------------------------------------------- */


/* Off the lists: no new slot from si; its free slots leave the totals
 * (the used ones go as try_to_unuse frees them). */
static void disable_swap_info(struct kmm *k, struct swap_info_struct *si)
{
	struct mm_machine *mm = k->mem;
	struct swap_info_struct *o;

	del_from_avail_list(si);
	si->flags &= ~SWP_WRITEOK;
	if (si->prio < 0) {
		/* The default priorities below close up behind it. */
		o = si;
		list_for_each_entry_continue(o, &mm->swap_active_head, list)
			o->prio++;
		mm->least_priority++;
	}
	list_del_init(&si->list);
	mm->nr_swap_pages -= si->pages;
	mm->total_swap_pages -= si->pages;
}

/* No CPU allocates from si any more (flush_percpu_swap_cluster). */
static void flush_percpu_swap_cluster(struct kmm *k, struct swap_info_struct *si)
{
	unsigned int cpu;

	for (cpu = 0; cpu <= k->nr_cpus; cpu++)
		if (k->mem->percpu_swap_cluster[cpu].si == si)
			k->mem->percpu_swap_cluster[cpu] = (struct percpu_swap_cluster){ NULL, 0 };
}

/* The area found on, off for good: totals, lists, map, file (k current). */
static void swap_area_off(struct kmm *k, struct swap_info_struct *si)
{
	swap_lock(k);
	if (si->flags & SWP_WRITEOK)
		disable_swap_info(k, si);
	flush_percpu_swap_cluster(k, si);
	swap_unlock(k);
	si->swap_file->f_inode->i_flags &= ~S_SWAPFILE;
	release_swap_info(k, si);
}

/* The writable area that swaps to inode, or NULL. */
static struct swap_info_struct *find_swap_area(struct kmm *k, const struct inode *inode)
{
	struct swap_info_struct *si;

	list_for_each_entry(si, &k->mem->swap_active_head, list)
		if ((si->flags & SWP_WRITEOK) && si->swap_file->f_inode == inode)
			return si;
	return NULL;
}

long ksys_swapoff(const char *path)
{
	struct kmm *k = kmm_cur();
	struct swap_info_struct *si;
	struct file *victim;
	int err = 0;

	victim = swap_file_open(k, path, false, &err);
	if (!victim)
		return err;
	swap_lock(k);
	si = find_swap_area(k, victim->f_inode);
	err = -EINVAL;
	if (!si)
		goto out_unlock;
	/* What is committed must fit without the area (Linux's check). */
	err = -ENOMEM;
	if (__vm_enough_memory(k, 0, si->pages, true))
		goto out_unlock;
	vm_unacct_memory(k, si->pages);
	disable_swap_info(k, si);
	swap_unlock(k);
	err = try_to_unuse(k, (unsigned int)si->type);
	if (err)
		enable_swap_info(k, si, si->prio);	/* back on, nothing lost */
	else
		swap_area_off(k, si);
	fput(victim);
	VM_CHECK(check_swap_invariants(k));
	return err;
out_unlock:
	swap_unlock(k);
	fput(victim);
	return err;
}

/* ---- mkswap and the boot area -------------------------------------------------- */

void mkswap_header(union swap_header *h, unsigned long nr_pages, const unsigned char uuid[16],
		   const char *label)
{
	memset(h, 0, sizeof(*h));
	h->info.version = 1;
	h->info.last_page = (uint32_t)(nr_pages - 1);
	h->info.nr_badpages = 0;
	memcpy(h->info.sws_uuid, uuid, sizeof(h->info.sws_uuid));
	if (label)	/* NUL-padded, not NUL-terminated when 16 long */
		memcpy(h->info.sws_volume, label, min(strlen(label), sizeof(h->info.sws_volume)));
	memcpy(h->magic.magic, SWAP_MAGIC, SWAP_MAGIC_LEN);
}

/* A random (version 4) uuid from the machine's seeded numbers. */
static void swap_uuid(struct kmm *k, unsigned char uuid[16])
{
	unsigned long r[2] = { get_random_long(k), get_random_long(k) };

	memcpy(uuid, r, 16);
	uuid[6] = (unsigned char)((uuid[6] & 0x0f) | 0x40);
	uuid[8] = (unsigned char)((uuid[8] & 0x3f) | 0x80);
}

/* The header of an nr_pages area written at the start of f, and synced. */
static int mkswap_file(struct kmm *k, struct file *f, unsigned long nr_pages, const char *label)
{
	union swap_header *h = kmalloc(sizeof(*h), GFP_KERNEL);
	unsigned char uuid[16];
	long n;

	if (!h)
		return -ENOMEM;
	swap_uuid(k, uuid);
	mkswap_header(h, nr_pages, uuid, label);
	n = generic_perform_write(f, 0, h, sizeof(*h));
	kfree(h);
	if (n < 0)
		return (int)n;
	return vfs_fsync_range(f, 0, LLONG_MAX, 0);
}

#define MKSWAP_MIN_PAGES	10	/* util-linux's MIN_GOODPAGES */

int kmm_mkswap(const char *path, unsigned long long size, const char *label)
{
	struct kmm *k = kmm_cur();
	unsigned long nr_pages = (unsigned long)(size >> PAGE_SHIFT);
	struct file *f;
	int err = 0;

	if (nr_pages < MKSWAP_MIN_PAGES || nr_pages - 1 > UINT32_MAX)
		return -EINVAL;
	f = filp_open(path, O_RDWR | O_CREAT, 0600, &err);
	if (!f)
		return err;
	err = vfs_fallocate(f, 0, 0, (long long)nr_pages << PAGE_SHIFT);
	if (!err)
		err = mkswap_file(k, f, nr_pages, label);
	fput(f);
	return err;
}

/* swap=SIZE: an unnamed host file made a swap area and swapped on. */
static int swapon_boot_area(struct kmm *k)
{
	unsigned long nr_pages = k->cfg.swap >> PAGE_SHIFT;
	struct swap_info_struct *si;
	struct file *f;
	int err;

	if (nr_pages < MKSWAP_MIN_PAGES) {
		kmm_report(k, "kmm_boot: swap=%lu: a swap area needs at least %d pages (40K)\n",
			   k->cfg.swap, MKSWAP_MIN_PAGES);
		return -EINVAL;
	}
	f = hostfs_tmpfile(k, "/swapfile", (long long)nr_pages << PAGE_SHIFT, &err);
	if (!f) {
		kmm_report(k, "kmm_boot: swap=%lu: no host file for it (error %d)\n", k->cfg.swap, err);
		return err;
	}
	err = mkswap_file(k, f, nr_pages, NULL);
	si = err ? NULL : alloc_swap_info(k, &err);
	if (si)
		err = __swapon(k, si, f, 0);
	else
		fput(f);
	if (err)
		kmm_report(k, "kmm_boot: swap=%lu: swapon failed (error %d)\n", k->cfg.swap, err);
	return err;
}

int swapfile_init(struct kmm *k)
{
	struct mm_machine *mm = k->mem;

	pthread_mutex_init(&mm->swap_lock, NULL);
	INIT_LIST_HEAD(&mm->swap_active_head);
	INIT_LIST_HEAD(&mm->swap_avail_head);
	mm->least_priority = -1;
	return k->cfg.swap ? swapon_boot_area(k) : 0;
}

void swapfile_exit(struct kmm *k, bool crash)
{
	struct mm_machine *mm = k->mem;

	/* Writes in flight end first, by when the disk has done all it has
	 * queued (a crash leaves them). */
	if (!crash && READ_ONCE(mm->nr_swap_writeback)) {
		unsigned long long now = hw_clock_ns(k), until = hw_disk_busy_until(k);

		hw_clock_sleep(k, until > now ? until - now : 0);
	}
	VM_WARN_ON(!crash && READ_ONCE(mm->nr_swap_writeback));
	while (!list_empty(&mm->swap_active_head))
		swap_area_off(k, list_first_entry(&mm->swap_active_head, struct swap_info_struct,
						  list));
}

/* ---- views ------------------------------------------------------------------------ */

void si_swapinfo(struct kmm *k, unsigned long *totalswap, unsigned long *freeswap)
{
	struct mm_machine *mm = k->mem;
	unsigned long to_be_unused = 0;
	unsigned int type;

	swap_lock(k);
	for (type = 0; type < mm->nr_swapfiles; type++) {
		struct swap_info_struct *si = mm->swap_info[type];

		if ((si->flags & SWP_USED) && !(si->flags & SWP_WRITEOK))
			to_be_unused += si->inuse_pages;
	}
	*freeswap = (unsigned long)mm->nr_swap_pages + to_be_unused;
	*totalswap = (unsigned long)mm->total_swap_pages + to_be_unused;
	swap_unlock(k);
}

/* The path as seq_file_path prints it: space, tab, newline and backslash
 * as \ooo (mangle_path). */
static size_t mangle_path(char *out, size_t size, const char *path)
{
	size_t n = 0;

	for (; *path && n + 5 < size; path++) {
		if (strchr(" \t\n\\", *path))
			n += (size_t)snprintf(out + n, size - n, "\\%03o", (unsigned char)*path);
		else
			out[n++] = *path;
	}
	out[n] = 0;
	return n;
}

/* /proc/swaps, swap_show's columns: path padded to 40, "file" or
 * "partition", sizes in KiB, the priority. */
void swaps_show(struct kmm *k, struct seq_buf *m)
{
	struct mm_machine *mm = k->mem;
	char path[PATH_MAX], mangled[4 * PATH_MAX];
	unsigned int type;

	seq_puts(m, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	swap_lock(k);
	for (type = 0; type < mm->nr_swapfiles; type++) {
		struct swap_info_struct *si = mm->swap_info[type];
		unsigned long bytes, inuse;
		int len;

		if (!(si->flags & SWP_USED) || !si->swap_map)
			continue;
		bytes = (unsigned long)si->pages << (PAGE_SHIFT - 10);
		inuse = si->inuse_pages << (PAGE_SHIFT - 10);
		file_path(si->swap_file, path, sizeof(path));
		len = (int)mangle_path(mangled, sizeof(mangled), path);
		seq_printf(m, "%s%*s%s\t%lu\t%s%lu\t%s%d\n", mangled, len < 40 ? 40 - len : 1, " ",
			   S_ISBLK(si->swap_file->f_inode->i_mode) ? "partition" : "file\t",
			   bytes, bytes < 10000000 ? "\t" : "", inuse, inuse < 10000000 ? "\t" : "",
			   si->prio);
	}
	swap_unlock(k);
}

/* ---- the checker ------------------------------------------------------------------ */

static int swap_bug(struct kmm *k, const struct swap_info_struct *si, const char *what,
		    unsigned long a, unsigned long b)
{
	kmm_report(k, "swap: area %d: %s (%lu, %lu)\n", si ? si->type : -1, what, a, b);
	return -1;
}

/* Each cluster of one list has that list's flag and a count to match;
 * *n: how many there are. */
static int check_cluster_list(struct kmm *k, struct swap_info_struct *si, struct list_head *list,
			      unsigned char flags, unsigned long *n)
{
	struct swap_cluster_info *ci;

	list_for_each_entry(ci, list, list) {
		unsigned long idx = (unsigned long)(ci - si->cluster_info);
		bool count_ok = flags == CLUSTER_FLAG_FREE ? !ci->count :
				flags == CLUSTER_FLAG_FULL ? ci->count == SWAPFILE_CLUSTER :
				ci->count && ci->count < SWAPFILE_CLUSTER;

		if (idx >= nr_clusters(si) || ++*n > nr_clusters(si))
			return swap_bug(k, si, "a cluster list goes astray", idx, flags);
		if (ci->flags != flags || !count_ok)
			return swap_bug(k, si, "cluster on the wrong list", idx, ci->count);
	}
	return 0;
}

/* One cluster's slots against its count (past the area's end: used). */
static int check_cluster_slots(struct kmm *k, struct swap_info_struct *si, unsigned long idx,
			       unsigned long *inuse, unsigned long *bad)
{
	unsigned long i, used = 0;

	for (i = idx * SWAPFILE_CLUSTER; i < (idx + 1) * SWAPFILE_CLUSTER; i++) {
		unsigned char map = i < si->max ? si->swap_map[i] : SWAP_MAP_BAD;

		if (map & COUNT_CONTINUED || swap_count(map) > SWAP_MAP_BAD ||
		    map == (SWAP_MAP_BAD | SWAP_HAS_CACHE))
			return swap_bug(k, si, "bad swap_map value", i, map);
		used += !!map;
		if (i && i < si->max && map == SWAP_MAP_BAD)
			(*bad)++;
		else if (i && i < si->max && map)
			(*inuse)++;
	}
	if (si->cluster_info[idx].flags == CLUSTER_FLAG_NONE)
		return swap_bug(k, si, "cluster on no list", idx, used);
	if (used != si->cluster_info[idx].count)
		return swap_bug(k, si, "cluster count is not its slots in use", idx,
				si->cluster_info[idx].count);
	return 0;
}

/* The map against the clusters' counts and inuse_pages, the lists against
 * the counts.  Allocates nothing: it may run anywhere. */
static int check_swap_area(struct kmm *k, struct swap_info_struct *si)
{
	unsigned long i, inuse = 0, bad = 0, listed = 0, nr_frag = 0;

	if (si->swap_map[0] != SWAP_MAP_BAD)
		return swap_bug(k, si, "the header slot is not SWAP_MAP_BAD", si->swap_map[0], 0);
	for (i = 0; i < nr_clusters(si); i++)
		if (check_cluster_slots(k, si, i, &inuse, &bad))
			return -1;
	if (inuse != si->inuse_pages || si->pages != si->max - 1 - bad)
		return swap_bug(k, si, "inuse_pages or pages is not the map's", inuse, si->inuse_pages);
	if (check_cluster_list(k, si, &si->free_clusters, CLUSTER_FLAG_FREE, &listed) ||
	    check_cluster_list(k, si, &si->nonfull_clusters, CLUSTER_FLAG_NONFULL, &listed) ||
	    check_cluster_list(k, si, &si->frag_clusters, CLUSTER_FLAG_FRAG, &nr_frag) ||
	    check_cluster_list(k, si, &si->full_clusters, CLUSTER_FLAG_FULL, &listed))
		return -1;
	if (nr_frag != si->frag_cluster_nr)
		return swap_bug(k, si, "frag_cluster_nr is not the frag list's length", nr_frag,
				si->frag_cluster_nr);
	if (listed + nr_frag != nr_clusters(si))
		return swap_bug(k, si, "clusters listed are not all the clusters", listed + nr_frag,
				nr_clusters(si));
	if ((si->flags & SWP_WRITEOK) &&
	    list_empty(&si->avail_list) != (si->inuse_pages == si->pages))
		return swap_bug(k, si, "avail list membership is not the area's room", si->inuse_pages,
				si->pages);
	return 0;
}

/* The totals are the areas' sums; the lists keep priority order. */
static int check_swap_totals(struct kmm *k)
{
	struct mm_machine *mm = k->mem;
	struct swap_info_struct *si, *prev = NULL;
	long total = 0, free = 0;
	unsigned int type;

	for (type = 0; type < mm->nr_swapfiles; type++) {
		si = mm->swap_info[type];
		if (si->flags & SWP_WRITEOK) {
			total += si->pages;
			free += (long)si->pages - (long)si->inuse_pages;
		} else if (si->flags & SWP_USED) {
			free -= (long)si->inuse_pages;	/* being swapped off */
		}
	}
	if (total != mm->total_swap_pages || free != mm->nr_swap_pages)
		return swap_bug(k, NULL, "total_swap_pages or nr_swap_pages is not the areas' sum",
				(unsigned long)mm->total_swap_pages, (unsigned long)mm->nr_swap_pages);
	list_for_each_entry(si, &mm->swap_active_head, list) {
		if (prev && prev->prio < si->prio)
			return swap_bug(k, si, "active list out of priority order", prev->prio, si->prio);
		prev = si;
	}
	prev = NULL;
	list_for_each_entry(si, &mm->swap_avail_head, avail_list) {
		if ((prev && prev->prio < si->prio) || !(si->flags & SWP_WRITEOK))
			return swap_bug(k, si, "avail list out of order", si->prio, si->flags);
		prev = si;
	}
	return 0;
}

int check_swap_invariants(struct kmm *k)
{
	struct mm_machine *mm = k->mem;
	unsigned int type;
	int err = 0;

	if (!mm->swap_active_head.next)
		return 0;		/* swap never set up (a boot that failed early) */
	swap_lock(k);
	for (type = 0; type < mm->nr_swapfiles && !err; type++)
		if ((mm->swap_info[type]->flags & SWP_USED) && mm->swap_info[type]->swap_map)
			err = check_swap_area(k, mm->swap_info[type]);
	if (!err)
		err = check_swap_totals(k);
	swap_unlock(k);
	return err;
}
