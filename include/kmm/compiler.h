/*
 * include/kmm/compiler.h - the handful of compiler helpers the kernel's code
 * style leans on: container_of, likely/unlikely, READ_ONCE/WRITE_ONCE,
 * barriers and static-assert, spelled as in Linux.
 */
#ifndef KMM_COMPILER_H
#define KMM_COMPILER_H

#include <stddef.h>
#include <stdbool.h>

#ifndef container_of
#define container_of(ptr, type, member)                                       \
	((type *)((char *)(ptr) - offsetof(type, member)))
#endif

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

#define barrier() __asm__ __volatile__("" ::: "memory")
#define smp_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)

/* Spelled exactly as glibc's sys/cdefs.h, so either may come first. */
#ifndef __always_inline
#define __always_inline __inline __attribute__ ((__always_inline__))
#endif
#define __noinline __attribute__((noinline))
#define __cold __attribute__((cold))
#define __maybe_unused __attribute__((unused))
#define __printf(a, b) __attribute__((format(printf, a, b)))
/*
 * Data that is libkmm's own, which no program outside it reaches: -fPIC
 * code then loads it PC-relative in one instruction instead of through
 * the GOT.  For the words the allocators' fast paths test.
 */
#define __kmm_hidden __attribute__((visibility("hidden")))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BUILD_BUG_ON(cond) _Static_assert(!(cond), #cond)

#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define ALIGN(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)

#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define min_t(t, a, b) ((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b) ((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define clamp(v, lo, hi) min(max(v, lo), hi)

#endif /* KMM_COMPILER_H */
