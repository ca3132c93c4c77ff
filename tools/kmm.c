/*
 * tools/kmm.c - the kmm command.
 *
 *   kmm                 interactive shell (the script language), or the
 *                       lines of stdin when it is not a terminal
 *   kmm run [-e] FILE|- run a script; exit status 1 if a line was
 *                       malformed (-e, --stop-on-error, stops there), 3 if
 *                       the machine panicked (nothing runs after that)
 *   kmm tour            the guided tour
 *   kmm --options       the boot options and their values
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "base/option.h"
#include "sim/script.h"
#include "sim/tour.h"
#include "tools/shell.h"

static int usage(FILE *f)
{
	fprintf(f, "usage: kmm [run [-e|--stop-on-error] [--faults] FILE|-] [tour] [--options] [--help]\n"
		   "  kmm               interactive shell (type 'help'; 'quit' or Ctrl-D leaves)\n"
		   "  kmm run FILE      run a script ('-' reads stdin); a malformed line is\n"
		   "                    reported and skipped, and the exit status is 1;\n"
		   "                    a kernel panic (exit 1: init) stops it with status 3\n"
		   "  kmm run -e FILE   the same, but stop at the first malformed line\n"
		   "                    (--stop-on-error)\n"
		   "  kmm run --faults FILE   touch/read/write lines end with minflt=N\n"
		   "  kmm tour          a guided tour of the machine\n"
		   "  kmm --options     boot options, their values and meaning\n");
	return f == stderr ? 2 : 0;
}

/* 3 if the machine panicked, else 1 if a line was malformed, else 0. */
static int run_status(const struct sim *s, int bad)
{
	return sim_panicked(s) ? 3 : bad ? 1 : 0;
}

static int run_script(const char *path, bool stop_on_error, bool faults)
{
	FILE *in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	struct sim *s;
	int bad, status;

	if (!in) {
		fprintf(stderr, "kmm: cannot open %s: ", path);
		perror(NULL);
		return 2;
	}
	s = sim_create(stdout, stderr);
	if (!s)
		return 2;
	sim_set_source(s, strcmp(path, "-") ? path : "<stdin>");
	sim_set_stop_on_error(s, stop_on_error);
	sim_set_show_faults(s, faults);
	bad = sim_run_stream(s, in, 0);
	status = run_status(s, bad);
	sim_destroy(s);
	if (in != stdin)
		fclose(in);
	return status;
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

/* kmm run [-e|--stop-on-error] [--faults] FILE: options first or last. */
static int cmd_run(int argc, char **argv)
{
	const char *path = NULL;
	bool stop = false, faults = false;
	int i;

	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-e") || !strcmp(argv[i], "--stop-on-error"))
			stop = true;
		else if (!strcmp(argv[i], "--faults"))
			faults = true;
		else if (!path && (argv[i][0] != '-' || !strcmp(argv[i], "-")))
			path = argv[i];
		else
			return usage(stderr);
	}
	return path ? run_script(path, stop, faults) : usage(stderr);
}

int main(int argc, char **argv)
{
	struct sim *s;
	int status;

	if (argc == 1 && isatty(0))
		return kmm_shell();
	if (argc == 1) {
		s = sim_create(stdout, stderr);
		if (!s)
			return 2;
		status = run_status(s, sim_run_stream(s, stdin, 0));
		sim_destroy(s);
		return status;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc, argv);
	if (!strcmp(argv[1], "tour") && argc == 2)
		return kmm_tour(stdout, stderr);
	if (!strcmp(argv[1], "--options"))
		return print_options();
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return usage(stdout);
	return usage(stderr);
}
