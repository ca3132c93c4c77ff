/*
 * fs/namei.c - the system calls that name a path rather than an fd:
 * mkdir, unlink, rmdir, rename and stat.  Each finds the mount the path is
 * on (fs/namespace.c) and asks its filesystem, with the checks Linux makes
 * before any filesystem is asked: an empty path is ENOENT, a rename across
 * two mounts EXDEV.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <kmm/fs.h>
#include <kmm/sched.h>
#include "base/machine.h"

#define PATH_MAX_	4096

/* The filesystem path is on, and the rest of it; NULL with *err. */
static struct super_block *path_sb(const char *path, const char **rest, int *err)
{
	if (!path || !*path) {
		*err = -ENOENT;
		return NULL;
	}
	if (strlen(path) >= PATH_MAX_) {
		*err = -ENAMETOOLONG;
		return NULL;
	}
	return lookup_mnt(kmm_cur(), path, rest, err);
}

long ksys_mkdir(struct task_struct *t, const char *path, unsigned int mode)
{
	const char *rest;
	int err = 0;
	struct super_block *sb = path_sb(path, &rest, &err);

	(void)t;
	if (!sb)
		return err;
	return sb->s_op->mkdir ? sb->s_op->mkdir(sb, rest, mode) : -EPERM;
}

/* unlink (dir false) and rmdir (dir true). */
static long do_remove(const char *path, bool dir)
{
	const char *rest;
	int err = 0;
	struct super_block *sb = path_sb(path, &rest, &err);
	int (*op)(struct super_block *, const char *);

	if (!sb)
		return err;
	op = dir ? sb->s_op->rmdir : sb->s_op->unlink;
	return op ? op(sb, rest) : -EPERM;
}

long ksys_unlink(struct task_struct *t, const char *path)
{
	(void)t;
	return do_remove(path, false);
}

long ksys_rmdir(struct task_struct *t, const char *path)
{
	(void)t;
	return do_remove(path, true);
}

long ksys_rename(struct task_struct *t, const char *from, const char *to)
{
	const char *rf, *rt;
	int err = 0;
	struct super_block *a = path_sb(from, &rf, &err), *b;

	(void)t;
	if (!a)
		return err;
	b = path_sb(to, &rt, &err);
	if (!b)
		return err;
	if (a != b)
		return -EXDEV;
	return a->s_op->rename ? a->s_op->rename(a, rf, rt) : -EPERM;
}

long ksys_stat(struct task_struct *t, const char *path, struct kstat *st)
{
	const char *rest;
	int err = 0;
	struct super_block *sb = path_sb(path, &rest, &err);

	(void)t;
	if (!sb)
		return err;
	memset(st, 0, sizeof(*st));
	return sb->s_op->getattr ? sb->s_op->getattr(sb, rest, st) : -EPERM;
}
