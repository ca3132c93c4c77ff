/*
 * tests/fs/test_ext2.c - fs/ext2/ on images the host's mke2fs made, over
 * the buffer-cache double (tests/fs/bh_image.c):
 *
 *   - read side: a source tree (small files, an empty one, an 8 MiB file
 *     that needs double indirect blocks at 1 KiB, a sparse file whose
 *     last bytes need triple indirect ones, nested directories, a
 *     directory of 150 entries over several blocks) put into images of
 *     1, 2 and 4 KiB blocks and a revision 0 one by `mke2fs -d`; every
 *     file reads back byte for byte, every directory lists exactly the
 *     source's entries, mode, links and size match the source and
 *     i_blocks matches what `debugfs -R stat` says; a read-only mount
 *     writes nothing and gives every buffer back.
 *   - bad input, on a read-only device (so any write shows): a truncated,
 *     a zeroed and random images, absurd superblock counts, unknown
 *     features, group descriptors pointing out of their group, bad
 *     directory entries, indirect-block loops and pointers into the
 *     metadata, inode numbers out of range, a failed read: each refused
 *     with the message naming the block, no crash, nothing written, every
 *     buffer given back; random bytes in the metadata of a good image
 *     are survived the same way.
 *   - write side, checked by the host's tools: files created, written
 *     (through direct, indirect and double indirect blocks, with holes),
 *     linked, renamed within and between directories, truncated,
 *     unlinked; directories made, grown past one block, moved (their
 *     ".." follows), removed; then `e2fsck -fn` finds nothing to fix and
 *     `debugfs -R cat` returns the bytes written; a full disk says ENOSPC
 *     (blocks and inodes) and is whole again after an unlink; a
 *     read-only mount says EROFS to every change and writes nothing.
 *
 * Without mke2fs the image tests print why and pass.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "fs/ext2/ext2.h"
#include "tests/fs/bh_image.h"
#include "tests/fs/ext2_test.h"
#include "tests/harness.h"
#include "tests/kmm_test.h"

static char tmp[128], src[192];
static char mke2fs[256], e2fsck[256], debugfs[256];
static bool have_tools;

static int rm_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	return type == FTW_DP ? rmdir(p) : unlink(p);
}

static void put_file(const char *rel, const void *buf, size_t len, off_t at)
{
	put_file_in(src, rel, buf, len, at);
}

static void put_dir(const char *rel)
{
	put_dir_in(src, rel);
}

/* The tree every image is made from. */
static void make_source_tree(void)
{
	static char big[8 << 20];
	char path[512];
	size_t i;
	int fd;

	snprintf(src, sizeof(src), "%s/src", tmp);
	if (mkdir(src, 0755))
		abort();
	put_file("hello.txt", "hello, ext2\n", 12, 0);
	put_file("empty", "", 0, 0);
	rng_seed(42);
	for (i = 0; i < sizeof(big); i += 8) {
		uint64_t r = rng_next();

		memcpy(big + i, &r, 8);
	}
	put_file("big", big, sizeof(big), 0);
	/* Data at 0, 1 MiB and 72 MiB: 73728 > 12 + 256 + 65536 at 1 KiB blocks. */
	put_file("sparse", big, 4096, 0);
	put_file("sparse", big + 4096, 3000, 1 << 20);
	put_file("sparse", big + 8192, 5000, 72 << 20);
	snprintf(path, sizeof(path), "%s/sparse", src);
	fd = open(path, O_WRONLY);
	if (fd < 0 || ftruncate(fd, 75 << 20))
		abort();
	close(fd);
	put_dir("a");
	put_dir("a/b");
	put_dir("a/b/c");
	put_file("a/b/c/deep.txt", "deep down\n", 10, 0);
	put_file("a/odd", big + 100, 5000, 0);
	put_dir("many");
	for (i = 0; i < 150; i++) {
		char name[96];

		snprintf(name, sizeof(name), "many/file-with-a-longish-name-%03zu", i);
		put_file(name, name, strlen(name), 0);
	}
	chmod(path, 0600);
}

static bool setup(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/kmm-test-ext2-XXXXXX");
	if (!mkdtemp(tmp))
		abort();
	have_tools = find_e2fsprogs(mke2fs, e2fsck, debugfs);
	if (!have_tools)
		return false;
	make_source_tree();
	return true;
}

/* An image of the source tree: 0 or mke2fs's status. */
static int make_image(const char *img, const char *opts, const char *size)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "%s -q -F -t ext2 %s -d %s %s %s", mke2fs, opts, src, img,
		 size);
	return run_quiet(cmd);
}

static unsigned long debugfs_blockcount(const char *img, const char *path)
{
	char cmd[1024], out[8192], *p;

	snprintf(cmd, sizeof(cmd), "%s -R 'stat \"%s\"' %s 2>/dev/null", debugfs, path, img);
	run_capture(cmd, out, sizeof(out));
	p = strstr(out, "Blockcount: ");
	return p ? strtoul(p + 12, NULL, 10) : ~0ul;
}

/* The comparison of one image with the source, for nftw. */
static struct ext2_sb_info *cmp_sbi;
static const char *cmp_img;
static int cmp_failures, cmp_files;

#define CMP_FAIL(...) do { fprintf(stderr, "  " __VA_ARGS__); cmp_failures++; return 0; } while (0)

static int count_entry(void *ctx, const char *name, int len, unsigned long ino, unsigned int t)
{
	(*(int *)ctx)++;
	return 0;
}

static int host_entries(const char *path)
{
	char cmd[600], out[64];

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", path);
	run_capture(cmd, out, sizeof(out));
	return atoi(out);
}

