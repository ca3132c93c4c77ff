/*
 * tests/sim/test_files_host.c - the file system calls against the host
 * kernel: each scenario runs on the host (kmm-host's executor with
 * --root, tools/host_files.c) below one fresh directory and in the
 * simulator booted with fs= another, and every line must print the same:
 * open's fds and errnos, the bytes pread returns (holes, EOF), pwrite's
 * counts (O_APPEND's quirk), ftruncate and SIGBUS past EOF in a shared
 * mapping, private mappings' copies, mincore of file pages, msync's
 * checks, fds across fork, the path calls (mkdir, rename, unlink, rmdir,
 * stat's size, mode and link count).  The directories are made empty, so the
 * simulator's files are exactly what the script creates.
 */
#define _GNU_SOURCE
#include <ftw.h>
#include <sys/stat.h>
#include "tests/harness.h"
#include "tests/sim/host_diff.h"

#define HEAD "spawn\n" \
	"mmap 1 0x300000000000 64M PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE|MAP_NORESERVE\n"
#define WIN "0x300000100000"

struct scenario {
	const char *name;
	const char *text;
	unsigned int mode;	/* DIFF_FAULTS: touch lines with their faults */
};

static const struct scenario scenarios[] = {
	{ "pread and pwrite: holes, EOF, offsets", HEAD
	  "open 1 /data O_RDWR|O_CREAT\n"
	  "pwrite 1 3 0 fill=0x61:20K\n"
	  "pwrite 1 3 4094 \"kmm\"\n"
	  "pread 1 3 4090 8\n"
	  "pread 1 3 20480 4\n"
	  "pread 1 3 -1 4\n"
	  "pwrite 1 3 -1 \"x\"\n"
	  "pwrite 1 3 40000 \"tail\"\n"
	  "pread 1 3 20478 8\n"
	  "pread 1 3 0 40004\n"
	  "pread 1 3 39998 100\n"
	  "pwrite 1 3 0 \"\"\n", 0 },
	{ "open and close: modes, errors, O_TRUNC, O_APPEND", HEAD
	  "open 1 /f O_WRONLY|O_CREAT\n"
	  "pwrite 1 3 0 \"hello world\"\n"
	  "pread 1 3 0 4\n"
	  "close 1 3\n"
	  "close 1 3\n"
	  "pread 1 3 0 4\n"
	  "open 1 /f\n"
	  "pwrite 1 3 0 \"x\"\n"
	  "ftruncate 1 3 0\n"
	  "pread 1 3 6 100\n"
	  "open 1 /f O_RDWR|O_APPEND\n"
	  "pwrite 1 4 0 \"!\"\n"
	  "pread 1 3 0 100\n"
	  "open 1 /f O_RDWR|O_CREAT|O_EXCL\n"
	  "open 1 /f/x\n"
	  "open 1 /nope\n"
	  "open 1 /nope/x O_RDWR|O_CREAT\n"
	  "open 1 / O_RDWR\n"
	  "open 1 /\n"
	  "pread 1 5 0 1\n"
	  "open 1 /f O_RDWR|O_TRUNC\n"
	  "pread 1 3 0 4\n"
	  "fsync 1 6\n"
	  "fdatasync 1 3\n"
	  "fsync 1 40\n", 0 },
	{ "shared mapping: mincore, SIGBUS past EOF, truncate, msync", HEAD
	  "open 1 /m O_RDWR|O_CREAT\n"
	  "pwrite 1 3 0 fill=0x41:20K\n"
	  "mmap 1 " WIN " 32K PROT_READ|PROT_WRITE MAP_SHARED|MAP_FIXED 3\n"
	  "mincore 1 " WIN " 32K\n"
	  "touch 1 " WIN " 8K r\n"
	  "write 1 0x300000101000 \"via the mapping\"\n"
	  "pread 1 3 4096 15\n"
	  "touch 1 0x300000105000 4K r\n"
	  "msync 1 " WIN " 32K MS_SYNC\n"
	  "msync 1 " WIN " 32K MS_ASYNC\n"
	  "msync 1 " WIN " 32K MS_INVALIDATE\n"
	  "msync 1 " WIN " 32K MS_SYNC|MS_ASYNC\n"
	  "msync 1 0x300000100001 4K MS_SYNC\n"
	  "msync 1 " WIN " 4K 8\n"
	  "mincore 1 0x300000100001 4K\n"
	  "ftruncate 1 3 4096\n"
	  "mincore 1 " WIN " 8K\n"
	  "touch 1 0x300000101000 4K r\n"
	  "read 1 0x300000100ffc 4\n"
	  "ftruncate 1 3 8192\n"
	  "read 1 0x300000101000 4\n"
	  "pread 1 3 4094 4\n", 0 },
	{ "private mapping: a write copies, the file keeps its bytes", HEAD
	  "open 1 /p O_RDWR|O_CREAT\n"
	  "pwrite 1 3 0 fill=0x70:8K\n"
	  "mmap 1 " WIN " 8K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_FIXED 3\n"
	  "write 1 " WIN " \"mine\"\n"
	  "read 1 " WIN " 6\n"
	  "pread 1 3 0 6\n"
	  "pwrite 1 3 4096 \"file\"\n"
	  "read 1 0x300000101000 4\n"
	  "msync 1 " WIN " 8K MS_SYNC\n"
	  "pread 1 3 0 4\n", 0 },
	{ "fork: the child's fds are the parent's files", HEAD
	  "open 1 /c O_RDWR|O_CREAT\n"
	  "pwrite 1 3 0 \"parent\"\n"
	  "fork 1\n"
	  "pread 2 3 0 6\n"
	  "close 1 3\n"
	  "pwrite 2 3 0 \"child!\"\n"
	  "pread 2 3 0 6\n"
	  "open 1 /c\n"
	  "pread 1 3 0 6\n"
	  "exit 2\n", 0 },
	{ "paths: mkdir, stat, rename, unlink, rmdir and their errnos", HEAD
	  "mkdir 1 /d\n"
	  "mkdir 1 /d\n"
	  "mkdir 1 /d/e 0700\n"
	  "mkdir 1 /nothere/x\n"
	  "stat 1 /d/e\n"
	  "open 1 /d/f O_RDWR|O_CREAT\n"
	  "pwrite 1 3 0 \"hello\"\n"
	  "stat 1 /d/f\n"
	  "mkdir 1 /d/f/x\n"
	  "rename 1 /d/f /d/g\n"
	  "stat 1 /d/f\n"
	  "stat 1 /d/g\n"
	  "rename 1 /d/g /d/e\n"
	  "rename 1 /d/e /d/e/sub\n"
	  "rename 1 /nothere /d/x\n"
	  "rmdir 1 /d\n"
	  "rmdir 1 /d/g\n"
	  "unlink 1 /d/e\n"
	  "rmdir 1 /d/e\n"
	  "unlink 1 /d/g\n"
	  "unlink 1 /d/g\n"
	  "pread 1 3 0 5\n"
	  "rmdir 1 /d\n"
	  "stat 1 /d\n", 0 },
	{ "file mapping faults: a cached file, fault-around and write notification", HEAD
	  "open 1 /z O_RDWR|O_CREAT\n"
	  "pwrite 1 3 0 fill=0x7a:64K\n"
	  "mmap 1 " WIN " 64K PROT_READ|PROT_WRITE MAP_SHARED|MAP_FIXED 3\n"
	  "touch 1 " WIN " 4K r\n"
	  "touch 1 " WIN " 4K w\n"
	  "touch 1 " WIN " 4K w\n", DIFF_FAULTS },
};

