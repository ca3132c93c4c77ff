/*
 * mm/filemap.c - the page cache: each inode's pages by index (struct
 * address_space), read from its disk through the filesystem's
 * address_space_operations, written there by writeback
 * (mm/page-writeback.c).
 *
 * - filemap_read: read(2)/pread(2) through the cache; a missing page is
 *   read from the disk (one request for a run of missing pages), a
 *   cached one is copied without I/O.
 * - generic_perform_write: write(2)/pwrite(2) into the cache; a page the
 *   write covers only in part is read first unless it lies past EOF, the
 *   page is marked dirty (folio_mark_dirty: the inode joins the flusher's
 *   list), i_size grows, and the writer checks the dirty limits
 *   (balance_dirty_pages_ratelimited, mm/page-writeback.c).
 * - filemap_get_page: the page a fault maps, read in if needed (a major
 *   fault).
 * - truncate: pages past the new size leave the cache and every mapping,
 *   the partial last page is zeroed past EOF.
 *
 * A file without a disk (shmem, the built-in programs) starts zeroed, as a
 * hole reads.  Pages held by the cache count in NR_FILE_PAGES ("Cached")
 * and, for shmem, NR_SHMEM; dirty ones in NR_DIRTY.
 *
 * Storage: an xarray by index (base/xarray.c), its nodes from the
 * radix_tree_node slab cache; dirty pages carry PAGECACHE_TAG_DIRTY,
 * those under writeback PAGECACHE_TAG_WRITEBACK, so writeback walks only
 * them.  The cache holds one reference to each of its pages; every PTE
 * mapping a page holds one more (mm/memory.c).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/fs.h>
#include <kmm/pagemap.h>
#include <kmm/task_io_accounting_ops.h>
#include <kmm/xarray.h>
#include "mm/slab.h"
#include "mm/mmap.h"
#include "mm/memory.h"
#include <kmm/sched.h>

/* ---- the xarray's nodes: the radix_tree_node cache ------------------ */

static void *xa_node_alloc(void *priv, gfp_t gfp)
{
	struct kmm *k = priv;

	return kmem_cache_alloc(k->mem->slab->radix_tree_node_cachep, gfp);
}

static void xa_node_free(void *priv, void *node)
{
	struct kmm *k = priv;

	kmem_cache_free(k->mem->slab->radix_tree_node_cachep, node);
}

/*
 * radix_tree_init: at boot, as Linux makes it, the cache every page
 * cache's xarray nodes come from (slabinfo's radix_tree_node).
 */
int radix_tree_init(struct kmm *k)
{
	struct kmem_cache *c = __kmem_cache_create(k, "radix_tree_node", XA_NODE_SIZE, 0,
						   SLAB_RECLAIM_ACCOUNT, NULL);

	if (!c)
		return -ENOMEM;
	c->flags |= CFLGS_PERMANENT;
	k->mem->slab->radix_tree_node_cachep = c;
	k->mem->slab->xa_node_ops.alloc = xa_node_alloc;
	k->mem->slab->xa_node_ops.free = xa_node_free;
	k->mem->slab->xa_node_ops.priv = k;
	return 0;
}


/*
 * A new inode's page cache: an empty xarray whose nodes come from the
 * machine's radix_tree_node cache (so /proc/slabinfo shows them, and
 * failslab can fail them), as Linux's address_space_init_once.
 */
void address_space_init_once(struct address_space *as)
{
	xa_init_ops(&as->i_pages, 0, &kmm_cur()->mem->slab->xa_node_ops);
}

struct page *find_get_page(struct address_space *as, pgoff_t index)
{
	void *entry;

	if (!as->nrpages)
		return NULL;
	entry = xa_load(&as->i_pages, index);
	return xa_is_value(entry) ? NULL : entry;	/* a shadow is no page */
}

static void count_cache_page(struct address_space *as, long delta)
{
	struct kmm *k = kmm_cur();

	mod_node_page_state(k, NR_FILE_PAGES, delta);
	if (as->host->i_shmem)
		mod_node_page_state(k, NR_SHMEM, delta);
}

