/*
 * console.h: the serial console on COM1 (16550 UART, 115200 8N1) and the
 * kernel's printf. All output of the kernel goes here.
 *
 * kprintf understands %d %i %u %x %X %p %s %c %%, the length modifiers
 * l, ll and z, a field width, the flags '0' and '-', and a precision
 * for strings (%.5s, %.*s).
 */
#ifndef DYNFLAGS_CONSOLE_H
#define DYNFLAGS_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

void console_init(void);
void console_putc(char c);
int console_try_getc(void);      /* a received byte, or -1 if none is waiting */

/*
 * Indent every report line ("#" at the start of a line) kprintf prints from
 * now on with `indent` ("" or NULL: none), except "# verdict:", "# panic:",
 * "# exception:" and "# regs:", which stay at column 0. The KTAP runner
 * sets it while a suite runs.
 */
void console_set_report_indent(const char *indent);

void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
/* Like snprintf: returns the length the full output would have. */
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
