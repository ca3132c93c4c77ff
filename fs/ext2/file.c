/*
 * fs/ext2/file.c - ext2 as a mounted filesystem (ext2_fs_type): the glue
 * between the VFS of include/kmm/fs.h and the on-disk code of the other
 * files here, which knows nothing of it.
 *
 * Metadata (superblock, descriptors, bitmaps, inodes, indirect and
 * directory blocks) stays in the block device's buffer cache, as ext2's
 * own code keeps it; file data lives in each file's page cache, and its
 * address_space_operations move it with bios of their own, as Linux's
 * ext2 does through mpage_readahead and mpage_writepages:
 *
 *   - readahead maps every block of the pages (ext2_get_block, create=0):
 *     a hole reads as zeros without a request; blocks that follow each
 *     other on the disk go in one bio, all under one plug, so a cold
 *     sequential read is a few large requests;
 *   - write_begin allocates the blocks a write lands in (create=1), so a
 *     full disk fails pwrite with ENOSPC, as Linux's ext2_write_begin;
 *   - writepages maps each block below EOF (allocating what a mapping
 *     wrote into a hole) and writes runs of contiguous blocks as merged
 *     bios; the flusher's are REQ_BACKGROUND and complete later;
 *   - fsync writes the data, then the device's dirty buffers (the
 *     inode, indirect blocks, bitmaps: sync_blockdev, as ext2's
 *     generic_buffers_fsync ends in), so an fsync'ed file survives a crash.
 *
 * The size: the VFS inode's i_size is the truth while the file is in
 * memory; the on-disk inode takes it at writeback, truncate and sync.
 * With no journal, a crash between the two leaves what e2fsck fixes.
 *
 * One VFS inode per ext2 inode in memory (struct ext2_vnode), kept by
 * this mount's inode cache until umount or drop_caches 2, as hostfs's.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <kmm/bio.h>
#include <kmm/fs.h>
#include <kmm/mm.h>
#include <kmm/pagemap.h>
#include "fs/ext2/ext2.h"

struct ext2_mount;

/* A VFS inode of this mount and the ext2 inode it stands for. */
struct ext2_vnode {
	struct ext2_vnode *next;
	struct ext2_mount *m;
	struct ext2_inode_info *ei;	/* one ext2_iget reference */
	struct inode *inode;		/* the icache holds one reference ... */
	bool unlinked;			/* ... until the last link went */
};

struct ext2_mount {
	struct ext2_sb_info *sbi;
	struct super_block *sb;
	struct ext2_vnode *vnodes;
	bool shut_down;			/* crashed: nothing may be written */
};

static const struct super_operations ext2_sops;
static const struct address_space_operations ext2_aops;

static struct ext2_vnode *as_vnode(const struct address_space *as)
{
	return as->host->i_private;
}

/* ---- the inode cache --------------------------------------------------- */

static struct ext2_vnode *find_vnode(struct ext2_mount *m, unsigned long ino)
{
	struct ext2_vnode *v;

	for (v = m->vnodes; v; v = v->next)
		if (v->ei->i_ino == ino)
			return v;
	return NULL;
}

/* The on-disk inode takes the size the VFS has (written if it changed). */
static int sync_size(struct ext2_vnode *v)
{
	if (!S_ISREG(v->inode->i_mode) || v->ei->i_size == (unsigned long long)v->inode->i_size)
		return 0;
	if (v->m->sbi->s_read_only)
		return 0;
	v->ei->i_size = (unsigned long long)v->inode->i_size;
	return ext2_write_inode(v->ei);
}

/* The last reference to the VFS inode: the ext2 one goes too (and, if it
 * has no link left, its blocks: ext2_iput). */
static void ext2_vnode_evict(struct inode *inode)
{
	struct ext2_vnode *v = inode->i_private, **pp;

	if (!v)
		return;			/* the mount went first (shutdown) */
	for (pp = &v->m->vnodes; *pp != v; pp = &(*pp)->next)
		;
	*pp = v->next;
	if (v->ei->i_links_count)
		sync_size(v);
	ext2_iput(v->ei);
	free(v);
}

