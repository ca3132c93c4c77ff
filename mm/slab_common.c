/*
 * mm/slab_common.c - kmalloc: caches of fixed sizes (8 bytes to 8 KiB,
 * with 96 and 192 between the powers of two, as Linux 6.x), DMA variants,
 * and large allocations straight from the page allocator.
 */
#include <string.h>
#include "mm/slab.h"
#include <kmm/vmalloc.h>

const struct kmalloc_info_struct kmalloc_info[KMALLOC_NR_CACHES] = {
	{ NULL, NULL, 0 },
	{ "kmalloc-96", "dma-kmalloc-96", 96 },
	{ "kmalloc-192", "dma-kmalloc-192", 192 },
	{ "kmalloc-8", "dma-kmalloc-8", 8 },
	{ "kmalloc-16", "dma-kmalloc-16", 16 },
	{ "kmalloc-32", "dma-kmalloc-32", 32 },
	{ "kmalloc-64", "dma-kmalloc-64", 64 },
	{ "kmalloc-128", "dma-kmalloc-128", 128 },
	{ "kmalloc-256", "dma-kmalloc-256", 256 },
	{ "kmalloc-512", "dma-kmalloc-512", 512 },
	{ "kmalloc-1k", "dma-kmalloc-1k", 1024 },
	{ "kmalloc-2k", "dma-kmalloc-2k", 2048 },
	{ "kmalloc-4k", "dma-kmalloc-4k", 4096 },
	{ "kmalloc-8k", "dma-kmalloc-8k", 8192 },
};

/* Sizes up to 192 by (size - 1) / 8: the smallest class that fits. */
static const unsigned char size_index[24] = {
	3, 4, 5, 5, 6, 6, 6, 6,		/* 8 16 24 32 40 48 56 64 */
	1, 1, 1, 1,			/* 72 80 88 96 */
	7, 7, 7, 7,			/* 104 .. 128 */
	2, 2, 2, 2, 2, 2, 2, 2,		/* 136 .. 192 */
};

unsigned int kmalloc_index(size_t size)
{
	if (!size)
		return 0;
	if (size <= 192)
		return size_index[(size - 1) / 8];
	if (size <= 256)
		return 8;
	if (size <= 512)
		return 9;
	if (size <= 1024)
		return 10;
	if (size <= 2048)
		return 11;
	if (size <= 4096)
		return 12;
	if (size <= 8192)
		return 13;
	return 0;
}

struct kmem_cache *kmalloc_slab(struct kmm *k, size_t size, gfp_t gfp)
{
	unsigned int idx = kmalloc_index(size);

	if (!idx)
		return NULL;
	return k->mem->slab->kmalloc_caches[(gfp & __GFP_DMA) ? KMALLOC_DMA : KMALLOC_NORMAL][idx];
}

/* In size order, so each off-slab cache finds a smaller one for its slabs. */
int create_kmalloc_caches(struct kmm *k)
{
	static const unsigned char order[] = { 3, 4, 5, 6, 1, 7, 2, 8, 9, 10, 11, 12, 13 };
	struct kmm_slab *ks = k->mem->slab;
	unsigned int i, type;

	for (type = 0; type < NR_KMALLOC_TYPES; type++)
		for (i = 0; i < sizeof(order); i++) {
			const struct kmalloc_info_struct *info = &kmalloc_info[order[i]];
			struct kmem_cache *s;

			s = __kmem_cache_create(k, type == KMALLOC_DMA ? info->name_dma : info->name,
						info->size, 0,
						type == KMALLOC_DMA ? SLAB_CACHE_DMA : 0, NULL);
			if (!s)
				return -1;
			s->flags |= CFLGS_PERMANENT;
			ks->kmalloc_caches[type][order[i]] = s;
		}
	return 0;
}

/* Has caller been warned already?  Notes it if not (while there is room). */
static bool fix_flags_warned(struct kmm_slab *ks, unsigned long caller)
{
	bool seen = false;
	unsigned int i;

	pthread_mutex_lock(&ks->slab_mutex);
	for (i = 0; i < ks->nr_fix_flags_sites && !seen; i++)
		seen = ks->fix_flags_sites[i] == caller;
	if (!seen && ks->nr_fix_flags_sites < ARRAY_SIZE(ks->fix_flags_sites))
		ks->fix_flags_sites[ks->nr_fix_flags_sites++] = caller;
	pthread_mutex_unlock(&ks->slab_mutex);
	return seen;
}

