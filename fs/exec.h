/*
 * fs/exec.h - what execve is made of (fs/exec.c, fs/binfmt_elf.c and the
 * x86-64 layout helpers in arch/x86/mm/mmap.c).
 */
#ifndef KMM_FS_EXEC_H
#define KMM_FS_EXEC_H

#include <kmm/mm.h>
#include "fs/machine.h"

#define MAX_ELF_LOAD	8

/* One PT_LOAD program header. */
struct elf_load {
	unsigned long p_offset, p_vaddr, p_filesz, p_memsz;
	unsigned int p_flags;
};

struct elf_image {
	long long size;			/* the file's size */
	unsigned int nr_load;
	struct elf_load load[MAX_ELF_LOAD];
	const char *interp;		/* PT_INTERP, or NULL */
};

int load_elf_binary(struct mm_struct *mm, const char *name);

/* arch/x86/mm/mmap.c */
bool task_randomizes(void);
unsigned long arch_mmap_rnd(void);
unsigned long randomize_stack_top(unsigned long stack_top);
unsigned long arch_randomize_brk(struct mm_struct *mm);
void arch_pick_mmap_layout(struct mm_struct *mm);
int arch_setup_additional_pages(struct mm_struct *mm);

#endif
