/*
 * mm/page-writeback.c - writing dirty page-cache pages back to their disk,
 * the flusher that does it in the background, and the limits that keep
 * dirty memory in bounds (Linux's mm/page-writeback.c with the flusher of
 * fs/fs-writeback.c and mm/backing-dev.c).
 *
 * A pass takes the dirty pages of a range in index order, cuts them into
 * runs of consecutive pages (at most MAX_IO_PAGES each) and writes each
 * run in one request: the pages lose PG_dirty and gain PG_writeback
 * (NR_DIRTY -> NR_WRITEBACK) before the write, and lose PG_writeback when
 * it completes (nr_written, pgpgout).  A mapped page is write-protected
 * first (page_mkclean), so the next store through a mapping faults and
 * dirties it again.
 *
 * A sync pass (fsync, msync, sync) waits for each request: the clock moves
 * to its end (hw/disk.c).  The flusher queues its requests instead: the
 * pages stay PG_writeback (meminfo's Writeback) until the simulated clock
 * reaches each request's completion, a timer, and fsync waits for them
 * (filemap_fdatawait_range).  A failed write leaves its pages dirty and records AS_EIO (or AS_ENOSPC)
 * in the address_space, which the next fsync reports once, as Linux's
 * mapping_set_error and filemap_check_errors do.
 *
 * The flusher.  An inode whose first page is dirtied joins the disk's
 * b_dirty list, stamped with dirtied_when; it leaves when a pass finds it
 * clean.  The flusher (wb_workfn) is a timer on the simulated clock: armed
 * dirty_writeback_centisecs after the first inode is dirtied and again
 * after each run while dirty inodes remain, or at once when a writer
 * crosses the background threshold.  A run writes everything if asked
 * (start_all), then down to the background threshold while above it, then
 * (the periodic "kupdate" pass) every inode dirtied more than
 * dirty_expire_centisecs ago, 1024 pages (MIN_WRITEBACK_PAGES) of an inode
 * at a time, round robin.
 *
 * Throttling (balance_dirty_pages).  Every nr_dirtied_pause pages a writer
 * checks the limits: above the background threshold it wakes the flusher;
 * at or below the freerun ceiling, halfway between the two thresholds, it
 * goes on; above the hard limit (dirty_ratio/dirty_bytes) it sleeps while
 * the flusher writes, which on this machine means the flusher runs now and
 * the writer's clock waits for its disk time.  Between the ceiling and the
 * limit Linux paces the writer by the disk's measured bandwidth; kmm lets it
 * run there (docs/filemap.md).
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <kmm/pagemap.h>
#include <kmm/slab.h>
#include <kmm/timer.h>
#include "mm/internal.h"
#include "hw/machine.h"
#include "base/smp.h"

/* The flusher writes an inode at most this many pages at a time (4 MiB). */
#define MIN_WRITEBACK_PAGES	(4096ul >> (PAGE_SHIFT - 10))
/* The longest a throttled writer sleeps before it looks again (HZ / 5). */
#define MAX_PAUSE_NS		200000000ull
#define CENTISECS_NS		10000000ull

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

/* The write of pages[0..n) is over: they leave writeback, clean or not. */
static void end_run(struct kmm *k, struct address_space *as, struct page **pages,
		    unsigned int n, int err)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		ClearPageWriteback(pages[i]);
		xa_clear_mark(&as->i_pages, pages[i]->index, PAGECACHE_TAG_WRITEBACK);
		mod_node_page_state(k, NR_WRITEBACK, -1);
		if (err)
			folio_redirty_for_writepage(pages[i]);	/* still to be written */
		/* Reclaim wanted it while it was dirty: first in line now. */
		if (PageReclaim(pages[i]) && !PageTail(pages[i])) {
			ClearPageReclaim(pages[i]);
			folio_rotate_reclaimable(pages[i]);
		}
	}
	if (err) {
		mapping_set_error(as, err);
		return;
	}
	mod_node_page_state(k, NR_WRITTEN, n);
	__count_vm_events(k, smp_processor_id(k), PGPGOUT, (long)n << (PAGE_SHIFT - 9));
}

/*
 * A write the disk has queued (a bio in flight): its pages stay
 * PG_writeback, and count in NR_WRITEBACK, until the simulated clock
 * reaches its completion; the inode is held until then.
 */
struct wb_request {
	struct timer_list timer;
	struct address_space *as;
	unsigned int n;
	struct page *pages[];
};

static void wb_request_done(struct timer_list *t)
{
	struct wb_request *rq = from_timer(rq, t, timer);

	end_run(t->k, rq->as, rq->pages, rq->n, 0);
	iput(rq->as->host);
	kfree(rq);
}

