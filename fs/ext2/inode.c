/*
 * fs/ext2/inode.c - inodes: read from and written to the inode table,
 * and the map from a file's blocks to the disk's through the 15 block
 * pointers (12 direct, one single, one double, one triple indirect);
 * allocation of what a write needs, truncation of what a size no longer
 * covers; whole-file reads and writes for callers without a page cache.
 *
 * Every block number read from the disk is checked before it is used:
 * inside the data area (never a bitmap, an inode table, a superblock or
 * a descriptor), and never a block already on the way down from the
 * inode, so that a corrupted indirect block cannot send a lookup round
 * in a circle or a write onto the filesystem's own structures.
 */
#include <stdlib.h>
#include <string.h>
#include "fs/ext2/ext2.h"

/* Where inode ino lives: its table block and the byte offset in it. */
static int inode_location(struct ext2_sb_info *sbi, unsigned long ino,
			  unsigned long *block, unsigned long *offset)
{
	struct ext2_group_desc *gdp;
	unsigned long group, index;

	if ((ino != EXT2_ROOT_INO && ino < sbi->s_first_ino) || ino > sbi->s_inodes_count ||
	    ino == 0) {
		ext2_error(sbi, "ext2_get_inode", "bad inode number: %lu", ino);
		return -EFSCORRUPTED;
	}
	group = (ino - 1) / sbi->s_inodes_per_group;
	index = (ino - 1) % sbi->s_inodes_per_group;
	gdp = ext2_get_group_desc(sbi, group, NULL);
	if (!gdp)
		return -EIO;
	*offset = index * sbi->s_inode_size;
	*block = le32_to_cpu(gdp->bg_inode_table) + (*offset >> sbi->s_blocksize_bits);
	*offset &= sbi->s_blocksize - 1;
	return 0;
}

static struct buffer_head *read_inode_block(struct ext2_sb_info *sbi, unsigned long ino,
					    struct ext2_inode **raw, int *err)
{
	unsigned long block, offset;
	struct buffer_head *bh;

	*err = inode_location(sbi, ino, &block, &offset);
	if (*err)
		return NULL;
	bh = __bread(sbi->s_bdev, block, sbi->s_blocksize);
	if (!bh) {
		ext2_error(sbi, "ext2_get_inode", "block %lu: unable to read inode block - "
			   "inode=%lu", block, ino);
		*err = -EIO;
		return NULL;
	}
	*raw = (struct ext2_inode *)(bh->b_data + offset);
	return bh;
}

static void inode_from_disk(struct ext2_inode_info *ei, const struct ext2_inode *raw)
{
	int i;

	ei->i_mode = le16_to_cpu(raw->i_mode);
	ei->i_uid = le16_to_cpu(raw->i_uid) | (unsigned int)le16_to_cpu(raw->i_uid_high) << 16;
	ei->i_gid = le16_to_cpu(raw->i_gid) | (unsigned int)le16_to_cpu(raw->i_gid_high) << 16;
	ei->i_links_count = le16_to_cpu(raw->i_links_count);
	ei->i_size = le32_to_cpu(raw->i_size);
	if (EXT2_ISREG(ei->i_mode))
		ei->i_size |= (unsigned long long)le32_to_cpu(raw->i_size_high) << 32;
	ei->i_blocks = le32_to_cpu(raw->i_blocks);
	ei->i_flags = le32_to_cpu(raw->i_flags);
	ei->i_atime = le32_to_cpu(raw->i_atime);
	ei->i_ctime = le32_to_cpu(raw->i_ctime);
	ei->i_mtime = le32_to_cpu(raw->i_mtime);
	ei->i_dtime = le32_to_cpu(raw->i_dtime);
	ei->i_generation = le32_to_cpu(raw->i_generation);
	ei->i_file_acl = le32_to_cpu(raw->i_file_acl);
	for (i = 0; i < EXT2_N_BLOCKS; i++)
		ei->i_data[i] = le32_to_cpu(raw->i_block[i]);
}

/*
 * The in-memory inodes, one per inode number (Linux's icache): every
 * ext2_iget of a number shares one ext2_inode_info, so that a change made
 * through one user (unlink's link count, a write's block pointers) is
 * seen by all, and none writes a stale copy back over another's.
 */
