/*
 * tests/fs/test_ext2_mkfs.c - fs/ext2/mkfs.c over the buffer-cache double
 * (tests/fs/bh_image.c), checked by the host's e2fsprogs:
 *
 *   - layout: at 1, 2 and 4 KiB blocks and sizes from the smallest mke2fs
 *     accepts to several groups with backup superblocks, a short last
 *     group and a last group too small to keep, `e2fsck -fn` finds
 *     nothing to fix and `dumpe2fs` prints the same counts, features and
 *     groups (every bitmap, table and free range) as for the image the
 *     host's `mke2fs -O none,sparse_super,large_file,filetype -I 128`
 *     makes on a device of the same size;
 *   - use: ext2_fill_super mounts what mkfs made; files written through
 *     fs/ext2/ (direct, indirect, double indirect blocks, a directory)
 *     leave e2fsck clean and `debugfs -R cat` returns their bytes; an
 *     image full of old bytes, or of another filesystem, is made clean;
 *   - refusals: block sizes 512, 3000 and 8192 (EINVAL), a device too
 *     small (ENOSPC), a read-only one (EROFS): each says why and leaves
 *     every byte of the image as it was.
 *
 * Without e2fsprogs the host checks are skipped (the test says so) and the
 * rest runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fs/ext2/ext2.h"
#include "tests/fs/bh_image.h"
#include "tests/fs/ext2_test.h"
#include "tests/harness.h"

static char tmp[128];
static char mke2fs[256], e2fsck[256], debugfs[256], dumpe2fs[256];
static bool have_tools;
static const unsigned char uuid[16] = { 0x6b, 0x6d, 0x6d, 0x2d, 0x6d, 0x6b, 0x66, 0x73,
					0x80, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };

static int rm_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	return type == FTW_DP ? rmdir(p) : unlink(p);
}

/* A device of kib KiB holding fill (0: zeros). */
static struct bh_image *new_device(unsigned long kib, int fill, bool read_only)
{
	size_t len = kib << 10;
	unsigned char *buf = malloc(len + 1);
	struct bh_image *img;

	if (!buf)
		abort();
	memset(buf, fill, len);
	img = bh_image_from_mem(buf, len, read_only);
	free(buf);
	if (!img)
		abort();
	return img;
}

static void image_path(char *buf, size_t len, const char *what, unsigned int bs,
		       unsigned long kib)
{
	snprintf(buf, len, "%s/%s-%u-%lu.img", tmp, what, bs, kib);
}

/* mkfs on the device, saved to path: 0 or the first error. */
static int mkfs_save(struct bh_image *img, unsigned int bs, const char *path)
{
	const char *why = NULL;
	int err = ext2_mkfs(&img->bdev, bs, uuid, &why);

	if (err) {
		fprintf(stderr, "  ext2_mkfs %u: %d (%s)\n", bs, err, why ? why : "?");
		return err;
	}
	return bh_image_save(img, path);
}

/* e2fsck -fn finds nothing (the report shown when it does). */
static bool fsck_clean(const char *path)
{
	char out[4096];
	int rc = run_e2fsck(e2fsck, "-fn", path, out, sizeof(out));

	if (rc)
		fprintf(stderr, "  e2fsck -fn %s: %d\n%s", path, rc, out);
	return rc == 0;
}

/* What dumpe2fs says of the layout: counts, features, and every group. */
static void layout_of(const char *path, char *out, size_t len)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "%s %s 2>/dev/null | grep -E '^(Filesystem (revision #|features|"
		 "state|OS type)|Errors behavior|Inode count|Block count|Reserved block count|"
		 "Free (blocks|inodes)|First (block|inode)|(Block|Fragment|Inode) size|"
		 "(Blocks|Fragments|Inodes) per group|Inode blocks per group|Mount count|"
		 "Maximum mount count|Check interval|Reserved blocks [ug]id):|^Group |^  '",
		 dumpe2fs, path);
	run_capture(cmd, out, len);
}

/* mke2fs's image of the same size, with the features kmm's ext2 has. */
static int make_reference(const char *path, unsigned int bs, unsigned long kib)
{
	unsigned long ratio = kib < 3072 ? 8192 : kib < (512 << 10) ? 4096 : 16384;
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "rm -f %s && truncate -s %luK %s && %s -q -F -t ext2 -b %u "
		 "-I 128 -i %lu -m 5 -O none,sparse_super,large_file,filetype %s", path, kib, path,
		 mke2fs, bs, ratio, path);
	return run_quiet(cmd);
}