/*
 * Linux's kmalloc_fix_flags: a gfp no slab allocation can honour (a zone
 * slab memory is never in, both DMA zones, bits beyond __GFP_BITS_MASK)
 * is a bug in the caller, not a reason to fail.  The bad bits go, the
 * allocation goes on, and each call site is warned once (a site beyond
 * the first 16 every time), with its name as dump_stack would show it.
 */
gfp_t __cold kmalloc_fix_flags(struct kmm *k, gfp_t gfp, unsigned long caller)
{
	gfp_t invalid = gfp & GFP_SLAB_BUG_MASK, fixed = gfp & ~GFP_SLAB_BUG_MASK;
	char bad[256], good[256], site[256];

	if (fix_flags_warned(k->mem->slab, caller))
		return fixed;
	gfp_format(invalid, bad, sizeof(bad));
	gfp_format(fixed, good, sizeof(good));
	sprint_caller(site, sizeof(site), caller);
	kmm_report(k, "WARNING: kmalloc: Unexpected gfp: %#x (%s). Fixing up to gfp: %#x (%s). "
		   "Fix your code!\ncaller: %s\n", invalid, bad, fixed, good, site);
	return fixed;
}

/* Beyond 8 KiB: a compound page block, freed by kfree via its head page. */
static void *kmalloc_large(struct kmm *k, size_t size, gfp_t gfp)
{
	unsigned int order = 0;
	struct page *page;

	if (size > KMALLOC_MAX_SIZE) {
		if (!(gfp & __GFP_NOWARN))
			kmm_report(k, "WARNING: kmalloc: %zu bytes is above KMALLOC_MAX_SIZE\n", size);
		return NULL;
	}
	while ((PAGE_SIZE << order) < size)
		order++;
	page = __alloc_pages(k, gfp | __GFP_COMP, order);
	if (!page)
		return NULL;
	__SetPageLargeKmalloc(page);	/* so kfree can tell it from other pages */
	return page_address(page);
}

static void *__kmalloc(size_t size, gfp_t gfp, unsigned long caller)
{
	struct kmm *k = kmm_cur();
	struct kmem_cache *s;

	if (unlikely(gfp & GFP_SLAB_BUG_MASK))
		gfp = kmalloc_fix_flags(k, gfp, caller);
	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	if (unlikely(size > KMALLOC_MAX_CACHE_SIZE))
		return kmalloc_large(k, size, gfp);
	s = kmalloc_slab(k, size, gfp);
	return __kmem_cache_alloc(s, gfp, caller);
}

struct kmm_slab *kmm_slab_cur;

/*
 * kmalloc's fast path: a size class by table and the cache's fast path;
 * a size above KMALLOC_FAST_MAX, DMA or bad flags, or no fast object
 * takes __kmalloc, which begins again.
 */
void *kmalloc(size_t size, gfp_t gfp)
{
	struct kmm_slab *ks = kmm_slab_cur;

	if (likely(ks && size - 1 < KMALLOC_FAST_MAX && !(gfp & (GFP_SLAB_BUG_MASK | __GFP_DMA)))) {
		void *obj = slab_alloc_fast(ks->kmalloc_by_size[(size + 7) >> 3], gfp);

		if (likely(obj))
			return obj;
	}
	return __kmalloc(size, gfp, (unsigned long)__builtin_return_address(0));
}

void *kzalloc(size_t size, gfp_t gfp)
{
	return __kmalloc(size, gfp | __GFP_ZERO, (unsigned long)__builtin_return_address(0));
}

void *kmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes))
		return NULL;
	return __kmalloc(bytes, gfp, (unsigned long)__builtin_return_address(0));
}

void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	return kmalloc_array(n, size, gfp | __GFP_ZERO);
}

/*
 * Which object p is: its cache, or NULL with *large set for a kmalloc_large
 * block.  Reports and returns NULL (large false) for anything else.
 */
static struct kmem_cache *kmalloc_owner(const void *p, struct page **pagep,
					bool *large, const char *caller)
{
	struct kmm *k = kmm_cur();
	struct page *page;

	*large = false;
	if (!virt_addr_valid(p)) {
		slab_report(NULL, NULL, "%s: %p is not a kmm pointer", caller, p);
		return NULL;
	}
	page = compound_head(virt_to_page(p));
	*pagep = page;
	if (PageSlab(page))
		return page->slab_cache;
	if (PageLargeKmalloc(page) && page_address(page) == p) {
		*large = true;
		return NULL;
	}
	kmm_report(k, "BUG kmalloc: %s of 0x%lx, which kmalloc did not return\n",
		   caller, kmm_kaddr(p));
	return NULL;
}

