/*
 * arch/x86/mm/pkeys.h - x86 memory protection keys (PKU), as Linux's
 * arch/x86/include/asm/pkeys.h and arch/x86/mm/pkeys.c.
 *
 * A key (0..15) lives in four bits of every user PTE and of the VMA's
 * vm_flags (VM_PKEY_BIT0..3); the thread's PKRU register holds two bits a
 * key: AD (access disable) and WD (write disable).  The CPU checks PKRU
 * on every data access to a user page, never on an instruction fetch.
 * Linux uses one key per address space to make PROT_EXEC-only mappings
 * really execute-only: the key's AD bit is set, so loads and stores fault
 * (SEGV_PKUERR) while code still runs.  With `boot pku=off` (a CPU
 * without OSPKE) every key is 0, pkey_alloc answers ENOSPC and PROT_EXEC
 * stays readable, as x86 page tables cannot express execute-only.
 */
#ifndef KMM_ARCH_X86_MM_PKEYS_H
#define KMM_ARCH_X86_MM_PKEYS_H

#include <stdbool.h>
#include <kmm/mm.h>
#include <kmm/sched.h>
#include <kmm/pgtable.h>

#define ARCH_DEFAULT_PKEY	0
#define PKEY_DISABLE_ACCESS	0x1
#define PKEY_DISABLE_WRITE	0x2
#define PKEY_ACCESS_MASK	(PKEY_DISABLE_ACCESS | PKEY_DISABLE_WRITE)
/* PKRU after exec: every key but 0 access-disabled (Linux's init_pkru_value). */
#define INIT_PKRU_VALUE		0x55555554u

/* The protection key of a VMA (0 on a CPU without them). */
static inline int vma_pkey(const struct vm_area_struct *v)
{
	return (int)((v->vm_flags & ARCH_VM_PKEY_FLAGS) >> VM_PKEY_SHIFT);
}

/* Does this machine's CPU have OSPKE (boot pku=on)? */
bool arch_pkeys_enabled(void);
/* 16 with protection keys, 1 (key 0 only) without. */
int arch_max_pkey(void);

/* A new address space: key 0 taken, no execute-only key (init_new_context). */
void mm_pkeys_init(struct mm_struct *mm);
/* fork: the child has the parent's keys (arch_dup_pkeys). */
void arch_dup_pkeys(const struct mm_struct *oldmm, struct mm_struct *mm);

bool mm_pkey_is_allocated(const struct mm_struct *mm, int pkey);
/* The lowest free key, or -1 (none left, or no PKU). */
int mm_pkey_alloc(struct mm_struct *mm);
/* 0, or -EINVAL for a key that was not allocated by pkey_alloc. */
int mm_pkey_free(struct mm_struct *mm, int pkey);
/* Sets pkey's PKRU bits of t from PKEY_DISABLE_*; 0 or -EINVAL. */
int arch_set_user_pkey_access(struct task_struct *t, int pkey, unsigned long init_val);

/* The key for a PROT_EXEC-only mapping of mm, allocated on first use
 * (0 without PKU; -1 if every key is taken). */
int execute_only_pkey(struct mm_struct *mm);
/* The key a plain mprotect (pkey -1) or pkey_mprotect gives v for prot. */
int arch_override_mprotect_pkey(struct vm_area_struct *v, unsigned long prot, int pkey);
/*
 * May the current thread of v's mm access v (pkeys only: execute is
 * always allowed, foreign accesses too)?  The fault handler's and
 * get_user_pages' check (arch_vma_access_permitted).
 */
bool arch_vma_access_permitted(const struct vm_area_struct *v, bool write, bool execute,
			       bool foreign);

#endif