/* mkfs of a bs, kib device is what mke2fs makes of it, and e2fsck-clean. */
static bool same_as_mke2fs(unsigned int bs, unsigned long kib)
{
	static char got[1 << 16], want[1 << 16];
	char path[256], ref[256];
	struct bh_image *img = new_device(kib, 0, false);
	bool ok = mkfs_save(img, bs, (image_path(path, sizeof(path), "kmm", bs, kib), path)) == 0;

	if (bh_image_close(img))
		ok = false;
	if (!ok || !have_tools)
		return ok;
	image_path(ref, sizeof(ref), "mke2fs", bs, kib);
	if (make_reference(ref, bs, kib))
		abort();
	layout_of(path, got, sizeof(got));
	layout_of(ref, want, sizeof(want));
	if (strcmp(got, want)) {
		fprintf(stderr, "  %u-byte blocks, %lu KiB: dumpe2fs differs\n--- kmm\n%s--- mke2fs\n%s",
			bs, kib, got, want);
		ok = false;
	}
	ok = fsck_clean(path) && ok;
	unlink(path);
	unlink(ref);
	return ok;
}

TEST(test_layout_1k)
{
	/* 60 blocks: the smallest; 16424: a 39-block last group, dropped. */
	static const unsigned long kib[] = { 60, 1024, 8192, 16424, 33 << 10, 100 << 10 };

	for (size_t i = 0; i < ARRAY_SIZE(kib); i++)
		ASSERT_TRUE(same_as_mke2fs(1024, kib[i]));
}

TEST(test_layout_2k)
{
	static const unsigned long kib[] = { 1024, 33 << 10, (32 << 10) + 80, 100 << 10 };

	for (size_t i = 0; i < ARRAY_SIZE(kib); i++)
		ASSERT_TRUE(same_as_mke2fs(2048, kib[i]));
}

TEST(test_layout_4k)
{
	/* 136 MiB: a second, short group with a backup superblock. */
	static const unsigned long kib[] = { 240, 1024, 8192, 33 << 10, 136 << 10 };

	for (size_t i = 0; i < ARRAY_SIZE(kib); i++)
		ASSERT_TRUE(same_as_mke2fs(4096, kib[i]));
}

/* The superblock mkfs wrote, straight from the image. */
static const struct ext2_super_block *sb_of(const struct bh_image *img)
{
	return (const struct ext2_super_block *)(img->data + EXT2_SUPER_OFFSET);
}

TEST(test_superblock_fields)
{
	struct bh_image *img = new_device(33 << 10, 0, false);
	const struct ext2_super_block *es = sb_of(img);
	const char *why;

	ASSERT_EQ(ext2_mkfs(&img->bdev, 1024, uuid, &why), 0);
	ASSERT_EQ(sync_blockdev(&img->bdev), 0);
	ASSERT_EQ(le16_to_cpu(es->s_magic), EXT2_SUPER_MAGIC);
	ASSERT_EQ(le32_to_cpu(es->s_rev_level), EXT2_DYNAMIC_REV);
	ASSERT_EQ(le16_to_cpu(es->s_state), EXT2_VALID_FS);
	ASSERT_EQ(le16_to_cpu(es->s_max_mnt_count), 0xffff);
	ASSERT_EQ(le32_to_cpu(es->s_checkinterval), 0);
	ASSERT_EQ(le32_to_cpu(es->s_creator_os), EXT2_OS_LINUX);
	ASSERT_EQ(le32_to_cpu(es->s_first_ino), 11);
	ASSERT_EQ(le16_to_cpu(es->s_inode_size), 128);
	ASSERT_EQ(le32_to_cpu(es->s_blocks_count), 33792);
	ASSERT_EQ(le32_to_cpu(es->s_r_blocks_count), 33792 * 5 / 100);
	ASSERT_EQ(le32_to_cpu(es->s_feature_compat), 0);
	ASSERT_EQ(le32_to_cpu(es->s_feature_incompat), EXT2_FEATURE_INCOMPAT_FILETYPE);
	ASSERT_EQ(le32_to_cpu(es->s_feature_ro_compat), EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER |
		  EXT2_FEATURE_RO_COMPAT_LARGE_FILE);
	ASSERT_TRUE(!memcmp(es->s_uuid, uuid, 16));
	ASSERT_TRUE(le32_to_cpu(es->s_mkfs_time) && es->s_mkfs_time == es->s_wtime);
	/* Backups in groups 1 and 3 (of 5) only, each naming its group. */
	es = (const struct ext2_super_block *)(img->data + 8193ul * 1024);
	ASSERT_EQ(le16_to_cpu(es->s_magic), EXT2_SUPER_MAGIC);
	ASSERT_EQ(le16_to_cpu(es->s_block_group_nr), 1);
	es = (const struct ext2_super_block *)(img->data + 24577ul * 1024);
	ASSERT_EQ(le16_to_cpu(es->s_block_group_nr), 3);
	es = (const struct ext2_super_block *)(img->data + 16385ul * 1024);
	ASSERT_NE(le16_to_cpu(es->s_magic), EXT2_SUPER_MAGIC);
	ASSERT_EQ(bh_image_close(img), 0);
}

