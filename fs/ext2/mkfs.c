/*
 * fs/ext2/mkfs.c - making an empty ext2 filesystem on a block device, the
 * layout `mke2fs -t ext2 -b BS -I 128 -O ^resize_inode,^dir_index,^ext_attr`
 * writes (e2fsprogs' mke2fs and lib/ext2fs/initialize.c; no code of
 * theirs), sized to the device:
 *
 *   - groups of 8 * BS blocks, the first starting at the superblock's
 *     block (1 at 1 KiB blocks, else 0); the last one is short, or is
 *     dropped when fewer than 50 blocks would be left in it beside its
 *     metadata;
 *   - in each group: a superblock copy and the descriptor table if the
 *     group has one (sparse_super: groups 0, 1 and powers of 3, 5, 7),
 *     then its block bitmap, inode bitmap and inode table;
 *   - inodes: one per 8 KiB below 3 MiB, per 4 KiB below 512 MiB, else
 *     per 16 KiB (mke2fs.conf's floppy, small and default), rounded up to
 *     fill the inode table blocks; inodes 1 to 10 reserved, the root
 *     directory 2, lost+found 11, both in the blocks after group 0's
 *     inode table;
 *   - bitmap bits past the end of a group (short last group) or past its
 *     inodes set, as e2fsck expects.
 *
 * Everything is written through the buffer cache: tables first, the
 * superblocks and descriptors last, each part synced before the next.
 * docs/ext2.md ("Making a filesystem") draws the result.
 */
#include <stdlib.h>
#include <string.h>
#include <kmm/mmzone.h>
#include "fs/ext2/ext2.h"

#define MKFS_INODE_SIZE		EXT2_GOOD_OLD_INODE_SIZE
#define MKFS_LAST_GROUP_SLACK	50	/* data blocks a last group must keep */
#define MKFS_RESERVED_PERCENT	5	/* s_r_blocks_count: for root */
#define MKFS_LPF_BYTES		16384	/* lost+found's size (at least 2 blocks) */
#define MKFS_SMALL_FS		(512ull << 20)	/* 1 KiB blocks below this */

/* The filesystem being made. */
struct mkfs {
	struct ext2_sb_info g;		/* its geometry, as a mount would compute it */
	struct ext2_group_desc *gd;	/* g.s_groups_count descriptors */
	unsigned long *used;		/* each group's blocks in use, from its start */
	unsigned long root_block;	/* the root directory's block ... */
	unsigned long lpf_blocks;	/* ... then lost+found's */
	uint32_t now;
	const unsigned char *uuid;
	const char **why;
};

/* Inodes per byte of device, as mke2fs.conf's fs_types by size. */
static unsigned long inode_ratio(unsigned long long bytes)
{
	if (bytes < (3ull << 20))
		return 8192;		/* floppy */
	if (bytes < MKFS_SMALL_FS)
		return 4096;		/* small */
	return 16384;
}

/* Groups, descriptor blocks and inodes for a filesystem of blocks blocks. */
static void size_groups(struct ext2_sb_info *g, unsigned long blocks, unsigned long inodes)
{
	unsigned long bits = g->s_blocksize * 8ul, ipg;

	g->s_blocks_count = blocks;
	g->s_groups_count = DIV_ROUND_UP(blocks - g->s_first_data_block, g->s_blocks_per_group);
	g->s_gdb_count = DIV_ROUND_UP(g->s_groups_count, g->s_desc_per_block);
	ipg = min(DIV_ROUND_UP(inodes, g->s_groups_count), bits);
	/* Whole inode table blocks (a multiple of 8 inodes, as bitmaps like). */
	g->s_itb_per_group = DIV_ROUND_UP(ipg, g->s_inodes_per_block);
	g->s_inodes_per_group = g->s_itb_per_group * g->s_inodes_per_block;
	g->s_inodes_count = g->s_inodes_per_group * g->s_groups_count;
}

/* The blocks a group's metadata takes: superblock, descriptors, bitmaps, table. */
static unsigned long group_meta(const struct ext2_sb_info *g, unsigned long group)
{
	return ext2_bg_meta_blocks(g, group) + 2 + g->s_itb_per_group;
}

static int too_small(struct mkfs *m)
{
	*m->why = "device too small for an ext2 filesystem";
	return -ENOSPC;
}

