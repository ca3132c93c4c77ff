/*
 * fs/namespace.c - the mount table: which filesystem a path is on.  A
 * mount is a super_block at a mount point ("/", "/mnt"); the path's mount
 * is the one whose point is the longest prefix of it ending at a
 * component boundary, and the filesystem sees only the rest.  The root is
 * mounted on first use from the boot options (fs=DIR, or a scratch
 * directory), so a machine that never touches a file makes no directory.
 *
 * Where kmm is simpler than Linux: the match is on the path as written,
 * so "/mnt/../x" is the mount at /mnt asked for "../x", which it refuses
 * (EACCES, above its root) where Linux would step back onto "/".  One
 * mount namespace, no bind mounts, no mounts over mounts.
 *
 * The mount table and the super_blocks are host memory, not the
 * simulated kernel's slab: shutdown frees them after the machine's
 * memory is no longer the current one's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <kmm/blkdev.h>
#include <kmm/fs.h>
#include "base/seq_buf.h"
#include "fs/machine.h"

struct vfsmount {
	struct vfsmount *next;		/* in mount order */
	struct super_block *mnt_sb;
	char *mnt_point;		/* "/" or "/a/b", no trailing slash */
};

static const struct file_system_type *const fs_types[] = {
	&hostfs_fs_type,
	&ext2_fs_type,
};

static const struct file_system_type *get_fs_type(const char *name)
{
	for (size_t i = 0; i < sizeof(fs_types) / sizeof(fs_types[0]); i++)
		if (!strcmp(fs_types[i]->name, name))
			return fs_types[i];
	return NULL;
}

/* The mount point's length if it is a component prefix of path, else -1. */
static long mnt_match(const struct vfsmount *mnt, const char *path)
{
	size_t n = strlen(mnt->mnt_point);

	if (n == 1)
		return 0;			/* "/" holds every path */
	if (strncmp(path, mnt->mnt_point, n) || (path[n] && path[n] != '/'))
		return -1;
	return (long)n;
}

static struct vfsmount *find_mnt(struct kmm *k, const char *path, const char **rest)
{
	struct vfsmount *mnt, *best = NULL;
	long best_len = -1;

	for (mnt = k->fs->mounts; mnt; mnt = mnt->next) {
		long n = mnt_match(mnt, path);

		if (n > best_len) {
			best_len = n;
			best = mnt;
		}
	}
	if (best && rest)
		*rest = path + best_len;
	return best;
}

/* The mount point as it is kept: absolute, no trailing or double slash. */
static char *mnt_point_dup(const char *dir, int *err)
{
	size_t n = strlen(dir), i, o = 0;
	char *p;

	if (dir[0] != '/') {
		*err = -EINVAL;
		return NULL;
	}
	p = malloc(n + 1);
	if (!p) {
		*err = -ENOMEM;
		return NULL;
	}
	/* The leading slash stays; later runs of slashes become one. */
	for (i = 0; i < n; i++)
		if (dir[i] != '/' || !o || p[o - 1] != '/')
			p[o++] = dir[i];
	if (o > 1 && p[o - 1] == '/')
		o--;
	p[o] = 0;
	return p;
}

static void add_mnt(struct kmm *k, struct vfsmount *new)
{
	struct vfsmount **pp = &k->fs->mounts;

	while (*pp)
		pp = &(*pp)->next;
	*pp = new;
}

static int check_mountpoint(struct kmm *k, const char *point);

/*
 * fs=DIR with disk=IMAGE: the disk's ext2 goes on DIR's /mnt, made if
 * missing (and removed again if the mount fails: an image that is no
 * ext2 leaves the host root as it was, and ext2's message in the log).
 */
static void mount_disk_at_mnt(struct kmm *k)
{
	const char *rest = "";
	struct super_block *root = find_mnt(k, "/mnt", &rest)->mnt_sb;
	int err = check_mountpoint(k, "/mnt");
	bool made = false;

	if (err == -ENOENT && root->s_op->mkdir) {
		err = root->s_op->mkdir(root, rest, 0755);
		made = !err;
	}
	if (!err)
		err = do_mount(k, "/dev/kda", "/mnt", "ext2", 0);
	if (err && made && root->s_op->rmdir)
		root->s_op->rmdir(root, rest);
}

