/*
 * fs/buffer.c - the buffer cache (Linux's fs/buffer.c): a block of a
 * block device is a buffer_head in a page of the device's own page cache
 * (bd_inode->i_data), PAGE_SIZE / block size buffers per page on the
 * ring b_this_page, the page's private data (PG_private, one page
 * reference).  Each buffer has its own uptodate and dirty bits, so a
 * page writes back only its dirty blocks, and the page is dirty in the
 * page cache (tagged, counted, its inode on the flusher's list) while
 * any of them is.
 *
 *   __getblk:   the page (found or added), its buffers (made if absent),
 *               the one asked for with a reference.  No I/O.
 *   __bread:    __getblk, then one bio for the block if not uptodate.
 *   mark_buffer_dirty: the buffer, then its page (set_page_dirty).
 *   writeback:  block_write_full_pages, under a plug: one bio per dirty
 *               buffer, adjacent ones merged into one request.
 *   drop:       try_to_free_buffers frees a page's buffers only if none
 *               is dirty, locked or held; truncate discards them.
 *
 * The heads come from the "buffer_head" slab cache, made on first use.
 * I/O is synchronous except the flusher's writes, which complete later
 * in simulated time (their pages stay PG_writeback, mm/page-writeback.c);
 * BH_Lock is held only while a bio is being built and sent.
 */
#include <errno.h>
#include <string.h>
#include <kmm/bio.h>
#include <kmm/buffer_head.h>
#include <kmm/fs.h>
#include <kmm/mm.h>
#include <kmm/mmdebug.h>
#include <kmm/pagemap.h>
#include <kmm/slab.h>
#include <kmm/xarray.h>
#include "fs/machine.h"
#include "base/printk.h"

/* ---- the heads ---------------------------------------------------------- */

static struct kmem_cache *bh_cachep(void)
{
	struct fs_machine *fs = kmm_cur()->fs;

	if (!fs->bh_cachep)
		fs->bh_cachep = kmem_cache_create("buffer_head", sizeof(struct buffer_head), 0,
						  SLAB_RECLAIM_ACCOUNT, NULL);
	return fs->bh_cachep;
}

static struct buffer_head *alloc_buffer_head(gfp_t gfp)
{
	struct kmem_cache *c = bh_cachep();

	return c ? kmem_cache_zalloc(c, gfp) : NULL;
}

static void free_buffer_head(struct buffer_head *bh)
{
	kmem_cache_free(kmm_cur()->fs->bh_cachep, bh);
}

/* Frees the ring of page's buffers and lets go of the page's reference. */
static void detach_buffers(struct page *page)
{
	struct buffer_head *head = folio_buffers(page), *bh = head, *next;

	do {
		next = bh->b_this_page;
		free_buffer_head(bh);
		bh = next;
	} while (bh != head);
	page->private = 0;
	ClearPagePrivate(page);
	put_page(page);
}

struct buffer_head *create_empty_buffers(struct page *page, unsigned int size,
					 unsigned long b_state)
{
	struct buffer_head *head = NULL, *tail = NULL, *bh;
	unsigned int off;

	for (off = 0; off < PAGE_SIZE; off += size) {
		bh = alloc_buffer_head(GFP_NOFS | __GFP_NOWARN);
		if (!bh)
			goto out_free;
		bh->b_page = page;
		bh->b_size = size;
		bh->b_data = (char *)page_address(page) + off;
		bh->b_state = b_state;
		if (tail)
			tail->b_this_page = bh;
		else
			head = bh;
		tail = bh;
	}
	tail->b_this_page = head;
	get_page(page);			/* the buffers' reference (folio_attach_private) */
	page->private = (unsigned long)head;
	SetPagePrivate(page);
	return head;
out_free:
	while (head) {
		bh = head->b_this_page;
		free_buffer_head(head);
		head = bh == head ? NULL : bh;
	}
	return NULL;
}

/* ---- finding and making buffers ---------------------------------------- */

static unsigned int blocks_per_page_shift(unsigned int size)
{
	return PAGE_SHIFT - (unsigned int)__builtin_ctz(size);
}

/* The buffer of block in page (whose buffers are of the device's size). */
static struct buffer_head *page_block(struct page *page, sector_t block, unsigned int size)
{
	struct buffer_head *bh = folio_buffers(page);
	unsigned int i = (unsigned int)(block & ((1u << blocks_per_page_shift(size)) - 1));

	while (i--)
		bh = bh->b_this_page;
	return bh;
}