/*
 * The page cache's stores go through one cursor with workingset's node
 * tracker (a leaf holding only shadow entries is on its list).  Replaces
 * what is at index if it is old (a page, a shadow, or NULL): the entry
 * that was there, or an XA_ERROR; clears the slot's marks when a page
 * becomes a shadow.
 */
static void *page_cache_replace(struct address_space *as, pgoff_t index, void *old, void *entry)
{
	XA_STATE(xas, &as->i_pages, index);
	void *curr;

	xas_set_update(&xas, workingset_update_node);
	do {
		xas_lock(&xas);
		curr = xas_load(&xas);
		if (curr == old || (!old && xa_is_value(curr))) {
			if (xa_is_value(entry) || !entry) {
				xas_clear_mark(&xas, PAGECACHE_TAG_DIRTY);
				xas_clear_mark(&xas, PAGECACHE_TAG_WRITEBACK);
				xas_clear_mark(&xas, PAGECACHE_TAG_TOWRITE);
			}
			xas_store(&xas, entry);
		}
		xas_unlock(&xas);
	} while (xas_nomem(&xas, GFP_KERNEL));
	return xas_error(&xas) ? XA_ERROR(xas_error(&xas)) : curr;
}

/*
 * Puts page at index into the cache (which holds the page's reference):
 * in an empty slot or over a shadow entry, which *shadowp gets (NULL if
 * none).  -EEXIST if a page is there, -ENOMEM.
 */
static int page_cache_insert(struct address_space *as, struct page *page, pgoff_t index,
			     void **shadowp)
{
	void *old;

	page->mapping = as;
	page->index = index;
	if (as->host->i_shmem)
		__SetPageSwapBacked(page);	/* shmem lives on the anon lists */
	old = page_cache_replace(as, index, NULL, page);
	if (xa_is_err(old) || (old && !xa_is_value(old))) {
		page->mapping = NULL;
		return xa_is_err(old) ? xa_err(old) : -EEXIST;
	}
	if (shadowp && old && !*shadowp)
		*shadowp = old;
	as->nrpages++;
	count_cache_page(as, 1);
	return 0;
}

/* A new page at index, not yet uptodate (zeroed for a file without a disk). */
static struct page *page_cache_alloc_add(struct address_space *as, pgoff_t index)
{
	gfp_t gfp = GFP_HIGHUSER_MOVABLE | (as->a_ops ? 0 : __GFP_ZERO);
	struct page *page = __alloc_pages(kmm_cur(), gfp, 0);

	void *shadow = NULL;

	if (!page)
		return NULL;
	if (page_cache_insert(as, page, index, &shadow)) {
		__free_pages(page, 0);
		return NULL;
	}
	if (!as->a_ops)
		SetPageUptodate(page);
	if (shadow)
		workingset_refault(page, shadow);
	folio_add_lru(page);
	return page;
}

/* The flags a page-cache page may carry that the allocator must not see. */
#define CACHE_PAGE_FLAGS	(1ul << PG_uptodate | 1ul << PG_referenced | \
				 1ul << PG_readahead | 1ul << PG_dirty)

/* Drops a page the cache holds, mapped or not (mapped ones live on). */
static void release_cache_page(struct address_space *as, struct page *page)
{
	if (PagePrivate(page) && as->a_ops && as->a_ops->invalidate_folio)
		as->a_ops->invalidate_folio(page);	/* its buffers go first */
	count_cache_page(as, -1);
	if (PageDirty(page)) {
		folio_account_cleaned(page);
		if (mapping_can_writeback(as))
			task_io_account_cancelled_write(get_current(), PAGE_SIZE);
	}
	if (page_mapcount(page) == 0)
		page->mapping = NULL;	/* the free checks it */
	if (PageTail(page))
		page->flags &= ~CACHE_PAGE_FLAGS;	/* the free checks only the head */
	put_page(page);
}

