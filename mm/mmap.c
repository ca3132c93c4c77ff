/*
 * mm/mmap.c - address spaces and the mapping calls on them: mm_struct,
 * do_mmap (anonymous private mappings for now), do_munmap and, in
 * mprotect_fixup, the split and re-merge of mprotect (Linux's
 * mm/mmap.c, mm/vma.c and mm/mprotect.c).  Return values and errno follow
 * Linux 6.x; tests/mm/test_mmap.c replays random call sequences on the
 * host kernel and compares.
 *
 * mremap is in mm/mremap.c.  Not yet: shared and file mappings, brk, madvise, mlock, and the
 * processes that own address spaces (issue 5 continues).
 */
#include "mm/slab.h"
#include "mm/vma.h"
#include "mm/mmap.h"
#include "mm/memory.h"
#include "arch/x86/mm/pkeys.h"

#define MMAP_MIN_ADDR	65536ul

static struct kmem_cache *vma_cachep(struct kmm *k)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct kmem_cache *c = __atomic_load_n(&k->mem->slab->vm_area_cachep, __ATOMIC_ACQUIRE);

	if (c)
		return c;		/* the hot path: no lock, no name lookup */
	pthread_mutex_lock(&lock);
	c = kmem_cache_find("vm_area_struct");
	if (!c) {
		c = __kmem_cache_create(k, "vm_area_struct", sizeof(struct vm_area_struct),
					0, SLAB_HWCACHE_ALIGN, NULL);
		if (c)
			c->flags |= CFLGS_PERMANENT;
	}
	__atomic_store_n(&k->mem->slab->vm_area_cachep, c, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&lock);
	return c;
}

struct vm_area_struct *vm_area_alloc(struct mm_struct *mm)
{
	struct vm_area_struct *v = kmem_cache_zalloc(vma_cachep(mm->kmm), GFP_KERNEL);

	if (v)
		v->vm_mm = mm;
	return v;
}

void vm_area_free(struct vm_area_struct *v)
{
	anon_vma_drop_unlinked(v);
	fput(v->vm_file);
	kmem_cache_free(vma_cachep(kmm_cur()), v);
}

struct mm_struct *mm_alloc(void)
{
	struct mm_struct *mm = kzalloc(sizeof(*mm), GFP_KERNEL);

	if (!mm)
		return NULL;
	mm->kmm = kmm_cur();	/* a new address space is the current machine's */
	mm->pgd = pgd_alloc();
	if (!mm->pgd) {
		kfree(mm);
		return NULL;
	}
	mm->mm_rb = RB_ROOT;
	mm_pkeys_init(mm);
	/* Linux keeps 6 dynamic ASIDs per CPU; kmm tags each address space
	 * with its own PCID (1..4095, reused after 4095; exit flushes it). */
	mm->pcid = __atomic_add_fetch(&mm->kmm->mem->last_pcid, 1, __ATOMIC_RELAXED) % 4095 + 1;
	mm->task_size = TASK_SIZE;
	mm->mmap_base = TASK_SIZE - (128ul << 20);	/* no randomisation: the gap minimum */
	mm->rlim_memlock = 8ul << 20;	/* Linux's default RLIMIT_MEMLOCK (MLOCK_LIMIT) */
	mm->rlim_as = ~0ul;		/* RLIM_INFINITY, as for a login shell */
	mm->rlim_data = ~0ul;
	mm->rlim_stack = 8ul << 20;	/* _STK_LIM */
	return mm;
}

void mmput(struct mm_struct *mm)
{
	VM_CHECK(check_mm(mm));
	exit_mm_pages(mm);
	while (mm->mmap) {
		struct vm_area_struct *v = mm->mmap;

		if (v->vm_flags & VM_ACCOUNT)
			vm_unacct_memory(mm->kmm, (long)((v->vm_end - v->vm_start) >> PAGE_SHIFT));
		vma_unlink(mm, v);
		vm_area_free(v);
	}
	free_pgtables(mm, 0, TASK_SIZE);
	pgd_free(mm->pgd);
	kfree(mm);
}

int security_vm_enough_memory_mm(struct mm_struct *mm, long pages)
{
	return __vm_enough_memory(mm->kmm, mm->total_vm, pages, mm->cap_sys_admin);
}

