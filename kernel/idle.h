/*
 * idle.h: let the CPU sleep while the kernel waits for input, instead of
 * spinning on the serial port. A periodic local-APIC timer interrupt wakes
 * it about every millisecond to look again, so QEMU idles too.
 */
#ifndef DYNFLAGS_IDLE_H
#define DYNFLAGS_IDLE_H

#include <stdbool.h>

/* Start the wake-up timer. Returns false (and idle_wait() then only
 * pauses) when there is no usable xAPIC. */
bool idle_start(void);

/* Sleep until the next interrupt (or, without the timer, just pause). */
void idle_wait(void);

/* Stop the timer; interrupts stay off, as everywhere else in the kernel. */
void idle_stop(void);

#endif
