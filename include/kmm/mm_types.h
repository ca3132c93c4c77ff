/*
 * include/kmm/mm_types.h - struct page, the descriptor of one page frame.
 *
 * Glossary (the words the rest of kmm uses):
 *   page frame  4 KiB of simulated RAM, numbered by its pfn (phys >> 12).
 *   struct page one 64-byte descriptor per frame, in the vmemmap array, so
 *               pfn_to_page(pfn) is vmemmap + pfn (Linux's SPARSEMEM_VMEMMAP).
 *   buddy block 2^order free frames, aligned to their size, on a free list of
 *               its zone; its first page has PageBuddy and private == order.
 *   compound    a high-order allocation made with __GFP_COMP: the head page
 *               has PG_head, every tail page points to it (compound_head).
 *   zone        a pfn range with its own free lists and watermarks (mmzone.h).
 *   pageblock   2^pageblock_order frames sharing one migratetype.
 *
 * Field use by state (one declaration per line, meaning alongside):
 *   free in buddy: PageBuddy, private = order, lru on zone->free_area list
 *   on a pcp list: no type, private = order, lru on pcp->lists
 *   allocated:     _refcount >= 1, the rest belongs to the owner
 *   a slab:        PG_slab on the head page, slab_cache and slab set
 */
#ifndef KMM_MM_TYPES_H
#define KMM_MM_TYPES_H

#include <stdbool.h>

#include <kmm/list.h>
#include <kmm/rbtree.h>

typedef unsigned long pgoff_t;
typedef unsigned long phys_addr_t;

/*
 * A swap entry: which swap area (its type) and which page slot in it (the
 * offset), packed in one word as <kmm/swapops.h> makes it.  Zero is no
 * entry: offset 0 of every area is its header, never handed out.
 */
typedef struct {
	unsigned long val;
} swp_entry_t;

struct address_space;
struct kmem_cache;
struct slab;

struct page {
	unsigned long flags;		/* PG_* bits; zone number in the top bits */
	union {
		struct list_head lru;	/* free lists, pcp lists, later the LRU */
		struct {		/* tail pages of a compound page */
			unsigned long compound_head;	/* head | 1 */
			unsigned int compound_order;	/* in the first tail page */
			unsigned int compound_nr_pages_mapped;
		};
	};
	union {
		struct address_space *mapping;	/* file or anon_vma; NULL when free */
		struct kmem_cache *slab_cache;	/* PG_slab head: its cache */
	};
	pgoff_t index;			/* offset within mapping */
	union {
		unsigned long private;	/* buddy order while free; owner's use otherwise */
		struct slab *slab;	/* PG_slab head: the slab descriptor */
	};
	union {
		unsigned int page_type;	/* PGTY_* << 24 for typed pages (buddy) */
		int _mapcount;		/* -1: not mapped into any page table */
	};
	int _refcount;			/* 0: free; accessed atomically */
	unsigned long memcg_data;	/* memory cgroup, when memcg arrives */
};

_Static_assert(sizeof(struct page) == 64, "struct page must stay 64 bytes");

/*
 * A virtual memory area: [vm_start, vm_end) of one address space with one
 * set of flags and one backing (anonymous, or a file at vm_pgoff).  The
 * areas of an mm are kept in an rbtree by address, augmented with the
 * largest free gap below each subtree (rb_subtree_gap), and in a sorted
 * list, so lookups and free-space searches are O(log n) (mm/vma.c).
 */
struct mm_struct;
struct anon_vma;
struct file;

struct vm_area_struct {
	unsigned long vm_start;		/* first byte */
	unsigned long vm_end;		/* first byte after */
	struct vm_area_struct *vm_next;	/* sorted list */
	struct vm_area_struct *vm_prev;
	struct rb_node vm_rb;
	unsigned long rb_subtree_gap;	/* largest gap before any vma below */
	struct mm_struct *vm_mm;
	unsigned long vm_page_prot;	/* the pgprot its PTEs get */
	unsigned long vm_flags;		/* VM_READ, VM_WRITE, ... */
	unsigned long vm_pgoff;		/* offset in the file, or vm_start >> 12 */
	struct file *vm_file;		/* NULL: anonymous; holds a reference */
	struct anon_vma *anon_vma;
	const char *vm_special_name;	/* "[vdso]", "[vvar]": a special mapping's name */
	/* Reverse mapping (mm/rmap.c): on the lists of the anon_vma and the
	 * file it was registered with while it is in its mm's tree. */
	struct vm_area_struct *anon_next;	/* next VMA of rmap_av */
	struct vm_area_struct *i_mmap_next;	/* next VMA mapping rmap_file */
	struct anon_vma *rmap_av;
	struct file *rmap_file;
	bool rmap_linked;
	bool vm_maybe_guard;		/* guard markers were installed in it */
};

