/*
 * tests/sim/test_readahead_host.c - readahead against the host kernel:
 * the same steps (pread, fadvise, mmap, madvise, touch) on a cold file
 * of a disk-backed host directory, first by this process on the host,
 * then in kmm booted with fs= on that directory and the host device's
 * read_ahead_kb; after every step the file's cached pages (cachestat(2)
 * on the host, the kmm page cache's) must agree, and so must the minor
 * and major faults of every touch.
 *
 * The host decides what can run: a directory on a real block device
 * (statfs: not tmpfs; KMM_TEST_DISK_DIR, default /var/tmp), its
 * device's read_ahead_kb, cachestat(2) (Linux 6.5+), and large folios
 * in the page cache (ext4 from 6.16, xfs): what is missing is printed
 * with the reason and the test passes as skipped.
 *
 * Tolerated: one more minor fault on the host in a touch (its folios
 * come out smaller when its memory is fragmented; printed as a note).
 *
 * Known difference, left out: after POSIX_FADV_SEQUENTIAL, a cold-miss
 * read just past a cached run that skipped its marker reads the whole
 * doubled window in kmm (page_cache_prev_miss finds the run cached from
 * page 0) and 129 pages on this host (docs/filemap.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <kmm/fs.h>
#include <kmm/pagemap.h>
#include <kmm/sched.h>
#include <kmm/mman.h>
#include "mm/mmap.h"
#include "mm/memory.h"
#include "arch/x86/mm/fault.h"
#include "tests/harness.h"
#include "tests/host_features.h"
#include "tests/kmm_test.h"

#define FILE_PAGES	16384ul		/* 64 MiB */
#define PG		4096ul
#define NR_CACHESTAT	451
#define TMPFS_MAGIC_	0x01021994
#define EXT4_MAGIC	0xEF53
#define XFS_MAGIC	0x58465342
/* Both sides map the file here, PMD-aligned, so fault-around's 64 KiB
 * blocks fall on the same pages (the host aligns large file mappings). */
#define MAP_AT		0x7e0000000000ul

enum op { COLD, PREAD, FADV, MMAP, MADV, TOUCH, MUNMAP, END };

/* One step: offsets and lengths in pages. */
struct step {
	enum op op;
	unsigned long off, len;
	int advice;
};

struct result {
	long cached;
	long evicted;			/* cachestat's nr_evicted: shadow entries */
	long minflt, majflt;		/* TOUCH only */
};

struct scenario {
	const char *name;
	struct step steps[24];
};

#define P(o, l)		{ PREAD, o, l, 0 }
#define T(o, l)		{ TOUCH, o, l, 0 }
static const struct scenario scenarios[] = {
	{ "4 KiB sequential reads: windows 4, 16, 60, 240, 448, 256, 512, 512, 1024, 1024, 2048",
	  { { COLD, 0, 0, 0 }, P(0, 1), P(1, 1), P(2, 1), P(4, 1), P(20, 1), P(80, 1), P(81, 1), P(320, 1),
	    P(768, 1), P(1024, 1), P(1536, 1), P(2048, 1), P(3072, 1), P(4096, 1), P(6144, 1),
	    P(8192, 1), { END, 0, 0, 0 } } },
	{ "a first 1 MiB read at 0 reads 512 pages; random and backward reads one page each",
	  { { COLD, 0, 0, 0 }, P(0, 256), { COLD, 0, 0, 0 }, P(2560, 1), P(1000, 1), P(999, 1), P(998, 1),
	    P(9158, 1), P(6249, 1), { END, 0, 0, 0 } } },
	{ "POSIX_FADV_RANDOM reads what is asked, SEQUENTIAL doubles the maximum, WILLNEED reads now",
	  { { COLD, 0, 0, 0 }, { FADV, 0, 0, POSIX_FADV_RANDOM }, P(0, 1), P(1, 1), P(2, 16),
	    { FADV, 0, 0, POSIX_FADV_SEQUENTIAL }, { COLD, 0, 0, 0 }, P(0, 1), P(1, 1), P(4, 1), P(20, 1),
	    P(80, 1), P(320, 1), P(768, 1), P(1024, 1), P(1536, 1), P(2048, 1),
	    { FADV, 0, 0, POSIX_FADV_NORMAL }, { COLD, 0, 0, 0 }, { FADV, 100, 256, POSIX_FADV_WILLNEED },
	    { FADV, 8000, 4000, POSIX_FADV_WILLNEED }, { END, 0, 0, 0 } } },
	{ "first touch of a mapping: one major fault reading 2048 pages around, fault-around maps 16",
	  { { COLD, 0, 0, 0 }, { MMAP, 0, 0, 0 }, T(5120, 1), T(5056, 128), T(5632, 1), T(7000, 1), { MUNMAP, 0, 0, 0 },
	    { END, 0, 0, 0 } } },
	{ "MADV_PAGEOUT of pages only this process maps: evicted (shadows), a touch refaults them",
	  { { COLD, 0, 0, 0 }, P(0, 512), { MMAP, 0, 0, 0 }, T(0, 512), { MADV, 0, 512, MADV_PAGEOUT },
	    T(0, 1), { MADV, 0, 16, MADV_COLD }, T(1, 15), { MUNMAP, 0, 0, 0 }, { END, 0, 0, 0 } } },
	{ "MADV_RANDOM: no read-around; MADV_SEQUENTIAL: a sequential window; MADV_WILLNEED",
	  { { COLD, 0, 0, 0 }, { MMAP, 0, 0, 0 }, { MADV, 0, FILE_PAGES, MADV_RANDOM }, T(3000, 1), T(3001, 1),
	    { MADV, 0, FILE_PAGES, MADV_SEQUENTIAL }, T(9000, 1), T(9001, 1), { MUNMAP, 0, 0, 0 },
	    { COLD, 0, 0, 0 }, { MMAP, 0, 0, 0 }, { MADV, 100, 300, MADV_WILLNEED }, T(100, 1), { MUNMAP, 0, 0, 0 },
	    { END, 0, 0, 0 } } },
};

