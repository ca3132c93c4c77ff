/*
 * include/kmm/mman.h - the Linux ABI's PROT_*, MAP_*, MREMAP_* and
 * MLOCK_* values, and what the mapping calls make of them (Linux's
 * include/linux/mman.h over its uapi).  The host's <sys/mman.h> has the
 * same values, so it is the base and this adds what an older libc lacks;
 * either header may come first.
 */
#ifndef KMM_MMAN_H
#define KMM_MMAN_H

#include <sys/mman.h>
#include <kmm/mm.h>

#ifndef PROT_SEM
#define PROT_SEM		0x8
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE	0x03
#endif
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED	0x4000000
#endif
#ifndef MAP_TYPE
#define MAP_TYPE		0x0f
#endif

#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE		1
#define MREMAP_FIXED		2
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT		1
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT		4
#endif

/* The vm_flags of PROT_* bits and a protection key (Linux's calc_vm_prot_bits). */
static inline unsigned long calc_vm_prot_bits(unsigned long prot, int pkey)
{
	return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) |
	       (prot & PROT_EXEC ? VM_EXEC : 0) |
	       ((unsigned long)pkey << VM_PKEY_SHIFT & ARCH_VM_PKEY_FLAGS);
}

/*
 * Committed address space (mm/util.c): charge and uncharge pages of
 * machine k's vm_committed_as, as Linux's vm_acct_memory and
 * vm_unacct_memory (the check is security_vm_enough_memory_mm).
 */
struct kmm;
/* vm.overcommit_memory */
#define OVERCOMMIT_GUESS	0
#define OVERCOMMIT_ALWAYS	1
#define OVERCOMMIT_NEVER	2
void vm_acct_memory(struct kmm *k, long pages);
void vm_unacct_memory(struct kmm *k, long pages);

#endif /* KMM_MMAN_H */