/*
 * The root filesystem of the boot options, mounted at "/" on first use:
 * ext2 on kda for disk=IMAGE alone; else hostfs (fs=DIR, or a scratch
 * directory), with kda's ext2 at /mnt when both are given (not for
 * disk=scratch:SIZE, an empty disk).  A root that
 * will not mount (a bad image: ext2 said why) fails every later call
 * with the same errno, and the machine runs on.
 */
static int mount_root(struct kmm *k)
{
	struct fs_machine *fs = k->fs;
	/* disk=scratch:SIZE is an empty disk: nothing to mount until mkfs. */
	bool disk = k->cfg.disk[0] && strncmp(k->cfg.disk, "scratch:", 8);
	int err;

	if (fs->root_err)
		return fs->root_err;
	if (disk && !k->cfg.fs[0])
		err = do_mount(k, "/dev/kda", "/", "ext2", 0);
	else
		err = do_mount(k, k->cfg.fs, "/", "hostfs", 0);
	if (err) {
		fs->root_err = err;
		return err;
	}
	if (disk && k->cfg.fs[0])
		mount_disk_at_mnt(k);
	return 0;
}

/* A mount point must be a directory of the filesystem below it. */
static int check_mountpoint(struct kmm *k, const char *point)
{
	struct kstat st;
	const char *rest;
	struct vfsmount *under = find_mnt(k, point, &rest);
	int r;

	if (!under)
		return strcmp(point, "/") ? -ENOENT : 0;
	if (!strcmp(under->mnt_point, point))
		return -EBUSY;			/* already a mount point */
	if (!under->mnt_sb->s_op->getattr)
		return -ENOENT;
	r = under->mnt_sb->s_op->getattr(under->mnt_sb, rest, &st);
	if (r)
		return r;
	return S_ISDIR(st.mode) ? 0 : -ENOTDIR;
}

int do_mount(struct kmm *k, const char *source, const char *dir, const char *type,
	     unsigned int flags)
{
	const struct file_system_type *fst = get_fs_type(type);
	struct vfsmount *mnt;
	struct super_block *sb;
	int err = 0;

	if (!fst)
		return -ENODEV;
	if (!k->fs->mounts && strcmp(dir, "/") && (err = mount_root(k)))
		return err;
	mnt = calloc(1, sizeof(*mnt));
	if (!mnt)
		return -ENOMEM;
	mnt->mnt_point = mnt_point_dup(dir, &err);
	if (mnt->mnt_point)
		err = check_mountpoint(k, mnt->mnt_point);
	if (err)
		goto out;
	sb = fst->mount(k, source, flags, &err);
	if (!sb)
		goto out;
	sb->s_kmm = k;
	sb->s_type = fst->name;
	mnt->mnt_sb = sb;
	add_mnt(k, mnt);
	return 0;
out:
	free(mnt->mnt_point);
	free(mnt);
	return err;
}

static void free_mnt(struct vfsmount *mnt)
{
	struct super_block *sb = mnt->mnt_sb;

	sb->s_op->put_super(sb);
	free(mnt->mnt_point);
	free(mnt);
}

int do_umount(struct kmm *k, const char *dir)
{
	struct vfsmount **pp, *mnt, *m;
	struct super_block *sb;
	int err = 0;
	char *point = mnt_point_dup(dir, &err);

	if (!point)
		return err;
	if (!strcmp(point, "/")) {
		free(point);
		return -EBUSY;		/* the root is in use while the machine runs */
	}
	for (pp = &k->fs->mounts; *pp && strcmp((*pp)->mnt_point, point); pp = &(*pp)->next)
		;
	mnt = *pp;
	if (!mnt)
		err = -EINVAL;
	else if (mnt->mnt_sb->s_nr_files)
		err = -EBUSY;
	for (m = k->fs->mounts; !err && m; m = m->next)
		if (m != mnt && mnt_match(mnt, m->mnt_point) > 0)
			err = -EBUSY;		/* something is mounted below it */
	free(point);
	if (err)
		return err;
	sb = mnt->mnt_sb;
	if (sb->s_op->sync_fs)
		err = sb->s_op->sync_fs(sb, 1);
	/* evict_inodes: nothing is open, so every inode and page can go. */
	if (sb->s_op->drop_pagecache)
		sb->s_op->drop_pagecache(sb);
	if (sb->s_op->prune_icache)
		sb->s_op->prune_icache(sb);
	*pp = mnt->next;
	free_mnt(mnt);
	return err;
}

