/*
 * mm/rmap.c - reverse mapping: from a page back to every PTE that maps it,
 * which reclaim, migration and KSM need (Linux's mm/rmap.c).
 *
 * Anonymous pages point to an anon_vma (page->mapping | PAGE_MAPPING_ANON,
 * page->index their linear index).  Each VMA with anonymous memory owns
 * one; fork gives the child's VMA an anon_vma of its own whose parent is
 * the parent's, so a page the parent made (and shares copy-on-write) is
 * found through the parent's anon_vma in the child too: a walk visits the
 * owners of the page's anon_vma and of all its descendants.  File and
 * shmem pages are found through their address_space's list of mapping
 * VMAs (i_mmap).  Linux keeps anon_vma_chain objects and an interval tree
 * for this; kmm keeps lists, walked in full.
 *
 * When a VMA gets its anon_vma matters to what users see: at its first
 * write fault, reusing an adjacent VMA's when the two could be one but for
 * their protections (find_mergeable_anon_vma).  Whether a VMA has one
 * decides what it may merge with, whether mprotect drops its VM_ACCOUNT
 * and whether a mremap move keeps its pgoff.
 *
 * Lifetime: an anon_vma lives while a VMA owns it or a child anon_vma
 * descends from it (pages mapped somewhere are always under such a VMA).
 */
#include "mm/slab.h"
#include "mm/vma.h"
#include "mm/mmap.h"
#include "mm/memory.h"

struct anon_vma {
	struct anon_vma *parent;	/* the anon_vma it was forked from */
	struct anon_vma *children;	/* forked from it */
	struct anon_vma *sibling;	/* next child of parent */
	struct vm_area_struct *vmas;	/* its owners, by vm_area_struct.anon_next */
	unsigned int nr_vmas;
	bool forked;			/* made by fork: its VMA's chain is not
					 * singular, so it only merges with the
					 * same anon_vma */
};

/* Could a and b (a just below b) share an anon_vma? */
static bool anon_vma_compatible(const struct vm_area_struct *a,
				const struct vm_area_struct *b)
{
	return a->vm_end == b->vm_start && a->vm_file == b->vm_file &&
	       !((a->vm_flags ^ b->vm_flags) & ~(VM_ACCESS_FLAGS | VM_SOFTDIRTY)) &&
	       b->vm_pgoff == a->vm_pgoff + ((b->vm_start - a->vm_start) >> PAGE_SHIFT);
}

/*
 * A neighbour's anon_vma is reused only if its chain is singular
 * (reusable_anon_vma): one made by fork hangs below the parent's, and
 * sharing it would tie unrelated VMAs into that chain.
 */
static struct anon_vma *find_mergeable_anon_vma(struct vm_area_struct *v)
{
	struct vm_area_struct *n = v->vm_next, *p = v->vm_prev;

	if (n && n->anon_vma && anon_vma_chain_singular(n->anon_vma) && anon_vma_compatible(v, n))
		return n->anon_vma;
	if (p && p->anon_vma && anon_vma_chain_singular(p->anon_vma) && anon_vma_compatible(p, v))
		return p->anon_vma;
	return NULL;
}

/* Frees av if nothing holds it any more, then its parent likewise. */
static void anon_vma_maybe_free(struct anon_vma *av)
{
	while (av && !av->nr_vmas && !av->children) {
		struct anon_vma *parent = av->parent, **pp;

		if (parent) {
			for (pp = &parent->children; *pp != av; pp = &(*pp)->sibling)
				;
			*pp = av->sibling;
		}
		kfree(av);
		av = parent;
	}
}

/* ---- registration: which VMAs a walk visits --------------------------- */

void rmap_vma_link(struct vm_area_struct *v)
{
	v->rmap_av = v->anon_vma;
	v->rmap_file = v->vm_file;
	if (v->rmap_av) {
		v->anon_next = v->rmap_av->vmas;
		v->rmap_av->vmas = v;
		v->rmap_av->nr_vmas++;
	}
	if (v->rmap_file) {
		struct address_space *as = &v->rmap_file->f_inode->i_data;

		v->i_mmap_next = as->i_mmap;
		as->i_mmap = v;
	}
	v->rmap_linked = true;
}

void rmap_vma_unlink(struct vm_area_struct *v)
{
	struct vm_area_struct **pp;

	if (!v->rmap_linked)
		return;
	if (v->rmap_av) {
		for (pp = &v->rmap_av->vmas; *pp != v; pp = &(*pp)->anon_next)
			;
		*pp = v->anon_next;
		v->rmap_av->nr_vmas--;	/* freed with the VMA, if it was the last */
	}
	if (v->rmap_file) {
		for (pp = &v->rmap_file->f_inode->i_data.i_mmap; *pp != v; pp = &(*pp)->i_mmap_next)
			;
		*pp = v->i_mmap_next;
	}
	v->rmap_av = NULL;
	v->rmap_file = NULL;
	v->rmap_linked = false;
}