/*
 * A large folio (a compound page of order > 0, readahead's) is cached
 * page by page: each subpage at its own index, each holding one of the
 * cache's references on the head.  Flags that Linux keeps per folio
 * (uptodate, readahead) are on the head; dirty and writeback stay per
 * page (docs/filemap.md).
 */
/*
 * Takes the whole folio holding page out of the cache
 * (filemap_remove_folio); a folio leaves the cache whole.
 */
static void __page_cache_delete(struct address_space *as, struct page *page, void *shadow)
{
	struct page *head = compound_head(page);
	unsigned long i, nr = folio_nr_pages(head);
	pgoff_t index = head->index;

	for (i = 0; i < nr; i++) {
		if (page_cache_replace(as, index + i, head + i, shadow) != head + i)
			continue;
		as->nrpages--;
		release_cache_page(as, head + i);
	}
}

static void page_cache_delete(struct address_space *as, struct page *page)
{
	__page_cache_delete(as, page, NULL);
}

void filemap_remove_folio(struct address_space *as, struct page *folio)
{
	page_cache_delete(as, folio);
}

/*
 * A new folio of 2^order pages at index, not uptodate: -EEXIST if one of
 * its pages is cached (nothing is added), -ENOMEM.  Readahead asks for
 * orders that index is aligned to.
 */
int filemap_add_folio(struct address_space *as, pgoff_t index, unsigned int order,
		      struct page **folio)
{
	gfp_t gfp = GFP_HIGHUSER_MOVABLE | __GFP_NOWARN | (order ? __GFP_COMP | __GFP_NORETRY : 0);
	unsigned long i, nr = 1ul << order;
	void *shadow = NULL;
	struct page *head;

	for (i = 0; i < nr; i++)
		if (find_get_page(as, index + i))
			return -EEXIST;
	head = __alloc_pages(kmm_cur(), gfp, order);
	if (!head)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		if (i)
			get_page(head);
		if (page_cache_insert(as, head + i, index + i, &shadow)) {
			while (i--)
				page_cache_delete(as, head + i);
			put_page(head);
			return -ENOMEM;
		}
	}
	if (shadow)
		workingset_refault(head, shadow);
	folio_add_lru(head);
	*folio = head;
	return 0;
}

/*
 * Reads n new pages of consecutive index in one disk request; on an
 * error their folios leave the cache again.
 */
int filemap_read_folios(struct address_space *as, struct page **run, unsigned int n)
{
	struct kmm *k = kmm_cur();
	int err = as->a_ops->readahead(as, run, n);
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (err)
			page_cache_delete(as, run[i]);
		else
			SetPageUptodate(run[i]);
	}
	if (!err) {
		__count_vm_events(k, smp_processor_id(k), PGPGIN, (long)n << (PAGE_SHIFT - 9));
		task_io_account_read(k->current, (size_t)n << PAGE_SHIFT);
	}
	return err;
}

/*
 * Reads nr pages from index on: those already cached are skipped, each run
 * of missing ones (up to MAX_IO_PAGES, the disk's max_sectors_kb) is
 * allocated and read in one disk request.  Returns the pages read from
 * the disk, or -errno (-ENOMEM, or the disk's: the failed run's pages
 * leave the cache again).
 */
long page_cache_read_range(struct address_space *as, pgoff_t index, unsigned long nr)
{
	struct page *run[MAX_IO_PAGES];
	pgoff_t idx = index, end = index + nr;
	long done = 0;
	int err = 0;

	while (idx < end && !err) {
		unsigned int n = 0;

		while (idx < end && find_get_page(as, idx))
			idx++;
		while (idx < end && n < MAX_IO_PAGES && !find_get_page(as, idx)) {
			struct page *page = page_cache_alloc_add(as, idx);

			if (!page) {
				err = -ENOMEM;
				break;
			}
			run[n++] = page;
			idx++;
		}
		if (!n || !as->a_ops)
			continue;	/* no disk: zeroed already */
		if (filemap_read_folios(as, run, n))
			return done ? done : -EIO;
		done += n;
	}
	return err && !done ? err : done;
}