static int rm_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	return type == FTW_DP ? rmdir(p) : unlink(p);
}

/* A fresh empty directory for each side, on TMPDIR (or /tmp). */
static void make_roots(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(diff_host_root, sizeof(diff_host_root), "%s/kmm-files-host-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	snprintf(diff_sim_root, sizeof(diff_sim_root), "%s/kmm-files-sim-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(diff_host_root) || !mkdtemp(diff_sim_root))
		abort();
}

static void remove_roots(void)
{
	nftw(diff_host_root, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	nftw(diff_sim_root, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	diff_host_root[0] = diff_sim_root[0] = 0;
}

static int run_scenario(const struct scenario *sc)
{
	struct script s;
	struct outputs host = { 0 }, sim = { 0 };
	char *text = strdup(sc->text);
	int bad;

	if (!text)
		abort();
	make_roots();
	script_from_text(&s, text);
	bad = run_host(&s, &host, false, sc->mode) != 0;
	if (bad) {
		fprintf(stderr, "  %s: the host executor failed or refused a line\n", sc->name);
	} else {
		run_sim(&s, &sim, sc->mode);
		if (compare(sc->name, &s, &host, &sim, true)) {
			write_sim_script(sc->name, &sim, sc->mode & DIFF_FAULTS);
			bad = 1;
		}
	}
	outputs_free(&host);
	outputs_free(&sim);
	script_free(&s);
	remove_roots();
	return bad;
}

TEST(file_scenarios_match_the_host)
{
	size_t i, failed = 0;

	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (run_scenario(&scenarios[i])) {
			failed++;
			fprintf(stderr, "  differs: %s\n", scenarios[i].name);
		}
	printf("  %zu file scenarios compared with the host kernel\n",
	       sizeof(scenarios) / sizeof(scenarios[0]));
	ASSERT_EQ(failed, 0);
}

int main(void)
{
	host_features_print(diff_host(), stdout);
	RUN_TEST(file_scenarios_match_the_host);
	return harness_summary();
}
