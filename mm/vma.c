/*
 * mm/vma.c - the set of VMAs of an address space: an rbtree by address,
 * augmented with the largest free gap in each subtree, plus a sorted list.
 * Lookups (find_vma and friends), insertion and removal, splitting, and
 * the free-space searches get_unmapped_area is built on
 * (unmapped_area_topdown / unmapped_area: an rbtree walk as in Linux
 * 4.x-6.0, with the raw holes and the guard-gap rules of 6.x's maple
 * tree searches).  validate_mm checks every invariant.
 *
 * This is the data structure under the mmap system calls (issue 5); the
 * calls themselves come next.
 */
#include "mm/vma.h"

/*
 * The free hole just below vma: from the previous vma's end to vma's
 * start.  The hole is raw, as in Linux 6.x's maple tree: a stack's guard
 * gap counts as free here, and the searches below keep out of it (the
 * top-down one exactly as Linux does, with its retry).
 */
static inline unsigned long vma_compute_gap(const struct vm_area_struct *vma)
{
	unsigned long prev_end = vma->vm_prev ? vma->vm_prev->vm_end : 0;

	return vma->vm_start > prev_end ? vma->vm_start - prev_end : 0;
}

static unsigned long vma_compute_subtree_gap(struct vm_area_struct *vma)
{
	unsigned long max = vma_compute_gap(vma), g;

	if (vma->vm_rb.rb_left) {
		g = rb_entry(vma->vm_rb.rb_left, struct vm_area_struct, vm_rb)->rb_subtree_gap;
		if (g > max)
			max = g;
	}
	if (vma->vm_rb.rb_right) {
		g = rb_entry(vma->vm_rb.rb_right, struct vm_area_struct, vm_rb)->rb_subtree_gap;
		if (g > max)
			max = g;
	}
	return max;
}

RB_DECLARE_CALLBACKS_MAX(static, vma_gap_callbacks, struct vm_area_struct, vm_rb,
			 unsigned long, rb_subtree_gap, vma_compute_gap);

/*
 * Recomputes the gaps from vma up to the root, all the way: after a link
 * or unlink, rotations may have copied a subtree value computed with
 * vma's old gap into any of its ancestors, so stopping early at an
 * unchanged node would leave a stale one above it.
 */
static void vma_gap_update(struct vm_area_struct *vma)
{
	struct rb_node *n = &vma->vm_rb;

	while (n) {
		struct vm_area_struct *v = rb_entry(n, struct vm_area_struct, vm_rb);

		v->rb_subtree_gap = vma_compute_subtree_gap(v);
		n = rb_parent(n);
	}
}

struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	struct rb_node *n = mm->mm_rb.rb_node;
	struct vm_area_struct *found = NULL;

	while (n) {
		struct vm_area_struct *v = rb_entry(n, struct vm_area_struct, vm_rb);

		if (v->vm_end > addr) {
			found = v;
			if (v->vm_start <= addr)
				break;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return found;
}

struct vm_area_struct *find_vma_prev(struct mm_struct *mm, unsigned long addr,
				     struct vm_area_struct **pprev)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	if (vma) {
		*pprev = vma->vm_prev;
	} else {
		struct rb_node *last = rb_last(&mm->mm_rb);

		*pprev = last ? rb_entry(last, struct vm_area_struct, vm_rb) : NULL;
	}
	return vma;
}

struct vm_area_struct *find_vma_intersection(struct mm_struct *mm,
					     unsigned long start, unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start);

	return vma && vma->vm_start < end ? vma : NULL;
}

/* Links vma (which overlaps nothing) into the tree and the list. */
struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *v = find_vma(mm, addr);

	return v && v->vm_start <= addr ? v : NULL;
}

unsigned long vma_pages_with_flags(struct mm_struct *mm, unsigned long start,
				   unsigned long end, unsigned long flags)
{
	struct vm_area_struct *v;
	unsigned long bytes = 0;

	if (end <= start)
		return 0;
	for (v = find_vma(mm, start); v && v->vm_start < end; v = v->vm_next)
		if (v->vm_flags & flags)
			bytes += min(v->vm_end, end) - max(v->vm_start, start);
	return bytes >> PAGE_SHIFT;
}

