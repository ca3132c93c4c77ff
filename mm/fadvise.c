/*
 * mm/fadvise.c - posix_fadvise(2), as Linux's generic_fadvise: hints
 * about how a file will be read.
 *
 *   NORMAL      the disk's readahead maximum, no FMODE_RANDOM
 *   RANDOM      FMODE_RANDOM: a miss reads only what was asked
 *   SEQUENTIAL  twice the disk's maximum
 *   WILLNEED    reads the range now (force_page_cache_ra, at most one
 *               maximum window of it, as Linux)
 *   DONTNEED    starts writeback of the range, then drops the clean,
 *               unmapped folios wholly inside it
 *   NOREUSE     recorded (FMODE_NOREUSE)
 *
 * kmm's writeback is synchronous, so DONTNEED after a write drops pages
 * Linux would still find under writeback and keep (docs/filemap.md).
 */
#include <errno.h>
#include <fcntl.h>
#include <kmm/fs.h>
#include <kmm/pagemap.h>
#include <kmm/sched.h>
#include "mm/memory.h"

static bool fadvise_valid(int advice)
{
	switch (advice) {
	case POSIX_FADV_NORMAL: case POSIX_FADV_RANDOM: case POSIX_FADV_SEQUENTIAL:
	case POSIX_FADV_WILLNEED: case POSIX_FADV_DONTNEED: case POSIX_FADV_NOREUSE:
		return true;
	}
	return false;
}

/* WILLNEED of bytes [offset, endbyte]. */
static void fadvise_willneed(struct file *f, long long offset, long long endbyte)
{
	struct address_space *as = &f->f_inode->i_data;
	pgoff_t start = (pgoff_t)(offset >> PAGE_SHIFT), end = (pgoff_t)(endbyte >> PAGE_SHIFT);
	unsigned long nr = end - start + 1;
	DEFINE_READAHEAD(rac, f, &f->f_ra, as, start);

	force_page_cache_ra(&rac, nr ? nr : ~0ul);
	readahead_done(&rac);
}

/* DONTNEED of bytes [offset, endbyte]: only whole pages are dropped. */
static void fadvise_dontneed(struct file *f, long long offset, long long endbyte)
{
	struct address_space *as = &f->f_inode->i_data;
	pgoff_t start = (pgoff_t)((offset + PAGE_SIZE - 1) >> PAGE_SHIFT);
	pgoff_t end = (pgoff_t)(endbyte >> PAGE_SHIFT);

	filemap_fdatawrite_range(as, offset, endbyte);
	if ((endbyte & ~PAGE_MASK) != ~PAGE_MASK) {
		if (!end)
			return;
		end--;		/* the partial last page stays */
	}
	if (end >= start)
		invalidate_mapping_pages(as, start, end);
}

int generic_fadvise(struct file *f, long long offset, long long len, int advice)
{
	struct address_space *as = &f->f_inode->i_data;
	unsigned long long endbyte;

	if (len < 0 || !fadvise_valid(advice))
		return -EINVAL;
	if (!as->a_ops)
		return 0;	/* no disk: the hints change nothing */
	endbyte = (unsigned long long)offset + (unsigned long long)len;
	if (!len || endbyte < (unsigned long long)len || endbyte > (unsigned long long)LLONG_MAX)
		endbyte = LLONG_MAX;
	else
		endbyte--;
	switch (advice) {
	case POSIX_FADV_NORMAL:
		f->f_ra.ra_pages = inode_ra_pages(f->f_inode);
		f->f_mode &= ~(FMODE_RANDOM | FMODE_NOREUSE);
		break;
	case POSIX_FADV_RANDOM:
		f->f_mode |= FMODE_RANDOM;
		break;
	case POSIX_FADV_SEQUENTIAL:
		f->f_ra.ra_pages = inode_ra_pages(f->f_inode) * 2;
		f->f_mode &= ~FMODE_RANDOM;
		break;
	case POSIX_FADV_NOREUSE:
		f->f_mode |= FMODE_NOREUSE;
		break;
	case POSIX_FADV_WILLNEED:
		fadvise_willneed(f, offset, (long long)endbyte);
		break;
	case POSIX_FADV_DONTNEED:
		fadvise_dontneed(f, offset, (long long)endbyte);
		break;
	}
	return 0;
}

/* fadvise64_64(2): -EBADF for a bad fd, else generic_fadvise's answer. */
long ksys_fadvise64_64(struct task_struct *t, int fd, long long offset, long long len,
		       int advice)
{
	struct file *f = fget_raw(t->files, fd);

	if (!f)
		return -EBADF;
	return generic_fadvise(f, offset, len, advice);
}
