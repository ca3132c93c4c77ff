/*
 * base/seq_buf.h - append formatted text to a fixed buffer, remembering how
 * long the whole text would have been (Linux's seq_buf / seq_file idea).
 */
#ifndef KMM_BASE_SEQ_BUF_H
#define KMM_BASE_SEQ_BUF_H

#include <stddef.h>
#include <kmm/compiler.h>

struct seq_buf {
	char *buffer;
	size_t size;
	size_t len;		/* the whole text's length, even past size */
};

static inline void seq_buf_init(struct seq_buf *s, char *buf, size_t size)
{
	s->buffer = buf;
	s->size = size;
	s->len = 0;
	if (size)
		buf[0] = 0;
}

__printf(2, 3) void seq_printf(struct seq_buf *s, const char *fmt, ...);
void seq_puts(struct seq_buf *s, const char *str);
void seq_putc(struct seq_buf *s, char c);

#endif
