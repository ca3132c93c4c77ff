/*
 * fs/machine.h - the files' part of a machine (struct kmm's fs): the
 * simulated disk's files that exec reads, and the inode numbers.
 */
#ifndef KMM_FS_MACHINE_H
#define KMM_FS_MACHINE_H

#include "base/machine.h"

struct rootfs_entry;

struct fs_machine {
	struct rootfs_entry *rootfs;	/* the simulated disk's files (fs/binfmt_elf.c) */
	unsigned long last_ino;		/* get_next_ino() (fs/file_table.c) */
};

/* fs/binfmt_elf.c: frees the simulated disk's files at shutdown. */
void rootfs_exit(struct kmm *k);

#endif /* KMM_FS_MACHINE_H */
