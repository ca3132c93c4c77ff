/*
 * kernel/panic.c - the machine stops: panic() prints "Kernel panic - not
 * syncing: ..." and, in Linux, halts the CPUs.  A library must not halt
 * its host, so here the report goes out (its first line as Linux prints
 * it, then Linux's "---[ end Kernel panic ... ]---" trailer) and the
 * machine is marked panicked: the simulator (sim/script.c) runs nothing
 * after that, and kmm_shutdown() still gives every byte back.
 */
#include <stdarg.h>
#include <stdio.h>
#include "base/printk.h"

void panic(struct kmm *k, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	k->panicked = true;
	kmm_report(k, "Kernel panic - not syncing: %s\n"
		   "---[ end Kernel panic - not syncing: %s ]---\n", why, why);
}
