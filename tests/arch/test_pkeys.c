/*
 * tests/arch/test_pkeys.c - x86 protection keys (arch/x86/mm/pkeys.c,
 * mm/mprotect.c's pkey calls, the CPU's PKRU check in hw/cpu.c), on a
 * machine booted pku=on and one booted pku=off, whatever the host has.
 * The rules are Linux 6.18's; tests/sim/test_*_host.c compare them with
 * the host kernel where it has PKU.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <kmm/sched.h>
#include "mm/internal.h"
#include "mm/mmap.h"
#include "mm/memory.h"
#include "mm/vma.h"
#include "arch/x86/mm/fault.h"
#include "arch/x86/mm/pkeys.h"
#include "tests/harness.h"
#include "tests/kmm_test.h"

#define PG 4096ul
#define BASE 0x10000000ul

static struct kmm *boot(int pku)
{
	struct kmm_config cfg = { .mem = 128ul << 20, .cpus = 1, .quiet = 1, .norandmaps = 1,
				  .pku = pku };
	struct kmm *k = kmm_boot(&cfg);

	capture_reports();
	return k;
}

static int touch(struct task_struct *t, unsigned long addr, unsigned int access,
		 struct kmm_siginfo *si)
{
	phys_addr_t phys;

	memset(si, 0, sizeof(*si));
	return user_access(t, addr, access, &phys, si);
}

static long map(struct task_struct *t, unsigned long addr, unsigned long len, unsigned long prot)
{
	return do_mmap(t->mm, addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
}

static struct vm_area_struct *vma(struct task_struct *t, unsigned long addr)
{
	return vma_lookup(t->mm, addr);
}

TEST(exec_only_mappings_take_the_execute_only_key)
{
	struct kmm *k = boot(KMM_PKU_ON);
	struct kmm_siginfo si;
	struct task_struct *p;
	unsigned long flt;
	int err;

	p = kernel_spawn("cat", &err);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(p->mm->context.execute_only_pkey, -1);
	ASSERT_EQ(map(p, BASE, 2 * PG, PROT_EXEC), (long)BASE);
	/* Key 1 on a fresh process, access-disabled in PKRU. */
	ASSERT_EQ(vma_pkey(vma(p, BASE)), 1);
	ASSERT_EQ(p->mm->context.execute_only_pkey, 1);
	ASSERT_FALSE(pkru_allows_pkey(p->pkru, 1, 0));
	/* PROT_EXEC|PROT_SEM is not "exactly PROT_EXEC": key 0. */
	ASSERT_EQ(map(p, BASE + 2 * PG, PG, PROT_EXEC | PROT_SEM), (long)(BASE + 2 * PG));
	ASSERT_EQ(vma_pkey(vma(p, BASE + 2 * PG)), 0);
	/* Same protection, other key: two VMAs. */
	ASSERT_TRUE(vma(p, BASE) != vma(p, BASE + 2 * PG));

	/* Data accesses fault with SEGV_PKUERR and map nothing; a fetch works. */
	flt = p->min_flt;
	ASSERT_EQ(touch(p, BASE, 0, &si), SIGSEGV);
	ASSERT_EQ(si.code, SEGV_PKUERR);
	ASSERT_EQ(si.pkey, 1);
	ASSERT_EQ(si.addr, BASE);
	ASSERT_EQ(touch(p, BASE + PG + 8, PF_WRITE, &si), SIGSEGV);
	ASSERT_EQ(si.code, SEGV_PKUERR);
	ASSERT_EQ(si.addr, BASE + PG);
	ASSERT_EQ(p->min_flt, flt);
	ASSERT_EQ(touch(p, BASE, PF_INSTR, &si), 0);
	ASSERT_EQ(p->min_flt, flt + 1);
	/* Mapped now and in the TLB: the CPU still refuses a load (PF_PK). */
	ASSERT_EQ(touch(p, BASE, 0, &si), SIGSEGV);
	ASSERT_EQ(si.code, SEGV_PKUERR);
	ASSERT_EQ(p->min_flt, flt + 1);
	/* The key-0 neighbour is readable, as x86 without keys. */
	ASSERT_EQ(touch(p, BASE + 2 * PG, 0, &si), 0);

	/* mprotect to anything else goes back to key 0 and merges... */
	ASSERT_EQ(do_mprotect(p->mm, BASE, 2 * PG, PROT_READ | PROT_EXEC), 0);
	ASSERT_EQ(vma_pkey(vma(p, BASE)), 0);
	ASSERT_EQ(touch(p, BASE, 0, &si), 0);	/* the PTE lost its key too */
	/* ...and to PROT_EXEC takes the same key again, splitting. */
	ASSERT_EQ(do_mprotect(p->mm, BASE + PG, PG, PROT_EXEC), 0);
	ASSERT_EQ(vma_pkey(vma(p, BASE + PG)), 1);
	ASSERT_EQ(vma_pkey(vma(p, BASE)), 0);
	ASSERT_EQ(touch(p, BASE + PG, 0, &si), SIGSEGV);
	ASSERT_EQ(si.code, SEGV_PKUERR);
	kmm_shutdown(k);
}