/*
 * The page at index for a fault, from the cache or the disk (*major: it
 * had to be read, a major fault).  The caller gets no extra reference:
 * the cache holds the page while the inode lives, and mapping it takes
 * one more.
 */
struct page *filemap_fault_page(struct address_space *as, pgoff_t index, bool *major)
{
	struct page *page = find_get_page(as, index);
	long r;

	*major = false;
	if (page)
		return page;
	if (!as->a_ops)
		return page_cache_alloc_add(as, index);
	r = page_cache_read_range(as, index, 1);
	if (r < 0)
		return ERR_PTR(r);
	*major = true;
	return find_get_page(as, index);
}

/* filemap_fault_page with a reference for the caller to drop. */
static struct page *filemap_fault_page_get(struct address_space *as, pgoff_t index, bool *major)
{
	struct page *page = filemap_fault_page(as, index, major);

	if (page && !IS_ERR(page))
		get_page(page);
	return page;
}

/* ---- mmap read-around ---------------------------------------------------- */

/* Faults that missed more than this, net of hits: no more read-around. */
#define MMAP_LOTSAMISS	100

/*
 * A fault missed the cache (do_sync_mmap_readahead): VM_RAND_READ reads
 * nothing ahead, VM_SEQ_READ reads as a sequential read would, else a
 * window of ra_pages centred on the fault, its last quarter async, unless
 * this file's faults mostly miss.
 */
static void do_sync_mmap_readahead(struct file *file, unsigned long vm_flags, pgoff_t index)
{
	struct file_ra_state *ra = &file->f_ra;
	DEFINE_READAHEAD(rac, file, ra, &file->f_inode->i_data, index);

	if ((vm_flags & (VM_RAND_READ | VM_EXEC)) == VM_RAND_READ || !ra->ra_pages)
		return;
	if (vm_flags & VM_SEQ_READ) {
		page_cache_sync_ra(&rac, ra->ra_pages);
		readahead_done(&rac);
		return;
	}
	if (ra->mmap_miss < MMAP_LOTSAMISS * 10)
		ra->mmap_miss++;
	if (ra->mmap_miss > MMAP_LOTSAMISS)
		return;
	ra->start = index > ra->ra_pages / 2 ? index - ra->ra_pages / 2 : 0;
	ra->size = ra->ra_pages;
	ra->async_size = ra->ra_pages / 4;
	ra->order = 0;
	rac._index = ra->start;
	page_cache_ra_order(&rac, ra);
	readahead_done(&rac);
}

/* A fault hit the cache (do_async_mmap_readahead): at a marker, read on. */
static void do_async_mmap_readahead(struct file *file, unsigned long vm_flags, struct page *page)
{
	struct file_ra_state *ra = &file->f_ra;
	struct page *folio = compound_head(page);

	if ((vm_flags & VM_RAND_READ) || !ra->ra_pages)
		return;
	if (ra->mmap_miss)
		ra->mmap_miss--;
	if (PageReadahead(folio)) {
		DEFINE_READAHEAD(rac, file, ra, &file->f_inode->i_data, page->index);

		page_cache_async_ra(&rac, folio, ra->ra_pages);
		readahead_done(&rac);
	}
}

struct page *filemap_fault(struct file *file, unsigned long vm_flags, pgoff_t index,
			   bool *major)
{
	struct address_space *as = &file->f_inode->i_data;
	struct page *page = find_get_page(as, index);

	*major = false;
	if (page) {
		get_page(page);		/* readahead may reclaim: hold it */
		do_async_mmap_readahead(file, vm_flags, page);
		return page;
	}
	if (!as->a_ops)
		return filemap_fault_page_get(as, index, major);
	do_sync_mmap_readahead(file, vm_flags, index);
	page = find_get_page(as, index);
	if (!page)
		return filemap_fault_page_get(as, index, major);
	get_page(page);
	*major = true;
	return page;
}

/* filemap_map_pages: each page fault-around mapped counts as a hit. */
void filemap_map_pages_hit(struct file *file, unsigned long nr)
{
	struct file_ra_state *ra = &file->f_ra;

	ra->mmap_miss = nr >= ra->mmap_miss ? 0 : (unsigned short)(ra->mmap_miss - nr);
}

