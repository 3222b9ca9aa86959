/*
 * panic.h: how the kernel ends a run.
 *
 * Under QEMU, the kernel leaves through the isa-debug-exit device
 * (-device isa-debug-exit,iobase=0xf4,iosize=0x04): writing v makes QEMU
 * exit with status (v << 1) | 1. Exit statuses 0 and 1 never come from the
 * device, so a test treats them as a crash (e.g. a triple fault).
 * Without the device the write is ignored and the kernel halts.
 */
#ifndef DYNFLAGS_PANIC_H
#define DYNFLAGS_PANIC_H

#include <stdint.h>

#define EXIT_PASS  0x10   /* every test passed     -> QEMU exits 33 */
#define EXIT_FAIL  0x11   /* some test failed       -> QEMU exits 35 */
#define EXIT_PANIC 0x12   /* panic or CPU exception -> QEMU exits 37 */

void qemu_exit(uint32_t code) __attribute__((noreturn));

/* Print "# panic: ..." and a verdict line, then exit with EXIT_PANIC. */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Set up the GDT with a TSS, the IDT and handlers for the 32 exceptions. */
void trap_init(void);

/* Point IDT vector `vector` at `handler` (an interrupt gate, ring 0).
 * Vectors without a gate fault (#GP) if they ever fire. */
void trap_set_gate(uint8_t vector, uint64_t handler);

#endif
