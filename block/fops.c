/*
 * block/fops.c - the address_space_operations of a block device's page
 * cache (Linux's def_blk_aops in block/fops.c): readahead reads whole
 * pages with one bio, writeback writes only the dirty buffers of each
 * page (fs/buffer.c), and a page leaves the cache only with its buffers.
 */
#include <errno.h>
#include <string.h>
#include <kmm/bio.h>
#include <kmm/buffer_head.h>
#include <kmm/fs.h>
#include <kmm/mm.h>
#include "block/machine.h"

static struct block_device *as_bdev(struct address_space *as)
{
	return as->host->i_private;
}

/*
 * Fills nr pages of consecutive index with one bio; what lies past the
 * device's end (the last page of an image that is not a whole number of
 * pages) reads as zeros.
 */
static int blkdev_readahead(struct address_space *as, struct page **pages, unsigned int nr)
{
	struct block_device *bdev = as_bdev(as);
	sector_t sector = (sector_t)pages[0]->index << (PAGE_SHIFT - SECTOR_SHIFT);
	unsigned long long end = bdev_nr_sectors(bdev) << SECTOR_SHIFT;
	unsigned long long pos = sector << SECTOR_SHIFT;
	struct bio *bio = bio_alloc(bdev, (unsigned short)nr, REQ_OP_READ, GFP_NOIO);
	unsigned int i;
	int err = 0;

	if (!bio)
		return -ENOMEM;
	bio->bi_sector = sector;
	for (i = 0; i < nr; i++, pos += PAGE_SIZE) {
		unsigned int len = pos >= end ? 0 : (unsigned int)min(end - pos, (unsigned long long)PAGE_SIZE);

		if (len < PAGE_SIZE)
			memset((char *)page_address(pages[i]) + len, 0, PAGE_SIZE - len);
		if (len)
			bio_add_page(bio, pages[i], len, 0);
	}
	if (bio->bi_size)
		err = submit_bio_wait(bio);
	bio_put(bio);
	return err;
}

static int blkdev_writepages(struct address_space *as, struct page **pages, unsigned int nr,
			     unsigned long long *done)
{
	return block_write_full_pages(as_bdev(as), pages, nr, done);
}

const struct address_space_operations def_blk_aops = {
	.readahead = blkdev_readahead,
	.writepages = blkdev_writepages,
	.release_folio = try_to_free_buffers,
	.invalidate_folio = block_invalidate_folio,
};