static int compare_file(struct ext2_inode_info *inode, const char *path, const struct stat *st)
{
	char *want = malloc(st->st_size + 1), *got = malloc(st->st_size + 1);
	FILE *f = fopen(path, "rb");
	long n;
	int ok;

	if (!want || !got || !f || fread(want, 1, st->st_size, f) != (size_t)st->st_size)
		abort();
	fclose(f);
	n = ext2_read_file(inode, 0, got, st->st_size + 1);
	ok = n == st->st_size && !memcmp(want, got, st->st_size);
	free(want);
	free(got);
	return ok;
}

static int compare_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *rel = path + strlen(src);
	struct ext2_inode_info *inode;
	unsigned long ino;
	int err, extra;

	if (!*rel)
		rel = "/";
	err = ext2_namei(cmp_sbi, rel, &ino);
	if (err)
		CMP_FAIL("%s: namei %d\n", rel, err);
	inode = ext2_iget(cmp_sbi, ino, &err);
	if (!inode)
		CMP_FAIL("%s: iget %lu: %d\n", rel, ino, err);
	cmp_files++;
	/* mke2fs adds lost+found to the root: one entry and one link more. */
	extra = !strcmp(rel, "/");
	if (inode->i_mode != st->st_mode || inode->i_links_count != st->st_nlink + extra ||
	    (!S_ISDIR(st->st_mode) && inode->i_size != (unsigned long long)st->st_size)) {
		fprintf(stderr, "  %s: mode %o links %u size %llu, host %o %lu %lld\n", rel,
			inode->i_mode, inode->i_links_count, inode->i_size, st->st_mode,
			(unsigned long)st->st_nlink, (long long)st->st_size);
		cmp_failures++;
	}
	if (S_ISREG(st->st_mode) && !compare_file(inode, path, st)) {
		fprintf(stderr, "  %s: contents differ\n", rel);
		cmp_failures++;
	}
	if (S_ISDIR(st->st_mode)) {
		int n = 0;

		if (ext2_readdir(inode, count_entry, &n) || n != host_entries(path) + 2 + extra) {
			fprintf(stderr, "  %s: %d entries, host %d + 2\n", rel, n, host_entries(path));
			cmp_failures++;
		}
	}
	if (!strstr(rel, "/many/") && inode->i_blocks != debugfs_blockcount(cmp_img, rel)) {
		fprintf(stderr, "  %s: i_blocks %lu, debugfs %lu\n", rel, inode->i_blocks,
			debugfs_blockcount(cmp_img, rel));
		cmp_failures++;
	}
	ext2_iput(inode);
	return 0;
}

/* Mounts img read-only and compares every file with the source. */
static int compare_image(const char *img, unsigned int want_bs)
{
	struct bh_image *bi = bh_image_open(img, true);
	int err;

	if (!bi)
		return -1;
	cmp_sbi = ext2_fill_super(&bi->bdev, true, &err);
	if (!cmp_sbi) {
		fprintf(stderr, "  %s: mount: %d\n", img, err);
		bh_image_close(bi);
		return -1;
	}
	cmp_img = img;
	cmp_failures = cmp_files = 0;
	if (cmp_sbi->s_blocksize != want_bs)
		cmp_failures++;
	nftw(src, compare_one, 16, FTW_PHYS);
	if (cmp_files != 161)
		cmp_failures++;
	ext2_put_super(cmp_sbi);
	if (bi->writes || bi->refused_writes)
		cmp_failures++;
	if (bh_image_close(bi))
		cmp_failures++;
	return cmp_failures;
}

static void image_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s.img", tmp, name);
}

TEST(test_read_1k)
{
	char img[256];

	if (!have_tools)
		return;
	image_path(img, sizeof(img), "r1k");
	ASSERT_EQ(make_image(img, "-b 1024", "24M"), 0);
	ASSERT_EQ(compare_image(img, 1024), 0);
}

TEST(test_read_2k)
{
	char img[256];

	if (!have_tools)
		return;
	image_path(img, sizeof(img), "r2k");
	ASSERT_EQ(make_image(img, "-b 2048", "24M"), 0);
	ASSERT_EQ(compare_image(img, 2048), 0);
}

TEST(test_read_4k)
{
	char img[256];

	if (!have_tools)
		return;
	image_path(img, sizeof(img), "r4k");
	ASSERT_EQ(make_image(img, "-b 4096 -I 128 -O ^resize_inode,^dir_index", "24M"), 0);
	ASSERT_EQ(compare_image(img, 4096), 0);
}

TEST(test_read_rev0)
{
	char img[256];

	if (!have_tools)
		return;
	image_path(img, sizeof(img), "rev0");
	ASSERT_EQ(make_image(img, "-r 0 -b 1024", "24M"), 0);
	ASSERT_EQ(compare_image(img, 1024), 0);
}

/* Reads at odd offsets, across EOF, in holes; get_block of a hole is 0. */
TEST(test_read_ranges)
{
	struct ext2_inode_info *inode;
	struct ext2_sb_info *sbi;
	struct bh_image *bi;
	char img[256], buf[8192];
	unsigned long ino, pblock;
	int err;

	if (!have_tools)
		return;
	image_path(img, sizeof(img), "r1k");
	bi = bh_image_open(img, true);
	ASSERT_NOT_NULL(bi);
	sbi = ext2_fill_super(&bi->bdev, true, &err);
	ASSERT_NOT_NULL(sbi);
	ASSERT_EQ(ext2_namei(sbi, "/sparse", &ino), 0);
	inode = ext2_iget(sbi, ino, &err);
	ASSERT_NOT_NULL(inode);
	ASSERT_EQ(ext2_get_block(inode, 500, 0, &pblock), 0);
	ASSERT_EQ(pblock, 0);
	ASSERT_EQ(ext2_get_block(inode, 72 << 10, 0, &pblock), 0);
	ASSERT_NE(pblock, 0);
	memset(buf, 0xaa, sizeof(buf));
	ASSERT_EQ(ext2_read_file(inode, 5000, buf, 100), 100);
	ASSERT_EQ(buf[0] | buf[99], 0);
	ASSERT_EQ(ext2_read_file(inode, (75 << 20) - 10, buf, 100), 10);
	ASSERT_EQ(ext2_read_file(inode, 75 << 20, buf, 100), 0);
	ASSERT_EQ(ext2_read_file(inode, 1ull << 40, buf, 100), 0);
	ext2_iput(inode);
	ASSERT_EQ(ext2_namei(sbi, "/a/b/c/deep.txt", &ino), 0);
	ASSERT_EQ(ext2_namei(sbi, "a//b/c/", &ino), 0);
	ASSERT_EQ(ext2_namei(sbi, "/a/b/../b/c/deep.txt", &ino), 0);
	ASSERT_EQ(ext2_namei(sbi, "/a/nope", &ino), -ENOENT);
	ASSERT_EQ(ext2_namei(sbi, "/hello.txt/x", &ino), -ENOTDIR);
	ext2_put_super(sbi);
	ASSERT_EQ(bi->writes, 0);
	ASSERT_EQ(bh_image_close(bi), 0);
}

