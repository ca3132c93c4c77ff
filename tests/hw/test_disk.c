/*
 * tests/hw/test_disk.c - the simulated disk (hw/disk.c): a request costs
 * latency + bytes / bandwidth of simulated time; requests are served one
 * after another, so a read queued behind writeback waits for it; a
 * reader's clock moves to its request's end, a queued write's does not;
 * the diskstats counters; an injected failure fails exactly one request.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <kmm/kmm.h>
#include "hw/machine.h"
#include "base/machine.h"
#include "tests/harness.h"

static struct kmm *boot(void)
{
	struct kmm_config cfg = { .mem = 64ul << 20, .cpus = 1, .quiet = 1,
				  .disk_latency_us = 100, .disk_mbps = 500 };

	return kmm_boot(&cfg);
}

static int scratch_file(void)
{
	char path[] = "/tmp/kmm-test-disk-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		abort();
	unlink(path);
	return fd;
}

TEST(a_request_costs_latency_plus_transfer)
{
	struct kmm *k = boot();
	struct hw_disk *d = &k->hw->disk;
	static char buf[1 << 20];
	unsigned long long t0 = hw_clock_ns(k);
	int fd = scratch_file();

	memset(buf, 7, sizeof(buf));
	ASSERT_EQ(hw_disk_write(k, fd, buf, sizeof(buf), 0), (long)sizeof(buf));
	/* 100 us + 1 MiB at 500 MB/s = 100 + 2097.152 us */
	ASSERT_EQ(hw_clock_ns(k) - t0, 100000ull + 2097152ull);
	ASSERT_EQ(d->wr.ios, 1);
	ASSERT_EQ(d->wr.sectors, 2048);
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(hw_disk_read(k, fd, buf, 4096, 4096), 4096);
	ASSERT_EQ(buf[0], 7);
	ASSERT_EQ(d->rd.ios, 1);
	ASSERT_EQ(d->rd.sectors, 8);
	ASSERT_EQ(hw_disk_read(k, fd, buf, 4096, 2 << 20), 0);	/* past the host file's end */
	close(fd);
	kmm_shutdown(k);
}

TEST(queued_writes_complete_in_order_and_a_read_waits_for_them)
{
	struct kmm *k = boot();
	static char buf[1 << 20];
	unsigned long long t0 = hw_clock_ns(k), done1, done2;
	int fd = scratch_file();

	ASSERT_EQ(hw_disk_write_async(k, fd, buf, sizeof(buf), 0, &done1), (long)sizeof(buf));
	ASSERT_EQ(hw_disk_write_async(k, fd, buf, sizeof(buf), 1 << 20, &done2), (long)sizeof(buf));
	ASSERT_EQ(hw_clock_ns(k), t0);			/* nobody waited */
	ASSERT_EQ(done1 - t0, 2197152ull);
	ASSERT_EQ(done2 - done1, 2197152ull);		/* after the first */
	ASSERT_EQ(hw_disk_read(k, fd, buf, 4096, 0), 4096);
	ASSERT_EQ(hw_clock_ns(k), done2 + 100000ull + 8192ull);	/* behind both */
	close(fd);
	kmm_shutdown(k);
}

TEST(an_injected_failure_fails_one_request)
{
	struct kmm *k = boot();
	struct hw_disk *d = &k->hw->disk;
	char buf[512] = { 0 };
	int fd = scratch_file();

	hw_disk_fail_nth(k, 2);
	ASSERT_EQ(hw_disk_write(k, fd, buf, sizeof(buf), 0), (long)sizeof(buf));
	ASSERT_EQ(hw_disk_write(k, fd, buf, sizeof(buf), 0), -EIO);
	ASSERT_EQ(hw_disk_write(k, fd, buf, sizeof(buf), 0), (long)sizeof(buf));
	ASSERT_EQ(d->wr.ios, 2);
	ASSERT_EQ(d->wr.errors, 1);
	ASSERT_EQ(hw_disk_read(k, -1, buf, sizeof(buf), 0), -EBADF);	/* the host's errno */
	close(fd);
	kmm_shutdown(k);
}

int main(void)
{
	RUN_TEST(a_request_costs_latency_plus_transfer);
	RUN_TEST(queued_writes_complete_in_order_and_a_read_waits_for_them);
	RUN_TEST(an_injected_failure_fails_one_request);
	return harness_summary();
}
