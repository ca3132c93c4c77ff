/*
 * hw/disk.c - the simulated disk: host files for bytes, a simple model for
 * time.  A request costs latency + bytes / bandwidth of simulated time;
 * the disk serves one request at a time, in order (a single-queue SSD
 * without overlap), so a request starts when the ones queued before it are
 * done.  A reader waits for its request (the clock moves to its end);
 * writeback queues writes and learns when each completes.
 * The host is touched only here, and only when the simulated kernel asks
 * for I/O: a page-cache hit never gets this far.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <kmm/compiler.h>
#include "hw/machine.h"
#include "base/machine.h"

void hw_disk_setup(struct kmm *k, struct hw_disk *d)
{
	d->latency_ns = k->cfg.disk_latency_us * 1000;
	d->bytes_per_sec = k->cfg.disk_mbps * 1000000;
}

void hw_disk_init(struct kmm *k)
{
	hw_disk_setup(k, &k->hw->disk);
	hw_disk_setup(k, &k->hw->blk_disk);
}

unsigned long long hw_disk_busy_until(const struct kmm *k)
{
	return max(k->hw->disk.busy_until_ns, k->hw->blk_disk.busy_until_ns);
}

unsigned long long hw_clock_ns(const struct kmm *k)
{
	return __atomic_load_n(&k->hw->clock_ns, __ATOMIC_RELAXED);
}

void hw_clock_advance(struct kmm *k, unsigned long long ns)
{
	__atomic_fetch_add(&k->hw->clock_ns, ns, __ATOMIC_RELAXED);
}

/*
 * Charges one request of bytes to dir and queues it: it starts when the
 * disk has finished what was queued before (or now) and takes latency +
 * bytes / bandwidth.  Returns when it completes.
 */
static unsigned long long disk_account(struct kmm *k, struct hw_disk *d, struct hw_disk_dir *dir,
				       size_t bytes, long ret)
{
	unsigned long long ns = d->latency_ns +
		(unsigned long long)bytes * 1000000000ull / (d->bytes_per_sec ? d->bytes_per_sec : 1);
	unsigned long long start = max(hw_clock_ns(k), d->busy_until_ns);

	if (ret < 0) {
		dir->errors++;
		ns = d->latency_ns;
	} else {
		dir->ios++;
		dir->sectors += ((unsigned long)ret + 511) >> 9;
	}
	dir->ticks_ns += ns;
	d->io_ticks_ns += ns;
	d->busy_until_ns = start + ns;
	return d->busy_until_ns;
}

/* Whether this request, on any disk, is the one hw_disk_fail_nth named. */
static bool disk_injected_failure(struct kmm *k)
{
	struct hw_disk *d = &k->hw->disk;

	return d->fail_after && --d->fail_after == 0;
}

/*
 * One request of len bytes: all of them moved by the host (a read stops
 * early at the host file's end), or -errno.  *done: when it completes.
 */
static long disk_request(struct kmm *k, struct hw_disk *d, int fd, void *buf, size_t len,
			 long long pos, bool write, unsigned long long *done)
{
	struct hw_disk_dir *dir = write ? &d->wr : &d->rd;
	size_t moved = 0;
	long ret = 0;

	if (disk_injected_failure(k))
		ret = -EIO;
	while (!ret && moved < len) {
		off_t at = (off_t)(pos + (long long)moved);
		ssize_t n = write ? pwrite(fd, (const char *)buf + moved, len - moved, at) :
				    pread(fd, (char *)buf + moved, len - moved, at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ret = -errno;
		else if (n == 0 && write)
			ret = -EIO;
		else if (n == 0)
			break;
		moved += n > 0 ? (size_t)n : 0;
	}
	if (!ret)
		ret = (long)moved;
	*done = disk_account(k, d, dir, len, ret);
	return ret;
}

long hw_disk_rw(struct kmm *k, struct hw_disk *d, int fd, void *buf, size_t len, long long pos,
		bool write, unsigned long long *done)
{
	unsigned long long end;
	long ret = disk_request(k, d, fd, buf, len, pos, write, done ? done : &end);

	/* The caller waits for its request: the clock moves to its completion. */
	if (!done && end > hw_clock_ns(k))
		hw_clock_advance(k, end - hw_clock_ns(k));
	return ret;
}

long hw_disk_read(struct kmm *k, int fd, void *buf, size_t len, long long pos)
{
	return hw_disk_rw(k, &k->hw->disk, fd, buf, len, pos, false, NULL);
}

long hw_disk_write(struct kmm *k, int fd, const void *buf, size_t len, long long pos)
{
	return hw_disk_rw(k, &k->hw->disk, fd, (void *)buf, len, pos, true, NULL);
}

long hw_disk_write_async(struct kmm *k, int fd, const void *buf, size_t len, long long pos,
			 unsigned long long *done_ns)
{
	return hw_disk_rw(k, &k->hw->disk, fd, (void *)buf, len, pos, true, done_ns);
}

void hw_disk_fail_nth(struct kmm *k, unsigned int nth)
{
	k->hw->disk.fail_after = nth;
}

int hw_disk_tmpfile(long long size, bool allocate)
{
	const char *tmp = getenv("TMPDIR");
	int fd = open(tmp && *tmp ? tmp : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600), err;

	if (fd < 0)
		return -errno;
	err = allocate ? fallocate(fd, 0, 0, size) : ftruncate(fd, size);
	if (err) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}
