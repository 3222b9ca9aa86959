/*
 * hotplug.c: QEMU's ACPI memory-hotplug controller, polled (see hotplug.h).
 *
 * Registers (docs/specs/acpi_mem_hotplug.rst in QEMU), for the slot the
 * selector chose:
 *   read   +0x00 base low  +0x04 base high  +0x08 length low
 *          +0x0c length high  +0x10 proximity (node)
 *          +0x14 status: bit 0 enabled, bit 1 insert event, bit 2 remove event
 *   write  +0x00 selector  +0x04 _OST event code  +0x08 _OST status code
 *          +0x14 control: 0x02 clears the insert event, 0x04 the remove
 *          event, 0x08 ejects; one action per write
 * _OST codes are the ACPI spec's (as Linux's include/linux/acpi.h names
 * them): event 0x01 device check (an insert), 0x03 eject request; status
 * 0x00 success, 0x01 non-specific failure, 0x82 device busy.
 *
 * The kernel never takes GPE interrupts: it polls the status bytes, at
 * boot for cold-plugged DIMMs, during `hotplug_wait=` and in the shell.
 */
#include <stdbool.h>
#include <stdint.h>

#include "kernel/console.h"
#include "kernel/frame.h"
#include "kernel/hotplug.h"
#include "kernel/idle.h"
#include "kernel/pageflags_boot.h"
#include "kernel/paging.h"
#include "kernel/portable/acpi.h"
#include "kernel/portable/crc32c.h"
#include "kernel/portable/hibimg.h"
#include "kernel/portable/sections.h"
#include "kernel/sections_boot.h"
#include "kernel/timing.h"
#include "kernel/x86.h"

#define MHP_BASE        0x0a00
#define MHP_SEL         (MHP_BASE + 0x00)
#define MHP_ADDR_LO     (MHP_BASE + 0x00)
#define MHP_ADDR_HI     (MHP_BASE + 0x04)
#define MHP_LEN_LO      (MHP_BASE + 0x08)
#define MHP_LEN_HI      (MHP_BASE + 0x0c)
#define MHP_NODE        (MHP_BASE + 0x10)
#define MHP_OST_EVENT   (MHP_BASE + 0x04)
#define MHP_OST_STATUS  (MHP_BASE + 0x08)
#define MHP_STATUS      (MHP_BASE + 0x14)

#define ST_ENABLED      0x01
#define ST_INSERT       0x02
#define ST_REMOVE       0x04
#define CTL_CLEAR_INSERT 0x02
#define CTL_CLEAR_REMOVE 0x04
#define CTL_EJECT       0x08

#define OST_EV_DEVICE_CHECK  0x01
#define OST_EV_EJECT_REQUEST 0x03
#define OST_SUCCESS          0x00
#define OST_FAILURE          0x01
#define OST_DEVICE_BUSY      0x82

#define MAX_SLOTS       256     /* QEMU's ACPI_MAX_RAM_SLOTS */

enum dimm_state { DIMM_EMPTY, DIMM_ONLINE, DIMM_REFUSED };

static const char *const state_names[] = { "empty", "online", "refused" };

struct dimm {
	enum dimm_state state;
	bool coldplug;
	uint64_t start, end;    /* bytes */
	uint32_t node;
};

static struct dimm dimms[MAX_SLOTS];
static uint32_t nr_slots;
static bool booted;             /* hotplug_boot() has run: dimms[] is the truth */

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void select_slot(uint32_t slot)
{
	outl(MHP_SEL, slot);
}

static void ost(uint32_t event, uint32_t status)
{
	outl(MHP_OST_EVENT, event);
	outl(MHP_OST_STATUS, status);
}

static uint64_t leaves(struct pageflags *map)
{
	struct pageflags_stats st;

	if (!map)
		return 0;
	pageflags_stats(map, &st);
	return st.nr_leaves;
}

uint32_t hotplug_slots(void)
{
	return nr_slots;
}

/* The other online DIMMs' pfn ranges, for the overlap check. */
static uint32_t other_dimms(uint32_t slot, struct sections_range *out)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < nr_slots; i++)
		if (i != slot && dimms[i].state == DIMM_ONLINE)
			out[n++] = (struct sections_range){ dimms[i].start >> PAGE_SHIFT,
							    dimms[i].end >> PAGE_SHIFT };
	return n;
}

