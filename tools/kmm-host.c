/*
 * tools/kmm-host.c - the kmm-host command: a script's process commands
 * run as real system calls on the host kernel, to compare with what
 * `kmm run` prints for the same script (docs/differential.md).
 *
 *   kmm-host [--faults] [--pku=on|off] [--kernel-addresses] FILE|-
 *                               run a script on the host
 *   kmm-host --generate SEED N [--faults] [--kernel-addresses] [--without PATTERN,...]
 *                               print a random script of N lines
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/parse.h"
#include "tools/host_exec.h"
#include "tools/script_gen.h"

static int usage(FILE *f)
{
	fprintf(f, "usage: kmm-host [--faults] [--pku=on|off] [--kernel-addresses] [--root=DIR] FILE|-\n"
		   "       kmm-host --generate SEED N [--faults] [--kernel-addresses] [--align-64k]\n"
		   "                               [--child-access-only] [--without PATTERN,...]\n"
		   "  kmm-host FILE             run the script's processes on the host kernel,\n"
		   "                            each a real process, inside %#lx-%#lx\n"
		   "  --faults                  touch/read/write lines end with minflt=N\n"
		   "  --pku=off                 answer as a host without protection keys\n"
		   "  --root=DIR                files of the script (open, pread, ...) are below DIR\n"
		   "                            (PROT_EXEC is readable, no pkey can be allocated)\n"
		   "  --kernel-addresses        spawn fills the gaps above the window, so the kernel\n"
		   "                            places mmap without MAP_FIXED in the window\n"
		   "  kmm-host --generate S N   a random script of N lines from seed S,\n"
		   "                            without the lines a pattern matches (docs/differential.md);\n"
		   "                            --faults: with touch/read/write/fork lines;\n"
		   "                            --kernel-addresses: mmap and mremap where the kernel\n"
		   "                            chooses, for kmm-host --kernel-addresses;\n"
		   "                            --align-64k, --child-access-only: see script_gen.h\n",
		HOST_WINDOW_START, HOST_WINDOW_START + HOST_WINDOW_SIZE);
	return f == stderr ? 2 : 0;
}

struct run_opts {
	bool faults;
	bool pku;
	bool kernel_addresses;
	const char *root;		/* --root=DIR: the files' directory */
};

static int run_script(const char *path, const struct run_opts *o)
{
	FILE *in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	struct host_exec *h;
	bool panicked;
	int bad, err;

	if (!in) {
		fprintf(stderr, "kmm-host: cannot open %s: ", path);
		perror(NULL);
		return 2;
	}
	err = host_exec_drop_privileges();
	if (err)
		fprintf(stderr, "kmm-host: cannot limit mlock and stacks as the simulator does (errno %d); mlock and stack results may differ\n",
			-err);
	h = host_exec_create(stdout, stderr);
	if (!h)
		return 2;
	host_exec_set_source(h, strcmp(path, "-") ? path : "<stdin>");
	host_exec_set_show_faults(h, o->faults);
	host_exec_set_pku(h, o->pku);
	host_exec_set_kernel_addresses(h, o->kernel_addresses);
	if (o->root && host_exec_set_root(h, o->root)) {
		fprintf(stderr, "kmm-host: --root: path too long\n");
		return 2;
	}
	bad = host_exec_run_stream(h, in);
	panicked = host_exec_panicked(h);
	host_exec_destroy(h);
	if (in != stdin)
		fclose(in);
	return panicked ? 3 : bad ? 1 : 0;	/* as kmm run */
}

/* [--faults] [--pku=on|off] [--kernel-addresses] FILE */
static int run(int argc, char **argv)
{
	struct run_opts o = { .pku = true };
	int i;

	for (i = 1; i < argc - 1; i++) {
		if (!strcmp(argv[i], "--faults"))
			o.faults = true;
		else if (!strcmp(argv[i], "--pku=off") || !strcmp(argv[i], "--pku=on"))
			o.pku = !strcmp(argv[i], "--pku=on");
		else if (!strcmp(argv[i], "--kernel-addresses"))
			o.kernel_addresses = true;
		else if (!strncmp(argv[i], "--root=", 7))
			o.root = argv[i] + 7;
		else
			return usage(stderr);
	}
	if (argv[argc - 1][0] == '-' && argv[argc - 1][1])
		return usage(stderr);
	return run_script(argv[argc - 1], &o);
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

/* --generate SEED N [--faults] [--kernel-addresses] [--align-64k] [--child-access-only]
 *            [--without PATTERN,...] */
static int generate(char **argv, int argc)
{
	const char **without = NULL;
	unsigned int flags = 0;
	unsigned long seed, n;
	int i;

	if (parse_ulong(argv[2], &seed, false) || parse_ulong(argv[3], &n, true) ||
	    n > 100000000)
		return usage(stderr);
	for (i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "--faults")) {
			flags |= SCRIPT_GEN_FAULTS;
		} else if (!strcmp(argv[i], "--kernel-addresses")) {
			flags |= SCRIPT_GEN_KERNEL_ADDR;
		} else if (!strcmp(argv[i], "--align-64k")) {
			flags |= SCRIPT_GEN_ALIGN_64K;
		} else if (!strcmp(argv[i], "--child-access-only")) {
			flags |= SCRIPT_GEN_CHILD_ACCESS_ONLY;
		} else if (!strcmp(argv[i], "--without") && i + 1 < argc && !without) {
			without = split_names(argv[++i]);
			if (!without)
				return 2;
		} else {
			free(without);
			return usage(stderr);
		}
	}
	script_gen_flags(stdout, seed, (unsigned int)n, without, flags);
	free(without);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return usage(stdout);
	if (argc >= 4 && argc <= 10 && !strcmp(argv[1], "--generate"))
		return generate(argv, argc);
	if (argc >= 2 && argc <= 5)
		return run(argc, argv);
	return usage(stderr);
}
