/*
 * examples/session_pool.c - the session pool of a traffic-processing
 * server, on libkmm's slab caches.
 *
 * A server keeps one 192-byte session object per flow.  At start-up it
 * pre-allocates 1,000,000 sessions, grows to 1,500,000 at the peak hour,
 * drops to 200,000 off-peak and then gives the memory back with
 * kmem_cache_shrink.  Each phase prints live objects, slabs, pages held
 * and the bytes returned to the page allocator.
 *
 *   ./build/examples/session_pool [SESSIONS_AT_START]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/kmm.h>

struct session {
	unsigned int saddr, daddr;
	unsigned short sport, dport;
	unsigned char proto, state;
	unsigned long long packets, bytes;
	unsigned long long first_seen, last_seen;
	char pad[192 - 48];
};

_Static_assert(sizeof(struct session) == 192, "a session is 192 bytes");

static unsigned long constructed;

/* Runs once per object, when its slab is carved: a fresh session state. */
static void session_ctor(void *obj)
{
	struct session *s = obj;

	memset(s, 0, sizeof(*s));
	s->state = 1;
	constructed++;
}

static void report(const char *phase, struct kmem_cache *cache,
		   unsigned long live, unsigned long *free_before)
{
	struct kmem_cache_info info;
	unsigned long free_now;
	long returned;

	drain_all_pages(NULL);
	free_now = nr_free_pages();
	returned = (long)free_now - (long)*free_before;
	kmem_cache_get_info(cache, &info);
	printf("%-22s live %8lu  objects %8lu  slabs %7lu  pages %7lu (%6.1f MiB)  "
	       "overhead %5.2f%%  returned %+8.1f MiB\n",
	       phase, live, info.num_objs, info.num_slabs, info.pages,
	       info.pages * 4096.0 / (1 << 20),
	       live ? (info.pages * 4096.0 / ((double)live * sizeof(struct session)) - 1) * 100 : 0.0,
	       returned * 4096.0 / (1 << 20));
	*free_before = free_now;
}

int main(int argc, char **argv)
{
	unsigned long start = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000;
	unsigned long peak = start + start / 2, offpeak = start / 5, i;
	struct kmm_config cfg = { .mem = 1ul << 30 };
	struct session **pool;
	struct kmem_cache *cache;
	unsigned long free_before;

	if (!kmm_boot(&cfg))
		return 1;
	pool = calloc(peak, sizeof(*pool));
	cache = kmem_cache_create("session", sizeof(struct session), 0,
				  SLAB_HWCACHE_ALIGN, session_ctor);
	if (!pool || !cache)
		return 1;
	drain_all_pages(NULL);
	free_before = nr_free_pages();
	{
		struct kmem_cache_info info;

		kmem_cache_get_info(cache, &info);
		printf("session cache: %u-byte objects, %u per slab of %u pages, %u colours\n\n",
		       kmem_cache_size(cache), info.objperslab, info.pagesperslab,
		       info.colours);
	}

	for (i = 0; i < start; i++) {
		pool[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		if (!pool[i]) {
			fprintf(stderr, "out of memory at %lu sessions\n", i);
			return 1;
		}
		pool[i]->packets = i;
	}
	report("start-up", cache, start, &free_before);

	for (; i < peak; i++) {
		pool[i] = kmem_cache_alloc(cache, GFP_KERNEL);
		if (!pool[i])
			return 1;
		pool[i]->packets = i;
	}
	report("peak hour", cache, peak, &free_before);

	/* Flows end in arrival order: the oldest go first. */
	for (i = 0; i < peak - offpeak; i++) {
		if (pool[i]->packets != i) {
			fprintf(stderr, "session %lu corrupted\n", i);
			return 1;
		}
		kmem_cache_free(cache, pool[i]);
	}
	report("off-peak", cache, offpeak, &free_before);

	kmem_cache_shrink(cache);
	report("after shrink", cache, offpeak, &free_before);

	printf("\nconstructor ran %lu times for %lu allocations\n", constructed,
	       peak);
	for (i = peak - offpeak; i < peak; i++)
		kmem_cache_free(cache, pool[i]);
	kmem_cache_destroy(cache);
	free(pool);
	kmm_shutdown(NULL);
	return 0;
}