/*
 * One request for pages[0..n), consecutive in index.  async (the
 * flusher): queued, completing later in simulated time; else the caller
 * waits for it.
 */
static int write_run(struct kmm *k, struct address_space *as, struct page **pages,
		     unsigned int n, bool async)
{
	struct wb_request *rq = NULL;
	unsigned long long done;
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
	if (async)
		rq = kmalloc(sizeof(*rq) + n * sizeof(rq->pages[0]), GFP_NOIO | __GFP_NOWARN);
	err = as->a_ops->writepages(as, pages, n, rq ? &done : NULL);
	if (!rq || err || done <= hw_clock_ns(k)) {
		end_run(k, as, pages, n, err);	/* over already */
		kfree(rq);
		return err;
	}
	rq->as = as;
	rq->n = n;
	memcpy(rq->pages, pages, n * sizeof(pages[0]));
	as->host->i_count++;
	timer_setup(k, &rq->timer, wb_request_done);
	mod_timer(&rq->timer, done);
	return 0;
}

/*
 * folio_wait_writeback: the caller needs page out of writeback, so it
 * sleeps in simulated time until the disk has done the requests queued
 * before it (the flusher's, whose completions run on the way).
 */
void folio_wait_writeback(struct page *page)
{
	struct kmm *k = kmm_cur();

	while (PageWriteback(page) && !k->hw->running_timers) {
		unsigned long long now = hw_clock_ns(k), until = hw_disk_busy_until(k);

		hw_clock_sleep(k, until > now ? until - now : 0);
		if (until <= now)
			break;		/* nothing queued: a completion lost? do not spin */
	}
}

/* filemap_fdatawait_range: every page of [first, last] is out of writeback. */
static void fdatawait_range(struct address_space *as, pgoff_t first, pgoff_t last)
{
	struct page *page;
	unsigned long index = first;

	while ((page = xa_find(&as->i_pages, &index, last, PAGECACHE_TAG_WRITEBACK))) {
		folio_wait_writeback(page);
		if (PageWriteback(page))
			break;
		index = first;
	}
}

/*
 * Writes the dirty pages of [idx, last] in runs, at most wbc->nr_to_write;
 * returns the first error.  *next: the index after the last page looked at.
 */
static int write_range(struct kmm *k, struct address_space *as, pgoff_t idx, pgoff_t last,
		       struct writeback_control *wbc, pgoff_t *next)
{
	struct page *pages[MAX_IO_PAGES];
	int ret = 0;

	*next = idx;
	while (wbc->nr_to_write > 0) {
		unsigned long max = min((unsigned long)wbc->nr_to_write, (unsigned long)MAX_IO_PAGES);
		unsigned long n = find_get_pages_tag(as, idx, last, wbc->sync_all ?
						     PAGECACHE_TAG_TOWRITE : PAGECACHE_TAG_DIRTY,
						     pages, max), i, run;

		if (!n)
			break;
		for (i = 0; i < n; i += run) {
			int err;

			if (PageWriteback(pages[i])) {
				/* Dirtied again while its last write is in flight:
				 * a sync pass waits for it, the flusher leaves it. */
				run = 1;
				if (!wbc->sync_all)
					continue;
				folio_wait_writeback(pages[i]);
			}
			for (run = 1; i + run < n && pages[i + run]->index == pages[i]->index + run &&
				      !PageWriteback(pages[i + run]); run++)
				;
			err = write_run(k, as, pages + i, (unsigned int)run, !wbc->sync_all);
			if (err && !ret)
				ret = err;
			wbc->nr_to_write -= (long)run;
		}
		*next = pages[n - 1]->index + 1;
		if (pages[n - 1]->index >= last)
			break;
		idx = pages[n - 1]->index + 1;	/* pages that failed stay behind */
	}
	return ret;
}

/* The inode has no dirty page left: it leaves the flusher's list. */
static void inode_sync_complete(struct address_space *as)
{
	struct inode *inode = as->host;

	if (as->nrdirty || list_empty(&inode->i_io_list))
		return;
	list_del_init(&inode->i_io_list);
	inode->dirtied_when = 0;
}

void inode_io_list_del(struct inode *inode)
{
	list_del_init(&inode->i_io_list);
	inode->dirtied_when = 0;
}