struct add_steps {
	uint64_t page_tables, sections, frames, pageflags;  /* cycles */
	const char *failed;     /* the step that ran out of memory */
};

/*
 * Make [start, end) present, online memory: page tables, sections,
 * frames, the boot present-only map (when it exists yet). All or nothing:
 * on failure every step done is undone, and the problem returned.
 */
static int online_range(uint64_t start, uint64_t end, uint32_t node,
			struct add_steps *st)
{
	uint64_t spfn = start >> PAGE_SHIFT, epfn = end >> PAGE_SHIFT;
	uint64_t t = rdtsc(), tables, in_use;
	int err;

	if (paging_map_range(start, end, &tables) != 0) {
		st->failed = "page-tables";
		return SECTIONS_ERR_NOMEM;
	}
	st->page_tables = rdtsc() - t;
	t = rdtsc();
	err = sections_online(&kernel_sections, spfn, epfn, node);
	st->sections = rdtsc() - t;
	if (err) {
		st->failed = "sections";
		goto unmap;
	}
	t = rdtsc();
	if (frame_add_range(spfn, epfn) != 0) {
		st->failed = "frames";
		err = SECTIONS_ERR_NOMEM;
		goto offline;
	}
	st->frames = rdtsc() - t;
	t = rdtsc();
	if (boot_flags_present && pageflags_grow(boot_flags_present, spfn, epfn) != 0) {
		st->failed = "pageflags";
		err = SECTIONS_ERR_NOMEM;
		frame_remove_range(spfn, epfn, &in_use);
		goto offline;
	}
	st->pageflags = rdtsc() - t;
	return 0;
offline:
	sections_offline(&kernel_sections, spfn, epfn);
unmap:
	paging_unmap_range(start, end, &tables);
	return err;
}

/*
 * The all-possible map must already cover the range: set and clear a bit
 * in every new section; no frame may be taken, no leaf added. Returns the
 * first pfn that fails, or 0.
 */
static uint64_t prove_all_map(uint64_t spfn, uint64_t epfn)
{
	uint64_t step = 1ull << (kernel_sections.section_bits - PAGE_SHIFT);

	if (!boot_flags_all)
		return 0;
	for (uint64_t pfn = spfn; pfn < epfn; pfn += step) {
		int was = pageflags_test_and_set(boot_flags_all, pfn);

		if (was < 0)
			return pfn;
		if (!was)
			pageflags_clear(boot_flags_all, pfn);
	}
	return 0;
}

/* One insert event (or a cold-plugged DIMM) in `slot`. 0, or 1 when a
 * refused add left frames in use behind it (a kernel bug: leaked != 0).
 * Bad input and a clean out-of-memory refusal are answered, not errors. */