/* The fixed parameters of a block size. */
static void set_block_size(struct ext2_sb_info *g, unsigned int bs)
{
	g->s_blocksize = bs;
	g->s_blocksize_bits = (unsigned int)__builtin_ctz(bs);
	g->s_first_data_block = bs == EXT2_MIN_BLOCK_SIZE;
	g->s_blocks_per_group = bs * 8ul;
	g->s_inode_size = MKFS_INODE_SIZE;
	g->s_inodes_per_block = bs / MKFS_INODE_SIZE;
	g->s_desc_per_block = bs / sizeof(struct ext2_group_desc);
	g->s_first_ino = EXT2_GOOD_OLD_FIRST_INO;
	g->s_feature_incompat = EXT2_FEATURE_INCOMPAT_FILETYPE;
	g->s_feature_ro_compat = EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER |
				 EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
}

/*
 * The geometry for the device: its blocks (whole pages of them, as
 * mke2fs counts), less a last group too small to be worth its metadata.
 */
static int plan_geometry(struct mkfs *m, struct block_device *bdev)
{
	struct ext2_sb_info *g = &m->g;
	unsigned long long blocks = bdev_nr_sectors(bdev) >> (g->s_blocksize_bits - SECTOR_SHIFT);
	unsigned long inodes, rem;

	if (g->s_blocksize < PAGE_SIZE)
		blocks &= ~(unsigned long long)(PAGE_SIZE / g->s_blocksize - 1);
	if (blocks > UINT32_MAX) {
		*m->why = "device too big for 32-bit block numbers";
		return -EFBIG;
	}
	if (blocks <= g->s_first_data_block)
		return too_small(m);
	inodes = (unsigned long)(blocks * g->s_blocksize / inode_ratio(blocks * g->s_blocksize));
	inodes = max(inodes, g->s_first_ino + 1);
	for (;;) {
		size_groups(g, (unsigned long)blocks, inodes);
		rem = (g->s_blocks_count - g->s_first_data_block) % g->s_blocks_per_group;
		if (!rem || rem >= group_meta(g, g->s_groups_count - 1) + MKFS_LAST_GROUP_SLACK)
			break;
		if (g->s_groups_count == 1)
			return too_small(m);
		blocks -= rem;
	}
	/* Group 0 is whole, or holds 50 blocks beside its metadata (room for
	 * the root and lost+found) unless the descriptors alone fill it. */
	if (group_meta(g, 0) + MKFS_LAST_GROUP_SLACK > g->s_blocks_per_group) {
		*m->why = "too many groups for one descriptor table at this block size";
		return -EFBIG;
	}
	m->lpf_blocks = clamp(MKFS_LPF_BYTES / g->s_blocksize, 2u, EXT2_NDIR_BLOCKS);
	return 0;
}

static unsigned long group_size(const struct ext2_sb_info *g, unsigned long group)
{
	return ext2_group_last_block(g, group) - ext2_group_first_block(g, group) + 1;
}

/* Each group's bitmaps and table at its start, after any superblock copy. */
static void plan_groups(struct mkfs *m)
{
	const struct ext2_sb_info *g = &m->g;
	unsigned long i;

	for (i = 0; i < g->s_groups_count; i++) {
		struct ext2_group_desc *gd = &m->gd[i];
		unsigned long start = ext2_group_first_block(g, i) + ext2_bg_meta_blocks(g, i);
		unsigned long inodes = g->s_inodes_per_group;

		gd->bg_block_bitmap = cpu_to_le32(start);
		gd->bg_inode_bitmap = cpu_to_le32(start + 1);
		gd->bg_inode_table = cpu_to_le32(start + 2);
		m->used[i] = group_meta(g, i);
		if (i == 0) {
			m->root_block = start + 2 + g->s_itb_per_group;
			m->used[i] += 1 + m->lpf_blocks;
			inodes -= g->s_first_ino;	/* 1 to 10, and lost+found */
			gd->bg_used_dirs_count = cpu_to_le16(2);
		}
		gd->bg_free_blocks_count = cpu_to_le16(group_size(g, i) - m->used[i]);
		gd->bg_free_inodes_count = cpu_to_le16(inodes);
	}
}