static int ext2_vnode_setsize(struct inode *inode, long long size);
static int ext2_vnode_fsync(struct inode *inode, int datasync);

static struct inode *new_vnode(struct ext2_mount *m, struct ext2_inode_info *ei)
{
	struct ext2_vnode *v = calloc(1, sizeof(*v));
	struct inode *inode = v ? new_inode(m->sb->s_dev, ei->i_ino, (long long)ei->i_size) : NULL;

	if (!inode) {
		free(v);
		return NULL;
	}
	v->m = m;
	v->ei = ei;
	v->inode = inode;
	inode->i_sb = m->sb;
	inode->i_count++;		/* the inode cache's */
	inode->i_mode = ei->i_mode;
	inode->i_nlink = ei->i_links_count;
	inode->i_rdonly = m->sbi->s_read_only;
	inode->i_private = v;
	inode->i_evict = ext2_vnode_evict;
	if (S_ISREG(ei->i_mode)) {
		inode->i_setsize = ext2_vnode_setsize;
		inode->i_fsync = ext2_vnode_fsync;
		inode->i_data.a_ops = &ext2_aops;
	}
	v->next = m->vnodes;
	m->vnodes = v;
	return inode;
}

/* The VFS inode of ext2 inode ino, with a reference; NULL with *err. */
static struct inode *ext2_vnode_get(struct ext2_mount *m, unsigned long ino, int *err)
{
	struct ext2_vnode *v = find_vnode(m, ino);
	struct ext2_inode_info *ei;
	struct inode *inode;

	if (v) {
		v->inode->i_count++;
		return v->inode;
	}
	ei = ext2_iget(m->sbi, ino, err);
	if (!ei)
		return NULL;
	inode = new_vnode(m, ei);
	if (!inode) {
		ext2_iput(ei);
		*err = -ENOMEM;
	}
	return inode;
}

/*
 * After a name went: the VFS inode's link count.  Without links the
 * cache lets go of it, so that the last close (or now, if none is open)
 * evicts it and its blocks are freed, as Linux's iput_final.
 */
static void refresh_nlink(struct ext2_mount *m, unsigned long ino)
{
	struct ext2_vnode *v = find_vnode(m, ino);

	if (!v)
		return;
	v->inode->i_nlink = v->ei->i_links_count;
	if (!v->inode->i_nlink && !v->unlinked) {
		v->unlinked = true;
		iput(v->inode);		/* may free v */
	}
}

/* ---- data: the address_space_operations ----------------------------------- */

/* One pass of bios over a run of pages: contiguous blocks share a bio. */
struct ext2_io {
	struct block_device *bdev;
	unsigned int opf;
	unsigned int nr_vecs;		/* room for the next bio */
	struct bio *bio;		/* being filled */
	int err;			/* the first error */
	unsigned long long done;	/* the latest completion */
};

static void ext2_io_end(struct bio *bio)
{
	struct ext2_io *io = bio->bi_private;

	if (bio->bi_status && !io->err)
		io->err = bio->bi_status;
	if (bio->bi_done_ns > io->done)
		io->done = bio->bi_done_ns;
	bio_put(bio);
}

static void io_submit(struct ext2_io *io)
{
	if (io->bio)
		submit_bio(io->bio);
	io->bio = NULL;
}

/* Block `sector` of len bytes at page+off joins the bio, or starts one. */
static void io_add(struct ext2_io *io, struct page *page, unsigned int off, unsigned int len,
		   sector_t sector)
{
	if (io->bio && (bio_end_sector(io->bio) != sector ||
			bio_add_page(io->bio, page, len, off) != len))
		io_submit(io);
	if (io->bio)
		return;
	io->bio = bio_alloc(io->bdev, (unsigned short)io->nr_vecs, io->opf, GFP_NOIO);
	if (!io->bio) {
		io->err = io->err ? io->err : -ENOMEM;
		return;
	}
	io->bio->bi_sector = sector;
	io->bio->bi_private = io;
	io->bio->bi_end_io = ext2_io_end;
	bio_add_page(io->bio, page, len, off);
}

