/*
 * mm/mmap.h - address spaces and the mapping calls (mm/mmap.c) as mm/
 * shares them.  The entry points code outside mm/ calls (do_mmap,
 * do_munmap, get_unmapped_area, install_special_mapping, expand_stack,
 * ...) are in <kmm/mm.h>, the PROT_* and MAP_* values in <kmm/mman.h>,
 * mm_alloc and mmput in <kmm/sched.h> and the commit charge in
 * <kmm/security.h>, where Linux has them.
 */
#ifndef KMM_MM_MMAP_H
#define KMM_MM_MMAP_H

#include <kmm/mm_types.h>
#include <kmm/mman.h>
#include <kmm/sched.h>
#include <kmm/security.h>
#include <kmm/fs.h>
#include "mm/internal.h"
#include "mm/vma.h"

/* kernel/fork.c: a task on the machine's list with the next pid. */
struct task_struct *alloc_task(const char *comm);
void free_task(struct task_struct *t);
/* mm/filemap.c: the page cache (see there). */
struct page *find_get_page(struct address_space *as, pgoff_t index);
struct page *filemap_get_page(struct address_space *as, pgoff_t index);
/* mm/shmem.c: a shared anonymous vma gets its shmem object ("/dev/zero"). */
int shmem_zero_setup(struct vm_area_struct *v);
void shmem_evict_inode(struct inode *inode);
/* mm/mprotect.c: 0 or -errno.  pkey -1: keep or choose the key as a plain
 * mprotect does; else pkey_mprotect's key. */
long do_mprotect(struct mm_struct *mm, unsigned long start, unsigned long len,
		 unsigned long prot);
long do_mprotect_pkey(struct mm_struct *mm, unsigned long start, unsigned long len,
		      unsigned long prot, int pkey);
struct task_struct;
/* The key, or -errno (pkey_alloc(2)); 0 or -errno (pkey_free(2)). */
long sys_pkey_alloc(struct task_struct *t, unsigned long flags, unsigned long init_val);
long sys_pkey_free(struct task_struct *t, int pkey);
/* mm/mlock.c: 0 or -errno.  vm_flags: VM_LOCKED, optionally | VM_LOCKONFAULT. */
int do_mlock(struct mm_struct *mm, unsigned long start, unsigned long len,
	     unsigned long vm_flags);
int do_mlock2(struct mm_struct *mm, unsigned long start, unsigned long len,
	      unsigned int flags);
int do_munlock(struct mm_struct *mm, unsigned long start, unsigned long len);
int do_mlockall(struct mm_struct *mm, int flags);
int do_munlockall(struct mm_struct *mm);
/* May bytes more be locked under RLIMIT_MEMLOCK, for a vma of vm_flags? */
bool mlock_future_ok(const struct mm_struct *mm, unsigned long vm_flags,
		     unsigned long bytes);
/* The new break, or the old one if refused (Linux's sys_brk). */
unsigned long sys_brk(struct mm_struct *mm, unsigned long brk);
/* mm/rmap.c: give v an anon_vma (its first write fault); free them all. */
int anon_vma_prepare(struct vm_area_struct *v);
void anon_vma_drop_unlinked(struct vm_area_struct *v);
/* Calls fn for every VMA and address that maps page, until fn returns
 * non-zero (which rmap_walk then returns). */
struct page;
struct anon_vma *anon_vma_root(struct anon_vma *av);
int rmap_walk(struct page *page,
	      int (*fn)(struct page *, struct vm_area_struct *, unsigned long, void *),
	      void *arg);
/* fork: dst (the child's copy of src) gets an anon_vma chained to src's. */
int anon_vma_fork(struct vm_area_struct *dst, const struct vm_area_struct *src);
/* mm/mlock.c: fault in [start, start + len) as Linux's __mm_populate;
 * writable private VMAs get an anon_vma. */
int __mm_populate(struct mm_struct *mm, unsigned long start, unsigned long len,
		  bool ignore_errors);
/* 0 or -errno (mm/madvise.c). */
int do_madvise(struct mm_struct *mm, unsigned long start, unsigned long len, int behavior);
/* mm/msync.c, mm/mincore.c: msync(2) and mincore(2); 0 or -errno. */
long do_msync(struct mm_struct *mm, unsigned long start, unsigned long len, int flags);
long do_mincore(struct mm_struct *mm, unsigned long start, unsigned long len, unsigned char *vec);
/* Returns the (possibly new) address, or -errno (mm/mremap.c). */
long do_mremap(struct mm_struct *mm, unsigned long addr, unsigned long old_len,
	       unsigned long new_len, unsigned long flags, unsigned long new_addr);

/* Shared by mmap.c and mremap.c (Linux keeps these in mm/internal.h). */
/* vm.max_map_count's default: USHRT_MAX less a margin for ELF core dumps.
 * The limit in force is struct kmm's sysctl_max_map_count. */
#define DEFAULT_MAX_MAP_COUNT	65530
static inline int get_max_map_count(void)
{
	return kmm_cur()->mem->sysctl_max_map_count;
}
int vma_modify_flags(struct mm_struct *mm, unsigned long start, unsigned long end,
		     unsigned long newflags, struct vm_area_struct **vp);
struct vm_area_struct *vma_merge_neighbours(struct mm_struct *mm,
					    struct vm_area_struct *v);
/* mremap growing v in place: a merge with the next vma only. */
struct vm_area_struct *vma_merge_extend(struct mm_struct *mm, struct vm_area_struct *v);

#endif
