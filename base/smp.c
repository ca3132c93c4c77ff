/*
 * base/smp.c - which host thread runs on which simulated CPU, and the
 * barrier that lets a CPU's owner touch its per-CPU data without atomics.
 *
 * Linux protects a CPU's pcp lists by running on that CPU with preemption
 * off; another CPU that wants them (drain_all_pages) asks that CPU to do
 * the work.  In user space a thread plays the CPU: the first nr_cpus
 * threads that allocate from a machine each claim a CPU and are its only
 * fast-path user.  Other threads reach a CPU's lists only through
 * pcp_lock_remote() (mm/page_alloc.c), which raises drain_req, makes every
 * thread execute a full barrier (membarrier), and waits until the owner is
 * outside its critical section.  The owner thus pays a compiler barrier
 * where Linux pays preempt_disable().  Threads beyond nr_cpus run without a
 * CPU and allocate from the zones directly, as Linux does when it cannot
 * take a pcp lock.  A CPU is released when its thread exits.
 */
#define _GNU_SOURCE
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <errno.h>
#include <stdlib.h>
#include "base/smp.h"

__thread struct kmm_cpu_cache kmm_this_cpu_cache;
static __thread char thread_token;	/* its address names this thread */
static __thread bool thread_has_cpus;

static pthread_once_t percpu_once = PTHREAD_ONCE_INIT;
static pthread_key_t cpu_key;
static pthread_mutex_t machines_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_HEAD(machines);
bool kmm_membarrier_ok;

static void release_cpus(void *unused)
{
	struct list_head *pos;
	unsigned int cpu;

	(void)unused;
	pthread_mutex_lock(&machines_lock);
	/* Plain list_for_each: struct kmm is 64-byte aligned and the list
	 * head is not, so the entry form would form a misaligned pointer. */
	list_for_each(pos, &machines) {
		struct kmm *k = list_entry(pos, struct kmm, machines);

		for (cpu = 0; cpu < k->nr_cpus; cpu++) {
			if (__atomic_load_n(&k->cpu_owner[cpu], __ATOMIC_RELAXED) != &thread_token)
				continue;
			__atomic_store_n(&k->cpu_owner[cpu], NULL, __ATOMIC_RELEASE);
			__atomic_fetch_add(&k->cpu_release_gen, 1, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&machines_lock);
}

static void percpu_init_once(void)
{
	pthread_key_create(&cpu_key, release_cpus);
	kmm_membarrier_ok = syscall(SYS_membarrier,
				    MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0;
}

int smp_init(struct kmm *k)
{
	pthread_once(&percpu_once, percpu_init_once);
	k->nr_cpus = k->cfg.cpus;
	k->cpu_owner = calloc(k->nr_cpus, sizeof(*k->cpu_owner));
	return k->cpu_owner ? 0 : -ENOMEM;
}

void smp_exit(struct kmm *k)
{
	free(k->cpu_owner);
	k->cpu_owner = NULL;
}

void kmm_register_machine(struct kmm *k)
{
	pthread_mutex_lock(&machines_lock);
	list_add(&k->machines, &machines);
	pthread_mutex_unlock(&machines_lock);
}

void kmm_unregister_machine(struct kmm *k)
{
	pthread_mutex_lock(&machines_lock);
	list_del(&k->machines);
	pthread_mutex_unlock(&machines_lock);
}

/*
 * Slow path of smp_processor_id(): claims the lowest free CPU of k for
 * this thread, or returns -1 if all are taken (then retries only after a
 * thread has given one back).
 */
int kmm_claim_cpu(struct kmm *k)
{
	struct kmm_cpu_cache *c = &kmm_this_cpu_cache;
	unsigned long gen = __atomic_load_n(&k->cpu_release_gen, __ATOMIC_ACQUIRE);
	unsigned int cpu;

	if (c->kmm_id == k->id && c->cpu < 0 && c->release_gen == gen)
		return -1;
	for (cpu = 0; cpu < k->nr_cpus; cpu++) {
		void *expected = NULL;

		if (__atomic_load_n(&k->cpu_owner[cpu], __ATOMIC_RELAXED) == &thread_token)
			break;		/* ours already (the cache was for another machine) */
		if (__atomic_compare_exchange_n(&k->cpu_owner[cpu], &expected,
						&thread_token, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			break;
	}
	c->kmm_id = k->id;
	c->release_gen = gen;
	c->cpu = cpu < k->nr_cpus ? (int)cpu : -1;
	if (c->cpu >= 0 && !thread_has_cpus) {
		thread_has_cpus = true;
		pthread_setspecific(cpu_key, &thread_token);	/* release at exit */
	}
	return c->cpu;
}

/*
 * Makes every thread of the process execute a full memory barrier before
 * returning (or, without membarrier, relies on owners fencing themselves).
 */
void kmm_heavy_barrier(void)
{
	if (kmm_membarrier_ok)
		syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
	else
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Queues behind whoever holds ll->lock (a remote user, or the owner). */
void local_lock_slow(struct cpu_local_lock *ll)
{
	while (__atomic_exchange_n(&ll->lock, 1, __ATOMIC_ACQUIRE))
		sched_yield();
}

/* Any thread's side: exclusive use of a CPU's data, owner or not. */
void local_lock_remote(struct cpu_local_lock *ll)
{
	local_lock_slow(ll);
	__atomic_store_n(&ll->drain_req, 1, __ATOMIC_RELAXED);
	kmm_heavy_barrier();
	while (__atomic_load_n(&ll->busy, __ATOMIC_ACQUIRE))
		sched_yield();
}

void local_unlock_remote(struct cpu_local_lock *ll)
{
	__atomic_store_n(&ll->drain_req, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&ll->lock, 0, __ATOMIC_RELEASE);
}

void spin_lock_init(pthread_mutex_t *lock)
{
	pthread_mutexattr_t attr;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
	pthread_mutex_init(lock, &attr);
	pthread_mutexattr_destroy(&attr);
}
