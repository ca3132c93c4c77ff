/*
 * fs/read_write.c - pread(2) and pwrite(2), and fs/sync.c's fsync(2),
 * fdatasync(2) and sync(2): the checks Linux makes on the fd and the
 * offset, then the page cache (mm/filemap.c, mm/page-writeback.c).
 */
#include <errno.h>
#include <sys/stat.h>
#include <kmm/fs.h>
#include <kmm/pagemap.h>
#include <kmm/sched.h>
#include "base/machine.h"

static long do_pread(struct task_struct *t, int fd, void *buf, size_t count, long long pos)
{
	struct file *f = fget_raw(t->files, fd);

	if (!f || !(f->f_mode & FMODE_READ))
		return -EBADF;
	if (pos < 0)
		return -EINVAL;
	if (S_ISDIR(f->f_inode->i_mode))
		return -EISDIR;
	return filemap_read(f, pos, buf, count);
}

/* The call runs on behalf of t: what it reads from the disk is t's. */
long ksys_pread64(struct task_struct *t, int fd, void *buf, size_t count, long long pos)
{
	struct task_struct *old = set_current(t);
	long ret = do_pread(t, fd, buf, count, pos);

	set_current(old);
	t->ioac.syscr++;
	if (ret > 0)
		t->ioac.rchar += (unsigned long long)ret;
	return ret;
}

static long do_pwrite(struct task_struct *t, int fd, const void *buf, size_t count, long long pos)
{
	struct file *f = fget_raw(t->files, fd);
	long ret;

	if (!f || !(f->f_mode & FMODE_WRITE))
		return -EBADF;
	if (pos < 0)
		return -EINVAL;
	if (IS_SWAPFILE(f->f_inode))
		return -ETXTBSY;	/* generic_write_checks: swap owns its blocks */
	if (!count)
		return 0;
	/* Linux's pwrite on an O_APPEND file appends (BUGS in pwrite(2)). */
	if (f->f_flags & O_APPEND)
		pos = f->f_inode->i_size;
	ret = generic_perform_write(f, pos, buf, count);
	if (ret > 0 && (f->f_flags & (O_SYNC | O_DSYNC))) {
		int err = vfs_fsync_range(f, pos, pos + ret - 1, (f->f_flags & O_SYNC) != O_SYNC);

		if (err)
			return err;
	}
	return ret;
}

/* The pages the call dirties are t's write_bytes. */
long ksys_pwrite64(struct task_struct *t, int fd, const void *buf, size_t count, long long pos)
{
	struct task_struct *old = set_current(t);
	long ret = do_pwrite(t, fd, buf, count, pos);

	set_current(old);
	t->ioac.syscw++;
	if (ret > 0)
		t->ioac.wchar += (unsigned long long)ret;
	return ret;
}

/* The data pages, then what the filesystem needs to find them (hostfs:
 * nothing, the host keeps the size; ext2: inode, indirect blocks, bitmaps). */
int vfs_fsync_range(struct file *f, long long start, long long end, int datasync)
{
	struct inode *inode = f->f_inode;
	int err = filemap_write_and_wait_range(&inode->i_data, start, end), err2;

	if (!inode->i_fsync)
		return err;
	err2 = inode->i_fsync(inode, datasync);
	return err ? err : err2;
}

static long do_fsync(struct task_struct *t, int fd, int datasync)
{
	struct file *f = fget_raw(t->files, fd);

	if (!f)
		return -EBADF;
	return vfs_fsync_range(f, 0, 0x7fffffffffffffffll, datasync);
}

long ksys_fsync(struct task_struct *t, int fd)
{
	return do_fsync(t, fd, 0);
}

long ksys_fdatasync(struct task_struct *t, int fd)
{
	return do_fsync(t, fd, 1);
}
