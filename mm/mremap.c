/*
 * mm/mremap.c - mremap: shrink in place, grow in place, or move the
 * mapping (MREMAP_MAYMOVE, MREMAP_FIXED, MREMAP_DONTUNMAP), with the
 * checks in the order Linux 6.x makes them, since that order decides
 * which errno a bad call gets.  There are no page contents to carry yet:
 * a move re-homes the VMA; the page-fault issue will move the PTEs too.
 */
#include "mm/slab.h"
#include "mm/vma.h"
#include "mm/mmap.h"
#include "mm/memory.h"

struct remap {
	struct mm_struct *mm;
	struct vm_area_struct *vma;
	unsigned long addr, old_len, new_len, flags, new_addr;
};

static bool implies_new_addr(const struct remap *r)
{
	return r->flags & (MREMAP_FIXED | MREMAP_DONTUNMAP);
}

/* Linux 6.17+'s check_mremap_params, on page-aligned lengths. */
static long check_params(const struct remap *r)
{
	if (r->flags & ~(unsigned long)(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP))
		return -EINVAL;
	if (r->addr & ~PAGE_MASK)
		return -EINVAL;
	if (!r->new_len)
		return -EINVAL;		/* a zero old_len is legal, a zero new_len not */
	if (r->new_len > TASK_SIZE)
		return -EINVAL;
	if (!implies_new_addr(r))
		return 0;
	if (r->new_addr > TASK_SIZE - r->new_len)
		return -EINVAL;
	if (r->new_addr & ~PAGE_MASK)
		return -EINVAL;
	if (!(r->flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((r->flags & MREMAP_DONTUNMAP) && r->old_len != r->new_len)
		return -EINVAL;
	if (r->addr + r->old_len > r->new_addr && r->new_addr + r->new_len > r->addr)
		return -EINVAL;		/* source and target overlap */
	/* Both ends may split in three before anything is undone. */
	if (r->mm->map_count + 2 >= get_max_map_count() - 3)
		return -ENOMEM;
	return 0;
}

/* Can [addr, addr + old_len) of r->vma become new_len long? */
static long remap_is_valid(const struct remap *r)
{
	struct vm_area_struct *v = r->vma;
	unsigned long pgoff;

	if (!r->old_len && !(v->vm_flags & (VM_SHARED | VM_MAYSHARE)))
		return -EINVAL;		/* "duplicating" a private mapping */
	/* Never across a VMA boundary: what moves or grows must lie in one
	 * VMA (a shrink unmaps the tail first, so only new_len must). */
	if (min(r->old_len, r->new_len) > v->vm_end - r->addr)
		return -EFAULT;
	if (r->new_len <= r->old_len)
		return 0;
	pgoff = v->vm_pgoff + ((r->addr - v->vm_start) >> PAGE_SHIFT);
	if (pgoff + (r->new_len >> PAGE_SHIFT) < pgoff)
		return -EINVAL;
	if (!mlock_future_ok(r->mm, v->vm_flags, r->new_len - r->old_len))
		return -EAGAIN;
	if (!may_expand_vm(r->mm, v->vm_flags, (r->new_len - r->old_len) >> PAGE_SHIFT))
		return -ENOMEM;
	return 0;
}

static long set_new_addr(struct remap *r)
{
	struct vm_area_struct *v = r->vma;
	unsigned long pgoff = v->vm_pgoff + ((r->addr - v->vm_start) >> PAGE_SHIFT);
	unsigned long map_flags = (r->flags & MREMAP_FIXED ? MAP_FIXED : 0) |
				  (v->vm_flags & VM_MAYSHARE ? MAP_SHARED : 0);
	long res = get_unmapped_area(r->mm, v->vm_file, implies_new_addr(r) ? r->new_addr : 0,
				     r->new_len, pgoff, map_flags);

	if (res < 0)
		return res;
	r->new_addr = (unsigned long)res;
	return 0;
}

/* move_page_tables: the PTEs of [old, old + len) go to new (guard markers too). */
int move_page_tables(struct mm_struct *mm, unsigned long old, unsigned long new,
		     unsigned long len)
{
	unsigned long off;

	for (off = 0; off < len; off += PAGE_SIZE) {
		pte_t *src = pte_lookup(mm, old + off), *dst, e;

		if (!src) {
			off = (((old + off) & PMD_MASK) + PMD_SIZE) - old - PAGE_SIZE;
			continue;
		}
		e = ptep_get(src);
		if (!pte_mapped(e) && !pte_guard(e) && !pte_is_swapped(e))
			continue;
		dst = pte_alloc_map(mm, new + off);
		if (!dst)
			return -ENOMEM;
		pte_clear(src);
		set_pte(dst, e);
	}
	flush_tlb_range(mm, old, old + len);
	return 0;
}

/*
 * Re-home [addr, addr + old_len) at new_addr as a new_len mapping.  An
 * anonymous VMA that never faulted takes a pgoff matching its new place,
 * as copy_vma does, so it can merge with neighbours there; the old range
 * is unmapped unless MREMAP_DONTUNMAP, which leaves it mapped but drops
 * VM_LOCKED from the whole VMA it lies in (6.18 keeps VM_ACCOUNT: the old
 * range stays charged, as /proc/PID/smaps shows with "ac").
 */
static long move_vma(struct remap *r)
{
	struct mm_struct *mm = r->mm;
	struct vm_area_struct *old = r->vma, *n;
	unsigned long pgoff = old->vm_pgoff + ((r->addr - old->vm_start) >> PAGE_SHIFT);

	/* old may be merged away below: keep what is needed of it. */
	unsigned long old_flags = old->vm_flags;
	struct anon_vma *old_anon = old->anon_vma;
	long charged = 0;

	if (mm->map_count >= get_max_map_count() - 3)
		return -ENOMEM;
	/* An accounted mapping is charged for what it gains: all of the
	 * new range with DONTUNMAP (the old one keeps its charge and its
	 * VM_ACCOUNT), else the growth. */
	if (old->vm_flags & VM_ACCOUNT) {
		if (r->flags & MREMAP_DONTUNMAP)
			charged = (long)(r->new_len >> PAGE_SHIFT);
		else if (r->new_len > r->old_len)
			charged = (long)((r->new_len - r->old_len) >> PAGE_SHIFT);
		if (charged && security_vm_enough_memory_mm(mm, charged))
			return -ENOMEM;
	}
	if (!old->vm_file && !old->anon_vma)
		pgoff = r->new_addr >> PAGE_SHIFT;
	n = vm_area_alloc(mm);
	if (!n) {
		vm_unacct_memory(r->mm->kmm, charged);
		return -ENOMEM;
	}
	n->vm_start = r->new_addr;
	n->vm_end = r->new_addr + r->new_len;
	n->vm_flags = old->vm_flags;
	n->vm_page_prot = old->vm_page_prot;
	n->vm_pgoff = pgoff;
	n->vm_file = old->vm_file ? get_file(old->vm_file) : NULL;
	n->vm_special_name = old->vm_special_name;
	n->anon_vma = old->anon_vma;
	n->vm_maybe_guard = old->vm_maybe_guard;	/* the markers move too */
	vma_link(mm, n);
	if (move_page_tables(mm, r->addr, r->new_addr, min(r->old_len, r->new_len))) {
		/* Put back what moved; the caller sees ENOMEM, nothing changed. */
		move_page_tables(mm, r->new_addr, r->addr, min(r->old_len, r->new_len));
		vma_unlink(mm, n);
		vm_area_free(n);
		vm_unacct_memory(r->mm->kmm, charged);
		return -ENOMEM;
	}
	vm_stat_account(mm, n->vm_flags, (long)(r->new_len >> PAGE_SHIFT));
	if (n->vm_flags & VM_LOCKED)
		mm->locked_vm += r->new_len >> PAGE_SHIFT;
	n = vma_merge_neighbours(mm, n);
	/* The moved pages come along (with their anon_vma); a locked
	 * mapping that grew gets the rest faulted in. */
	if (old_anon && !n->anon_vma)
		vma_set_anon_vma(n, old_anon);
	if ((n->vm_flags & VM_LOCKED) && r->new_len > r->old_len)
		__mm_populate(mm, r->new_addr + r->old_len, r->new_len - r->old_len, true);
	if (r->flags & MREMAP_DONTUNMAP) {
		/* Cleared in place, with no re-merge, as Linux does. */
		old = vma_lookup(mm, r->addr);
		old->vm_flags &= ~VM_LOCKED_MASK;
		/* Its pages all went: an old VMA moved whole no longer
		 * needs its anon_vma (dontunmap_complete unlinks it). */
		if (old != n && old->vm_start == r->addr && old->vm_end == r->addr + r->old_len)
			vma_set_anon_vma(old, NULL);
	} else {
		/* The charge moves with the mapping: unmapping the source
		 * must not give it back. */
		if (old_flags & VM_ACCOUNT)
			vm_acct_memory(r->mm->kmm, (long)(r->old_len >> PAGE_SHIFT));
		do_munmap(mm, r->addr, r->old_len);
	}
	return (long)r->new_addr;
}

static long mremap_to(struct remap *r)
{
	long err;

	if (r->flags & MREMAP_FIXED) {
		err = do_munmap(r->mm, r->new_addr, r->new_len);
		if (err)
			return err;
		r->vma = vma_lookup(r->mm, r->addr);
		if (!r->vma)
			return -EFAULT;
	}
	if (r->old_len > r->new_len) {
		err = do_munmap(r->mm, r->addr + r->new_len, r->old_len - r->new_len);
		if (err)
			return err;
		r->vma = vma_lookup(r->mm, r->addr);
		if (!r->vma)
			return -EFAULT;
		r->old_len = r->new_len;
	}
	err = set_new_addr(r);
	return err ?: move_vma(r);
}

static bool vma_expandable(struct remap *r, unsigned long delta)
{
	struct vm_area_struct *v = r->vma;
	unsigned long end = v->vm_end + delta;

	if (end < v->vm_end)
		return false;
	if (find_vma_intersection(r->mm, v->vm_end, end))
		return false;
	return get_unmapped_area(r->mm, NULL, v->vm_start, end - v->vm_start, 0, MAP_FIXED) >= 0;
}

static long expand_vma(struct remap *r)
{
	unsigned long delta = r->new_len - r->old_len;
	long err;

	if (r->vma->vm_end - r->addr == r->old_len && vma_expandable(r, delta)) {
		struct vm_area_struct *v = r->vma;

		if ((v->vm_flags & VM_ACCOUNT) &&
		    security_vm_enough_memory_mm(r->mm, (long)(delta >> PAGE_SHIFT)))
			return -ENOMEM;

		vma_adjust_bounds(r->mm, v, v->vm_start, v->vm_end + delta);
		vm_stat_account(r->mm, v->vm_flags, (long)(delta >> PAGE_SHIFT));
		if (v->vm_flags & VM_LOCKED)
			r->mm->locked_vm += delta >> PAGE_SHIFT;
		v = vma_merge_extend(r->mm, v);
		if (v->vm_flags & VM_LOCKED)	/* a locked mapping stays populated */
			__mm_populate(r->mm, r->addr + r->old_len, delta, true);
		return (long)r->addr;
	}
	if (!(r->flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	err = set_new_addr(r);
	return err ?: move_vma(r);
}

/*
 * A same-size MREMAP_FIXED move may span several VMAs (Linux 6.17+):
 * each is moved in turn, keeping the gaps between them, so B lands at
 * A's new end plus the old A-B gap.  The range must start inside a VMA;
 * the answer is where the first one went.  Gaps at the target are left
 * as they were: only each VMA's own target range is unmapped.
 */
static long remap_move(struct remap *r)
{
	unsigned long start = r->addr, end = r->addr + r->old_len;
	unsigned long target = r->new_addr, last_end = 0, cur = start;
	struct vm_area_struct *v;
	long res = -EFAULT;
	bool seen = false;

	while (cur < end && (v = find_vma_intersection(r->mm, cur, end))) {
		unsigned long a = max(v->vm_start, start);
		unsigned long len = min(end, v->vm_end) - a;
		unsigned long gap = seen ? v->vm_start - last_end : 0;
		long moved;

		if (!seen && start < v->vm_start)
			return -EFAULT;
		last_end = v->vm_end;
		r->vma = v;
		r->addr = a;
		r->new_addr = target + gap;
		r->old_len = r->new_len = len;
		moved = remap_is_valid(r);
		moved = moved ?: mremap_to(r);
		if (moved < 0)
			return moved;
		if (!seen)
			res = moved;
		seen = true;
		target = (unsigned long)moved + len;
		cur = a + len;
	}
	return res;
}

long do_mremap(struct mm_struct *mm, unsigned long addr, unsigned long old_len,
	       unsigned long new_len, unsigned long flags, unsigned long new_addr)
{
	struct remap r = { mm, NULL, addr, PAGE_ALIGN(old_len), PAGE_ALIGN(new_len),
			   flags, new_addr };
	long err = check_params(&r);

	if (err)
		return err;
	if ((flags & MREMAP_FIXED) && r.old_len == r.new_len)
		return remap_move(&r);
	r.vma = vma_lookup(mm, addr);
	if (!r.vma)
		return -EFAULT;
	/* 6.17+ validates up front whenever new address space gets mapped,
	 * on the lengths as given: before a FIXED target is unmapped. */
	if (implies_new_addr(&r) || r.new_len > r.old_len) {
		err = remap_is_valid(&r);
		if (err)
			return err;
	}
	if (implies_new_addr(&r))
		return mremap_to(&r);
	if (r.new_len == r.old_len)
		return (long)addr;
	if (r.new_len < r.old_len) {
		err = do_munmap(mm, addr + r.new_len, r.old_len - r.new_len);
		return err ? err : (long)addr;
	}
	return expand_vma(&r);
}