/* ---- bad input ---- */

static char reports[1 << 16];

static void collect(const char *report, void *arg)
{
	size_t n = strlen(reports);

	(void)arg;
	snprintf(reports + n, sizeof(reports) - n, "%s", report);
}

static unsigned char *base;
static size_t base_len;
/* Where things are in the base image (probe_base). */
static unsigned long d_ino, d_block, ind_ino, ind_block, ind_raw, inodes_count, itable;

static struct ext2_sb_info *mount_mem(const unsigned char *buf, size_t len, bool ro,
				      struct bh_image **bi, int *err)
{
	reports[0] = 0;
	*bi = bh_image_from_mem(buf, len, true);
	if (!*bi)
		abort();
	return ext2_fill_super(&(*bi)->bdev, ro, err);
}

/* The image's buffers are all back and nothing was written. */
static bool clean_close(struct ext2_sb_info *sbi, struct bh_image *bi)
{
	bool wrote;

	ext2_put_super(sbi);
	wrote = bi->writes || bi->refused_writes;
	return !bh_image_close(bi) && !wrote;
}

static void probe_base(void)
{
	struct ext2_inode_info *inode;
	struct ext2_sb_info *sbi;
	struct bh_image *bi;
	char img[256], dir[256], cmd[2048];
	FILE *f;
	int err;

	snprintf(dir, sizeof(dir), "%s/small", tmp);
	mkdir(dir, 0755);
	/* /d/ind: 14000 bytes, so block 12 needs the single indirect block. */
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/d && echo hello > %s/f && echo g > %s/d/g && "
		 "head -c 14000 /dev/zero | tr '\\0' i > %s/d/ind", dir, dir, dir, dir);
	if (system(cmd)) {
		fprintf(stderr, "failed: %s\n", cmd);
		abort();
	}
	image_path(img, sizeof(img), "small");
	snprintf(cmd, sizeof(cmd), "%s -q -F -t ext2 -b 1024 -N 32 -m 0 -O ^resize_inode "
		 "-d %s %s 1M", mke2fs, dir, img);
	if (run_quiet(cmd)) {
		fprintf(stderr, "failed: %s\n", cmd);
		abort();
	}
	f = fopen(img, "rb");
	base_len = 1 << 20;
	base = calloc(1, base_len);
	if (!f || !base || fread(base, 1, base_len, f) == 0) {
		fprintf(stderr, "cannot read %s\n", img);
		abort();
	}
	fclose(f);
	sbi = mount_mem(base, base_len, true, &bi, &err);
	if (!sbi || ext2_namei(sbi, "/d", &d_ino) || ext2_namei(sbi, "/d/ind", &ind_ino)) {
		fprintf(stderr, "cannot mount %s: %d\n%s", img, err, reports);
		abort();
	}
	inode = ext2_iget(sbi, d_ino, &err);
	ext2_get_block(inode, 0, 0, &d_block);
	ext2_iput(inode);
	inode = ext2_iget(sbi, ind_ino, &err);
	ind_block = inode->i_data[EXT2_IND_BLOCK];
	ext2_iput(inode);
	inodes_count = sbi->s_inodes_count;
	itable = le32_to_cpu(ext2_get_group_desc(sbi, 0, NULL)->bg_inode_table);
	ind_raw = itable * 1024 + (ind_ino - 1) * sbi->s_inode_size;
	if (!d_block || !ind_block || !clean_close(sbi, bi))
		abort();
}

static unsigned char *copy_base(void)
{
	unsigned char *b = malloc(base_len);

	if (!b)
		abort();
	memcpy(b, base, base_len);
	return b;
}

static struct ext2_super_block *es_of(unsigned char *img)
{
	return (struct ext2_super_block *)(img + EXT2_SUPER_OFFSET);
}

/* Mounting the image fails with err and a report containing what. */
static bool refused(unsigned char *img, size_t len, int want_err, const char *what)
{
	struct bh_image *bi;
	int err = 0;
	struct ext2_sb_info *sbi = mount_mem(img, len, true, &bi, &err);

	if (sbi || err != want_err || !strstr(reports, what)) {
		fprintf(stderr, "  want %d \"%s\", got %s %d:\n%s", want_err, what,
			sbi ? "mounted" : "refused", err, reports);
		ext2_put_super(sbi);
		bh_image_close(bi);
		return false;
	}
	return clean_close(NULL, bi);
}

TEST(test_bad_truncated)
{
	if (!have_tools)
		return;
	ASSERT_TRUE(refused(base, 1500, -EIO, "EXT2-fs (kda): error: unable to read superblock"));
	ASSERT_TRUE(refused(base, 512 << 10, -EINVAL, "EXT2-fs (kda): error: bad geometry: "
			    "block count 1024 exceeds size of device (512 blocks)"));
}

