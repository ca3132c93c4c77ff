/*
 * fs/ext2/ext2.h - the second extended filesystem: its on-disk structures
 * (little-endian, as they are on every disk whatever the CPU), the
 * superblock and inode as kmm keeps them in memory, and what the files of
 * fs/ext2/ offer each other and their callers.
 *
 * All metadata moves through buffer heads (include/kmm/buffer_head.h):
 * the superblock, the group descriptors, the bitmaps, the inode table,
 * indirect blocks and directory blocks.  docs/ext2.md draws the layout.
 */
#ifndef KMM_FS_EXT2_H
#define KMM_FS_EXT2_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kmm/blkdev.h>
#include <kmm/buffer_head.h>
#include <kmm/compiler.h>

/* A filesystem whose metadata contradicts itself (Linux's spelling). */
#define EFSCORRUPTED	EUCLEAN

typedef uint16_t __le16;
typedef uint32_t __le32;

/* The disk is little-endian; so is every host kmm runs on today. */
static inline uint16_t le16_to_cpu(__le16 v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap16(v);
#else
	return v;
#endif
}

static inline uint32_t le32_to_cpu(__le32 v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap32(v);
#else
	return v;
#endif
}

#define cpu_to_le16(v)	le16_to_cpu(v)
#define cpu_to_le32(v)	le32_to_cpu(v)

static inline void le16_add_cpu(__le16 *var, int val)
{
	*var = cpu_to_le16((uint16_t)(le16_to_cpu(*var) + val));
}

static inline void le32_add_cpu(__le32 *var, int val)
{
	*var = cpu_to_le32((uint32_t)(le32_to_cpu(*var) + val));
}

#define EXT2_SUPER_MAGIC	0xEF53
#define EXT2_SUPER_OFFSET	1024	/* bytes: after the boot block */
#define EXT2_MIN_BLOCK_LOG_SIZE	10
#define EXT2_MAX_BLOCK_LOG_SIZE	12	/* 4 KiB: no bigger than a page */
#define EXT2_MIN_BLOCK_SIZE	(1u << EXT2_MIN_BLOCK_LOG_SIZE)
#define EXT2_MAX_BLOCK_SIZE	(1u << EXT2_MAX_BLOCK_LOG_SIZE)

/* Reserved inode numbers. */
#define EXT2_BAD_INO		1	/* bad blocks */
#define EXT2_ROOT_INO		2
#define EXT2_RESIZE_INO		7	/* reserved group descriptor blocks */
#define EXT2_GOOD_OLD_FIRST_INO	11
#define EXT2_GOOD_OLD_INODE_SIZE 128
#define EXT2_GOOD_OLD_REV	0
#define EXT2_DYNAMIC_REV	1

/* s_state */
#define EXT2_VALID_FS		0x0001	/* unmounted cleanly */
#define EXT2_ERROR_FS		0x0002	/* errors detected */

/* s_errors: what to do when an error is found (kmm always continues) */
#define EXT2_ERRORS_CONTINUE	1

/* s_creator_os */
#define EXT2_OS_LINUX		0

/* Features: COMPAT may be ignored, RO_COMPAT only read, INCOMPAT refused. */
#define EXT2_FEATURE_COMPAT_DIR_PREALLOC	0x0001
#define EXT2_FEATURE_COMPAT_IMAGIC_INODES	0x0002
#define EXT3_FEATURE_COMPAT_HAS_JOURNAL		0x0004
#define EXT2_FEATURE_COMPAT_EXT_ATTR		0x0008
#define EXT2_FEATURE_COMPAT_RESIZE_INO		0x0010
#define EXT2_FEATURE_COMPAT_DIR_INDEX		0x0020
#define EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER	0x0001
#define EXT2_FEATURE_RO_COMPAT_LARGE_FILE	0x0002
#define EXT2_FEATURE_RO_COMPAT_BTREE_DIR	0x0004
#define EXT2_FEATURE_INCOMPAT_COMPRESSION	0x0001
#define EXT2_FEATURE_INCOMPAT_FILETYPE		0x0002
#define EXT3_FEATURE_INCOMPAT_RECOVER		0x0004
#define EXT3_FEATURE_INCOMPAT_JOURNAL_DEV	0x0008
#define EXT2_FEATURE_INCOMPAT_META_BG		0x0010