/* The blocks of pages[0..nr) in map[] (0: a hole, or past EOF). */
static unsigned int blocks_per_page(const struct ext2_sb_info *sbi)
{
	return PAGE_SIZE >> sbi->s_blocksize_bits;
}

/*
 * Sends every mapped block of the pages, under one plug, and waits for
 * what is synchronous: 0 or the first error; *done the last completion.
 */
static int submit_blocks(struct ext2_vnode *v, struct page **pages, unsigned int nr,
			 const unsigned long *map, unsigned int opf, unsigned long long *done)
{
	struct ext2_sb_info *sbi = v->m->sbi;
	unsigned int bpp = blocks_per_page(sbi), i, j;
	unsigned int spb = sbi->s_blocksize >> SECTOR_SHIFT;
	struct ext2_io io = { .bdev = sbi->s_bdev, .opf = opf };
	struct blk_plug plug;

	io.nr_vecs = min(nr * bpp, BIO_MAX_VECS);
	blk_start_plug(&plug);
	for (i = 0; i < nr; i++)
		for (j = 0; j < bpp; j++)
			if (map[i * bpp + j])
				io_add(&io, pages[i], j << sbi->s_blocksize_bits, sbi->s_blocksize,
				       (sector_t)map[i * bpp + j] * spb);
	io_submit(&io);
	blk_finish_plug(&plug);
	if (done)
		*done = io.done;
	return io.err;
}

/* The file's byte at which block j of page p starts. */
static long long block_pos(const struct ext2_sb_info *sbi, const struct page *p, unsigned int j)
{
	return ((long long)p->index << PAGE_SHIFT) + ((long long)j << sbi->s_blocksize_bits);
}

/*
 * readahead: holes and what lies past EOF read as zeros, everything else
 * in as few requests as the disk's layout allows.
 */
static int ext2_readahead(struct address_space *as, struct page **pages, unsigned int nr)
{
	struct ext2_vnode *v = as_vnode(as);
	struct ext2_sb_info *sbi = v->m->sbi;
	unsigned int bpp = blocks_per_page(sbi), i, j;
	unsigned long *map = calloc((size_t)nr * bpp, sizeof(*map));
	int err = 0;

	if (!map)
		return -ENOMEM;
	for (i = 0; i < nr && !err; i++) {
		for (j = 0; j < bpp && !err; j++) {
			long long pos = block_pos(sbi, pages[i], j);

			if (pos < as->host->i_size)
				err = ext2_get_block(v->ei, (unsigned long)(pos >> sbi->s_blocksize_bits),
						     0, &map[i * bpp + j]);
			if (!map[i * bpp + j])
				memset((char *)page_address(pages[i]) + (j << sbi->s_blocksize_bits),
				       0, sbi->s_blocksize);
		}
	}
	if (!err)
		err = submit_blocks(v, pages, nr, map, REQ_OP_READ, NULL);
	free(map);
	return err;
}

/* A write is about to land in [pos, pos + len): its blocks, allocated. */
static int ext2_write_begin(struct address_space *as, long long pos, size_t len)
{
	struct ext2_vnode *v = as_vnode(as);
	struct ext2_sb_info *sbi = v->m->sbi;
	unsigned long first = (unsigned long)(pos >> sbi->s_blocksize_bits);
	unsigned long last = (unsigned long)((pos + (long long)len - 1) >> sbi->s_blocksize_bits);
	unsigned long b, pblock;
	int err = 0;

	for (b = first; b <= last && !err; b++)
		err = ext2_get_block(v->ei, b, 1, &pblock);
	return err;
}

static bool all_zero(const char *p, size_t n)
{
	while (n && !*p) {
		p++;
		n--;
	}
	return !n;
}

/*
 * Where block j of page p goes: its disk block, or 0 to write nothing
 * (past EOF, or a hole the page still holds only zeros for, which stays
 * a hole); a hole a mapping wrote into is allocated now.
 */
