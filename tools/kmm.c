/*
 * tools/kmm.c - the kmm command.
 *
 *   kmm                 interactive shell (the script language)
 *   kmm run FILE|-      run a script; exit status 1 if a line was malformed
 *   kmm tour            the guided tour
 *   kmm --options       the boot options and their values
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "base/option.h"
#include "sim/script.h"
#include "sim/tour.h"

static int usage(FILE *f)
{
	fprintf(f, "usage: kmm [run FILE|-] [tour] [--options] [--help]\n"
		   "  kmm             interactive shell (type 'help')\n"
		   "  kmm run FILE    run a script ('-' reads stdin)\n"
		   "  kmm tour        a guided tour of the machine\n"
		   "  kmm --options   boot options, their values and meaning\n");
	return f == stderr ? 2 : 0;
}

static int run_script(const char *path)
{
	FILE *in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	struct sim *s;
	int bad;

	if (!in) {
		fprintf(stderr, "kmm: cannot open %s: ", path);
		perror(NULL);
		return 2;
	}
	s = sim_create(stdout, stderr);
	if (!s)
		return 2;
	sim_set_source(s, strcmp(path, "-") ? path : "<stdin>");
	bad = sim_run_stream(s, in, 0);
	sim_destroy(s);
	if (in != stdin)
		fclose(in);
	return bad ? 1 : 0;
}

static int print_options(void)
{
	struct kmm_config cfg;
	char err[160], buf[4096];

	if (kmm_config_resolve(&cfg, NULL, err, sizeof(err))) {
		fprintf(stderr, "kmm: %s\n", err);
		return 2;
	}
	kmm_options_print(&cfg, buf, sizeof(buf));
	fputs(buf, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct sim *s;
	int bad;

	if (argc == 1) {
		s = sim_create(stdout, stderr);
		if (!s)
			return 2;
		bad = sim_run_stream(s, stdin, isatty(0));
		sim_destroy(s);
		return bad ? 1 : 0;
	}
	if (!strcmp(argv[1], "run") && argc == 3)
		return run_script(argv[2]);
	if (!strcmp(argv[1], "tour") && argc == 2)
		return kmm_tour(stdout, stderr);
	if (!strcmp(argv[1], "--options"))
		return print_options();
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return usage(stdout);
	return usage(stderr);
}