struct page *filemap_get_page(struct address_space *as, pgoff_t index)
{
	bool major;
	struct page *page = filemap_fault_page(as, index, &major);

	return IS_ERR(page) ? NULL : page;
}

/*
 * Drops the cache's pages in [start, end) (shmem's hole punch); pages
 * still mapped somewhere live until their last PTE goes.  end ~0: all.
 */
void truncate_inode_pages_range(struct address_space *as, pgoff_t start, pgoff_t end)
{
	unsigned long index;
	struct page *page;

	if (xa_empty(&as->i_pages) || end <= start)
		return;
	xa_for_each_range(&as->i_pages, index, page, start, end - 1) {
		struct page *head;

		if (xa_is_value(page)) {	/* a shadow: the page is gone for good */
			page_cache_replace(as, index, page, NULL);
			continue;
		}
		head = compound_head(page);
		folio_wait_writeback(page);	/* its write must finish first */
		if (head->index < start || head->index + folio_nr_pages(head) > end) {
			/* Part of a large folio: it stays, that part zeroed. */
			memset(page_address(page), 0, PAGE_SIZE);
			continue;
		}
		page_cache_delete(as, page);
	}
	if (!as->nrdirty && as->host)
		inode_io_list_del(as->host);	/* nothing left for the flusher */
	/* As folio_batch_release does: a page the cache let go that waits
	 * in this CPU's LRU batch is freed now, not at the next drain. */
	lru_add_drain();
}

void truncate_inode_pages_final(struct address_space *as)
{
	truncate_inode_pages_range(as, 0, ~0ul);
	xa_destroy(&as->i_pages);
}

/* ---- dirty pages ------------------------------------------------------ */

/* A file whose dirty pages go to a disk (mapping_can_writeback). */
bool mapping_can_writeback(const struct address_space *as)
{
	return as && as->a_ops && as->a_ops->writepages;
}

/*
 * folio_mark_dirty: the page holds data its disk does not have yet.  The
 * first time counts it in NR_DIRTY and nr_dirtied (for a file that has a
 * disk; shmem's pages are dirty but never written back).
 */
static bool __set_page_dirty(struct page *page, bool dirtied)
{
	struct address_space *as = page->mapping;
	struct kmm *k = kmm_cur();

	if (PageDirty(page))
		return false;
	SetPageDirty(page);
	if (mapping_can_writeback(as)) {
		xa_set_mark(&as->i_pages, page->index, PAGECACHE_TAG_DIRTY);
		mod_node_page_state(k, NR_DIRTY, 1);
		as->nrdirty++;
		if (dirtied) {
			mod_node_page_state(k, NR_DIRTIED, 1);
			k->mem->wb.nr_dirtied++;	/* the writer's ratelimit */
			task_io_account_write(k->current, PAGE_SIZE);
		}
		__mark_inode_dirty(as->host);
	}
	return true;
}

bool set_page_dirty(struct page *page)
{
	return __set_page_dirty(page, true);
}

/* folio_redirty_for_writepage: Linux takes the page's nr_dirtied back. */
void folio_redirty_for_writepage(struct page *page)
{
	__set_page_dirty(page, false);
}

/* The page is clean again (written, or dropped dirty by truncate). */
void folio_account_cleaned(struct page *page)
{
	ClearPageDirty(page);
	if (mapping_can_writeback(page->mapping)) {
		xa_clear_mark(&page->mapping->i_pages, page->index, PAGECACHE_TAG_DIRTY);
		mod_node_page_state(kmm_cur(), NR_DIRTY, -1);
		page->mapping->nrdirty--;
	}
}

/*
 * Up to max pages of [start, end] marked tag (PAGECACHE_TAG_*), in index
 * order, into pages; returns how many (find_get_pages_range_tag).
 */
