/*
 * fs/ext2/super.c - mounting an ext2 filesystem: the superblock read and
 * checked against itself and the device, the group descriptors read and
 * checked against their groups, the root inode looked at; the
 * superblock written back; how errors found later are reported.
 *
 * A mount refuses anything it cannot make sense of, so that the code
 * after it may trust the geometry (block size, group sizes, where each
 * group's bitmaps and inode table are).  What it cannot check cheaply
 * (bitmaps, inodes, directories) is checked where it is used, and
 * reported through ext2_error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/printk.h"
#include "fs/ext2/ext2.h"

void ext2_msg(struct ext2_sb_info *sbi, const char *prefix, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kmm_report(sbi->s_kmm, "EXT2-fs (%s): %s%s\n", sbi->s_id, prefix, msg);
}

/*
 * Something on the disk is wrong: say where, and remember it in the
 * superblock so that the next e2fsck looks (errors=continue: the
 * operation that found it fails, the filesystem stays mounted).
 */
void ext2_error(struct ext2_sb_info *sbi, const char *function, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sbi->s_nr_errors++;
	kmm_report(sbi->s_kmm, "EXT2-fs error (device %s): %s: %s\n", sbi->s_id, function, msg);
	sbi->s_mount_state |= EXT2_ERROR_FS;
	if (!sbi->s_read_only && !sbi->s_mounting) {
		sbi->s_es->s_state |= cpu_to_le16(EXT2_ERROR_FS);
		ext2_sync_super(sbi);
	}
}

uint32_t ext2_now(void)
{
	return (uint32_t)time(NULL);
}

int ext2_sync_super(struct ext2_sb_info *sbi)
{
	if (sbi->s_read_only)
		return 0;
	sbi->s_es->s_wtime = cpu_to_le32(ext2_now());
	mark_buffer_dirty(sbi->s_sbh);
	return sync_dirty_buffer(sbi->s_sbh);
}

/* Group 0, and with sparse_super only groups 1 and powers of 3, 5 and 7. */
static bool is_power_of(unsigned long n, unsigned long base)
{
	while (n > 1 && n % base == 0)
		n /= base;
	return n == 1;
}

bool ext2_bg_has_super(const struct ext2_sb_info *sbi, unsigned long group)
{
	if (group <= 1 || !ext2_has_ro_compat(sbi, EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER))
		return true;
	if (!(group & 1))
		return false;
	return is_power_of(group, 3) || is_power_of(group, 5) || is_power_of(group, 7);
}

/* The superblock copy and the descriptor blocks at the start of a group. */
unsigned long ext2_bg_meta_blocks(const struct ext2_sb_info *sbi, unsigned long group)
{
	if (!ext2_bg_has_super(sbi, group))
		return 0;
	return 1 + sbi->s_gdb_count + sbi->s_reserved_gdt;
}

struct ext2_group_desc *ext2_get_group_desc(struct ext2_sb_info *sbi, unsigned long group,
					    struct buffer_head **bh)
{
	unsigned long block = group / sbi->s_desc_per_block;
	unsigned long off = group % sbi->s_desc_per_block;

	if (group >= sbi->s_groups_count) {
		ext2_error(sbi, "ext2_get_group_desc", "block_group >= groups_count - "
			   "block_group = %lu, groups_count = %lu", group, sbi->s_groups_count);
		return NULL;
	}
	if (bh)
		*bh = sbi->s_group_desc[block];
	return (struct ext2_group_desc *)sbi->s_group_desc[block]->b_data + off;
}

/* A group's first and last block (the last group may be short). */
unsigned long ext2_group_first_block(const struct ext2_sb_info *sbi, unsigned long group)
{
	return sbi->s_first_data_block + group * sbi->s_blocks_per_group;
}

unsigned long ext2_group_last_block(const struct ext2_sb_info *sbi, unsigned long group)
{
	if (group == sbi->s_groups_count - 1)
		return sbi->s_blocks_count - 1;
	return ext2_group_first_block(sbi, group) + sbi->s_blocks_per_group - 1;
}

