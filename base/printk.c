/*
 * base/printk.c - the one place every report goes through: stderr unless
 * the machine is quiet, the report hook, the machine's report counter
 * (Linux's printk, for the reports kmm makes).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include "base/printk.h"

static kmm_report_fn report_fn;
static void *report_arg;
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

void kmm_set_report_hook(kmm_report_fn fn, void *arg)
{
	pthread_mutex_lock(&report_lock);
	report_fn = fn;
	report_arg = arg;
	pthread_mutex_unlock(&report_lock);
}

unsigned long kmm_nr_reports(void)
{
	struct kmm *k = kmm_global;

	return k ? __atomic_load_n(&k->nr_reports, __ATOMIC_RELAXED) : 0;
}

void kmm_report(struct kmm *k, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (k)
		__atomic_fetch_add(&k->nr_reports, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&report_lock);
	/* Quiet machines, and machine-less reports someone listens to, stay
	 * off stderr: the hook has them. */
	if (k ? !k->cfg.quiet : !report_fn)
		fputs(buf, stderr);
	if (report_fn)
		report_fn(buf, report_arg);
	pthread_mutex_unlock(&report_lock);
}

/* Named when the program exports its symbols (-rdynamic), else the address. */
int sprint_caller(char *buf, size_t len, unsigned long caller)
{
	Dl_info info;

	if (caller && dladdr((void *)caller, &info) && info.dli_sname)
		return snprintf(buf, len, "%s+0x%lx [<%#lx>]", info.dli_sname,
				caller - (unsigned long)info.dli_saddr, caller);
	return snprintf(buf, len, "[<%#lx>]", caller);
}

