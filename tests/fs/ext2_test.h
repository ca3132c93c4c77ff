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
#include <unistd.h>
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

#endif /* KMM_TESTS_FS_EXT2_TEST_H */
