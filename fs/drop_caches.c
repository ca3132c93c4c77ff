/*
 * fs/drop_caches.c - `echo 1|2|3 > /proc/sys/vm/drop_caches` as the
 * filesystems see it (mm/shrinker.c's drop_caches calls here): each
 * mount drops its clean, unmapped pages (1) and its unused inodes (2).
 * tmpfs pages are left: they have nowhere else to be.
 */
#include <kmm/fs.h>
#include "block/machine.h"
#include "fs/machine.h"

static int drop_one(struct super_block *sb, void *arg)
{
	if (sb->s_op->drop_pagecache)
		*(unsigned long *)arg += sb->s_op->drop_pagecache(sb);
	return 0;
}

unsigned long drop_pagecache_sb(struct kmm *k)
{
	unsigned long n = 0;

	iterate_supers(k, drop_one, &n);
	/* Linux walks the bdev pseudo-superblock too: its clean buffer pages. */
	return n + invalidate_bdevs(k);
}

static int prune_one(struct super_block *sb, void *arg)
{
	(void)arg;
	if (sb->s_op->prune_icache)
		sb->s_op->prune_icache(sb);
	return 0;
}

void prune_icache_sb(struct kmm *k)
{
	iterate_supers(k, prune_one, NULL);
}