static struct ext2_inode_info *icache_find(struct ext2_sb_info *sbi, unsigned long ino)
{
	struct ext2_inode_info *ei;

	for (ei = sbi->s_inodes; ei; ei = ei->i_next)
		if (ei->i_ino == ino)
			return ei;
	return NULL;
}

void ext2_icache_add(struct ext2_inode_info *inode)
{
	inode->i_count = 1;
	inode->i_next = inode->i_sb->s_inodes;
	inode->i_sb->s_inodes = inode;
}

static void icache_del(struct ext2_inode_info *inode)
{
	struct ext2_inode_info **pp = &inode->i_sb->s_inodes;

	while (*pp && *pp != inode)
		pp = &(*pp)->i_next;
	if (*pp)
		*pp = inode->i_next;
}

/* Unmount: whatever is still held goes (nothing is written). */
void ext2_icache_free_all(struct ext2_sb_info *sbi)
{
	while (sbi->s_inodes) {
		struct ext2_inode_info *ei = sbi->s_inodes;

		sbi->s_inodes = ei->i_next;
		free(ei);
	}
}

/*
 * Reads inode ino: an in-memory inode the caller gives back with
 * ext2_iput, or NULL with *err (-EFSCORRUPTED for a number outside the
 * table, -ESTALE for an inode that was deleted, -EIO, -ENOMEM).
 */
struct ext2_inode_info *ext2_iget(struct ext2_sb_info *sbi, unsigned long ino, int *err)
{
	struct ext2_inode_info *ei = icache_find(sbi, ino);
	struct ext2_inode *raw;
	struct buffer_head *bh;

	if (ei) {
		if (!ei->i_links_count) {
			*err = -ESTALE;		/* unlinked, still open somewhere */
			return NULL;
		}
		ei->i_count++;
		return ei;
	}
	bh = read_inode_block(sbi, ino, &raw, err);
	if (!bh)
		return NULL;
	ei = calloc(1, sizeof(*ei));
	if (!ei) {
		brelse(bh);
		*err = -ENOMEM;
		return NULL;
	}
	ei->i_sb = sbi;
	ei->i_ino = ino;
	ei->i_block_group = (ino - 1) / sbi->s_inodes_per_group;
	inode_from_disk(ei, raw);
	brelse(bh);
	if (ei->i_links_count == 0 && (ei->i_mode == 0 || ei->i_dtime)) {
		free(ei);
		*err = -ESTALE;
		return NULL;
	}
	ext2_icache_add(ei);
	return ei;
}

/* The last reference: an inode without links is freed now (iput_final). */
void ext2_iput(struct ext2_inode_info *inode)
{
	if (!inode || --inode->i_count > 0)
		return;
	if (!inode->i_links_count && !inode->i_sb->s_read_only)
		ext2_evict_inode(inode);
	icache_del(inode);
	free(inode);
}

/* Copies the in-memory inode into its table block, which is marked dirty. */
int ext2_write_inode(struct ext2_inode_info *ei)
{
	struct ext2_sb_info *sbi = ei->i_sb;
	struct ext2_inode *raw;
	struct buffer_head *bh;
	int err, i;

	if (sbi->s_read_only)
		return -EROFS;
	bh = read_inode_block(sbi, ei->i_ino, &raw, &err);
	if (!bh)
		return err;
	raw->i_mode = cpu_to_le16(ei->i_mode);
	raw->i_uid = cpu_to_le16(ei->i_uid & 0xffff);
	raw->i_uid_high = cpu_to_le16(ei->i_uid >> 16);
	raw->i_gid = cpu_to_le16(ei->i_gid & 0xffff);
	raw->i_gid_high = cpu_to_le16(ei->i_gid >> 16);
	raw->i_links_count = cpu_to_le16(ei->i_links_count);
	raw->i_size = cpu_to_le32((uint32_t)ei->i_size);
	if (EXT2_ISREG(ei->i_mode))
		raw->i_size_high = cpu_to_le32((uint32_t)(ei->i_size >> 32));
	raw->i_blocks = cpu_to_le32(ei->i_blocks);
	raw->i_flags = cpu_to_le32(ei->i_flags);
	raw->i_atime = cpu_to_le32(ei->i_atime);
	raw->i_ctime = cpu_to_le32(ei->i_ctime);
	raw->i_mtime = cpu_to_le32(ei->i_mtime);
	raw->i_dtime = cpu_to_le32(ei->i_dtime);
	raw->i_generation = cpu_to_le32(ei->i_generation);
	raw->i_file_acl = cpu_to_le32(ei->i_file_acl);
	for (i = 0; i < EXT2_N_BLOCKS; i++)
		raw->i_block[i] = cpu_to_le32(ei->i_data[i]);
	mark_buffer_dirty(bh);
	brelse(bh);
	return 0;
}