/* What kmm's ext2 understands (META_BG is not done: docs/ext2.md). */
#define EXT2_FEATURE_INCOMPAT_SUPP	EXT2_FEATURE_INCOMPAT_FILETYPE
#define EXT2_FEATURE_RO_COMPAT_SUPP	(EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | \
					 EXT2_FEATURE_RO_COMPAT_LARGE_FILE)

/* The superblock: 1024 bytes at byte 1024 of the device. */
struct ext2_super_block {
	__le32 s_inodes_count;
	__le32 s_blocks_count;
	__le32 s_r_blocks_count;	/* reserved for root */
	__le32 s_free_blocks_count;
	__le32 s_free_inodes_count;
	__le32 s_first_data_block;	/* the superblock's block: 1 at 1 KiB, else 0 */
	__le32 s_log_block_size;	/* block size = 1024 << this */
	__le32 s_log_frag_size;
	__le32 s_blocks_per_group;
	__le32 s_frags_per_group;
	__le32 s_inodes_per_group;
	__le32 s_mtime;
	__le32 s_wtime;
	__le16 s_mnt_count;
	__le16 s_max_mnt_count;
	__le16 s_magic;
	__le16 s_state;
	__le16 s_errors;
	__le16 s_minor_rev_level;
	__le32 s_lastcheck;
	__le32 s_checkinterval;
	__le32 s_creator_os;
	__le32 s_rev_level;
	__le16 s_def_resuid;
	__le16 s_def_resgid;
	/* EXT2_DYNAMIC_REV only */
	__le32 s_first_ino;		/* first inode a file may have */
	__le16 s_inode_size;
	__le16 s_block_group_nr;	/* the group this copy is in */
	__le32 s_feature_compat;
	__le32 s_feature_incompat;
	__le32 s_feature_ro_compat;
	uint8_t s_uuid[16];
	char s_volume_name[16];
	char s_last_mounted[64];
	__le32 s_algorithm_usage_bitmap;
	uint8_t s_prealloc_blocks;
	uint8_t s_prealloc_dir_blocks;
	__le16 s_reserved_gdt_blocks;	/* after the descriptors, for online resize */
	uint8_t s_journal_uuid[16];
	__le32 s_journal_inum;
	__le32 s_journal_dev;
	__le32 s_last_orphan;
	__le32 s_hash_seed[4];
	uint8_t s_def_hash_version;
	uint8_t s_reserved_char_pad;
	__le16 s_reserved_word_pad;
	__le32 s_default_mount_opts;
	__le32 s_first_meta_bg;
	__le32 s_mkfs_time;		/* when mkfs made it (ext4's name for the word) */
	__le32 s_reserved[189];
};
BUILD_BUG_ON(sizeof(struct ext2_super_block) != 1024);

/* One per block group, in the blocks after the superblock. */
struct ext2_group_desc {
	__le32 bg_block_bitmap;
	__le32 bg_inode_bitmap;
	__le32 bg_inode_table;
	__le16 bg_free_blocks_count;
	__le16 bg_free_inodes_count;
	__le16 bg_used_dirs_count;
	__le16 bg_pad;
	__le32 bg_reserved[3];
};

/* An inode's block pointers: 12 direct, then single, double, triple indirect. */
#define EXT2_NDIR_BLOCKS	12
#define EXT2_IND_BLOCK		EXT2_NDIR_BLOCKS
#define EXT2_DIND_BLOCK		(EXT2_IND_BLOCK + 1)
#define EXT2_TIND_BLOCK		(EXT2_DIND_BLOCK + 1)
#define EXT2_N_BLOCKS		(EXT2_TIND_BLOCK + 1)