void vm_stat_account(struct mm_struct *mm, unsigned long flags, long npages)
{
	if (npages < 0 && mm->total_vm > mm->hiwater_vm)
		mm->hiwater_vm = mm->total_vm;	/* update_hiwater_vm */
	mm->total_vm += (unsigned long)npages;
	if ((flags & (VM_EXEC | VM_WRITE | VM_STACK)) == VM_EXEC)
		mm->exec_vm += (unsigned long)npages;
	else if (flags & VM_STACK)
		mm->stack_vm += (unsigned long)npages;
	else if ((flags & (VM_WRITE | VM_SHARED)) == VM_WRITE)
		mm->data_vm += (unsigned long)npages;
}

/* keep takes over gone, its neighbour: bounds, anon_vma if it had none,
 * and gone's guard markers (fork must still copy their page table). */
static void vma_absorb(struct mm_struct *mm, struct vm_area_struct *keep,
		       struct vm_area_struct *gone)
{
	unsigned long start = min(keep->vm_start, gone->vm_start);
	unsigned long end = max(keep->vm_end, gone->vm_end);

	if (!keep->anon_vma && gone->anon_vma)
		vma_set_anon_vma(keep, gone->anon_vma);
	keep->vm_maybe_guard |= gone->vm_maybe_guard;
	vma_unlink(mm, gone);
	vm_area_free(gone);
	vma_adjust_bounds(mm, keep, start, end);
}

/* Merges v with its neighbours where the merge rule allows. */
struct vm_area_struct *vma_merge_neighbours(struct mm_struct *mm,
						   struct vm_area_struct *v)
{
	struct vm_area_struct *prev = v->vm_prev, *next = v->vm_next;
	bool left = prev && can_vma_merge(prev, v);

	/* Both sides may each merge with v, yet not with each other (two
	 * anon_vmas): Linux then merges to the left only. */
	if (next && can_vma_merge(v, next) &&
	    !(left && prev->anon_vma && next->anon_vma && prev->anon_vma != next->anon_vma))
		vma_absorb(mm, v, next);
	if (prev && can_vma_merge(prev, v)) {
		vma_absorb(mm, prev, v);
		v = prev;
	}
	return v;
}

/*
 * mremap's in-place growth (Linux's vma_merge_extend): the grown range
 * is new space after v, so it may join the next vma; v's merge with its
 * previous neighbour is not looked at again.
 */
struct vm_area_struct *vma_merge_extend(struct mm_struct *mm, struct vm_area_struct *v)
{
	if (v->vm_next && can_vma_merge(v, v->vm_next))
		vma_absorb(mm, v, v->vm_next);
	return v;
}

/* Splits so that a vma boundary falls at addr (if addr is inside one). */
static int split_at(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *v = find_vma(mm, addr), *n;

	if (!v || v->vm_start >= addr)
		return 0;
	if (mm->map_count >= get_max_map_count())
		return -ENOMEM;
	n = vm_area_alloc(mm);
	if (!n)
		return -ENOMEM;
	return __split_vma(mm, v, n, addr, 0);
}

/*
 * Gives [start, end), which lies inside one VMA, the flags newflags:
 * split off what is outside, change, merge with the neighbours if the
 * rule allows (Linux's vma_modify_flags).  *vp gets the VMA holding start.
 */
int vma_modify_flags(struct mm_struct *mm, unsigned long start, unsigned long end,
		     unsigned long newflags, struct vm_area_struct **vp)
{
	struct vm_area_struct *v = find_vma(mm, start);
	int err;

	if (v->vm_flags == newflags) {
		*vp = v;
		return 0;
	}
	err = split_at(mm, start);
	err = err ?: split_at(mm, end);
	if (err)
		return err;
	v = find_vma(mm, start);
	v->vm_flags = newflags;
	*vp = vma_merge_neighbours(mm, v);
	return 0;
}

int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	unsigned long end;
	struct vm_area_struct *v;
	int err;

	if ((start & ~PAGE_MASK) || start > TASK_SIZE || len > TASK_SIZE - start)
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (!len)
		return -EINVAL;
	end = start + len;
	if (!find_vma_intersection(mm, start, end))
		return 0;
	err = split_at(mm, start);
	err = err ?: split_at(mm, end);
	if (err)
		return err;
	zap_page_range(mm, start, end);
	while ((v = find_vma_intersection(mm, start, end))) {
		vm_stat_account(mm, v->vm_flags, -(long)((v->vm_end - v->vm_start) >> PAGE_SHIFT));
		if (v->vm_flags & VM_ACCOUNT)
			vm_unacct_memory(mm->kmm, (long)((v->vm_end - v->vm_start) >> PAGE_SHIFT));
		if (v->vm_flags & VM_LOCKED)
			mm->locked_vm -= (v->vm_end - v->vm_start) >> PAGE_SHIFT;
		vma_unlink(mm, v);
		vm_area_free(v);
	}
	free_pgtables(mm, start, end);
	return 0;
}

