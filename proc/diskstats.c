/*
 * proc/diskstats.c - /proc/diskstats and /sys/block/NAME/stat.  The
 * files' disk, sda, and its one partition, sda1 (the root filesystem),
 * then the block device kda when boot gave disk=IMAGE, in Linux's
 * diskstats_show format: reads and writes completed, merged, sectors,
 * milliseconds, then I/Os in flight, io_ticks and the weighted time,
 * then discards and flushes (none).  hw/disk.c counts requests; the
 * block layer (block/blk-core.c) counts the bios merged into them.  A
 * disk serves one request at a time and a submitter's request is over
 * when it returns, so in-flight is 0 and the weighted time equals the
 * busy time.
 */
#include <string.h>
#include "proc/internal.h"
#include "block/machine.h"
#include <kmm/fs.h>

/* One disk's counters, as part_stat_read gathers them. */
struct disk_stat {
	unsigned int major, minor;
	const char *name;
	const struct hw_disk *d;
	unsigned long merges[2];
};

static void disk_line(struct seq_buf *m, const struct disk_stat *s)
{
	const struct hw_disk *d = s->d;
	unsigned long long busy = d->io_ticks_ns / 1000000;

	seq_printf(m, "%4d %7u %s %lu %lu %lu %llu %lu %lu %lu %llu %u %llu %llu %lu %lu %lu %u %lu %u\n",
		   s->major, s->minor, s->name, d->rd.ios, s->merges[0], d->rd.sectors,
		   d->rd.ticks_ns / 1000000, d->wr.ios, s->merges[1], d->wr.sectors,
		   d->wr.ticks_ns / 1000000, 0u, busy, busy, 0ul, 0ul, 0ul, 0u, 0ul, 0u);
}

/* The machine's disks, in the order Linux registered them: n of them. */
static unsigned int machine_disks(struct kmm *k, struct disk_stat s[3])
{
	struct block_device *bdev = k->block->kda;
	unsigned int n = 0;

	s[n++] = (struct disk_stat){ 8, 0, "sda", &k->hw->disk, { 0, 0 } };
	s[n++] = (struct disk_stat){ 8, 1, "sda1", &k->hw->disk, { 0, 0 } };
	if (bdev) {
		struct request_queue *q = bdev_get_queue(bdev);

		s[n++] = (struct disk_stat){ MAJOR(bdev->bd_dev), MINOR(bdev->bd_dev), bdev->bd_name,
					     q->disk, { q->merges[0], q->merges[1] } };
	}
	return n;
}

void diskstats_show(struct kmm *k, struct seq_buf *m)
{
	struct disk_stat s[3];
	unsigned int i, n = machine_disks(k, s);

	for (i = 0; i < n; i++)
		disk_line(m, &s[i]);
}

/* /sys/block/NAME/stat: the same fields, each %8 wide (part_stat_show). */
static void part_stat_show(struct seq_buf *m, const struct disk_stat *s)
{
	const struct hw_disk *d = s->d;
	unsigned int busy = (unsigned int)(d->io_ticks_ns / 1000000);

	seq_printf(m, "%8lu %8lu %8lu %8u %8lu %8lu %8lu %8u %8u %8u %8u %8lu %8lu %8lu %8u %8lu %8u\n",
		   d->rd.ios, s->merges[0], d->rd.sectors, (unsigned int)(d->rd.ticks_ns / 1000000),
		   d->wr.ios, s->merges[1], d->wr.sectors, (unsigned int)(d->wr.ticks_ns / 1000000),
		   0u, busy, busy, 0ul, 0ul, 0ul, 0u, 0ul, 0u);
}

/* /sys/block/NAME/FILE (disks only, not partitions, as in sysfs). */
static const struct {
	const char *name;
	void (*show)(struct seq_buf *m, const struct disk_stat *s);
} block_attrs[] = {
	{ "stat", part_stat_show },
};

int sysfs_block_show(struct kmm *k, const char *path, struct seq_buf *m)
{
	struct disk_stat s[3];
	unsigned int i, j, n = machine_disks(k, s);
	size_t len;

	if (strncmp(path, "/sys/block/", 11))
		return -1;
	path += 11;
	for (i = 0; i < n; i++) {
		len = strlen(s[i].name);
		if (s[i].minor || strncmp(path, s[i].name, len) || path[len] != '/')
			continue;
		for (j = 0; j < ARRAY_SIZE(block_attrs); j++)
			if (!strcmp(path + len + 1, block_attrs[j].name)) {
				block_attrs[j].show(m, &s[i]);
				return 0;
			}
	}
	return -1;
}