TEST(test_bad_zeroed_and_random)
{
	unsigned char *img;
	int i;

	if (!have_tools)
		return;
	img = calloc(1, base_len);
	ASSERT_NOT_NULL(img);
	ASSERT_TRUE(refused(img, base_len, -EINVAL,
			    "EXT2-fs (kda): error: can't find an ext2 filesystem on dev kda."));
	rng_seed(TEST_SEED());
	for (i = 0; i < 50; i++) {
		struct ext2_sb_info *sbi;
		struct bh_image *bi;
		size_t j;
		int err;

		for (j = 0; j < 65536; j++)
			img[j] = (unsigned char)rng_next();
		if (i & 1)	/* past the magic check, into the geometry's */
			es_of(img)->s_magic = cpu_to_le16(EXT2_SUPER_MAGIC);
		sbi = mount_mem(img, 65536, true, &bi, &err);
		ASSERT_NULL(sbi);
		ASSERT_TRUE(clean_close(sbi, bi));
	}
	free(img);
}

/* One superblock field changed: the mount says what is wrong with it. */
#define BAD_SB(field, value, err, what)						\
	do {									\
		unsigned char *img_ = copy_base();				\
		es_of(img_)->field = (value);					\
		ok_ = refused(img_, base_len, err, what);			\
		free(img_);							\
		ASSERT_TRUE(ok_);						\
	} while (0)

TEST(test_bad_superblock)
{
	bool ok_;

	if (!have_tools)
		return;
	BAD_SB(s_log_block_size, cpu_to_le32(7), -EINVAL, "error: invalid log block size: 7");
	BAD_SB(s_blocks_per_group, 0, -EINVAL, "error: #blocks per group invalid: 0");
	BAD_SB(s_blocks_per_group, cpu_to_le32(9000), -EINVAL,
	       "error: #blocks per group invalid: 9000");
	BAD_SB(s_inodes_per_group, cpu_to_le32(3), -EINVAL, "error: #inodes per group invalid: 3");
	BAD_SB(s_inodes_count, cpu_to_le32(0xffffff00u), -EINVAL, "error: inodes count not valid");
	BAD_SB(s_blocks_count, cpu_to_le32(0x7fffffff), -EINVAL,
	       "block count 2147483647 exceeds size of device (1024 blocks)");
	BAD_SB(s_blocks_count, cpu_to_le32(1), -EINVAL, "error: block count 1 too small");
	BAD_SB(s_first_data_block, 0, -EINVAL, "error: first data block 0 is not the superblock's");
	BAD_SB(s_inode_size, cpu_to_le16(100), -EINVAL, "error: unsupported inode size: 100");
	BAD_SB(s_inode_size, cpu_to_le16(2048), -EINVAL, "error: unsupported inode size: 2048");
	BAD_SB(s_first_ino, cpu_to_le32(3), -EINVAL, "error: invalid first inode: 3");
	BAD_SB(s_rev_level, cpu_to_le32(5), -EINVAL, "error: revision level 5 too high");
	BAD_SB(s_feature_incompat, cpu_to_le32(EXT2_FEATURE_INCOMPAT_FILETYPE | 0x8000), -EINVAL,
	       "error: couldn't mount because of unsupported optional features (8000)");
	BAD_SB(s_feature_incompat, cpu_to_le32(EXT3_FEATURE_INCOMPAT_RECOVER |
					       EXT2_FEATURE_INCOMPAT_FILETYPE), -EINVAL,
	       "unsupported optional features (4)");
}

/* An unknown RO_COMPAT feature: readable, but the mount is read-only. */
TEST(test_ro_compat_unknown)
{
	unsigned char *img = copy_base();
	struct ext2_inode_info *root;
	struct ext2_sb_info *sbi;
	struct bh_image *bi;
	unsigned long ino;
	int err;

	if (!have_tools)
		return;
	le32_add_cpu(&es_of(img)->s_feature_ro_compat, 0x1000);
	reports[0] = 0;
	bi = bh_image_from_mem(img, base_len, false);
	sbi = ext2_fill_super(&bi->bdev, false, &err);
	ASSERT_NOT_NULL(sbi);
	ASSERT_TRUE(sbi->s_read_only);
	ASSERT_CONTAINS(reports, "EXT2-fs (kda): warning: unsupported optional features (1000): "
			"mounting read-only");
	ASSERT_EQ(ext2_namei(sbi, "/d/g", &ino), 0);
	root = ext2_iget(sbi, EXT2_ROOT_INO, &err);
	ASSERT_EQ(ext2_create(root, "new", 0644, &ino), -EROFS);
	ASSERT_EQ(ext2_mkdir(root, "new", 0755, &ino), -EROFS);
	ASSERT_EQ(ext2_unlink(root, "f"), -EROFS);
	ext2_iput(root);
	ASSERT_TRUE(clean_close(sbi, bi));
	free(img);
}

TEST(test_bad_group_desc)
{
	struct ext2_group_desc *gdp;
	unsigned char *img;
	char want[256];

	if (!have_tools)
		return;
	img = copy_base();
	gdp = (struct ext2_group_desc *)(img + 2 * 1024);
	gdp->bg_block_bitmap = cpu_to_le32(5000);
	ASSERT_TRUE(refused(img, base_len, -EFSCORRUPTED, "EXT2-fs error (device kda): "
			    "ext2_check_descriptors: block 5000: block bitmap for group 0 not in group"));
	ASSERT_CONTAINS(reports, "EXT2-fs (kda): error: group descriptors corrupted");
	memcpy(img, base, base_len);
	gdp->bg_inode_bitmap = cpu_to_le32(1);	/* the superblock's block */
	ASSERT_TRUE(refused(img, base_len, -EFSCORRUPTED,
			    "ext2_check_descriptors: block 1: inode bitmap for group 0 not in group"));
	memcpy(img, base, base_len);
	gdp->bg_inode_table = cpu_to_le32(1020);	/* runs past the group's end */
	snprintf(want, sizeof(want), "block 1020: inode table for group 0 not in group");
	ASSERT_TRUE(refused(img, base_len, -EFSCORRUPTED, want));
	free(img);
}