/* One pass over as as wbc says (do_writepages): 0 or the first error. */
static int do_writepages(struct kmm *k, struct address_space *as, struct writeback_control *wbc)
{
	pgoff_t next;
	int ret;

	if (wbc->sync_all)
		tag_pages_for_writeback(as, wbc->first, wbc->last);
	if (!wbc->range_cyclic) {
		ret = write_range(k, as, wbc->first, wbc->last, wbc, &next);
	} else {
		pgoff_t start = as->writeback_index;

		ret = write_range(k, as, start, ~0ul, wbc, &next);
		if (wbc->nr_to_write > 0 && start) {
			int err = write_range(k, as, 0, start - 1, wbc, &next);

			ret = ret ? ret : err;
		}
		as->writeback_index = wbc->nr_to_write > 0 ? 0 : next;
	}
	inode_sync_complete(as);
	return ret;
}

int filemap_fdatawrite_range(struct address_space *as, long long start, long long end)
{
	struct writeback_control wbc = {
		.nr_to_write = LONG_MAX,
		.first = (pgoff_t)(start >> PAGE_SHIFT),
		.last = (pgoff_t)(end >> PAGE_SHIFT),
		.sync_all = true,
	};

	if (!mapping_can_writeback(as) || end < start)
		return 0;
	return do_writepages(kmm_cur(), as, &wbc);
}

int filemap_write_and_wait_range(struct address_space *as, long long start, long long end)
{
	int err = filemap_fdatawrite_range(as, start, end), err2;

	if (mapping_can_writeback(as) && end >= start)
		fdatawait_range(as, (pgoff_t)(start >> PAGE_SHIFT), (pgoff_t)(end >> PAGE_SHIFT));
	err2 = filemap_check_errors(as);

	return err2 ? err2 : err;
}

/* ---- the limits --------------------------------------------------------- */

/*
 * Memory that could hold dirty page cache (global_dirtyable_memory): free
 * pages less the reserves, plus the file LRU.  Until vmscan's LRU lists
 * exist the page cache outside shmem stands in for the file LRU, which is
 * what Linux's lists hold; shmem lives on the anon LRU.
 */
static unsigned long global_dirtyable_memory(struct kmm *k)
{
	struct pglist_data *node = &k->mem->node;
	unsigned long x = __global_zone_page_state(k, NR_FREE_PAGES);

	x -= min(x, k->mem->totalreserve_pages);
	x += node_page_state(node, NR_FILE_PAGES) - node_page_state(node, NR_SHMEM);
	return x + 1;		/* never 0 */
}

/*
 * domain_dirty_limits: dirty_bytes (in pages, rounded up) or dirty_ratio
 * of the dirtyable memory, the ratio taken per page for precision; the
 * same for the background threshold, which stays below half the limit.
 */
void global_dirty_limits(struct kmm *k, unsigned long *pbackground, unsigned long *pdirty)
{
	struct mm_machine *mm = k->mem;
	unsigned long avail = global_dirtyable_memory(k);
	unsigned long ratio = (unsigned long)mm->vm_dirty_ratio * PAGE_SIZE / 100;
	unsigned long bg_ratio = (unsigned long)mm->dirty_background_ratio * PAGE_SIZE / 100;
	unsigned long thresh, bg;

	if (mm->vm_dirty_bytes)
		thresh = DIV_ROUND_UP(mm->vm_dirty_bytes, PAGE_SIZE);
	else
		thresh = ratio * avail / PAGE_SIZE;
	if (mm->dirty_background_bytes)
		bg = DIV_ROUND_UP(mm->dirty_background_bytes, PAGE_SIZE);
	else
		bg = bg_ratio * avail / PAGE_SIZE;
	if (bg >= thresh)
		bg = thresh / 2;
	*pbackground = bg;
	*pdirty = thresh;
}

/* Pages dirty or being written: what the limits are compared with. */
static unsigned long global_dirty_pages(struct kmm *k)
{
	return node_page_state(&k->mem->node, NR_DIRTY) +
	       node_page_state(&k->mem->node, NR_WRITEBACK);
}

static bool wb_over_bg_thresh(struct kmm *k)
{
	unsigned long bg, thresh;

	global_dirty_limits(k, &bg, &thresh);
	return node_page_state(&k->mem->node, NR_DIRTY) > bg;
}

/* ---- the flusher -------------------------------------------------------- */

/* Pages written or on their way (queued writes count: they will be). */
static unsigned long written_or_in_flight(struct kmm *k)
{
	return node_page_state(&k->mem->node, NR_WRITTEN) +
	       node_page_state(&k->mem->node, NR_WRITEBACK);
}

static unsigned long long centisecs_ns(int cs)
{
	return (unsigned long long)cs * CENTISECS_NS;
}

