/*
 * tools/kmm-host.c - the kmm-host command: a script's process commands
 * run as real system calls on the host kernel, to compare with what
 * `kmm run` prints for the same script (docs/differential.md).
 *
 *   kmm-host FILE|-             run a script on the host
 *   kmm-host --generate SEED N [--without PATTERN,...]
 *                               print a random script of N lines
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/parse.h"
#include "tools/host_exec.h"
#include "tools/script_gen.h"

static int usage(FILE *f)
{
	fprintf(f, "usage: kmm-host FILE|-\n"
		   "       kmm-host --generate SEED N [--without PATTERN,...]\n"
		   "  kmm-host FILE             run the script's process 1 on the host kernel,\n"
		   "                            inside %#lx-%#lx of this process\n"
		   "  kmm-host --generate S N   a random script of N lines from seed S,\n"
		   "                            without the lines a pattern matches (docs/differential.md)\n",
		HOST_WINDOW_START, HOST_WINDOW_START + HOST_WINDOW_SIZE);
	return f == stderr ? 2 : 0;
}

static int run_script(const char *path)
{
	FILE *in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	struct host_exec *h;
	int bad, err;

	if (!in) {
		fprintf(stderr, "kmm-host: cannot open %s: ", path);
		perror(NULL);
		return 2;
	}
	err = host_exec_drop_privileges();
	if (err)
		fprintf(stderr, "kmm-host: cannot limit mlock as the simulator does (errno %d); mlock results may differ\n",
			-err);
	h = host_exec_create(stdout, stderr);
	if (!h)
		return 2;
	host_exec_set_source(h, strcmp(path, "-") ? path : "<stdin>");
	bad = host_exec_run_stream(h, in);
	host_exec_destroy(h);
	if (in != stdin)
		fclose(in);
	return bad ? 1 : 0;
}

/* Splits a,b,c in place into a NULL-terminated list. */
static const char **split_names(char *list)
{
	const char **v = calloc(strlen(list) / 2 + 2, sizeof(*v));
	size_t n = 0;
	char *save = NULL, *w;

	if (!v)
		return NULL;
	for (w = strtok_r(list, ",", &save); w; w = strtok_r(NULL, ",", &save))
		v[n++] = w;
	return v;
}

static int generate(char **argv, int argc)
{
	const char **without = NULL;
	unsigned long seed, n;

	if (parse_ulong(argv[2], &seed, false) || parse_ulong(argv[3], &n, true) ||
	    n > 100000000)
		return usage(stderr);
	if (argc == 6) {
		if (strcmp(argv[4], "--without"))
			return usage(stderr);
		without = split_names(argv[5]);
		if (!without)
			return 2;
	}
	script_gen(stdout, seed, (unsigned int)n, without);
	free(without);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return usage(stdout);
	if (argc == 2)
		return run_script(argv[1]);
	if ((argc == 4 || argc == 6) && !strcmp(argv[1], "--generate"))
		return generate(argv, argc);
	return usage(stderr);
}
