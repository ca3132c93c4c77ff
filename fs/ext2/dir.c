/*
 * fs/ext2/dir.c - directories: a file of blocks, each a chain of entries
 * (inode, rec_len, name_len, file_type, name) whose rec_len fields add up
 * to exactly the block.  Reading, looking up, adding and removing
 * entries, making a new directory's "." and "..".
 *
 * A block is checked as a whole before any entry in it is believed
 * (the rules of Linux's ext2_check_page, per block): every rec_len at
 * least the smallest entry, a multiple of 4, big enough for its name,
 * never crossing the block's end, and every inode number inside the
 * inode table.  A block that fails is reported with its number and the
 * operation fails with -EFSCORRUPTED; no entry of it is used.
 */
#include <string.h>
#include "fs/ext2/ext2.h"

static unsigned int rec_len(const struct ext2_dir_entry_2 *de)
{
	return le16_to_cpu(de->rec_len);
}

static struct ext2_dir_entry_2 *entry_at(struct buffer_head *bh, unsigned int offs)
{
	return (struct ext2_dir_entry_2 *)(bh->b_data + offs);
}

static unsigned long dir_blocks(const struct ext2_inode_info *dir)
{
	return (unsigned long)(dir->i_size >> dir->i_sb->s_blocksize_bits);
}

static bool check_dir_block(struct ext2_inode_info *dir, struct buffer_head *bh,
			    unsigned long n)
{
	struct ext2_sb_info *sbi = dir->i_sb;
	unsigned int limit = sbi->s_blocksize, offs;
	const struct ext2_dir_entry_2 *de = NULL;
	const char *what = NULL;

	for (offs = 0; offs <= limit - EXT2_DIR_REC_LEN(1); offs += rec_len(de)) {
		de = entry_at(bh, offs);
		if (rec_len(de) < EXT2_DIR_REC_LEN(1))
			what = "rec_len is smaller than minimal";
		else if (rec_len(de) & 3)
			what = "unaligned directory entry";
		else if (rec_len(de) < EXT2_DIR_REC_LEN(de->name_len))
			what = "rec_len is too small for name_len";
		else if (offs + rec_len(de) > limit)
			what = "directory entry across blocks";
		else if (le32_to_cpu(de->inode) > sbi->s_inodes_count)
			what = "inode out of bounds";
		if (what)
			break;
	}
	if (!what && offs != limit) {
		de = entry_at(bh, offs);
		what = "entry spans the end of the block";
	}
	if (!what)
		return true;
	ext2_error(sbi, "ext2_check_page", "block %llu: bad entry in directory #%lu: %s - "
		   "offset=%lu, inode=%u, rec_len=%u, name_len=%u", bh->b_blocknr, dir->i_ino,
		   what, (n << sbi->s_blocksize_bits) + offs,
		   offs + 8 <= limit ? le32_to_cpu(de->inode) : 0,
		   offs + 8 <= limit ? rec_len(de) : 0, offs + 8 <= limit ? de->name_len : 0);
	return false;
}

static bool check_dir_size(struct ext2_inode_info *dir)
{
	struct ext2_sb_info *sbi = dir->i_sb;

	if (!(dir->i_size & (sbi->s_blocksize - 1)))
		return true;
	ext2_error(sbi, "ext2_check_page", "size of directory #%lu is not a multiple of "
		   "chunk size (%llu)", dir->i_ino, dir->i_size);
	return false;
}

/* Block n of a directory, read and checked: 0, or -EFSCORRUPTED / -EIO. */
static int dir_bread(struct ext2_inode_info *dir, unsigned long n, struct buffer_head **bhp)
{
	struct ext2_sb_info *sbi = dir->i_sb;
	unsigned long pblock;
	struct buffer_head *bh;
	int err;

	*bhp = NULL;
	err = ext2_get_block(dir, n, 0, &pblock);
	if (err)
		return err;
	if (!pblock) {
		/* mke2fs and ext2 never leave holes in a directory. */
		ext2_error(sbi, "ext2_get_page", "directory #%lu contains a hole at offset %lu",
			   dir->i_ino, n << sbi->s_blocksize_bits);
		return -EFSCORRUPTED;
	}
	bh = __bread(sbi->s_bdev, pblock, sbi->s_blocksize);
	if (!bh) {
		ext2_error(sbi, "ext2_get_page", "block %lu: unable to read directory #%lu",
			   pblock, dir->i_ino);
		return -EIO;
	}
	if (!check_dir_block(dir, bh, n)) {
		brelse(bh);
		return -EFSCORRUPTED;
	}
	*bhp = bh;
	return 0;
}

