/*
 * hw/disk.h - the simulated disk (hw/disk.c): its bytes are host files,
 * its time is simulated.  Every request moves one contiguous byte range
 * and costs a fixed latency plus a transfer at the disk's bandwidth on
 * the machine's clock; the counters are those /proc/diskstats prints.
 */
#ifndef KMM_HW_DISK_H
#define KMM_HW_DISK_H

#include <stdbool.h>
#include <stddef.h>

struct kmm;

/* One direction's /proc/diskstats fields (Documentation/admin-guide/iostats.rst). */
struct hw_disk_dir {
	unsigned long ios;		/* requests completed */
	unsigned long sectors;		/* 512-byte sectors moved */
	unsigned long long ticks_ns;	/* time the requests took */
	unsigned long errors;		/* requests the host failed (not in diskstats) */
};

struct hw_disk {
	unsigned long latency_ns;	/* per request: an SSD's ~100 us */
	unsigned long bytes_per_sec;	/* transfer rate */
	struct hw_disk_dir rd, wr;
	unsigned long long io_ticks_ns;	/* time the disk was busy */
	unsigned long long busy_until_ns;	/* when the last request queued completes */
	unsigned int fail_after;	/* >0: the fail_after-th request from now, on
					 * any of the machine's disks, fails with EIO
					 * (hw_disk_fail_nth; kept in the first disk's) */
};

/* The disk's parameters from the boot options (disk_latency_us, disk_mbps). */
void hw_disk_init(struct kmm *k);
/* Another disk of the machine (the block device's), with the same model. */
void hw_disk_setup(struct kmm *k, struct hw_disk *d);
/* When the last request queued on any of the machine's disks completes. */
unsigned long long hw_disk_busy_until(const struct kmm *k);
/* The machine's simulated clock, in nanoseconds since boot. */
unsigned long long hw_clock_ns(const struct kmm *k);
/* Moves the clock forward (time passes: I/O, sleep). */
void hw_clock_advance(struct kmm *k, unsigned long long ns);

/*
 * One read request: up to len bytes at pos of the host file fd into buf.
 * Returns the bytes read (fewer at the host file's end) or -errno of the
 * host (or -EIO when a failure was injected).  The clock moves by the
 * request's cost.
 */
long hw_disk_read(struct kmm *k, int fd, void *buf, size_t len, long long pos);
/* One write request: all len bytes of buf at pos, or -errno. */
long hw_disk_write(struct kmm *k, int fd, const void *buf, size_t len, long long pos);
/*
 * A write request queued without waiting (writeback's bios): the host
 * file has the bytes at once, the request completes at *done_ns (after
 * those queued before it), and the clock does not move.
 */
long hw_disk_write_async(struct kmm *k, int fd, const void *buf, size_t len, long long pos,
			 unsigned long long *done_ns);
/*
 * One request on disk d: len bytes between buf and the host file fd at
 * pos.  done NULL: the caller waits (the clock moves to its end); else it
 * is queued and *done is when it completes.  Bytes moved or -errno.
 */
long hw_disk_rw(struct kmm *k, struct hw_disk *d, int fd, void *buf, size_t len, long long pos,
		bool write, unsigned long long *done);
/*
 * A fresh unnamed host file of size bytes (O_TMPFILE in $TMPDIR, else
 * /tmp), gone when its fd closes: sparse, or with every block allocated
 * (allocate: fallocate, so that a swap area on it has no hole).  The fd
 * (read-write, close-on-exec) or -errno.
 */
int hw_disk_tmpfile(long long size, bool allocate);
/* The nth request from now fails with EIO (0: none), as a bad sector. */
void hw_disk_fail_nth(struct kmm *k, unsigned int nth);

#endif /* KMM_HW_DISK_H */
