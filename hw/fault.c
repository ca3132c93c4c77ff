/*
 * hw/fault.c - the CPU side of a user access (arch/x86/mm/fault.c): the
 * MMU walks the page table; on a fault, do_user_addr_fault decides
 * between fixing the page (handle_mm_fault, then the access is retried)
 * and a signal:
 *   - no VMA at the address (or below a stack it cannot grow into):
 *     SIGSEGV, SEGV_MAPERR;
 *   - a data access its protection key forbids (PKRU; an execute-only
 *     mapping's key forbids all of them): SIGSEGV, SEGV_PKUERR, with the
 *     key in si_pkey; checked before the VMA's own permissions;
 *   - a VMA that does not allow the access (write to read-only, execute
 *     of non-executable, any access to PROT_NONE): SIGSEGV, SEGV_ACCERR;
 *   - a user access to a kernel address: SIGSEGV, SEGV_MAPERR;
 *   - a shared mapping past the end of its object: SIGBUS, BUS_ADRERR;
 *   - a non-canonical address is a general protection fault, not a page
 *     fault: SIGSEGV with si_code SI_KERNEL and no address.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/sched.h>
#include "mm/vma.h"
#include "mm/mmap.h"
#include "mm/memory.h"
#include "hw/tlb.h"
#include "arch/x86/mm/pkeys.h"

static int bad_area(struct kmm_siginfo *si, int signo, int code, unsigned long addr)
{
	si->signo = signo;
	si->code = code;
	si->addr = addr;
	return signo;
}

/*
 * The protection key refused it: the CPU said so (PF_PK), or the page
 * is not mapped yet and the VMA's key would not allow it either.
 */
static bool access_error_pkey(unsigned int error_code, const struct vm_area_struct *v)
{
	if (!arch_pkeys_enabled())
		return false;
	if (error_code & PF_PK)
		return true;
	return !arch_vma_access_permitted(v, error_code & PF_WRITE, error_code & PF_INSTR, false);
}

/* The VMA forbids this access (x86's access_error; keys are checked first). */
static bool access_error(unsigned int error_code, const struct vm_area_struct *v)
{
	if (error_code & PF_WRITE)
		return !(v->vm_flags & VM_WRITE);
	if (error_code & PF_INSTR)
		return !(v->vm_flags & VM_EXEC);
	if (error_code & PF_PROT)
		return true;		/* a present page refused a read */
	return !(v->vm_flags & VM_ACCESS_FLAGS);
}

int do_user_addr_fault(struct task_struct *t, unsigned long addr, unsigned int error_code,
		       struct kmm_siginfo *si)
{
	struct mm_struct *mm = t->mm;
	struct vm_area_struct *v;
	unsigned int flags = FAULT_FLAG_USER;
	vm_fault_t ret;

	if (addr >= TASK_SIZE)
		return bad_area(si, SIGSEGV, SEGV_MAPERR, addr);
	v = find_vma(mm, addr);
	if (!v)
		return bad_area(si, SIGSEGV, SEGV_MAPERR, addr);
	if (v->vm_start > addr) {
		if (!(v->vm_flags & VM_GROWSDOWN) || expand_stack(mm, v, addr))
			return bad_area(si, SIGSEGV, SEGV_MAPERR, addr);
	}
	if (access_error_pkey(error_code, v)) {
		si->pkey = vma_pkey(v);
		return bad_area(si, SIGSEGV, SEGV_PKUERR, addr);
	}
	if (access_error(error_code, v))
		return bad_area(si, SIGSEGV, SEGV_ACCERR, addr);
	if (error_code & PF_WRITE)
		flags |= FAULT_FLAG_WRITE;
	if (error_code & PF_INSTR)
		flags |= FAULT_FLAG_INSTRUCTION;
	ret = handle_mm_fault(v, addr, flags);
	if (ret & VM_FAULT_SIGBUS)
		return bad_area(si, SIGBUS, BUS_ADRERR, addr);
	if (ret & VM_FAULT_SIGSEGV)	/* a guard region: mm_fault_error's MAPERR */
		return bad_area(si, SIGSEGV, SEGV_MAPERR, addr);
	if (ret & VM_FAULT_OOM)
		return bad_area(si, SIGKILL, 0, addr);	/* the OOM killer's, later */
	return 0;
}

/* ---- the TLBs: one per simulated CPU -------------------------------- */