static int handle_add(uint32_t slot, uint8_t status, bool cold)
{
	uint64_t t0 = rdtsc(), start, len, end, spfn, epfn;
	uint64_t in_use = frame_count_in_use(), free_before = frame_count_free();
	uint64_t present_before = leaves(boot_flags_present);
	uint64_t all_before = leaves(boot_flags_all), bad_pfn;
	struct sections_range others[MAX_SLOTS];
	struct add_steps st = { 0, 0, 0, 0, NULL };
	struct dimm *d = &dimms[slot];
	uint32_t node;
	int64_t leaked = 0;
	int err;

	start = inl(MHP_ADDR_LO) | (uint64_t)inl(MHP_ADDR_HI) << 32;
	len = inl(MHP_LEN_LO) | (uint64_t)inl(MHP_LEN_HI) << 32;
	node = inl(MHP_NODE);
	end = start + len;
	spfn = start >> PAGE_SHIFT;
	epfn = end >> PAGE_SHIFT;

	if (!(status & ST_ENABLED) || len == 0) {
		err = 1;
		kprintf("# hotplug-error: event=add slot=%u reason=empty-slot status=0x%x leaked=0\n",
			slot, status);
		goto refuse;
	}
	err = end < start ? SECTIONS_ERR_PAST_WIDTH :
	      sections_check_hotplug(&kernel_sections, &kernel_acpi, spfn, epfn,
				     others, other_dimms(slot, others));
	if (err == 0)
		err = online_range(start, end, node, &st);
	if (err) {
		leaked = (int64_t)(frame_count_in_use() - in_use);
		kprintf("# hotplug-error: event=add slot=%u reason=%s%s%s start=0x%llx end=0x%llx node=%u leaked=%lld\n",
			slot, sections_reason(err), st.failed ? " step=" : "",
			st.failed ? st.failed : "", (unsigned long long)start,
			(unsigned long long)end, node, (long long)leaked);
		*d = (struct dimm){ DIMM_REFUSED, cold, start, end, node };
		goto refuse;
	}
	*d = (struct dimm){ DIMM_ONLINE, cold, start, end, node };

	if (!cold) {
		uint64_t before = frame_count_in_use();

		bad_pfn = prove_all_map(spfn, epfn);
		if (bad_pfn || frame_count_in_use() != before || leaves(boot_flags_all) != all_before)
			kprintf("# hotplug-warning: slot=%u problem=\"the all-possible map does not cover the DIMM\" pfn=0x%llx\n",
				slot, (unsigned long long)bad_pfn);
	}
	if (status & ST_INSERT)
		outb(MHP_STATUS, CTL_CLEAR_INSERT);
	ost(OST_EV_DEVICE_CHECK, OST_SUCCESS);
	t0 = rdtsc() - t0;

	if (cold) {
		kprintf("# dimm: slot=%u start=0x%llx end=0x%llx node=%u state=coldplug\n",
			slot, (unsigned long long)start, (unsigned long long)end, node);
		/* Its sections again, now present and online. */
		sections_report_range(&kernel_sections, pfn_to_section_nr(&kernel_sections, spfn),
				      pfn_to_section_nr(&kernel_sections, epfn - 1) + 1, kprintf);
		return 0;
	}
	kprintf("# hotplug: event=add slot=%u start=0x%llx end=0x%llx node=%u sections=%llu-%llu present_leaves=%llu->%llu all_leaves=%llu->%llu frames_free=%llu->%llu\n",
		slot, (unsigned long long)start, (unsigned long long)end, node,
		(unsigned long long)pfn_to_section_nr(&kernel_sections, spfn),
		(unsigned long long)pfn_to_section_nr(&kernel_sections, epfn - 1),
		(unsigned long long)present_before,
		(unsigned long long)leaves(boot_flags_present),
		(unsigned long long)all_before, (unsigned long long)leaves(boot_flags_all),
		(unsigned long long)free_before, (unsigned long long)frame_count_free());
	kprintf("# hotplug-timing: slot=%u cycles=%llu page_tables=%llu sections=%llu frames=%llu pageflags=%llu\n",
		slot, (unsigned long long)t0, (unsigned long long)st.page_tables,
		(unsigned long long)st.sections, (unsigned long long)st.frames,
		(unsigned long long)st.pageflags);
	return 0;

refuse:
	if (status & ST_INSERT)
		outb(MHP_STATUS, CTL_CLEAR_INSERT);
	ost(OST_EV_DEVICE_CHECK, OST_FAILURE);
	return leaked != 0;
}

/* One remove event in `slot`. */
static void handle_remove(uint32_t slot)
{
	struct dimm *d = &dimms[slot];
	uint64_t spfn = d->start >> PAGE_SHIFT, epfn = d->end >> PAGE_SHIFT;
	uint64_t present_before = leaves(boot_flags_present), in_use = 0, tables;

	outb(MHP_STATUS, CTL_CLEAR_REMOVE);
	if (d->state == DIMM_ONLINE) {
		in_use = frame_count_allocated(spfn, epfn);
		if (in_use || frame_remove_range(spfn, epfn, &in_use) != 0) {
			ost(OST_EV_EJECT_REQUEST, OST_DEVICE_BUSY);
			kprintf("# hotplug: event=remove slot=%u start=0x%llx end=0x%llx result=refused reason=busy pages_in_use=%llu\n",
				slot, (unsigned long long)d->start,
				(unsigned long long)d->end, (unsigned long long)in_use);
			return;
		}
		sections_offline(&kernel_sections, spfn, epfn);
		if (boot_flags_present)
			pageflags_shrink(boot_flags_present, spfn, epfn,
					 sections_range_present_cb, &kernel_sections);
		paging_unmap_range(d->start, d->end, &tables);
	}
	ost(OST_EV_EJECT_REQUEST, OST_SUCCESS);
	outb(MHP_STATUS, CTL_EJECT);
	kprintf("# hotplug: event=remove slot=%u start=0x%llx end=0x%llx result=ejected present_leaves=%llu->%llu\n",
		slot, (unsigned long long)d->start, (unsigned long long)d->end,
		(unsigned long long)present_before,
		(unsigned long long)leaves(boot_flags_present));
	d->state = DIMM_EMPTY;
}

