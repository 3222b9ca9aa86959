/*
 * timing.c: the TSC at each boot phase's end (see timing.h).
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
