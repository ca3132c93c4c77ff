/*
 * mm/page_io.c - swap I/O: a swap-cache page written to its slot and read
 * back (Linux's mm/page_io.c).  Slot N of an area is page N of its file;
 * the file's filesystem moves the page (a_ops->swap_rw, Linux's SWP_FS_OPS
 * path: swap_writepage_fs, swap_read_folio_fs) on the simulated disk, so
 * swap costs simulated time and shows in /proc/diskstats.
 *
 * A write is writeback as the page cache's is: PG_writeback and
 * NR_WRITEBACK from the request to its completion, which for a queued
 * write (reclaim's, WB_SYNC_NONE) is a timer at the time the disk
 * finishes it (end_page_writeback).  pswpout and pgpgout count it when it
 * is sent, as Linux counts a bio.  A write the disk fails leaves the page
 * dirty, to be written again or kept; the area counts it and says so
 * once, as Linux's "Write-error on swap-device (MAJ:MIN:SECTOR)", whose
 * sector here is the slot's place in the file.  Reads wait for the disk
 * (Linux's synchronous swap-in); a failed one leaves the page not
 * uptodate (do_swap_page then gives SIGBUS).
 *
 * Not here yet: zero-filled pages written as a bit (swpout_zero), zswap,
 * batching writes with a plug (swap_iocb), readahead of neighbouring slots.
 */
#include <errno.h>
#include <kmm/blkdev.h>
#include <kmm/fs.h>
#include <kmm/slab.h>
#include <kmm/timer.h>
#include "mm/swap.h"

/* A queued swap write: its page stays PG_writeback until the timer. */
struct swap_write_request {
	struct timer_list timer;
	struct page *page;
};

static void count_vm_event_n(struct kmm *k, enum vm_event_item item, long n)
{
	__count_vm_events(k, smp_processor_id(k), item, n);
}

/* The first error of a kind on si is reported; each one is counted. */
static void swap_io_error(struct kmm *k, struct swap_info_struct *si, struct page *page,
			  bool write)
{
	unsigned long *nr = write ? &si->nr_write_errors : &si->nr_read_errors;
	unsigned int dev = si->bdev ? si->bdev->bd_dev : si->swap_file->f_inode->i_dev;

	if (__atomic_fetch_add(nr, 1, __ATOMIC_RELAXED))
		return;
	kmm_report(k, "%s-error on swap-device (%u:%u:%llu)\n", write ? "Write" : "Read",
		   MAJOR(dev), MINOR(dev),
		   (unsigned long long)swp_offset(page_swap_entry(page)) << (PAGE_SHIFT - 9));
}

/* The write is over (end_swap_bio_write, then end_page_writeback). */
static void end_swap_write(struct kmm *k, struct page *page, int err)
{
	if (err) {
		/* Still to be written: dirty again, not to be freed now. */
		SetPageDirty(page);
		ClearPageReclaim(page);
		swap_io_error(k, swp_swap_info(page_swap_entry(page)), page, true);
	} else {
		mod_node_page_state(k, NR_WRITTEN, 1);
	}
	ClearPageWriteback(page);
	mod_node_page_state(k, NR_WRITEBACK, -1);
	/* Reclaim wrote it out: first in line to be freed now. */
	if (TestClearPageReclaim(page))
		folio_rotate_reclaimable(page);
}

static void swap_write_done(struct timer_list *t)
{
	struct swap_write_request *rq = from_timer(rq, t, timer);

	__atomic_fetch_sub(&t->k->mem->nr_swap_writeback, 1, __ATOMIC_RELAXED);
	end_swap_write(t->k, rq->page, 0);
	kfree(rq);
}

/* Moves page to or from its slot through the area's file: 0 or -errno. */
static int swap_rw(struct swap_info_struct *si, struct page *page, bool write,
		   unsigned long long *done)
{
	struct file *f = si->swap_file;
	long long pos = (long long)swp_offset(page_swap_entry(page)) << PAGE_SHIFT;

	return f->f_inode->i_data.a_ops->swap_rw(f, page, pos, write, done);
}

int swap_writepage(struct page *page, struct writeback_control *wbc)
{
	struct kmm *k = kmm_cur();
	struct swap_info_struct *si = get_swap_device(page_swap_entry(page));
	struct swap_write_request *rq = NULL;
	unsigned long long done;
	int err;

	if (!si)
		return -EINVAL;		/* reported: not a slot */
	SetPageWriteback(page);		/* folio_start_writeback */
	mod_node_page_state(k, NR_WRITEBACK, 1);
	count_vm_event_n(k, PSWPOUT, 1);
	count_vm_event_n(k, PGPGOUT, PAGE_SIZE >> 9);
	if (!wbc->sync_all)
		rq = kmalloc(sizeof(*rq), GFP_NOIO | __GFP_NOWARN);
	err = swap_rw(si, page, true, rq ? &done : NULL);
	if (!rq || err || done <= hw_clock_ns(k)) {
		/* Over already: waited for, failed at once, or done now. */
		end_swap_write(k, page, err);
		if (rq)
			err = 0;	/* queued: the caller learns from the page */
		kfree(rq);
	} else {
		rq->page = page;
		timer_setup(k, &rq->timer, swap_write_done);
		__atomic_fetch_add(&k->mem->nr_swap_writeback, 1, __ATOMIC_RELAXED);
		mod_timer(&rq->timer, done);
	}
	put_swap_device(si);
	return err;
}

int swap_read_folio(struct page *folio)
{
	struct kmm *k = kmm_cur();
	struct swap_info_struct *si = get_swap_device(page_swap_entry(folio));
	int err;

	if (!si)
		return -EINVAL;
	count_vm_event_n(k, PSWPIN, 1);
	count_vm_event_n(k, PGPGIN, PAGE_SIZE >> 9);
	err = swap_rw(si, folio, false, NULL);
	if (err) {
		ClearPageUptodate(folio);
		swap_io_error(k, si, folio, false);
	} else {
		SetPageUptodate(folio);
	}
	put_swap_device(si);
	return err;
}