struct ext2_inode {
	__le16 i_mode;
	__le16 i_uid;
	__le32 i_size;
	__le32 i_atime;
	__le32 i_ctime;
	__le32 i_mtime;
	__le32 i_dtime;			/* deletion time: 0 while in use */
	__le16 i_gid;
	__le16 i_links_count;
	__le32 i_blocks;		/* 512-byte sectors, indirect blocks included */
	__le32 i_flags;
	__le32 i_osd1;
	__le32 i_block[EXT2_N_BLOCKS];
	__le32 i_generation;
	__le32 i_file_acl;
	__le32 i_size_high;		/* i_dir_acl: a regular file's size, bits 32..63 */
	__le32 i_faddr;
	uint8_t i_frag;
	uint8_t i_fsize;
	__le16 i_pad1;
	__le16 i_uid_high;
	__le16 i_gid_high;
	__le32 i_reserved2;
};

/* i_flags kmm looks at */
#define EXT2_INDEX_FL		0x00001000	/* hashed directory (ext3's htree) */

/* A directory entry: rec_len covers it and the slack up to the next one. */
#define EXT2_NAME_LEN		255
struct ext2_dir_entry_2 {
	__le32 inode;			/* 0: an unused entry */
	__le16 rec_len;
	uint8_t name_len;
	uint8_t file_type;		/* EXT2_FT_*, with INCOMPAT_FILETYPE */
	char name[];
};

enum {
	EXT2_FT_UNKNOWN, EXT2_FT_REG_FILE, EXT2_FT_DIR, EXT2_FT_CHRDEV,
	EXT2_FT_BLKDEV, EXT2_FT_FIFO, EXT2_FT_SOCK, EXT2_FT_SYMLINK, EXT2_FT_MAX
};

/* An entry's size on disk for a name of len bytes: 8 + name, 4-aligned. */
#define EXT2_DIR_PAD		4u
#define EXT2_DIR_REC_LEN(len)	(((len) + 8 + EXT2_DIR_PAD - 1) & ~(EXT2_DIR_PAD - 1))

/* The mode bits, spelled as in the host's sys/stat.h. */
#define EXT2_S_IFMT	0170000
#define EXT2_S_IFSOCK	0140000
#define EXT2_S_IFLNK	0120000
#define EXT2_S_IFREG	0100000
#define EXT2_S_IFBLK	0060000
#define EXT2_S_IFDIR	0040000
#define EXT2_S_IFCHR	0020000
#define EXT2_S_IFIFO	0010000
#define EXT2_ISDIR(m)	(((m) & EXT2_S_IFMT) == EXT2_S_IFDIR)
#define EXT2_ISREG(m)	(((m) & EXT2_S_IFMT) == EXT2_S_IFREG)

struct kmm;

/* The mounted filesystem (Linux's ext2_sb_info and the super_block in one). */
struct ext2_sb_info {
	struct block_device *s_bdev;
	struct kmm *s_kmm;		/* whose reports (NULL: none yet) */
	const char *s_id;		/* the device's name, for messages */
	unsigned int s_blocksize;
	unsigned int s_blocksize_bits;
	unsigned long s_blocks_count;
	unsigned long s_first_data_block;
	unsigned long s_blocks_per_group;
	unsigned long s_inodes_per_group;
	unsigned long s_inodes_count;
	unsigned long s_groups_count;
	unsigned long s_inodes_per_block;
	unsigned long s_itb_per_group;	/* inode table blocks per group */
	unsigned long s_desc_per_block;
	unsigned long s_gdb_count;	/* group descriptor blocks */
	unsigned long s_addr_per_block;	/* block numbers in an indirect block */
	unsigned int s_addr_per_block_bits;
	unsigned int s_inode_size;
	unsigned long s_first_ino;
	unsigned int s_reserved_gdt;	/* blocks after the descriptors */
	uint32_t s_feature_compat;
	uint32_t s_feature_incompat;
	uint32_t s_feature_ro_compat;
	uint16_t s_mount_state;		/* s_state as found at mount, plus errors */
	bool s_read_only;
	bool s_mounting;		/* errors found now fail the mount, unwritten */
	unsigned long s_nr_errors;	/* ext2_error calls */
	struct buffer_head *s_sbh;	/* the superblock's buffer */
	struct ext2_super_block *s_es;	/* inside s_sbh */
	struct buffer_head **s_group_desc;	/* s_gdb_count buffers */
	unsigned long s_dir_goal;	/* where the last directory went */
	/* File data lives in a page cache above (the VFS glue, fs/ext2/file.c):
	 * truncation zeroes the last block's tail there, not through a buffer
	 * of the block device, which would alias the page. */
	bool s_data_in_pagecache;
	struct ext2_inode_info *s_inodes;	/* the in-memory inodes (ext2_iget) */
};