static uint64_t poll_errors;

uint64_t hotplug_poll(void)
{
	uint64_t handled = 0;

	for (uint32_t slot = 0; slot < nr_slots; slot++) {
		uint8_t status;

		select_slot(slot);
		status = inb(MHP_STATUS);
		if (status & ST_INSERT) {
			poll_errors += (uint64_t)handle_add(slot, status, false);
			handled++;
		} else if (status & ST_REMOVE) {
			handle_remove(slot);
			handled++;
		}
	}
	return handled;
}

/* The controller's slots, when the DSDT declares it and its ports answer. */
static uint32_t controller_slots(bool print)
{
	uint64_t slots = kernel_acpi.memhp_slots;

	if (!kernel_acpi.memhp || slots == 0)
		return 0;
	select_slot(0);
	if (inb(MHP_STATUS) == 0xff) {
		/* Declared, but nothing answers: never trust it. */
		if (print)
			kprintf("# hotplug-warning: problem=\"the DSDT declares memory hotplug but its ports read all ones\" action=ignored\n");
		return 0;
	}
	return slots > MAX_SLOTS ? MAX_SLOTS : (uint32_t)slots;
}

int hotplug_boot(void)
{
	int errors = 0;

	kprintf("# hotplug-dsdt: found=%d addr=0x%llx memhp=%d mdnr=%llu\n",
		kernel_acpi.have_dsdt ? 1 : 0, (unsigned long long)kernel_acpi.dsdt_addr,
		kernel_acpi.memhp ? 1 : 0, (unsigned long long)kernel_acpi.memhp_slots);
	nr_slots = controller_slots(true);
	booted = true;
	kprintf("# hotplug-controller: slots=%u\n", nr_slots);
	for (uint32_t slot = 0; slot < nr_slots; slot++) {
		uint8_t status;

		dimms[slot].state = DIMM_EMPTY;
		select_slot(slot);
		status = inb(MHP_STATUS);
		/* Cold plugged: enabled with no insert event. */
		if ((status & (ST_ENABLED | ST_INSERT)) == ST_ENABLED)
			errors += handle_add(slot, status, true);
	}
	return errors;
}

int hotplug_wait(uint64_t seconds, uint64_t max_events, bool print)
{
	uint64_t limit, start, events = 0, errors_before = poll_errors;
	bool sleeps;

	if (seconds == 0)
		return 0;
	if (print)
		kprintf("# hotplug-wait: seconds=%llu\n", (unsigned long long)seconds);
	limit = seconds * tsc_hz();
	/* At boot the wake-up timer is started here; the shell runs its own. */
	sleeps = print && idle_start();
	start = rdtsc();
	while (nr_slots > 0) {
		events += hotplug_poll();
		if ((max_events && events >= max_events) || rdtsc() - start >= limit)
			break;
		idle_wait();
	}
	if (nr_slots == 0) {
		while (rdtsc() - start < limit)
			idle_wait();
	}
	if (sleeps)
		idle_stop();
	return (int)(poll_errors - errors_before);
}

void hotplug_list(void)
{
	uint32_t shown = 0;

	for (uint32_t slot = 0; slot < nr_slots; slot++) {
		const struct dimm *d = &dimms[slot];

		if (d->state == DIMM_EMPTY)
			continue;
		kprintf("dimm: slot=%u start=0x%llx end=0x%llx node=%u state=%s%s pages_in_use=%llu\n",
			slot, (unsigned long long)d->start, (unsigned long long)d->end,
			d->node, state_names[d->state], d->coldplug ? ",coldplug" : "",
			(unsigned long long)frame_count_allocated(d->start >> PAGE_SHIFT,
								  d->end >> PAGE_SHIFT));
		shown++;
	}
	kprintf("dimm: slots=%u dimms=%u\n", nr_slots, shown);
}

int64_t hotplug_alloc(uint32_t slot, uint64_t n, void (*keep)(void *ctx, void *frame),
		      void *ctx)
{
	const struct dimm *d = slot < nr_slots ? &dimms[slot] : NULL;
	int64_t got = 0;

	if (!d || d->state != DIMM_ONLINE)
		return -1;
	for (; (uint64_t)got < n; got++) {
		void *frame = frame_alloc_in_range(d->start >> PAGE_SHIFT, d->end >> PAGE_SHIFT);

		if (!frame)
			break;
		keep(ctx, frame);
	}
	return got;
}

