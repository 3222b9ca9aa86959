/*
 * hotplug.h: memory hotplug through QEMU's ACPI memory-hotplug controller.
 *
 * QEMU (-m SIZE,slots=N,maxmem=M) has a fixed I/O block at 0xa00..0xa17:
 * a slot selector, then the selected slot's base, length, node and status,
 * and the writes that acknowledge events, report _OST and eject
 * (docs/memory-model.md, "Memory hotplug"). The kernel trusts that block
 * only when the firmware's DSDT declares QEMU's memory-hotplug device
 * (kernel/portable/acpi.c: the name MHPD and Name (MDNR, N), the slot
 * count), since on a machine without slots the ports read as all ones.
 *
 * A DIMM becomes present, online memory in this order, and leaves it in
 * the reverse one, all or nothing: page tables (paging_map_range),
 * sections (sections_online), frames (frame_add_range), the boot
 * present-only map's leaves (pageflags_grow). The all-possible map
 * already covers every hotpluggable range and does not change.
 */
#ifndef DYNFLAGS_HOTPLUG_H
#define DYNFLAGS_HOTPLUG_H

#include <stdbool.h>
#include <stdint.h>

/*
 * After sections_boot(), before pageflags_boot(): find the controller
 * ("# hotplug-controller: slots=N", 0 without one) and online every DIMM
 * already there (cold plug: enabled, no insert event), one "# dimm:" line
 * each, so that the boot maps are built over them. A DIMM that cannot be
 * onlined (bad input, or out of memory with every step undone) gets one
 * "# hotplug-error:" line and the boot goes on. Returns the number of
 * refusals that left frames in use behind them (leaked != 0: a bug).
 */
int hotplug_boot(void);

/*
 * After the boot maps: print "# hotplug-wait: seconds=N" and handle the
 * controller's events as they come, for up to `seconds`, or until
 * `max_events` were handled (0: no limit). seconds == 0 does nothing.
 * print: at boot (prints the line, starts and stops the idle timer);
 * false from the shell, whose timer already runs.
 * Returns the number of events whose refusal left frames in use behind
 * it (leaked != 0); a clean refusal (bad input, or out of memory with
 * every step undone) is answered with _OST failure and is not an error.
 */
int hotplug_wait(uint64_t seconds, uint64_t max_events, bool print);

/* Handle every pending event once; the number handled. */
uint64_t hotplug_poll(void);

/* Slots of the controller (0 without one). */
uint32_t hotplug_slots(void);

/* Print one "dimm: slot=S ..." line per slot that holds a DIMM (shell). */
void hotplug_list(void);

/*
 * Take up to n frames inside the DIMM of `slot` (the shell's `dimm
 * alloc`), passing each to keep(ctx, frame). Returns the frames taken,
 * or -1 when the slot holds no online DIMM.
 */
int64_t hotplug_alloc(uint32_t slot, uint64_t n, void (*keep)(void *ctx, void *frame),
		      void *ctx);

/*
 * The online DIMMs as memory outside the firmware map (for the snapshot's
 * workload and restore): their pages in slot order, the address of page
 * n of them (n below hotplug_online_pages(), else 0), and whether a pfn
 * lies in one.
 */
uint64_t hotplug_online_pages(void);
uint64_t hotplug_nth_online_page(uint64_t n);
bool hotplug_pfn_online(uint64_t pfn);

/*
 * The DIMMs present, for the hibernation header (hibimg.h, HIBIMG_DIMMS):
 * their count in bits 63..32, and in bits 31..0 a CRC-32C over each one's
 * slot, start, end and node (four uint64_t, in slot order); 0 without
 * DIMMs. After hotplug_boot() the online DIMMs; before it (a resume's
 * check, nothing onlined yet) every enabled slot the controller reports.
 */
uint64_t hotplug_fingerprint(void);

/* Whether a pfn lies in one of those DIMMs; the end of the highest (0: none). */
bool hotplug_pfn_present(uint64_t pfn);
uint64_t hotplug_present_end(void);

#endif
