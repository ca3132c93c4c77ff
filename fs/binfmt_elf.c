/*
 * fs/binfmt_elf.c - loading an ELF program into a fresh address space, as
 * Linux's load_elf_binary does for a dynamically linked PIE: the
 * program's PT_LOAD segments at ELF_ET_DYN_BASE (+ a random offset), its
 * .bss past the file's last page as an anonymous area, the interpreter
 * (ld-linux) in the mmap area, then the heap's start.
 *
 * The simulated disk holds no real files yet, so the programs are
 * built in: their program headers are those of Debian 12's binaries
 * (readelf -lW /usr/bin/cat, /usr/bin/dash, ld-linux-x86-64.so.2), which
 * is what makes the layout comparable with the host kernel's (see
 * tests/kernel/test_exec.c).  Any other name runs a copy of cat's image
 * under /usr/bin/NAME.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kmm/fs.h>
#include <kmm/mman.h>
#include <kmm/sched.h>
#include "fs/exec.h"

#define PF_X	1
#define PF_W	2
#define PF_R	4

static const struct elf_image image_cat = {
	.size = 44016,
	.nr_load = 4,
	.load = {
		{ 0x000000, 0x000000, 0x001720, 0x001720, PF_R },
		{ 0x002000, 0x002000, 0x004da9, 0x004da9, PF_R | PF_X },
		{ 0x007000, 0x007000, 0x0020e8, 0x0020e8, PF_R },
		{ 0x009c30, 0x00ac30, 0x000650, 0x0007e8, PF_R | PF_W },
	},
	.interp = "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
};

static const struct elf_image image_dash = {
	.size = 125640,
	.nr_load = 4,
	.load = {
		{ 0x000000, 0x000000, 0x0036d8, 0x0036d8, PF_R },
		{ 0x004000, 0x004000, 0x012bb9, 0x012bb9, PF_R | PF_X },
		{ 0x017000, 0x017000, 0x005864, 0x005864, PF_R },
		{ 0x01ce30, 0x01de30, 0x001410, 0x004140, PF_R | PF_W },
	},
	.interp = "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
};

static const struct elf_image image_ld = {
	.size = 215000,
	.nr_load = 4,
	.load = {
		{ 0x000000, 0x000000, 0x000d58, 0x000d58, PF_R },
		{ 0x001000, 0x001000, 0x025111, 0x025111, PF_R | PF_X },
		{ 0x027000, 0x027000, 0x009c7c, 0x009c7c, PF_R },
		{ 0x031900, 0x031900, 0x002810, 0x0029d8, PF_R | PF_W },
	},
};

/* The disk: a path, its inode number, and the image it holds. */
struct rootfs_entry {
	struct rootfs_entry *next;
	char path[128];
	unsigned long ino;
	const struct elf_image *img;
	struct inode *inode;		/* while open: the in-memory inode */
};

static const struct {
	const char *path;
	unsigned long ino;
	const struct elf_image *img;
} rootfs_files[] = {
	{ "/usr/bin/cat", 1310721, &image_cat },
	{ "/usr/bin/dash", 1310722, &image_dash },
	{ "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", 1310723, &image_ld },
};

static struct rootfs_entry *rootfs_add(struct kmm *k, const char *path, unsigned long ino,
				       const struct elf_image *img)
{
	struct rootfs_entry *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	snprintf(e->path, sizeof(e->path), "%s", path);
	e->ino = ino;
	e->img = img;
	e->next = k->fs->rootfs;
	k->fs->rootfs = e;
	return e;
}

static struct rootfs_entry *rootfs_lookup(const char *path)
{
	struct kmm *k = kmm_cur();
	struct rootfs_entry *e;
	size_t i;

	if (!k->fs->rootfs)
		for (i = 0; i < ARRAY_SIZE(rootfs_files); i++)
			rootfs_add(k, rootfs_files[i].path, rootfs_files[i].ino, rootfs_files[i].img);
	for (e = k->fs->rootfs; e; e = e->next)
		if (!strcmp(e->path, path))
			return e;
	return NULL;
}

void rootfs_exit(struct kmm *k)
{
	while (k->fs->rootfs) {
		struct rootfs_entry *e = k->fs->rootfs;

		k->fs->rootfs = e->next;
		free(e);
	}
}

static void rootfs_evict(struct inode *inode)
{
	struct rootfs_entry *e = inode->i_private;

	e->inode = NULL;
}

static struct file *rootfs_open(struct rootfs_entry *e, int *err)
{
	struct file *f;

	if (e->inode) {
		e->inode->i_count++;
	} else {
		e->inode = new_inode(ROOT_DEV, e->ino, e->img->size);
		if (!e->inode) {
			*err = -ENOMEM;
			return NULL;
		}
		e->inode->i_evict = rootfs_evict;
		e->inode->i_private = e;
	}
	f = alloc_file(e->inode, e->path, FMODE_READ);
	if (!f) {
		iput(e->inode);
		*err = -ENOMEM;
	}
	return f;
}

struct file *filp_open_rootfs(const char *path, int *err)
{
	struct rootfs_entry *e = rootfs_lookup(path);

	if (!e) {
		*err = -ENOENT;
		return NULL;
	}
	return rootfs_open(e, err);
}

/* The program run by `spawn name`: a built-in one, or cat's image. */
static struct rootfs_entry *program_lookup(const char *name)
{
	struct kmm *k = kmm_cur();
	char path[128];
	struct rootfs_entry *e;

