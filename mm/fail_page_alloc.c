/*
 * mm/fail_page_alloc.c - the fail_page_alloc capability: page allocations
 * that fail on purpose, so that every caller's failure path can be run.
 * Mirrors Linux's mm/fail_page_alloc.c: the same filters, applied before
 * the generic attribute (base/fault-inject.c) is asked, with the same
 * defaults:
 *
 *   ignore-gfp-wait     Y: allocations that may reclaim never fail
 *   ignore-gfp-highmem  Y: __GFP_HIGHMEM ones (user pages) never fail
 *   min-order           1: order-0 pages never fail
 *
 * and __GFP_NOFAIL never fails, whatever the knobs say.  Each machine has
 * its own attribute (struct kmm); the boot option fail_page_alloc= sets
 * it once the machine is up.  docs/fault_injection.md has the recipes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/option.h"
#include "mm/internal.h"

static void fail_page_alloc_report(struct fault_attr *attr, const char *text)
{
	kmm_report(container_of(attr, struct mm_machine, fail_page_alloc.attr)->kmm, "%s", text);
}

void fail_page_alloc_init(struct kmm *k)
{
	struct fail_page_alloc_attr *f = &k->mem->fail_page_alloc;

	/* Its own random sequence, from the boot seed. */
	fault_attr_init(&f->attr, "fail_page_alloc", k->cfg.seed ^ 0x70616765ul,
			fail_page_alloc_report);
	f->ignore_gfp_highmem = 1;
	f->ignore_gfp_reclaim = 1;
	f->min_order = 1;
}

void fail_page_alloc_setup(struct kmm *k)
{
	char err[160];

	/* Checked when the option was set: this cannot fail. */
	if (k->cfg.fail_page_alloc[0])
		setup_fault_attr(&k->mem->fail_page_alloc.attr, k->cfg.fail_page_alloc, err, sizeof(err));
}

void fail_page_alloc_exit(struct kmm *k)
{
	fault_attr_exit(&k->mem->fail_page_alloc.attr);
}

bool should_fail_alloc_page(struct kmm *k, gfp_t gfp, unsigned int order)
{
	struct fail_page_alloc_attr *f = &k->mem->fail_page_alloc;

	if (order < READ_ONCE(f->min_order))
		return false;
	if (gfp & __GFP_NOFAIL)
		return false;
	if (READ_ONCE(f->ignore_gfp_highmem) && (gfp & __GFP_HIGHMEM))
		return false;
	if (READ_ONCE(f->ignore_gfp_reclaim) && (gfp & __GFP_DIRECT_RECLAIM))
		return false;
	/* __GFP_NOWARN asks for silence: no notice either. */
	return should_fail_ex(&f->attr, 1l << order, gfp & __GFP_NOWARN ? FAULT_NOWARN : 0);
}

int fail_page_alloc_set(struct kmm *k, const char *knob, long value)
{
	struct fail_page_alloc_attr *f = &k->mem->fail_page_alloc;
	bool is_bool = !strcmp(knob, "ignore-gfp-wait") || !strcmp(knob, "ignore-gfp-highmem");

	if (is_bool && value != 0 && value != 1)
		return -EINVAL;
	if (!strcmp(knob, "ignore-gfp-wait"))
		WRITE_ONCE(f->ignore_gfp_reclaim, (int)value);
	else if (!strcmp(knob, "ignore-gfp-highmem"))
		WRITE_ONCE(f->ignore_gfp_highmem, (int)value);
	else if (!strcmp(knob, "min-order")) {
		if (value < 0 || value > 0xffffffffl)
			return -EINVAL;
		WRITE_ONCE(f->min_order, (unsigned int)value);
	} else
		return fault_attr_set(&f->attr, knob, value);
	return 0;
}

int fail_page_alloc_get(struct kmm *k, const char *knob, long *value)
{
	struct fail_page_alloc_attr *f = &k->mem->fail_page_alloc;

	if (!strcmp(knob, "ignore-gfp-wait"))
		*value = READ_ONCE(f->ignore_gfp_reclaim);
	else if (!strcmp(knob, "ignore-gfp-highmem"))
		*value = READ_ONCE(f->ignore_gfp_highmem);
	else if (!strcmp(knob, "min-order"))
		*value = READ_ONCE(f->min_order);
	else
		return fault_attr_get(&f->attr, knob, value);
	return 0;
}

/* `boot fail_page_alloc=...`: as Linux's __setup, beside the code it sets. */
static int fail_page_alloc_option_check(const char *value, char *err, size_t errlen)
{
	return fault_attr_check_option("fail_page_alloc", value, err, errlen);
}
KMM_OPTION_CHECK("fail_page_alloc", fail_page_alloc_option_check)
