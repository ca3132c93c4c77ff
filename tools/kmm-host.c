/*
 * tools/kmm-host.c - the kmm-host command: a script's process commands
 * run as real system calls on the host kernel, to compare with what
 * `kmm run` prints for the same script (docs/differential.md).
 *
 *   kmm-host FILE|-             run a script on the host
 *   kmm-host --generate SEED N  print a random script of N lines
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
		   "       kmm-host --generate SEED N\n"
		   "  kmm-host FILE             run the script's process 1 on the host kernel,\n"
		   "                            inside %#lx-%#lx of this process\n"
		   "  kmm-host --generate S N   a random script of N lines from seed S\n",
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

int main(int argc, char **argv)
{
	unsigned long seed, n;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return usage(stdout);
	if (argc == 2)
		return run_script(argv[1]);
	if (argc == 4 && !strcmp(argv[1], "--generate")) {
		if (parse_ulong(argv[2], &seed, false) || parse_ulong(argv[3], &n, true) ||
		    n > 100000000)
			return usage(stderr);
		script_gen(stdout, seed, (unsigned int)n);
		return 0;
	}
	return usage(stderr);
}