/* The largest file: what the block pointers reach, within i_blocks' 32 bits. */
unsigned long long ext2_max_size(const struct ext2_sb_info *sbi)
{
	unsigned long long apb = sbi->s_addr_per_block;
	unsigned long long blocks = EXT2_NDIR_BLOCKS + apb + apb * apb + apb * apb * apb;
	unsigned long long limit = (1ull << 32) - 1;	/* i_blocks, in sectors */

	/* The indirect blocks count in i_blocks too: leave room for them. */
	limit = (limit >> (sbi->s_blocksize_bits - SECTOR_SHIFT)) - (1 + apb + apb * apb);
	if (blocks > limit)
		blocks = limit;
	return blocks << sbi->s_blocksize_bits;
}

/*
 * The path to file block iblock: offsets[0] is the slot in i_data,
 * offsets[1..] the slots in each indirect block down.  Returns the depth
 * (1 direct .. 4 triple indirect), or 0 past the largest file.
 */
static int block_to_path(const struct ext2_sb_info *sbi, unsigned long iblock, int offsets[4])
{
	unsigned long apb = sbi->s_addr_per_block, mask = apb - 1;
	unsigned int bits = sbi->s_addr_per_block_bits;

	if (iblock < EXT2_NDIR_BLOCKS) {
		offsets[0] = iblock;
		return 1;
	}
	iblock -= EXT2_NDIR_BLOCKS;
	if (iblock < apb) {
		offsets[0] = EXT2_IND_BLOCK;
		offsets[1] = iblock;
		return 2;
	}
	iblock -= apb;
	if (iblock < apb << bits) {
		offsets[0] = EXT2_DIND_BLOCK;
		offsets[1] = iblock >> bits;
		offsets[2] = iblock & mask;
		return 3;
	}
	iblock -= apb << bits;
	if ((iblock >> (2 * bits)) < apb) {
		offsets[0] = EXT2_TIND_BLOCK;
		offsets[1] = iblock >> (2 * bits);
		offsets[2] = (iblock >> bits) & mask;
		offsets[3] = iblock & mask;
		return 4;
	}
	return 0;
}

/* A block number found at `level` of the path to iblock: may it be followed? */
static bool check_pointer(struct ext2_inode_info *inode, unsigned long iblock,
			  const unsigned long *chain, int level, bool data)
{
	struct ext2_sb_info *sbi = inode->i_sb;
	unsigned long b = chain[level];
	int i;

	if (!ext2_data_block_valid(sbi, b, 1)) {
		ext2_error(sbi, "ext2_get_block", "block %lu: %s block outside the data area "
			   "- inode=%lu, iblock=%lu", b, data ? "data" : "indirect",
			   inode->i_ino, iblock);
		return false;
	}
	for (i = 0; i < level; i++) {
		if (chain[i] == b) {
			ext2_error(sbi, "ext2_get_block", "block %lu: loop in indirect blocks "
				   "- inode=%lu, iblock=%lu", b, inode->i_ino, iblock);
			return false;
		}
	}
	return true;
}

/* Where the next block of this inode should go: after its last one. */
static unsigned long find_goal(struct ext2_inode_info *inode)
{
	struct ext2_sb_info *sbi = inode->i_sb;

	if (inode->i_alloc_goal)
		return inode->i_alloc_goal + 1;
	return sbi->s_first_data_block + inode->i_block_group * sbi->s_blocks_per_group;
}