unsigned long find_get_pages_tag(struct address_space *as, pgoff_t start, pgoff_t end,
				 xa_mark_t tag, struct page **pages, unsigned long max)
{
	unsigned long n = 0, index = start;
	struct page *page;

	if (!max || end < start)
		return 0;
	for (page = xa_find(&as->i_pages, &index, end, tag); page;
	     page = xa_find_after(&as->i_pages, &index, end, tag)) {
		pages[n++] = page;
		if (n == max)
			break;
	}
	return n;
}

/*
 * tag_pages_for_writeback: a sync pass first marks the pages dirty now
 * TOWRITE and then writes only those, so pages dirtied while it runs
 * cannot keep it going forever.
 */
void tag_pages_for_writeback(struct address_space *as, pgoff_t start, pgoff_t end)
{
	unsigned long index;
	struct page *page;

	xa_for_each_range(&as->i_pages, index, page, start, end)
		if (xa_get_mark(&as->i_pages, index, PAGECACHE_TAG_DIRTY))
			xa_set_mark(&as->i_pages, index, PAGECACHE_TAG_TOWRITE);
}

/* ---- read(2) and write(2) ----------------------------------------------- */

/* The largest file offset (MAX_LFS_FILESIZE on 64-bit). */
#define MAX_LFS_FILESIZE	((long long)LONG_MAX)

/*
 * The page at index for a read whose pages end before last_index
 * (filemap_get_pages): a miss starts synchronous readahead, a folio
 * marked PG_readahead the next window.  NULL with *err on failure.
 */
static struct page *filemap_get_read_page(struct file *f, pgoff_t index, pgoff_t last_index,
					  long *err)
{
	struct address_space *as = &f->f_inode->i_data;
	struct page *page = find_get_page(as, index), *folio;

	*err = 0;
	if (!page && as->a_ops) {
		/* A failed request is not retried: the disk said EIO. */
		*err = page_cache_sync_readahead(as, &f->f_ra, f, index, last_index - index);
		page = find_get_page(as, index);
		if (!page && *err)
			return NULL;
	}
	if (!page) {
		long r = page_cache_read_range(as, index, 1);

		page = r < 0 ? NULL : find_get_page(as, index);
		if (!page)
			*err = r < 0 ? r : -ENOMEM;
		else
			get_page(page);
		return page;
	}
	folio = compound_head(page);
	get_page(page);		/* async readahead may reclaim: hold it */
	if (PageReadahead(folio))
		page_cache_async_readahead(as, &f->f_ra, f, folio, last_index - folio->index);
	return page;
}

/*
 * pread(2) through the cache: len bytes at pos into buf, stopping at EOF.
 * Returns the bytes copied, or -errno when none could be (-EIO: the disk
 * failed).  prev_pos, where it ended, tells the next read's readahead
 * whether it is sequential.
 */
/*
 * Did the previous read end in folio?  Then this read continuing it does
 * not count as a second use (small sequential reads would otherwise
 * activate every page they cross twice).
 */
static bool pos_same_folio(long long pos, const struct page *folio)
{
	pgoff_t index = (pgoff_t)pos >> PAGE_SHIFT;

	return pos >= 0 && index >= folio->index && index < folio->index + folio_nr_pages(folio);
}

long filemap_read(struct file *f, long long pos, void *buf, size_t len)
{
	struct inode *inode = f->f_inode;
	struct page *last_folio = NULL;
	size_t done = 0;
	pgoff_t last_index;

	if (pos >= inode->i_size || !len)
		return 0;
	len = (size_t)min((long long)len, inode->i_size - pos);
	last_index = (pgoff_t)((pos + (long long)len + PAGE_SIZE - 1) >> PAGE_SHIFT);
	while (done < len) {
		pgoff_t index = (pgoff_t)((pos + (long long)done) >> PAGE_SHIFT);
		size_t off = (size_t)((pos + (long long)done) & ~PAGE_MASK);
		size_t n = min(len - done, PAGE_SIZE - off);
		long err;
		struct page *page = filemap_get_read_page(f, index, last_index, &err);

		if (!page)
			return done ? (long)done : err;
		memcpy((char *)buf + done, (char *)page_address(page) + off, n);
		if (compound_head(page) != last_folio) {
			last_folio = compound_head(page);
			if (done || !pos_same_folio(f->f_ra.prev_pos - 1, last_folio))
				folio_mark_accessed(last_folio);
		}
		put_page(page);
		done += n;
	}
	f->f_ra.prev_pos = pos + (long long)done;
	return (long)done;
}

