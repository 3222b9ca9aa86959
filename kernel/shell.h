/*
 * shell.h: the interactive serial shell (option `shell`), run after the
 * test suites. `help` lists its commands; `exit` returns, and so does a
 * wait of idle_seconds (option shell_idle=; 0: wait for ever) for input.
 */
#ifndef DYNFLAGS_SHELL_H
#define DYNFLAGS_SHELL_H

#include <stdint.h>

void shell_run(uint32_t idle_seconds);

#endif