/*
 * x86's arch_get_unmapped_area(_topdown): a free hint (rounded down to a
 * page, clear of the next stack's guard gap) is taken as it is; else the
 * search, top-down below mmap_base or bottom-up above it (legacy layout).
 */
static long arch_get_unmapped_area(struct mm_struct *mm, unsigned long addr,
				   unsigned long len, unsigned long flags)
{
	if (flags & MAP_FIXED)
		return (long)addr;
	if (addr) {
		struct vm_area_struct *next;

		addr &= PAGE_MASK;
		next = find_vma(mm, addr);
		if (TASK_SIZE - len >= addr && addr >= MMAP_MIN_ADDR &&
		    (!next || addr + len <= vm_start_gap(next)) &&
		    !(next && next->vm_start <= addr))
			return (long)addr;
	}
	if (mm->mmap_legacy)
		return unmapped_area(mm, len, mm->mmap_base, TASK_SIZE);
	return unmapped_area_topdown(mm, len, MMAP_MIN_ADDR, mm->mmap_base);
}

/*
 * Linux's __thp_get_unmapped_area: an anonymous mapping of a multiple of
 * 2 MiB is placed 2 MiB-aligned (so that huge pages can map it) by
 * searching for 2 MiB more and aligning inside; top-down, an aligned find
 * moves up by 2 MiB so the mapping ends where the padded area does.
 * Done whether or not THP is enabled, as in Linux.  0: not possible.
 */
static long thp_get_unmapped_area(struct mm_struct *mm, unsigned long addr, unsigned long len,
				  unsigned long off, unsigned long flags)
{
	unsigned long off_end = off + len, off_align = (off + PMD_SIZE - 1) & PMD_MASK;
	unsigned long len_pad = len + PMD_SIZE, off_sub;
	long ret;

	if (off_end <= off_align || off_end - off_align < PMD_SIZE)
		return 0;
	if (len_pad < len || off + len_pad < off)
		return 0;
	ret = arch_get_unmapped_area(mm, addr, len_pad, flags);
	if ((unsigned long)ret >= -4095ul)
		return 0;		/* the padding may not fit: the plain search */
	if ((unsigned long)ret == addr)
		return ret;
	off_sub = (off - (unsigned long)ret) & (PMD_SIZE - 1);
	if (!mm->mmap_legacy && !off_sub)
		return ret + (long)PMD_SIZE;
	return ret + (long)off_sub;
}

/*
 * Linux's shmem_get_unmapped_area: a shared anonymous (or tmpfs) mapping
 * of at least 2 MiB is moved to where its offset lines up with a 2 MiB
 * boundary, when huge pages are allowed for shmem
 * (transparent_hugepage_shmem=, the host's shmem_enabled); a hint that
 * was free is kept.
 */
static long shmem_get_unmapped_area(struct mm_struct *mm, unsigned long uaddr,
				    unsigned long len, unsigned long pgoff, unsigned long flags)
{
	int huge = mm->kmm->cfg.shmem_huge;
	long addr = arch_get_unmapped_area(mm, uaddr, len, flags), inflated;
	unsigned long offset, inflated_len, inflated_offset;

	if ((unsigned long)addr >= -4095ul || ((unsigned long)addr & ~PAGE_MASK) ||
	    (unsigned long)addr > TASK_SIZE - len)
		return addr;
	if (huge == SHMEM_HUGE_DENY || huge == SHMEM_HUGE_NEVER || (flags & MAP_FIXED) ||
	    (unsigned long)addr == uaddr || len < PMD_SIZE)
		return addr;
	offset = (pgoff << PAGE_SHIFT) & (PMD_SIZE - 1);
	if (offset && offset + len < 2 * PMD_SIZE)
		return addr;
	if (((unsigned long)addr & (PMD_SIZE - 1)) == offset)
		return addr;
	inflated_len = len + PMD_SIZE - PAGE_SIZE;
	if (inflated_len > TASK_SIZE || inflated_len < len)
		return addr;
	inflated = arch_get_unmapped_area(mm, uaddr, inflated_len, flags);
	if ((unsigned long)inflated >= -4095ul || ((unsigned long)inflated & ~PAGE_MASK))
		return addr;
	inflated_offset = (unsigned long)inflated & (PMD_SIZE - 1);
	inflated += (long)offset - (long)inflated_offset;
	if (inflated_offset > offset)
		inflated += (long)PMD_SIZE;
	if ((unsigned long)inflated > TASK_SIZE - len)
		return addr;
	return inflated;
}