/*
 * The page a write of [off, off + n) at index lands in.  One the write
 * covers only in part must first hold the file's bytes, unless none of
 * the page lies below EOF (then zeros are right).
 */
static struct page *write_begin(struct address_space *as, pgoff_t index, size_t off, size_t n,
				long *err)
{
	long long page_pos = (long long)index << PAGE_SHIFT;
	struct page *page = find_get_page(as, index);

	*err = 0;
	if (page)
		return page;
	if ((off || n < PAGE_SIZE) && page_pos < as->host->i_size && as->a_ops) {
		*err = page_cache_read_range(as, index, 1);
		if (*err < 0)
			return NULL;
		return find_get_page(as, index);
	}
	page = page_cache_alloc_add(as, index);
	if (!page) {
		*err = -ENOMEM;
		return NULL;
	}
	if (as->a_ops) {
		memset(page_address(page), 0, PAGE_SIZE);
		SetPageUptodate(page);
	}
	return page;
}

/*
 * pwrite(2) into the cache: each page is brought in (write_begin), the
 * bytes copied, the page marked dirty; i_size grows past the last byte.
 * Returns the bytes written or -errno (-EFBIG past the largest offset).
 */
long generic_perform_write(struct file *f, long long pos, const void *buf, size_t len)
{
	struct inode *inode = f->f_inode;
	struct address_space *as = &inode->i_data;
	size_t done = 0;

	if (pos >= MAX_LFS_FILESIZE)
		return -EFBIG;
	len = (size_t)min((long long)len, MAX_LFS_FILESIZE - pos);
	while (done < len) {
		pgoff_t index = (pgoff_t)((pos + (long long)done) >> PAGE_SHIFT);
		size_t off = (size_t)((pos + (long long)done) & ~PAGE_MASK);
		size_t n = min(len - done, PAGE_SIZE - off);
		long err = 0;
		struct page *page = NULL;

		if (as->a_ops && as->a_ops->write_begin)
			err = as->a_ops->write_begin(as, pos + (long long)done, n);
		if (!err)
			page = write_begin(as, index, off, n, &err);
		if (!page)
			return done ? (long)done : err;
		memcpy((char *)page_address(page) + off, (const char *)buf + done, n);
		set_page_dirty(page);
		done += n;
		if (pos + (long long)done > inode->i_size)
			inode->i_size = pos + (long long)done;
		balance_dirty_pages_ratelimited(as);
	}
	return (long)done;
}

/* ---- truncate --------------------------------------------------------- */

/*
 * The file is now newsize bytes: pages wholly past it leave every mapping
 * and the cache; the part of the last page past EOF is zeroed, so that
 * growing the file again reads zeros there (truncate_pagecache).
 */
void truncate_pagecache(struct inode *inode, long long newsize)
{
	struct address_space *as = &inode->i_data;
	pgoff_t first = (pgoff_t)((newsize + PAGE_SIZE - 1) >> PAGE_SHIFT);
	size_t off = (size_t)(newsize & ~PAGE_MASK);
	struct page *page;

	unmap_mapping_range(as, first, ~0ul);
	truncate_inode_pages_range(as, first, ~0ul);
	page = off ? find_get_page(as, (pgoff_t)(newsize >> PAGE_SHIFT)) : NULL;
	if (page)
		memset((char *)page_address(page) + off, 0, PAGE_SIZE - off);
}

/* ---- fadvise(DONTNEED) and cachestat ------------------------------------ */

/*
 * filemap_release_folio: a page with private data (buffer heads) keeps it
 * unless its filesystem lets go of it (try_to_free_buffers).
 */
