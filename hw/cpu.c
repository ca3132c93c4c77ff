/*
 * hw/cpu.c - a CPU's memory access: the TLB first, the page walk on a
 * miss (filling the TLB), and the protection-key check a CPU with PKU
 * makes on every data access to a user page, hit or walk.  What it
 * refuses goes back to the caller as a page-fault error code.
 */
#include <stdlib.h>
#include "hw/cpu.h"

int hw_cpus_init(struct hw_cpus *c, unsigned int nr, const char *tlb_spec)
{
	struct tlb_config cfg;
	unsigned int i;

	tlb_config_default(&cfg);
	if (tlb_spec && tlb_spec[0] && tlb_config_parse(tlb_spec, &cfg, NULL, 0))
		tlb_config_default(&cfg);	/* checked at boot already */
	c->tlbs = calloc(nr, sizeof(*c->tlbs));
	c->cr3 = calloc(nr, sizeof(*c->cr3));
	if (!c->tlbs || !c->cr3)
		goto fail;
	for (i = 0; i < nr; i++)
		if (tlb_init(&c->tlbs[i], &cfg)) {
			while (i--)
				tlb_exit(&c->tlbs[i]);
			goto fail;
		}
	c->nr = nr;
	return 0;
fail:
	free(c->tlbs);
	free(c->cr3);
	c->tlbs = NULL;
	c->cr3 = NULL;
	return -1;
}

void hw_cpus_exit(struct hw_cpus *c)
{
	unsigned int i;

	if (!c->tlbs)
		return;
	for (i = 0; i < c->nr; i++)
		tlb_exit(&c->tlbs[i]);
	free(c->tlbs);
	free(c->cr3);
	c->tlbs = NULL;
	c->cr3 = NULL;
	c->nr = 0;
}

/*
 * The TLB permissions a walk found: writable and user only if every
 * level allows it, no-execute if any level forbids it, dirty from the
 * leaf (the walk of a write has just set it), and the leaf's key.
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

/* The walk after a TLB miss: fills the TLB, then the PKRU check. */
unsigned int cpu_access_walk(struct hw_cpus *c, int cpu, const struct cpu_context *ctx,
			     unsigned long addr, unsigned int access, phys_addr_t *phys)
{
	struct mmu_walk w;
	unsigned long leaf;
	unsigned int perm;
	int err;

	err = mmu_walk(ctx->pgd, addr, PF_USER | access, &w);
	if (err)
		return (unsigned int)err;
	leaf = w.entries[w.levels - 1];
	perm = walk_perm(&w);
	tlb_fill(&c->tlbs[cpu], addr & ~(w.page_size - 1), w.page_size,
		 (w.phys & ~(w.page_size - 1)) >> PAGE_SHIFT,
		 perm | (access & PF_INSTR ? TLB_FILL_ITLB : 0), ctx->pcid, leaf & _PAGE_GLOBAL);
	if (pkey_refused(ctx->pkru, perm, access))
		return pkey_error(access);
	*phys = w.phys;
	return 0;
}

/* A CR3 write first (another address space on this CPU), or a restart. */
unsigned int cpu_access_switch(struct hw_cpus *c, int cpu, const struct cpu_context *ctx,
			       unsigned long addr, unsigned int access, bool restart,
			       phys_addr_t *phys)
{
	struct tlb *tlb = &c->tlbs[cpu];
	struct tlb_result res;

	if (c->cr3[cpu] != ctx->pgd) {
		tlb_switch_mm(tlb, ctx->pcid);	/* a write to CR3 */
		c->cr3[cpu] = ctx->pgd;
	}
	if (!restart && tlb_lookup(tlb, addr, access | PF_USER, ctx->pcid, &res) != TLB_MISS) {
		if (unlikely(pkey_refused(ctx->pkru, res.perm, access)))
			return pkey_error(access);
		*phys = res.phys;
		return 0;
	}
	return cpu_access_walk(c, cpu, ctx, addr, access, phys);
}
