/*
 * tools/shell.c - the interactive shell: `kmm` on a terminal.  Every line
 * goes to the interpreter `kmm run` uses (sim_run_line), so the shell
 * speaks the script language and prints the same lines.  With libedit
 * (found at build time: KMM_HAVE_LIBEDIT) lines can be edited and earlier
 * ones recalled, and the history outlives the session in ~/.kmm_history
 * when that file can be written; without it, plain lines after a prompt.
 * The shell lives here, not in sim/, so that libkmm does not depend on a
 * line editor.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/script.h"
#include "tools/shell.h"
#ifdef KMM_HAVE_LIBEDIT
#include <histedit.h>
#endif

#define PROMPT "kmm> "

#ifdef KMM_HAVE_LIBEDIT
#define HISTORY_SIZE 1000

/* ~/.kmm_history, or false when there is no home to keep it in. */
static bool history_path(char *buf, size_t size)
{
	const char *home = getenv("HOME");
	int n;

	if (!home || !*home)
		return false;
	n = snprintf(buf, size, "%s/.kmm_history", home);
	return n > 0 && (size_t)n < size;
}

static const char *prompt(EditLine *el)
{
	return PROMPT;
}

static bool blank_line(const char *p)
{
	return !p[strspn(p, " \t\r\n")];
}

/* Returns -1 if libedit could not be set up (the caller reads plainly). */
static int read_edited_lines(struct sim *s)
{
	EditLine *el = el_init("kmm", stdin, stdout, stderr);
	History *h = history_init();
	char path[PATH_MAX];
	bool keep = history_path(path, sizeof(path));
	const char *line;
	HistEvent ev;
	int n;

	if (!el || !h) {
		if (el)
			el_end(el);
		if (h)
			history_end(h);
		return -1;
	}
	history(h, &ev, H_SETSIZE, HISTORY_SIZE);
	history(h, &ev, H_SETUNIQUE, 1);
	if (keep)
		history(h, &ev, H_LOAD, path);	/* the first time there is none */
	el_set(el, EL_EDITOR, "emacs");
	el_set(el, EL_SIGNAL, 1);		/* the terminal is restored on ^C */
	el_set(el, EL_PROMPT, prompt);
	el_set(el, EL_HIST, history, h);
	el_source(el, NULL);			/* the user's ~/.editrc, if any */
	while ((line = el_gets(el, &n)) && n > 0) {
		if (!blank_line(line))
			history(h, &ev, H_ENTER, line);
		sim_run_line(s, line);
		fflush(stdout);
		if (sim_quit_requested(s))
			break;
	}
	if (!line)
		putchar('\n');			/* ^D: leave the terminal tidy */
	/* A history that cannot be saved is not worth failing for. */
	if (keep)
		history(h, &ev, H_SAVE, path);
	history_end(h);
	el_end(el);
	return 0;
}
#else
static int read_edited_lines(struct sim *s)
{
	return -1;
}
#endif

int kmm_shell(void)
{
	struct sim *s = sim_create(stdout, stderr);
	int status;

	if (!s)
		return 2;
	printf("kmm: the script language, one command per line; "
	       "'help' lists the commands, 'quit' or Ctrl-D leaves.\n");

	if (read_edited_lines(s)) {
		sim_run_stream(s, stdin, 1);
		if (feof(stdin))
			putchar('\n');
	}
	status = sim_panicked(s) ? 3 : 0;	/* as kmm run says it */
	sim_destroy(s);
	return status;
}