/* This CPU's TLB, made on the first user access of the machine. */
static struct tlb *cpu_tlb(struct kmm *k, int cpu)
{
	if (!k->tlbs) {
		struct tlb_config cfg;
		char err[160];
		unsigned int i;

		tlb_config_default(&cfg);
		if (k->cfg.tlb[0] && tlb_config_parse(k->cfg.tlb, &cfg, err, sizeof(err)))
			tlb_config_default(&cfg);	/* checked at boot already */
		k->tlbs = calloc(k->nr_cpus, sizeof(*k->tlbs));
		k->cpu_mm = calloc(k->nr_cpus, sizeof(*k->cpu_mm));
		if (!k->tlbs || !k->cpu_mm)
			abort();
		for (i = 0; i < k->nr_cpus; i++)
			if (tlb_init(&k->tlbs[i], &cfg))
				abort();
	}
	return &k->tlbs[cpu];
}

void tlb_machine_exit(struct kmm *k)
{
	unsigned int i;

	if (!k->tlbs)
		return;
	for (i = 0; i < k->nr_cpus; i++)
		tlb_exit(&k->tlbs[i]);
	free(k->tlbs);
	free(k->cpu_mm);
	k->tlbs = NULL;
	k->cpu_mm = NULL;
}

/* The CPU a simulated access runs on: the caller's, or CPU 0. */
static int access_cpu(struct kmm *k)
{
	int cpu = smp_processor_id_kmm(k);

	return cpu < 0 ? 0 : cpu;
}

/*
 * The TLB permissions a walk found: writable and user only if every
 * level allows it, no-execute if any level forbids it, dirty from the
 * leaf (the walk of a write has just set it).
 */
static unsigned int walk_perm(const struct mmu_walk *w)
{
	unsigned int perm = TLB_PERM_RW | TLB_PERM_USER;
	int l;

	for (l = 0; l < w->levels; l++) {
		if (!(w->entries[l] & _PAGE_RW))
			perm &= ~TLB_PERM_RW;
		if (!(w->entries[l] & _PAGE_USER))
			perm &= ~TLB_PERM_USER;
		if (w->entries[l] & _PAGE_NX)
			perm |= TLB_PERM_NX;
	}
	if (w->entries[w->levels - 1] & _PAGE_DIRTY)
		perm |= TLB_PERM_DIRTY;
	perm |= (unsigned int)((w->entries[w->levels - 1] & _PAGE_PKEY_MASK) >> _PAGE_PKEY_SHIFT)
		<< TLB_PERM_PKEY_SHIFT;
	return perm;
}

/*
 * The PKRU check the CPU makes on every data access to a user page, TLB
 * hit or not: the key of the translation against the thread's PKRU.
 * Instruction fetches are never checked.
 */
static bool pkey_refused(const struct task_struct *t, unsigned int perm, unsigned int access)
{
	if (access & PF_INSTR)
		return false;
	return !pkru_allows_pkey(t->pkru, (int)((perm & TLB_PERM_PKEY) >> TLB_PERM_PKEY_SHIFT),
				 access & PF_WRITE);
}

/* A protection-key fault: always a signal (access_error says so first). */
static int pkey_fault(struct task_struct *t, unsigned long addr, unsigned int access,
		      struct kmm_siginfo *si)
{
	int sig = do_user_addr_fault(t, addr, PF_PROT | PF_PK | PF_USER | access, si);

	si->addr &= PAGE_MASK;
	return sig ? sig : bad_area(si, SIGSEGV, SEGV_PKUERR, addr & PAGE_MASK);
}

int user_access(struct task_struct *t, unsigned long addr, unsigned int access,
		phys_addr_t *phys, struct kmm_siginfo *si)
{
	struct kmm *k = kmm_cur();
	int cpu = access_cpu(k), tries;
	struct tlb *tlb = cpu_tlb(k, cpu);
	struct tlb_result res;

	if (k->cpu_mm[cpu] != t->mm) {
		tlb_switch_mm(tlb, t->mm->pcid);	/* switch_mm: load CR3 */
		k->cpu_mm[cpu] = t->mm;
	}
	if (tlb_lookup(tlb, addr, access | PF_USER, t->mm->pcid, &res) != TLB_MISS) {
		if (unlikely(pkey_refused(t, res.perm, access)))
			return pkey_fault(t, addr, access, si);
		*phys = res.phys;
		return 0;
	}
	for (tries = 0; tries < 4; tries++) {
		struct mmu_walk w;
		int err = mmu_walk(t->mm->pgd, addr, PF_USER | access, &w);

		if (!err) {
			unsigned long leaf = w.entries[w.levels - 1];
			unsigned int perm = walk_perm(&w);

			tlb_fill(tlb, addr & ~(w.page_size - 1), w.page_size,
				 (w.phys & ~(w.page_size - 1)) >> PAGE_SHIFT,
				 perm | (access & PF_INSTR ? TLB_FILL_ITLB : 0),
				 t->mm->pcid, leaf & _PAGE_GLOBAL);
			if (pkey_refused(t, perm, access))
				return pkey_fault(t, addr, access, si);
			*phys = w.phys;
			return 0;
		}
		if (err & PF_NONCANONICAL)	/* a #GP, not a #PF: no address */
			return bad_area(si, SIGSEGV, SI_KERNEL, 0);
		err = do_user_addr_fault(t, addr, err & ~PF_FAULT, si);
		if (err) {
			si->addr &= PAGE_MASK;
			return err;
		}
	}
	/* A fault fixed that the walk still refuses: a kernel bug. */
	return bad_area(si, SIGSEGV, SEGV_ACCERR, addr & PAGE_MASK);
}