static void pattern(char *buf, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)(seed * 31 + i * 13 + (i >> 12));
}

/* dir/name, made and written with len bytes of pattern seed. */
static int write_new(struct ext2_inode_info *dir, const char *name, size_t len,
		     unsigned int seed)
{
	struct ext2_inode_info *inode;
	unsigned long ino;
	char *buf = malloc(len);
	long n = -1;
	int err = ext2_create(dir, name, 0644, &ino);

	if (!err && buf && (inode = ext2_iget(dir->i_sb, ino, &err))) {
		pattern(buf, len, seed);
		n = ext2_write_file(inode, 0, buf, len);
		ext2_iput(inode);
	}
	free(buf);
	return err ? err : n == (long)len ? 0 : -EIO;
}

static bool cat_is(const char *path, const char *name, size_t len, unsigned int seed)
{
	char *buf = malloc(len);
	bool same;

	pattern(buf, len, seed);
	same = debugfs_cat_is(debugfs, path, name, buf, len);
	if (!same)
		fprintf(stderr, "  debugfs cat %s differs\n", name);
	free(buf);
	return same;
}

/* mkfs, mount, files through fs/ext2/, umount: e2fsck clean, debugfs reads them. */
static void files_on(unsigned int bs, unsigned long kib, int old_bytes)
{
	struct bh_image *img = new_device(kib, old_bytes, false);
	struct ext2_inode_info *root, *sub;
	struct ext2_sb_info *sbi;
	unsigned long ino;
	char path[256];
	int err;

	image_path(path, sizeof(path), "files", bs, kib);
	ASSERT_EQ(ext2_mkfs(&img->bdev, bs, uuid, NULL), 0);
	sbi = ext2_fill_super(&img->bdev, false, &err);
	ASSERT_NOT_NULL(sbi);
	ASSERT_EQ(sbi->s_blocksize, bs);
	ASSERT_EQ(ext2_namei(sbi, "/lost+found", &ino), 0);
	ASSERT_EQ(ino, 11);
	root = ext2_iget(sbi, EXT2_ROOT_INO, &err);
	ASSERT_NOT_NULL(root);
	ASSERT_EQ(write_new(root, "small", 100, 1), 0);
	ASSERT_EQ(write_new(root, "indirect", 40 * bs, 2), 0);
	ASSERT_EQ(write_new(root, "dindirect", (12 + bs / 4 + 10) * (size_t)bs, 3), 0);
	ASSERT_EQ(ext2_mkdir(root, "dir", 0755, &ino), 0);
	sub = ext2_iget(sbi, ino, &err);
	ASSERT_NOT_NULL(sub);
	ASSERT_EQ(write_new(sub, "inner", 5000, 4), 0);
	ext2_iput(sub);
	ext2_iput(root);
	ext2_put_super(sbi);
	ASSERT_EQ(bh_image_save(img, path), 0);
	ASSERT_EQ(bh_image_close(img), 0);
	if (!have_tools)
		return;
	ASSERT_TRUE(fsck_clean(path));
	ASSERT_TRUE(cat_is(path, "/small", 100, 1));
	ASSERT_TRUE(cat_is(path, "/indirect", 40 * bs, 2));
	ASSERT_TRUE(cat_is(path, "/dindirect", (12 + bs / 4 + 10) * (size_t)bs, 3));
	ASSERT_TRUE(cat_is(path, "/dir/inner", 5000, 4));
	unlink(path);
}

TEST(test_files_1k)
{
	files_on(1024, 8 << 10, 0);
}

