/*
 * mm/rmap.c - anon_vma, the object that will tie anonymous pages back to
 * the VMAs mapping them (reverse mapping, a later issue).  What exists
 * already is when a VMA gets one: at its first write fault (here: when a
 * writable range is populated), reusing an adjacent VMA's anon_vma when
 * the two could be one but for their protections, as Linux's
 * find_mergeable_anon_vma does.  Whether a VMA has one decides what it
 * may merge with, whether mprotect drops its VM_ACCOUNT and whether a
 * mremap move keeps its pgoff, all visible in /proc/PID/maps.
 */
#include "mm/slab.h"
#include "mm/vma.h"
#include "mm/mmap.h"

struct anon_vma {
	struct anon_vma *next_in_mm;	/* mm->anon_vmas, freed by mmput */
	bool forked;			/* chained to a parent's: its vma's chain
					 * is not singular, so it only merges
					 * with the same anon_vma */
};

/* Could a and b (a just below b) share an anon_vma? */
static bool anon_vma_compatible(const struct vm_area_struct *a,
				const struct vm_area_struct *b)
{
	return a->vm_end == b->vm_start && a->vm_file == b->vm_file &&
	       !((a->vm_flags ^ b->vm_flags) & ~(VM_ACCESS_FLAGS | VM_SOFTDIRTY)) &&
	       b->vm_pgoff == a->vm_pgoff + ((b->vm_start - a->vm_start) >> PAGE_SHIFT);
}

static struct anon_vma *find_mergeable_anon_vma(struct vm_area_struct *v)
{
	if (v->vm_next && v->vm_next->anon_vma && anon_vma_compatible(v, v->vm_next))
		return v->vm_next->anon_vma;
	if (v->vm_prev && v->vm_prev->anon_vma && anon_vma_compatible(v->vm_prev, v))
		return v->vm_prev->anon_vma;
	return NULL;
}

static struct anon_vma *anon_vma_alloc(struct mm_struct *mm)
{
	struct anon_vma *av = kzalloc(sizeof(*av), GFP_KERNEL);

	if (av) {
		av->next_in_mm = mm->anon_vmas;
		mm->anon_vmas = av;
	}
	return av;
}

int anon_vma_prepare(struct vm_area_struct *v)
{
	struct anon_vma *av;

	if (v->anon_vma)
		return 0;
	av = find_mergeable_anon_vma(v);
	if (!av) {
		av = anon_vma_alloc(v->vm_mm);
		if (!av)
			return -ENOMEM;
	}
	v->anon_vma = av;
	return 0;
}

int anon_vma_fork(struct vm_area_struct *dst, const struct vm_area_struct *src)
{
	struct anon_vma *av = anon_vma_alloc(dst->vm_mm);

	if (!av)
		return -ENOMEM;
	av->forked = true;
	dst->anon_vma = av;
	return 0;
}

bool anon_vma_chain_singular(const struct anon_vma *av)
{
	return !av || !av->forked;
}

void anon_vmas_free(struct mm_struct *mm)
{
	while (mm->anon_vmas) {
		struct anon_vma *av = mm->anon_vmas;

		mm->anon_vmas = av->next_in_mm;
		kfree(av);
	}
}