/* A fresh block for `inode`, zeroed when it will hold block pointers. */
static unsigned long alloc_block(struct ext2_inode_info *inode, bool indirect, int *err)
{
	struct ext2_sb_info *sbi = inode->i_sb;
	struct buffer_head *bh;
	unsigned long b;

	b = ext2_new_block(inode, find_goal(inode), err);
	if (!b)
		return 0;
	inode->i_alloc_goal = b;
	inode->i_blocks += sbi->s_blocksize >> SECTOR_SHIFT;
	if (!indirect)
		return b;
	/* An indirect block's old bytes would read as block pointers. */
	bh = __getblk(sbi->s_bdev, b, sbi->s_blocksize);
	if (!bh) {
		ext2_free_blocks(inode, b, 1);
		*err = -EIO;
		return 0;
	}
	memset(bh->b_data, 0, bh->b_size);
	set_buffer_uptodate(bh);
	mark_buffer_dirty(bh);
	brelse(bh);
	return b;
}

/*
 * The slot at one level of the path: i_data's for level 0, else one in
 * the indirect block chain[level - 1] (read into *bh).
 */
static int read_slot(struct ext2_inode_info *inode, const unsigned long *chain, int level,
		     int offset, struct buffer_head **bh, uint32_t *value)
{
	struct ext2_sb_info *sbi = inode->i_sb;

	*bh = NULL;
	if (level == 0) {
		*value = inode->i_data[offset];
		return 0;
	}
	*bh = __bread(sbi->s_bdev, chain[level - 1], sbi->s_blocksize);
	if (!*bh) {
		ext2_error(sbi, "ext2_get_block", "block %lu: unable to read indirect block "
			   "- inode=%lu", chain[level - 1], inode->i_ino);
		return -EIO;
	}
	*value = le32_to_cpu(((__le32 *)(*bh)->b_data)[offset]);
	return 0;
}

static void write_slot(struct ext2_inode_info *inode, struct buffer_head *bh, int offset,
		       uint32_t value)
{
	if (!bh) {
		inode->i_data[offset] = value;
		return;
	}
	((__le32 *)bh->b_data)[offset] = cpu_to_le32(value);
	mark_buffer_dirty(bh);
}

/*
 * Maps file block iblock to a disk block in *pblock (0: a hole).  With
 * create, a hole is filled: the data block and any indirect block on
 * the way are allocated (*new says the data block is fresh, its bytes
 * not yet written).  0 or -EIO, -EFSCORRUPTED, -ENOSPC, -EROFS, -EFBIG.
 */
static int __ext2_get_block(struct ext2_inode_info *inode, unsigned long iblock, int create,
			    unsigned long *pblock, bool *new)
{
	struct ext2_sb_info *sbi = inode->i_sb;
	unsigned long chain[4];
	bool allocated = false;
	int offsets[4], depth, level, err = 0;

	*pblock = 0;
	*new = false;
	depth = block_to_path(sbi, iblock, offsets);
	if (!depth)
		return create ? -EFBIG : 0;
	if (create && sbi->s_read_only)
		return -EROFS;
	for (level = 0; level < depth; level++) {
		struct buffer_head *bh;
		uint32_t b;

		err = read_slot(inode, chain, level, offsets[level], &bh, &b);
		if (err)
			break;
		if (!b && create) {
			b = alloc_block(inode, level < depth - 1, &err);
			if (b) {
				write_slot(inode, bh, offsets[level], b);
				allocated = true;
				*new = level == depth - 1;
			}
		}
		brelse(bh);
		if (!b)
			break;	/* a hole, or the allocation failed (err) */
		chain[level] = b;
		if (!check_pointer(inode, iblock, chain, level, level == depth - 1)) {
			err = -EFSCORRUPTED;
			break;
		}
		if (level == depth - 1)
			*pblock = b;
	}
	if (allocated) {
		int werr = ext2_write_inode(inode);

		if (!err)
			err = werr;
	}
	return err;
}

int ext2_get_block(struct ext2_inode_info *inode, unsigned long iblock, int create,
		   unsigned long *pblock)
{
	bool new;

	return __ext2_get_block(inode, iblock, create, pblock, &new);
}