/*
 * Where a mapping of len bytes goes (Linux's __get_unmapped_area): shmem
 * objects (MAP_SHARED anonymous, or a shmem file as mremap passes) go
 * through shmem's placement, anonymous private mappings of whole 2 MiB
 * blocks without a hint through THP's, the rest through the arch's.
 */
long get_unmapped_area(struct mm_struct *mm, struct file *file, unsigned long addr,
		       unsigned long len, unsigned long pgoff, unsigned long flags)
{
	long where;

	if (len > TASK_SIZE)
		return -ENOMEM;
	if (!file)
		pgoff = 0;		/* anonymous memory: offset 0 */
	if (file ? file->f_inode->i_shmem : (flags & MAP_SHARED) != 0)
		where = shmem_get_unmapped_area(mm, addr, len, pgoff, flags);
	else if (!file && !addr && !(len & (PMD_SIZE - 1)))
		where = thp_get_unmapped_area(mm, addr, len, pgoff, flags) ?:
			arch_get_unmapped_area(mm, addr, len, flags);
	else
		where = arch_get_unmapped_area(mm, addr, len, flags);
	if ((unsigned long)where >= -4095ul)	/* IS_ERR_VALUE: -errno; an address
						 * at the very top is not one */
		return where;
	if ((unsigned long)where > TASK_SIZE - len)
		return -ENOMEM;
	if (where & ~PAGE_MASK)
		return -EINVAL;
	return where;
}

/*
 * May mm grow by npages of a mapping with flags?  RLIMIT_AS bounds
 * total_vm, RLIMIT_DATA bounds private writable non-stack memory
 * (Linux's may_expand_vm).
 */
bool may_expand_vm(struct mm_struct *mm, unsigned long flags, unsigned long npages)
{
	if (mm->total_vm + npages > mm->rlim_as >> PAGE_SHIFT)
		return false;
	if ((flags & (VM_WRITE | VM_SHARED | VM_STACK)) == VM_WRITE &&
	    mm->data_vm + npages > mm->rlim_data >> PAGE_SHIFT)
		return false;
	return true;
}

/* The vm_flags MAP_* asks for (Linux's calc_vm_flag_bits). */
static unsigned long calc_vm_flag_bits(unsigned long flags)
{
	return (flags & MAP_GROWSDOWN ? VM_GROWSDOWN : 0) |
	       (flags & MAP_LOCKED ? VM_LOCKED : 0);
}

/* The mmap flags Linux accepts with MAP_SHARED_VALIDATE. */
#define LEGACY_MAP_MASK	(MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | \
			 MAP_DENYWRITE | MAP_EXECUTABLE | MAP_UNINITIALIZED | \
			 MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | \
			 MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB)

/*
 * What the mapping type allows, and the vm_flags it adds (the switch on
 * MAP_TYPE in Linux's do_mmap).  *pgoff becomes the anonymous offset.
 */
static long mmap_type_flags(struct file *file, unsigned long addr, unsigned long prot,
			    unsigned long flags, unsigned long *vm_flags, unsigned long *pgoff)
{
	unsigned long type = flags & MAP_TYPE;

	if (file) {
		if (type == MAP_SHARED_VALIDATE && (flags & ~LEGACY_MAP_MASK))
			return -EOPNOTSUPP;
		if (type == MAP_SHARED || type == MAP_SHARED_VALIDATE) {
			if ((prot & PROT_WRITE) && !(file->f_mode & FMODE_WRITE))
				return -EACCES;
			*vm_flags |= VM_SHARED | VM_MAYSHARE;
			if (!(file->f_mode & FMODE_WRITE))
				*vm_flags &= ~(VM_MAYWRITE | VM_SHARED);
			return 0;
		}
		if (type != MAP_PRIVATE)
			return -EINVAL;
		if (!(file->f_mode & FMODE_READ))
			return -EACCES;
		return 0;
	}
	if (type == MAP_SHARED) {
		if (*vm_flags & VM_GROWSDOWN)
			return -EINVAL;
		*pgoff = 0;
		*vm_flags |= VM_SHARED | VM_MAYSHARE;
		return 0;
	}
	if (type != MAP_PRIVATE)
		return -EINVAL;
	*pgoff = addr >> PAGE_SHIFT;
	return 0;
}