enum { MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES, NR_MM_COUNTERS };

/* mm->flags (Linux's MMF_*). */
#define MMF_OOM_SKIP		(1ul << 21)	/* the OOM killer took what it could: look elsewhere */

struct task_struct;

/* The x86 part of an address space (arch/x86's mm_context_t). */
typedef struct {
	unsigned short pkey_allocation_map;	/* bit k: protection key k is taken
						 * (key 0 always, from creation) */
	short execute_only_pkey;	/* the key of PROT_EXEC-only mappings; -1: none yet */
} mm_context_t;

struct mm_struct {
	struct rb_root mm_rb;		/* vmas by address */
	struct kmm *kmm;		/* the machine it lives in (mm_alloc) */
	mm_context_t context;		/* protection keys (arch/x86/mm/pkeys.c) */
	void *pgd;			/* pgd_t *: its page table (mm/memory.c) */
	struct task_struct *owner;	/* the task whose faults these are */
	unsigned int pcid;		/* its tag in the TLBs (1..4095) */
	struct vm_area_struct *mmap;	/* the lowest vma */
	int map_count;
	unsigned long highest_vm_end;	/* end of the highest vma */
	unsigned long mmap_base;	/* top-down allocation starts below */
	bool mmap_legacy;		/* bottom-up from mmap_base (legacy layout) */
	unsigned long task_size;
	unsigned long total_vm;		/* pages mapped */
	unsigned long locked_vm;	/* pages in VM_LOCKED vmas */
	unsigned long data_vm;		/* private writable, not stack (VmData) */
	unsigned long exec_vm;		/* executable, not writable (VmExe) */
	unsigned long stack_vm;		/* VM_STACK, i.e. VM_GROWSDOWN (VmStk) */
	unsigned long def_flags;	/* vm_flags every new vma gets (mlockall MCL_FUTURE) */
	unsigned long rlim_memlock;	/* RLIMIT_MEMLOCK in bytes; ~0ul: unlimited */
	bool cap_ipc_lock;		/* CAP_IPC_LOCK: mlock beyond the limit */
	bool cap_sys_admin;		/* may use the admin reserve (overcommit 2) */
	unsigned long start_code, end_code, start_data, end_data;
	unsigned long start_brk, brk;	/* the heap: [start_brk, PAGE_ALIGN(brk)) */
	bool brk_randomized;		/* brk may not go below start_brk (else end_data) */
	unsigned long start_stack;	/* the initial stack pointer's page */
	unsigned long arg_start, arg_end, env_start, env_end;
	unsigned long hiwater_vm;	/* VmPeak: the most total_vm has been */
	unsigned long hiwater_rss;	/* VmHWM (pages) */
	unsigned long rss_stat[4];	/* MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES */
	unsigned long pgtables_bytes;	/* VmPTE: page-table pages below the PGD */
	unsigned long pinned_vm;	/* VmPin */
	unsigned long flags;		/* MMF_* */
	/* Resource limits in bytes (~0ul: RLIM_INFINITY).  Linux keeps them
	 * in the task's signal struct; a simulated process has one thread,
	 * so they live with its address space. */
	unsigned long rlim_as;		/* RLIMIT_AS: total_vm */
	unsigned long rlim_data;	/* RLIMIT_DATA: data_vm and the heap */
	unsigned long rlim_stack;	/* RLIMIT_STACK: stack growth, mmap_base gap */
};

typedef unsigned int vm_fault_t;

/* What a fault is (handle_mm_fault's flags, Linux's enum fault_flag). */
#define FAULT_FLAG_WRITE	0x01
#define FAULT_FLAG_INSTRUCTION	0x02
#define FAULT_FLAG_USER		0x04

/* How it ended (0: the PTE is there now; Linux's enum vm_fault_reason). */
#define VM_FAULT_OOM		0x0001
#define VM_FAULT_SIGBUS		0x0002
#define VM_FAULT_MAJOR		0x0004
#define VM_FAULT_SIGSEGV	0x0040
#define VM_FAULT_ERROR		(VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV)

#endif /* KMM_MM_TYPES_H */