/* Sets bits [from, to) of a bitmap. */
static void set_bits(uint8_t *map, unsigned long from, unsigned long to)
{
	for (; from < to && (from & 7); from++)
		ext2_set_bit(from, map);
	if (to - from >= 8) {
		memset(map + from / 8, 0xff, (to - from) / 8);
		from += (to - from) & ~7ul;
	}
	for (; from < to; from++)
		ext2_set_bit(from, map);
}

/* Block nr of the new filesystem, zeroed and held, for put_block. */
static struct buffer_head *get_zeroed(struct mkfs *m, unsigned long nr, int *err)
{
	struct buffer_head *bh = __getblk(m->g.s_bdev, nr, m->g.s_blocksize);

	if (!bh) {
		*m->why = "no memory for the buffer cache";
		*err = -ENOMEM;
		return NULL;
	}
	memset(bh->b_data, 0, bh->b_size);
	set_buffer_uptodate(bh);
	return bh;
}

static void put_block(struct buffer_head *bh)
{
	mark_buffer_dirty(bh);
	brelse(bh);
}

/* A bitmap block: the first used bits set, and those from size on. */
static int write_bitmap(struct mkfs *m, unsigned long nr, unsigned long used,
			unsigned long size)
{
	struct buffer_head *bh;
	int err = 0;

	bh = get_zeroed(m, nr, &err);
	if (!bh)
		return err;
	set_bits((uint8_t *)bh->b_data, 0, used);
	set_bits((uint8_t *)bh->b_data, size, m->g.s_blocksize * 8ul);
	put_block(bh);
	return 0;
}

/* A directory inode whose nblocks blocks start at block. */
static void fill_dir_inode(const struct mkfs *m, struct ext2_inode *raw, unsigned int mode,
			   unsigned int links, unsigned long block, unsigned long nblocks)
{
	unsigned long i;

	raw->i_mode = cpu_to_le16(EXT2_S_IFDIR | mode);
	raw->i_links_count = cpu_to_le16(links);
	raw->i_size = cpu_to_le32(nblocks * m->g.s_blocksize);
	raw->i_blocks = cpu_to_le32(nblocks * (m->g.s_blocksize >> SECTOR_SHIFT));
	for (i = 0; i < nblocks; i++)
		raw->i_block[i] = cpu_to_le32(block + i);
}

/* Fills inode ino if it lies in table block n of group 0. */
static void fill_reserved_inode(const struct mkfs *m, char *blk, unsigned long n,
				unsigned long ino)
{
	unsigned long idx = ino - 1;
	struct ext2_inode *raw;

	if (idx / m->g.s_inodes_per_block != n)
		return;
	raw = (struct ext2_inode *)(blk + idx % m->g.s_inodes_per_block * MKFS_INODE_SIZE);
	raw->i_atime = raw->i_ctime = raw->i_mtime = cpu_to_le32(m->now);
	if (ino == EXT2_ROOT_INO)
		fill_dir_inode(m, raw, 0755, 3, m->root_block, 1);
	else if (ino == m->g.s_first_ino)
		fill_dir_inode(m, raw, 0700, 2, m->root_block + 1, m->lpf_blocks);
}

/* A group's bitmaps and inode table (group 0's with its three inodes). */
static int write_group(struct mkfs *m, unsigned long group)
{
	const struct ext2_group_desc *gd = &m->gd[group];
	unsigned long itable = le32_to_cpu(gd->bg_inode_table);
	unsigned long used_inodes = group ? 0 : m->g.s_first_ino;
	unsigned long n;
	int err;

	err = write_bitmap(m, le32_to_cpu(gd->bg_block_bitmap), m->used[group],
			   group_size(&m->g, group));
	if (!err)
		err = write_bitmap(m, le32_to_cpu(gd->bg_inode_bitmap), used_inodes,
				   m->g.s_inodes_per_group);
	for (n = 0; !err && n < m->g.s_itb_per_group; n++) {
		struct buffer_head *bh = get_zeroed(m, itable + n, &err);

		if (!bh)
			break;
		if (group == 0) {
			fill_reserved_inode(m, bh->b_data, n, EXT2_BAD_INO);
			fill_reserved_inode(m, bh->b_data, n, EXT2_ROOT_INO);
			fill_reserved_inode(m, bh->b_data, n, m->g.s_first_ino);
		}
		put_block(bh);
	}
	return err;
}