/* A hint is a page; one below mmap_min_addr is moved up to it. */
static unsigned long round_hint_to_min(unsigned long hint)
{
	hint &= PAGE_MASK;
	if (hint && hint < MMAP_MIN_ADDR)
		return MMAP_MIN_ADDR;
	return hint;
}

/*
 * Linux's mmap_region: [addr, addr + len), chosen and checked by
 * do_mmap_pgoff, becomes one VMA with vm_flags: the address-space limit
 * and the commit charge (what a replaced range had charged carries over),
 * whatever was mapped there unmapped, the VMA made (a shared anonymous one
 * gets its /dev/zero object), linked, counted and merged.
 */
static long mmap_region(struct mm_struct *mm, struct file *file, unsigned long addr,
			unsigned long len, unsigned long vm_flags, unsigned long pgoff)
{
	unsigned long replaced = vma_pages_with_flags(mm, addr, addr + len, ~0ul);
	struct vm_area_struct *v;
	long err;

	if (!may_expand_vm(mm, vm_flags, (len >> PAGE_SHIFT) - replaced))
		return -ENOMEM;
	if ((vm_flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE) {
		unsigned long old = vma_pages_with_flags(mm, addr, addr + len, VM_ACCOUNT);
		long charged = (long)(len >> PAGE_SHIFT) - (long)old;

		if (charged && security_vm_enough_memory_mm(mm, charged))
			return -ENOMEM;
		vm_flags |= VM_ACCOUNT;
		vm_acct_memory(mm->kmm, (long)old);	/* the munmap below uncharges it */
	}
	if (replaced) {
		err = do_munmap(mm, addr, len);
		if (err)
			return err;
	}
	v = vm_area_alloc(mm);
	if (!v)
		goto unacct;
	v->vm_start = addr;
	v->vm_end = addr + len;
	v->vm_flags = vm_flags | VM_SOFTDIRTY;
	v->vm_pgoff = pgoff;
	if (file) {
		v->vm_file = get_file(file);
	} else if (vm_flags & VM_SHARED) {
		if (shmem_zero_setup(v)) {
			vm_area_free(v);
			goto unacct;
		}
	}
	vma_link(mm, v);
	vm_stat_account(mm, vm_flags, (long)(len >> PAGE_SHIFT));
	if (vm_flags & VM_LOCKED)
		mm->locked_vm += len >> PAGE_SHIFT;
	vma_merge_neighbours(mm, v);
	return (long)addr;
unacct:
	if (vm_flags & VM_ACCOUNT)
		vm_unacct_memory(mm->kmm, (long)(len >> PAGE_SHIFT));
	return -ENOMEM;
}

/*
 * Linux's do_mmap: the checks of mmap(2) (length, offset, map count, the
 * execute-only key, the address, MAP_FIXED_NOREPLACE, mlock and type
 * flags), then mmap_region makes the mapping and MAP_POPULATE / VM_LOCKED
 * fault it in.
 */
long do_mmap_pgoff(struct mm_struct *mm, struct file *file, unsigned long addr,
		   unsigned long len, unsigned long prot, unsigned long flags,
		   unsigned long pgoff)
{
	unsigned long vm_flags;
	long where, err;
	int pkey = 0;

	if (!len)
		return -EINVAL;
	if (flags & MAP_FIXED_NOREPLACE)
		flags |= MAP_FIXED;
	if (!(flags & MAP_FIXED))
		addr = round_hint_to_min(addr);
	len = PAGE_ALIGN(len);
	if (!len)
		return -ENOMEM;				/* overflowed */
	if (pgoff + (len >> PAGE_SHIFT) < pgoff)
		return -EOVERFLOW;
	if (mm->map_count > get_max_map_count())
		return -ENOMEM;
	/* With protection keys, PROT_EXEC alone is execute-only; the key is
	 * taken before the address is chosen, so even a call that then fails
	 * (EEXIST, ENOMEM) leaves it allocated, as on Linux 6.18. */
	if (prot == PROT_EXEC) {
		pkey = execute_only_pkey(mm);
		if (pkey < 0)
			pkey = 0;
	}
	where = get_unmapped_area(mm, file, addr, len, pgoff, flags);
	if (where < 0)
		return where;
	addr = (unsigned long)where;
	if ((flags & MAP_FIXED_NOREPLACE) && find_vma_intersection(mm, addr, addr + len))
		return -EEXIST;
	vm_flags = calc_vm_prot_bits(prot, pkey) | calc_vm_flag_bits(flags) | mm->def_flags |
		   VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
	if (!mlock_future_ok(mm, vm_flags, len))
		return -EAGAIN;
	err = mmap_type_flags(file, addr, prot, flags, &vm_flags, &pgoff);
	if (err)
		return err;
	/* MAP_NORESERVE is honoured unless overcommit is never allowed. */
	if ((flags & MAP_NORESERVE) && mm->kmm->mem->sysctl_overcommit_memory != OVERCOMMIT_NEVER)
		vm_flags |= VM_NORESERVE;
	if (flags & MAP_STACK)
		vm_flags |= VM_NOHUGEPAGE;	/* 6.7+: no THP for thread stacks */
	where = mmap_region(mm, file, addr, len, vm_flags, pgoff);
	if (where >= 0 &&
	    ((vm_flags & VM_LOCKED) || (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE))
		__mm_populate(mm, addr, len, true);
	return where;
}

long do_mmap(struct mm_struct *mm, unsigned long addr, unsigned long len,
	     unsigned long prot, unsigned long flags)
{
	if (!len)
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS))
		return -EBADF;				/* no file given */
	return do_mmap_pgoff(mm, NULL, addr, len, prot, flags, 0);
}