	if (!strcmp(name, "sh"))
		name = "dash";
	snprintf(path, sizeof(path), name[0] == '/' ? "%s" : "/usr/bin/%s", name);
	e = rootfs_lookup(path);
	if (!e)
		e = rootfs_add(k, path, 1311000 + (++k->fs->last_ino & 0xffff), &image_cat);
	return e;
}

static unsigned long elf_prot(unsigned int p_flags)
{
	return (p_flags & PF_R ? PROT_READ : 0) | (p_flags & PF_W ? PROT_WRITE : 0) |
	       (p_flags & PF_X ? PROT_EXEC : 0);
}

/* Bytes from the first segment's page to the end of the last one. */
static unsigned long total_mapping_size(const struct elf_image *img)
{
	const struct elf_load *last = &img->load[img->nr_load - 1];

	return last->p_vaddr + last->p_memsz - (img->load[0].p_vaddr & PAGE_MASK);
}

/*
 * Maps the segments of img at load_bias (Linux's elf_load): the file
 * part page by page, then .bss past the file's last page anonymous.  A
 * writable segment whose .bss starts inside a file page gets that
 * page's tail zeroed (padzero), which writes the page: the VMA has
 * anonymous memory from then on (an anon_vma).
 */
static int elf_map_image(struct mm_struct *mm, struct file *file,
			 const struct elf_image *img, unsigned long load_bias)
{
	unsigned int i;

	for (i = 0; i < img->nr_load; i++) {
		const struct elf_load *ph = &img->load[i];
		unsigned long addr = load_bias + ph->p_vaddr, off = addr & ~PAGE_MASK;
		unsigned long zero_start = addr + ph->p_filesz, zero_end = addr + ph->p_memsz;
		unsigned long prot = elf_prot(ph->p_flags);
		long r;

		r = do_mmap_pgoff(mm, file, addr & PAGE_MASK, PAGE_ALIGN(ph->p_filesz + off), prot,
				  MAP_PRIVATE | MAP_FIXED, (ph->p_offset - off) >> PAGE_SHIFT);
		if (r < 0)
			return (int)r;
		if (ph->p_memsz <= ph->p_filesz)
			continue;
		if ((prot & PROT_WRITE) && (zero_start & ~PAGE_MASK)) {
			/* padzero: clearing the tail of the last file page
			 * writes it, so it becomes the process's own copy. */
			r = faultin_page(find_vma(mm, zero_start), zero_start & PAGE_MASK, true);
			if (r)
				return (int)r;
		}
		zero_start = PAGE_ALIGN(zero_start);
		zero_end = PAGE_ALIGN(zero_end);
		if (zero_end > zero_start) {
			r = vm_brk_flags(mm, zero_start, zero_end - zero_start,
					 prot & PROT_EXEC ? VM_EXEC : 0);
			if (r)
				return (int)r;
		}
	}
	return 0;
}

static void elf_set_bounds(struct mm_struct *mm, const struct elf_image *img,
			   unsigned long load_bias)
{
	unsigned long start_code = ~0ul, end_code = 0, start_data = 0, end_data = 0, brk = 0;
	unsigned int i;

	for (i = 0; i < img->nr_load; i++) {
		const struct elf_load *ph = &img->load[i];
		unsigned long k = ph->p_vaddr;

		if ((ph->p_flags & PF_X) && k < start_code)
			start_code = k;
		if (start_data < k)
			start_data = k;
		k = ph->p_vaddr + ph->p_filesz;
		if ((ph->p_flags & PF_X) && end_code < k)
			end_code = k;
		if (end_data < k)
			end_data = k;
		k = ph->p_vaddr + ph->p_memsz;
		if (brk < k)
			brk = k;
	}
	mm->start_code = start_code + load_bias;
	mm->end_code = end_code + load_bias;
	mm->start_data = start_data + load_bias;
	mm->end_data = end_data + load_bias;
	mm->start_brk = mm->brk = PAGE_ALIGN(brk + load_bias);
	if (task_randomizes()) {
		/* A page of gap past .bss, then up to 1 GiB more. */
		mm->brk = mm->start_brk = mm->brk + PAGE_SIZE;
		mm->brk = mm->start_brk = arch_randomize_brk(mm);
		mm->brk_randomized = true;
	}
}

int load_elf_binary(struct mm_struct *mm, const char *name)
{
	struct rootfs_entry *prog = program_lookup(name), *interp;
	struct file *file, *ifile;
	unsigned long load_bias, base;
	long r;
	int err = 0;

	if (!prog)
		return -ENOMEM;
	/* ELF_ET_DYN_BASE: two thirds of the address space, page aligned. */
	load_bias = ((TASK_SIZE / 3 * 2) + arch_mmap_rnd()) & PAGE_MASK;
	load_bias -= prog->img->load[0].p_vaddr & PAGE_MASK;
	file = rootfs_open(prog, &err);
	if (!file)
		return err;
	err = elf_map_image(mm, file, prog->img, load_bias);
	fput(file);			/* the VMAs hold their references */
	if (err)
		return err;
	elf_set_bounds(mm, prog->img, load_bias);

	interp = rootfs_lookup(prog->img->interp);
	ifile = interp ? rootfs_open(interp, &err) : NULL;
	if (!ifile)
		return interp ? err : -ENOENT;
	r = get_unmapped_area(mm, ifile, 0, PAGE_ALIGN(total_mapping_size(interp->img)), 0, 0);
	err = r < 0 ? (int)r : 0;
	base = (unsigned long)r;
	if (!err)
		err = elf_map_image(mm, ifile, interp->img, base - (interp->img->load[0].p_vaddr & PAGE_MASK));
	fput(ifile);
	return err ?: arch_setup_additional_pages(mm);
}