uint64_t hotplug_online_pages(void)
{
	uint64_t pages = 0;

	for (uint32_t slot = 0; slot < nr_slots; slot++)
		if (dimms[slot].state == DIMM_ONLINE)
			pages += (dimms[slot].end - dimms[slot].start) >> PAGE_SHIFT;
	return pages;
}

uint64_t hotplug_nth_online_page(uint64_t n)
{
	for (uint32_t slot = 0; slot < nr_slots; slot++) {
		const struct dimm *d = &dimms[slot];
		uint64_t pages = (d->end - d->start) >> PAGE_SHIFT;

		if (d->state != DIMM_ONLINE)
			continue;
		if (n < pages)
			return d->start + (n << PAGE_SHIFT);
		n -= pages;
	}
	return 0;
}

bool hotplug_pfn_online(uint64_t pfn)
{
	for (uint32_t slot = 0; slot < nr_slots; slot++) {
		const struct dimm *d = &dimms[slot];

		if (d->state == DIMM_ONLINE && pfn >= d->start >> PAGE_SHIFT &&
		    pfn < d->end >> PAGE_SHIFT)
			return true;
	}
	return false;
}

/*
 * Before hotplug_boot() (a resume's check, nothing onlined yet): the
 * DIMMs the controller holds, every enabled slot, read once.
 */
static struct dimm probed[MAX_SLOTS];
static uint32_t nr_probed;
static bool probe_done;

static void probe(void)
{
	if (probe_done)
		return;
	probe_done = true;
	nr_probed = controller_slots(false);
	for (uint32_t slot = 0; slot < nr_probed; slot++) {
		uint64_t start, len;

		probed[slot] = (struct dimm){ DIMM_EMPTY, true, 0, 0, 0 };
		select_slot(slot);
		if (!(inb(MHP_STATUS) & ST_ENABLED))
			continue;
		start = inl(MHP_ADDR_LO) | (uint64_t)inl(MHP_ADDR_HI) << 32;
		len = inl(MHP_LEN_LO) | (uint64_t)inl(MHP_LEN_HI) << 32;
		if (len == 0 || start + len < start)
			continue;
		probed[slot] = (struct dimm){ DIMM_ONLINE, true, start, start + len,
					      inl(MHP_NODE) };
	}
}

/* The DIMMs present now: dimms[] after hotplug_boot(), else the probe's. */
static const struct dimm *present_dimms(uint32_t *n)
{
	if (booted) {
		*n = nr_slots;
		return dimms;
	}
	probe();
	*n = nr_probed;
	return probed;
}

/* One DIMM into the fingerprint: its slot, start, end and node. */
static uint32_t fingerprint_add(uint32_t crc, uint32_t slot, uint64_t start,
				uint64_t end, uint32_t node)
{
	const uint64_t rec[4] = { slot, start, end, node };

	return crc32c(crc, rec, sizeof(rec));
}

uint64_t hotplug_fingerprint(void)
{
	uint32_t count = 0, crc = 0, n;
	const struct dimm *d = present_dimms(&n);

	for (uint32_t slot = 0; slot < n; slot++) {
		if (d[slot].state != DIMM_ONLINE)
			continue;
		crc = fingerprint_add(crc, slot, d[slot].start, d[slot].end, d[slot].node);
		count++;
	}
	return HIBIMG_DIMMS(count, crc);
}

bool hotplug_pfn_present(uint64_t pfn)
{
	uint32_t n;
	const struct dimm *d = present_dimms(&n);

	for (uint32_t slot = 0; slot < n; slot++)
		if (d[slot].state == DIMM_ONLINE && pfn >= d[slot].start >> PAGE_SHIFT &&
		    pfn < d[slot].end >> PAGE_SHIFT)
			return true;
	return false;
}

uint64_t hotplug_present_end(void)
{
	uint32_t n;
	const struct dimm *d = present_dimms(&n);
	uint64_t end = 0;

	for (uint32_t slot = 0; slot < n; slot++)
		if (d[slot].state == DIMM_ONLINE && d[slot].end > end)
			end = d[slot].end;
	return end;
}
