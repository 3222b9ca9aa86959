/*
 * timing.h: how long each phase of the boot takes, as report lines
 *
 *   # timing: phase=NAME cycles=C us=U
 *
 * measured with the TSC. A phase ends at timing_mark(NAME) and began at
 * the mark before it (or at timing_start(), at kernel entry). The TSC's
 * rate is measured against the PIT later in the boot (tsc_hz()), so the
 * phases that end before it is known are kept and printed when
 * timing_set_hz() gives it.
 */
#ifndef DYNFLAGS_TIMING_H
#define DYNFLAGS_TIMING_H

#include <stdint.h>

/* TSC ticks per second, measured once against the PIT (channel 2), and
 * how far off that may be, in parts per million. */
uint64_t tsc_hz(void);
uint64_t tsc_hz_error_ppm(void);

/* At kernel entry: the start of the first phase and of phase=total. */
void timing_start(void);

/* The phase `name` ends now (the name is copied; at most 39 bytes). */
void timing_mark(const char *name);

/* The TSC's rate in Hz: prints the phases kept so far, and later ones at once. */
void timing_set_hz(uint64_t hz);

/*
 * Hibernation: timing_pause() just before the CPU state is saved,
 * timing_resumed() once the saved kernel runs again. The TSC restarts at
 * power-on; the time the machine was off belongs to no phase, so the
 * phase in progress and phase=total go on from where they were.
 */
void timing_pause(void);
void timing_resumed(void);

/* Print phase=total: from timing_start() to now (just before the verdict). */
void timing_total(void);

#endif
