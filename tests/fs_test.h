/*
 * tests/fs_test.h - what the tests over a host directory share: a fresh
 * directory, a fresh machine with it as the root filesystem (fs=DIR), and
 * both gone again at the end.
 */
#ifndef KMM_TESTS_FS_TEST_H
#define KMM_TESTS_FS_TEST_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <kmm/sched.h>
#include "mm/machine.h"
#include "tests/kmm_test.h"

static char dir[128];

static int rm_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	return type == FTW_DP ? rmdir(p) : unlink(p);
}

/* A fresh empty host directory, /tmp/kmm-test-NAME-XXXXXX, into dir. */
static inline void make_test_dir(const char *name)
{
	snprintf(dir, sizeof(dir), "/tmp/kmm-test-%s-XXXXXX", name);
	if (!mkdtemp(dir))
		abort();
}

/* A fresh machine (128M, one CPU) on dir plus suffix (":ro"), and pid 1. */
static inline struct task_struct *boot_on_test_dir(const char *suffix)
{
	struct kmm_config cfg = { .mem = 128ul << 20, .cpus = 1, .quiet = 1, .norandmaps = 1 };

	snprintf(cfg.fs, sizeof(cfg.fs), "%s%s", dir, suffix);
	return boot_and_spawn(&cfg);
}

static inline void shutdown_dir(void)
{
	kmm_shutdown(NULL);
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static inline unsigned long node_stat(enum node_stat_item i)
{
	return kmm_cur()->mem->node.vm_stat[i];
}

#endif