/* Reads up to len bytes at pos: holes read as zeros, nothing past EOF. */
long ext2_read_file(struct ext2_inode_info *inode, unsigned long long pos, void *buf,
		    size_t len)
{
	struct ext2_sb_info *sbi = inode->i_sb;
	unsigned int bs = sbi->s_blocksize;
	char *dst = buf;
	size_t done = 0;

	if (pos >= inode->i_size)
		return 0;
	if (len > inode->i_size - pos)
		len = inode->i_size - pos;
	while (done < len) {
		unsigned long long at = pos + done;
		size_t off = at & (bs - 1), n = min((size_t)bs - off, len - done);
		unsigned long pblock;
		struct buffer_head *bh;
		int err;

		err = ext2_get_block(inode, at >> sbi->s_blocksize_bits, 0, &pblock);
		if (err)
			return done ? (long)done : err;
		if (!pblock) {
			memset(dst + done, 0, n);
		} else {
			bh = __bread(sbi->s_bdev, pblock, bs);
			if (!bh)
				return done ? (long)done : -EIO;
			memcpy(dst + done, bh->b_data + off, n);
			brelse(bh);
		}
		done += n;
	}
	return (long)done;
}

/* The buffer for a block a write covers [off, off + n) of. */
static struct buffer_head *write_buffer(struct ext2_sb_info *sbi, unsigned long pblock,
					bool new, size_t off, size_t n)
{
	struct buffer_head *bh;

	if (!new && (off || n < sbi->s_blocksize))
		return __bread(sbi->s_bdev, pblock, sbi->s_blocksize);
	/* Written whole, or fresh: nothing on the disk to keep. */
	bh = __getblk(sbi->s_bdev, pblock, sbi->s_blocksize);
	if (bh && !buffer_uptodate(bh)) {
		memset(bh->b_data, 0, bh->b_size);
		set_buffer_uptodate(bh);
	}
	return bh;
}

/*
 * Writes len bytes at pos, allocating as it goes, and grows i_size.  The
 * bytes written, or an error if none were (-ENOSPC when the disk is full).
 */
long ext2_write_file(struct ext2_inode_info *inode, unsigned long long pos,
		     const void *buf, size_t len)
{
	struct ext2_sb_info *sbi = inode->i_sb;
	unsigned int bs = sbi->s_blocksize;
	const char *src = buf;
	size_t done = 0;
	int err = 0;

	if (sbi->s_read_only)
		return -EROFS;
	if (pos > ext2_max_size(sbi) || len > ext2_max_size(sbi) - pos)
		return -EFBIG;
	while (done < len) {
		unsigned long long at = pos + done;
		size_t off = at & (bs - 1), n = min((size_t)bs - off, len - done);
		unsigned long pblock;
		struct buffer_head *bh;
		bool new;

		err = __ext2_get_block(inode, at >> sbi->s_blocksize_bits, 1, &pblock, &new);
		if (err)
			break;
		bh = write_buffer(sbi, pblock, new, off, n);
		if (!bh) {
			err = -EIO;
			break;
		}
		memcpy(bh->b_data + off, src + done, n);
		mark_buffer_dirty(bh);
		brelse(bh);
		done += n;
		if (at + n > inode->i_size)
			inode->i_size = at + n;
	}
	if (done) {
		inode->i_mtime = inode->i_ctime = ext2_now();
		ext2_write_inode(inode);
		return (long)done;
	}
	return err;
}

static unsigned long subtree_span(const struct ext2_sb_info *sbi, int depth)
{
	unsigned long span = 1;

	while (depth-- > 0)
		span <<= sbi->s_addr_per_block_bits;
	return span;
}

/*
 * Frees what the tree at *slot holds from file block `start` (counted
 * inside the tree) on; depth 0 is a data block, 1 an indirect block of
 * data blocks, and so on.  A tree freed whole frees its own block too.
 */
