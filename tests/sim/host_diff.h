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
 * (`/dev/zero (deleted)`, a shmem inode number of each kernel) masked;
 * `cat /proc/PID/smaps` on the entries that meet the window.
 *
 * Both sides get the host's features (tests/host_features.h): the
 * simulator boots with them and, after the script's spawn, runs the
 * host's sysctls and limits; kmm-host answers as a host without
 * protection keys when KMM_TEST_PKU=off.  With DIFF_KERNEL_ADDR (scripts
 * that let the kernel choose addresses) kmm-host plugs every gap above
 * the window at spawn, and the simulator's pid 1 is plugged the same way
 * by hidden lines after its spawn (plug_sim: the page at the window's
 * end shared, then PROT_NONE areas the simulated kernel places, ever
 * smaller, kept while they land above the window).  The hidden lines
 * print nothing into the comparison; the simulator's whole script is
 * kept (outputs.sim_script) to reproduce a mismatch with kmm run.
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
#include "tests/host_features.h"
#include "tools/host_exec.h"

#define SEPARATOR	"\035\n"	/* after each line's output on the host side */

/* What run_host and run_sim compare (a bool true is DIFF_FAULTS). */
#define DIFF_FAULTS		0x1u	/* touch/read/write lines with minflt=N */
#define DIFF_KERNEL_ADDR	0x2u	/* the kernel chooses addresses: plug both */

static struct host_features diff_features;
static bool diff_features_read;
/* Scripts with files: the host's files are below diff_host_root
 * (kmm-host --root), the simulator's below diff_sim_root (boot fs=):
 * two directories with the same contents.  "": no files. */
static char diff_host_root[1024], diff_sim_root[1024];

/* The host's features, read once. */
static const struct host_features *diff_host(void)
{
	if (!diff_features_read) {
		host_features_read(&diff_features);
		diff_features_read = true;
	}
	return &diff_features;
}

struct script {
	char *text;		/* the lines, NUL-separated */
	char **line;
	unsigned int n;
};

