/*
 * sim/script.h - the script interpreter behind `kmm run`, the shell and the
 * tour.  One command per line; each prints exactly one line (or the file,
 * for cat).  Commands live in one table (sim/script.c); adding one is a
 * row and a function.
 */
#ifndef KMM_SIM_SCRIPT_H
#define KMM_SIM_SCRIPT_H

#include <stdbool.h>
#include <stdio.h>

struct sim;

struct sim *sim_create(FILE *out, FILE *err);
void sim_destroy(struct sim *s);
/* Names the input in error messages ("tour.kmm", "<stdin>"). */
void sim_set_source(struct sim *s, const char *name);
/* Shows kernel reports on out, each line after prefix (the tour does). */
void sim_set_dmesg_prefix(struct sim *s, const char *prefix);
/* Runs one line.  Returns 0, or -1 if the line was malformed or, the
 * machine having panicked, not run at all (it then prints nothing). */
int sim_run_line(struct sim *s, const char *line);
/* Whether the machine panicked (init ended): nothing runs any more. */
bool sim_panicked(const struct sim *s);
/*
 * Runs every line of in, up to a quit command, a kernel panic (or the
 * first malformed line, with stop-on-error).  interactive prints the "kmm> " prompt
 * before each line.  Returns the number of malformed lines.
 */
int sim_run_stream(struct sim *s, FILE *in, int interactive);
/* kmm run --stop-on-error: sim_run_stream stops at a malformed line. */
void sim_set_stop_on_error(struct sim *s, bool stop);
/* kmm run --faults: touch, read and write lines end with " minflt=N". */
void sim_set_show_faults(struct sim *s, bool show);
/* For a caller reading lines itself: whether the last line was quit.
 * Clears the request. */
bool sim_quit_requested(struct sim *s);
/* Boots the default machine if the script has not booted one. */
int sim_ensure_machine(struct sim *s);

#endif