/*
 * The shootdown behind flush_tlb_page/range/mm: every CPU that may hold
 * entries of mm.  Without PCID only the CPU that has mm loaded can (a
 * switch flushed the others); with PCID entries stay tagged after a
 * switch, so every CPU is told.  Other CPUs count a remote flush.
 */
void flush_tlb_mm_range(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	struct kmm *k = kmm_cur();
	int me;
	unsigned int cpu;

	if (!k->tlbs)
		return;
	me = access_cpu(k);
	for (cpu = 0; cpu < k->nr_cpus; cpu++) {
		struct tlb *tlb = &k->tlbs[cpu];

		if (k->cpu_mm[cpu] != mm && !tlb->pcid_mask)
			continue;
		if ((int)cpu != me) {
			tlb_count(&k->tlbs[me], TLBSTAT_NR_TLB_REMOTE_FLUSH);
			tlb_count(tlb, TLBSTAT_NR_TLB_REMOTE_FLUSH_RECEIVED);
		}
		if (end == ~0ul)
			tlb_flush_mm(tlb, mm->pcid);
		else if (end - start == PAGE_SIZE)
			tlb_invlpg(tlb, start, mm->pcid);
		else
			tlb_flush_range(tlb, start, end, mm->pcid);
		if (end == ~0ul && k->cpu_mm[cpu] == mm)
			k->cpu_mm[cpu] = NULL;	/* it goes away */
	}
}

int user_copy(struct task_struct *t, unsigned long addr, void *buf, unsigned long len,
	      bool write, struct kmm_siginfo *si)
{
	unsigned char *p = buf;

	while (len) {
		unsigned long chunk = min(len, PAGE_SIZE - (addr & ~PAGE_MASK));
		phys_addr_t phys;
		int sig = user_access(t, addr, write ? PF_WRITE : 0, &phys, si);

		if (sig)
			return sig;
		if (write)
			memcpy(phys_to_virt(phys), p, chunk);
		else
			memcpy(p, phys_to_virt(phys), chunk);
		addr += chunk;
		p += chunk;
		len -= chunk;
	}
	return 0;
}

/* Every CPU's TLB counters added up, and the configuration in use. */
static void tlb_totals(struct kmm *k, unsigned long *sum, struct tlb_config *cfg)
{
	unsigned int cpu;

	memset(sum, 0, NR_TLB_STAT_ITEMS * sizeof(*sum));
	tlb_config_default(cfg);
	if (k->cfg.tlb[0])
		tlb_config_parse(k->cfg.tlb, cfg, NULL, 0);
	if (!k->tlbs)
		return;
	for (cpu = 0; cpu < k->nr_cpus; cpu++)
		tlb_stat_add(sum, &k->tlbs[cpu]);
	*cfg = k->tlbs[0].cfg;
}

/* /proc/tlbstat: "name value" lines, as /proc/vmstat prints its own. */
int tlb_proc_show(struct kmm *k, char *buf, size_t size)
{
	unsigned long sum[NR_TLB_STAT_ITEMS];
	struct tlb_config cfg;

	tlb_totals(k, sum, &cfg);
	return tlb_stat_format(sum, buf, size);
}

/* The `tlbstat` command: the geometry, then hits and misses per level. */
int tlbstat_show(struct kmm *k, char *buf, size_t size)
{
	unsigned long sum[NR_TLB_STAT_ITEMS];
	struct tlb_config cfg;

	tlb_totals(k, sum, &cfg);
	return tlbstat_format(&cfg, sum, buf, size);
}