bool filemap_release_folio(struct page *head)
{
	const struct address_space_operations *a_ops = head->mapping->a_ops;

	if (!PagePrivate(head))
		return true;
	return a_ops && a_ops->release_folio && a_ops->release_folio(head);
}

/* May this folio leave the cache now: clean, not under writeback, unmapped. */
static bool folio_can_invalidate(struct page *head)
{
	unsigned long i, nr = folio_nr_pages(head);

	for (i = 0; i < nr; i++)
		if (PageDirty(head + i) || PageWriteback(head + i) || page_mapcount(head + i))
			return false;
	return filemap_release_folio(head);
}

/*
 * invalidate_mapping_pages (mapping_try_invalidate): the clean, unmapped
 * folios lying wholly in [start, end] leave the cache; returns the pages
 * dropped.  Dirty, mapped or partly covered folios stay.
 */
unsigned long invalidate_mapping_pages(struct address_space *as, pgoff_t start, pgoff_t end)
{
	unsigned long index, dropped = 0;
	struct page *page;

	if (xa_empty(&as->i_pages) || end < start)
		return 0;
	xa_for_each_range(&as->i_pages, index, page, start, end) {
		struct page *head;
		unsigned long nr;

		if (xa_is_value(page)) {	/* clear_shadow_entries, as Linux 6.x */
			page_cache_replace(as, index, page, NULL);
			continue;
		}
		head = compound_head(page);
		nr = folio_nr_pages(head);
		if (head->index < start || head->index + nr - 1 > end ||
		    !folio_can_invalidate(head))
			continue;
		page_cache_delete(as, head);
		dropped += nr;
	}
	lru_add_drain();		/* as truncate: see there */
	return dropped;
}

/*
 * __remove_mapping: reclaim's isolated folio leaves the cache if the cache
 * and the isolation hold its only references (nobody looked it up since)
 * and it is still clean and unmapped.  The isolation reference is the
 * caller's to drop: the last one, so the folio is freed.
 */
bool remove_mapping(struct address_space *as, struct page *folio)
{
	unsigned long nr = folio_nr_pages(folio);

	if (page_ref_count(folio) != (int)nr + 1 || !folio_can_invalidate(folio))
		return false;
	__page_cache_delete(as, folio, workingset_eviction(folio));
	return true;
}

/*
 * cachestat over pages [first, last]: what is cached, dirty, under
 * writeback; and evicted, from the shadow entries reclaim left, recently
 * if the refault would count as recent (workingset_test_recent).
 */
void filemap_cachestat(struct address_space *as, pgoff_t first, pgoff_t last,
		       struct cachestat *cs)
{
	unsigned long index;
	struct page *page;

	memset(cs, 0, sizeof(*cs));
	if (xa_empty(&as->i_pages))
		return;
	xa_for_each_range(&as->i_pages, index, page, first, last) {
		bool workingset;

		if (xa_is_value(page)) {
			cs->nr_evicted++;
			if (workingset_test_recent(page, !as->host->i_shmem, &workingset))
				cs->nr_recently_evicted++;
			continue;
		}
		cs->nr_cache++;
		cs->nr_dirty += PageDirty(page);
		cs->nr_writeback += PageWriteback(page);
	}
}

/*
 * cachestat(2): flags must be 0; len 0 means to the end of the file.
 * -EBADF for a bad fd, -EINVAL for flags.
 */
long ksys_cachestat(struct task_struct *t, int fd, unsigned long long off,
		    unsigned long long len, struct cachestat *cs, unsigned int flags)
{
	struct file *f = fget_raw(t->files, fd);
	pgoff_t first = (pgoff_t)(off >> PAGE_SHIFT), last;

	if (!f)
		return -EBADF;
	if (flags)
		return -EINVAL;
	if (!len || off + len < off || ((off + len - 1) >> PAGE_SHIFT) > ~0ul)
		last = ~0ul;
	else
		last = (pgoff_t)((off + len - 1) >> PAGE_SHIFT);
	filemap_cachestat(&f->f_inode->i_data, first, last, cs);
	return 0;
}