/* Calls actor for every entry in use; stops when it returns non-zero. */
int ext2_readdir(struct ext2_inode_info *dir, ext2_filldir_t actor, void *ctx)
{
	unsigned int bs = dir->i_sb->s_blocksize, offs;
	unsigned long n;

	if (!check_dir_size(dir))
		return -EFSCORRUPTED;
	for (n = 0; n < dir_blocks(dir); n++) {
		struct buffer_head *bh;
		int err = dir_bread(dir, n, &bh), stop = 0;

		if (err)
			return err;
		for (offs = 0; offs < bs && !stop; offs += rec_len(entry_at(bh, offs))) {
			struct ext2_dir_entry_2 *de = entry_at(bh, offs);

			if (de->inode)
				stop = actor(ctx, de->name, de->name_len, le32_to_cpu(de->inode),
					     de->file_type);
		}
		brelse(bh);
		if (stop)
			break;
	}
	return 0;
}

static bool name_matches(const struct ext2_dir_entry_2 *de, const char *name, int len)
{
	return de->inode && de->name_len == len && !memcmp(de->name, name, len);
}

/*
 * The entry for name: its block (with a reference) and offset, and the
 * offset of the entry before it in that block (-1: it is the first).
 * 0, -ENOENT, or the error reading the directory.
 */
static int find_entry(struct ext2_inode_info *dir, const char *name, int len,
		      struct buffer_head **bhp, unsigned int *offp, int *prevp)
{
	unsigned int bs = dir->i_sb->s_blocksize, offs;
	unsigned long n;

	if (!check_dir_size(dir))
		return -EFSCORRUPTED;
	for (n = 0; n < dir_blocks(dir); n++) {
		struct buffer_head *bh;
		int err = dir_bread(dir, n, &bh), prev = -1;

		if (err)
			return err;
		for (offs = 0; offs < bs; offs += rec_len(entry_at(bh, offs))) {
			if (name_matches(entry_at(bh, offs), name, len)) {
				*bhp = bh;
				*offp = offs;
				if (prevp)
					*prevp = prev;
				return 0;
			}
			prev = offs;
		}
		brelse(bh);
	}
	return -ENOENT;
}

int ext2_inode_by_name(struct ext2_inode_info *dir, const char *name, int len,
		       unsigned long *ino)
{
	struct buffer_head *bh;
	unsigned int offs;
	int err;

	err = find_entry(dir, name, len, &bh, &offs, NULL);
	if (err)
		return err;
	*ino = le32_to_cpu(entry_at(bh, offs)->inode);
	brelse(bh);
	return 0;
}

static uint8_t file_type_of(const struct ext2_sb_info *sbi, unsigned int mode)
{
	static const uint8_t types[16] = {
		[EXT2_S_IFREG >> 12] = EXT2_FT_REG_FILE, [EXT2_S_IFDIR >> 12] = EXT2_FT_DIR,
		[EXT2_S_IFCHR >> 12] = EXT2_FT_CHRDEV, [EXT2_S_IFBLK >> 12] = EXT2_FT_BLKDEV,
		[EXT2_S_IFIFO >> 12] = EXT2_FT_FIFO, [EXT2_S_IFSOCK >> 12] = EXT2_FT_SOCK,
		[EXT2_S_IFLNK >> 12] = EXT2_FT_SYMLINK,
	};

	if (!ext2_has_incompat(sbi, EXT2_FEATURE_INCOMPAT_FILETYPE))
		return 0;
	return types[(mode & EXT2_S_IFMT) >> 12];
}

/* A directory changed: ext3's hash index (if any) no longer matches it. */
static int dir_changed(struct ext2_inode_info *dir)
{
	dir->i_mtime = dir->i_ctime = ext2_now();
	dir->i_flags &= ~EXT2_INDEX_FL;
	return ext2_write_inode(dir);
}

/* Whether an entry has room for `need` more bytes: a free one, or its tail. */
static bool entry_fits(const struct ext2_dir_entry_2 *de, unsigned int need)
{
	unsigned int used = de->inode ? EXT2_DIR_REC_LEN(de->name_len) : 0;

	return rec_len(de) >= used + need;
}

/* A new last block for the directory, one free entry covering it. */
static int dir_grow(struct ext2_inode_info *dir, struct buffer_head **bhp)
{
	struct ext2_sb_info *sbi = dir->i_sb;
	struct ext2_dir_entry_2 *de;
	unsigned long pblock;
	struct buffer_head *bh;
	int err;

	err = ext2_get_block(dir, dir_blocks(dir), 1, &pblock);
	if (err)
		return err;
	bh = __getblk(sbi->s_bdev, pblock, sbi->s_blocksize);
	if (!bh)
		return -EIO;
	memset(bh->b_data, 0, bh->b_size);
	set_buffer_uptodate(bh);
	de = entry_at(bh, 0);
	de->rec_len = cpu_to_le16(sbi->s_blocksize);
	mark_buffer_dirty(bh);
	dir->i_size += sbi->s_blocksize;
	*bhp = bh;
	return 0;
}

/* Fills the free room in the entry at offs with name -> inode. */
static void insert_entry(struct buffer_head *bh, unsigned int offs, const char *name, int len,
			 struct ext2_inode_info *inode)
{
	struct ext2_dir_entry_2 *de = entry_at(bh, offs);

