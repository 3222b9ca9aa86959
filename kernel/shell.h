/*
 * shell.h: the interactive serial shell (option `shell`), run after the
 * test suites. `help` lists its commands; `exit` returns.
 */
#ifndef DYNFLAGS_SHELL_H
#define DYNFLAGS_SHELL_H

void shell_run(void);

#endif
