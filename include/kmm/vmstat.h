/*
 * include/kmm/vmstat.h - event counters, listed once.  The list expands into
 * the enum and into the /proc/vmstat names (mm/vmstat.c).  Counters are per
 * CPU and added up when read; a hot path only bumps its own CPU's slot.
 */
#ifndef KMM_VMSTAT_H
#define KMM_VMSTAT_H

#define KMM_VM_EVENTS(X)                                                       \
	X(PGALLOC_DMA, "pgalloc_dma")                                          \
	X(PGALLOC_DMA32, "pgalloc_dma32")                                      \
	X(PGALLOC_NORMAL, "pgalloc_normal")                                    \
	X(PGALLOC_MOVABLE, "pgalloc_movable")                                  \
	X(PGALLOC_DEVICE, "pgalloc_device")                                    \
	X(ALLOCSTALL_DMA, "allocstall_dma")                                    \
	X(ALLOCSTALL_DMA32, "allocstall_dma32")                                \
	X(ALLOCSTALL_NORMAL, "allocstall_normal")                              \
	X(ALLOCSTALL_MOVABLE, "allocstall_movable")                            \
	X(ALLOCSTALL_DEVICE, "allocstall_device")                              \
	X(PGFREE, "pgfree")

enum vm_event_item {
#define X(id, name) id,
	KMM_VM_EVENTS(X)
#undef X
	NR_VM_EVENT_ITEMS
};

extern const char *const vm_event_names[NR_VM_EVENT_ITEMS];

/* Sums one event over every CPU of the current machine. */
unsigned long global_vm_event(enum vm_event_item item);

#endif /* KMM_VMSTAT_H */
