/*
 * base/printk.h - reports (base/printk.c): what a machine says about
 * misuse, corruption and failures, to stderr and the report hook.
 */
#ifndef KMM_BASE_PRINTK_H
#define KMM_BASE_PRINTK_H

#include <stdbool.h>
#include <stddef.h>
#include "base/machine.h"

/* Formats and delivers one report; counts it against k (NULL: no machine). */
__printf(2, 3) void kmm_report(struct kmm *k, const char *fmt, ...);
/*
 * Machine k's kernel log, as dmesg prints it: at most size bytes, the
 * newest if it holds more; with clear, the log is emptied after (dmesg
 * -c).  Returns the bytes copied (no NUL added).
 */
size_t printk_log_read(struct kmm *k, char *buf, size_t size, bool clear);
/* A code address as Linux's %pS prints it: "func+0x1c [<0x55...>]". */
int sprint_caller(char *buf, size_t len, unsigned long caller);

#endif /* KMM_BASE_PRINTK_H */
