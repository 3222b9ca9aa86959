/*
 * timing.c: the TSC at each boot phase's end, and the TSC's rate measured
 * against the PIT (see timing.h).
 */
#include <stdint.h>
#include <string.h>

#include "kernel/console.h"
#include "kernel/timing.h"
#include "kernel/x86.h"

#define NAME_MAX    40
#define KEPT_MAX    32          /* phases that end before the rate is known */

struct phase {
	char name[NAME_MAX];
	uint64_t cycles;
};

static uint64_t origin, last, tsc_rate;
static struct phase kept[KEPT_MAX];
static unsigned int nr_kept;

void timing_start(void)
{
	origin = last = rdtsc();
}

static void print(const char *name, uint64_t cycles)
{
	/* us without overflow: whole seconds, then the remainder. */
	uint64_t us = cycles / tsc_rate * 1000000 + cycles % tsc_rate * 1000000 / tsc_rate;

	kprintf("# timing: phase=%s cycles=%llu us=%llu\n", name,
		(unsigned long long)cycles, (unsigned long long)us);
}

void timing_mark(const char *name)
{
	uint64_t now = rdtsc(), cycles = now - last;
	struct phase *p;
	size_t len;

	last = now;
	if (tsc_rate) {
		print(name, cycles);
		return;
	}
	if (nr_kept == KEPT_MAX)
		return;                  /* more early phases than kmain has */
	p = &kept[nr_kept++];
	len = strlen(name) < NAME_MAX - 1 ? strlen(name) : NAME_MAX - 1;
	memcpy(p->name, name, len);
	p->name[len] = '\0';
	p->cycles = cycles;
}

static uint64_t paused;

void timing_pause(void)
{
	paused = rdtsc();
}

void timing_resumed(void)
{
	/* Modulo 2^64, so a TSC that restarted lower shifts both marks by
	 * the same amount: now - last is the time run since the pause. */
	uint64_t shift = rdtsc() - paused;

	origin += shift;
	last += shift;
}

void timing_set_hz(uint64_t hz)
{
	tsc_rate = hz ? hz : 1;
	for (unsigned int i = 0; i < nr_kept; i++)
		print(kept[i].name, kept[i].cycles);
	nr_kept = 0;
}

void timing_total(void)
{
	if (tsc_rate)
		print("total", rdtsc() - origin);
}

/* ------------------------------------------ the TSC against the PIT --- */

#define PIT_HZ        1193182u   /* the PIT's input clock */
#define PIT_CH2_DATA  0x42
#define PIT_COMMAND   0x43
#define PIT_GATE_PORT 0x61       /* bit 0: channel 2 gate, bit 5: its output */
#define CALIBRATE_MS  10
#define CALIBRATE_RUNS 5

static uint64_t tsc_error_ppm;    /* of the rate tsc_hz() measured */

/*
 * TSC ticks while PIT channel 2 counts down CALIBRATE_MS in mode 0
 * ("interrupt on terminal count": its output goes high at zero), with the
 * speaker off. *uncertainty is how many ticks the start and the end could
 * each be off by: the time the count write took, and the time between the
 * last poll that saw the output low and the first that saw it high.
 */
static uint64_t pit_measure(uint64_t *uncertainty)
{
	uint32_t count = PIT_HZ / (1000 / CALIBRATE_MS);
	uint64_t before, start, low, high;

	outb(PIT_GATE_PORT, (inb(PIT_GATE_PORT) & ~0x02) | 0x01);
	outb(PIT_COMMAND, 0xb0);          /* channel 2, lobyte/hibyte, mode 0 */
	outb(PIT_CH2_DATA, count & 0xff);
	before = rdtsc();
	outb(PIT_CH2_DATA, count >> 8);   /* counting starts with this write */
	start = low = rdtsc();
	while (!(inb(PIT_GATE_PORT) & 0x20))
		low = rdtsc();
	high = rdtsc();
	*uncertainty = (start - before) + (high - low);
	return (high + low) / 2 - (start + before) / 2;
}

/*
 * The run with the smallest uncertainty wins: under TCG on a busy host the
 * virtual CPU can be descheduled for milliseconds in the middle of a run,
 * which shows as a large gap at its start or end.
 */
uint64_t tsc_hz(void)
{
	static uint64_t hz;
	uint64_t best_ticks = 0, best_unc = ~0ull;

	if (hz)
		return hz;
	for (int run = 0; run < CALIBRATE_RUNS; run++) {
		uint64_t unc, ticks = pit_measure(&unc);

		if (unc < best_unc) {
			best_unc = unc;
			best_ticks = ticks;
		}
	}
	hz = best_ticks * (1000 / CALIBRATE_MS);
	if (!hz)
		hz = 1;
	tsc_error_ppm = best_ticks ? best_unc * 1000000 / best_ticks : 0;
	return hz;
}

uint64_t tsc_hz_error_ppm(void)
{
	return tsc_error_ppm;
}
