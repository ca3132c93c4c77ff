/*
 * mm/swap.h - swap areas inside mm/: the area and its clusters
 * (mm/swapfile.c), swap I/O (mm/page_io.c), and what reclaim, the swap
 * cache and the swap-in fault build on.  Linux keeps struct
 * swap_info_struct in include/linux/swap.h; in kmm only mm/ needs it (the
 * layers above see the system calls and views of <kmm/swap.h>).
 *
 * Glossary.
 *   swap area   a file (or, in Linux, a partition) that swapon handed to
 *               the kernel, one struct swap_info_struct, numbered by its
 *               type (its index in swap_info[]).
 *   slot        one page of the area, at offset N (byte N * 4096 of the
 *               file); slot 0 is the header and never used.  A swapped-out
 *               page's PTE holds swp_entry(type, offset) (<kmm/swapops.h>).
 *   swap_map    a byte per slot: how many PTEs (and shmem) refer to it,
 *               with SWAP_HAS_CACHE when a page in memory (the swap cache)
 *               holds its contents; SWAP_MAP_BAD for the header and bad
 *               pages.  A slot is free when its byte is 0.
 *   cluster     SWAPFILE_CLUSTER (512) consecutive slots, on one of the
 *               area's lists by how full it is.  Each CPU allocates from
 *               a cluster of its own, so one reclaim pass writes its pages
 *               to neighbouring slots: sequential I/O.
 *
 * Lock order: swap_lock (k->mem) alone guards every area, map and
 * cluster list; it is never held across I/O.  Linux splits it into
 * swap_lock, si->lock, each cluster's lock and a per-CPU local lock.
 */
#ifndef KMM_MM_SWAP_H
#define KMM_MM_SWAP_H

#include <kmm/swap.h>
#include <kmm/swapops.h>
#include "mm/internal.h"

/* si->flags */
enum {
	SWP_USED	= 1 << 0,	/* the swap_info[] entry is taken */
	SWP_WRITEOK	= 1 << 1,	/* slots may be allocated (swapon done, no swapoff) */
	SWP_SOLIDSTATE	= 1 << 4,	/* seeks are cheap: per-CPU clusters (kmm's disk is an SSD) */
	SWP_BLKDEV	= 1 << 6,	/* a block device: "partition" in /proc/swaps */
	SWP_FS_OPS	= 1 << 8,	/* I/O through the file's a_ops->swap_rw */
};

/* swap_map[] values: a count of references, and the cache bit. */
#define SWAP_HAS_CACHE	0x40	/* a page in memory holds the slot's contents */
#define COUNT_CONTINUED	0x80	/* Linux: the count goes on in a continuation page */
#define SWAP_MAP_MAX	0x3e	/* the highest count (kmm has no continuation) */
#define SWAP_MAP_BAD	0x3f	/* the header, or a bad page: never allocated */

#define SWAPFILE_CLUSTER	512	/* HPAGE_PMD_NR slots: one THP's worth */

/* Where a cluster is (Linux's enum swap_cluster_flags, in its order). */
enum swap_cluster_flags {
	CLUSTER_FLAG_NONE = 0,		/* on no list: being allocated from */
	CLUSTER_FLAG_FREE,		/* every slot free */
	CLUSTER_FLAG_NONFULL,		/* some slots free, freed into lately */
	CLUSTER_FLAG_FRAG,		/* some slots free, allocated from lately */
	CLUSTER_FLAG_USABLE = CLUSTER_FLAG_FRAG,
	CLUSTER_FLAG_FULL,		/* no slot free */
	CLUSTER_FLAG_MAX,
};

struct swap_cluster_info {
	unsigned short count;		/* slots not free (header, bad and past-the-end too) */
	unsigned char flags;		/* enum swap_cluster_flags: the list it is on */
	unsigned char order;		/* 0: kmm swaps single pages */
	struct list_head list;		/* on si's free/nonfull/frag/full list */
};

struct swap_info_struct {
	unsigned long flags;		/* SWP_* */
	signed short prio;		/* higher is used first; -2, -3 ... when not given */
	signed char type;		/* the index in swap_info[]: swp_type of its entries */
	struct list_head list;		/* on swap_active_head, by priority */
	struct list_head avail_list;	/* on swap_avail_head while WRITEOK and not full */
	unsigned int max;		/* slots in the map: the header's last_page + 1 */
	unsigned char *swap_map;	/* [max], vzalloc'ed */
	struct swap_cluster_info *cluster_info;	/* [DIV_ROUND_UP(max, SWAPFILE_CLUSTER)] */
	struct list_head free_clusters;
	struct list_head nonfull_clusters;
	struct list_head frag_clusters;
	struct list_head full_clusters;
	unsigned long frag_cluster_nr;	/* clusters on frag_clusters */
	unsigned int pages;		/* usable slots: max - 1 - bad pages */
	unsigned long inuse_pages;	/* slots allocated (swap_map non-zero, not bad) */
	struct file *swap_file;		/* what swapon opened; its a_ops->swap_rw does the I/O */
	struct block_device *bdev;	/* a partition's device (SWP_BLKDEV), else NULL */
	struct xarray swap_cache;	/* the swap cache: pages (and shadows) by offset (mm/swap_state.c) */
	/* kmm: I/O errors on the area, each kind reported once. */
	unsigned long nr_write_errors;
	unsigned long nr_read_errors;
};

/* The slot a swap-cache page stands for (Linux's folio->swap, which
 * shares its word with page->private). */