/* An inode as kmm keeps it: the disk's fields in CPU order. */
struct ext2_inode_info {
	struct ext2_sb_info *i_sb;
	unsigned long i_ino;
	unsigned int i_mode;
	unsigned int i_uid, i_gid;
	unsigned int i_links_count;
	unsigned long long i_size;
	unsigned long i_blocks;		/* 512-byte sectors */
	uint32_t i_flags;
	uint32_t i_atime, i_ctime, i_mtime, i_dtime;
	uint32_t i_generation;
	uint32_t i_file_acl;
	uint32_t i_data[EXT2_N_BLOCKS];	/* the block pointers */
	unsigned long i_block_group;
	uint32_t i_alloc_goal;		/* the last block given to it */
	int i_count;			/* ext2_iget references; freed at 0 */
	struct ext2_inode_info *i_next;	/* in s_inodes */
};

static inline bool ext2_has_incompat(const struct ext2_sb_info *sbi, uint32_t f)
{
	return sbi->s_feature_incompat & f;
}

static inline bool ext2_has_ro_compat(const struct ext2_sb_info *sbi, uint32_t f)
{
	return sbi->s_feature_ro_compat & f;
}

/* super.c */
struct ext2_sb_info *ext2_fill_super(struct block_device *bdev, bool read_only, int *err);
void ext2_put_super(struct ext2_sb_info *sbi);
int ext2_sync_super(struct ext2_sb_info *sbi);
__printf(3, 4) void ext2_error(struct ext2_sb_info *sbi, const char *function,
			       const char *fmt, ...);
__printf(3, 4) void ext2_msg(struct ext2_sb_info *sbi, const char *prefix,
			     const char *fmt, ...);
struct ext2_group_desc *ext2_get_group_desc(struct ext2_sb_info *sbi, unsigned long group,
					    struct buffer_head **bh);
bool ext2_bg_has_super(const struct ext2_sb_info *sbi, unsigned long group);
unsigned long ext2_group_first_block(const struct ext2_sb_info *sbi, unsigned long group);
unsigned long ext2_group_last_block(const struct ext2_sb_info *sbi, unsigned long group);
unsigned long ext2_bg_meta_blocks(const struct ext2_sb_info *sbi, unsigned long group);
bool ext2_data_block_valid(struct ext2_sb_info *sbi, unsigned long block, unsigned long count);
uint32_t ext2_now(void);

/* inode.c */
struct ext2_inode_info *ext2_iget(struct ext2_sb_info *sbi, unsigned long ino, int *err);
void ext2_iput(struct ext2_inode_info *inode);
void ext2_icache_add(struct ext2_inode_info *inode);
void ext2_icache_free_all(struct ext2_sb_info *sbi);
int ext2_write_inode(struct ext2_inode_info *inode);
int ext2_get_block(struct ext2_inode_info *inode, unsigned long iblock, int create,
		   unsigned long *pblock);
long ext2_read_file(struct ext2_inode_info *inode, unsigned long long pos, void *buf,
		    size_t len);
long ext2_write_file(struct ext2_inode_info *inode, unsigned long long pos,
		     const void *buf, size_t len);
int ext2_setsize(struct ext2_inode_info *inode, unsigned long long size);
int ext2_evict_inode(struct ext2_inode_info *inode);
unsigned long long ext2_max_size(const struct ext2_sb_info *sbi);

