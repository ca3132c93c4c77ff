/*
 * fs/open.c - open(2), close(2), truncate: a path becomes a struct file in
 * the process's table.  The built-in programs (fs/binfmt_elf.c) answer
 * first, read-only; /dev/shm is tmpfs (mm/shmem.c); every other path is
 * its mount's (fs/namespace.c: the host directory of fs/hostfs.c, ...).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/falloc.h>
#include <kmm/fs.h>
#include <kmm/pagemap.h>
#include <kmm/sched.h>
#include "base/machine.h"

#define MAX_LFS_FILESIZE	0x7fffffffffffffffll

int do_truncate(struct inode *inode, long long length)
{
	int err;

	if (length < 0)
		return -EINVAL;
	if (S_ISDIR(inode->i_mode))
		return -EISDIR;
	if (inode->i_rdonly)
		return -EROFS;
	/* An active swap file keeps its blocks (inode_newsize_ok). */
	if (IS_SWAPFILE(inode) && length < inode->i_size)
		return -ETXTBSY;
	if (inode->i_setsize) {
		err = inode->i_setsize(inode, length);
		if (err)
			return err;
	}
	inode->i_size = length;
	truncate_pagecache(inode, length);
	return 0;
}

/* Linux's vfs_fallocate checks, in its order; kmm has modes 0 and KEEP_SIZE. */
int vfs_fallocate(struct file *f, int mode, long long offset, long long len)
{
	struct inode *inode = f->f_inode;

	if (offset < 0 || len <= 0)
		return -EINVAL;
	if (mode & ~FALLOC_FL_KEEP_SIZE)
		return -EOPNOTSUPP;
	if (!(f->f_mode & FMODE_WRITE))
		return -EBADF;
	if (IS_SWAPFILE(inode))
		return -ETXTBSY;
	if (S_ISDIR(inode->i_mode))
		return -EISDIR;
	if (!S_ISREG(inode->i_mode))
		return -ENODEV;
	if (offset > MAX_LFS_FILESIZE - len)
		return -EFBIG;
	if (!inode->i_fallocate)
		return -EOPNOTSUPP;
	return inode->i_fallocate(inode, mode, offset, len);
}

long ksys_fallocate(struct task_struct *t, int fd, int mode, long long offset, long long len)
{
	struct file *f = fget_raw(t->files, fd);

	return f ? vfs_fallocate(f, mode, offset, len) : -EBADF;
}

struct file *filp_open(const char *path, int flags, unsigned int mode, int *err)
{
	struct file *f = filp_open_rootfs(path, err);
	int r;

	if (f) {
		if ((flags & O_CREAT) && (flags & O_EXCL))
			r = -EEXIST;
		else if ((flags & O_ACCMODE) != O_RDONLY)
			r = -EACCES;	/* the built-in programs are root's, 0755 */
		else
			return f;
		fput(f);
		*err = r;
		return NULL;
	}
	if (!strncmp(path, "/dev/shm/", 9)) {
		f = shmem_open(path + 9, path, flags, err);
	} else {
		const char *rest;
		struct super_block *sb = lookup_mnt(kmm_cur(), path, &rest, err);

		f = sb ? sb->s_op->open(sb, rest, path, flags, mode, err) : NULL;
	}
	if (f && (flags & O_TRUNC) && (f->f_mode & FMODE_WRITE) && S_ISREG(f->f_inode->i_mode)) {
		r = do_truncate(f->f_inode, 0);
		if (r) {
			fput(f);
			*err = r;
			return NULL;
		}
	}
	return f;
}

/* f (its reference) at t's lowest free fd, which is returned, or -errno. */
static long install_file(struct task_struct *t, struct file *f)
{
	int fd;

	if (!t->files && !(t->files = files_alloc())) {
		fput(f);
		return -ENOMEM;
	}
	fd = fd_install_lowest(t->files, f);
	if (fd < 0)
		fput(f);
	return fd;
}

long ksys_open(struct task_struct *t, const char *path, int flags, unsigned int mode)
{
	int err = 0;
	struct file *f = filp_open(path, flags, mode, &err);

	return f ? install_file(t, f) : err;
}

long ksys_memfd_create(struct task_struct *t, const char *name, unsigned int flags)
{
	int err = 0;
	struct file *f;

	if (flags & ~0x7u)		/* MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB */
		return -EINVAL;
	f = memfd_file(name, &err);
	return f ? install_file(t, f) : err;
}

long ksys_close(struct task_struct *t, int fd)
{
	return close_fd(t->files, fd);
}

static long do_ftruncate(struct task_struct *t, int fd, long long length);

/* The dirty pages a truncate drops are t's cancelled_write_bytes. */
long ksys_ftruncate(struct task_struct *t, int fd, long long length)
{
	struct task_struct *old = set_current(t);
	long ret = do_ftruncate(t, fd, length);

	set_current(old);
	return ret;
}

static long do_ftruncate(struct task_struct *t, int fd, long long length)
{
	struct file *f = fget_raw(t->files, fd);

	if (!f)
		return -EBADF;
	if (length < 0)
		return -EINVAL;
	if (!S_ISREG(f->f_inode->i_mode) || !(f->f_mode & FMODE_WRITE))
		return -EINVAL;
	if (length > MAX_LFS_FILESIZE)
		return -EFBIG;
	return do_truncate(f->f_inode, length);
}