static inline swp_entry_t page_swap_entry(const struct page *page)
{
	return (swp_entry_t){ page->private };
}

/* ---- mm/swapfile.c: slots ------------------------------------------------------ */

/*
 * A free slot for page, taken with SWAP_HAS_CACHE (the page will be its
 * swap cache): from the highest-priority area with room, equal
 * priorities in turn, a cluster at a time; this CPU's cluster first, so
 * consecutive calls get consecutive offsets.  The entry, or val 0 when
 * every area is full (or there is none).  Linux 6.1-6.14's signature;
 * add_to_swap (the swap cache's) calls it and records the entry in the
 * page.
 */
swp_entry_t folio_alloc_swap(struct page *folio);
/* The same without the cache bit, from area type only (count 1, as
 * hibernation takes its slots): val 0 if it is full or not on. */
swp_entry_t get_swap_page_of_type(int type);
/*
 * One more reference to the slot (a PTE copied at fork).  0, or -ENOMEM
 * when its count is at SWAP_MAP_MAX already (Linux then adds a
 * continuation; kmm has none, so fork fails).  A bad or free entry is
 * reported and left alone (0, as Linux's).
 */
int swap_duplicate(swp_entry_t entry);
/*
 * Claims the swap cache of nr slots (swap-in is about to read them into
 * a page): 0; -EEXIST if a cache page exists already; -ENOENT if a slot
 * is free or bad; -EINVAL for a bad entry.
 */
int swapcache_prepare(swp_entry_t entry, int nr);
/* Gives the claim back (swap-in failed, or the cache page went). */
void swapcache_clear(struct swap_info_struct *si, swp_entry_t entry, int nr);
/* The swap cache page of entry went (delete_from_swap_cache): the slot
 * is free once no PTE refers to it. */
void put_swap_folio(struct page *folio, swp_entry_t entry);
/* References from PTEs drop (zap, swap-in): a slot with none and no cache
 * is free again.  A bad or free entry is reported and left alone. */
void swap_free_nr(swp_entry_t entry, int nr_pages);
static inline void swap_free(swp_entry_t entry)
{
	swap_free_nr(entry, 1);
}
/* PTE references to entry (the cache not counted): __swap_count reads the
 * map, swp_swapcount checks the entry first (0 for a bad one). */
int __swap_count(swp_entry_t entry);
int swp_swapcount(swp_entry_t entry);
/* The area of an entry (NULL: no such type), without checks. */
struct swap_info_struct *swp_swap_info(swp_entry_t entry);
/*
 * The area of entry, kept from swapoff until put_swap_device (in kmm
 * swapoff cannot run meanwhile: one context); NULL, reported, for a bad
 * entry.
 */
struct swap_info_struct *get_swap_device(swp_entry_t entry);
static inline void put_swap_device(struct swap_info_struct *si)
{
	(void)si;
}
/* Free slots in writable areas, and all usable slots (Linux's
 * nr_swap_pages and total_swap_pages). */
long get_nr_swap_pages(struct kmm *k);
long get_total_swap_pages(struct kmm *k);
/* Half the swap is in use: reclaim should free swap cache eagerly. */
bool vm_swap_full(struct kmm *k);
/*
 * swapoff's work: every slot of area type back into memory (each swapped
 * out page read into a new page, its PTEs pointing to it, the slot
 * freed).  0 when nothing is left, -ENOMEM when memory runs out (the area
 * then stays on).  Until reclaim fills it in (it needs the swap cache and
 * the swap PTE walk), an area with slots in use is -EBUSY.
 */
int try_to_unuse(struct kmm *k, unsigned int type);
/* Every area's map, counts and cluster lists agree: 0, or -1 reported. */
int check_swap_invariants(struct kmm *k);

/* ---- mm/page_io.c: I/O ---------------------------------------------------------- */

/*
 * Writes the swap-cache page to its slot (page_swap_entry): PG_writeback
 * and NR_WRITEBACK until the disk has it, PSWPOUT counted.  The caller
 * cleared PG_dirty (folio_clear_dirty_for_io, as pageout does).
 * wbc->sync_all waits for the write; else it is queued and completes on
 * the simulated clock (end_page_writeback).  A failed write leaves the
 * page dirty (and PG_reclaim clear), reported once per area as Linux's
 * "Write-error on swap-device".  0, or the error of a write that waited.
 */
int swap_writepage(struct page *page, struct writeback_control *wbc);
/*
 * Reads the slot of the swap-cache page (page_swap_entry) into it and
 * waits: 0 with PG_uptodate, or -EIO (reported once per area) without.
 * PSWPIN counted.
 */
int swap_read_folio(struct page *folio);

/* ---- mm/swap_state.c: the swap cache ------------------------------------------ */

struct page *swap_cache_get_folio(swp_entry_t entry);
int add_to_swap_cache(struct page *page, swp_entry_t entry, void **shadowp);
void __delete_from_swap_cache(struct page *page, swp_entry_t entry, void *shadow);
void delete_from_swap_cache(struct page *page);
bool add_to_swap(struct page *page);
bool folio_free_swap(struct page *page);
void free_swap_and_cache(swp_entry_t entry);
void swap_cache_destroy(struct xarray *xa);
int check_swap_references(struct kmm *k);
struct vm_area_struct;
struct page *swapin_folio(struct vm_area_struct *v, unsigned long addr, swp_entry_t entry,
			  bool *major, int *err);

#endif /* KMM_MM_SWAP_H */
