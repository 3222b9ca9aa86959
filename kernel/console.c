/*
 * console.c: COM1 serial output and input, and a small printf.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "kernel/console.h"
#include "kernel/x86.h"

#define COM1      0x3f8
#define UART_DATA 0          /* register offsets from COM1 */
#define UART_IER  1
#define UART_FCR  2
#define UART_LCR  3
#define UART_MCR  4
#define UART_LSR  5
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY  0x20

void console_init(void)
{
	outb(COM1 + UART_IER, 0x00);     /* no interrupts: we poll */
	outb(COM1 + UART_LCR, 0x80);     /* DLAB on: set the divisor */
	outb(COM1 + UART_DATA, 1);       /* 115200 / 1 = 115200 baud */
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, 0x03);     /* 8 data bits, no parity, 1 stop */
	outb(COM1 + UART_FCR, 0xc7);     /* FIFOs on and cleared */
	outb(COM1 + UART_MCR, 0x03);     /* DTR, RTS */
}

static void uart_put(char c)
{
	while (!(inb(COM1 + UART_LSR) & LSR_THR_EMPTY))
		;
	outb(COM1 + UART_DATA, (uint8_t)c);
}

static bool at_line_start = true;

void console_putc(char c)
{
	if (c == '\n')
		uart_put('\r');
	uart_put(c);
	at_line_start = c == '\n';
}

/* ------------------------------------------------- report indentation */

/*
 * While the KTAP runner is inside a suite, a report line ("# ..." at the
 * start of a line, from any kprintf) is indented to the suite's level, as
 * KUnit nests its diagnostics. The start of such a line is held back until
 * its key is known (up to the ':'), because the lines that end the run stay
 * at column 0 wherever they come: the exception report, a panic and the
 * verdict.
 */
static const char *report_indent = "";
static char held[24];
static size_t nr_held;

void console_set_report_indent(const char *indent)
{
	report_indent = indent ? indent : "";
}

static bool stays_at_column_0(const char *line, size_t len)
{
	static const char *const keys[] = { "# verdict:", "# panic:", "# exception:", "# regs:" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t n = strlen(keys[i]);

		if (len >= n && memcmp(line, keys[i], n) == 0)
			return true;
	}
	return false;
}

static void release_held(void)
{
	size_t n = nr_held;

	nr_held = 0;
	if (!stays_at_column_0(held, n))
		for (const char *p = report_indent; *p; p++)
			console_putc(*p);
	for (size_t i = 0; i < n; i++)
		console_putc(held[i]);
}

static void report_putc(char c)
{
	if (nr_held) {
		held[nr_held++] = c;
		if (c == ':' || c == '\n' || nr_held == sizeof(held))
			release_held();
		return;
	}
	if (at_line_start && c == '#' && report_indent[0]) {
		held[nr_held++] = c;
		return;
	}
	console_putc(c);
}

int console_try_getc(void)
{
	if (!(inb(COM1 + UART_LSR) & LSR_DATA_READY))
		return -1;
	return inb(COM1 + UART_DATA);
}

/* --------------------------------------------------------------- printf */

/* Where formatted characters go: the console, or a bounded buffer. */
struct sink {
	char *buf;          /* NULL: the console */
	size_t size;
	size_t len;         /* characters produced so far */
};

static void emit(struct sink *s, char c)
{
	if (!s->buf)
		report_putc(c);
	else if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

static void emit_padded(struct sink *s, const char *str, size_t n, int width,
			int left, char pad)
{
	int fill = width > (int)n ? width - (int)n : 0;

	if (!left)
		while (fill-- > 0)
			emit(s, pad);
	while (n--)
		emit(s, *str++);
	if (left)
		while (fill-- > 0)
			emit(s, ' ');
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
	static const char digits[] = "0123456789abcdef0123456789ABCDEF";

	for (; *fmt; fmt++) {
		char tmp[24];
		int left = 0, width = 0, longs = 0, upper = 0, base = 10, neg = 0;
		int precision = -1;     /* %.Ns / %.*s: at most N characters */
		char pad = ' ';
		unsigned long long v;
		const char *str;
		size_t n;

		if (*fmt != '%') {
			emit(s, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = 1;
			else if (*fmt == '0')
				pad = '0';
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			fmt++;
			precision = 0;
			if (*fmt == '*') {
				precision = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				precision = precision * 10 + (*fmt++ - '0');
		}
		while (*fmt == 'l' || *fmt == 'z') {
			longs++;
			fmt++;
		}

		switch (*fmt) {
		case 'd':
		case 'i': {
			long long sv = longs >= 2 ? va_arg(ap, long long)
				     : longs == 1 ? va_arg(ap, long) : va_arg(ap, int);
			neg = sv < 0;
			v = neg ? 0ULL - (unsigned long long)sv : (unsigned long long)sv;
			goto number;
		}
		case 'p':
			v = (uintptr_t)va_arg(ap, void *);
			base = 16;
			emit(s, '0');
			emit(s, 'x');
			goto number;
		case 'X':
			upper = 16;
			/* fall through */
		case 'x':
			base = 16;
			/* fall through */
		case 'u':
			v = longs >= 2 ? va_arg(ap, unsigned long long)
			  : longs == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
		number:
			n = 0;
			do {
				tmp[sizeof(tmp) - 1 - n++] = digits[upper + v % base];
				v /= base;
			} while (v);
			if (neg && pad == '0') {
				emit(s, '-');
				width--;
			} else if (neg) {
				tmp[sizeof(tmp) - 1 - n++] = '-';
			}
			emit_padded(s, tmp + sizeof(tmp) - n, n, width, left, left ? ' ' : pad);
			break;
		case 's':
			str = va_arg(ap, const char *);
			if (!str)
				str = "(null)";
			for (n = 0; str[n] && (precision < 0 || (int)n < precision); n++)
				;
			emit_padded(s, str, n, width, left, ' ');
			break;
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			emit_padded(s, tmp, 1, width, left, ' ');
			break;
		case '%':
			emit(s, '%');
			break;
		case '\0':
			return;
		default:            /* unknown conversion: show it as written */
			emit(s, '%');
			emit(s, *fmt);
			break;
		}
	}
}

void kvprintf(const char *fmt, va_list ap)
{
	struct sink s = { 0 };

	format(&s, fmt, ap);
	if (nr_held)
		release_held();      /* a line is never held past its kprintf */
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	struct sink s = { buf, size, 0 };
	va_list ap;

	va_start(ap, fmt);
	format(&s, fmt, ap);
	va_end(ap);
	if (size)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return (int)s.len;
}
