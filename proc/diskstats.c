/*
 * proc/diskstats.c - /proc/diskstats for the simulated disk, sda, and its
 * one partition, sda1 (the root filesystem), in Linux's diskstats_show
 * format: reads and writes completed, merged, sectors, milliseconds,
 * then I/Os in flight, io_ticks and the weighted time, then discards and
 * flushes (none).  hw/disk.c counts; requests are never merged and never
 * overlap, so in-flight is 0 and the weighted time equals the busy time.
 */
#include "proc/internal.h"
#include "hw/machine.h"

static void disk_line(struct seq_buf *m, unsigned int minor, const char *name,
		      const struct hw_disk *d)
{
	unsigned long long busy = d->io_ticks_ns / 1000000;

	seq_printf(m, "%4d %7u %s %lu %lu %lu %llu %lu %lu %lu %llu %u %llu %llu %lu %lu %lu %u %lu %u\n",
		   8, minor, name, d->rd.ios, 0ul, d->rd.sectors, d->rd.ticks_ns / 1000000,
		   d->wr.ios, 0ul, d->wr.sectors, d->wr.ticks_ns / 1000000, 0u, busy, busy,
		   0ul, 0ul, 0ul, 0u, 0ul, 0u);
}

void diskstats_show(struct kmm *k, struct seq_buf *m)
{
	disk_line(m, 0, "sda", &k->hw->disk);
	disk_line(m, 1, "sda1", &k->hw->disk);
}
