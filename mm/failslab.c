/*
 * mm/failslab.c - the failslab capability: kmem_cache_alloc and kmalloc
 * calls that fail on purpose.  Mirrors Linux's mm/failslab.c: its filters
 * come before the generic attribute (base/fault-inject.c), with Linux's
 * defaults:
 *
 *   ignore-gfp-wait  Y: allocations that may reclaim never fail
 *   cache-filter     N: Y fails only caches made with SLAB_FAILSLAB
 *
 * __GFP_NOFAIL never fails, nor does the cache of cache descriptors (as
 * Linux spares its bootstrap kmem_cache).  The size the attribute's space
 * counts is the object size.  kmalloc above the largest kmalloc cache
 * takes pages straight from the page allocator: fail_page_alloc's, not
 * ours.  docs/fault_injection.md has the recipes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/option.h"
#include "mm/slab.h"

static void failslab_report(struct fault_attr *attr, const char *text)
{
	kmm_report(container_of(attr, struct mm_machine, failslab.attr)->kmm, "%s", text);
}

void failslab_init(struct kmm *k)
{
	fault_attr_init(&k->mem->failslab.attr, "failslab", k->cfg.seed ^ 0x736c6162ul,
			failslab_report);
	k->mem->failslab.ignore_gfp_reclaim = 1;
	k->mem->failslab.cache_filter = 0;
}

void failslab_setup(struct kmm *k)
{
	char err[160];

	/* Checked when the option was set: this cannot fail. */
	if (k->cfg.failslab[0])
		setup_fault_attr(&k->mem->failslab.attr, k->cfg.failslab, err, sizeof(err));
}

void failslab_exit(struct kmm *k)
{
	fault_attr_exit(&k->mem->failslab.attr);
}

bool should_failslab(struct kmem_cache *s, gfp_t gfp)
{
	struct kmm *k = s->k;
	struct failslab_attr *f = &k->mem->failslab;

	if (unlikely(s == k->mem->slab->kmem_cache))
		return false;
	if (gfp & __GFP_NOFAIL)
		return false;
	if (READ_ONCE(f->ignore_gfp_reclaim) && (gfp & __GFP_DIRECT_RECLAIM))
		return false;
	if (READ_ONCE(f->cache_filter) && !(s->flags & SLAB_FAILSLAB))
		return false;
	/* __GFP_NOWARN asks for silence: no notice either. */
	return should_fail_ex(&f->attr, s->object_size, gfp & __GFP_NOWARN ? FAULT_NOWARN : 0);
}

int failslab_set(struct kmm *k, const char *knob, long value)
{
	int *flag = !strcmp(knob, "ignore-gfp-wait") ? &k->mem->failslab.ignore_gfp_reclaim :
		    !strcmp(knob, "cache-filter") ? &k->mem->failslab.cache_filter : NULL;

	if (!flag)
		return fault_attr_set(&k->mem->failslab.attr, knob, value);
	if (value != 0 && value != 1)
		return -EINVAL;
	WRITE_ONCE(*flag, (int)value);
	return 0;
}

int failslab_get(struct kmm *k, const char *knob, long *value)
{
	if (!strcmp(knob, "ignore-gfp-wait"))
		*value = READ_ONCE(k->mem->failslab.ignore_gfp_reclaim);
	else if (!strcmp(knob, "cache-filter"))
		*value = READ_ONCE(k->mem->failslab.cache_filter);
	else
		return fault_attr_get(&k->mem->failslab.attr, knob, value);
	return 0;
}

/* `boot failslab=...`: as Linux's __setup, beside the code it sets. */
static int failslab_option_check(const char *value, char *err, size_t errlen)
{
	return fault_attr_check_option("failslab", value, err, errlen);
}
KMM_OPTION_CHECK("failslab", failslab_option_check)