static char dirpath[256], filepath[512];
static long read_ahead_kb = -1;

/* ---- the host's features ---------------------------------------------- */

/* Why this host cannot run the test, or NULL. */
static const char *host_unfit(void)
{
	static char why[512];
	const char *d = getenv("KMM_TEST_DISK_DIR");
	struct statfs sf;
	struct stat st;
	struct utsname u;
	int major = 0, minor = 0;
	char p[256];

	snprintf(dirpath, sizeof(dirpath), "%s", d && *d ? d : "/var/tmp");
	if (statfs(dirpath, &sf) || stat(dirpath, &st))
		return "no disk directory (KMM_TEST_DISK_DIR or /var/tmp)";
	if (sf.f_type == TMPFS_MAGIC_) {
		snprintf(why, sizeof(why), "%s is tmpfs: no disk, no readahead", dirpath);
		return why;
	}
	snprintf(p, sizeof(p), "/sys/dev/block/%u:%u/queue/read_ahead_kb", major(st.st_dev),
		 minor(st.st_dev));
	read_ahead_kb = hf_read_long(p, -1);
	if (read_ahead_kb < 0) {
		snprintf(p, sizeof(p), "/sys/dev/block/%u:%u/../queue/read_ahead_kb",
			 major(st.st_dev), minor(st.st_dev));
		read_ahead_kb = hf_read_long(p, -1);
	}
	if (read_ahead_kb < 16) {
		snprintf(why, sizeof(why), "%s: no block device with read_ahead_kb >= 16", dirpath);
		return why;
	}
	uname(&u);
	sscanf(u.release, "%d.%d", &major, &minor);
	if (major * 100 + minor < 618) {
		snprintf(why, sizeof(why), "kernel %s: the rules checked are Linux 6.18's", u.release);
		return why;
	}
	if (sf.f_type != EXT4_MAGIC && sf.f_type != XFS_MAGIC) {
		snprintf(why, sizeof(why), "%s is not ext4 or xfs: large folios unknown", dirpath);
		return why;
	}
	return NULL;
}

/* ---- the host side -------------------------------------------------------- */

struct cs_range {
	uint64_t off, len;
};
struct cs_stat {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};

static long host_cachestat(int fd, long *evicted)
{
	struct cs_range r = { 0, 0 };
	struct cs_stat s;

	if (syscall(NR_CACHESTAT, fd, &r, &s, 0))
		return -errno;
	if (evicted)
		*evicted = (long)s.nr_evicted;
	return (long)s.nr_cache;
}

static long host_cached(int fd)
{
	return host_cachestat(fd, NULL);
}

/* Waits until every cached page is uptodate (no readahead in flight). */
static void host_settle(int fd, char *map)
{
	static unsigned char vec[FILE_PAGES];
	long want = host_cached(fd);
	struct timespec ts = { 0, 1000000 };

	for (int tries = 0; map && tries < 2000; tries++) {
		long n = 0;

		if (mincore(map, FILE_PAGES * PG, vec))
			return;
		for (unsigned long i = 0; i < FILE_PAGES; i++)
			n += vec[i] & 1;
		if (n >= want)
			return;
		nanosleep(&ts, NULL);
	}
}

/*
 * Reads a byte of each page, uninstrumented: under ASan an instrumented
 * load would also touch its shadow and count the shadow's faults.
 */
__attribute__((no_sanitize("address"), noinline))
static void host_touch(const volatile char *map, unsigned long off, unsigned long len)
{
	for (unsigned long p = off; p < off + len; p++)
		(void)map[p * PG];
}