void vma_link(struct mm_struct *mm, struct vm_area_struct *vma)
{
	/* A copied vm_area_struct carries its original's registration. */
	vma->rmap_linked = false;
	rmap_vma_link(vma);
	struct rb_node **link = &mm->mm_rb.rb_node, *parent = NULL;
	struct vm_area_struct *prev = NULL, *next;

	while (*link) {
		struct vm_area_struct *v = rb_entry(*link, struct vm_area_struct, vm_rb);

		parent = *link;
		if (vma->vm_start < v->vm_start) {
			link = &parent->rb_left;
		} else {
			prev = v;
			link = &parent->rb_right;
		}
	}
	next = prev ? prev->vm_next : mm->mmap;
	VM_BUG_ON_VMA(vma->vm_start >= vma->vm_end, vma);
	VM_BUG_ON_VMA(prev && prev->vm_end > vma->vm_start, vma);	/* overlaps */
	VM_BUG_ON_VMA(next && vma->vm_end > next->vm_start, vma);
	vma->vm_prev = prev;
	vma->vm_next = next;
	if (prev)
		prev->vm_next = vma;
	else
		mm->mmap = vma;
	if (next)
		next->vm_prev = vma;
	else
		mm->highest_vm_end = vma->vm_end;
	vma->vm_mm = mm;
	vma->rb_subtree_gap = vma_compute_gap(vma);
	rb_link_node(&vma->vm_rb, parent, link);
	if (parent)
		vma_gap_update(rb_entry(parent, struct vm_area_struct, vm_rb));
	rb_insert_augmented(&vma->vm_rb, &mm->mm_rb, &vma_gap_callbacks);
	if (next)
		vma_gap_update(next);	/* its gap now starts at vma's end */
	mm->map_count++;
}

void vma_unlink(struct mm_struct *mm, struct vm_area_struct *vma)
{
	rmap_vma_unlink(vma);
	struct vm_area_struct *prev = vma->vm_prev, *next = vma->vm_next;

	rb_erase_augmented(&vma->vm_rb, &mm->mm_rb, &vma_gap_callbacks);
	if (prev)
		prev->vm_next = next;
	else
		mm->mmap = next;
	if (next) {
		next->vm_prev = prev;
		vma_gap_update(next);	/* its gap grew to prev's end */
	} else {
		mm->highest_vm_end = prev ? prev->vm_end : 0;
	}
	vma->vm_next = vma->vm_prev = NULL;
	mm->map_count--;
}

/*
 * Changes vma's bounds in place (the caller keeps them clear of the
 * neighbours) and fixes every gap that depends on them.
 */
void vma_adjust_bounds(struct mm_struct *mm, struct vm_area_struct *vma,
		       unsigned long start, unsigned long end)
{
	VM_BUG_ON_VMA(start >= end || (start | end) & ~PAGE_MASK, vma);
	VM_BUG_ON_VMA(vma->vm_prev && vma->vm_prev->vm_end > start, vma);
	VM_BUG_ON_VMA(vma->vm_next && end > vma->vm_next->vm_start, vma);
	vma->vm_pgoff += (long)(start - vma->vm_start) >> PAGE_SHIFT;
	vma->vm_start = start;
	vma->vm_end = end;
	vma_gap_update(vma);
	if (vma->vm_next)
		vma_gap_update(vma->vm_next);
	else
		mm->highest_vm_end = end;
}

/*
 * Cuts vma at addr: vma keeps one side, new (a copy) gets the other
 * (below addr when new_below).  Returns 0, or -EINVAL for a bad cut.
 */
int __split_vma(struct mm_struct *mm, struct vm_area_struct *vma,
		struct vm_area_struct *new, unsigned long addr, int new_below)
{
	if (addr <= vma->vm_start || addr >= vma->vm_end || (addr & ~PAGE_MASK))
		return -EINVAL;
	*new = *vma;
	new->vm_rb = (struct rb_node){ 0 };
	if (new->vm_file)
		get_file(new->vm_file);	/* both halves map the file */
	if (new_below) {
		new->vm_end = addr;
		vma_adjust_bounds(mm, vma, addr, vma->vm_end);
	} else {
		new->vm_start = addr;
		new->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
		vma_adjust_bounds(mm, vma, vma->vm_start, addr);
	}
	vma_link(mm, new);
	return 0;
}

/*
 * Two adjacent anonymous areas can be one: same flags (soft-dirty aside),
 * no file, compatible anon_vma, and page offsets that continue.
 */
bool can_vma_merge(const struct vm_area_struct *a, const struct vm_area_struct *b)
{
	return a->vm_end == b->vm_start &&
	       ((a->vm_flags ^ b->vm_flags) & ~VM_SOFTDIRTY) == 0 &&
	       a->vm_file == b->vm_file &&
	       (a->anon_vma == b->anon_vma ||
		((!a->anon_vma || !b->anon_vma) && anon_vma_chain_singular(a->anon_vma) &&
		 anon_vma_chain_singular(b->anon_vma))) &&
	       a->vm_pgoff + ((a->vm_end - a->vm_start) >> PAGE_SHIFT) == b->vm_pgoff;
}

/*
 * The hole below v, clipped to [low, high): does it hold length bytes?
 * *start and *end get the clipped hole; with guard, the hole stops at
 * v's guard gap when v is a stack (vm_start_gap).
 */
static bool gap_fits(const struct vm_area_struct *v, unsigned long length,
		     unsigned long low, unsigned long high, bool guard,
		     unsigned long *start, unsigned long *end)
{
	*start = max(v->vm_prev ? v->vm_prev->vm_end : 0, low);
	*end = min(guard ? vm_start_gap(v) : v->vm_start, high);
	return *end >= *start && *end - *start >= length;
}