struct outputs {
	char *text;		/* each line's output, NUL-separated */
	char **line;
	unsigned int n;
	char *sim_script;	/* run_sim: every line it ran, hidden ones too */
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
						 bool quiet, unsigned int mode)
{
	FILE *out = fdopen(fd, "w");
	FILE *err = quiet ? fopen("/dev/null", "w") : stderr;
	const struct host_features *hf = diff_host();	/* read before the limits change */
	struct host_exec *h;
	unsigned int i, bad = 0;
	int e = host_exec_drop_privileges();

	if (e)
		fprintf(stderr, "  host: cannot limit mlock and stacks as the simulator does (errno %d)\n", -e);
	/* mlock meets the host's own ulimit -l; the simulator gets it by prlimit. */
	e = host_features_apply_limits(hf);
	if (e)
		fprintf(stderr, "  host: cannot restore RLIMIT_MEMLOCK (errno %d)\n", -e);
	h = out && err ? host_exec_create(out, err) : NULL;
	if (!h)
		_exit(3);
	host_exec_set_source(h, "host");
	host_exec_set_show_faults(h, mode & DIFF_FAULTS);
	host_exec_set_pku(h, hf->pku);
	host_exec_set_kernel_addresses(h, mode & DIFF_KERNEL_ADDR);
	if (diff_host_root[0])
		host_exec_set_root(h, diff_host_root);
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
static int run_host(const struct script *s, struct outputs *o, bool quiet, unsigned int mode)
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
		diff_host();
		host_child(s, fd[1], quiet, mode);
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

/* The simulator of run_sim and the buffer its output goes to. */
struct sim_run {
	struct sim *sim;
	FILE *out;
	char **obuf;
	size_t *olen;
	FILE *script;		/* every line run, for kmm run */
};

/* A line the simulator runs that is not the script's: what it prints
 * goes to reply (if not NULL), not into any line's record. */
static void sim_hidden(struct sim_run *r, const char *line, char *reply, size_t size)
{
	size_t before;

	fflush(r->out);
	before = *r->olen;
	sim_run_line(r->sim, line);
	fflush(r->out);
	fprintf(r->script, "%s\n", line);
	if (reply)
		snprintf(reply, size, "%.*s", (int)(*r->olen - before), *r->obuf + before);
}

/* The plugs of pid 1, as kmm-host's (tools/host_plug.c). */
static void plug_sim(struct sim_run *r)
{
	unsigned long len, at, end = HOST_WINDOW_START + HOST_WINDOW_SIZE;
	char line[160], reply[64];

	snprintf(line, sizeof(line),
		 "mmap 1 %#lx 4096 PROT_NONE MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE|MAP_NORESERVE",
		 HOST_WINDOW_FENCE);
	sim_hidden(r, line, NULL, 0);
	for (len = 1ul << 46; len >= 4096; ) {
		snprintf(line, sizeof(line), "mmap 1 0 %#lx PROT_NONE MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE",
			 len);
		sim_hidden(r, line, reply, sizeof(reply));
		if (strncmp(reply, "0x", 2)) {
			len >>= 1;
			continue;
		}
		at = strtoul(reply, NULL, 16);
		if (at >= end)
			continue;	/* a plug above the window: keep it */
		snprintf(line, sizeof(line), "munmap 1 %#lx %#lx", at, len);
		sim_hidden(r, line, NULL, 0);
		len >>= 1;
	}
}

/* After the script's spawn of pid 1: the host's sysctls and limits, and
 * the plugs with DIFF_KERNEL_ADDR. */
static void sim_setup(struct sim_run *r, unsigned int mode)
{
	char lines[8][96], reply[64];
	int i, n = host_features_setup_lines(diff_host(), lines, 8);

	for (i = 0; i < n; i++) {
		sim_hidden(r, lines[i], reply, sizeof(reply));
		if (strcmp(reply, "ok\n"))
			fprintf(stderr, "  simulator: '%s' answered %s", lines[i], reply);
	}
	if (mode & DIFF_KERNEL_ADDR)
		plug_sim(r);
}

/* Runs s in a fresh simulator, keeping each line's output apart. */
static void run_sim(const struct script *s, struct outputs *o, unsigned int mode)
{
	char *obuf = NULL, *ebuf = NULL, *sbuf = NULL;
	size_t olen = 0, elen = 0, slen = 0, total = 0;
	FILE *out = open_memstream(&obuf, &olen);
	FILE *err = open_memstream(&ebuf, &elen);
	FILE *script = open_memstream(&sbuf, &slen);
	size_t *starts = calloc(s->n + 1, sizeof(*starts));
	size_t *ends = calloc(s->n + 1, sizeof(*ends));
	struct sim_run r = { NULL, out, &obuf, &olen, script };
	char boot[64], line[1200];
	bool set_up = false;
	unsigned int i;

	if (!out || !err || !script || !starts || !ends)
		abort();
	r.sim = sim_create(out, err);
	if (!r.sim)
		abort();
	sim_set_source(r.sim, "sim");
	sim_set_show_faults(r.sim, mode & DIFF_FAULTS);
	host_features_boot_line(diff_host(), boot, sizeof(boot));
	if (diff_sim_root[0])
		snprintf(line, sizeof(line), "%s fs=%s", boot[0] ? boot : "boot", diff_sim_root);
	else
		snprintf(line, sizeof(line), "%s", boot);
	if (line[0])
		sim_hidden(&r, line, NULL, 0);
	for (i = 0; i < s->n; i++) {
		fflush(out);
		starts[i] = olen;
		sim_run_line(r.sim, s->line[i]);
		fprintf(script, "%s\n", s->line[i]);
		fflush(out);
		ends[i] = olen;
		if (!set_up && !strncmp(s->line[i], "spawn", 5) &&
		    !strncmp(obuf + starts[i], "pid 1\n", 6)) {
			sim_setup(&r, mode);
			set_up = true;
		}
	}
	sim_destroy(r.sim);
	fclose(out);
	fclose(err);
	fclose(script);
	free(ebuf);
	o->sim_script = sbuf;
	/* One record per line: what it printed, NUL-terminated. */
	for (i = 0; i < s->n; i++)
		total += ends[i] - starts[i] + 1;
	o->text = malloc(total + 1);
	o->line = calloc(s->n + 1, sizeof(*o->line));
	if (!o->text || !o->line)
		abort();
	o->n = s->n;
	for (i = 0, total = 0; i < s->n; i++) {
		size_t n = ends[i] - starts[i];

		o->line[i] = o->text + total;
		memcpy(o->line[i], obuf + starts[i], n);
		o->line[i][n] = 0;
		total += n + 1;
	}
	free(starts);
	free(ends);
	free(obuf);
}

/* Writes the simulator's side of a mismatch (hidden lines included) for
 * kmm run; says where. */
static __attribute__((unused)) void write_sim_script(const char *what, const struct outputs *sim, bool faults)
{
	const char *dir = getenv("TMPDIR");
	char path[512], name[128];
	FILE *f;
	size_t i;

	snprintf(name, sizeof(name), "%s", what);
	for (i = 0; name[i]; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789-_", name[i]))
			name[i] = '-';
	snprintf(path, sizeof(path), "%s/kmm-diff-%s.sim.kmm", dir && *dir ? dir : "/tmp", name);
	f = fopen(path, "w");
	if (!f || !sim->sim_script)
		return;
	fputs(sim->sim_script, f);
	fclose(f);
	fprintf(stderr, "  the simulator's side, hidden lines included: kmm run%s %s\n",
		faults ? " --faults" : "", path);
}

static void outputs_free(struct outputs *o)
{
	free(o->line);
	free(o->text);
	free(o->sim_script);
	o->line = NULL;
	o->text = NULL;
	o->sim_script = NULL;
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

/* The entries of a maps or smaps listing whose range meets the window
 * (an entry: its START-END line and, in smaps, the lines after it). */
static void window_lines(const char *maps, char *buf, size_t size)
{
	size_t used = 0;
	bool in = false;

	buf[0] = 0;
	for (const char *p = maps; *p; ) {
		size_t n = strcspn(p, "\n");
		unsigned long start, end;
		char c;

		if (sscanf(p, "%lx-%lx%c", &start, &end, &c) == 3 && c == ' ')
			in = end > HOST_WINDOW_START && start < HOST_WINDOW_START + HOST_WINDOW_SIZE;
		if (in)
			append_maps_line(buf, &used, size, p, n);
		p += n + (p[n] == '\n');
	}
}

/* cat /proc/PID/maps or /proc/PID/smaps */
static bool is_cat_maps(const char *line)
{
	size_t n = strlen(line);

	return !strncmp(line, "cat /proc/", 10) && n > 15 &&
	       (!strcmp(line + n - 5, "/maps") || !strcmp(line + n - 6, "/smaps"));
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
/*
 * A host kernel without CONFIG_MEM_SOFT_DIRTY never prints "sd" in
 * VmFlags; kmm models one with it (Debian's), as tests/kernel/test_exec.c
 * says.  When the host's listing has no "sd", the simulator's loses it.
 */
static void drop_soft_dirty_unless(const char *host, char *sim)
{
	char *p;

	if (!strstr(host, "VmFlags:") || strstr(host, " sd "))
		return;
	for (p = strstr(sim, "VmFlags:"); p; p = strstr(p + 1, "VmFlags:")) {
		char *eol = strchr(p, '\n'), *sd = strstr(p, " sd ");

		if (sd && (!eol || sd < eol))
			memmove(sd, sd + 3, strlen(sd + 3) + 1);
	}
}

/*
 * A stat line keeps what both kernels must agree on: size, mode and
 * nlink.  Inode numbers are each kernel's own, blocks and dev the host
 * filesystem's (kmm counts none for pages not yet written back).
 */
static const char *stat_fields(const char *line, char *out, size_t size)
{
	long long sz;
	unsigned int mode, nlink;

	if (sscanf(line, "size=%lld blocks=%*u ino=%*u mode=%o nlink=%u", &sz, &mode, &nlink) != 3)
		return line;
	snprintf(out, size, "size=%lld mode=0%o nlink=%u\n", sz, mode, nlink);
	return out;
}

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
			drop_soft_dirty_unless(hbuf, sbuf);
			h = hbuf;
			m = sbuf;
		}
		if (!strncmp(s->line[i], "stat ", 5)) {
			h = stat_fields(h, hbuf, sizeof(hbuf));
			m = stat_fields(m, sbuf, sizeof(sbuf));
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
