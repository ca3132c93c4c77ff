/*
 * base/printk.h - reports (base/printk.c): what a machine says about
 * misuse, corruption and failures, to stderr and the report hook.
 */
#ifndef KMM_BASE_PRINTK_H
#define KMM_BASE_PRINTK_H

#include <stddef.h>
#include "base/machine.h"

/* Formats and delivers one report; counts it against k (NULL: no machine). */
__printf(2, 3) void kmm_report(struct kmm *k, const char *fmt, ...);
/* A code address as Linux's %pS prints it: "func+0x1c [<0x55...>]". */
int sprint_caller(char *buf, size_t len, unsigned long caller);

#endif /* KMM_BASE_PRINTK_H */