/* A VMA in its tree takes (or drops, av NULL) an anon_vma. */
void vma_set_anon_vma(struct vm_area_struct *v, struct anon_vma *av)
{
	struct anon_vma *old = v->anon_vma;
	bool linked = v->rmap_linked;

	if (linked)
		rmap_vma_unlink(v);
	v->anon_vma = av;
	if (linked)
		rmap_vma_link(v);
	if (old != av)
		anon_vma_maybe_free(old);
}

static struct anon_vma *anon_vma_alloc(void)
{
	return kzalloc(sizeof(struct anon_vma), GFP_KERNEL);
}

int anon_vma_prepare(struct vm_area_struct *v)
{
	struct anon_vma *av;

	if (v->anon_vma)
		return 0;
	av = find_mergeable_anon_vma(v);
	if (!av) {
		av = anon_vma_alloc();
		if (!av)
			return -ENOMEM;
	}
	if (v->rmap_linked)
		vma_set_anon_vma(v, av);
	else
		v->anon_vma = av;	/* owned from its vma_link on */
	return 0;
}

int anon_vma_fork(struct vm_area_struct *dst, const struct vm_area_struct *src)
{
	struct anon_vma *av = anon_vma_alloc();

	if (!av)
		return -ENOMEM;
	av->forked = true;
	av->parent = src->anon_vma;
	av->sibling = av->parent->children;
	av->parent->children = av;
	dst->anon_vma = av;
	return 0;
}

/* A VMA out of its tree goes: an anon_vma nothing else holds goes too. */
void anon_vma_drop_unlinked(struct vm_area_struct *v)
{
	struct anon_vma *av = v->anon_vma;

	if (v->rmap_linked || !av)
		return;
	v->anon_vma = NULL;
	anon_vma_maybe_free(av);	/* if it was the last owner */
}

bool anon_vma_chain_singular(const struct anon_vma *av)
{
	return !av || !av->forked;
}

/* The oldest ancestor of av: a page shared across a fork maps there. */
struct anon_vma *anon_vma_root(struct anon_vma *av)
{
	while (av->parent)
		av = av->parent;
	return av;
}

/* ---- the walk ---------------------------------------------------------- */

/* Where v maps index, if it does, and whether that PTE maps page. */
static bool rmap_one(struct page *page, struct vm_area_struct *v,
		     int (*fn)(struct page *, struct vm_area_struct *, unsigned long, void *),
		     void *arg, int *ret)
{
	unsigned long addr;
	pte_t *pte;

	if (page->index < v->vm_pgoff)
		return false;
	addr = v->vm_start + ((page->index - v->vm_pgoff) << PAGE_SHIFT);
	if (addr >= v->vm_end || addr < v->vm_start)
		return false;
	pte = pte_lookup(v->vm_mm, addr);
	if (!pte || !pte_mapped(ptep_get(pte)) || pte_pfn(ptep_get(pte)) != page_to_pfn(page))
		return false;
	*ret = fn(page, v, addr, arg);
	return *ret != 0;
}

static bool walk_anon(struct anon_vma *av, struct page *page,
		      int (*fn)(struct page *, struct vm_area_struct *, unsigned long, void *),
		      void *arg, int *ret)
{
	struct vm_area_struct *v;
	struct anon_vma *c;

	for (v = av->vmas; v; v = v->anon_next)
		if (rmap_one(page, v, fn, arg, ret))
			return true;
	for (c = av->children; c; c = c->sibling)
		if (walk_anon(c, page, fn, arg, ret))
			return true;
	return false;
}

int rmap_walk(struct page *page,
	      int (*fn)(struct page *, struct vm_area_struct *, unsigned long, void *),
	      void *arg)
{
	unsigned long mapping = (unsigned long)page->mapping;
	int ret = 0;

	if (!mapping)
		return 0;
	if (mapping & 1) {
		walk_anon((struct anon_vma *)(mapping & ~1ul), page, fn, arg, &ret);
	} else {
		struct vm_area_struct *v;

		for (v = page->mapping->i_mmap; v; v = v->i_mmap_next)
			if (rmap_one(page, v, fn, arg, &ret))
				break;
	}
	return ret;
}

/* One PTE of page_mkclean: read-only and clean, the TLB told. */
static int mkclean_one(struct page *page, struct vm_area_struct *v, unsigned long addr,
		       void *arg)
{
	pte_t *pte = pte_lookup(v->vm_mm, addr), e = ptep_get(pte);
	int *cleaned = arg;

	(void)page;
	if (pte_write(e) || pte_dirty(e)) {
		set_pte(pte, pte_mkclean(pte_wrprotect(e)));
		flush_tlb_page(v->vm_mm, addr);
		(*cleaned)++;
	}
	return 0;
}

/*
 * folio_mkclean: before writeback, every shared mapping of a file page
 * loses write permission, so that a later store faults and marks the page
 * dirty again.  Returns the PTEs changed.
 */
int page_mkclean(struct page *page)
{
	struct vm_area_struct *v;
	int cleaned = 0, ret = 0;

	if (!page->mapping || ((unsigned long)page->mapping & 1))
		return 0;
	for (v = page->mapping->i_mmap; v; v = v->i_mmap_next)
		if (v->vm_flags & VM_SHARED)
			rmap_one(page, v, mkclean_one, &cleaned, &ret);
	return cleaned;
}
