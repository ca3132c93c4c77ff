/*
 * tests/fs/ext2_test.h - what test_ext2.c needs around fs/ext2/: the host
 * tools (mke2fs, e2fsck, debugfs) found on PATH or in /sbin, /usr/sbin,
 * and a scratch directory under /tmp for source trees and images.
 */
#ifndef KMM_TESTS_FS_EXT2_TEST_H
#define KMM_TESTS_FS_EXT2_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* The tool's full path in buf, or false when it is not installed. */
static inline bool find_tool(const char *name, char *buf, size_t len)
{
	const char *path = getenv("PATH");
	char dirs[4096];
	char *d, *save = NULL;

	snprintf(dirs, sizeof(dirs), "%s:/sbin:/usr/sbin", path ? path : "/usr/bin:/bin");
	for (d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(buf, len, "%s/%s", d, name);
		if (access(buf, X_OK) == 0)
			return true;
	}
	return false;
}

/* The three tools of e2fsprogs (each buffer 256 bytes); false, and a
 * line saying the image tests are skipped, when one is missing. */
static inline bool find_e2fsprogs(char *mke2fs, char *e2fsck, char *debugfs)
{
	if (find_tool("mke2fs", mke2fs, 256) && find_tool("e2fsck", e2fsck, 256) &&
	    find_tool("debugfs", debugfs, 256))
		return true;
	printf("skip: mke2fs, e2fsck or debugfs not found (e2fsprogs): image tests skipped\n");
	return false;
}

/* Runs a shell command, its output thrown away: its exit status. */
static inline int run_quiet(const char *cmd)
{
	char full[8192];
	int rc;

	snprintf(full, sizeof(full), "%s >/dev/null 2>&1", cmd);
	rc = system(full);
	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

/* The first line of a command's output in buf (empty when none). */
static inline int run_capture(const char *cmd, char *buf, size_t len)
{
	FILE *p = popen(cmd, "r");
	size_t n;

	buf[0] = 0;
	if (!p)
		return -1;
	n = fread(buf, 1, len - 1, p);
	buf[n] = 0;
	return WEXITSTATUS(pclose(p));
}

/* e2fsck OPTS on img: its exit status (0 clean, 4 errors left with -n,
 * 8 and up broken) and the start of its report in out (len bytes, or
 * thrown away when out is NULL). */
static inline int run_e2fsck(const char *e2fsck, const char *opts, const char *img, char *out,
			     size_t len)
{
	char cmd[1024], sink[256];

	snprintf(cmd, sizeof(cmd), "%s %s %s 2>&1", e2fsck, opts, img);
	return run_capture(cmd, out ? out : sink, out ? len : sizeof(sink));
}

/* Whether `debugfs -R "cat path" img` prints exactly want[0..len). */
static inline bool debugfs_cat_is(const char *debugfs, const char *img, const char *path,
				  const void *want, size_t len)
{
	char cmd[1024];
	unsigned char *got = malloc(len + 1);
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s -R 'cat \"%s\"' %s 2>/dev/null", debugfs, path, img);
	p = popen(cmd, "r");
	if (!p || !got)
		abort();
	n = fread(got, 1, len + 1, p);
	pclose(p);
	n = n == len && !memcmp(got, want, len);
	free(got);
	return n;
}

/* root/rel holds len bytes of buf at offset at (made if missing). */
static inline void put_file_in(const char *root, const char *rel, const void *buf, size_t len,
			       off_t at)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	if (fd < 0 || pwrite(fd, buf, len, at) != (ssize_t)len)
		abort();
	close(fd);
}

static inline void put_dir_in(const char *root, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (mkdir(path, 0755))
		abort();
}

#endif /* KMM_TESTS_FS_EXT2_TEST_H */
