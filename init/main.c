/*
 * init/main.c - making a machine, booting it and shutting it down.
 *
 * A machine is one allocation: struct kmm and every layer's part after it
 * (base/machine.h).  Boot is Linux's start_kernel in miniature: resolve
 * the configuration, then each layer's init from the bottom up (memory
 * management with the RAM under it, then the tasks); shutdown runs each
 * layer's exit from the top down.  The boot lock orders boots, shutdowns
 * and switches of the current machine against each other.
 */
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include "base/option.h"
#include "hw/machine.h"
#include "mm/machine.h"
#include "block/machine.h"
#include "fs/machine.h"
#include "kernel/machine.h"
#include "base/printk.h"
#include "base/smp.h"

/* Every part of one machine, in one allocation (zones are cache-line
 * aligned, so the whole is). */
struct machine {
	struct kmm k;
	struct hw_machine hw;
	struct mm_machine mem;
	struct block_machine block;
	struct fs_machine fs;
	struct kernel_machine kernel;
};

static unsigned long kmm_next_id = 1;
static pthread_mutex_t kmm_boot_lock = PTHREAD_MUTEX_INITIALIZER;

static struct kmm *machine_alloc(void)
{
	struct machine *m = aligned_alloc(64, ALIGN(sizeof(*m), 64ul));

	if (!m)
		return NULL;
	memset(m, 0, sizeof(*m));
	m->k.hw = &m->hw;
	m->k.mem = &m->mem;
	m->k.block = &m->block;
	m->k.fs = &m->fs;
	m->k.kernel = &m->kernel;
	m->mem.kmm = &m->k;
	return &m->k;
}

/* Each layer's exit, top down; for a machine whose boot failed as well. */
static void machine_exit(struct kmm *k)
{
	rootfs_exit(k);
	umount_all(k);
	bdev_exit(k);
	hw_cpus_exit(&k->hw->cpus);
	mm_core_exit(k);
	smp_exit(k);
	free(container_of(k, struct machine, k));
}

static struct kmm *boot_locked(const struct kmm_config *cfg)
{
	char err[160];
	struct kmm *k = machine_alloc();

	if (!k)
		return NULL;
	if (kmm_config_resolve(&k->cfg, cfg, err, sizeof(err))) {
		kmm_report(NULL, "kmm_boot: %s\n", err);
		free(container_of(k, struct machine, k));
		return NULL;
	}
	k->id = __atomic_fetch_add(&kmm_next_id, 1, __ATOMIC_RELAXED);
	k->rnd_state = k->cfg.seed;
	fork_init(k);
	hw_disk_init(k);
	hw_timer_init(k);
	if (smp_init(k) || mm_core_init(k) || bdev_init(k) || swapfile_init(k)) {
		kmm_set_machine_globals(NULL);
		machine_exit(k);
		return NULL;
	}
	kmm_register_machine(k);
	mm_fault_inject_setup(k);
	return k;
}

struct kmm *kmm_boot(const struct kmm_config *cfg)
{
	struct kmm *prev, *k;

	pthread_mutex_lock(&kmm_boot_lock);
	prev = kmm_global;
	k = boot_locked(cfg);
	kmm_set_machine_globals(k ? k : prev);
	pthread_mutex_unlock(&kmm_boot_lock);
	return k;
}

struct kmm *kmm_boot_default(void)
{
	struct kmm *k;

	pthread_mutex_lock(&kmm_boot_lock);
	k = kmm_global;
	if (!k) {
		k = boot_locked(NULL);
		kmm_set_machine_globals(k);
	}
	pthread_mutex_unlock(&kmm_boot_lock);
	if (!k)
		abort();	/* no memory at all: nothing sensible to return */
	return k;
}

/* What must reach the disks before the machine goes, with it current. */
static void machine_sync(struct kmm *k)
{
	struct kmm *prev;

	if (!k)
		return;
	prev = kmm_switch(k);
	/* Their filesystems first: the superblock marked clean is one more
	 * dirty buffer for the device's sync. */
	umount_block_filesystems(k, false);
	swapfile_exit(k, false);
	bdev_shutdown_sync(k);
	kmm_switch(prev);
}

/* The machine goes, after machine_sync (shutdown) or without (crash). */
static void machine_stop(struct kmm *k)
{
	pthread_mutex_lock(&kmm_boot_lock);
	if (!k)
		k = kmm_global;
	if (k) {
		if (k == kmm_global)
			kmm_set_machine_globals(NULL);
		kmm_unregister_machine(k);
		machine_exit(k);
	}
	pthread_mutex_unlock(&kmm_boot_lock);
}

void kmm_shutdown(struct kmm *k)
{
	/* The machine as it ends (kmm_check_invariants takes the lock). */
	VM_CHECK((k ? k : kmm_global) ? kmm_check_invariants(k ? k : kmm_global) : 0);
	machine_sync(k ? k : kmm_global);
	machine_stop(k);
}

/*
 * A power cut: the filesystems are shut down (nothing of theirs is
 * written from now on) and let go of with the machine current; the block
 * device's dirty buffers are never synced.  Writes the flusher already
 * queued are in the image (hw/disk.c puts the bytes there at once).
 */
void kmm_crash(struct kmm *k)
{
	struct kmm *prev;

	k = k ? k : kmm_global;
	if (!k)
		return;
	prev = kmm_switch(k);
	umount_block_filesystems(k, true);
	swapfile_exit(k, true);
	kmm_switch(prev);
	machine_stop(k);
}

struct kmm *kmm_current(void)
{
	return kmm_global;
}

struct kmm *kmm_switch(struct kmm *k)
{
	struct kmm *prev;

	pthread_mutex_lock(&kmm_boot_lock);
	prev = kmm_global;
	kmm_set_machine_globals(k);
	pthread_mutex_unlock(&kmm_boot_lock);
	return prev;
}
