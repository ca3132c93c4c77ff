/*
 * tests/fuzz/fuzz_ext2.c - fs/ext2/ on mutated images, over the
 * buffer-cache double (tests/fs/bh_image.c).  The input is the start of
 * a 64 KiB disk image (the rest reads as zeros); the seed is a tiny
 * mke2fs image (corpus/ext2/).  Each input is
 *
 *   1. mounted read-only on a read-only device and walked: every
 *      directory listed, every name looked up, every regular file read
 *      to its end (at most 64 KiB of each, 256 inodes, 16 levels);
 *   2. mounted read-write on a fresh copy, and changed: a file created,
 *      written, truncated and unlinked, a directory made and removed.
 *
 * Oracles: ASan and UBSan; the read-only pass writes nothing; both
 * passes give every buffer reference back (bh_image_close() == 0).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/kmm.h>
#include "fs/ext2/ext2.h"
#include "tests/fs/bh_image.h"

#define IMAGE_SIZE	(64u << 10)
#define MAX_DEPTH	16
#define MAX_INODES	256
#define MAX_FILE	(64u << 10)

struct walk {
	struct ext2_sb_info *sbi;
	struct ext2_inode_info *dir;
	int depth;
	int budget;
};

static void walk_inode(struct walk *w, unsigned long ino);

static int visit(void *ctx, const char *name, int len, unsigned long ino, unsigned int type)
{
	struct walk *w = ctx;
	char buf[EXT2_NAME_LEN + 1];
	unsigned long found;

	if (--w->budget <= 0)
		return 1;
	memcpy(buf, name, len);
	buf[len] = 0;
	/* The name must find what the listing said, unless reading differs. */
	if (ext2_lookup(w->dir, buf, &found) == 0 && found == ino &&
	    strcmp(buf, ".") && strcmp(buf, ".."))
		walk_inode(w, ino);
	return 0;
}

static void read_all(struct ext2_inode_info *inode)
{
	static char buf[4096];
	unsigned long long pos = 0;
	long n;

	while (pos < MAX_FILE && (n = ext2_read_file(inode, pos, buf, sizeof(buf))) > 0)
		pos += n;
}

static void walk_inode(struct walk *w, unsigned long ino)
{
	struct ext2_inode_info *inode, *parent = w->dir;
	int err;

	if (w->depth >= MAX_DEPTH)
		return;
	inode = ext2_iget(w->sbi, ino, &err);
	if (!inode)
		return;
	if (EXT2_ISDIR(inode->i_mode) && inode->i_size <= MAX_FILE) {
		w->dir = inode;
		w->depth++;
		ext2_readdir(inode, visit, w);
		w->depth--;
		w->dir = parent;
	} else if (EXT2_ISREG(inode->i_mode)) {
		read_all(inode);
	}
	ext2_iput(inode);
}

static void read_pass(const unsigned char *image)
{
	struct bh_image *bi = bh_image_from_mem(image, IMAGE_SIZE, true);
	struct walk w = { .budget = MAX_INODES };
	int err;

	if (!bi)
		abort();
	w.sbi = ext2_fill_super(&bi->bdev, true, &err);
	if (w.sbi) {
		walk_inode(&w, EXT2_ROOT_INO);
		ext2_put_super(w.sbi);
	}
	if (bi->writes || bi->refused_writes) {
		fprintf(stderr, "fuzz_ext2: a read-only mount wrote %lu blocks (%lu refused)\n",
			bi->writes, bi->refused_writes);
		abort();
	}
	if (bh_image_close(bi)) {
		fprintf(stderr, "fuzz_ext2: buffer references left after the read pass\n");
		abort();
	}
}

static void change(struct ext2_sb_info *sbi)
{
	static char data[20000];
	struct ext2_inode_info *root, *file;
	unsigned long ino;
	int err;

	root = ext2_iget(sbi, EXT2_ROOT_INO, &err);
	if (!root)
		return;
	memset(data, 'z', sizeof(data));
	if (!ext2_create(root, "fuzz-file", 0644, &ino)) {
		file = ext2_iget(sbi, ino, &err);
		if (file) {
			ext2_write_file(file, 0, data, sizeof(data));
			ext2_write_file(file, 70000, data, 100);
			ext2_setsize(file, 3000);
			ext2_iput(file);
		}
		ext2_unlink(root, "fuzz-file");
	}
	if (!ext2_mkdir(root, "fuzz-dir", 0755, &ino))
		ext2_rmdir(root, "fuzz-dir");
	ext2_iput(root);
}

static void write_pass(const unsigned char *image)
{
	struct bh_image *bi = bh_image_from_mem(image, IMAGE_SIZE, false);
	struct ext2_sb_info *sbi;
	int err;

	if (!bi)
		abort();
	sbi = ext2_fill_super(&bi->bdev, false, &err);
	if (sbi) {
		change(sbi);
		ext2_put_super(sbi);
	}
	if (bh_image_close(bi)) {
		fprintf(stderr, "fuzz_ext2: buffer references left after the write pass\n");
		abort();
	}
}

static void quiet(const char *report, void *arg)
{
	(void)report;
	(void)arg;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static unsigned char image[IMAGE_SIZE];

	if (size > IMAGE_SIZE)
		return 0;
	kmm_set_report_hook(quiet, NULL);
	memset(image, 0, sizeof(image));
	memcpy(image, data, size);
	read_pass(image);
	write_pass(image);
	return 0;
}