/* A directory entry at off of a directory block; the next entry's offset. */
static unsigned int put_dirent(char *blk, unsigned int off, unsigned long ino,
			       unsigned int rec_len, const char *name)
{
	struct ext2_dir_entry_2 *de = (struct ext2_dir_entry_2 *)(blk + off);
	size_t len = strlen(name);

	de->inode = cpu_to_le32(ino);
	de->rec_len = cpu_to_le16(rec_len);
	de->name_len = (uint8_t)len;
	de->file_type = len ? EXT2_FT_DIR : EXT2_FT_UNKNOWN;
	memcpy(de->name, name, len);
	return off + rec_len;
}

/* The root's block, lost+found's first with "." and "..", its empty rest. */
static int write_dirs(struct mkfs *m)
{
	unsigned int bs = m->g.s_blocksize, dot = EXT2_DIR_REC_LEN(1), off;
	unsigned long lpf = m->g.s_first_ino, n;
	struct buffer_head *bh;
	int err = 0;

	bh = get_zeroed(m, m->root_block, &err);
	if (!bh)
		return err;
	off = put_dirent(bh->b_data, 0, EXT2_ROOT_INO, dot, ".");
	off = put_dirent(bh->b_data, off, EXT2_ROOT_INO, EXT2_DIR_REC_LEN(2), "..");
	put_dirent(bh->b_data, off, lpf, bs - off, "lost+found");
	put_block(bh);
	for (n = 0; n < m->lpf_blocks; n++) {
		bh = get_zeroed(m, m->root_block + 1 + n, &err);
		if (!bh)
			return err;
		if (n == 0)
			put_dirent(bh->b_data, put_dirent(bh->b_data, 0, lpf, dot, "."),
				   EXT2_ROOT_INO, bs - dot, "..");
		else
			put_dirent(bh->b_data, 0, 0, bs, "");
		put_block(bh);
	}
	return 0;
}

/* The superblock, as the copy in group says it. */
static void fill_super(const struct mkfs *m, struct ext2_super_block *es, unsigned long group)
{
	const struct ext2_sb_info *g = &m->g;
	unsigned long free_blocks = 0, free_inodes = 0, i;

	for (i = 0; i < g->s_groups_count; i++) {
		free_blocks += le16_to_cpu(m->gd[i].bg_free_blocks_count);
		free_inodes += le16_to_cpu(m->gd[i].bg_free_inodes_count);
	}
	es->s_inodes_count = cpu_to_le32(g->s_inodes_count);
	es->s_blocks_count = cpu_to_le32(g->s_blocks_count);
	es->s_r_blocks_count = cpu_to_le32(g->s_blocks_count * MKFS_RESERVED_PERCENT / 100);
	es->s_free_blocks_count = cpu_to_le32(free_blocks);
	es->s_free_inodes_count = cpu_to_le32(free_inodes);
	es->s_first_data_block = cpu_to_le32(g->s_first_data_block);
	es->s_log_block_size = es->s_log_frag_size =
		cpu_to_le32(g->s_blocksize_bits - EXT2_MIN_BLOCK_LOG_SIZE);
	es->s_blocks_per_group = es->s_frags_per_group = cpu_to_le32(g->s_blocks_per_group);
	es->s_inodes_per_group = cpu_to_le32(g->s_inodes_per_group);
	es->s_wtime = es->s_lastcheck = es->s_mkfs_time = cpu_to_le32(m->now);
	es->s_max_mnt_count = cpu_to_le16(0xffff);	/* -1: no check by mount count */
	es->s_magic = cpu_to_le16(EXT2_SUPER_MAGIC);
	es->s_state = cpu_to_le16(EXT2_VALID_FS);
	es->s_errors = cpu_to_le16(EXT2_ERRORS_CONTINUE);
	es->s_creator_os = cpu_to_le32(EXT2_OS_LINUX);
	es->s_rev_level = cpu_to_le32(EXT2_DYNAMIC_REV);
	es->s_first_ino = cpu_to_le32(g->s_first_ino);
	es->s_inode_size = cpu_to_le16(g->s_inode_size);
	es->s_block_group_nr = cpu_to_le16(group);
	es->s_feature_incompat = cpu_to_le32(g->s_feature_incompat);
	es->s_feature_ro_compat = cpu_to_le32(g->s_feature_ro_compat);
	if (m->uuid)
		memcpy(es->s_uuid, m->uuid, sizeof(es->s_uuid));
}

