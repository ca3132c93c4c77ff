/*
 * fs/ext2/balloc.c - block allocation: each group's block bitmap (one bit
 * a block, set when in use), its descriptor's free count and the
 * superblock's total, kept in step.  A new block goes near a goal (the
 * block after the file's last one), in the goal's group first, so that a
 * file grows contiguously.
 *
 * Allocation is made as root would: the blocks reserved for root
 * (s_r_blocks_count) may be used too, so ENOSPC means no bit is clear.
 */
#include "fs/ext2/ext2.h"

static struct buffer_head *read_block_bitmap(struct ext2_sb_info *sbi, unsigned long group)
{
	struct ext2_group_desc *gdp = ext2_get_group_desc(sbi, group, NULL);
	struct buffer_head *bh;

	if (!gdp)
		return NULL;
	bh = __bread(sbi->s_bdev, le32_to_cpu(gdp->bg_block_bitmap), sbi->s_blocksize);
	if (!bh)
		ext2_error(sbi, "read_block_bitmap", "block %u: cannot read block bitmap - "
			   "block_group = %lu", le32_to_cpu(gdp->bg_block_bitmap), group);
	return bh;
}

/* Blocks in a group: the last one ends with the filesystem. */
static unsigned long group_nr_blocks(const struct ext2_sb_info *sbi, unsigned long group)
{
	unsigned long first = group * sbi->s_blocks_per_group;

	return min(sbi->s_blocks_per_group, sbi->s_blocks_count - sbi->s_first_data_block - first);
}

/* Counts a change of n free blocks in the group and in the superblock. */
static void adjust_free_blocks(struct ext2_sb_info *sbi, unsigned long group, int n)
{
	struct buffer_head *gbh;
	struct ext2_group_desc *gdp = ext2_get_group_desc(sbi, group, &gbh);

	le16_add_cpu(&gdp->bg_free_blocks_count, n);
	mark_buffer_dirty(gbh);
	le32_add_cpu(&sbi->s_es->s_free_blocks_count, n);
	mark_buffer_dirty(sbi->s_sbh);
}

/* Takes a clear bit of the group's bitmap from `start` on: the block, or 0. */
static unsigned long take_in_group(struct ext2_sb_info *sbi, unsigned long group,
				   unsigned long start)
{
	unsigned long nbits = group_nr_blocks(sbi, group), bit, block;
	struct buffer_head *bh = read_block_bitmap(sbi, group);

	if (!bh)
		return 0;
	for (bit = ext2_find_next_zero_bit(bh->b_data, nbits, start); bit < nbits;
	     bit = ext2_find_next_zero_bit(bh->b_data, nbits, bit + 1)) {
		block = sbi->s_first_data_block + group * sbi->s_blocks_per_group + bit;
		if (ext2_data_block_valid(sbi, block, 1))
			break;
		/* The bitmap says a structure's block is free: never hand it out. */
		ext2_error(sbi, "ext2_new_blocks", "block %lu: allocating block in system "
			   "zone", block);
	}
	if (bit >= nbits) {
		brelse(bh);
		return 0;
	}
	ext2_set_bit(bit, bh->b_data);
	mark_buffer_dirty(bh);
	brelse(bh);
	adjust_free_blocks(sbi, group, -1);
	return block;
}

/*
 * A free block, as near `goal` as can be found: its number, or 0 with
 * *err (-ENOSPC, -EROFS, -EIO).  The caller counts it in i_blocks.
 */
unsigned long ext2_new_block(struct ext2_inode_info *inode, unsigned long goal, int *err)
{
	struct ext2_sb_info *sbi = inode->i_sb;
	unsigned long group, start, i, block;

	if (sbi->s_read_only) {
		*err = -EROFS;
		return 0;
	}
	if (goal < sbi->s_first_data_block || goal >= sbi->s_blocks_count)
		goal = sbi->s_first_data_block;
	group = (goal - sbi->s_first_data_block) / sbi->s_blocks_per_group;
	start = (goal - sbi->s_first_data_block) % sbi->s_blocks_per_group;
	for (i = 0; i <= sbi->s_groups_count; i++) {
		unsigned long g = (group + i) % sbi->s_groups_count;
		struct ext2_group_desc *gdp = ext2_get_group_desc(sbi, g, NULL);

		if (!gdp->bg_free_blocks_count)
			continue;
		/* The goal's group from the goal on, last from its start. */
		block = take_in_group(sbi, g, i == 0 ? start : 0);
		if (block)
			return block;
	}
	*err = -ENOSPC;
	return 0;
}

/* Gives back [block, block + count) of inode's, out of its i_blocks. */
void ext2_free_blocks(struct ext2_inode_info *inode, unsigned long block, unsigned long count)
{
	struct ext2_sb_info *sbi = inode->i_sb;
	unsigned long b;

	if (!ext2_data_block_valid(sbi, block, count)) {
		ext2_error(sbi, "ext2_free_blocks", "block %lu: freeing blocks not in datazone "
			   "- count = %lu", block, count);
		return;
	}
	for (b = block; b < block + count; b++) {
		unsigned long group = (b - sbi->s_first_data_block) / sbi->s_blocks_per_group;
		unsigned long bit = (b - sbi->s_first_data_block) % sbi->s_blocks_per_group;
		struct buffer_head *bh;

		/* A directory block still dirty in the cache must not land on
		 * the disk after the block has gone to someone else's data. */
		bforget(__find_get_block(sbi->s_bdev, b, sbi->s_blocksize));
		bh = read_block_bitmap(sbi, group);

		if (!bh)
			return;
		if (!ext2_test_bit(bit, bh->b_data)) {
			ext2_error(sbi, "ext2_free_blocks", "block %lu: bit already cleared", b);
		} else {
			ext2_clear_bit(bit, bh->b_data);
			mark_buffer_dirty(bh);
			adjust_free_blocks(sbi, group, 1);
			inode->i_blocks -= sbi->s_blocksize >> SECTOR_SHIFT;
		}
		brelse(bh);
	}
}

/* The clear bits of every bitmap: what s_free_blocks_count should say. */
unsigned long ext2_count_free_blocks(struct ext2_sb_info *sbi)
{
	unsigned long g, bit, n = 0;

	for (g = 0; g < sbi->s_groups_count; g++) {
		struct buffer_head *bh = read_block_bitmap(sbi, g);
		unsigned long nbits = group_nr_blocks(sbi, g);

		if (!bh)
			continue;
		for (bit = 0; bit < nbits; bit++)
			n += !ext2_test_bit(bit, bh->b_data);
		brelse(bh);
	}
	return n;
}