/* Whether block of size lies inside the device, at its block size. */
static bool block_ok(struct block_device *bdev, sector_t block, unsigned int size)
{
	sector_t per = size >> SECTOR_SHIFT;

	if (size != bdev->bd_block_size) {
		kmm_report(kmm_cur(), "getblk(): invalid block size %u requested (%s has %u)\n",
			   size, bdev->bd_name, bdev->bd_block_size);
		return false;
	}
	return block < bdev_nr_sectors(bdev) / per;
}

struct buffer_head *__find_get_block(struct block_device *bdev, sector_t block, unsigned int size)
{
	struct page *page;
	struct buffer_head *bh;

	if (!block_ok(bdev, block, size))
		return NULL;
	page = find_get_page(&bdev->bd_inode->i_data,
			     (pgoff_t)(block >> blocks_per_page_shift(size)));
	if (!page || !folio_buffers(page))
		return NULL;
	bh = page_block(page, block, size);
	get_bh(bh);
	folio_mark_accessed(page);	/* touch_buffer */
	return bh;
}

/*
 * grow_dev_folio: the page holding block, with buffers of the device's
 * size, each mapped to its block (uptodate if the page is).
 */
static int grow_buffers(struct block_device *bdev, sector_t block, unsigned int size)
{
	struct address_space *as = &bdev->bd_inode->i_data;
	unsigned int shift = blocks_per_page_shift(size);
	pgoff_t index = (pgoff_t)(block >> shift);
	struct page *page = find_get_page(as, index);
	struct buffer_head *head, *bh;
	sector_t first = (sector_t)index << shift;
	int err;

	if (!page) {
		err = filemap_add_folio(as, index, 0, &page);
		if (err)
			return err;
	}
	if (folio_buffers(page))
		return 0;
	/* The buffer heads' allocation may reclaim: the page is held. */
	get_page(page);
	head = create_empty_buffers(page, size, PageUptodate(page) ? 1ul << BH_Uptodate : 0);
	put_page(page);
	if (!head)
		return -ENOMEM;	/* an empty page stays: drop_caches takes it */
	bh = head;
	do {
		bh->b_bdev = bdev;
		bh->b_blocknr = first++;
		set_buffer_mapped(bh);
		bh = bh->b_this_page;
	} while (bh != head);
	return 0;
}

struct buffer_head *__getblk(struct block_device *bdev, sector_t block, unsigned int size)
{
	struct buffer_head *bh = __find_get_block(bdev, block, size);

	if (bh || !block_ok(bdev, block, size))
		return bh;
	if (grow_buffers(bdev, block, size))
		return NULL;
	return __find_get_block(bdev, block, size);
}

void brelse(struct buffer_head *bh)
{
	if (!bh)
		return;
	if (bh->b_count <= 0) {
		kmm_report(kmm_cur(), "VFS: brelse: Trying to free free buffer (block %llu)\n",
			   bh->b_blocknr);
		return;
	}
	put_bh(bh);
}

/* ---- I/O of one buffer ---------------------------------------------------- */

/* After a page's last buffer became uptodate, so is the page. */
static void page_check_uptodate(struct page *page)
{
	struct buffer_head *head = folio_buffers(page), *bh = head;

	do {
		if (!buffer_uptodate(bh))
			return;
		bh = bh->b_this_page;
	} while (bh != head);
	SetPageUptodate(page);
}

/* submit_bh: one bio for the buffer; waits unless opf asks REQ_BACKGROUND. */
static int submit_bh_wait(unsigned int opf, struct buffer_head *bh)
{
	struct bio *bio = bio_alloc(bh->b_bdev, 1, opf, GFP_NOIO);
	int err;

	if (!bio)
		return -ENOMEM;
	bio->bi_sector = bh->b_blocknr * (bh->b_size >> SECTOR_SHIFT);
	bio_add_page(bio, bh->b_page, (unsigned int)bh->b_size,
		     (unsigned int)(bh->b_data - (char *)page_address(bh->b_page)));
	set_buffer_req(bh);
	err = submit_bio_wait(bio);
	bio_put(bio);
	return err;
}

struct buffer_head *__bread(struct block_device *bdev, sector_t block, unsigned int size)
{
	struct buffer_head *bh = __getblk(bdev, block, size);

	if (!bh || buffer_uptodate(bh))
		return bh;
	set_buffer_locked(bh);
	if (submit_bh_wait(REQ_OP_READ, bh)) {
		clear_buffer_locked(bh);
		brelse(bh);
		return NULL;		/* the buffer stays, not uptodate */
	}
	set_buffer_uptodate(bh);
	clear_buffer_locked(bh);
	page_check_uptodate(bh->b_page);
	return bh;
}