static int map_for_write(struct ext2_vnode *v, struct page *p, unsigned int j,
			 unsigned long *pblock)
{
	struct ext2_sb_info *sbi = v->m->sbi;
	long long pos = block_pos(sbi, p, j);
	unsigned long iblock = (unsigned long)(pos >> sbi->s_blocksize_bits);
	char *data = (char *)page_address(p) + (j << sbi->s_blocksize_bits);
	int err;

	*pblock = 0;
	if (pos >= v->inode->i_size)
		return 0;
	if (pos + sbi->s_blocksize > v->inode->i_size)	/* the disk's tail reads zeros */
		memset(data + (v->inode->i_size - pos), 0,
		       (size_t)(pos + sbi->s_blocksize - v->inode->i_size));
	err = ext2_get_block(v->ei, iblock, 0, pblock);
	if (err || *pblock || all_zero(data, sbi->s_blocksize))
		return err;
	return ext2_get_block(v->ei, iblock, 1, pblock);
}

/*
 * writepages: nr pages of consecutive index, their blocks below EOF in
 * merged bios; done NULL: waited for, else queued (the flusher).
 */
static int ext2_writepages(struct address_space *as, struct page **pages, unsigned int nr,
			   unsigned long long *done)
{
	struct ext2_vnode *v = as_vnode(as);
	struct ext2_sb_info *sbi = v->m->sbi;
	unsigned int bpp = blocks_per_page(sbi), i, j;
	unsigned long *map;
	int err;

	if (done)
		*done = 0;
	if (v->m->shut_down)
		return -EIO;
	map = calloc((size_t)nr * bpp, sizeof(*map));
	if (!map)
		return -ENOMEM;
	err = sync_size(v);
	for (i = 0; i < nr && !err; i++)
		for (j = 0; j < bpp && !err; j++)
			err = map_for_write(v, pages[i], j, &map[i * bpp + j]);
	if (!err)
		err = submit_blocks(v, pages, nr, map,
				    REQ_OP_WRITE | (done ? REQ_BACKGROUND : REQ_SYNC), done);
	free(map);
	return err;
}

static const struct address_space_operations ext2_aops = {
	.readahead = ext2_readahead,
	.writepages = ext2_writepages,
	.write_begin = ext2_write_begin,
};

/*
 * The last block's bytes past a smaller size must read as zeros if the
 * file grows again: its page is brought in and dirtied (the zeroing is
 * truncate_pagecache's), as Linux's block_truncate_page.
 */
static int dirty_tail_page(struct ext2_vnode *v, long long size)
{
	struct address_space *as = &v->inode->i_data;
	pgoff_t index = (pgoff_t)(size >> PAGE_SHIFT);
	struct page *page;
	long r;

	if (!(size & (v->m->sbi->s_blocksize - 1)) || size >= v->inode->i_size)
		return 0;
	page = find_get_page(as, index);
	if (!page) {
		r = page_cache_read_range(as, index, 1);
		if (r < 0)
			return (int)r;
		page = find_get_page(as, index);
	}
	if (page) {
		memset((char *)page_address(page) + (size & ~PAGE_MASK), 0,
		       PAGE_SIZE - (size_t)(size & ~PAGE_MASK));
		set_page_dirty(page);
	}
	return 0;
}

static int ext2_vnode_setsize(struct inode *inode, long long size)
{
	struct ext2_vnode *v = inode->i_private;
	int err;

	if (v->m->sbi->s_read_only)
		return -EROFS;
	err = dirty_tail_page(v, size);
	if (!err)
		err = sync_size(v);	/* so that a shrink frees what writes allocated */
	if (!err)
		err = ext2_setsize(v->ei, (unsigned long long)size);
	return err;
}

static int ext2_vnode_fsync(struct inode *inode, int datasync)
{
	struct ext2_vnode *v = inode->i_private;
	int err;

	(void)datasync;		/* the size and block map are needed either way */
	if (!v || v->m->sbi->s_read_only)
		return 0;
	err = sync_size(v);
	return err ? err : sync_blockdev(v->m->sbi->s_bdev);
}

