/*
 * mm/mempool.c - memory pools: min_nr elements kept in reserve so that an
 * allocation can succeed when the allocator behind the pool cannot.
 * Mirrors Linux mm/mempool.c: the pool is tried first, the reserve only
 * when that fails, and a caller that may sleep waits for an element to
 * come back instead of failing.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include "mm/slab.h"

struct mempool {
	pthread_mutex_t lock;
	pthread_cond_t wait;		/* an element came back */
	int min_nr;
	int curr_nr;
	void **elements;		/* [min_nr] */
	void *pool_data;
	mempool_alloc_t *alloc;
	mempool_free_t *free;
};

static void add_element(mempool_t *pool, void *element)
{
	pool->elements[pool->curr_nr++] = element;
}

static void *remove_element(mempool_t *pool)
{
	return pool->elements[--pool->curr_nr];
}

static void free_reserve(mempool_t *pool)
{
	while (pool->curr_nr)
		pool->free(remove_element(pool), pool->pool_data);
}

void mempool_destroy(mempool_t *pool)
{
	if (!pool)
		return;
	free_reserve(pool);
	kfree(pool->elements);
	pthread_cond_destroy(&pool->wait);
	pthread_mutex_destroy(&pool->lock);
	kfree(pool);
}

mempool_t *mempool_create(int min_nr, mempool_alloc_t *alloc_fn,
			  mempool_free_t *free_fn, void *pool_data)
{
	mempool_t *pool;

	if (min_nr < 1 || !alloc_fn || !free_fn)
		return NULL;
	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return NULL;
	pool->elements = kmalloc_array((size_t)min_nr, sizeof(void *), GFP_KERNEL);
	if (!pool->elements) {
		kfree(pool);
		return NULL;
	}
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->wait, NULL);
	pool->min_nr = min_nr;
	pool->pool_data = pool_data;
	pool->alloc = alloc_fn;
	pool->free = free_fn;
	while (pool->curr_nr < min_nr) {
		void *element = alloc_fn(GFP_KERNEL, pool_data);

		if (!element) {
			mempool_destroy(pool);
			return NULL;
		}
		add_element(pool, element);
	}
	return pool;
}

int mempool_resize(mempool_t *pool, int new_min_nr)
{
	void **new_elements;
	void *element;

	if (new_min_nr < 1)
		return -EINVAL;
	pthread_mutex_lock(&pool->lock);
	if (new_min_nr <= pool->min_nr) {
		while (pool->curr_nr > new_min_nr) {
			element = remove_element(pool);
			pthread_mutex_unlock(&pool->lock);
			pool->free(element, pool->pool_data);
			pthread_mutex_lock(&pool->lock);
		}
		pool->min_nr = new_min_nr;
		pthread_mutex_unlock(&pool->lock);
		return 0;
	}
	pthread_mutex_unlock(&pool->lock);
	new_elements = kmalloc_array((size_t)new_min_nr, sizeof(void *), GFP_KERNEL);
	if (!new_elements)
		return -ENOMEM;
	pthread_mutex_lock(&pool->lock);
	memcpy(new_elements, pool->elements, (size_t)pool->curr_nr * sizeof(void *));
	kfree(pool->elements);
	pool->elements = new_elements;
	pool->min_nr = new_min_nr;
	while (pool->curr_nr < pool->min_nr) {
		pthread_mutex_unlock(&pool->lock);
		element = pool->alloc(GFP_KERNEL, pool->pool_data);
		if (!element)
			return -ENOMEM;
		pthread_mutex_lock(&pool->lock);
		if (pool->curr_nr < pool->min_nr) {
			add_element(pool, element);
		} else {
			pthread_mutex_unlock(&pool->lock);
			pool->free(element, pool->pool_data);
			pthread_mutex_lock(&pool->lock);
		}
	}
	pthread_mutex_unlock(&pool->lock);
	return 0;
}

void *mempool_alloc(mempool_t *pool, gfp_t gfp)
{
	/* The pool is the fallback: don't dig into reserves or warn first. */
	gfp_t gfp_temp = (gfp | __GFP_NOMEMALLOC | __GFP_NORETRY | __GFP_NOWARN) &
			 ~(__GFP_DIRECT_RECLAIM | __GFP_IO | __GFP_NOFAIL);
	void *element;

	for (;;) {
		struct timespec ts;

		element = pool->alloc(gfp_temp, pool->pool_data);
		if (element)
			return element;
		pthread_mutex_lock(&pool->lock);
		if (pool->curr_nr) {
			element = remove_element(pool);
			pthread_mutex_unlock(&pool->lock);
			return element;
		}
		if (!(gfp & __GFP_DIRECT_RECLAIM)) {
			pthread_mutex_unlock(&pool->lock);
			return NULL;
		}
		/* Wait for mempool_free (or 5 s, then try the allocator again). */
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 5;
		pthread_cond_timedwait(&pool->wait, &pool->lock, &ts);
		pthread_mutex_unlock(&pool->lock);
		gfp_temp = gfp & ~__GFP_NOFAIL;
	}
}

void mempool_free(void *element, mempool_t *pool)
{
	if (!element)
		return;
	pthread_mutex_lock(&pool->lock);
	if (pool->curr_nr < pool->min_nr) {
		add_element(pool, element);
		pthread_cond_signal(&pool->wait);
		pthread_mutex_unlock(&pool->lock);
		return;
	}
	pthread_mutex_unlock(&pool->lock);
	pool->free(element, pool->pool_data);
}

int mempool_curr_nr(mempool_t *pool)
{
	int n;

	pthread_mutex_lock(&pool->lock);
	n = pool->curr_nr;
	pthread_mutex_unlock(&pool->lock);
	return n;
}

void *mempool_alloc_slab(gfp_t gfp, void *pool_data)
{
	return kmem_cache_alloc(pool_data, gfp);
}

void mempool_free_slab(void *element, void *pool_data)
{
	kmem_cache_free(pool_data, element);
}

void *mempool_kmalloc(gfp_t gfp, void *pool_data)
{
	return kmalloc((size_t)pool_data, gfp);
}

void mempool_kfree(void *element, void *pool_data)
{
	(void)pool_data;
	kfree(element);
}

static void *mempool_alloc_pages(gfp_t gfp, void *pool_data)
{
	struct page *page = alloc_pages(gfp, (unsigned int)(unsigned long)pool_data);

	return page;
}

static void mempool_free_pages(void *element, void *pool_data)
{
	__free_pages(element, (unsigned int)(unsigned long)pool_data);
}

mempool_t *mempool_create_slab_pool(int min_nr, struct kmem_cache *cache)
{
	return mempool_create(min_nr, mempool_alloc_slab, mempool_free_slab, cache);
}

mempool_t *mempool_create_kmalloc_pool(int min_nr, size_t size)
{
	return mempool_create(min_nr, mempool_kmalloc, mempool_kfree, (void *)size);
}

mempool_t *mempool_create_page_pool(int min_nr, int order)
{
	return mempool_create(min_nr, mempool_alloc_pages, mempool_free_pages,
			      (void *)(unsigned long)order);
}