void mark_buffer_dirty(struct buffer_head *bh)
{
	if (buffer_dirty(bh))
		return;
	set_buffer_dirty(bh);
	set_page_dirty(bh->b_page);	/* no-op if the page was dirty already */
}

/* A write of the buffer failed: it stays dirty, for the next writeback. */
static void buffer_write_failed(struct buffer_head *bh)
{
	set_buffer_write_io_error(bh);
	mark_buffer_dirty(bh);
}

int sync_dirty_buffer(struct buffer_head *bh)
{
	if (!buffer_dirty(bh))
		return 0;
	set_buffer_locked(bh);
	clear_buffer_dirty(bh);
	if (submit_bh_wait(REQ_OP_WRITE | REQ_SYNC, bh)) {
		clear_buffer_locked(bh);
		buffer_write_failed(bh);
		return -EIO;
	}
	clear_buffer_write_io_error(bh);
	clear_buffer_locked(bh);
	return 0;
}

void bforget(struct buffer_head *bh)
{
	if (!bh)
		return;
	clear_buffer_dirty(bh);
	brelse(bh);
}

/* ---- writeback of pages ---------------------------------------------------- */

/* What the bios of one writeback pass report back. */
struct bh_wb_ctx {
	int err;			/* the first error */
	unsigned long long done;	/* the latest completion */
};

/* The buffer a bio of one buffer was made for (NULL: a whole page). */
static struct buffer_head *bio_buffer(struct bio *bio)
{
	struct bio_vec *bv = &bio->bi_io_vec[0];
	struct buffer_head *head = folio_buffers(bv->bv_page), *bh = head;
	char *data = (char *)page_address(bv->bv_page) + bv->bv_offset;

	if (!head)
		return NULL;
	while (bh->b_data != data) {
		bh = bh->b_this_page;
		if (bh == head)
			return NULL;
	}
	return bh;
}

/* end_buffer_async_write: a failed buffer is dirty again. */
static void end_buffer_write(struct bio *bio)
{
	struct bh_wb_ctx *ctx = bio->bi_private;
	struct buffer_head *bh = bio_buffer(bio);

	if (bio->bi_status && !ctx->err)
		ctx->err = bio->bi_status;
	if (bio->bi_done_ns > ctx->done)
		ctx->done = bio->bi_done_ns;
	if (bh) {
		clear_buffer_locked(bh);
		if (bio->bi_status) {
			set_buffer_write_io_error(bh);
			set_buffer_dirty(bh);	/* the page is redirtied by writeback */
		} else {
			clear_buffer_write_io_error(bh);
		}
	}
	bio_put(bio);
}

/* One write bio of len bytes of page at off, to sector. */
static void submit_write(struct block_device *bdev, unsigned int opf, struct page *page,
			 unsigned int off, unsigned int len, sector_t sector,
			 struct bh_wb_ctx *ctx)
{
	struct bio *bio = bio_alloc(bdev, 1, opf, GFP_NOIO);

	if (!bio) {
		ctx->err = ctx->err ? ctx->err : -ENOMEM;
		return;
	}
	bio->bi_sector = sector;
	bio->bi_private = ctx;
	bio->bi_end_io = end_buffer_write;
	bio_add_page(bio, page, len, off);
	submit_bio(bio);
}

/*
 * __block_write_full_folio: a page's dirty buffers, each its own bio (the
 * plug merges neighbours); a page without buffers (written through the
 * cache itself) is written whole, as far as the device goes.
 */
static void write_page_buffers(struct block_device *bdev, struct page *page, unsigned int opf,
			       struct bh_wb_ctx *ctx)
{
	struct buffer_head *head = folio_buffers(page), *bh = head;
	sector_t sector = (sector_t)page->index << (PAGE_SHIFT - SECTOR_SHIFT);

	if (!head) {
		sector_t left = bdev_nr_sectors(bdev) - min(sector, bdev_nr_sectors(bdev));
		unsigned int len = (unsigned int)min(left << SECTOR_SHIFT, (sector_t)PAGE_SIZE);

		if (len)
			submit_write(bdev, opf, page, 0, len, sector, ctx);
		return;
	}
	do {
		if (buffer_dirty(bh)) {
			clear_buffer_dirty(bh);
			set_buffer_locked(bh);
			set_buffer_req(bh);
			submit_write(bdev, opf, page, (unsigned int)(bh->b_data - (char *)page_address(page)),
				     (unsigned int)bh->b_size, bh->b_blocknr * (bh->b_size >> SECTOR_SHIFT),
				     ctx);
		}
		bh = bh->b_this_page;
	} while (bh != head);
}