TEST(test_files_2k_old_bytes)
{
	files_on(2048, 16 << 10, 0xa5);
}

TEST(test_files_4k_old_bytes)
{
	files_on(4096, 33 << 10, 0xff);
}

/* A filesystem made over another of a different block size is clean. */
TEST(test_remake)
{
	struct bh_image *img = new_device(16 << 10, 0, false);
	char path[256];

	image_path(path, sizeof(path), "remake", 1024, 16 << 10);
	ASSERT_EQ(ext2_mkfs(&img->bdev, 4096, uuid, NULL), 0);
	ASSERT_EQ(mkfs_save(img, 1024, path), 0);
	ASSERT_EQ(le32_to_cpu(sb_of(img)->s_log_block_size), 0);
	ASSERT_EQ(bh_image_close(img), 0);
	if (have_tools)
		ASSERT_TRUE(fsck_clean(path));
	unlink(path);
}

/* mkfs fails with want, a reason, and not one byte of the image changed. */
static bool refused(unsigned long kib, unsigned int bs, bool read_only, int want)
{
	struct bh_image *img = new_device(kib, 0x5a, read_only);
	unsigned char *before = malloc(img->size);
	const char *why = NULL;
	bool ok;
	int err;

	memcpy(before, img->data, img->size);
	err = ext2_mkfs(&img->bdev, bs, uuid, &why);
	sync_blockdev(&img->bdev);
	ok = err == want && why && *why && !memcmp(before, img->data, img->size) &&
	     img->writes == 0 && img->refused_writes == 0;
	if (!ok)
		fprintf(stderr, "  mkfs %lu KiB, bs %u%s: %d (%s), want %d\n", kib, bs,
			read_only ? " ro" : "", err, why ? why : "no reason", want);
	free(before);
	return bh_image_close(img) == 0 && ok;
}

TEST(test_bad_block_size)
{
	ASSERT_TRUE(refused(1024, 512, false, -EINVAL));
	ASSERT_TRUE(refused(1024, 3000, false, -EINVAL));
	ASSERT_TRUE(refused(1024, 8192, false, -EINVAL));
}

TEST(test_too_small)
{
	ASSERT_TRUE(refused(0, 1024, false, -ENOSPC));
	ASSERT_TRUE(refused(1, 1024, false, -ENOSPC));
	ASSERT_TRUE(refused(59, 1024, false, -ENOSPC));
	ASSERT_TRUE(refused(200, 4096, false, -ENOSPC));
	ASSERT_TRUE(refused(8, 4096, false, -ENOSPC));
}

TEST(test_read_only)
{
	ASSERT_TRUE(refused(8 << 10, 1024, true, -EROFS));
	ASSERT_TRUE(refused(8 << 10, 0, true, -EROFS));
}

/* Block size 0 is mke2fs's choice: 1 KiB below 512 MiB. */
TEST(test_default_block_size)
{
	struct bh_image *img = new_device(8 << 10, 0, false);

	ASSERT_EQ(ext2_mkfs(&img->bdev, 0, NULL, NULL), 0);
	ASSERT_EQ(sync_blockdev(&img->bdev), 0);
	ASSERT_EQ(le32_to_cpu(sb_of(img)->s_log_block_size), 0);
	ASSERT_EQ(bh_image_close(img), 0);
}

int main(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/kmm-test-mkfs-XXXXXX");
	if (!mkdtemp(tmp))
		abort();
	have_tools = find_e2fsprogs(mke2fs, e2fsck, debugfs);
	if (have_tools && !find_tool("dumpe2fs", dumpe2fs, sizeof(dumpe2fs))) {
		printf("skip: dumpe2fs not found (e2fsprogs): image checks skipped\n");
		have_tools = false;
	}
	RUN_TEST(test_layout_1k);
	RUN_TEST(test_layout_2k);
	RUN_TEST(test_layout_4k);
	RUN_TEST(test_superblock_fields);
	RUN_TEST(test_files_1k);
	RUN_TEST(test_files_2k_old_bytes);
	RUN_TEST(test_files_4k_old_bytes);
	RUN_TEST(test_remake);
	RUN_TEST(test_bad_block_size);
	RUN_TEST(test_too_small);
	RUN_TEST(test_read_only);
	RUN_TEST(test_default_block_size);
	if (!getenv("KMM_KEEP_TMP"))
		nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return harness_summary();
}
