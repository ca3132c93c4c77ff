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
#include <errno.h>
#include <stdlib.h>
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

/*
 * queue/read_ahead_kb: the readahead maximum (the bdi's ra_pages), one
 * for the machine's disks; a file opened after a write uses the new value
 * (file_ra_state_init copies it at open, as Linux does).
 */
static void queue_ra_show(struct seq_buf *m, const struct disk_stat *s)
{
	(void)s;
	seq_printf(m, "%lu\n", kmm_cur()->cfg.read_ahead_kb);
}

static int queue_ra_store(const struct disk_stat *s, const char *buf)
{
	unsigned long v;
	char *end;

	(void)s;
	while (*buf == ' ')
		buf++;
	if (*buf < '0' || *buf > '9')
		return -EINVAL;
	v = strtoul(buf, &end, 10);
	while (*end == ' ' || *end == '\n')
		end++;
	if (*end || v > (1ul << 20))
		return -EINVAL;
	kmm_cur()->cfg.read_ahead_kb = v;
	return 0;
}

/* queue/max_sectors_kb: the largest request the block layer makes. */
static void queue_max_sectors_show(struct seq_buf *m, const struct disk_stat *s)
{
	struct block_device *bdev = kmm_cur()->block->kda;

	if (bdev && s->d == bdev_get_queue(bdev)->disk)
		seq_printf(m, "%u\n", bdev_get_queue(bdev)->max_sectors / 2);
	else
		seq_puts(m, "1280\n");
}

/* /sys/block/NAME/FILE (disks only, not partitions, as in sysfs). */
static const struct {
	const char *name;
	void (*show)(struct seq_buf *m, const struct disk_stat *s);
	int (*store)(const struct disk_stat *s, const char *buf);	/* NULL: read-only */
} block_attrs[] = {
	{ "stat", part_stat_show, NULL },
	{ "queue/read_ahead_kb", queue_ra_show, queue_ra_store },
	{ "queue/max_sectors_kb", queue_max_sectors_show, NULL },
};

/* The attribute path names, of the disk found in s; -1: none. */
static int block_attr(struct kmm *k, const char *path, struct disk_stat *s)
{
	struct disk_stat all[3];
	unsigned int i, j, n = machine_disks(k, all);
	size_t len;

	if (strncmp(path, "/sys/block/", 11))
		return -1;
	path += 11;
	for (i = 0; i < n; i++) {
		len = strlen(all[i].name);
		if (all[i].minor || strncmp(path, all[i].name, len) || path[len] != '/')
			continue;
		for (j = 0; j < ARRAY_SIZE(block_attrs); j++)
			if (!strcmp(path + len + 1, block_attrs[j].name)) {
				*s = all[i];
				return (int)j;
			}
	}
	return -1;
}

/* A write to /sys/block/NAME/FILE: 0, -EACCES (read-only), -EINVAL, or
 * -ENOENT (no such file). */
int sysfs_block_store(struct kmm *k, const char *path, const char *buf)
{
	struct disk_stat s;
	int j = block_attr(k, path, &s);

	if (j < 0)
		return -ENOENT;
	if (!block_attrs[j].store)
		return -EACCES;
	return block_attrs[j].store(&s, buf);
}

int sysfs_block_show(struct kmm *k, const char *path, struct seq_buf *m)
{
	struct disk_stat s;
	int j = block_attr(k, path, &s);

	if (j < 0)
		return -1;
	block_attrs[j].show(m, &s);
	return 0;
}
