/*
 * tools/shell.h - the interactive shell behind `kmm` on a terminal.
 */
#ifndef KMM_TOOLS_SHELL_H
#define KMM_TOOLS_SHELL_H

/* Reads commands from the terminal until quit or end of input; returns
 * the exit status (0; 2 if the interpreter could not be created). */
int kmm_shell(void);

#endif
