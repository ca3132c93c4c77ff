/*
 * include/kmm/err.h - an errno inside a pointer, as Linux's linux/err.h:
 * the top 4095 addresses are never valid, so a function returning a
 * pointer can return -ENOMEM there instead.
 */
#ifndef KMM_ERR_H
#define KMM_ERR_H

#include <stdbool.h>

#define MAX_ERRNO	4095
#define ERR_PTR(e)	((void *)(long)(e))
#define PTR_ERR(p)	((long)(p))
#define IS_ERR(p)	((unsigned long)(void *)(p) >= (unsigned long)-MAX_ERRNO)

#endif /* KMM_ERR_H */