int block_write_full_pages(struct block_device *bdev, struct page **pages, unsigned int nr,
			   unsigned long long *done)
{
	struct bh_wb_ctx ctx = { 0, 0 };
	unsigned int opf = REQ_OP_WRITE | (done ? REQ_BACKGROUND : REQ_SYNC);
	struct blk_plug plug;
	unsigned int i;

	blk_start_plug(&plug);
	for (i = 0; i < nr; i++)
		write_page_buffers(bdev, pages[i], opf, &ctx);
	blk_finish_plug(&plug);
	if (done)
		*done = ctx.done;
	return ctx.err;
}

/* ---- letting go of buffers ------------------------------------------------- */

static bool buffer_busy(const struct buffer_head *bh)
{
	return bh->b_count || (bh->b_state & (1ul << BH_Dirty | 1ul << BH_Lock));
}

bool try_to_free_buffers(struct page *page)
{
	struct buffer_head *head = folio_buffers(page), *bh = head;

	if (!head)
		return true;
	if (PageWriteback(page))
		return false;
	do {
		if (buffer_busy(bh))
			return false;
		bh = bh->b_this_page;
	} while (bh != head);
	detach_buffers(page);
	return true;
}

void block_invalidate_folio(struct page *page)
{
	struct buffer_head *head = folio_buffers(page), *bh = head;

	if (!head)
		return;
	do {
		/* A held buffer would be used after its free: set_blocksize
		 * refuses with -EBUSY, so only a caller's leak gets here. */
		VM_WARN_ON(bh->b_count);
		bh = bh->b_this_page;
	} while (bh != head);
	detach_buffers(page);
}

/* ---- the checker -------------------------------------------------------------- */

/* One page's ring: sizes, places, blocks, and dirt that its page shows. */
static int check_page_buffers(struct block_device *bdev, struct page *page)
{
	struct buffer_head *head = folio_buffers(page), *bh = head;
	unsigned int size = bdev->bd_block_size, n = 0;
	sector_t block = (sector_t)page->index << blocks_per_page_shift(size);
	bool all_uptodate = true;

	do {
		if (bh->b_page != page || bh->b_size != size || bh->b_bdev != bdev ||
		    bh->b_data != (char *)page_address(page) + n * size ||
		    bh->b_blocknr != block + n || bh->b_count < 0 || buffer_locked(bh) ||
		    (buffer_dirty(bh) && !PageDirty(page) && !PageWriteback(page))) {
			kmm_report(kmm_cur(), "buffer cache: %s block %llu of page index %lu is broken "
				   "(state %#lx, size %zu, count %d)\n", bdev->bd_name, bh->b_blocknr,
				   page->index, bh->b_state, bh->b_size, bh->b_count);
			return -1;
		}
		all_uptodate &= buffer_uptodate(bh);
		bh = bh->b_this_page;
		n++;
	} while (bh != head && n <= PAGE_SIZE / SECTOR_SIZE);
	if (n != PAGE_SIZE / size || bh != head || (PageUptodate(page) && !all_uptodate)) {
		kmm_report(kmm_cur(), "buffer cache: %s page index %lu has a bad ring of %u buffers\n",
			   bdev->bd_name, page->index, n);
		return -1;
	}
	return 0;
}

int check_buffer_invariants(struct block_device *bdev)
{
	struct address_space *as = &bdev->bd_inode->i_data;
	unsigned long index, nr = 0;
	struct page *page;

	xa_for_each(&as->i_pages, index, page) {
		if (xa_is_value(page))
			continue;	/* a shadow entry of a reclaimed page */
		nr++;
		if (page->mapping != as || page->index != index) {
			kmm_report(kmm_cur(), "buffer cache: %s page at %lu is not the cache's\n",
				   bdev->bd_name, index);
			return -1;
		}
		if (folio_buffers(page) && check_page_buffers(bdev, page))
			return -1;
	}
	if (nr != as->nrpages) {
		kmm_report(kmm_cur(), "buffer cache: %s has %lu pages, nrpages says %lu\n",
			   bdev->bd_name, nr, as->nrpages);
		return -1;
	}
	return 0;
}
