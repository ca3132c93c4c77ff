/*
 * mm/mmap.h - address spaces and the mapping calls (mm/mmap.c), with the
 * Linux ABI's PROT_* and MAP_* values (the host's <sys/mman.h> has the
 * same ones, so either header may come first).
 */
#ifndef KMM_MM_MMAP_H
#define KMM_MM_MMAP_H

#include <sys/mman.h>
#include <kmm/mm_types.h>
#include <kmm/fs.h>
#include "mm/internal.h"
#include "mm/vma.h"

#ifndef PROT_SEM
#define PROT_SEM		0x8
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE	0x03
#endif
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED	0x4000000
#endif
#ifndef MAP_TYPE
#define MAP_TYPE		0x0f
#endif

#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE		1
#define MREMAP_FIXED		2
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT		1
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT		4
#endif

#define TASK_SIZE		0x00007ffffffff000ul

struct mm_struct *mm_alloc(void);
/* kernel/fork.c: a task on the machine's list with the next pid. */
struct task_struct *alloc_task(const char *comm);
void free_task(struct task_struct *t);
void mmput(struct mm_struct *mm);
/* Returns the address, or -errno. */
long do_mmap(struct mm_struct *mm, unsigned long addr, unsigned long len,
	     unsigned long prot, unsigned long flags);
/* The same with a file (NULL: anonymous) at page offset pgoff; flags
 * without MAP_ANONYMOUS are fine here (the caller opened the file). */
long do_mmap_pgoff(struct mm_struct *mm, struct file *file, unsigned long addr,
		   unsigned long len, unsigned long prot, unsigned long flags,
		   unsigned long pgoff);
int install_special_mapping(struct mm_struct *mm, unsigned long addr, unsigned long len,
			    unsigned long vm_flags, const char *name);
int vm_brk_flags(struct mm_struct *mm, unsigned long addr, unsigned long len,
		 unsigned long flags);
int expand_stack(struct mm_struct *mm, struct vm_area_struct *v, unsigned long addr);
bool may_expand_vm(struct mm_struct *mm, unsigned long flags, unsigned long npages);
/* mm/filemap.c: the page cache (see there). */
struct page *find_get_page(struct address_space *as, pgoff_t index);
struct page *filemap_get_page(struct address_space *as, pgoff_t index);
void truncate_inode_pages_range(struct address_space *as, pgoff_t start, pgoff_t end);
void truncate_inode_pages_final(struct address_space *as);
/* mm/shmem.c: a shared anonymous vma gets its shmem object ("/dev/zero"). */
int shmem_zero_setup(struct vm_area_struct *v);
void shmem_evict_inode(struct inode *inode);
int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len);
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
/* The vm_flags of PROT_* bits and a protection key (Linux's calc_vm_prot_bits). */
static inline unsigned long calc_vm_prot_bits(unsigned long prot, int pkey)
{
	return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) |
	       (prot & PROT_EXEC ? VM_EXEC : 0) |
	       ((unsigned long)pkey << VM_PKEY_SHIFT & ARCH_VM_PKEY_FLAGS);
}
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
/* Charge pages of committed memory for mm, or -ENOMEM (mm/util.c's
 * policy); the name is Linux's. */
int security_vm_enough_memory_mm(struct mm_struct *mm, long pages);
/* total_vm and the exec/stack/data counters for npages of a vma with
 * flags (negative: going away), as Linux's vm_stat_account. */
void vm_stat_account(struct mm_struct *mm, unsigned long flags, long npages);
/* mm/rmap.c: give v an anon_vma (its first write fault); free them all. */
int anon_vma_prepare(struct vm_area_struct *v);
void anon_vma_drop_unlinked(struct vm_area_struct *v);
/* Calls fn for every VMA and address that maps page, until fn returns
 * non-zero (which rmap_walk then returns). */
struct page;
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
struct vm_area_struct *vm_area_alloc(struct mm_struct *mm);
void vm_area_free(struct vm_area_struct *v);
/* Where len bytes of file (NULL: anonymous) at page pgoff go, for MAP_*
 * flags; the address or -errno (Linux's __get_unmapped_area). */
long get_unmapped_area(struct mm_struct *mm, struct file *file, unsigned long addr,
		       unsigned long len, unsigned long pgoff, unsigned long flags);
int vma_modify_flags(struct mm_struct *mm, unsigned long start, unsigned long end,
		     unsigned long newflags, struct vm_area_struct **vp);
struct vm_area_struct *vma_merge_neighbours(struct mm_struct *mm,
					    struct vm_area_struct *v);
/* mremap growing v in place: a merge with the next vma only. */
struct vm_area_struct *vma_merge_extend(struct mm_struct *mm, struct vm_area_struct *v);

#endif