/* /d's first entry (".") changed: a lookup in /d fails and says why. */
static bool bad_dirent(uint32_t inode, uint16_t rec_len, uint8_t name_len, const char *what)
{
	unsigned char *img = copy_base();
	struct ext2_dir_entry_2 *de = (struct ext2_dir_entry_2 *)(img + d_block * 1024);
	struct ext2_sb_info *sbi;
	struct bh_image *bi;
	char want[256];
	unsigned long ino;
	bool ok;
	int err;

	if (inode)
		de->inode = cpu_to_le32(inode);
	if (rec_len)
		de->rec_len = cpu_to_le16(rec_len);
	if (name_len)
		de->name_len = name_len;
	sbi = mount_mem(img, base_len, true, &bi, &err);
	if (!sbi)
		return false;
	snprintf(want, sizeof(want), "EXT2-fs error (device kda): ext2_check_page: block %lu: "
		 "bad entry in directory #%lu: %s - offset=0", d_block, d_ino, what);
	ok = ext2_namei(sbi, "/d/g", &ino) == -EFSCORRUPTED && strstr(reports, want) &&
	     sbi->s_nr_errors == 1 && (sbi->s_mount_state & EXT2_ERROR_FS) &&
	     ext2_namei(sbi, "/f", &ino) == 0;
	if (!ok)
		fprintf(stderr, "  want \"%s\":\n%s", want, reports);
	ok = clean_close(sbi, bi) && ok;
	free(img);
	return ok;
}

TEST(test_bad_dirent)
{
	char what[64];

	if (!have_tools)
		return;
	snprintf(what, sizeof(what), "inode out of bounds");
	ASSERT_TRUE(bad_dirent(inodes_count + 1, 0, 0, what));
	ASSERT_TRUE(bad_dirent(0, 13, 0, "unaligned directory entry"));
	ASSERT_TRUE(bad_dirent(0, 4, 0, "rec_len is smaller than minimal"));
	ASSERT_TRUE(bad_dirent(0, 2000, 0, "directory entry across blocks"));
	ASSERT_TRUE(bad_dirent(0, 0, 200, "rec_len is too small for name_len"));
}

/* /d/ind's block pointers changed: reading the file stops with the block named. */
static bool bad_pointer(unsigned long raw_off, uint32_t value, unsigned long long pos,
			const char *want)
{
	unsigned char *img = copy_base();
	struct ext2_inode_info *inode;
	struct ext2_sb_info *sbi;
	struct bh_image *bi;
	char buf[1024];
	bool ok;
	int err;

	memcpy(img + raw_off, &value, 4);
	sbi = mount_mem(img, base_len, true, &bi, &err);
	if (!sbi)
		return false;
	inode = ext2_iget(sbi, ind_ino, &err);
	ok = inode && ext2_read_file(inode, pos, buf, sizeof(buf)) == -EFSCORRUPTED &&
	     strstr(reports, want);
	if (!ok)
		fprintf(stderr, "  want \"%s\":\n%s", want, reports);
	ext2_iput(inode);
	ok = clean_close(sbi, bi) && ok;
	free(img);
	return ok;
}

TEST(test_bad_block_pointers)
{
	unsigned long i_block = ind_raw + offsetof(struct ext2_inode, i_block);
	char want[256];

	if (!have_tools)
		return;
	/* The indirect block's first entry is the indirect block itself. */
	snprintf(want, sizeof(want), "ext2_get_block: block %lu: loop in indirect blocks - "
		 "inode=%lu, iblock=12", ind_block, ind_ino);
	ASSERT_TRUE(bad_pointer(ind_block * 1024, cpu_to_le32(ind_block), 12 * 1024, want));
	/* A direct pointer to the block bitmap, one past the end of the disk. */
	ASSERT_TRUE(bad_pointer(i_block, cpu_to_le32(3), 0, "ext2_get_block: block 3: data block "
				"outside the data area - inode="));
	snprintf(want, sizeof(want), "block %lu: data block outside the data area", itable);
	ASSERT_TRUE(bad_pointer(i_block + 4, cpu_to_le32(itable), 1024, want));
	ASSERT_TRUE(bad_pointer(ind_block * 1024 + 4, cpu_to_le32(1024), 13 * 1024,
				"block 1024: data block outside the data area"));
	ASSERT_TRUE(bad_pointer(i_block + 4 * EXT2_IND_BLOCK, cpu_to_le32(0xffffffffu), 12 * 1024,
				"block 4294967295: indirect block outside the data area"));
}

TEST(test_bad_inode_numbers)
{
	struct ext2_sb_info *sbi;
	struct bh_image *bi;
	char want[128];
	int err;

	if (!have_tools)
		return;
	sbi = mount_mem(base, base_len, true, &bi, &err);
	ASSERT_NOT_NULL(sbi);
	ASSERT_NULL(ext2_iget(sbi, 0, &err));
	ASSERT_EQ(err, -EFSCORRUPTED);
	ASSERT_NULL(ext2_iget(sbi, inodes_count + 1, &err));
	ASSERT_EQ(err, -EFSCORRUPTED);
	snprintf(want, sizeof(want), "ext2_get_inode: bad inode number: %lu", inodes_count + 1);
	ASSERT_CONTAINS(reports, want);
	ASSERT_NULL(ext2_iget(sbi, 5, &err));	/* reserved, not the root */
	/* A table block that cannot be read. */
	bi->fail_read = itable + (ind_ino - 1) * sbi->s_inode_size / 1024;
	ASSERT_NULL(ext2_iget(sbi, ind_ino, &err));
	ASSERT_EQ(err, -EIO);
	ASSERT_CONTAINS(reports, "unable to read inode block");
	ASSERT_TRUE(clean_close(sbi, bi));
}

