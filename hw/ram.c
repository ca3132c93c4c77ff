/*
 * hw/ram.c - simulated physical RAM.
 *
 * RAM is a memfd: offset == physical address.  Frames that are never
 * touched cost the host nothing, so holes (the PC's 640K-1M hole, the PCI
 * window below 4 GiB) are simply offsets nobody uses.  Because it is a file,
 * a frame can be mapped at a second host address; the struct page array uses
 * that, as vmalloc will.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "hw/ram.h"

static void *reserve_va(unsigned long bytes)
{
	void *p = mmap(NULL, bytes, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

int hw_ram_init(struct hw_ram *ram, unsigned long max_phys,
		unsigned long vmemmap_bytes)
{
	ram->memfd = memfd_create("kmm-ram", MFD_CLOEXEC);
	if (ram->memfd < 0)
		return -errno;
	ram->reserved = max_phys;
	ram->direct_map = reserve_va(max_phys);
	if (!ram->direct_map)
		goto out_close;
	ram->vmemmap_reserved = vmemmap_bytes;
	ram->vmemmap = reserve_va(vmemmap_bytes);
	if (!ram->vmemmap)
		goto out_unmap;
	ram->size = 0;
	return 0;
out_unmap:
	munmap(ram->direct_map, max_phys);
out_close:
	close(ram->memfd);
	return -ENOMEM;
}

int hw_ram_grow(struct hw_ram *ram, unsigned long end)
{
	void *p;

	if (end <= ram->size)
		return 0;
	if (end > ram->reserved)
		return -ERANGE;
	if (ftruncate(ram->memfd, (off_t)end))
		return -errno;
	p = mmap(ram->direct_map + ram->size, end - ram->size,
		 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, ram->memfd,
		 (off_t)ram->size);
	if (p == MAP_FAILED)
		return -errno;
	ram->size = end;
	return 0;
}

int hw_ram_extend_file(struct hw_ram *ram, unsigned long end)
{
	struct stat st;

	if (fstat(ram->memfd, &st))
		return -errno;
	if ((unsigned long)st.st_size >= end)
		return 0;
	return ftruncate(ram->memfd, (off_t)end) ? -errno : 0;
}

int hw_ram_map_vmemmap(struct hw_ram *ram, unsigned long off,
		       unsigned long phys, unsigned long len)
{
	void *p;

	if (off + len > ram->vmemmap_reserved || phys + len > ram->size)
		return -ERANGE;
	p = mmap(ram->vmemmap + off, len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED, ram->memfd, (off_t)phys);
	return p == MAP_FAILED ? -errno : 0;
}

void hw_ram_exit(struct hw_ram *ram)
{
	if (ram->vmemmap)
		munmap(ram->vmemmap, ram->vmemmap_reserved);
	if (ram->direct_map)
		munmap(ram->direct_map, ram->reserved);
	if (ram->memfd >= 0)
		close(ram->memfd);
	ram->vmemmap = NULL;
	ram->direct_map = NULL;
	ram->memfd = -1;
}