static bool overlaps(unsigned long a, unsigned long alen, unsigned long b, unsigned long blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * Whether [block, block + count) lies in the data area: inside the
 * filesystem and clear of every group's superblock copy, descriptors,
 * bitmaps and inode table.  A block pointer that fails this would make a
 * write to a file overwrite the filesystem's own structures.
 */
bool ext2_data_block_valid(struct ext2_sb_info *sbi, unsigned long block, unsigned long count)
{
	unsigned long g, first, last;

	if (block < sbi->s_first_data_block || count == 0 ||
	    block + count < block || block + count > sbi->s_blocks_count)
		return false;
	first = (block - sbi->s_first_data_block) / sbi->s_blocks_per_group;
	last = (block + count - 1 - sbi->s_first_data_block) / sbi->s_blocks_per_group;
	for (g = first; g <= last; g++) {
		struct ext2_group_desc *gdp = ext2_get_group_desc(sbi, g, NULL);

		if (overlaps(block, count, ext2_group_first_block(sbi, g),
			     ext2_bg_meta_blocks(sbi, g)) ||
		    overlaps(block, count, le32_to_cpu(gdp->bg_block_bitmap), 1) ||
		    overlaps(block, count, le32_to_cpu(gdp->bg_inode_bitmap), 1) ||
		    overlaps(block, count, le32_to_cpu(gdp->bg_inode_table), sbi->s_itb_per_group))
			return false;
	}
	return true;
}

/* Each group's bitmaps and inode table must lie inside that group. */
static bool ext2_check_descriptors(struct ext2_sb_info *sbi)
{
	unsigned long g;

	for (g = 0; g < sbi->s_groups_count; g++) {
		struct ext2_group_desc *gdp = ext2_get_group_desc(sbi, g, NULL);
		unsigned long first = ext2_group_first_block(sbi, g) + ext2_bg_meta_blocks(sbi, g);
		unsigned long last = ext2_group_last_block(sbi, g);
		unsigned long b;

		b = le32_to_cpu(gdp->bg_block_bitmap);
		if (b < first || b > last) {
			ext2_error(sbi, "ext2_check_descriptors", "block %lu: block bitmap "
				   "for group %lu not in group", b, g);
			return false;
		}
		b = le32_to_cpu(gdp->bg_inode_bitmap);
		if (b < first || b > last) {
			ext2_error(sbi, "ext2_check_descriptors", "block %lu: inode bitmap "
				   "for group %lu not in group", b, g);
			return false;
		}
		b = le32_to_cpu(gdp->bg_inode_table);
		if (b < first || b + sbi->s_itb_per_group - 1 > last) {
			ext2_error(sbi, "ext2_check_descriptors", "block %lu: inode table "
				   "for group %lu not in group", b, g);
			return false;
		}
	}
	return true;
}

/* The superblock's buffer at the current block size, or NULL. */
static struct buffer_head *read_super_block(struct ext2_sb_info *sbi, unsigned int bs,
					    struct ext2_super_block **es)
{
	struct buffer_head *bh;

	if (set_blocksize(sbi->s_bdev, bs))
		return NULL;
	bh = __bread(sbi->s_bdev, EXT2_SUPER_OFFSET / bs, bs);
	if (bh)
		*es = (struct ext2_super_block *)(bh->b_data + EXT2_SUPER_OFFSET % bs);
	return bh;
}

/* The block size and the features: what decides whether to go on at all. */
static int check_features(struct ext2_sb_info *sbi, struct ext2_super_block *es)
{
	uint32_t rev = le32_to_cpu(es->s_rev_level);
	uint32_t log = le32_to_cpu(es->s_log_block_size);
	uint32_t unknown;

	if (log > EXT2_MAX_BLOCK_LOG_SIZE - EXT2_MIN_BLOCK_LOG_SIZE) {
		ext2_msg(sbi, "error: ", "invalid log block size: %u", log);
		return -EINVAL;
	}
	if (rev > EXT2_DYNAMIC_REV) {
		ext2_msg(sbi, "error: ", "revision level %u too high", rev);
		return -EINVAL;
	}
	if (rev == EXT2_GOOD_OLD_REV) {
		/* Revision 0 has no feature fields: whatever is there is noise. */
		sbi->s_feature_compat = sbi->s_feature_incompat = sbi->s_feature_ro_compat = 0;
		return 0;
	}
	sbi->s_feature_compat = le32_to_cpu(es->s_feature_compat);
	sbi->s_feature_incompat = le32_to_cpu(es->s_feature_incompat);
	sbi->s_feature_ro_compat = le32_to_cpu(es->s_feature_ro_compat);
	unknown = sbi->s_feature_incompat & ~EXT2_FEATURE_INCOMPAT_SUPP;
	if (unknown) {
		ext2_msg(sbi, "error: ", "couldn't mount because of unsupported "
			 "optional features (%x)", unknown);
		return -EINVAL;
	}
	unknown = sbi->s_feature_ro_compat & ~EXT2_FEATURE_RO_COMPAT_SUPP;
	if (unknown && !sbi->s_read_only) {
		/* Readable, but a write could break what we do not understand. */
		ext2_msg(sbi, "warning: ", "unsupported optional features (%x): "
			 "mounting read-only", unknown);
		sbi->s_read_only = true;
	}
	return 0;
}

/* Inode size and first inode, both fixed before revision 1. */
static int check_inodes(struct ext2_sb_info *sbi, struct ext2_super_block *es)
{
	if (le32_to_cpu(es->s_rev_level) == EXT2_GOOD_OLD_REV) {
		sbi->s_inode_size = EXT2_GOOD_OLD_INODE_SIZE;
		sbi->s_first_ino = EXT2_GOOD_OLD_FIRST_INO;
		return 0;
	}
	sbi->s_inode_size = le16_to_cpu(es->s_inode_size);
	sbi->s_first_ino = le32_to_cpu(es->s_first_ino);
	if (sbi->s_inode_size < EXT2_GOOD_OLD_INODE_SIZE ||
	    (sbi->s_inode_size & (sbi->s_inode_size - 1)) ||
	    sbi->s_inode_size > sbi->s_blocksize) {
		ext2_msg(sbi, "error: ", "unsupported inode size: %u", sbi->s_inode_size);
		return -EINVAL;
	}
	if (sbi->s_first_ino < EXT2_GOOD_OLD_FIRST_INO) {
		ext2_msg(sbi, "error: ", "invalid first inode: %lu", sbi->s_first_ino);
		return -EINVAL;
	}
	return 0;
}

/* Group sizes and counts, against each other and the device. */
static int check_geometry(struct ext2_sb_info *sbi, struct ext2_super_block *es)
{
	unsigned long long dev_blocks = bdev_nr_sectors(sbi->s_bdev) >>
					(sbi->s_blocksize_bits - SECTOR_SHIFT);
	unsigned long bits = sbi->s_blocksize * 8ul;

	sbi->s_blocks_count = le32_to_cpu(es->s_blocks_count);
	sbi->s_first_data_block = le32_to_cpu(es->s_first_data_block);
	sbi->s_blocks_per_group = le32_to_cpu(es->s_blocks_per_group);
	sbi->s_inodes_per_group = le32_to_cpu(es->s_inodes_per_group);
	sbi->s_inodes_count = le32_to_cpu(es->s_inodes_count);
	sbi->s_inodes_per_block = sbi->s_blocksize / sbi->s_inode_size;

	if (sbi->s_blocks_per_group == 0 || sbi->s_blocks_per_group > bits) {
		ext2_msg(sbi, "error: ", "#blocks per group invalid: %lu", sbi->s_blocks_per_group);
		return -EINVAL;
	}
	if (sbi->s_inodes_per_group < sbi->s_inodes_per_block ||
	    sbi->s_inodes_per_group > bits ||
	    sbi->s_inodes_per_group % sbi->s_inodes_per_block) {
		ext2_msg(sbi, "error: ", "#inodes per group invalid: %lu", sbi->s_inodes_per_group);
		return -EINVAL;
	}
	if (sbi->s_first_data_block != (sbi->s_blocksize == EXT2_MIN_BLOCK_SIZE)) {
		ext2_msg(sbi, "error: ", "first data block %lu is not the superblock's",
			 sbi->s_first_data_block);
		return -EINVAL;
	}
	if (sbi->s_blocks_count <= sbi->s_first_data_block + 1) {
		ext2_msg(sbi, "error: ", "block count %lu too small", sbi->s_blocks_count);
		return -EINVAL;
	}
	if (sbi->s_blocks_count > dev_blocks) {
		ext2_msg(sbi, "error: ", "bad geometry: block count %lu exceeds size of "
			 "device (%llu blocks)", sbi->s_blocks_count, dev_blocks);
		return -EINVAL;
	}
	sbi->s_groups_count = DIV_ROUND_UP(sbi->s_blocks_count - sbi->s_first_data_block,
					   sbi->s_blocks_per_group);
	if ((unsigned long long)sbi->s_inodes_per_group * sbi->s_groups_count !=
	    sbi->s_inodes_count) {
		ext2_msg(sbi, "error: ", "inodes count not valid: %lu vs computed %llu",
			 sbi->s_inodes_count,
			 (unsigned long long)sbi->s_inodes_per_group * sbi->s_groups_count);
		return -EINVAL;
	}
	if (sbi->s_first_ino >= sbi->s_inodes_count) {
		ext2_msg(sbi, "error: ", "first inode %lu past the inode count", sbi->s_first_ino);
		return -EINVAL;
	}
	sbi->s_itb_per_group = sbi->s_inodes_per_group / sbi->s_inodes_per_block;
	sbi->s_desc_per_block = sbi->s_blocksize / sizeof(struct ext2_group_desc);
	sbi->s_gdb_count = DIV_ROUND_UP(sbi->s_groups_count, sbi->s_desc_per_block);
	sbi->s_addr_per_block = sbi->s_blocksize / sizeof(__le32);
	sbi->s_addr_per_block_bits = sbi->s_blocksize_bits - 2;
	if (sbi->s_feature_compat & EXT2_FEATURE_COMPAT_RESIZE_INO)
		sbi->s_reserved_gdt = le16_to_cpu(es->s_reserved_gdt_blocks);
	if (sbi->s_reserved_gdt > sbi->s_addr_per_block) {
		ext2_msg(sbi, "error: ", "too many reserved group descriptor blocks: %u",
			 sbi->s_reserved_gdt);
		return -EINVAL;
	}
	return 0;
}

static int read_group_descs(struct ext2_sb_info *sbi)
{
	unsigned long i;

	sbi->s_group_desc = calloc(sbi->s_gdb_count, sizeof(*sbi->s_group_desc));
	if (!sbi->s_group_desc)
		return -ENOMEM;
	for (i = 0; i < sbi->s_gdb_count; i++) {
		unsigned long block = sbi->s_first_data_block + 1 + i;

		sbi->s_group_desc[i] = __bread(sbi->s_bdev, block, sbi->s_blocksize);
		if (!sbi->s_group_desc[i]) {
			ext2_msg(sbi, "error: ", "unable to read group descriptors (block %lu)", block);
			return -EIO;
		}
	}
	if (!ext2_check_descriptors(sbi)) {
		ext2_msg(sbi, "error: ", "group descriptors corrupted");
		return -EFSCORRUPTED;
	}
	return 0;
}

static int check_root(struct ext2_sb_info *sbi)
{
	struct ext2_inode_info *root;
	int err = 0;

	root = ext2_iget(sbi, EXT2_ROOT_INO, &err);
	if (!root) {
		ext2_msg(sbi, "error: ", "can't read the root inode");
		return err;
	}
	if (!EXT2_ISDIR(root->i_mode) || !root->i_blocks || !root->i_size) {
		ext2_msg(sbi, "error: ", "corrupt root inode, run e2fsck");
		err = -EFSCORRUPTED;
	}
	ext2_iput(root);
	return err;
}

/* A writable mount: mark the filesystem in use until ext2_put_super. */
static int ext2_setup_super(struct ext2_sb_info *sbi)
{
	struct ext2_super_block *es = sbi->s_es;

	if (!(sbi->s_mount_state & EXT2_VALID_FS))
		ext2_msg(sbi, "warning: ", "mounting unchecked fs, running e2fsck is recommended");
	else if (sbi->s_mount_state & EXT2_ERROR_FS)
		ext2_msg(sbi, "warning: ", "mounting fs with errors, running e2fsck is recommended");
	if (sbi->s_read_only)
		return 0;
	es->s_state &= cpu_to_le16(~EXT2_VALID_FS);
	le16_add_cpu(&es->s_mnt_count, 1);
	es->s_mtime = cpu_to_le32(ext2_now());
	return ext2_sync_super(sbi);
}

static int ext2_read_super(struct ext2_sb_info *sbi)
{
	struct ext2_super_block *es;
	unsigned int bs;
	int err;

	sbi->s_sbh = read_super_block(sbi, EXT2_MIN_BLOCK_SIZE, &es);
	if (!sbi->s_sbh) {
		ext2_msg(sbi, "error: ", "unable to read superblock");
		return -EIO;
	}
	if (le16_to_cpu(es->s_magic) != EXT2_SUPER_MAGIC) {
		ext2_msg(sbi, "error: ", "can't find an ext2 filesystem on dev %s.", sbi->s_id);
		return -EINVAL;
	}
	err = check_features(sbi, es);
	if (err)
		return err;
	bs = EXT2_MIN_BLOCK_SIZE << le32_to_cpu(es->s_log_block_size);
	if (bs != EXT2_MIN_BLOCK_SIZE) {
		brelse(sbi->s_sbh);
		sbi->s_sbh = read_super_block(sbi, bs, &es);
		if (!sbi->s_sbh) {
			ext2_msg(sbi, "error: ", "couldn't read superblock at block size %u", bs);
			return -EIO;
		}
		if (le16_to_cpu(es->s_magic) != EXT2_SUPER_MAGIC) {
			ext2_msg(sbi, "error: ", "magic mismatch at block size %u", bs);
			return -EINVAL;
		}
	}
	sbi->s_blocksize = bs;
	sbi->s_blocksize_bits = EXT2_MIN_BLOCK_LOG_SIZE + le32_to_cpu(es->s_log_block_size);
	sbi->s_mount_state = le16_to_cpu(es->s_state);
	err = check_inodes(sbi, es);
	if (!err)
		err = check_geometry(sbi, es);
	if (!err)
		sbi->s_es = es;
	return err;
}

static void ext2_release(struct ext2_sb_info *sbi)
{
	unsigned long i;

	if (sbi->s_group_desc)
		for (i = 0; i < sbi->s_gdb_count; i++)
			brelse(sbi->s_group_desc[i]);
	free(sbi->s_group_desc);
	brelse(sbi->s_sbh);
	ext2_icache_free_all(sbi);
	free(sbi);
}

/*
 * Mounts the filesystem on bdev: the mounted filesystem, or NULL with
 * *err set (-EINVAL: not ext2 or not one we can read, -EIO, -ENOMEM,
 * -EFSCORRUPTED).  read_only mounts write nothing at all.
 */
struct ext2_sb_info *ext2_fill_super(struct block_device *bdev, bool read_only, int *err)
{
	struct ext2_sb_info *sbi = calloc(1, sizeof(*sbi));

	if (!sbi) {
		*err = -ENOMEM;
		return NULL;
	}
	sbi->s_bdev = bdev;
	sbi->s_id = bdev->bd_name ? bdev->bd_name : "?";
	sbi->s_read_only = read_only || bdev_read_only(bdev);
	sbi->s_mounting = true;
	*err = ext2_read_super(sbi);
	if (!*err)
		*err = read_group_descs(sbi);
	if (!*err)
		*err = check_root(sbi);
	sbi->s_mounting = false;
	if (!*err)
		*err = ext2_setup_super(sbi);
	if (*err) {
		/* What a failed mount found is not written to the disk. */
		sbi->s_read_only = true;
		ext2_release(sbi);
		return NULL;
	}
	return sbi;
}

/* Unmounts: a writable mount is marked clean again (unless errors were found). */
void ext2_put_super(struct ext2_sb_info *sbi)
{
	if (!sbi)
		return;
	if (!sbi->s_read_only) {
		sbi->s_es->s_state = cpu_to_le16(sbi->s_mount_state);
		ext2_sync_super(sbi);
		sync_blockdev(sbi->s_bdev);
	}
	ext2_release(sbi);
}
