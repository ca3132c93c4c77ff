/*
 * include/kmm/security.h - the security hook the mapping calls and exec
 * charge committed memory through (Linux's include/linux/security.h).
 */
#ifndef KMM_SECURITY_H
#define KMM_SECURITY_H

struct mm_struct;

/* Charge pages of committed memory for mm, or -ENOMEM (mm/util.c's
 * policy); the name is Linux's. */
int security_vm_enough_memory_mm(struct mm_struct *mm, long pages);

#endif /* KMM_SECURITY_H */
