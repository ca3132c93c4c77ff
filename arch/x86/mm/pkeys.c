/*
 * arch/x86/mm/pkeys.c - protection keys: which key a mapping gets, the
 * keys an address space has allocated, and the PKRU checks of the fault
 * handler and get_user_pages (Linux's arch/x86/mm/pkeys.c and
 * arch/x86/include/asm/pkeys.h; see pkeys.h for the mechanism).
 *
 * The "current thread" of an address space is its owner: a simulated
 * process has one thread, whose PKRU is task_struct.pkru.
 */
#include <errno.h>
#include <kmm/mman.h>
#include "base/machine.h"
#include "arch/x86/mm/pkeys.h"

bool arch_pkeys_enabled(void)
{
	return kmm_cur()->cfg.pku == KMM_PKU_ON;
}

int arch_max_pkey(void)
{
	return arch_pkeys_enabled() ? 16 : 1;
}

/* Without OSPKE the context stays zero: not even key 0 is "allocated". */
void mm_pkeys_init(struct mm_struct *mm)
{
	if (!arch_pkeys_enabled())
		return;
	mm->context.pkey_allocation_map = 0x1;
	mm->context.execute_only_pkey = -1;
}

void arch_dup_pkeys(const struct mm_struct *oldmm, struct mm_struct *mm)
{
	mm->context = oldmm->context;
}

bool mm_pkey_is_allocated(const struct mm_struct *mm, int pkey)
{
	if (pkey < 0 || pkey >= arch_max_pkey())
		return false;
	/* The execute-only key is taken, but no system call may name it. */
	if (pkey == mm->context.execute_only_pkey)
		return false;
	return mm->context.pkey_allocation_map & (1u << pkey);
}

int mm_pkey_alloc(struct mm_struct *mm)
{
	unsigned int all = (1u << arch_max_pkey()) - 1, map = mm->context.pkey_allocation_map;
	int pkey;

	if (!arch_pkeys_enabled() || map == all)
		return -1;
	pkey = __builtin_ctz(~map);
	mm->context.pkey_allocation_map = (unsigned short)(map | 1u << pkey);
	return pkey;
}

int mm_pkey_free(struct mm_struct *mm, int pkey)
{
	if (!mm_pkey_is_allocated(mm, pkey))
		return -EINVAL;
	mm->context.pkey_allocation_map &= (unsigned short)~(1u << pkey);
	return 0;
}

int arch_set_user_pkey_access(struct task_struct *t, int pkey, unsigned long init_val)
{
	unsigned int shift = (unsigned int)pkey * PKRU_BITS_PER_PKEY, bits = 0;

	if (!arch_pkeys_enabled() || pkey < 0 || pkey >= arch_max_pkey())
		return -EINVAL;
	if (init_val & PKEY_DISABLE_ACCESS)
		bits |= PKRU_AD_BIT;
	if (init_val & PKEY_DISABLE_WRITE)
		bits |= PKRU_WD_BIT;
	t->pkru = (t->pkru & ~((PKRU_AD_BIT | PKRU_WD_BIT) << shift)) | bits << shift;
	return 0;
}

/*
 * Linux's __execute_only_pkey: the first PROT_EXEC-only mapping of an
 * address space allocates a key and denies data access to it in PKRU;
 * later ones reuse it (setting the AD bit again if it was cleared).
 */
int execute_only_pkey(struct mm_struct *mm)
{
	int pkey = mm->context.execute_only_pkey;
	bool new_key = false;

	if (!arch_pkeys_enabled())
		return ARCH_DEFAULT_PKEY;
	if (pkey == -1) {
		pkey = mm_pkey_alloc(mm);
		if (pkey < 0)
			return -1;
		new_key = true;
	}
	if (!new_key && mm->owner && !pkru_allows_pkey(mm->owner->pkru, pkey, false))
		return pkey;
	if (mm->owner)
		arch_set_user_pkey_access(mm->owner, pkey, PKEY_DISABLE_ACCESS);
	mm->context.execute_only_pkey = (short)pkey;
	return pkey;
}

/* Does v use the execute-only key for an execute-only protection? */
static bool vma_is_pkey_exec_only(const struct vm_area_struct *v)
{
	if ((v->vm_flags & VM_ACCESS_FLAGS) != VM_EXEC)
		return false;
	return vma_pkey(v) == v->vm_mm->context.execute_only_pkey;
}

int arch_override_mprotect_pkey(struct vm_area_struct *v, unsigned long prot, int pkey)
{
	if (!arch_pkeys_enabled())
		return 0;
	if (pkey != -1)
		return pkey;		/* pkey_mprotect: the caller's key */
	if (prot == PROT_EXEC) {
		pkey = execute_only_pkey(v->vm_mm);
		if (pkey > 0)
			return pkey;
	} else if (vma_is_pkey_exec_only(v)) {
		return ARCH_DEFAULT_PKEY;	/* no longer execute-only */
	}
	return vma_pkey(v);
}

bool arch_vma_access_permitted(const struct vm_area_struct *v, bool write, bool execute,
			       bool foreign)
{
	struct task_struct *t = v->vm_mm->owner;

	if (!arch_pkeys_enabled() || execute || foreign || !t)
		return true;
	return pkru_allows_pkey(t->pkru, vma_pkey(v), write);
}
