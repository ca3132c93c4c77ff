/*
 * tests/fs/bh_image.c - the buffer-cache double of bh_image.h.  Each
 * block of the current size has at most one buffer, with its own copy
 * of the bytes (so a write that is never synced never reaches the
 * image); buffers stay cached after their last brelse, as in the real
 * cache, until set_blocksize or bh_image_close.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/fs/bh_image.h"

struct kmm;
/* base/printk.c's reports count on the machine; the double has none (the
 * programs it is linked into have no libkmm, so nothing else defines it). */
struct kmm *kmm_global;

static struct bh_image *img_of(struct block_device *bdev)
{
	return bdev->bd_private;
}

static struct bh_image *image_new(unsigned char *data, size_t size, bool read_only)
{
	struct bh_image *img = calloc(1, sizeof(*img));

	if (!img) {
		free(data);
		return NULL;
	}
	img->data = data;
	img->size = size;
	img->fail_read = -1;
	img->bdev.bd_dev = (254u << 20);
	img->bdev.bd_name = "kda";
	img->bdev.bd_nr_sectors = size >> SECTOR_SHIFT;
	img->bdev.bd_read_only = read_only;
	img->bdev.bd_private = img;
	return img;
}

struct bh_image *bh_image_from_mem(const void *buf, size_t len, bool read_only)
{
	unsigned char *data = malloc(len ? len : 1);

	if (!data)
		return NULL;
	memcpy(data, buf, len);
	return image_new(data, len, read_only);
}

struct bh_image *bh_image_open(const char *path, bool read_only)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data;
	long size;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	data = malloc(size > 0 ? size : 1);
	if (!data || fread(data, 1, size, f) != (size_t)size) {
		free(data);
		fclose(f);
		return NULL;
	}
	fclose(f);
	return image_new(data, size, read_only);
}

static void drop_cache(struct bh_image *img)
{
	size_t i;

	for (i = 0; i < img->nr_cache; i++) {
		if (img->cache[i]) {
			free(img->cache[i]->b_data);
			free(img->cache[i]);
		}
	}
	free(img->cache);
	img->cache = NULL;
	img->nr_cache = 0;
}

int set_blocksize(struct block_device *bdev, unsigned int size)
{
	struct bh_image *img = img_of(bdev);

	if (size < SECTOR_SIZE || size > 4096 || (size & (size - 1)))
		return -EINVAL;
	if (size == bdev->bd_block_size && img->cache)
		return 0;
	if (img->refs)
		return -EBUSY;
	sync_blockdev(bdev);
	drop_cache(img);
	bdev->bd_block_size = size;
	img->nr_cache = img->size / size;
	img->cache = calloc(img->nr_cache ? img->nr_cache : 1, sizeof(*img->cache));
	return img->cache ? 0 : -ENOMEM;
}

struct buffer_head *__find_get_block(struct block_device *bdev, sector_t block, unsigned int size)
{
	struct bh_image *img = img_of(bdev);
	struct buffer_head *bh;

	if (size != bdev->bd_block_size || block >= img->nr_cache)
		return NULL;
	bh = img->cache[block];
	if (bh) {
		get_bh(bh);
		img->refs++;
	}
	return bh;
}

struct buffer_head *__getblk(struct block_device *bdev, sector_t block, unsigned int size)
{
	struct bh_image *img = img_of(bdev);
	struct buffer_head *bh;

	if (size != bdev->bd_block_size || block >= img->nr_cache)
		return NULL;
	bh = __find_get_block(bdev, block, size);
	if (bh)
		return bh;
	bh = calloc(1, sizeof(*bh));
	if (!bh)
		return NULL;
	bh->b_data = malloc(size);
	if (!bh->b_data) {
		free(bh);
		return NULL;
	}
	bh->b_this_page = bh;
	bh->b_blocknr = block;
	bh->b_size = size;
	bh->b_bdev = bdev;
	set_buffer_mapped(bh);
	img->cache[block] = bh;
	get_bh(bh);
	img->refs++;
	return bh;
}

struct buffer_head *__bread(struct block_device *bdev, sector_t block, unsigned int size)
{
	struct bh_image *img = img_of(bdev);
	struct buffer_head *bh = __getblk(bdev, block, size);

	if (!bh || buffer_uptodate(bh))
		return bh;
	if ((long long)block == img->fail_read) {
		brelse(bh);
		return NULL;
	}
	memcpy(bh->b_data, img->data + block * size, size);
	set_buffer_uptodate(bh);
	img->reads++;
	return bh;
}

void brelse(struct buffer_head *bh)
{
	struct bh_image *img;

	if (!bh)
		return;
	img = img_of(bh->b_bdev);
	if (bh->b_count <= 0) {
		fprintf(stderr, "bh_image: brelse of free buffer %llu\n", bh->b_blocknr);
		img->bad_releases++;
		return;
	}
	put_bh(bh);
	img->refs--;
}

void mark_buffer_dirty(struct buffer_head *bh)
{
	set_buffer_dirty(bh);
}

int sync_dirty_buffer(struct buffer_head *bh)
{
	struct bh_image *img = img_of(bh->b_bdev);

	if (!buffer_dirty(bh))
		return 0;
	if (img->bdev.bd_read_only) {
		img->refused_writes++;
		return -EIO;
	}
	memcpy(img->data + bh->b_blocknr * bh->b_size, bh->b_data, bh->b_size);
	clear_buffer_dirty(bh);
	img->writes++;
	return 0;
}

/* As Linux's: the dirty bit is forgotten and the reference dropped. */
void bforget(struct buffer_head *bh)
{
	if (!bh)
		return;
	clear_buffer_dirty(bh);
	brelse(bh);
}

int sync_blockdev(struct block_device *bdev)
{
	struct bh_image *img = img_of(bdev);
	int err = 0;
	size_t i;

	for (i = 0; i < img->nr_cache; i++)
		if (img->cache[i] && sync_dirty_buffer(img->cache[i]))
			err = -EIO;
	return err;
}

int bh_image_save(struct bh_image *img, const char *path)
{
	FILE *f;
	int err = sync_blockdev(&img->bdev);

	if (err)
		return err;
	f = fopen(path, "wb");
	if (!f)
		return -errno;
	if (fwrite(img->data, 1, img->size, f) != img->size)
		err = -EIO;
	if (fclose(f))
		err = -EIO;
	return err;
}

long bh_image_close(struct bh_image *img)
{
	long refs;

	if (!img)
		return 0;
	refs = img->refs + img->bad_releases;
	drop_cache(img);
	free(img->data);
	free(img);
	return refs;
}
