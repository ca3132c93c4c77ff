/*
 * fs/ext2/ialloc.c - inode allocation: each group's inode bitmap, its
 * descriptor's free-inode and directory counts and the superblock's
 * total, kept in step.  A file goes in its directory's group (its blocks
 * will follow it there); a new directory goes to the group with the most
 * free blocks among those with at least the average of free inodes, so
 * that directories spread over the disk.
 */
#include <string.h>
#include <stdlib.h>
#include "fs/ext2/ext2.h"

static struct buffer_head *read_inode_bitmap(struct ext2_sb_info *sbi, unsigned long group)
{
	struct ext2_group_desc *gdp = ext2_get_group_desc(sbi, group, NULL);
	struct buffer_head *bh;

	if (!gdp)
		return NULL;
	bh = __bread(sbi->s_bdev, le32_to_cpu(gdp->bg_inode_bitmap), sbi->s_blocksize);
	if (!bh)
		ext2_error(sbi, "read_inode_bitmap", "block %u: cannot read inode bitmap - "
			   "block_group = %lu", le32_to_cpu(gdp->bg_inode_bitmap), group);
	return bh;
}

static void adjust_group(struct ext2_sb_info *sbi, unsigned long group, int inodes, int dirs)
{
	struct buffer_head *gbh;
	struct ext2_group_desc *gdp = ext2_get_group_desc(sbi, group, &gbh);

	le16_add_cpu(&gdp->bg_free_inodes_count, inodes);
	le16_add_cpu(&gdp->bg_used_dirs_count, dirs);
	mark_buffer_dirty(gbh);
	le32_add_cpu(&sbi->s_es->s_free_inodes_count, inodes);
	mark_buffer_dirty(sbi->s_sbh);
}

static unsigned long find_group_dir(struct ext2_sb_info *sbi)
{
	unsigned long avg = le32_to_cpu(sbi->s_es->s_free_inodes_count) / sbi->s_groups_count;
	unsigned long g, best = sbi->s_groups_count, best_blocks = 0;

	for (g = 0; g < sbi->s_groups_count; g++) {
		struct ext2_group_desc *gdp = ext2_get_group_desc(sbi, g, NULL);
		unsigned long fi = le16_to_cpu(gdp->bg_free_inodes_count);
		unsigned long fb = le16_to_cpu(gdp->bg_free_blocks_count);

		if (!fi || fi < avg)
			continue;
		if (best == sbi->s_groups_count || fb > best_blocks) {
			best = g;
			best_blocks = fb;
		}
	}
	return best;
}

/* Takes a clear bit of the group's inode bitmap: the inode number, or 0. */
static unsigned long take_inode(struct ext2_sb_info *sbi, unsigned long group)
{
	unsigned long ipg = sbi->s_inodes_per_group, bit, start = 0;
	struct buffer_head *bh;

	/* Group 0 starts with the reserved inodes (root, resize, ...). */
	if (group == 0)
		start = sbi->s_first_ino - 1;
	bh = read_inode_bitmap(sbi, group);
	if (!bh)
		return 0;
	bit = ext2_find_next_zero_bit(bh->b_data, ipg, start);
	if (bit >= ipg) {
		brelse(bh);
		return 0;
	}
	ext2_set_bit(bit, bh->b_data);
	mark_buffer_dirty(bh);
	brelse(bh);
	return group * ipg + bit + 1;
}

static unsigned long alloc_ino(struct ext2_sb_info *sbi, unsigned long parent_group, bool dir)
{
	unsigned long first = parent_group, i, ino;

	if (dir) {
		first = find_group_dir(sbi);
		if (first == sbi->s_groups_count)
			first = parent_group;
	}
	for (i = 0; i < sbi->s_groups_count; i++) {
		unsigned long g = (first + i) % sbi->s_groups_count;
		struct ext2_group_desc *gdp = ext2_get_group_desc(sbi, g, NULL);

		if (!gdp->bg_free_inodes_count)
			continue;
		ino = take_inode(sbi, g);
		if (ino) {
			adjust_group(sbi, g, -1, dir ? 1 : 0);
			return ino;
		}
	}
	return 0;
}

/* The inode's table slot zeroed: nothing of a deleted inode survives in it. */
static int clear_on_disk(struct ext2_sb_info *sbi, unsigned long ino)
{
	unsigned long group = (ino - 1) / sbi->s_inodes_per_group;
	unsigned long off = ((ino - 1) % sbi->s_inodes_per_group) * sbi->s_inode_size;
	struct ext2_group_desc *gdp = ext2_get_group_desc(sbi, group, NULL);
	struct buffer_head *bh;

	bh = __bread(sbi->s_bdev, le32_to_cpu(gdp->bg_inode_table) + (off >> sbi->s_blocksize_bits),
		     sbi->s_blocksize);
	if (!bh)
		return -EIO;
	memset(bh->b_data + (off & (sbi->s_blocksize - 1)), 0, sbi->s_inode_size);
	mark_buffer_dirty(bh);
	brelse(bh);
	return 0;
}

/*
 * A new inode of the given mode (with no links yet: the caller adds the
 * entry and sets i_links_count), written to its table slot; NULL with
 * *err (-ENOSPC, -EROFS, -EIO, -ENOMEM).
 */
struct ext2_inode_info *ext2_new_inode(struct ext2_inode_info *dir, unsigned int mode, int *err)
{
	struct ext2_sb_info *sbi = dir->i_sb;
	struct ext2_inode_info *ei;
	unsigned long ino;

	if (sbi->s_read_only) {
		*err = -EROFS;
		return NULL;
	}
	ei = calloc(1, sizeof(*ei));
	if (!ei) {
		*err = -ENOMEM;
		return NULL;
	}
	ino = alloc_ino(sbi, dir->i_block_group, EXT2_ISDIR(mode));
	if (!ino || clear_on_disk(sbi, ino)) {
		*err = ino ? -EIO : -ENOSPC;
		free(ei);
		return NULL;
	}
	ei->i_sb = sbi;
	ei->i_ino = ino;
	ei->i_block_group = (ino - 1) / sbi->s_inodes_per_group;
	ei->i_mode = mode;
	ei->i_atime = ei->i_ctime = ei->i_mtime = ext2_now();
	ei->i_generation = (uint32_t)ino * 2654435761u;
	*err = ext2_write_inode(ei);
	if (*err) {
		free(ei);
		return NULL;
	}
	ext2_icache_add(ei);
	return ei;
}

/* The inode is no longer in use (its blocks are already freed). */
void ext2_free_inode(struct ext2_inode_info *inode)
{
	struct ext2_sb_info *sbi = inode->i_sb;
	unsigned long group = (inode->i_ino - 1) / sbi->s_inodes_per_group;
	unsigned long bit = (inode->i_ino - 1) % sbi->s_inodes_per_group;
	struct buffer_head *bh;

	if (inode->i_ino < sbi->s_first_ino || inode->i_ino > sbi->s_inodes_count) {
		ext2_error(sbi, "ext2_free_inode", "reserved or nonexistent inode %lu",
			   inode->i_ino);
		return;
	}
	bh = read_inode_bitmap(sbi, group);
	if (!bh)
		return;
	if (!ext2_test_bit(bit, bh->b_data)) {
		ext2_error(sbi, "ext2_free_inode", "bit already cleared for inode %lu",
			   inode->i_ino);
	} else {
		ext2_clear_bit(bit, bh->b_data);
		mark_buffer_dirty(bh);
		adjust_group(sbi, group, 1, EXT2_ISDIR(inode->i_mode) ? -1 : 0);
	}
	brelse(bh);
}
