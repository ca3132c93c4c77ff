/*
 * mm/page-writeback.c - writing dirty page-cache pages back to their disk.
 *
 * A pass takes the dirty pages of a range in index order, cuts them into
 * runs of consecutive pages (at most MAX_IO_PAGES each) and writes each
 * run in one request: the pages lose PG_dirty and gain PG_writeback
 * (NR_DIRTY -> NR_WRITEBACK) before the write, and lose PG_writeback when
 * it completes (nr_written, pgpgout).  A mapped page is write-protected
 * first (page_mkclean), so the next store through a mapping faults and
 * dirties it again.
 *
 * The disk completes a request before the call returns (hw/disk.c moves
 * the clock by its cost), so "wait" has nothing left to wait for.  A
 * failed write leaves its pages dirty and records AS_EIO (or AS_ENOSPC)
 * in the address_space, which the next fsync reports once, as Linux's
 * mapping_set_error and filemap_check_errors do.
 */
#include <errno.h>
#include <kmm/pagemap.h>
#include "mm/internal.h"
#include "base/smp.h"

static void mapping_set_error(struct address_space *as, int err)
{
	__atomic_fetch_or(&as->flags, 1ul << (err == -ENOSPC ? AS_ENOSPC : AS_EIO), __ATOMIC_RELAXED);
}

int filemap_check_errors(struct address_space *as)
{
	unsigned long f = __atomic_fetch_and(&as->flags, ~(1ul << AS_EIO | 1ul << AS_ENOSPC),
					     __ATOMIC_RELAXED);

	if (f & (1ul << AS_ENOSPC))
		return -ENOSPC;
	return f & (1ul << AS_EIO) ? -EIO : 0;
}

/* One request for pages[0..n), consecutive in index. */
static int write_run(struct kmm *k, struct address_space *as, struct page **pages,
		     unsigned int n)
{
	unsigned int i;
	int err;

	for (i = 0; i < n; i++) {
		page_mkclean(pages[i]);
		folio_account_cleaned(pages[i]);
		xa_clear_mark(&as->i_pages, pages[i]->index, PAGECACHE_TAG_TOWRITE);
		SetPageWriteback(pages[i]);
		xa_set_mark(&as->i_pages, pages[i]->index, PAGECACHE_TAG_WRITEBACK);
		mod_node_page_state(k, NR_WRITEBACK, 1);
	}
	err = as->a_ops->writepages(as, pages, n);
	for (i = 0; i < n; i++) {
		ClearPageWriteback(pages[i]);
		xa_clear_mark(&as->i_pages, pages[i]->index, PAGECACHE_TAG_WRITEBACK);
		mod_node_page_state(k, NR_WRITEBACK, -1);
		if (err)
			set_page_dirty(pages[i]);	/* still to be written */
	}
	if (err) {
		mapping_set_error(as, err);
		return err;
	}
	mod_node_page_state(k, NR_WRITTEN, n);
	__count_vm_events(k, smp_processor_id(k), PGPGOUT, (long)n << (PAGE_SHIFT - 9));
	return 0;
}

/*
 * write_cache_pages: a sync pass (fsync, sync) writes what is dirty when
 * it starts, found by the TOWRITE tag it sets first; a background pass
 * (the flusher) walks the DIRTY tag.
 */
static int write_cache_pages(struct address_space *as, long long start, long long end, bool sync)
{
	struct kmm *k = kmm_cur();
	struct page *pages[MAX_IO_PAGES];
	pgoff_t idx = (pgoff_t)(start >> PAGE_SHIFT), last;
	xa_mark_t tag = sync ? PAGECACHE_TAG_TOWRITE : PAGECACHE_TAG_DIRTY;
	int ret = 0;

	if (!mapping_can_writeback(as) || end < start)
		return 0;
	last = (pgoff_t)(end >> PAGE_SHIFT);
	if (sync)
		tag_pages_for_writeback(as, idx, last);
	for (;;) {
		unsigned long n = find_get_pages_tag(as, idx, last, tag, pages, MAX_IO_PAGES), i, run;

		if (!n)
			break;
		for (i = 0; i < n; i += run) {
			int err;

			for (run = 1; i + run < n && pages[i + run]->index == pages[i]->index + run; run++)
				;
			err = write_run(k, as, pages + i, (unsigned int)run);
			if (err && !ret)
				ret = err;
		}
		if (pages[n - 1]->index >= last)
			break;
		idx = pages[n - 1]->index + 1;	/* pages that failed stay behind */
	}
	return ret;
}

int filemap_fdatawrite_range(struct address_space *as, long long start, long long end)
{
	return write_cache_pages(as, start, end, true);
}

int filemap_write_and_wait_range(struct address_space *as, long long start, long long end)
{
	int err = filemap_fdatawrite_range(as, start, end), err2 = filemap_check_errors(as);

	return err2 ? err2 : err;
}