	if (de->inode) {
		unsigned int used = EXT2_DIR_REC_LEN(de->name_len);
		struct ext2_dir_entry_2 *de1 = entry_at(bh, offs + used);

		de1->rec_len = cpu_to_le16(rec_len(de) - used);
		de->rec_len = cpu_to_le16(used);
		de = de1;
	}
	de->inode = cpu_to_le32(inode->i_ino);
	de->name_len = len;
	de->file_type = file_type_of(inode->i_sb, inode->i_mode);
	memcpy(de->name, name, len);
	mark_buffer_dirty(bh);
}

/* Adds name -> inode to dir: 0, -EEXIST, -ENAMETOOLONG, -ENOSPC, ... */
int ext2_add_link(struct ext2_inode_info *dir, const char *name, int len,
		  struct ext2_inode_info *inode)
{
	unsigned int bs = dir->i_sb->s_blocksize, need = EXT2_DIR_REC_LEN(len), offs;
	unsigned long n, slot_block = 0, slot_offs = 0;
	struct buffer_head *bh;
	bool found = false;
	int err;

	if (len <= 0 || len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	if (!check_dir_size(dir))
		return -EFSCORRUPTED;
	for (n = 0; n < dir_blocks(dir); n++) {
		err = dir_bread(dir, n, &bh);
		if (err)
			return err;
		for (offs = 0; offs < bs; offs += rec_len(entry_at(bh, offs))) {
			struct ext2_dir_entry_2 *de = entry_at(bh, offs);

			if (name_matches(de, name, len)) {
				brelse(bh);
				return -EEXIST;
			}
			if (!found && entry_fits(de, need)) {
				found = true;
				slot_block = n;
				slot_offs = offs;
			}
		}
		brelse(bh);
	}
	if (found)
		err = dir_bread(dir, slot_block, &bh);
	else
		err = dir_grow(dir, &bh);
	if (err)
		return err;
	insert_entry(bh, found ? slot_offs : 0, name, len, inode);
	brelse(bh);
	return dir_changed(dir);
}

/* Removes name from dir: the entry before it takes its room. */
int ext2_delete_entry(struct ext2_inode_info *dir, const char *name, int len)
{
	struct ext2_dir_entry_2 *de;
	struct buffer_head *bh;
	unsigned int offs;
	int err, prev;

	err = find_entry(dir, name, len, &bh, &offs, &prev);
	if (err)
		return err;
	de = entry_at(bh, offs);
	if (prev >= 0) {
		struct ext2_dir_entry_2 *pde = entry_at(bh, prev);

		pde->rec_len = cpu_to_le16(rec_len(pde) + rec_len(de));
	}
	de->inode = 0;
	mark_buffer_dirty(bh);
	brelse(bh);
	return dir_changed(dir);
}

/* Points the existing entry name at inode instead (rename, ".."). */
int ext2_set_link(struct ext2_inode_info *dir, const char *name, int len,
		  struct ext2_inode_info *inode)
{
	struct ext2_dir_entry_2 *de;
	struct buffer_head *bh;
	unsigned int offs;
	int err;

	err = find_entry(dir, name, len, &bh, &offs, NULL);
	if (err)
		return err;
	de = entry_at(bh, offs);
	de->inode = cpu_to_le32(inode->i_ino);
	de->file_type = file_type_of(dir->i_sb, inode->i_mode);
	mark_buffer_dirty(bh);
	brelse(bh);
	return dir_changed(dir);
}

/* A new directory's first block: "." and "..", the latter to the end. */
int ext2_make_empty(struct ext2_inode_info *inode, struct ext2_inode_info *parent)
{
	struct ext2_sb_info *sbi = inode->i_sb;
	struct ext2_dir_entry_2 *de;
	struct buffer_head *bh;
	int err;

	err = dir_grow(inode, &bh);
	if (err)
		return err;
	de = entry_at(bh, 0);
	de->inode = cpu_to_le32(inode->i_ino);
	de->rec_len = cpu_to_le16(EXT2_DIR_REC_LEN(1));
	de->name_len = 1;
	de->file_type = file_type_of(sbi, inode->i_mode);
	memcpy(de->name, ".", 1);
	de = entry_at(bh, EXT2_DIR_REC_LEN(1));
	de->inode = cpu_to_le32(parent->i_ino);
	de->rec_len = cpu_to_le16(sbi->s_blocksize - EXT2_DIR_REC_LEN(1));
	de->name_len = 2;
	de->file_type = file_type_of(sbi, parent->i_mode);
	memcpy(de->name, "..", 2);
	mark_buffer_dirty(bh);
	brelse(bh);
	return ext2_write_inode(inode);
}

static int not_dot(void *ctx, const char *name, int len, unsigned long ino, unsigned int type)
{
	bool *empty = ctx;

	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	*empty = false;
	return 1;
}

/* Whether dir holds nothing but "." and "..": an unreadable one does not count as empty. */
int ext2_empty_dir(struct ext2_inode_info *dir)
{
	bool empty = true;

	if (ext2_readdir(dir, not_dot, &empty))
		return 0;
	return empty;
}