/*
 * Maps a kernel-provided object (the vDSO and its data pages) as Linux's
 * _install_special_mapping: never merged, never expanded, named in maps.
 */
int install_special_mapping(struct mm_struct *mm, unsigned long addr, unsigned long len,
			    unsigned long vm_flags, const char *name)
{
	struct vm_area_struct *v = vm_area_alloc(mm);

	if (!v)
		return -ENOMEM;
	v->vm_start = addr;
	v->vm_end = addr + len;
	v->vm_flags = vm_flags | mm->def_flags | VM_DONTEXPAND | VM_SOFTDIRTY;
	v->vm_special_name = name;
	vma_link(mm, v);
	vm_stat_account(mm, v->vm_flags, (long)(len >> PAGE_SHIFT));
	return 0;
}

/*
 * Grows the heap by [addr, addr + len): the VMA just below is expanded if
 * it ends at addr and is compatible, else a new VMA is made; unlike mmap
 * it never merges with what lies above (Linux's do_brk_flags).
 */
static int do_brk_flags(struct mm_struct *mm, unsigned long addr, unsigned long len,
			unsigned long extra)
{
	unsigned long flags = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC |
			      VM_ACCOUNT | mm->def_flags | extra;
	struct vm_area_struct *prev = find_vma(mm, addr - 1), *v;

	if (!may_expand_vm(mm, flags, len >> PAGE_SHIFT))
		return -ENOMEM;
	if (mm->map_count > get_max_map_count())
		return -ENOMEM;
	if (security_vm_enough_memory_mm(mm, (long)(len >> PAGE_SHIFT)))
		return -ENOMEM;
	v = vm_area_alloc(mm);
	if (!v) {
		vm_unacct_memory(mm->kmm, (long)(len >> PAGE_SHIFT));
		return -ENOMEM;
	}
	v->vm_start = addr;
	v->vm_end = addr + len;
	v->vm_flags = flags;
	v->vm_pgoff = addr >> PAGE_SHIFT;
	if (prev && prev->vm_end == addr && can_vma_merge(prev, v)) {
		vm_area_free(v);
		vma_adjust_bounds(mm, prev, prev->vm_start, addr + len);
		v = prev;
	} else {
		vma_link(mm, v);
	}
	v->vm_flags |= VM_SOFTDIRTY;
	vm_stat_account(mm, flags, (long)(len >> PAGE_SHIFT));
	if (flags & VM_LOCKED)
		mm->locked_vm += len >> PAGE_SHIFT;
	return 0;
}

/*
 * The brk system call: returns the new break, or the old one when the
 * request is refused (below the data segment, colliding with the next
 * mapping or its stack guard gap, or out of memory).  The break itself
 * is byte-exact; the heap VMA ends at its page-aligned value.
 */
