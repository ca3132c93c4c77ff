/*
 * base/printk.c - the one place every report goes through: stderr unless
 * the machine is quiet, the report hook, the machine's report counter and
 * its kernel log, which dmesg reads (Linux's printk and log buffer, for
 * the reports kmm makes).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
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

/*
 * Keeps text (len bytes, whole lines) in k's log.  When it does not fit,
 * the oldest lines go until half the buffer is free, so a machine that
 * reports all the time moves the log once per half buffer, not per line.
 * Called with report_lock held.
 */
static void log_store(struct printk_log *log, const char *text, size_t len)
{
	if (len > LOG_BUF_LEN / 2) {		/* a report that long keeps its end */
		text += len - LOG_BUF_LEN / 2;
		len = LOG_BUF_LEN / 2;
	}
	if (log->len + len > LOG_BUF_LEN) {
		size_t drop = log->len - min(log->len, LOG_BUF_LEN / 2);
		const char *nl = memchr(log->buf + drop, '\n', log->len - drop);

		drop = nl ? (size_t)(nl + 1 - log->buf) : log->len;
		memmove(log->buf, log->buf + drop, log->len - drop);
		log->len -= drop;
	}
	memcpy(log->buf + log->len, text, len);
	log->len += len;
}

size_t printk_log_read(struct kmm *k, char *buf, size_t size, bool clear)
{
	size_t n;

	pthread_mutex_lock(&report_lock);
	n = min(k->log.len, size);
	/* The newest lines when the caller's buffer is shorter. */
	memcpy(buf, k->log.buf + k->log.len - n, n);
	if (clear)
		k->log.len = 0;
	pthread_mutex_unlock(&report_lock);
	return n;
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
	if (k)
		log_store(&k->log, buf, strlen(buf));
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

