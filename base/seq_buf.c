/*
 * base/seq_buf.c - bounded formatted output that counts what did not fit.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "base/seq_buf.h"

void seq_printf(struct seq_buf *s, const char *fmt, ...)
{
	size_t room = s->len < s->size ? s->size - s->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? s->buffer + s->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->len += (size_t)n;
}

void seq_puts(struct seq_buf *s, const char *str)
{
	seq_printf(s, "%s", str);
}

void seq_putc(struct seq_buf *s, char c)
{
	seq_printf(s, "%c", c);
}