/* ---- paths ------------------------------------------------------------------ */

/*
 * path's directory into *dir (a reference) and its last component into
 * last (no slashes); -EEXIST for the root itself ("", "/").
 */
static int lookup_parent(struct ext2_mount *m, const char *path, struct ext2_inode_info **dir,
			 char *last, size_t size)
{
	char parent[PATH_MAX];
	size_t n = strlen(path);
	const char *slash;
	unsigned long ino;
	int err;

	while (n && path[n - 1] == '/')
		n--;
	if (!n)
		return -EEXIST;
	if (n >= sizeof(parent))
		return -ENAMETOOLONG;
	memcpy(parent, path, n);
	parent[n] = 0;
	slash = strrchr(parent, '/');
	if (strlen(slash ? slash + 1 : parent) >= size)
		return -ENAMETOOLONG;
	strcpy(last, slash ? slash + 1 : parent);
	if (slash)
		parent[slash - parent] = 0;
	else
		parent[0] = 0;
	err = ext2_namei(m->sbi, parent, &ino);
	if (err)
		return err;
	*dir = ext2_iget(m->sbi, ino, &err);
	return *dir ? 0 : err;
}

static int create_file(struct ext2_mount *m, const char *path, unsigned int mode,
		       unsigned long *ino)
{
	char last[EXT2_NAME_LEN + 2];
	struct ext2_inode_info *dir;
	int err = lookup_parent(m, path, &dir, last, sizeof(last));

	if (err)
		return err == -EEXIST ? -EISDIR : err;
	err = ext2_create(dir, last, mode, ino);
	ext2_iput(dir);
	return err;
}

/* The ext2 inode number at path; with O_CREAT a missing file is made. */
static int open_ino(struct ext2_mount *m, const char *path, int flags, unsigned int mode,
		    unsigned long *ino)
{
	int err = ext2_namei(m->sbi, path, ino);

	if (err == -ENOENT && (flags & O_CREAT))
		return create_file(m, path, mode, ino);
	if (!err && (flags & O_CREAT) && (flags & O_EXCL))
		return -EEXIST;
	return err;
}

static struct file *ext2_open(struct super_block *sb, const char *path, const char *name,
			      int flags, unsigned int mode, int *err)
{
	struct ext2_mount *m = sb->s_fs_info;
	bool writing = (flags & O_ACCMODE) != O_RDONLY;
	struct inode *inode;
	struct file *f = NULL;
	unsigned long ino;

	*err = open_ino(m, path, flags, mode & 07777, &ino);
	if (*err)
		return NULL;
	inode = ext2_vnode_get(m, ino, err);
	if (!inode)
		return NULL;
	if (S_ISDIR(inode->i_mode) && writing)
		*err = -EISDIR;
	else if ((flags & O_DIRECTORY) && !S_ISDIR(inode->i_mode))
		*err = -ENOTDIR;
	else if (S_ISLNK(inode->i_mode))
		*err = -ELOOP;		/* no symlinks are followed (docs/ext2.md) */
	else if (inode->i_rdonly && writing)
		*err = -EROFS;
	else
		f = alloc_file(inode, name, open_fmode(flags));
	if (!f) {
		if (!*err)
			*err = -ENOMEM;
		iput(inode);
		return NULL;
	}
	f->f_flags = (unsigned int)flags;
	file_ra_state_init(&f->f_ra, &inode->i_data);
	return f;
}

static int ext2_vfs_mkdir(struct super_block *sb, const char *path, unsigned int mode)
{
	struct ext2_mount *m = sb->s_fs_info;
	char last[EXT2_NAME_LEN + 2];
	struct ext2_inode_info *dir;
	unsigned long ino;
	int err = lookup_parent(m, path, &dir, last, sizeof(last));

	if (err)
		return err;
	err = ext2_mkdir(dir, last, mode & 07777, &ino);
	ext2_iput(dir);
	return err;
}

