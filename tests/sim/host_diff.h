/*
 * tests/sim/host_diff.h - what the differential tests share
 * (test_script_host.c: random scripts; test_faults_host.c: fixed
 * scenarios): a script runs in a fresh simulator, line by line, and on
 * the host by tools/host_exec.c in a forked child (whose own children
 * are the script's processes); each line's output is kept apart, and
 * the two are compared line by line.
 *
 * `cat /proc/PID/maps` is compared on the lines that meet the window
 * (the simulator's process has its program, heap and stack outside it,
 * kmm-host's the executor's), with the inode of shared anonymous memory
 * (`/dev/zero (deleted)`, a shmem inode number of each kernel) masked.
 */
#ifndef KMM_TESTS_SIM_HOST_DIFF_H
#define KMM_TESTS_SIM_HOST_DIFF_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "sim/script.h"
#include "tools/host_exec.h"

#define SEPARATOR	"\035\n"	/* after each line's output on the host side */

struct script {
	char *text;		/* the lines, NUL-separated */
	char **line;
	unsigned int n;
};

struct outputs {
	char *text;		/* each line's output, NUL-separated */
	char **line;
	unsigned int n;
};

/* Takes text (malloc'd, lines ending in '\n') and splits it into s. */
static void script_from_text(struct script *s, char *text)
{
	size_t i, size = strlen(text);

	s->text = text;
	s->n = 0;
	for (i = 0; i < size; i++)
		s->n += s->text[i] == '\n';
	s->line = calloc(s->n + 1, sizeof(*s->line));
	if (!s->line)
		abort();
	s->n = 0;
	for (char *p = s->text, *nl; (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = 0;
		s->line[s->n++] = p;
	}
}

static void script_free(struct script *s)
{
	free(s->line);
	free(s->text);
}

/*
 * The child: every line on the host, its output then SEPARATOR.  Exits
 * with 0, or 10 + the number of malformed or refused lines (at most 100).
 */
static void __attribute__((noreturn)) host_child(const struct script *s, int fd,
						 bool quiet, bool faults)
{
	FILE *out = fdopen(fd, "w");
	FILE *err = quiet ? fopen("/dev/null", "w") : stderr;
	struct host_exec *h;
	unsigned int i, bad = 0;
	int e = host_exec_drop_privileges();

	if (e)
		fprintf(stderr, "  host: cannot limit mlock as the simulator does (errno %d)\n", -e);
	h = out && err ? host_exec_create(out, err) : NULL;
	if (!h)
		_exit(3);
	host_exec_set_source(h, "host");
	host_exec_set_show_faults(h, faults);
	for (i = 0; i < s->n; i++) {
		bad += host_exec_run_line(h, s->line[i]) != 0;
		fputs(SEPARATOR, out);
	}
	host_exec_destroy(h);
	fclose(out);
	/* _exit: no atexit handlers, no leak check of the parent's heap. */
	_exit(bad ? 10 + (bad < 100 ? (int)bad : 100) : 0);
}

/* Splits text at each SEPARATOR into o; returns the number of records. */
static unsigned int split_records(char *text, struct outputs *o, unsigned int max)
{
	char *p = text, *sep;

	o->line = calloc(max + 1, sizeof(*o->line));
	if (!o->line)
		abort();
	o->n = 0;
	while (o->n < max && (sep = strstr(p, SEPARATOR))) {
		*sep = 0;
		o->line[o->n++] = p;
		p = sep + strlen(SEPARATOR);
	}
	return o->n;
}

/*
 * Runs s on the host in a child.  Returns the number of malformed or
 * refused lines (at most 100), or -1 if the child failed.
 */
static int run_host(const struct script *s, struct outputs *o, bool quiet, bool faults)
{
	int fd[2], status;
	size_t len = 0;
	FILE *f;
	pid_t pid;
	ssize_t n;
	char buf[65536];

	if (pipe(fd))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fd[0]);
		host_child(s, fd[1], quiet, faults);
	}
	close(fd[1]);
	f = open_memstream(&o->text, &len);
	if (!f)
		abort();
	while ((n = read(fd[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			fwrite(buf, 1, (size_t)n, f);
	close(fd[0]);
	fclose(f);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    (WEXITSTATUS(status) && WEXITSTATUS(status) < 10)) {
		fprintf(stderr, "  host executor: wait status %#x\n", status);
		return -1;
	}
	if (split_records(o->text, o, s->n) != s->n)
		return -1;
	return WEXITSTATUS(status) ? WEXITSTATUS(status) - 10 : 0;
}

/* Runs s in a fresh simulator, keeping each line's output apart. */
static void run_sim(const struct script *s, struct outputs *o, bool faults)
{
	char *obuf = NULL, *ebuf = NULL;
	size_t olen = 0, elen = 0, seen = 0, total = 0;
	FILE *out = open_memstream(&obuf, &olen);
	FILE *err = open_memstream(&ebuf, &elen);
	size_t *ends = calloc(s->n + 1, sizeof(*ends));
	struct sim *sim;
	unsigned int i;

	if (!out || !err || !ends)
		abort();
	sim = sim_create(out, err);
	if (!sim)
		abort();
	sim_set_source(sim, "sim");
	sim_set_show_faults(sim, faults);
	for (i = 0; i < s->n; i++) {
		sim_run_line(sim, s->line[i]);
		fflush(out);
		ends[i] = olen;
	}
	sim_destroy(sim);
	fclose(out);
	fclose(err);
	free(ebuf);
	/* One record per line: what it printed, NUL-terminated. */
	for (i = 0; i < s->n; i++)
		total += ends[i] - (i ? ends[i - 1] : 0) + 1;
	o->text = malloc(total + 1);
	o->line = calloc(s->n + 1, sizeof(*o->line));
	if (!o->text || !o->line)
		abort();
	o->n = s->n;
	for (i = 0, total = 0; i < s->n; i++) {
		size_t n = ends[i] - seen;

		o->line[i] = o->text + total;
		memcpy(o->line[i], obuf + seen, n);
		o->line[i][n] = 0;
		total += n + 1;
		seen = ends[i];
	}
	free(ends);
	free(obuf);
}

static void outputs_free(struct outputs *o)
{
	free(o->line);
	free(o->text);
	o->line = NULL;
	o->text = NULL;
}

/* Appends a maps line to buf, with a shmem inode number masked. */
static void append_maps_line(char *buf, size_t *used, size_t size, const char *p, size_t n)
{
	static const char shmem[] = "/dev/zero (deleted)";
	char line[512];
	unsigned long start, end, off;
	char perms[8], dev[16];
	int len = 0;

	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, p, n);
	line[n] = 0;
	if (n > sizeof(shmem) && !strcmp(line + n - (sizeof(shmem) - 1), shmem) &&
	    sscanf(line, "%lx-%lx %7s %lx %15s", &start, &end, perms, &off, dev) == 5)
		len = snprintf(line, sizeof(line), "%lx-%lx %s %08lx %s INODE %s",
			       start, end, perms, off, dev, shmem);
	else
		len = (int)n;
	if (*used + (size_t)len + 2 >= size)
		return;
	memcpy(buf + *used, line, (size_t)len);
	*used += (size_t)len;
	buf[(*used)++] = '\n';
	buf[*used] = 0;
}

/* The lines of a maps listing whose range meets the window. */
static void window_lines(const char *maps, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = 0;
	for (const char *p = maps; *p; ) {
		size_t n = strcspn(p, "\n");
		unsigned long start, end;

		if (sscanf(p, "%lx-%lx", &start, &end) == 2 &&
		    end > HOST_WINDOW_START && start < HOST_WINDOW_START + HOST_WINDOW_SIZE)
			append_maps_line(buf, &used, size, p, n);
		p += n + (p[n] == '\n');
	}
}

/* cat /proc/PID/maps */
static bool is_cat_maps(const char *line)
{
	size_t n = strlen(line);

	return !strncmp(line, "cat /proc/", 10) && n > 15 && !strcmp(line + n - 5, "/maps");
}

/* Prints a mismatch: what, line, the lines before it, both answers. */
static void report(const char *what, const struct script *s, unsigned int i,
		   const char *host, const char *sim, const char *host_maps,
		   const char *sim_maps)
{
	unsigned int j = i > 8 ? i - 8 : 0;

	fprintf(stderr, "  %s, line %u: %s\n", what, i + 1, s->line[i]);
	fprintf(stderr, "  --- host:\n%s  --- simulator:\n%s", host, sim);
	fprintf(stderr, "  --- the lines before it:\n");
	for (; j < i; j++)
		fprintf(stderr, "  %4u  %s\n", j + 1, s->line[j]);
	fprintf(stderr, "  --- the window at the last cat (host):\n%s", host_maps);
	fprintf(stderr, "  --- the window at the last cat (simulator):\n%s", sim_maps);
}

/* Compares the outputs; returns the 1-based mismatching line or 0. */
static unsigned int compare(const char *what, const struct script *s,
			    const struct outputs *host, const struct outputs *sim,
			    bool verbose)
{
	static char hbuf[1 << 20], sbuf[1 << 20], hmaps[1 << 20], smaps[1 << 20];
	unsigned int i;

	hmaps[0] = smaps[0] = 0;
	for (i = 0; i < s->n; i++) {
		const char *h = host->line[i], *m = sim->line[i];

		if (is_cat_maps(s->line[i])) {
			window_lines(h, hbuf, sizeof(hbuf));
			window_lines(m, sbuf, sizeof(sbuf));
			h = hbuf;
			m = sbuf;
		}
		if (strcmp(h, m)) {
			if (verbose)
				report(what, s, i, h, m, hmaps, smaps);
			return i + 1;
		}
		if (is_cat_maps(s->line[i])) {
			strcpy(hmaps, hbuf);
			strcpy(smaps, sbuf);
		}
	}
	return 0;
}

#endif