TEST(populate_and_mlock_of_exec_only_memory)
{
	struct kmm *k = boot(KMM_PKU_ON);
	struct task_struct *p;
	unsigned long locked, flt, anon;
	int err;

	p = kernel_spawn("cat", &err);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(map(p, BASE, 4 * PG, PROT_EXEC), (long)BASE);
	locked = p->mm->locked_vm;
	flt = p->min_flt;
	anon = p->mm->rss_stat[MM_ANONPAGES];
	/* mlock sets VM_LOCKED and charges it, then populate fails: ENOMEM. */
	ASSERT_EQ(do_mlock(p->mm, BASE, 4 * PG, VM_LOCKED), -ENOMEM);
	ASSERT_TRUE(vma(p, BASE)->vm_flags & VM_LOCKED);
	ASSERT_EQ(p->mm->locked_vm, locked + 4);
	ASSERT_EQ(p->min_flt, flt);
	ASSERT_EQ(do_munlock(p->mm, BASE, 4 * PG), 0);
	/* MLOCK_ONFAULT faults nothing, so it succeeds. */
	ASSERT_EQ(do_mlock2(p->mm, BASE, 4 * PG, MLOCK_ONFAULT), 0);
	/* MAP_POPULATE and MAP_LOCKED succeed and fault nothing in. */
	ASSERT_EQ(do_mmap(p->mm, BASE + 8 * PG, 4 * PG, PROT_EXEC,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE),
		  (long)(BASE + 8 * PG));
	ASSERT_EQ(do_mmap(p->mm, BASE + 16 * PG, 4 * PG, PROT_EXEC,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_LOCKED),
		  (long)(BASE + 16 * PG));
	ASSERT_EQ(p->min_flt, flt);
	ASSERT_EQ(p->mm->rss_stat[MM_ANONPAGES], anon);
	kmm_shutdown(k);
}

TEST(pkey_alloc_free_and_pkey_mprotect)
{
	struct kmm *k = boot(KMM_PKU_ON);
	struct kmm_siginfo si;
	struct task_struct *p, *c;
	long key;
	int err, i;

	p = kernel_spawn("cat", &err);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(sys_pkey_alloc(p, 1, 0), -EINVAL);		/* no flags exist */
	ASSERT_EQ(sys_pkey_alloc(p, 0, 4), -EINVAL);		/* unknown rights */
	key = sys_pkey_alloc(p, 0, PKEY_DISABLE_WRITE);
	ASSERT_EQ(key, 1);
	ASSERT_EQ(map(p, BASE, 2 * PG, PROT_READ | PROT_WRITE), (long)BASE);
	ASSERT_EQ(do_mprotect_pkey(p->mm, BASE, PG, PROT_READ | PROT_WRITE, (int)key), 0);
	ASSERT_EQ(vma_pkey(vma(p, BASE)), 1);
	/* The key forbids writes even where the VMA allows them... */
	ASSERT_EQ(touch(p, BASE, PF_WRITE, &si), SIGSEGV);
	ASSERT_EQ(si.code, SEGV_PKUERR);
	ASSERT_EQ(si.pkey, 1);
	ASSERT_EQ(touch(p, BASE, 0, &si), 0);
	/* ...and a write fault on the mapped read-only page says PKUERR too. */
	ASSERT_EQ(touch(p, BASE, PF_WRITE, &si), SIGSEGV);
	ASSERT_EQ(si.code, SEGV_PKUERR);
	ASSERT_EQ(touch(p, BASE + PG, PF_WRITE, &si), 0);	/* key 0 */
	/* Populating for writing refuses the key: MADV_POPULATE_WRITE EINVAL. */
	ASSERT_EQ(do_madvise(p->mm, BASE, PG, 23 /* MADV_POPULATE_WRITE */), -EINVAL);
	ASSERT_EQ(do_madvise(p->mm, BASE, PG, 22 /* MADV_POPULATE_READ */), 0);

	/* A key that was not allocated, or the execute-only one, is EINVAL. */
	ASSERT_EQ(do_mprotect_pkey(p->mm, BASE, PG, PROT_READ, 5), -EINVAL);
	ASSERT_EQ(do_mprotect_pkey(p->mm, BASE, PG, PROT_READ, 16), -EINVAL);
	ASSERT_EQ(do_mprotect_pkey(p->mm, BASE, PG, PROT_READ, -2), -EINVAL);
	ASSERT_EQ(map(p, BASE + 4 * PG, PG, PROT_EXEC), (long)(BASE + 4 * PG));
	ASSERT_EQ(p->mm->context.execute_only_pkey, 2);		/* 1 was taken */
	ASSERT_EQ(sys_pkey_free(p, 2), -EINVAL);
	ASSERT_EQ(do_mprotect_pkey(p->mm, BASE, PG, PROT_READ, 2), -EINVAL);
	ASSERT_EQ(sys_pkey_free(p, 0), 0);	/* key 0 can be freed, as Linux lets it */
	ASSERT_EQ(sys_pkey_free(p, 0), -EINVAL);
	ASSERT_EQ(sys_pkey_alloc(p, 0, 0), 0);

	/* 16 keys: 0, 1, the execute-only 2, then 3..15, then ENOSPC. */
	for (i = 3; i < 16; i++)
		ASSERT_EQ(sys_pkey_alloc(p, 0, 0), i);
	ASSERT_EQ(sys_pkey_alloc(p, 0, 0), -ENOSPC);
	ASSERT_EQ(sys_pkey_free(p, 7), 0);
	ASSERT_EQ(sys_pkey_alloc(p, 0, PKEY_DISABLE_ACCESS), 7);

	/* fork: the child has the keys, the PKRU and the VMAs' keys. */
	c = kernel_fork(p, &err);
	ASSERT_NOT_NULL(c);
	ASSERT_EQ(c->pkru, p->pkru);
	ASSERT_EQ(c->mm->context.pkey_allocation_map, p->mm->context.pkey_allocation_map);
	ASSERT_EQ(c->mm->context.execute_only_pkey, 2);
	ASSERT_EQ(vma_pkey(vma(c, BASE)), 1);
	ASSERT_EQ(touch(c, BASE, PF_WRITE, &si), SIGSEGV);
	ASSERT_EQ(si.code, SEGV_PKUERR);
	ASSERT_EQ(sys_pkey_alloc(c, 0, 0), -ENOSPC);
	/* exec: a fresh address space with key 0 only, PKRU reset. */
	ASSERT_EQ(kernel_execve(c, "cat"), 0);
	ASSERT_EQ(c->pkru, INIT_PKRU_VALUE);
	ASSERT_EQ(c->mm->context.pkey_allocation_map, 1);
	ASSERT_EQ(sys_pkey_alloc(c, 0, 0), 1);
	kmm_shutdown(k);
}

