/*
 * base/smp.h - which host thread plays which simulated CPU (base/smp.c):
 * smp_processor_id, and the CPU-local critical sections that let a CPU's
 * owner touch its per-CPU data without atomics.
 */
#ifndef KMM_BASE_SMP_H
#define KMM_BASE_SMP_H

#include <kmm/mmzone.h>
#include "base/machine.h"

/*
 * The simulated CPU the calling thread runs on, or -1 if it has none
 * (more threads than CPUs).  See base/smp.c.
 */
struct kmm_cpu_cache {
	unsigned long kmm_id;
	int cpu;
	unsigned long release_gen;
};
/*
 * initial-exec: the allocators' fast paths read it with one %fs-relative
 * load.  libkmm is built -fPIC, where the default (global-dynamic) model
 * reaches it through a call to __tls_get_addr, which the linker turns into
 * a %fs load in an executable but not before the compiler has made every
 * fast path save registers around it.  As jemalloc's TLS, it comes from
 * the static TLS block, which a dlopen()ed libkmm.so finds room for in
 * glibc's surplus (24 bytes).
 */
extern __thread struct kmm_cpu_cache kmm_this_cpu_cache
	__attribute__((tls_model("initial-exec")));
extern bool kmm_membarrier_ok __kmm_hidden;
int kmm_claim_cpu(struct kmm *k);
/* Sets up k's CPUs (all free; 0 or -ENOMEM) and frees them. */
int smp_init(struct kmm *k);
void smp_exit(struct kmm *k);
/* k on / off the list of live machines (whose CPUs a thread gives back at exit). */
void kmm_register_machine(struct kmm *k);
void kmm_unregister_machine(struct kmm *k);
void kmm_heavy_barrier(void);

/*
 * Linux's spinlocks that kmm keeps as mutexes (zone->lock, a slab node's
 * list_lock): held for a few hundred instructions, so a contended one
 * spins a while before it sleeps (glibc's adaptive mutex), as a spinlock
 * would, instead of paying a futex sleep and wake-up each time.
 */
void spin_lock_init(pthread_mutex_t *lock);

void local_lock_slow(struct cpu_local_lock *ll);
void local_lock_remote(struct cpu_local_lock *ll);
void local_unlock_remote(struct cpu_local_lock *ll);

/*
 * The owner's try: true when it may go ahead lock-free (leave with
 * local_exit(ll, true)); false, having backed out, when a remote user is
 * at work, so the caller takes its slow path (which queues).  The store
 * to busy and the load of drain_req are ordered by kmm_heavy_barrier() on
 * the remote side (or by a full fence here when membarrier is missing).
 */
static inline bool local_try_enter(struct cpu_local_lock *ll)
{
	WRITE_ONCE(ll->busy, 1);
	if (likely(kmm_membarrier_ok))
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
	else
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (likely(!__atomic_load_n(&ll->drain_req, __ATOMIC_ACQUIRE)))
		return true;
	__atomic_store_n(&ll->busy, 0, __ATOMIC_RELEASE);
	return false;
}

/*
 * The owner's side of a CPU-local critical section.  Returns true when the
 * owner may go ahead lock-free; false when a remote user is at work, in
 * which case the owner has queued behind it and holds ll->lock.
 */
static inline bool local_enter(struct cpu_local_lock *ll)
{
	if (likely(local_try_enter(ll)))
		return true;
	local_lock_slow(ll);
	return false;
}

static inline void local_exit(struct cpu_local_lock *ll, bool fast)
{
	if (likely(fast))
		__atomic_store_n(&ll->busy, 0, __ATOMIC_RELEASE);
	else
		__atomic_store_n(&ll->lock, 0, __ATOMIC_RELEASE);
}

static inline int smp_processor_id(struct kmm *k)
{
	if (likely(kmm_this_cpu_cache.kmm_id == k->id && kmm_this_cpu_cache.cpu >= 0))
		return kmm_this_cpu_cache.cpu;
	return kmm_claim_cpu(k);
}

#endif /* KMM_BASE_SMP_H */
