/*
 * tests/mm/test_vma.c - the VMA set: random link/unlink/split/resize
 * against a brute-force model, with validate_mm after every step; find_vma
 * and both free-space searches checked against a linear scan.
 */
#include "mm/vma.h"
#include "tests/harness.h"
#include "tests/kmm_test.h"

#define SPACE_PAGES 4096ul		/* a 16 MiB playground */
#define MAXV 300

static struct vm_area_struct pool[MAXV * 2];
static int used[MAXV * 2];

static struct vm_area_struct *new_vma(void)
{
	int i;

	for (i = 0; i < MAXV * 2; i++)
		if (!used[i]) {
			used[i] = 1;
			memset(&pool[i], 0, sizeof(pool[i]));
			return &pool[i];
		}
	return NULL;
}

static void put_vma(struct vm_area_struct *v)
{
	used[v - pool] = 0;
}

/* Model: which page belongs to which vma (or none). */
static struct vm_area_struct *owner[SPACE_PAGES];

static void model_set(struct vm_area_struct *v, struct vm_area_struct *who)
{
	unsigned long p;

	for (p = v->vm_start >> PAGE_SHIFT; p < v->vm_end >> PAGE_SHIFT; p++)
		owner[p] = who;
}

static struct vm_area_struct *model_find(unsigned long addr)
{
	unsigned long p;

	for (p = addr >> PAGE_SHIFT; p < SPACE_PAGES; p++)
		if (owner[p])
			return owner[p];
	return NULL;
}

/* Highest/lowest free run of n pages in [lo, hi) pages, or -1. */
static long model_gap(unsigned long n, unsigned long lo, unsigned long hi, int topdown)
{
	long best = -1;
	unsigned long p, run = 0;

	for (p = lo; p < hi; p++) {
		run = owner[p] ? 0 : run + 1;
		if (run >= n) {
			best = (long)(p + 1 - n);
			if (!topdown)
				return best << PAGE_SHIFT;
		}
	}
	return best < 0 ? -1 : best << PAGE_SHIFT;
}

TEST(random_operations_against_a_model)
{
	struct mm_struct mm = { .mm_rb = RB_ROOT };
	uint64_t steps = 6000 * TEST_SCALE();
	const char *why;
	uint64_t i;

	rnd_state = TEST_SEED() * 977 + 3;
	memset(owner, 0, sizeof(owner));
	memset(used, 0, sizeof(used));
	for (i = 0; i < steps; i++) {
		unsigned long a = (rnd() % SPACE_PAGES) << PAGE_SHIFT, len, p;
		unsigned int op = (unsigned int)(rnd() % 10);
		struct vm_area_struct *v;

		if (op < 4 && mm.map_count < MAXV) {		/* link a free range */
			len = (rnd() % 16 + 1) << PAGE_SHIFT;
			if (a + len > SPACE_PAGES << PAGE_SHIFT)
				continue;
			for (p = a >> PAGE_SHIFT; p < (a + len) >> PAGE_SHIFT && !owner[p]; p++)
				;
			if (p < (a + len) >> PAGE_SHIFT)
				continue;
			v = new_vma();
			v->vm_start = a;
			v->vm_end = a + len;
			v->vm_pgoff = a >> PAGE_SHIFT;
			vma_link(&mm, v);
			model_set(v, v);
		} else if (op < 6 && mm.map_count) {		/* unlink */
			v = model_find(a);
			if (!v)
				continue;
			vma_unlink(&mm, v);
			model_set(v, NULL);
			put_vma(v);
		} else if (op < 8) {				/* split */
			struct vm_area_struct *n;

			v = model_find(a);
			if (!v || v->vm_end - v->vm_start < 2 * PAGE_SIZE)
				continue;
			n = new_vma();
			a = v->vm_start + ((rnd() % ((v->vm_end - v->vm_start) / PAGE_SIZE - 1)) + 1) * PAGE_SIZE;
			ASSERT_EQ(__split_vma(&mm, v, n, a, (int)(rnd() & 1)), 0);
			model_set(n, n);
			ASSERT_TRUE(can_vma_merge(v->vm_start < n->vm_start ? v : n,
						  v->vm_start < n->vm_start ? n : v));
		} else {					/* shrink from the top */
			v = model_find(a);
			if (!v || v->vm_end - v->vm_start < 2 * PAGE_SIZE)
				continue;
			model_set(v, NULL);
			vma_adjust_bounds(&mm, v, v->vm_start, v->vm_end - PAGE_SIZE);
			model_set(v, v);
		}
		if (validate_mm(&mm, &why))
			TEST_FAIL_("step %llu (op %u): %s", (unsigned long long)i, op, why);
		/* Lookups and searches agree with the model. */
		a = (rnd() % SPACE_PAGES) << PAGE_SHIFT;
		ASSERT_TRUE(find_vma(&mm, a) == model_find(a));
		len = (rnd() % 40 + 1) << PAGE_SHIFT;
		{
			unsigned long lo = (rnd() % 1024) << PAGE_SHIFT;
			unsigned long hi = SPACE_PAGES << PAGE_SHIFT;
			long want_top = model_gap(len >> PAGE_SHIFT, lo >> PAGE_SHIFT, SPACE_PAGES, 1);
			long want_bot = model_gap(len >> PAGE_SHIFT, lo >> PAGE_SHIFT, SPACE_PAGES, 0);

			ASSERT_EQ(unmapped_area_topdown(&mm, len, lo, hi), want_top < 0 ? -ENOMEM : want_top);
			ASSERT_EQ(unmapped_area(&mm, len, lo, hi), want_bot < 0 ? -ENOMEM : want_bot);
		}
	}
}

TEST(merge_rules)
{
	struct vm_area_struct a = { .vm_start = 0x1000, .vm_end = 0x3000, .vm_pgoff = 1,
				    .vm_flags = VM_READ | VM_WRITE };
	struct vm_area_struct b = { .vm_start = 0x3000, .vm_end = 0x5000, .vm_pgoff = 3,
				    .vm_flags = VM_READ | VM_WRITE | VM_SOFTDIRTY };

	ASSERT_TRUE(can_vma_merge(&a, &b));	/* soft-dirty does not matter */
	b.vm_pgoff = 7;				/* moved by mremap: offsets jump */
	ASSERT_FALSE(can_vma_merge(&a, &b));
	b.vm_pgoff = 3;
	b.vm_flags = VM_READ;			/* other protection */
	ASSERT_FALSE(can_vma_merge(&a, &b));
	b.vm_flags = a.vm_flags;
	b.vm_start = 0x4000;			/* not adjacent */
	ASSERT_FALSE(can_vma_merge(&a, &b));
}

int main(void)
{
	RUN_TEST(random_operations_against_a_model);
	RUN_TEST(merge_rules);
	return harness_summary();
}
