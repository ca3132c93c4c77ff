/*
 * mm/mincore.c - mincore(2): which pages of a range are resident.  A page
 * with a present PTE is; an unmapped page of a file mapping is if the
 * file's page cache holds it (so mincore shows what readahead brought in
 * before anything touched it); an unmapped anonymous page is not.  For a
 * file the process could not open for writing Linux reveals nothing and
 * reports every page resident (the side channel can_do_mincore closes):
 * here that is every file without a disk of its own but shmem, i.e. the
 * built-in programs.
 */
#include <errno.h>
#include <kmm/fs.h>
#include <kmm/pagemap.h>
#include "mm/vma.h"
#include "mm/mmap.h"
#include "mm/memory.h"

static bool can_do_mincore(const struct vm_area_struct *v)
{
	const struct inode *inode;

	if (!v->vm_file)
		return true;
	inode = v->vm_file->f_inode;
	return inode->i_shmem || (inode->i_data.a_ops && !inode->i_rdonly);
}

static unsigned char mincore_one(struct vm_area_struct *v, unsigned long addr)
{
	pte_t *pte = pte_lookup(v->vm_mm, addr);
	struct page *page;

	if (pte && pte_mapped(ptep_get(pte)))
		return 1;
	if (!v->vm_file)
		return 0;
	page = find_get_page(&v->vm_file->f_inode->i_data, linear_page_index(v, addr));
	return page && PageUptodate(page);
}

long do_mincore(struct mm_struct *mm, unsigned long start, unsigned long len, unsigned char *vec)
{
	unsigned long end, a, i = 0;

	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (len > TASK_SIZE || PAGE_ALIGN(len) > TASK_SIZE - start)
		return -ENOMEM;
	end = start + PAGE_ALIGN(len);
	for (a = start; a < end;) {
		struct vm_area_struct *v = find_vma(mm, a);
		unsigned long stop;

		if (!v || v->vm_start > a)
			return -ENOMEM;
		stop = min(end, v->vm_end);
		for (; a < stop; a += PAGE_SIZE)
			vec[i++] = can_do_mincore(v) ? mincore_one(v, a) : 1;
	}
	return 0;
}