/* Random bytes in the metadata of a good image: survived, nothing written. */
TEST(test_bad_metadata_random)
{
	unsigned char *img;
	int i;

	if (!have_tools)
		return;
	img = malloc(base_len);
	ASSERT_NOT_NULL(img);
	rng_seed(TEST_SEED() + 7);
	for (i = 0; i < 300; i++) {
		struct ext2_sb_info *sbi;
		struct bh_image *bi;
		unsigned long ino;
		char buf[4096];
		int j, err;

		memcpy(img, base, base_len);
		for (j = 0; j < 1 + (int)rng_below(8); j++)
			img[1024 + rng_below(24 * 1024)] = (unsigned char)rng_next();
		sbi = mount_mem(img, base_len, true, &bi, &err);
		if (sbi) {
			const char *paths[] = { "/f", "/d/g", "/d/ind", "/lost+found" };
			size_t k;

			for (k = 0; k < ARRAY_SIZE(paths); k++) {
				struct ext2_inode_info *inode;

				if (ext2_namei(sbi, paths[k], &ino))
					continue;
				inode = ext2_iget(sbi, ino, &err);
				if (inode && inode->i_size < (1 << 20))
					ext2_read_file(inode, 0, buf, sizeof(buf));
				ext2_iput(inode);
			}
		}
		ASSERT_TRUE(clean_close(sbi, bi));
	}
	free(img);
}

/* ---- write side ---- */

/* e2fsck -fn on img: 0 when it finds nothing to fix (its report otherwise). */
static int fsck(const char *img)
{
	char out[8192];
	int rc = run_e2fsck(e2fsck, "-fn", img, out, sizeof(out));

	if (rc)
		fprintf(stderr, "  e2fsck -fn %s: %d\n%s", img, rc, out);
	return rc;
}

/* Whether `debugfs -R "cat path"` prints exactly want (saying so if not). */
static bool debugfs_cat(const char *img, const char *path, const void *want, size_t len)
{
	bool same = debugfs_cat_is(debugfs, img, path, want, len);

	if (!same)
		fprintf(stderr, "  debugfs cat %s differs\n", path);
	return same;
}

static void pattern(char *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (char)(seed + i * 7 + (i >> 10));
}

static struct ext2_inode_info *iget_path(struct ext2_sb_info *sbi, const char *path)
{
	unsigned long ino;
	int err;

	if (ext2_namei(sbi, path, &ino))
		return NULL;
	return ext2_iget(sbi, ino, &err);
}

/* Creates dir/name and writes len bytes of pattern seed at pos. */
static int new_file(struct ext2_inode_info *dir, const char *name, unsigned long long pos,
		    size_t len, unsigned int seed)
{
	struct ext2_inode_info *inode;
	unsigned long ino;
	char *buf = malloc(len);
	long n;
	int err;

	err = ext2_create(dir, name, 0644, &ino);
	if (err)
		return err;
	inode = ext2_iget(dir->i_sb, ino, &err);
	if (!inode || !buf)
		abort();
	pattern(buf, len, seed);
	n = ext2_write_file(inode, pos, buf, len);
	ext2_iput(inode);
	free(buf);
	return n == (long)len ? 0 : -EIO;
}

static void make_small_src(const char *dir)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "mkdir -p %s/d/empty && echo hello > %s/f && echo g > %s/d/g",
		 dir, dir, dir);
	if (system(cmd))
		abort();
}

static int make_small_image(const char *img, const char *opts, const char *size)
{
	char dir[256], cmd[1024];

	snprintf(dir, sizeof(dir), "%s/wsrc", tmp);
	make_small_src(dir);
	snprintf(cmd, sizeof(cmd), "%s -q -F -t ext2 %s -d %s %s %s", mke2fs, opts, dir, img, size);
	return run_quiet(cmd);
}

static struct ext2_sb_info *mount_rw(const char *img, struct bh_image **bi)
{
	int err;

	*bi = bh_image_open(img, false);
	if (!*bi)
		return NULL;
	return ext2_fill_super(&(*bi)->bdev, false, &err);
}

/* Unmounts, saves the image for the host's tools: 0 when all went back. */
static int umount_save(struct ext2_sb_info *sbi, struct bh_image *bi, const char *img)
{
	ext2_put_super(sbi);
	if (bh_image_save(bi, img))
		return -1;
	return (int)bh_image_close(bi);
}