TEST(without_pku_exec_only_is_readable)
{
	struct kmm *k = boot(KMM_PKU_OFF);
	struct kmm_siginfo si;
	struct task_struct *p;
	char buf[8192];
	int err;

	p = kernel_spawn("cat", &err);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(map(p, BASE, 2 * PG, PROT_EXEC), (long)BASE);
	ASSERT_EQ(vma_pkey(vma(p, BASE)), 0);
	ASSERT_EQ(touch(p, BASE, 0, &si), 0);
	ASSERT_EQ(touch(p, BASE, PF_WRITE, &si), SIGSEGV);
	ASSERT_EQ(si.code, SEGV_ACCERR);
	ASSERT_EQ(do_mlock(p->mm, BASE, 2 * PG, VM_LOCKED), 0);
	ASSERT_EQ(sys_pkey_alloc(p, 0, 0), -ENOSPC);
	ASSERT_EQ(sys_pkey_free(p, 1), -EINVAL);
	ASSERT_EQ(sys_pkey_free(p, 0), -EINVAL);
	ASSERT_EQ(do_mprotect_pkey(p->mm, BASE, PG, PROT_READ, 0), -EINVAL);
	ASSERT_EQ(do_mprotect_pkey(p->mm, BASE, PG, PROT_READ, -1), 0);
	/* smaps prints no ProtectionKey line without keys. */
	{
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/smaps", p->pid);
		ASSERT_TRUE(kmm_proc_read(path, buf, sizeof(buf)) > 0);
		ASSERT_TRUE(strstr(buf, "ProtectionKey:") == NULL);
	}
	kmm_shutdown(k);
}

TEST(smaps_prints_the_key)
{
	struct kmm *k = boot(KMM_PKU_ON);
	struct task_struct *p;
	static char buf[65536];
	char path[64], *line;
	int err;

	p = kernel_spawn("cat", &err);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(map(p, BASE, PG, PROT_EXEC), (long)BASE);
	snprintf(path, sizeof(path), "/proc/%d/smaps", p->pid);
	ASSERT_TRUE(kmm_proc_read(path, buf, sizeof(buf)) > 0);
	line = strstr(buf, "10000000-10001000 --xp");
	ASSERT_NOT_NULL(line);
	line = strstr(line, "THPeligible:");
	ASSERT_NOT_NULL(line);
	ASSERT_CONTAINS(line, "THPeligible:           0\nProtectionKey:         1\nVmFlags: ex mr mw me");
	kmm_shutdown(k);
}

int main(void)
{
	RUN_TEST(exec_only_mappings_take_the_execute_only_key);
	RUN_TEST(populate_and_mlock_of_exec_only_memory);
	RUN_TEST(pkey_alloc_free_and_pkey_mprotect);
	RUN_TEST(without_pku_exec_only_is_readable);
	RUN_TEST(smaps_prints_the_key);
	return harness_summary();
}
