/*
 * include/kmm/mempool.h - memory pools: a reserve of min_nr elements that
 * allocation can always fall back on, for paths that must make progress
 * when memory is exhausted (Linux's mm/mempool.c).
 */
#ifndef KMM_MEMPOOL_H
#define KMM_MEMPOOL_H

#include <kmm/gfp.h>

typedef void *(mempool_alloc_t)(gfp_t gfp, void *pool_data);
typedef void (mempool_free_t)(void *element, void *pool_data);

typedef struct mempool mempool_t;

mempool_t *mempool_create(int min_nr, mempool_alloc_t *alloc_fn,
			  mempool_free_t *free_fn, void *pool_data);
void mempool_destroy(mempool_t *pool);
void *mempool_alloc(mempool_t *pool, gfp_t gfp);
void mempool_free(void *element, mempool_t *pool);
int mempool_resize(mempool_t *pool, int new_min_nr);
/* Elements currently held in reserve. */
int mempool_curr_nr(mempool_t *pool);

struct kmem_cache;
mempool_t *mempool_create_slab_pool(int min_nr, struct kmem_cache *cache);
mempool_t *mempool_create_kmalloc_pool(int min_nr, size_t size);
mempool_t *mempool_create_page_pool(int min_nr, int order);

void *mempool_alloc_slab(gfp_t gfp, void *pool_data);
void mempool_free_slab(void *element, void *pool_data);
void *mempool_kmalloc(gfp_t gfp, void *pool_data);
void mempool_kfree(void *element, void *pool_data);

#endif /* KMM_MEMPOOL_H */