unsigned long sys_brk(struct mm_struct *mm, unsigned long brk)
{
	unsigned long origbrk = mm->brk, newbrk, oldbrk;
	unsigned long min_brk = mm->brk_randomized ? mm->start_brk : mm->end_data;
	struct vm_area_struct *next;

	if (brk < min_brk || brk > TASK_SIZE)
		return origbrk;
	/* check_data_rlimit: the heap and the data segment share RLIMIT_DATA. */
	if (mm->rlim_data != ~0ul &&
	    (brk - mm->start_brk) + (mm->end_data - mm->start_data) > mm->rlim_data)
		return origbrk;
	newbrk = PAGE_ALIGN(brk);
	oldbrk = PAGE_ALIGN(mm->brk);
	if (oldbrk == newbrk) {
		mm->brk = brk;
		return brk;
	}
	if (brk <= mm->brk) {		/* shrinking is always allowed */
		struct vm_area_struct *v = find_vma(mm, newbrk);

		if (!v || v->vm_start >= oldbrk)
			return origbrk;	/* not our heap there */
		if (do_munmap(mm, newbrk, oldbrk - newbrk))
			return origbrk;
		mm->brk = brk;
		return brk;
	}
	next = find_vma(mm, oldbrk);
	if (next && next->vm_start < newbrk + PAGE_SIZE + STACK_GUARD_GAP &&
	    newbrk + PAGE_SIZE > vm_start_gap(next))
		return origbrk;
	if (do_brk_flags(mm, oldbrk, newbrk - oldbrk, 0))
		return origbrk;
	mm->brk = brk;
	if (mm->def_flags & VM_LOCKED)
		__mm_populate(mm, oldbrk, newbrk - oldbrk, true);
	return brk;
}

/* An anonymous heap-like area at addr (the ELF loader's .bss). */
int vm_brk_flags(struct mm_struct *mm, unsigned long addr, unsigned long len,
		 unsigned long flags)
{
	if (!len)
		return 0;
	if (addr > TASK_SIZE - len)
		return -ENOMEM;
	return do_brk_flags(mm, addr, len, flags);
}

/*
 * Grows a VM_GROWSDOWN VMA down to addr (expand_downwards): not into the
 * guard gap above an accessible non-stack neighbour, and within
 * RLIMIT_AS, RLIMIT_STACK, RLIMIT_MEMLOCK and the overcommit policy
 * (acct_stack_growth).  0 or -ENOMEM; the fault then says SEGV_MAPERR.
 */
int expand_stack(struct mm_struct *mm, struct vm_area_struct *v, unsigned long addr)
{
	struct vm_area_struct *prev = v->vm_prev;
	unsigned long grow;

	addr &= PAGE_MASK;
	if (addr < MMAP_MIN_ADDR)
		return -EPERM;
	if (prev && !(prev->vm_flags & VM_GROWSDOWN) && (prev->vm_flags & VM_ACCESS_FLAGS) &&
	    addr - prev->vm_end < STACK_GUARD_GAP)
		return -ENOMEM;
	if (prev && prev->vm_end > addr)
		return -ENOMEM;
	/* Before the limits, as expand_downwards: a growth refused below
	 * still leaves the VMA its anon_vma (it changes later merges). */
	if (anon_vma_prepare(v))
		return -ENOMEM;
	if (addr >= v->vm_start)
		return 0;
	grow = (v->vm_start - addr) >> PAGE_SHIFT;
	if (grow > v->vm_pgoff)
		return -ENOMEM;
	if (!may_expand_vm(mm, v->vm_flags, grow) || v->vm_end - addr > mm->rlim_stack ||
	    !mlock_future_ok(mm, v->vm_flags, grow << PAGE_SHIFT))
		return -ENOMEM;
	/* Only an accounted stack is charged, so that Committed_AS always
	 * equals the VM_ACCOUNT pages (Linux charges any growth). */
	if ((v->vm_flags & VM_ACCOUNT) && security_vm_enough_memory_mm(mm, (long)grow))
		return -ENOMEM;
	if (v->vm_flags & VM_LOCKED)
		mm->locked_vm += grow;
	vm_stat_account(mm, v->vm_flags, (long)grow);
	vma_adjust_bounds(mm, v, addr, v->vm_end);	/* vm_pgoff moves down with it */
	return 0;
}
