/*
 * include/kmm/swap.h - swap areas as user space sees them (Linux's
 * include/uapi swapon flags, the swap header of include/linux/swap.h and
 * the swapon(2)/swapoff(2) calls), and kmm's mkswap.
 *
 * The header is mkswap's (util-linux) version 1 format, page 0 of the
 * area:
 *
 *   0        1024      1028       1032         1036   1052     1068 ... 4086        4096
 *   | boot   | version | last_page | nr_badpages | uuid | volume | ...   | "SWAPSPACE2" |
 *   | bits   |    1    | slots - 1 |             |  16  |   16   | bad   |  the magic   |
 *
 * little-endian 32-bit fields (a big-endian header is byte-swapped, as
 * Linux does for a partition made on the other kind of machine).
 */
#ifndef KMM_SWAP_H
#define KMM_SWAP_H

#include <stdint.h>
#include <kmm/mm.h>

/* swapon(2) flags (<sys/swap.h>). */
#define SWAP_FLAG_PREFER	0x8000	/* the priority is in the low bits */
#define SWAP_FLAG_PRIO_MASK	0x7fff
#define SWAP_FLAG_PRIO_SHIFT	0
#define SWAP_FLAG_DISCARD	0x10000	/* discard freed clusters (kmm: no discard) */
#define SWAP_FLAG_DISCARD_ONCE	0x20000
#define SWAP_FLAG_DISCARD_PAGES	0x40000
#define SWAP_FLAGS_VALID	(SWAP_FLAG_PRIO_MASK | SWAP_FLAG_PREFER | SWAP_FLAG_DISCARD | \
				 SWAP_FLAG_DISCARD_ONCE | SWAP_FLAG_DISCARD_PAGES)

#define SWAP_MAGIC		"SWAPSPACE2"
#define SWAP_MAGIC_LEN		10

union swap_header {
	struct {
		char reserved[PAGE_SIZE - SWAP_MAGIC_LEN];
		char magic[SWAP_MAGIC_LEN];	/* "SWAPSPACE2" */
	} magic;
	struct {
		char bootbits[1024];		/* a disk label, a boot loader */
		uint32_t version;		/* 1 */
		uint32_t last_page;		/* the last slot: the area is last_page + 1 pages */
		uint32_t nr_badpages;
		unsigned char sws_uuid[16];
		unsigned char sws_volume[16];	/* the label, NUL-padded */
		uint32_t padding[117];
		uint32_t badpages[1];		/* nr_badpages slot numbers */
	} info;
};

_Static_assert(sizeof(union swap_header) == PAGE_SIZE, "the header is one page");

/* How many bad pages the header has room for (762 with 4 KiB pages). */
#define MAX_SWAP_BADPAGES \
	((__builtin_offsetof(union swap_header, magic.magic) - \
	  __builtin_offsetof(union swap_header, info.badpages)) / sizeof(uint32_t))

/*
 * swapon(2) of path as root: a regular file of the machine's filesystems,
 * or a block device by its name ("/dev/kda": kmm's VFS has no device
 * nodes).  0, or Linux's errors: -EINVAL for bad flags, a file that is
 * not a swap area (magic, version, last_page 0, shorter than its header
 * says, bad pages in a file: only a partition may have them, a bad page
 * past last_page) or that has holes or lives on a filesystem that cannot
 * swap (ext2 in kmm, tmpfs); -EBUSY if it is on already, or a device is
 * mounted; -EACCES for a read-only device; -EPERM when MAX_SWAPFILES
 * areas are on; -ENOENT, -EISDIR, -EROFS, ... from the open; -ENOMEM.
 * flags: SWAP_FLAG_PREFER | prio (0..32767).
 */
long ksys_swapon(const char *path, int swap_flags);
/*
 * swapoff(2): 0; -EINVAL if path is not an area that is on; -ENOMEM if
 * committed memory would not fit without it (or its pages cannot be
 * brought back); -EBUSY while kmm cannot bring back pages that are in it
 * (until reclaim fills in try_to_unuse); -ENOENT... from the open.
 */
long ksys_swapoff(const char *path);

/*
 * mkswap's header for an area of nr_pages pages (at least 10, as
 * util-linux wants): version 1, last_page nr_pages - 1, no bad pages,
 * the uuid and the label (NULL: none; at most 16 bytes are kept).
 */
void mkswap_header(union swap_header *h, unsigned long nr_pages, const unsigned char uuid[16],
		   const char *label);
/*
 * kmm's mkswap PATH SIZE: the file path of the machine's filesystems,
 * made if missing, gets blocks for its first size bytes (fallocate) and
 * the header of a size-byte area, with a random version-4 uuid from the
 * machine's seed; written back.  0, or -EINVAL for fewer than 10 pages,
 * or the error of the open, fallocate or write (-EOPNOTSUPP on ext2).
 */
int kmm_mkswap(const char *path, unsigned long long size, const char *label);

/* Swap totals as sysinfo(2) has them, in pages: what meminfo prints. */
struct kmm;
void si_swapinfo(struct kmm *k, unsigned long *totalswap, unsigned long *freeswap);

#endif /* KMM_SWAP_H */