/* dir.c */
typedef int (*ext2_filldir_t)(void *ctx, const char *name, int len, unsigned long ino,
			      unsigned int type);
int ext2_readdir(struct ext2_inode_info *dir, ext2_filldir_t actor, void *ctx);
int ext2_inode_by_name(struct ext2_inode_info *dir, const char *name, int len,
		       unsigned long *ino);
int ext2_add_link(struct ext2_inode_info *dir, const char *name, int len,
		  struct ext2_inode_info *inode);
int ext2_delete_entry(struct ext2_inode_info *dir, const char *name, int len);
int ext2_set_link(struct ext2_inode_info *dir, const char *name, int len,
		  struct ext2_inode_info *inode);
int ext2_make_empty(struct ext2_inode_info *inode, struct ext2_inode_info *parent);
int ext2_empty_dir(struct ext2_inode_info *dir);

/* namei.c */
int ext2_namei(struct ext2_sb_info *sbi, const char *path, unsigned long *ino);
int ext2_lookup(struct ext2_inode_info *dir, const char *name, unsigned long *ino);
int ext2_create(struct ext2_inode_info *dir, const char *name, unsigned int mode,
		unsigned long *ino);
int ext2_mkdir(struct ext2_inode_info *dir, const char *name, unsigned int mode,
	       unsigned long *ino);
int ext2_link(struct ext2_inode_info *dir, const char *name, struct ext2_inode_info *inode);
int ext2_unlink(struct ext2_inode_info *dir, const char *name);
int ext2_rmdir(struct ext2_inode_info *dir, const char *name);
int ext2_rename(struct ext2_inode_info *old_dir, const char *old_name,
		struct ext2_inode_info *new_dir, const char *new_name);

/* balloc.c */
unsigned long ext2_new_block(struct ext2_inode_info *inode, unsigned long goal, int *err);
void ext2_free_blocks(struct ext2_inode_info *inode, unsigned long block, unsigned long count);
unsigned long ext2_count_free_blocks(struct ext2_sb_info *sbi);

/* ialloc.c */
struct ext2_inode_info *ext2_new_inode(struct ext2_inode_info *dir, unsigned int mode,
				       int *err);
void ext2_free_inode(struct ext2_inode_info *inode);

/*
 * mkfs.c: makes an empty ext2 on the whole of bdev, as mke2fs -t ext2
 * would with 128-byte inodes and no resize_inode, dir_index or ext_attr
 * (docs/ext2.md, "Making a filesystem").  blocksize 1024, 2048, 4096, or
 * 0 for mke2fs's choice by size; uuid NULL: the nil UUID.  0, or -EINVAL
 * (block size), -EROFS, -ENOSPC (device too small), -EFBIG, -ENOMEM, -EIO
 * with *why saying what went wrong.  Nothing is written unless it can
 * succeed but for memory and I/O.
 */
int ext2_mkfs(struct block_device *bdev, unsigned int blocksize, const unsigned char *uuid,
	      const char **why);

/* Bits of the on-disk bitmaps: byte-wise little-endian, as Linux's *_le. */
static inline bool ext2_test_bit(unsigned long nr, const void *map)
{
	return (((const uint8_t *)map)[nr >> 3] >> (nr & 7)) & 1;
}

static inline void ext2_set_bit(unsigned long nr, void *map)
{
	((uint8_t *)map)[nr >> 3] |= (uint8_t)(1u << (nr & 7));
}

static inline void ext2_clear_bit(unsigned long nr, void *map)
{
	((uint8_t *)map)[nr >> 3] &= (uint8_t)~(1u << (nr & 7));
}

/* The first clear bit in [start, size), or size. */
static inline unsigned long ext2_find_next_zero_bit(const void *map, unsigned long size,
						    unsigned long start)
{
	const uint8_t *p = map;

	while (start < size) {
		if (!(start & 7) && p[start >> 3] == 0xff && start + 8 <= size) {
			start += 8;
			continue;
		}
		if (!ext2_test_bit(start, p))
			return start;
		start++;
	}
	return size;
}

#endif /* KMM_FS_EXT2_H */