static void truncate_tree(struct ext2_inode_info *inode, struct buffer_head *parent,
			  uint32_t *slot_cpu, __le32 *slot_le, int depth, unsigned long start)
{
	struct ext2_sb_info *sbi = inode->i_sb;
	unsigned long b = slot_cpu ? *slot_cpu : le32_to_cpu(*slot_le);
	unsigned long span, i;
	struct buffer_head *bh;

	if (!b)
		return;
	if (depth > 0) {
		if (!ext2_data_block_valid(sbi, b, 1)) {
			ext2_error(sbi, "ext2_truncate", "block %lu: indirect block outside the "
				   "data area - inode=%lu", b, inode->i_ino);
			return;
		}
		bh = __bread(sbi->s_bdev, b, sbi->s_blocksize);
		if (!bh) {
			ext2_error(sbi, "ext2_truncate", "block %lu: unable to read indirect "
				   "block - inode=%lu", b, inode->i_ino);
			return;
		}
		span = subtree_span(sbi, depth - 1);
		for (i = start / span; i < sbi->s_addr_per_block; i++)
			truncate_tree(inode, bh, NULL, (__le32 *)bh->b_data + i, depth - 1,
				      i == start / span ? start % span : 0);
		mark_buffer_dirty(bh);
		if (start) {
			brelse(bh);
			return;
		}
		bforget(bh);	/* as Linux's: drops the reference too */
	}
	if (start)
		return;
	ext2_free_blocks(inode, b, 1);
	if (slot_cpu) {
		*slot_cpu = 0;
	} else {
		*slot_le = 0;
		mark_buffer_dirty(parent);
	}
}

/* Frees every block from file block `first` on. */
static void ext2_truncate_blocks(struct ext2_inode_info *inode, unsigned long first)
{
	struct ext2_sb_info *sbi = inode->i_sb;
	unsigned long base = EXT2_NDIR_BLOCKS;
	int i, depth;

	for (i = first; i < EXT2_NDIR_BLOCKS; i++)
		truncate_tree(inode, NULL, &inode->i_data[i], NULL, 0, 0);
	for (depth = 1; depth <= 3; depth++) {
		unsigned long span = subtree_span(sbi, depth);

		if (first < base + span)
			truncate_tree(inode, NULL, &inode->i_data[EXT2_IND_BLOCK + depth - 1],
				      NULL, depth, first > base ? first - base : 0);
		base += span;
	}
}

/* The bytes of the last block past a new, shorter size read as zeros later. */
static int zero_tail(struct ext2_inode_info *inode, unsigned long long size)
{
	struct ext2_sb_info *sbi = inode->i_sb;
	size_t off = size & (sbi->s_blocksize - 1);
	unsigned long pblock;
	struct buffer_head *bh;
	int err;

	if (!off)
		return 0;
	err = ext2_get_block(inode, size >> sbi->s_blocksize_bits, 0, &pblock);
	if (err || !pblock)
		return err;
	bh = __bread(sbi->s_bdev, pblock, sbi->s_blocksize);
	if (!bh)
		return -EIO;
	memset(bh->b_data + off, 0, sbi->s_blocksize - off);
	mark_buffer_dirty(bh);
	brelse(bh);
	return 0;
}

/* A symlink whose target sits in i_data: it owns no blocks to free. */
static bool is_fast_symlink(const struct ext2_inode_info *inode)
{
	unsigned long ea = inode->i_file_acl ? inode->i_sb->s_blocksize >> SECTOR_SHIFT : 0;

	return (inode->i_mode & EXT2_S_IFMT) == EXT2_S_IFLNK && inode->i_blocks == ea;
}

/* Sets i_size; a shorter size frees the blocks past it (ext2_truncate). */
int ext2_setsize(struct ext2_inode_info *inode, unsigned long long size)
{
	struct ext2_sb_info *sbi = inode->i_sb;
	int err;

	if (sbi->s_read_only)
		return -EROFS;
	if (size > ext2_max_size(sbi))
		return -EFBIG;
	if (is_fast_symlink(inode))
		return -EINVAL;
	if (size < inode->i_size) {
		err = sbi->s_data_in_pagecache ? 0 : zero_tail(inode, size);
		if (err)
			return err;
		ext2_truncate_blocks(inode, (unsigned long)DIV_ROUND_UP(size, sbi->s_blocksize));
	}
	inode->i_size = size;
	inode->i_mtime = inode->i_ctime = ext2_now();
	return ext2_write_inode(inode);
}

/* The last link has gone: free the blocks, then the inode. */
int ext2_evict_inode(struct ext2_inode_info *inode)
{
	if (inode->i_links_count)
		return 0;
	inode->i_dtime = ext2_now();
	if (!is_fast_symlink(inode))
		ext2_truncate_blocks(inode, 0);
	inode->i_size = 0;
	ext2_write_inode(inode);
	ext2_free_inode(inode);
	return 0;
}
