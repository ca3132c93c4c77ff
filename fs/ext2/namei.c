/*
 * fs/ext2/namei.c - names: the walk from the root down a path, and the
 * operations that add and remove names (create, mkdir, link, unlink,
 * rmdir, rename) with the link counts they change.  A directory's count
 * is 2 (its entry and its ".") plus one for each subdirectory's "..".
 *
 * The directories are the caller's in-memory inodes (updated here); an
 * inode whose last link goes is freed at its last ext2_iput.
 */
#include <string.h>
#include "fs/ext2/ext2.h"

#define EXT2_LINK_MAX	32000

static bool is_dot_or_dotdot(const char *name)
{
	return !strcmp(name, ".") || !strcmp(name, "..");
}

int ext2_lookup(struct ext2_inode_info *dir, const char *name, unsigned long *ino)
{
	size_t len = strlen(name);

	if (!EXT2_ISDIR(dir->i_mode))
		return -ENOTDIR;
	if (len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	if (!len)
		return -ENOENT;
	return ext2_inode_by_name(dir, name, (int)len, ino);
}

/* Looks component up in directory inode *ino, replacing *ino with the result. */
static int walk_one(struct ext2_sb_info *sbi, const char *name, size_t len, unsigned long *ino)
{
	struct ext2_inode_info *dir;
	int err;

	if (len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	dir = ext2_iget(sbi, *ino, &err);
	if (!dir)
		return err == -ESTALE ? -EIO : err;
	if (!EXT2_ISDIR(dir->i_mode))
		err = -ENOTDIR;
	else
		err = ext2_inode_by_name(dir, name, (int)len, ino);
	ext2_iput(dir);
	return err;
}

/* The inode number at an absolute or root-relative path ("/a/b", "a//b/"). */
int ext2_namei(struct ext2_sb_info *sbi, const char *path, unsigned long *ino)
{
	*ino = EXT2_ROOT_INO;
	while (*path) {
		size_t len = strcspn(path, "/");
		int err;

		if (len) {
			err = walk_one(sbi, path, len, ino);
			if (err)
				return err;
		}
		path += len;
		path += *path == '/';
	}
	return 0;
}

/* A new inode linked into dir under name; undone whole if the link fails. */
static struct ext2_inode_info *new_linked(struct ext2_inode_info *dir, const char *name,
					  unsigned int mode, int *err)
{
	struct ext2_inode_info *inode;
	size_t len = strlen(name);

	if (dir->i_sb->s_read_only) {
		*err = -EROFS;
		return NULL;
	}
	if (!EXT2_ISDIR(dir->i_mode)) {
		*err = -ENOTDIR;
		return NULL;
	}
	if (!len || len > EXT2_NAME_LEN || strchr(name, '/')) {
		*err = len > EXT2_NAME_LEN ? -ENAMETOOLONG : -EINVAL;
		return NULL;
	}
	inode = ext2_new_inode(dir, mode, err);
	if (!inode)
		return NULL;
	inode->i_links_count = EXT2_ISDIR(mode) ? 2 : 1;
	*err = EXT2_ISDIR(mode) ? ext2_make_empty(inode, dir) : ext2_write_inode(inode);
	if (!*err)
		*err = ext2_add_link(dir, name, (int)len, inode);
	if (*err) {
		inode->i_links_count = 0;
		ext2_iput(inode);	/* the last reference: freed */
		return NULL;
	}
	return inode;
}

int ext2_create(struct ext2_inode_info *dir, const char *name, unsigned int mode,
		unsigned long *ino)
{
	struct ext2_inode_info *inode;
	int err;

	inode = new_linked(dir, name, EXT2_S_IFREG | (mode & 07777), &err);
	if (!inode)
		return err;
	*ino = inode->i_ino;
	ext2_iput(inode);
	return 0;
}

int ext2_mkdir(struct ext2_inode_info *dir, const char *name, unsigned int mode,
	       unsigned long *ino)
{
	struct ext2_inode_info *inode;
	int err;

	if (dir->i_links_count >= EXT2_LINK_MAX)
		return -EMLINK;
	inode = new_linked(dir, name, EXT2_S_IFDIR | (mode & 07777), &err);
	if (!inode)
		return err;
	*ino = inode->i_ino;
	ext2_iput(inode);
	dir->i_links_count++;	/* the new directory's ".." */
	return ext2_write_inode(dir);
}

int ext2_link(struct ext2_inode_info *dir, const char *name, struct ext2_inode_info *inode)
{
	int err;

	if (dir->i_sb->s_read_only)
		return -EROFS;
	if (EXT2_ISDIR(inode->i_mode))
		return -EPERM;
	if (inode->i_links_count >= EXT2_LINK_MAX)
		return -EMLINK;
	err = ext2_add_link(dir, name, (int)strlen(name), inode);
	if (err)
		return err;
	inode->i_links_count++;
	inode->i_ctime = ext2_now();
	return ext2_write_inode(inode);
}

/*
 * One link of inode fewer (two for a directory).  Without links it is
 * freed at its last ext2_iput: at once if only the caller holds it, else
 * when the last user (an open file) lets go, as Linux frees it.
 */
static int drop_link(struct ext2_inode_info *inode)
{
	if (EXT2_ISDIR(inode->i_mode))
		inode->i_links_count = 0;
	else if (inode->i_links_count)
		inode->i_links_count--;
	inode->i_ctime = ext2_now();
	return ext2_write_inode(inode);
}

/* The inode dir's name refers to, read. */
static struct ext2_inode_info *get_child(struct ext2_inode_info *dir, const char *name,
					 int *err)
{
	struct ext2_inode_info *inode;
	unsigned long ino;

	*err = ext2_lookup(dir, name, &ino);
	if (*err)
		return NULL;
	inode = ext2_iget(dir->i_sb, ino, err);
	if (!inode && *err == -ESTALE) {
		ext2_error(dir->i_sb, "ext2_lookup", "deleted inode referenced: %lu", ino);
		*err = -EIO;
	}
	return inode;
}

int ext2_unlink(struct ext2_inode_info *dir, const char *name)
{
	struct ext2_inode_info *inode;
	int err;

	if (dir->i_sb->s_read_only)
		return -EROFS;
	inode = get_child(dir, name, &err);
	if (!inode)
		return err;
	if (EXT2_ISDIR(inode->i_mode))
		err = -EISDIR;
	else
		err = ext2_delete_entry(dir, name, (int)strlen(name));
	if (!err)
		err = drop_link(inode);
	ext2_iput(inode);
	return err;
}

int ext2_rmdir(struct ext2_inode_info *dir, const char *name)
{
	struct ext2_inode_info *inode;
	int err;

	if (dir->i_sb->s_read_only)
		return -EROFS;
	if (!strcmp(name, "."))
		return -EINVAL;
	if (!strcmp(name, ".."))
		return -ENOTEMPTY;
	inode = get_child(dir, name, &err);
	if (!inode)
		return err;
	if (!EXT2_ISDIR(inode->i_mode))
		err = -ENOTDIR;
	else if (!ext2_empty_dir(inode))
		err = -ENOTEMPTY;
	else
		err = ext2_delete_entry(dir, name, (int)strlen(name));
	if (!err) {
		err = drop_link(inode);
		dir->i_links_count--;	/* its ".." */
		ext2_write_inode(dir);
	}
	ext2_iput(inode);
	return err;
}

/* Whether directory ino is dir or one of dir's ancestors (a move into itself). */
static int is_ancestor(struct ext2_inode_info *dir, unsigned long ino)
{
	unsigned long cur = dir->i_ino, depth;

	for (depth = 0; depth < dir->i_sb->s_inodes_count; depth++) {
		if (cur == ino)
			return 1;
		if (cur == EXT2_ROOT_INO)
			return 0;
		if (walk_one(dir->i_sb, "..", 2, &cur))
			return -EIO;
	}
	ext2_error(dir->i_sb, "ext2_rename", "loop in the \"..\" chain of directory #%lu",
		   dir->i_ino);
	return -EFSCORRUPTED;
}

/* What may replace what: a directory only an empty directory, a file only a file. */
static int check_target(struct ext2_inode_info *old, struct ext2_inode_info *target)
{
	if (EXT2_ISDIR(old->i_mode)) {
		if (!EXT2_ISDIR(target->i_mode))
			return -ENOTDIR;
		if (!ext2_empty_dir(target))
			return -ENOTEMPTY;
	} else if (EXT2_ISDIR(target->i_mode)) {
		return -EISDIR;
	}
	return 0;
}

/* new_name in new_dir now names old (replacing target, if there is one). */
static int rename_link(struct ext2_inode_info *new_dir, const char *new_name,
		       struct ext2_inode_info *old, struct ext2_inode_info *target)
{
	int len = (int)strlen(new_name), err;

	if (!target) {
		err = ext2_add_link(new_dir, new_name, len, old);
		if (!err && EXT2_ISDIR(old->i_mode))
			new_dir->i_links_count++;
		return err;
	}
	err = ext2_set_link(new_dir, new_name, len, old);
	if (err)
		return err;
	if (EXT2_ISDIR(target->i_mode))
		new_dir->i_links_count--;	/* the replaced directory's ".." */
	return drop_link(target);
}

static int do_rename(struct ext2_inode_info *old_dir, const char *old_name,
		     struct ext2_inode_info *new_dir, const char *new_name,
		     struct ext2_inode_info *old)
{
	struct ext2_inode_info *target;
	unsigned long ino;
	int err;

	if (EXT2_ISDIR(old->i_mode)) {
		err = is_ancestor(new_dir, old->i_ino);
		if (err)
			return err < 0 ? err : -EINVAL;
	}
	err = ext2_lookup(new_dir, new_name, &ino);
	if (err && err != -ENOENT)
		return err;
	target = NULL;
	if (!err)
		target = ext2_iget(new_dir->i_sb, ino, &err);
	else
		err = 0;
	if (!err && target && target->i_ino == old->i_ino) {
		ext2_iput(target);
		return 0;	/* two names of one inode: nothing to do */
	}
	if (!err && target)
		err = check_target(old, target);
	if (!err)
		err = rename_link(new_dir, new_name, old, target);
	ext2_iput(target);
	if (err)
		return err;
	err = ext2_delete_entry(old_dir, old_name, (int)strlen(old_name));
	if (err)
		return err;
	if (EXT2_ISDIR(old->i_mode) && old_dir != new_dir) {
		old_dir->i_links_count--;
		err = ext2_set_link(old, "..", 2, new_dir);
	}
	old->i_ctime = ext2_now();
	ext2_write_inode(old);
	ext2_write_inode(old_dir);
	if (new_dir != old_dir)
		ext2_write_inode(new_dir);
	return err;
}

/* rename(2) within or between directories (old_dir may be new_dir). */
int ext2_rename(struct ext2_inode_info *old_dir, const char *old_name,
		struct ext2_inode_info *new_dir, const char *new_name)
{
	struct ext2_inode_info *old;
	int err;

	if (old_dir->i_sb->s_read_only)
		return -EROFS;
	if (new_dir->i_ino == old_dir->i_ino)
		new_dir = old_dir;
	if (is_dot_or_dotdot(old_name) || is_dot_or_dotdot(new_name))
		return -EINVAL;
	if (!*new_name || strlen(new_name) > EXT2_NAME_LEN || strchr(new_name, '/'))
		return strlen(new_name) > EXT2_NAME_LEN ? -ENAMETOOLONG : -EINVAL;
	if (!EXT2_ISDIR(new_dir->i_mode))
		return -ENOTDIR;
	old = get_child(old_dir, old_name, &err);
	if (!old)
		return err;
	err = do_rename(old_dir, old_name, new_dir, new_name, old);
	ext2_iput(old);
	return err;
}
