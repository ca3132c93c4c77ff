/*
 * include/kmm/mmdebug.h - the memory manager's own assertions, as Linux's
 * include/linux/mmdebug.h.  They state what must never be true whatever
 * the caller does: a refcount below zero, an overlapping VMA, a PTE set
 * over a present one.  Bad input from a caller (a double free, a bad
 * address) is not for them: that is reported and refused (kmm_report).
 *
 * Levels, chosen at build time (cmake options of the same names):
 *   KMM_DEBUG_VM=OFF  VM_BUG_ON and VM_WARN_ON compile to nothing; their
 *                  condition is type-checked, never evaluated;
 *   KMM_DEBUG_VM   (on by default, as the list checks) a failed VM_BUG_ON*
 *                  prints "kernel BUG at file:line!", the condition and the
 *                  page, VMA or mm it is about, then aborts; VM_WARN_ON*
 *                  print and go on;
 *   KMM_DEBUG_VM_FULL  also runs the invariant checkers (VM_CHECK) at the
 *                  points where a structure changes, the way mimalloc's
 *                  full debug runs its page validator.
 */
#ifndef KMM_MMDEBUG_H
#define KMM_MMDEBUG_H

#include <stdbool.h>
#include <kmm/compiler.h>

struct page;
struct vm_area_struct;
struct mm_struct;

enum vm_dump_kind { VM_DUMP_NONE, VM_DUMP_PAGE, VM_DUMP_VMA, VM_DUMP_MM };

/* The report of a failed VM_BUG_ON*, then abort() (mm/debug.c). */
__attribute__((noreturn, cold)) void __vm_bug(const char *cond, const char *file, int line,
					      const char *func, enum vm_dump_kind kind,
					      const void *obj);
/* The report of a VM_WARN_ON* that fired ("WARNING: at file:line"). */
__cold void __vm_warn(const char *cond, const char *file, int line, const char *func,
		      enum vm_dump_kind kind, const void *obj);

/* Type-checks e without evaluating it (Linux's BUILD_BUG_ON_INVALID). */
#define BUILD_BUG_ON_INVALID(e) ((void)sizeof((long)(e)))

#if defined(KMM_DEBUG_VM) || defined(KMM_DEBUG_VM_FULL)
#define CONFIG_DEBUG_VM 1

#define __VM_BUG(cond, kind, obj)							\
	do {										\
		if (unlikely(cond))							\
			__vm_bug(#cond, __FILE__, __LINE__, __func__, kind, obj);	\
	} while (0)
#define VM_BUG_ON(cond)			__VM_BUG(cond, VM_DUMP_NONE, NULL)
#define VM_BUG_ON_PAGE(cond, page)	__VM_BUG(cond, VM_DUMP_PAGE, page)
#define VM_BUG_ON_VMA(cond, vma)	__VM_BUG(cond, VM_DUMP_VMA, vma)
#define VM_BUG_ON_MM(cond, mm)		__VM_BUG(cond, VM_DUMP_MM, mm)

/* Each evaluates to whether it fired, as Linux's WARN_ON does. */
#define __VM_WARN(cond, kind, obj)							\
	({										\
		bool __fired = !!(cond);						\
		if (unlikely(__fired))							\
			__vm_warn(#cond, __FILE__, __LINE__, __func__, kind, obj);	\
		__fired;								\
	})
#define __VM_WARN_ONCE(cond, kind, obj)							\
	({										\
		static bool __warned;							\
		bool __fired = !!(cond);						\
		if (unlikely(__fired) &&						\
		    !__atomic_exchange_n(&__warned, true, __ATOMIC_RELAXED))		\
			__vm_warn(#cond, __FILE__, __LINE__, __func__, kind, obj);	\
		__fired;								\
	})
#define VM_WARN_ON(cond)		__VM_WARN(cond, VM_DUMP_NONE, NULL)
#define VM_WARN_ON_ONCE(cond)		__VM_WARN_ONCE(cond, VM_DUMP_NONE, NULL)
#define VM_WARN_ON_ONCE_PAGE(cond, page) __VM_WARN_ONCE(cond, VM_DUMP_PAGE, page)
#define VM_WARN_ON_ONCE_VMA(cond, vma)	__VM_WARN_ONCE(cond, VM_DUMP_VMA, vma)
#define VM_WARN_ON_ONCE_MM(cond, mm)	__VM_WARN_ONCE(cond, VM_DUMP_MM, mm)
#else
#define VM_BUG_ON(cond)			BUILD_BUG_ON_INVALID(cond)
#define VM_BUG_ON_PAGE(cond, page)	VM_BUG_ON(cond)
#define VM_BUG_ON_VMA(cond, vma)	VM_BUG_ON(cond)
#define VM_BUG_ON_MM(cond, mm)		VM_BUG_ON(cond)
#define VM_WARN_ON(cond)		BUILD_BUG_ON_INVALID(cond)
#define VM_WARN_ON_ONCE(cond)		BUILD_BUG_ON_INVALID(cond)
#define VM_WARN_ON_ONCE_PAGE(cond, page) BUILD_BUG_ON_INVALID(cond)
#define VM_WARN_ON_ONCE_VMA(cond, vma)	BUILD_BUG_ON_INVALID(cond)
#define VM_WARN_ON_ONCE_MM(cond, mm)	BUILD_BUG_ON_INVALID(cond)
#endif

/*
 * VM_CHECK(call): with KMM_DEBUG_VM_FULL, runs an invariant checker (one
 * that returns 0, or non-zero after reporting what is broken) and stops
 * the machine if it fails; otherwise nothing, and call is not evaluated.
 */
#ifdef KMM_DEBUG_VM_FULL
#define CONFIG_DEBUG_VM_FULL 1
#define VM_CHECK(call)									\
	do {										\
		if (unlikely((call) != 0))						\
			__vm_bug(#call " found a broken invariant", __FILE__, __LINE__,	\
				 __func__, VM_DUMP_NONE, NULL);				\
	} while (0)
#else
#define VM_CHECK(call)			BUILD_BUG_ON_INVALID(call)
#endif

#endif