/* unlink and rmdir: the name goes, then the VFS inode learns it. */
static int ext2_vfs_remove(struct super_block *sb, const char *path, bool is_dir)
{
	struct ext2_mount *m = sb->s_fs_info;
	char last[EXT2_NAME_LEN + 2];
	struct ext2_inode_info *dir;
	unsigned long ino = 0;
	int err = lookup_parent(m, path, &dir, last, sizeof(last));

	if (err)
		return err == -EEXIST ? (is_dir ? -EBUSY : -EISDIR) : err;
	if (!ext2_lookup(dir, last, &ino))
		err = is_dir ? ext2_rmdir(dir, last) : ext2_unlink(dir, last);
	else
		err = -ENOENT;
	ext2_iput(dir);
	if (!err)
		refresh_nlink(m, ino);
	return err;
}

static int ext2_vfs_unlink(struct super_block *sb, const char *path)
{
	return ext2_vfs_remove(sb, path, false);
}

static int ext2_vfs_rmdir(struct super_block *sb, const char *path)
{
	return ext2_vfs_remove(sb, path, true);
}

static int ext2_vfs_rename(struct super_block *sb, const char *from, const char *to)
{
	struct ext2_mount *m = sb->s_fs_info;
	char lf[EXT2_NAME_LEN + 2], lt[EXT2_NAME_LEN + 2];
	struct ext2_inode_info *df = NULL, *dt = NULL;
	unsigned long target = 0;
	int err = lookup_parent(m, from, &df, lf, sizeof(lf));

	if (!err)
		err = lookup_parent(m, to, &dt, lt, sizeof(lt));
	if (err == -EEXIST)
		err = -EBUSY;		/* the mounted root */
	if (!err && ext2_lookup(dt, lt, &target))
		target = 0;
	if (!err)
		err = ext2_rename(df, lf, dt, lt);
	ext2_iput(df);
	ext2_iput(dt);
	if (!err && target)
		refresh_nlink(m, target);	/* the replaced file */
	return err;
}

static int ext2_getattr(struct super_block *sb, const char *path, struct kstat *st)
{
	struct ext2_mount *m = sb->s_fs_info;
	struct ext2_inode_info *ei;
	struct ext2_vnode *v;
	unsigned long ino;
	int err = ext2_namei(m->sbi, path, &ino);

	if (err)
		return err;
	ei = ext2_iget(m->sbi, ino, &err);
	if (!ei)
		return err;
	v = find_vnode(m, ino);
	st->ino = ino;
	st->dev = sb->s_dev;
	st->mode = ei->i_mode;
	st->nlink = ei->i_links_count;
	/* A file in memory knows better: its size may be ahead of the disk's. */
	st->size = v && S_ISREG(ei->i_mode) ? v->inode->i_size : (long long)ei->i_size;
	st->blocks = ei->i_blocks;
	st->blksize = m->sbi->s_blocksize;
	ext2_iput(ei);
	return 0;
}

/* ---- the mount ------------------------------------------------------------ */

/* sync(2), syncfs(2), umount: the data pages, the sizes, the buffers. */
static int ext2_sync_fs(struct super_block *sb, int wait)
{
	struct ext2_mount *m = sb->s_fs_info;
	struct ext2_vnode *v;
	int err = 0, r;

	if (m->sbi->s_read_only)
		return 0;
	for (v = m->vnodes; v; v = v->next) {
		struct address_space *as = &v->inode->i_data;

		r = wait ? filemap_write_and_wait_range(as, 0, LLONG_MAX) :
			   filemap_fdatawrite_range(as, 0, LLONG_MAX);
		if (!r)
			r = sync_size(v);
		if (r && !err)
			err = r;
	}
	r = wait ? sync_blockdev(m->sbi->s_bdev) : 0;
	return err ? err : r;
}

static unsigned long ext2_drop_pagecache(struct super_block *sb)
{
	struct ext2_mount *m = sb->s_fs_info;
	struct ext2_vnode *v;
	unsigned long n = 0;

	for (v = m->vnodes; v; v = v->next)
		n += invalidate_mapping_pages(&v->inode->i_data, 0, ~0ul);
	return n;
}