static void write_side(unsigned int bs)
{
	struct ext2_inode_info *root, *nd, *big, *inode;
	struct ext2_sb_info *sbi;
	struct bh_image *bi;
	char img[256], opts[64], name[64];
	static char buf[(3 << 20) + 10000];
	unsigned long ino, free_before;
	int i;

	snprintf(img, sizeof(img), "%s/w%u.img", tmp, bs);
	snprintf(opts, sizeof(opts), "-b %u", bs);
	ASSERT_EQ(make_small_image(img, opts, "8M"), 0);
	sbi = mount_rw(img, &bi);
	ASSERT_NOT_NULL(sbi);
	free_before = le32_to_cpu(sbi->s_es->s_free_blocks_count);
	root = ext2_iget(sbi, EXT2_ROOT_INO, &i);
	ASSERT_NOT_NULL(root);
	ASSERT_EQ(new_file(root, "new.txt", 0, 5000, 1), 0);
	ASSERT_EQ(new_file(root, "big.bin", 0, 300 << 10, 2), 0);
	ASSERT_EQ(new_file(root, "holes", 3 << 20, 100, 3), 0);
	ASSERT_EQ(ext2_create(root, "new.txt", 0644, &ino), -EEXIST);
	ASSERT_EQ(ext2_mkdir(root, "newdir", 0755, &ino), 0);
	ASSERT_EQ(root->i_links_count, 5);	/* ., lost+found, d, newdir and its entry */
	nd = ext2_iget(sbi, ino, &i);
	ASSERT_NOT_NULL(nd);
	ASSERT_EQ(ext2_mkdir(nd, "sub", 0700, &ino), 0);
	inode = iget_path(sbi, "/newdir/sub");
	ASSERT_NOT_NULL(inode);
	ASSERT_EQ(new_file(inode, "f", 0, 3000, 4), 0);
	ext2_iput(inode);
	/* Enough entries for the directory to need more blocks. */
	for (i = 0; i < 120; i++) {
		snprintf(name, sizeof(name), "entry-number-%03d-with-a-long-name", i);
		ASSERT_EQ(new_file(nd, name, 0, 10, i), 0);
	}
	ASSERT_TRUE(nd->i_size > bs);
	for (i = 0; i < 120; i += 2) {
		snprintf(name, sizeof(name), "entry-number-%03d-with-a-long-name", i);
		ASSERT_EQ(ext2_unlink(nd, name), 0);
	}
	/* Renames: a file between directories, a directory between them, in place. */
	ASSERT_EQ(ext2_rename(root, "new.txt", nd, "renamed.txt"), 0);
	ASSERT_EQ(ext2_rename(nd, "sub", root, "moved"), 0);
	ASSERT_EQ(ext2_namei(sbi, "/moved/../moved/f", &ino), 0);
	ASSERT_EQ(ext2_rename(root, "f", root, "f2"), 0);
	ASSERT_EQ(ext2_rename(root, "moved", root, "moved"), 0);
	ASSERT_EQ(ext2_rename(root, "d", nd, "x"), 0);
	inode = iget_path(sbi, "/newdir/x/empty");
	ASSERT_NOT_NULL(inode);
	ASSERT_EQ(ext2_rename(root, "newdir", inode, "loop"), -EINVAL);
	ext2_iput(inode);
	/* A file onto a file; a directory onto an empty directory. */
	ASSERT_EQ(new_file(root, "victim", 0, 2000, 5), 0);
	ASSERT_EQ(ext2_rename(root, "f2", root, "victim"), 0);
	ASSERT_EQ(ext2_mkdir(root, "emptydir", 0755, &ino), 0);
	ASSERT_EQ(ext2_rename(root, "moved", root, "emptydir"), 0);
	ASSERT_EQ(ext2_rename(root, "victim", root, "emptydir"), -EISDIR);
	/* Links, unlink, rmdir. */
	big = iget_path(sbi, "/big.bin");
	ASSERT_NOT_NULL(big);
	ASSERT_EQ(ext2_link(nd, "biglink", big), 0);
	ASSERT_EQ(big->i_links_count, 2);
	ASSERT_EQ(ext2_rmdir(root, "newdir"), -ENOTEMPTY);
	ASSERT_EQ(ext2_rmdir(root, "big.bin"), -ENOTDIR);
	ASSERT_EQ(ext2_unlink(root, "newdir"), -EISDIR);
	ASSERT_EQ(ext2_unlink(root, "nope"), -ENOENT);
	inode = iget_path(sbi, "/newdir/x");
	ASSERT_NOT_NULL(inode);
	ASSERT_EQ(ext2_rmdir(inode, "empty"), 0);
	ASSERT_EQ(inode->i_links_count, 2);
	ext2_iput(inode);
	/* Truncation: big.bin into its direct blocks, holes into its first block. */
	ASSERT_EQ(ext2_setsize(big, 20000), 0);
	ext2_iput(big);
	inode = iget_path(sbi, "/holes");
	ASSERT_NOT_NULL(inode);
	ASSERT_EQ(ext2_setsize(inode, 3 << 20 | 50), 0);
	ASSERT_EQ(ext2_setsize(inode, 3 << 20 | 10000), 0);	/* grows: the tail reads zeros */
	ext2_iput(inode);
	ASSERT_EQ(ext2_count_free_blocks(sbi), le32_to_cpu(sbi->s_es->s_free_blocks_count));
	ext2_iput(nd);
	ext2_iput(root);
	ASSERT_EQ(umount_save(sbi, bi, img), 0);
	ASSERT_EQ(fsck(img), 0);

	pattern(buf, 5000, 1);
	ASSERT_TRUE(debugfs_cat(img, "/newdir/renamed.txt", buf, 5000));
	pattern(buf, 20000, 2);
	ASSERT_TRUE(debugfs_cat(img, "/newdir/biglink", buf, 20000));
	pattern(buf, 3000, 4);
	ASSERT_TRUE(debugfs_cat(img, "/emptydir/f", buf, 3000));
	ASSERT_TRUE(debugfs_cat(img, "/victim", "hello\n", 6));
	pattern(buf, 10, 7);
	ASSERT_TRUE(debugfs_cat(img, "/newdir/entry-number-007-with-a-long-name", buf, 10));
	memset(buf, 0, (3 << 20) + 10000);
	pattern(buf + (3 << 20), 50, 3);
	ASSERT_TRUE(debugfs_cat(img, "/holes", buf, (3 << 20) + 10000));

	/* Everything but the new names' blocks is free again after removing them. */
	sbi = mount_rw(img, &bi);
	ASSERT_NOT_NULL(sbi);
	root = ext2_iget(sbi, EXT2_ROOT_INO, &i);
	ASSERT_EQ(ext2_unlink(root, "holes"), 0);
	ASSERT_EQ(ext2_unlink(root, "big.bin"), 0);
	nd = iget_path(sbi, "/newdir");
	ASSERT_EQ(ext2_unlink(nd, "biglink"), 0);
	ext2_iput(nd);
	ASSERT_TRUE(le32_to_cpu(sbi->s_es->s_free_blocks_count) <= free_before);
	ext2_iput(root);
	ASSERT_EQ(umount_save(sbi, bi, img), 0);
	ASSERT_EQ(fsck(img), 0);
}

