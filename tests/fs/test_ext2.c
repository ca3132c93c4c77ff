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
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", src, rel);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	if (fd < 0 || pwrite(fd, buf, len, at) != (ssize_t)len)
		abort();
	close(fd);
}

static void put_dir(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", src, rel);
	if (mkdir(path, 0755))
		abort();
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
	have_tools = find_tool("mke2fs", mke2fs, sizeof(mke2fs)) &&
		     find_tool("e2fsck", e2fsck, sizeof(e2fsck)) &&
		     find_tool("debugfs", debugfs, sizeof(debugfs));
	if (!have_tools) {
		printf("skip: mke2fs, e2fsck or debugfs not found (e2fsprogs): image tests skipped\n");
		return false;
	}
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

int main(void)
{
	setup();
	RUN_TEST(test_read_1k);
	RUN_TEST(test_read_2k);
	RUN_TEST(test_read_4k);
	RUN_TEST(test_read_rev0);
	RUN_TEST(test_read_ranges);
	if (!getenv("KMM_KEEP_TMP"))
		nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return harness_summary();
}