static void ext2_prune_icache(struct super_block *sb)
{
	struct ext2_mount *m = sb->s_fs_info;
	struct ext2_vnode *v, *next;

	for (v = m->vnodes; v; v = next) {
		next = v->next;
		/* An unlinked one is held only by its files. */
		if (!v->unlinked && v->inode->i_count == 1 && !v->inode->i_data.nrpages)
			iput(v->inode);		/* the icache's reference: evicted */
	}
}

/* A crash: the on-disk code sees a read-only filesystem from now on. */
static void ext2_shutdown(struct super_block *sb)
{
	struct ext2_mount *m = sb->s_fs_info;

	m->shut_down = true;
	m->sbi->s_read_only = true;
}

/*
 * umount (after sync_fs), or shutdown: inodes still in memory let go of
 * their ext2 inodes (an unlinked one still open is freed now, as the
 * last close would), then ext2_put_super marks the filesystem clean.
 * After a crash nothing is written: ext2 is read-only by then.
 */
static void ext2_put_super_vfs(struct super_block *sb)
{
	struct ext2_mount *m = sb->s_fs_info;

	while (m->vnodes) {
		struct ext2_vnode *v = m->vnodes;

		m->vnodes = v->next;
		v->inode->i_private = NULL;
		v->inode->i_sb = NULL;
		v->inode->i_data.a_ops = NULL;
		v->inode->i_setsize = NULL;
		v->inode->i_fsync = NULL;
		if (!m->shut_down)
			ext2_iput(v->ei);
		free(v);
	}
	ext2_put_super(m->sbi);
	free(m);
	free(sb);
}

static const struct super_operations ext2_sops = {
	.open = ext2_open,
	.mkdir = ext2_vfs_mkdir,
	.unlink = ext2_vfs_unlink,
	.rmdir = ext2_vfs_rmdir,
	.rename = ext2_vfs_rename,
	.getattr = ext2_getattr,
	.sync_fs = ext2_sync_fs,
	.drop_pagecache = ext2_drop_pagecache,
	.prune_icache = ext2_prune_icache,
	.put_super = ext2_put_super_vfs,
	.shutdown = ext2_shutdown,
};

/* mount -t ext2 /dev/kda DIR: ENOENT without the device, EBUSY if it is
 * mounted already; a filesystem ext2_fill_super refuses, its errno. */
static struct super_block *ext2_mount_bdev(struct kmm *k, const char *source,
					   unsigned int flags, int *err)
{
	struct block_device *bdev = lookup_bdev(source);
	struct super_block *sb;
	struct ext2_mount *m;

	/* A device that is mounted, or swapped on, is held (EBUSY). */
	*err = !bdev ? -ENOENT : get_super(k, bdev) || IS_SWAPFILE(bdev->bd_inode) ? -EBUSY : 0;
	if (*err)
		return NULL;
	sb = calloc(1, sizeof(*sb));
	m = calloc(1, sizeof(*m));
	if (!sb || !m) {
		*err = -ENOMEM;
		goto out_free;
	}
	m->sbi = ext2_fill_super(bdev, flags & SB_RDONLY, err);
	if (!m->sbi)
		goto out_free;
	m->sbi->s_kmm = k;
	m->sbi->s_data_in_pagecache = true;
	m->sb = sb;
	sb->s_dev = bdev->bd_dev;
	sb->s_flags = m->sbi->s_read_only ? SB_RDONLY : 0;
	snprintf(sb->s_id, sizeof(sb->s_id), "/dev/%s", bdev->bd_name);
	sb->s_op = &ext2_sops;
	sb->s_bdev = bdev;
	sb->s_fs_info = m;
	return sb;
out_free:
	free(m);
	free(sb);
	return NULL;
}

const struct file_system_type ext2_fs_type = {
	.name = "ext2",
	.mount = ext2_mount_bdev,
	.mkfs = ext2_mkfs,
};