TEST(test_write_1k)
{
	if (have_tools)
		write_side(1024);
}

TEST(test_write_4k)
{
	if (have_tools)
		write_side(4096);
}

TEST(test_write_enospc)
{
	struct ext2_inode_info *root, *inode;
	struct ext2_sb_info *sbi;
	struct bh_image *bi;
	static char buf[64 << 10];
	char img[256], name[32];
	unsigned long ino, free0;
	long n, total = 0;
	int i, err = 0;

	if (!have_tools)
		return;
	snprintf(img, sizeof(img), "%s/full.img", tmp);
	ASSERT_EQ(make_small_image(img, "-b 1024 -N 32 -m 5", "1M"), 0);
	sbi = mount_rw(img, &bi);
	ASSERT_NOT_NULL(sbi);
	free0 = le32_to_cpu(sbi->s_es->s_free_blocks_count);
	root = ext2_iget(sbi, EXT2_ROOT_INO, &err);
	ASSERT_EQ(ext2_create(root, "fill", 0644, &ino), 0);
	inode = ext2_iget(sbi, ino, &err);
	pattern(buf, sizeof(buf), 9);
	while ((n = ext2_write_file(inode, total, buf, sizeof(buf))) > 0)
		total += n;
	ASSERT_EQ(n, -ENOSPC);
	ASSERT_EQ(le32_to_cpu(sbi->s_es->s_free_blocks_count), 0);
	ASSERT_EQ(ext2_count_free_blocks(sbi), 0);
	ASSERT_EQ(ext2_mkdir(root, "nospace", 0755, &ino), -ENOSPC);
	ext2_iput(inode);
	ext2_iput(root);
	ASSERT_EQ(umount_save(sbi, bi, img), 0);
	ASSERT_EQ(fsck(img), 0);

	/* In-memory inodes belong to their mount: the root is read again. */
	sbi = mount_rw(img, &bi);
	root = ext2_iget(sbi, EXT2_ROOT_INO, &err);
	ASSERT_NOT_NULL(root);
	ASSERT_EQ(ext2_unlink(root, "fill"), 0);
	ASSERT_EQ(le32_to_cpu(sbi->s_es->s_free_blocks_count), free0);
	/* Out of inodes: empty files until the table is full. */
	for (i = 0; err == 0; i++) {
		snprintf(name, sizeof(name), "i%d", i);
		err = ext2_create(root, name, 0644, &ino);
	}
	ASSERT_EQ(err, -ENOSPC);
	ASSERT_EQ(le32_to_cpu(sbi->s_es->s_free_inodes_count), 0);
	ext2_iput(root);
	ASSERT_EQ(umount_save(sbi, bi, img), 0);
	ASSERT_EQ(fsck(img), 0);
}

TEST(test_write_erofs)
{
	struct ext2_inode_info *root, *inode;
	struct ext2_sb_info *sbi;
	struct bh_image *bi;
	char img[256];
	unsigned long ino;
	int err;

	if (!have_tools)
		return;
	snprintf(img, sizeof(img), "%s/ro.img", tmp);
	ASSERT_EQ(make_small_image(img, "-b 1024", "1M"), 0);
	bi = bh_image_open(img, false);
	sbi = ext2_fill_super(&bi->bdev, true, &err);
	ASSERT_NOT_NULL(sbi);
	root = ext2_iget(sbi, EXT2_ROOT_INO, &err);
	inode = iget_path(sbi, "/f");
	ASSERT_NOT_NULL(inode);
	ASSERT_EQ(ext2_create(root, "x", 0644, &ino), -EROFS);
	ASSERT_EQ(ext2_mkdir(root, "x", 0755, &ino), -EROFS);
	ASSERT_EQ(ext2_unlink(root, "f"), -EROFS);
	ASSERT_EQ(ext2_rmdir(root, "d"), -EROFS);
	ASSERT_EQ(ext2_rename(root, "f", root, "g"), -EROFS);
	ASSERT_EQ(ext2_link(root, "g", inode), -EROFS);
	ASSERT_EQ(ext2_write_file(inode, 0, "x", 1), -EROFS);
	ASSERT_EQ(ext2_setsize(inode, 0), -EROFS);
	ASSERT_EQ(ext2_new_block(inode, 0, &err), 0);
	ASSERT_EQ(err, -EROFS);
	ext2_iput(inode);
	ext2_iput(root);
	ext2_put_super(sbi);
	ASSERT_EQ(bi->writes, 0);
	ASSERT_EQ(bh_image_close(bi), 0);
}

int main(void)
{
	if (setup()) {
		kmm_set_report_hook(collect, NULL);
		probe_base();
	}
	RUN_TEST(test_read_1k);
	RUN_TEST(test_read_2k);
	RUN_TEST(test_read_4k);
	RUN_TEST(test_read_rev0);
	RUN_TEST(test_read_ranges);
	RUN_TEST(test_bad_truncated);
	RUN_TEST(test_bad_zeroed_and_random);
	RUN_TEST(test_bad_superblock);
	RUN_TEST(test_ro_compat_unknown);
	RUN_TEST(test_bad_group_desc);
	RUN_TEST(test_bad_dirent);
	RUN_TEST(test_bad_block_pointers);
	RUN_TEST(test_bad_inode_numbers);
	RUN_TEST(test_bad_metadata_random);
	RUN_TEST(test_write_1k);
	RUN_TEST(test_write_4k);
	RUN_TEST(test_write_enospc);
	RUN_TEST(test_write_erofs);
	if (!getenv("KMM_KEEP_TMP"))
		nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return harness_summary();
}
