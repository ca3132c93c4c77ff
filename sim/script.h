/*
 * sim/script.h - the script interpreter behind `kmm run`, the shell and the
 * tour.  One command per line; each prints exactly one line (or the file,
 * for cat).  Commands live in one table (sim/script.c); adding one is a
 * row and a function.
 */
#ifndef KMM_SIM_SCRIPT_H
#define KMM_SIM_SCRIPT_H

#include <stdio.h>

struct sim;

struct sim *sim_create(FILE *out, FILE *err);
void sim_destroy(struct sim *s);
/* Names the input in error messages ("tour.kmm", "<stdin>"). */
void sim_set_source(struct sim *s, const char *name);
/* Shows kernel reports on out, each line after prefix (the tour does). */
void sim_set_dmesg_prefix(struct sim *s, const char *prefix);
/* Runs one line.  Returns 0, or -1 if the line was malformed. */
int sim_run_line(struct sim *s, const char *line);
/* Runs every line of in.  Returns the number of malformed lines. */
int sim_run_stream(struct sim *s, FILE *in, int interactive);
/* Boots the default machine if the script has not booted one. */
int sim_ensure_machine(struct sim *s);

#endif