/* The flusher runs dirty_writeback_centisecs from now, unless it would
 * already run earlier (queue_delayed_work never postpones). */
static void wb_wakeup_delayed(struct kmm *k, struct bdi_writeback *wb)
{
	unsigned long long at = hw_clock_ns(k) + centisecs_ns(k->mem->dirty_writeback_interval);

	if (!timer_pending(&wb->dwork) || wb->dwork.expires > at)
		mod_timer(&wb->dwork, at);
}

/* The flusher runs at the next point timers run (wb_wakeup). */
static void wb_wakeup(struct kmm *k, struct bdi_writeback *wb)
{
	mod_timer(&wb->dwork, hw_clock_ns(k));
}

/*
 * __mark_inode_dirty(I_DIRTY_PAGES): the inode's first dirty page puts it
 * on the flusher's list, stamped now; the first dirty inode arms the
 * flusher's periodic wakeup.
 */
void __mark_inode_dirty(struct inode *inode)
{
	struct kmm *k = kmm_cur();
	struct bdi_writeback *wb = &k->mem->wb;
	bool first;

	if (!list_empty(&inode->i_io_list))
		return;
	first = list_empty(&wb->b_dirty);
	inode->dirtied_when = hw_clock_ns(k);
	list_add_tail(&inode->i_io_list, &wb->b_dirty);
	if (first)
		wb_wakeup_delayed(k, wb);
}

struct wb_writeback_work {
	long nr_pages;			/* pages still to write */
	bool for_kupdate;		/* only inodes dirtied before the expiry */
	bool for_background;		/* only while above the background threshold */
};

/* Moves the inodes dirtied at or before dirtied_before onto io (queue_io). */
static void queue_io(struct bdi_writeback *wb, struct list_head *io,
		     unsigned long long dirtied_before)
{
	struct inode *inode, *tmp;

	list_for_each_entry_safe(inode, tmp, &wb->b_dirty, i_io_list)
		if (inode->dirtied_when <= dirtied_before)
			list_move_tail(&inode->i_io_list, io);
}

static bool wb_work_done(struct kmm *k, const struct wb_writeback_work *work)
{
	return work->nr_pages <= 0 || (work->for_background && !wb_over_bg_thresh(k));
}

/*
 * Writes a chunk of each queued inode in turn: one still dirty after its
 * chunk queues again behind the others.  Returns the pages written.
 */
static long writeback_inodes(struct kmm *k, struct bdi_writeback *wb, struct list_head *io,
			     struct wb_writeback_work *work)
{
	LIST_HEAD(more_io);
	long wrote = 0;

	while (!list_empty(io) && !wb_work_done(k, work)) {
		struct inode *inode = list_first_entry(io, struct inode, i_io_list);
		long chunk = min(work->nr_pages, (long)MIN_WRITEBACK_PAGES);
		struct writeback_control wbc = { .nr_to_write = chunk, .range_cyclic = true };
		unsigned long before = written_or_in_flight(k);

		list_move_tail(&inode->i_io_list, &more_io);
		do_writepages(k, &inode->i_data, &wbc);	/* errors: AS_EIO, for fsync */
		wrote += (long)(written_or_in_flight(k) - before);
		work->nr_pages -= chunk - wbc.nr_to_write;
	}
	/* What is still dirty goes back first on the list: it is the oldest. */
	list_splice(io, &wb->b_dirty);
	list_splice(&more_io, &wb->b_dirty);
	return wrote;
}

/* wb_writeback: rounds over the eligible inodes until the work is done or
 * a round writes nothing (every page left fails). */
static long wb_writeback(struct kmm *k, struct bdi_writeback *wb, struct wb_writeback_work *work)
{
	unsigned long long start = hw_clock_ns(k);
	long total = 0;

	while (!wb_work_done(k, work)) {
		unsigned long long now = hw_clock_ns(k), before = start;
		LIST_HEAD(io);
		long wrote;

		if (work->for_kupdate) {
			unsigned long long expire = centisecs_ns(k->mem->dirty_expire_interval);

			if (now < expire)
				break;		/* nothing is that old yet */
			before = now - expire;
		} else if (work->for_background)
			before = now;
		queue_io(wb, &io, before);
		if (list_empty(&io))
			break;
		wrote = writeback_inodes(k, wb, &io, work);
		if (!wrote)
			break;
		total += wrote;
	}
	return total;
}

