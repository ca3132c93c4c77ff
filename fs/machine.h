/*
 * fs/machine.h - the files' part of a machine (struct kmm's fs): the
 * simulated disk's files that exec reads, and the inode numbers.
 */
#ifndef KMM_FS_MACHINE_H
#define KMM_FS_MACHINE_H

#include "base/machine.h"

#include <limits.h>
#include <stdbool.h>

struct rootfs_entry;
struct hostfs_inode;
struct shm_entry;
struct vfsmount;
struct kmem_cache;

struct fs_machine {
	struct rootfs_entry *rootfs;	/* the built-in programs (fs/binfmt_elf.c) */
	unsigned long last_ino;		/* get_next_ino() (fs/file_table.c) */
	/* The root filesystem (fs/hostfs.c), mounted on first use. */
	int root_fd;			/* the host directory (0: not mounted yet) */
	bool ro;			/* fs=DIR:ro */
	bool scratch;			/* made by the machine, removed at shutdown */
	char root[PATH_MAX];		/* its host path */
	struct hostfs_inode *host_inodes;
	struct shm_entry *shm_files;	/* /dev/shm's files (mm/shmem.c) */
	unsigned long next_host_ino;
	struct super_block *hostfs_sb;	/* the hostfs mount (one a machine) */
	struct vfsmount *mounts;	/* fs/namespace.c, in mount order */
	int root_err;			/* the root's mount failed: every call's errno */
	struct kmem_cache *bh_cachep;	/* "buffer_head" (fs/buffer.c), made on first use */
};

/* fs/binfmt_elf.c: frees the simulated disk's files at shutdown. */
void rootfs_exit(struct kmm *k);
/* fs/namespace.c: shutdown unmounts everything (hostfs: the host files
 * close, a scratch root is removed). */
void umount_all(struct kmm *k);
/* Shutdown, with k current: each filesystem on a block device is synced
 * and unmounted (ext2 marked clean); crash: shut down, nothing written. */
void umount_block_filesystems(struct kmm *k, bool crash);
/* drop_caches: every mount's clean unmapped file pages (their number),
 * and its unused inodes. */
unsigned long drop_pagecache_sb(struct kmm *k);
void prune_icache_sb(struct kmm *k);
/* The host directory that is the root filesystem (mounting it), or NULL. */
const char *hostfs_root(struct kmm *k);

#endif /* KMM_FS_MACHINE_H */
