/*
 * fs/sync.c - sync(2) and syncfs(2): every mount's (or one mount's) dirty
 * pages and metadata go to its disk, and the caller waits for them.
 */
#include <errno.h>
#include <kmm/fs.h>
#include <kmm/sched.h>
#include <kmm/blkdev.h>
#include "block/machine.h"

static int sync_one(struct super_block *sb, void *arg)
{
	(void)arg;
	if (sb->s_op->sync_fs)
		sb->s_op->sync_fs(sb, 1);
	return 0;
}

/* sync(2): the filesystems, then the block devices' own caches (the
 * metadata buffers a filesystem dirtied), as Linux's sync_bdevs. */
void ksys_sync(struct kmm *k)
{
	iterate_supers(k, sync_one, NULL);
	if (k->block->kda)
		sync_blockdev(k->block->kda);
}

long ksys_syncfs(struct task_struct *t, int fd)
{
	struct file *f = fget_raw(t->files, fd);
	struct super_block *sb;

	if (!f)
		return -EBADF;
	sb = f->f_inode->i_sb;
	if (!sb || !sb->s_op->sync_fs)
		return 0;		/* a pseudo file: nothing to write */
	return sb->s_op->sync_fs(sb, 1);
}