/* One search of the vma tree for a hole: which way, and for what. */
struct gap_search {
	unsigned long length, low, high;
	bool topdown;	/* the highest fit (right subtrees first), else the lowest */
	bool guard;	/* holes stop at a stack's guard gap (vm_start_gap) */
};

/*
 * The first hole in the subtree at n, in the search's direction, that
 * holds length bytes within [low, high): returns the vma just above it,
 * with the clipped hole in [*start, *end).
 */
static struct vm_area_struct *gap_subtree(struct rb_node *n, const struct gap_search *g,
					  unsigned long *start, unsigned long *end)
{
	struct vm_area_struct *v, *found;

	if (!n)
		return NULL;
	v = rb_entry(n, struct vm_area_struct, vm_rb);
	if (v->rb_subtree_gap < g->length)
		return NULL;
	found = gap_subtree(g->topdown ? n->rb_right : n->rb_left, g, start, end);
	if (found)
		return found;
	if (gap_fits(v, g->length, g->low, g->high, g->guard, start, end))
		return v;
	/* Everything on the other side lies further still out of range. */
	if (g->topdown ? v->vm_prev && v->vm_prev->vm_end <= g->low : v->vm_start >= g->high)
		return NULL;
	return gap_subtree(g->topdown ? n->rb_left : n->rb_right, g, start, end);
}

/*
 * The highest address in [low, high) where length bytes fit between
 * vmas (or above the last one).  Returns it, or -ENOMEM.
 *
 * Linux 6.x's unmapped_area_topdown: take the highest raw hole; if the
 * vma above it is a stack whose guard gap reaches into the hole, lower
 * high to where the guard gap starts and search again.  Every hole
 * above the guard gap is then out of the running, even one below a
 * small vma that itself sits inside the guard gap: the retry is not
 * the same as searching for the highest hole outside every guard gap.
 */
long unmapped_area_topdown(struct mm_struct *mm, unsigned long length,
			   unsigned long low, unsigned long high)
{
	struct vm_area_struct *next;
	unsigned long start, end;

	for (;;) {
		struct gap_search g = { length, low, high, .topdown = true, .guard = false };

		if (high < length || high - length < low)
			return -ENOMEM;
		/* Above the highest vma first: no vma above, no guard. */
		if (mm->highest_vm_end <= high - length && high - length >= low)
			return (long)(high - length);
		next = gap_subtree(mm->mm_rb.rb_node, &g, &start, &end);
		if (!next)
			return -ENOMEM;
		if (!(next->vm_flags & VM_GROWSDOWN) || vm_start_gap(next) >= end)
			return (long)(end - length);
		high = vm_start_gap(next);	/* strictly lower: the loop ends */
	}
}

/*
 * The lowest address in [low, high) where length bytes fit, or -ENOMEM.
 * Linux 6.x takes the lowest raw hole and, when a stack's guard gap cuts
 * it too short, searches again from above that stack: the same choice as
 * skipping every hole whose guarded part is too short, which is what
 * this walk does.
 */
long unmapped_area(struct mm_struct *mm, unsigned long length,
		   unsigned long low, unsigned long high)
{
	struct gap_search g = { length, low, high, .topdown = false, .guard = true };
	unsigned long addr, start, end;

	if (high < length || high - length < low)
		return -ENOMEM;
	if (gap_subtree(mm->mm_rb.rb_node, &g, &start, &end))
		return (long)start;
	addr = max(mm->highest_vm_end, low);
	if (addr <= high - length)
		return (long)addr;
	return -ENOMEM;
}

/* Checks every invariant of mm's vma set; 0 or -1 with *why. */
int validate_mm(struct mm_struct *mm, const char **why)
{
	struct vm_area_struct *v, *prev = NULL;
	struct rb_node *n;
	int count = 0;

	*why = NULL;
	for (n = rb_first(&mm->mm_rb), v = mm->mmap; n || v; n = rb_next(n), v = v->vm_next) {
		struct vm_area_struct *t = n ? rb_entry(n, struct vm_area_struct, vm_rb) : NULL;

		if (t != v)
			*why = "the tree and the list disagree";
		else if (v->vm_start >= v->vm_end || (v->vm_start | v->vm_end) & ~PAGE_MASK)
			*why = "a vma is empty or unaligned";
		else if (prev && prev->vm_end > v->vm_start)
			*why = "vmas overlap";
		else if (v->vm_prev != prev)
			*why = "vm_prev is wrong";
		else if (v->rb_subtree_gap != vma_compute_subtree_gap(v))
			*why = "rb_subtree_gap is wrong";
		else if (v->vm_mm != mm)
			*why = "vm_mm is wrong";
		if (*why)
			return -1;
		prev = v;
		count++;
		if (!n || !v)
			break;
	}
	if (count != mm->map_count)
		*why = "map_count is wrong";
	else if (mm->highest_vm_end != (prev ? prev->vm_end : 0))
		*why = "highest_vm_end is wrong";
	return *why ? -1 : 0;
}