/* The periodic pass: due every dirty_writeback_centisecs (wb_check_old_data_flush). */
static void wb_check_old_data_flush(struct kmm *k, struct bdi_writeback *wb)
{
	unsigned long long now = hw_clock_ns(k);
	int interval = k->mem->dirty_writeback_interval;
	struct wb_writeback_work work = { .for_kupdate = true };

	if (!interval || now < wb->last_old_flush + centisecs_ns(interval))
		return;
	wb->last_old_flush = now;
	work.nr_pages = (long)node_page_state(&k->mem->node, NR_DIRTY);
	if (work.nr_pages)
		wb_writeback(k, wb, &work);
}

/* The flusher's run (wb_workfn, wb_do_writeback). */
static void wb_workfn(struct timer_list *t)
{
	struct bdi_writeback *wb = from_timer(wb, t, dwork);
	struct kmm *k = t->k;

	if (wb->start_all) {
		struct wb_writeback_work all = {
			.nr_pages = (long)node_page_state(&k->mem->node, NR_DIRTY),
		};

		wb->start_all = false;
		wb_writeback(k, wb, &all);
	}
	if (wb_over_bg_thresh(k)) {
		struct wb_writeback_work bg = { .nr_pages = LONG_MAX, .for_background = true };

		wb_writeback(k, wb, &bg);
	}
	wb_check_old_data_flush(k, wb);
	if (!list_empty(&wb->b_dirty) && k->mem->dirty_writeback_interval)
		wb_wakeup_delayed(k, wb);
}

void wakeup_flusher_threads(struct kmm *k)
{
	struct bdi_writeback *wb = &k->mem->wb;

	if (list_empty(&wb->b_dirty))
		return;
	wb->start_all = true;
	wb_wakeup(k, wb);
}

/* ---- throttling ------------------------------------------------------- */

/* Pages a writer may dirty before it looks again: the square root of its
 * distance to thresh (dirty_poll_interval). */
static unsigned long dirty_poll_interval(unsigned long dirty, unsigned long thresh)
{
	unsigned long d;
	int log = -1;

	if (thresh <= dirty)
		return 1;
	for (d = thresh - dirty; d; d >>= 1)
		log++;
	return 1ul << (log >> 1);
}

/*
 * The writer looks at the limits: above the background threshold the
 * flusher is woken; above the hard limit the writer sleeps until the
 * flusher has brought the dirty pages under it.  A disk that writes
 * nothing (every request fails) lets the writer go after one pause
 * (Linux's writer would wait on).
 */
static void balance_dirty_pages(struct kmm *k, struct bdi_writeback *wb)
{
	unsigned long bg, thresh, dirty;
	bool stalled = false;

	for (;;) {
		unsigned long written = node_page_state(&k->mem->node, NR_WRITTEN);

		dirty = global_dirty_pages(k);
		global_dirty_limits(k, &bg, &thresh);
		if (dirty > bg)
			wb_wakeup(k, wb);	/* wb_start_background_writeback */
		if (dirty <= thresh)
			break;
		/* Over the limit: the writer sleeps, the flusher writes. */
		wb->dirty_exceeded = true;
		wb->nr_throttled++;
		run_timers(k);
		if (node_page_state(&k->mem->node, NR_WRITTEN) != written)
			continue;
		if (stalled)
			break;
		stalled = true;
		hw_clock_sleep(k, MAX_PAUSE_NS);
	}
	wb->dirty_exceeded = global_dirty_pages(k) > thresh;
	wb->nr_dirtied = 0;
	wb->nr_dirtied_pause = dirty_poll_interval(dirty, thresh);
}

void balance_dirty_pages_ratelimited(struct address_space *as)
{
	struct kmm *k = kmm_cur();
	struct bdi_writeback *wb = &k->mem->wb;
	unsigned long ratelimit = wb->nr_dirtied_pause;

	if (!mapping_can_writeback(as))
		return;
	if (wb->dirty_exceeded)
		ratelimit = min(ratelimit, 32ul >> (PAGE_SHIFT - 10));
	if (wb->nr_dirtied >= ratelimit)
		balance_dirty_pages(k, wb);
}

/* Linux's defaults: vm.dirty_ratio 20, dirty_background_ratio 10, a
 * wakeup every 5 s, pages old after 30 s. */
void page_writeback_init(struct kmm *k)
{
	struct mm_machine *mm = k->mem;

	mm->vm_dirty_ratio = 20;
	mm->dirty_background_ratio = 10;
	mm->dirty_writeback_interval = 5 * 100;
	mm->dirty_expire_interval = 30 * 100;
	INIT_LIST_HEAD(&mm->wb.b_dirty);
	timer_setup(k, &mm->wb.dwork, wb_workfn);
	mm->wb.nr_dirtied_pause = 128 >> (PAGE_SHIFT - 10);	/* 128 KiB */
}
