/*
 * hw/disk.c - the simulated disk: host files for bytes, a simple model for
 * time.  A request costs latency + bytes / bandwidth of simulated time,
 * synchronously: the disk serves one request at a time and the clock
 * waits for it, which is what a single-queue SSD without overlap does.
 * The host is touched only here, and only when the simulated kernel asks
 * for I/O: a page-cache hit never gets this far.
 */
#include <errno.h>
#include <unistd.h>
#include "hw/machine.h"
#include "base/machine.h"

void hw_disk_init(struct kmm *k)
{
	k->hw->disk.latency_ns = k->cfg.disk_latency_us * 1000;
	k->hw->disk.bytes_per_sec = k->cfg.disk_mbps * 1000000;
}

unsigned long long hw_clock_ns(const struct kmm *k)
{
	return __atomic_load_n(&k->hw->clock_ns, __ATOMIC_RELAXED);
}

void hw_clock_advance(struct kmm *k, unsigned long long ns)
{
	__atomic_fetch_add(&k->hw->clock_ns, ns, __ATOMIC_RELAXED);
}

/* Charges one request of bytes to dir and to the clock. */
static void disk_account(struct kmm *k, struct hw_disk_dir *dir, size_t bytes, long ret)
{
	struct hw_disk *d = &k->hw->disk;
	unsigned long long ns = d->latency_ns +
		(unsigned long long)bytes * 1000000000ull / (d->bytes_per_sec ? d->bytes_per_sec : 1);

	if (ret < 0) {
		dir->errors++;
		ns = d->latency_ns;
	} else {
		dir->ios++;
		dir->sectors += ((unsigned long)ret + 511) >> 9;
	}
	dir->ticks_ns += ns;
	d->io_ticks_ns += ns;
	hw_clock_advance(k, ns);
}

/* Whether this request is the one hw_disk_fail_nth named. */
static bool disk_injected_failure(struct hw_disk *d)
{
	return d->fail_after && --d->fail_after == 0;
}

/*
 * One request of len bytes: all of them moved by the host (a read stops
 * early at the host file's end), or -errno.
 */
static long disk_request(struct kmm *k, struct hw_disk_dir *dir, int fd, void *buf, size_t len,
			 long long pos, bool write)
{
	struct hw_disk *d = &k->hw->disk;
	size_t done = 0;
	long ret = 0;

	if (disk_injected_failure(d))
		ret = -EIO;
	while (!ret && done < len) {
		off_t at = (off_t)(pos + (long long)done);
		ssize_t n = write ? pwrite(fd, (const char *)buf + done, len - done, at) :
				    pread(fd, (char *)buf + done, len - done, at);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ret = -errno;
		else if (n == 0 && write)
			ret = -EIO;
		else if (n == 0)
			break;
		done += n > 0 ? (size_t)n : 0;
	}
	if (!ret)
		ret = (long)done;
	disk_account(k, dir, len, ret);
	return ret;
}

long hw_disk_read(struct kmm *k, int fd, void *buf, size_t len, long long pos)
{
	return disk_request(k, &k->hw->disk.rd, fd, buf, len, pos, false);
}

long hw_disk_write(struct kmm *k, int fd, const void *buf, size_t len, long long pos)
{
	return disk_request(k, &k->hw->disk.wr, fd, (void *)buf, len, pos, true);
}

void hw_disk_fail_nth(struct kmm *k, unsigned int nth)
{
	k->hw->disk.fail_after = nth;
}