/* The superblock and descriptor copies at the start of group. */
static int write_super_copy(struct mkfs *m, unsigned long group)
{
	unsigned long first = ext2_group_first_block(&m->g, group), i;
	unsigned int off = group ? 0 : EXT2_SUPER_OFFSET % m->g.s_blocksize;
	struct buffer_head *bh;
	int err = 0;

	bh = get_zeroed(m, first, &err);
	if (!bh)
		return err;
	fill_super(m, (struct ext2_super_block *)(bh->b_data + off), group);
	put_block(bh);
	for (i = 0; i < m->g.s_gdb_count; i++) {
		unsigned long n = min(m->g.s_desc_per_block, m->g.s_groups_count - i *
				      m->g.s_desc_per_block);

		bh = get_zeroed(m, first + 1 + i, &err);
		if (!bh)
			return err;
		memcpy(bh->b_data, m->gd + i * m->g.s_desc_per_block, n * sizeof(*m->gd));
		put_block(bh);
	}
	return 0;
}

static int sync_all(struct mkfs *m)
{
	int err = sync_blockdev(m->g.s_bdev);

	if (err)
		*m->why = "write error";
	return err;
}

/* Everything but the superblocks, then those; each synced to the disk. */
static int write_fs(struct mkfs *m)
{
	unsigned long i;
	int err = 0;

	/* The boot block (block 0 at 1 KiB) is zeroed, as mke2fs does. */
	if (m->g.s_first_data_block) {
		struct buffer_head *bh = get_zeroed(m, 0, &err);

		if (!bh)
			return err;
		put_block(bh);
	}
	for (i = 0; !err && i < m->g.s_groups_count; i++) {
		err = write_group(m, i);
		if (!err)
			err = sync_all(m);	/* bounded dirty memory */
	}
	if (!err)
		err = write_dirs(m);
	if (!err)
		err = sync_all(m);
	for (i = 0; !err && i < m->g.s_groups_count; i++)
		if (ext2_bg_has_super(&m->g, i))
			err = write_super_copy(m, i);
	return err ? err : sync_all(m);
}

static int check_args(struct mkfs *m, struct block_device *bdev, unsigned int blocksize)
{
	if (!blocksize)
		blocksize = (bdev_nr_sectors(bdev) << SECTOR_SHIFT) < MKFS_SMALL_FS ?
			    EXT2_MIN_BLOCK_SIZE : EXT2_MAX_BLOCK_SIZE;
	if (blocksize < EXT2_MIN_BLOCK_SIZE || blocksize > EXT2_MAX_BLOCK_SIZE ||
	    (blocksize & (blocksize - 1))) {
		*m->why = "block size must be 1024, 2048 or 4096";
		return -EINVAL;
	}
	if (bdev_read_only(bdev)) {
		*m->why = "device is read-only";
		return -EROFS;
	}
	m->g.s_bdev = bdev;
	set_block_size(&m->g, blocksize);
	return plan_geometry(m, bdev);
}

int ext2_mkfs(struct block_device *bdev, unsigned int blocksize, const unsigned char *uuid,
	      const char **why)
{
	struct mkfs m = { .uuid = uuid, .now = ext2_now() };
	const char *dummy;
	int err;

	m.why = why ? why : &dummy;
	*m.why = NULL;
	err = check_args(&m, bdev, blocksize);
	if (err)
		return err;
	m.gd = calloc(m.g.s_groups_count, sizeof(*m.gd));
	m.used = calloc(m.g.s_groups_count, sizeof(*m.used));
	err = -ENOMEM;
	if (!m.gd || !m.used) {
		*m.why = "no memory for the group descriptors";
		goto out;
	}
	err = set_blocksize(bdev, m.g.s_blocksize);
	if (err) {
		*m.why = "the device's buffers are in use";
		goto out;
	}
	plan_groups(&m);
	err = write_fs(&m);
out:
	free(m.used);
	free(m.gd);
	return err;
}