static __noinline void kfree_slow(const void *p, unsigned long caller)
{
	struct kmem_cache *s;
	struct page *page;
	bool large;

	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return;
	s = kmalloc_owner(p, &page, &large, "kfree");
	if (large) {
		__ClearPageLargeKmalloc(page);
		__free_pages(page, compound_order(page));
	}
	else if (s)
		__kmem_cache_free(s, (void *)p, caller);
}

/*
 * kfree's fast path: the slab map names the object's cache (no struct
 * page), then the cache's fast path; anything else takes kfree_slow.
 */
void kfree(const void *p)
{
	struct kmm_slab *ks = kmm_slab_cur;

	if (likely(ks)) {
		uintptr_t off = (uintptr_t)p - ks->map_base;

		if (likely(off < ks->map_pfns << PAGE_SHIFT)) {
			unsigned long e = READ_ONCE(ks->slab_map[off >> PAGE_SHIFT]);
			struct kmem_cache *s = (e & SLAB_MAP_DESC) ?
				((struct slab *)(e & SLAB_MAP_PTR_MASK))->cache :
				(struct kmem_cache *)(e & SLAB_MAP_CACHE_MASK);

			if (likely(slab_free_fast_entry(s, (void *)p, e)))
				return;
		}
	}
	kfree_slow(p, (unsigned long)__builtin_return_address(0));
}

size_t ksize(const void *p)
{
	struct kmem_cache *s;
	struct page *page;
	bool large;

	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return 0;
	s = kmalloc_owner(p, &page, &large, "ksize");
	if (large)
		return PAGE_SIZE << compound_order(page);
	return s ? s->object_size : 0;
}

void *krealloc(const void *p, size_t new_size, gfp_t gfp)
{
	size_t ks;
	void *n;

	if (unlikely(!new_size)) {
		kfree(p);
		return ZERO_SIZE_PTR;
	}
	if (ZERO_OR_NULL_PTR(p))
		return __kmalloc(new_size, gfp, (unsigned long)__builtin_return_address(0));
	ks = ksize(p);
	if (!ks)
		return NULL;		/* not ours: reported by ksize */
	if (new_size <= ks) {
		if (gfp & __GFP_ZERO)
			memset((char *)p + new_size, 0, ks - new_size);
		return (void *)p;	/* still fits its class */
	}
	n = __kmalloc(new_size, gfp, (unsigned long)__builtin_return_address(0));
	if (!n)
		return NULL;
	memcpy(n, p, ks);
	kfree(p);
	return n;
}

char *kstrdup(const char *s, gfp_t gfp)
{
	return s ? kmemdup(s, strlen(s) + 1, gfp) : NULL;
}

char *kstrndup(const char *s, size_t max, gfp_t gfp)
{
	size_t len;
	char *buf;

	if (!s)
		return NULL;
	len = strnlen(s, max);
	buf = kmalloc(len + 1, gfp);
	if (buf) {
		memcpy(buf, s, len);
		buf[len] = 0;
	}
	return buf;
}

void *kmemdup(const void *src, size_t len, gfp_t gfp)
{
	void *p = kmalloc(len, gfp);

	if (p && !ZERO_OR_NULL_PTR(p))
		memcpy(p, src, len);
	return p;
}

/*
 * kvmalloc: kmalloc first, without trying hard for more than a page (a
 * physically contiguous block may not exist), then vmalloc.
 */
void *kvmalloc(size_t size, gfp_t gfp)
{
	gfp_t kgfp = gfp;
	void *p;

	if (size > PAGE_SIZE)
		kgfp |= __GFP_NORETRY | __GFP_NOWARN;
	p = kmalloc(size, kgfp);
	if (p || size <= PAGE_SIZE)
		return p;
	return __vmalloc(size, gfp);
}

void *kvzalloc(size_t size, gfp_t gfp)
{
	return kvmalloc(size, gfp | __GFP_ZERO);
}

void kvfree(const void *p)
{
	if (is_vmalloc_addr(p))
		vfree(p);
	else
		kfree(p);
}