struct super_block *lookup_mnt(struct kmm *k, const char *path, const char **rest, int *err)
{
	struct vfsmount *mnt;

	if (!k->fs->mounts && (*err = mount_root(k)))
		return NULL;
	mnt = find_mnt(k, path, rest);
	if (!mnt)
		*err = -ENOENT;
	return mnt ? mnt->mnt_sb : NULL;
}

struct super_block *get_super(struct kmm *k, const struct block_device *bdev)
{
	struct vfsmount *mnt;

	for (mnt = k->fs->mounts; mnt; mnt = mnt->next)
		if (mnt->mnt_sb->s_bdev == bdev)
			return mnt->mnt_sb;
	return NULL;
}

/* A version 4 (random) UUID, from the machine's random numbers. */
static void make_uuid(struct kmm *k, unsigned char uuid[16])
{
	unsigned long r[2] = { get_random_long(k), get_random_long(k) };

	memcpy(uuid, r, 16);
	uuid[6] = (uuid[6] & 0x0f) | 0x40;
	uuid[8] = (uuid[8] & 0x3f) | 0x80;	/* the RFC 4122 variant */
}

int do_mkfs(struct kmm *k, const char *dev, const char *type, unsigned int blocksize,
	    const char **why)
{
	const struct file_system_type *fst = get_fs_type(type);
	struct block_device *bdev;
	unsigned char uuid[16];

	if (!fst || !fst->mkfs) {
		*why = fst ? "this filesystem type lives on no device" : "unknown filesystem type";
		return -ENODEV;
	}
	bdev = lookup_bdev(dev);
	if (!bdev) {
		*why = "no such block device";
		return -ENOENT;
	}
	/* The root may be the device: mount it now, as any call would. */
	if (!k->fs->mounts)
		mount_root(k);
	if (get_super(k, bdev)) {
		*why = "the device is mounted";
		return -EBUSY;
	}
	make_uuid(k, uuid);
	return fst->mkfs(bdev, blocksize, uuid, why);
}

int iterate_supers(struct kmm *k, int (*fn)(struct super_block *sb, void *arg), void *arg)
{
	struct vfsmount *mnt;
	int r;

	for (mnt = k->fs->mounts; mnt; mnt = mnt->next) {
		r = fn(mnt->mnt_sb, arg);
		if (r)
			return r;
	}
	return 0;
}

void mounts_show(struct kmm *k, struct seq_buf *m)
{
	struct vfsmount *mnt;

	if (!k->fs->mounts && mount_root(k))
		return;			/* the root cannot be had: nothing mounted */

	for (mnt = k->fs->mounts; mnt; mnt = mnt->next)
		seq_printf(m, "%s %s %s %s 0 0\n", mnt->mnt_sb->s_id, mnt->mnt_point,
			   mnt->mnt_sb->s_type, (mnt->mnt_sb->s_flags & SB_RDONLY) ? "ro" : "rw");
}

void umount_block_filesystems(struct kmm *k, bool crash)
{
	struct vfsmount **pp = &k->fs->mounts, *mnt;

	while ((mnt = *pp)) {
		struct super_block *sb = mnt->mnt_sb;

		if (!sb->s_bdev) {
			pp = &mnt->next;
			continue;
		}
		if (crash && sb->s_op->shutdown)
			sb->s_op->shutdown(sb);
		else if (!crash && sb->s_op->sync_fs)
			sb->s_op->sync_fs(sb, 1);
		*pp = mnt->next;
		free_mnt(mnt);
	}
}

/* Shutdown: every mount goes, the last mounted first; nothing is synced
 * (a machine that stops is a power-off: docs/filemap.md). */
void umount_all(struct kmm *k)
{
	while (k->fs->mounts) {
		struct vfsmount **pp = &k->fs->mounts, *mnt;

		while ((*pp)->next)
			pp = &(*pp)->next;
		mnt = *pp;
		*pp = NULL;
		free_mnt(mnt);
	}
}