static int host_run(const struct scenario *sc, struct result *res)
{
	int fd = open(filepath, O_RDONLY);
	char *buf = malloc(FILE_PAGES * PG / 4), *map = NULL;
	struct rusage a, b;

	if (fd < 0 || !buf)
		return -1;
	for (int i = 0; sc->steps[i].op != END; i++) {
		const struct step *s = &sc->steps[i];

		memset(&res[i], 0, sizeof(res[i]));
		switch (s->op) {
		case COLD:
			/* Pages still being read are locked and stay: retry. */
			for (int tries = 0; tries < 2000; tries++) {
				struct timespec ts = { 0, 1000000 };

				posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
				if (host_cached(fd) == 0)
					break;
				nanosleep(&ts, NULL);
			}
			break;
		case PREAD:
			if (pread(fd, buf, s->len * PG, (off_t)(s->off * PG)) < 0)
				return -1;
			break;
		case FADV:
			posix_fadvise(fd, (off_t)(s->off * PG), (off_t)(s->len * PG), s->advice);
			break;
		case MMAP:
			map = mmap((void *)MAP_AT, FILE_PAGES * PG, PROT_READ,
				   MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
			if (map == MAP_FAILED)
				return -1;
			break;
		case MADV:
			madvise(map + s->off * PG, s->len * PG, s->advice);
			break;
		case TOUCH:
			getrusage(RUSAGE_SELF, &b);	/* both warm (ASan's shadow) */
			getrusage(RUSAGE_SELF, &a);
			host_touch(map, s->off, s->len);
			getrusage(RUSAGE_SELF, &b);
			res[i].minflt = b.ru_minflt - a.ru_minflt;
			res[i].majflt = b.ru_majflt - a.ru_majflt;
			break;
		case MUNMAP:
			munmap(map, FILE_PAGES * PG);
			map = NULL;
			break;
		case END:
			break;
		}
		host_settle(fd, map);
		res[i].cached = host_cachestat(fd, &res[i].evicted);
	}
	if (map)
		munmap(map, FILE_PAGES * PG);
	free(buf);
	close(fd);
	return 0;
}

/* ---- the kmm side ---------------------------------------------------------- */

static long kmm_cachestat(struct task_struct *t, long *evicted)
{
	struct cachestat cs;

	ksys_cachestat(t, 3, 0, 0, &cs, 0);
	*evicted = (long)cs.nr_evicted;
	return (long)cs.nr_cache;
}

static void kmm_run(const struct scenario *sc, struct result *res)
{
	struct kmm_config cfg = { .mem = 512ul << 20, .cpus = 1, .quiet = 1, .norandmaps = 1 };
	char *buf = malloc(FILE_PAGES * PG / 4);
	struct task_struct *t;
	struct kmm_siginfo si;
	long addr = 0;
	int err;

	cfg.read_ahead_kb = (unsigned long)read_ahead_kb;
	snprintf(cfg.fs, sizeof(cfg.fs), "%s", dirpath);
	if (!kmm_boot(&cfg))
		abort();
	t = kernel_spawn("cat", &err);
	if (!t || ksys_open(t, strrchr(filepath, '/'), O_RDONLY, 0) != 3)
		abort();
	for (int i = 0; sc->steps[i].op != END; i++) {
		const struct step *s = &sc->steps[i];
		unsigned long mn, mj;
		char c;

		memset(&res[i], 0, sizeof(res[i]));
		switch (s->op) {
		case COLD:
			ksys_fadvise64_64(t, 3, 0, 0, POSIX_FADV_DONTNEED);
			break;
		case PREAD:
			ksys_pread64(t, 3, buf, s->len * PG, (long long)(s->off * PG));
			break;
		case FADV:
			ksys_fadvise64_64(t, 3, (long long)(s->off * PG), (long long)(s->len * PG),
					  s->advice);
			break;
		case MMAP:
			addr = do_mmap_pgoff(t->mm, fget_raw(t->files, 3), MAP_AT, FILE_PAGES * PG,
					     PROT_READ, MAP_SHARED | MAP_FIXED, 0);
			break;
		case MADV:
			do_madvise(t->mm, (unsigned long)addr + s->off * PG, s->len * PG, s->advice);
			break;
		case TOUCH:
			mn = t->min_flt;
			mj = t->maj_flt;
			for (unsigned long p = s->off; p < s->off + s->len; p++)
				user_copy(t, (unsigned long)addr + p * PG, &c, 1, false, &si);
			res[i].minflt = (long)(t->min_flt - mn);
			res[i].majflt = (long)(t->maj_flt - mj);
			break;
		case MUNMAP:
			do_munmap(t->mm, (unsigned long)addr, FILE_PAGES * PG);
			break;
		case END:
			break;
		}
		res[i].cached = kmm_cachestat(t, &res[i].evicted);
	}
	free(buf);
	kmm_shutdown(NULL);
}

static const char *const op_name[] = { "cold", "pread", "fadvise", "mmap", "madvise", "touch",
				       "munmap" };

static int compare(const struct scenario *sc)
{
	struct result host[24], sim[24];
	int bad = 0;

	if (host_run(sc, host)) {
		printf("  host side failed: %s\n", strerror(errno));
		return 1;
	}
	kmm_run(sc, sim);
	for (int i = 0; sc->steps[i].op != END; i++) {
		const struct step *s = &sc->steps[i];
		/*
		 * The host may take one minor fault more than kmm on a touch:
		 * its read-around gets smaller folios when its own memory is
		 * fragmented, and fault-around then stops one block short
		 * (seen on this CI host after heavy tests: 8 for 7, three runs
		 * in a row).  That one fault is tolerated and said; anything
		 * else must be equal.
		 */
		bool one_more = host[i].minflt == sim[i].minflt + 1;
		bool same = host[i].cached == sim[i].cached &&
			    (host[i].minflt == sim[i].minflt || one_more) &&
			    host[i].majflt == sim[i].majflt && host[i].evicted == sim[i].evicted;

		if (same && one_more)
			printf("  note: step %d: the host took one more minor fault (%ld, kmm %ld)\n",
			       i, host[i].minflt, sim[i].minflt);

		if (!same || getenv("KMM_TEST_VERBOSE"))
			printf("  %s step %d %s %lu+%lu: host cached=%ld evicted=%ld minflt=%ld "
			       "majflt=%ld, kmm cached=%ld evicted=%ld minflt=%ld majflt=%ld\n",
			       same ? "  " : "!!", i, op_name[s->op], s->off, s->len, host[i].cached,
			       host[i].evicted, host[i].minflt, host[i].majflt, sim[i].cached,
			       sim[i].evicted, sim[i].minflt, sim[i].majflt);
		bad += !same;
	}
	return bad;
}

/* The 64 MiB file, written once (kept for reruns if it is already right). */
static int make_file(void)
{
	struct stat st;
	char *buf;
	int fd;

	snprintf(filepath, sizeof(filepath), "%s/kmm-readahead-host.dat", dirpath);
	if (!stat(filepath, &st) && st.st_size == (off_t)(FILE_PAGES * PG))
		return 0;
	fd = open(filepath, O_RDWR | O_CREAT | O_TRUNC, 0644);
	buf = malloc(1 << 20);
	if (fd < 0 || !buf)
		return -1;
	for (unsigned long i = 0; i < FILE_PAGES * PG; i += 1 << 20) {
		memset(buf, (int)(i >> 20), 1 << 20);
		if (pwrite(fd, buf, 1 << 20, (off_t)i) != 1 << 20)
			return -1;
	}
	fsync(fd);
	free(buf);
	close(fd);
	return 0;
}

TEST(readahead_matches_the_host)
{
	const char *why = host_unfit();
	int fd, bad = 0;

	if (why) {
		printf("  skipped: %s\n", why);
		return;
	}
	if (make_file()) {
		printf("  skipped: cannot write %s: %s\n", filepath, strerror(errno));
		return;
	}
	fd = open(filepath, O_RDONLY);
	if (host_cached(fd) < 0) {
		printf("  skipped: no cachestat(2) on this host\n");
		close(fd);
		return;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	if (host_cached(fd) != 0) {
		printf("  skipped: the host keeps %ld pages of %s after DONTNEED\n", host_cached(fd),
		       filepath);
		close(fd);
		return;
	}
	close(fd);
	printf("  %s, read_ahead_kb %ld\n", dirpath, read_ahead_kb);
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		int n = compare(&scenarios[i]), tries = 1;

		/*
		 * The host is a busy machine: its own I/O timing can move a
		 * fault by one (fault-around skips a folio another CPU still
		 * holds locked), seen once in CI as minflt 8 for 7, and under
		 * ctest -j2 beside test_script_host.  A scenario differs only if
		 * it differs three times running, with pauses between; a retry
		 * that matched says so.
		 */
		while (n && tries < 3) {
			/* Give the host's other work time to pass: 0.5 s, then 2 s. */
			struct timespec pause = { tries == 1 ? 0 : 2, tries == 1 ? 500000000 : 0 };

			nanosleep(&pause, NULL);
			tries++;
			n = compare(&scenarios[i]);
		}
		printf("  %s: %s%s\n", n ? "DIFFERS" : "same", scenarios[i].name,
		       !n && tries > 1 ? " (the host differed before; same on a retry)" : "");
		bad += n;
	}
	unlink(filepath);
	ASSERT_EQ(bad, 0);
}

int main(void)
{
	RUN_TEST(readahead_matches_the_host);
	return harness_summary();
}
