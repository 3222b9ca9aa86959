/*
 * shell.c: an interactive shell on the serial console (option `shell`).
 *
 * It lets a student poke at the running kernel: look up a pfn in the
 * memory map, its section and its bit in each page-flag map; make maps and
 * set bits in them; allocate frames; run a snapshot. Every answer is one
 * line `NAME: field=value ...`; every mistake is one line `error: ...`
 * followed by the prompt again. The shell never trusts its input.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "kernel/portable/cmdline.h"
#include "kernel/console.h"
#include "kernel/pageflags_boot.h"
#include "kernel/frame.h"
#include "kernel/hibernate.h"
#include "kernel/hotplug.h"
#include "kernel/idle.h"
#include "kernel/memory_boot.h"
#include "kernel/portable/memmap.h"
#include "kernel/portable/sections.h"
#include "kernel/sections_boot.h"
#include "kernel/shell.h"
#include "kernel/snapshot_boot.h"
#include "kernel/timing.h"
#include "kernel/x86.h"

#define SHELL_LINE_MAX 128      /* bytes, including the final NUL */
#define SHELL_ARGS_MAX 6
#define SHELL_MAPS     4        /* maps `flags new` can hold at once */

static struct pageflags *maps[SHELL_MAPS];

/* The snapshot `snapshot SIZE` took, waiting for `restore`. */
static struct snapshot_workload shell_workload;
static struct snapshot_image shell_image;
static uint64_t shell_fingerprint;
static bool have_snapshot;

/*
 * Frames taken by `alloc`, kept in a list threaded through the frames
 * themselves: the first 8 bytes of each hold the address of the next.
 */
static void *held_frames;
static uint64_t nr_held;

struct command {
	const char *name;
	const char *usage;
	void (*run)(int argc, char **argv);
};

static const struct command commands[];

/* --------------------------------------------------------- arguments --- */

static bool parse_u64(const char *s, uint64_t *out)
{
	return cmdline_number(s, strlen(s), 0, out) == 0;
}

static bool parse_pfn(const char *what, const char *s, uint64_t *pfn)
{
	uint64_t limit = kernel_sections.end_pfn;

	if (!parse_u64(s, pfn)) {
		kprintf("error: %s: \"%s\" is not a number (decimal, or hex with 0x)\n", what, s);
		return false;
	}
	if (*pfn >= limit) {
		kprintf("error: %s: pfn 0x%llx out of range (phys_bits=%u: pfns below 0x%llx)\n",
			what, (unsigned long long)*pfn, kernel_sections.phys_bits,
			(unsigned long long)limit);
		return false;
	}
	return true;
}

/* MAP is the number `flags new` printed. */
static struct pageflags *parse_map(const char *what, const char *s, uint64_t *nr)
{
	if (!parse_u64(s, nr) || *nr >= SHELL_MAPS) {
		kprintf("error: %s: no map \"%s\" (maps are 0..%d)\n", what, s, SHELL_MAPS - 1);
		return NULL;
	}
	if (!maps[*nr]) {
		kprintf("error: %s: map %llu is free (make one with: flags new present|all)\n",
			what, (unsigned long long)*nr);
		return NULL;
	}
	return maps[*nr];
}

static bool want_args(const char *what, int argc, int want)
{
	if (argc == want)
		return true;
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(c->name, what) == 0)
			kprintf("error: %s: %s arguments; usage: %s\n", what,
				argc < want ? "missing" : "too many", c->usage);
	return false;
}

/* ----------------------------------------------------------- commands --- */

static void cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (const struct command *c = commands; c->name; c++)
		kprintf("  %s\n", c->usage);
}

static void cmd_memmap(int argc, char **argv)
{
	(void)argv;
	if (want_args("memmap", argc, 1))
		memmap_report(memmap_get(), kprintf);
}

static void cmd_sections(int argc, char **argv)
{
	(void)argv;
	if (want_args("sections", argc, 1))
		sections_report(&kernel_sections, kprintf);
}

static void print_state(const struct section *s)
{
	const char *sep = "";

	if (!s || !s->flags) {
		kprintf("absent");
		return;
	}
	if (s->flags & SECTION_PRESENT) {
		kprintf("present");
		sep = ",";
	}
	if (s->flags & SECTION_ONLINE) {
		kprintf("%sonline", sep);
		sep = ",";
	}
	if (s->flags & SECTION_HOTPLUG)
		kprintf("%shotplug", sep);
}

static void cmd_section(int argc, char **argv)
{
	const struct section_table *t = &kernel_sections;
	const struct section *s;
	uint64_t nr;

	if (!want_args("section", argc, 2))
		return;
	if (!parse_u64(argv[1], &nr) || nr >= t->nr_sections) {
		kprintf("error: section: no section \"%s\" (sections are 0..%llu)\n",
			argv[1], (unsigned long long)(t->nr_sections - 1));
		return;
	}
	s = sections_get(t, nr);
	kprintf("section: nr=%llu start=0x%llx end=0x%llx state=",
		(unsigned long long)nr,
		(unsigned long long)(section_nr_to_pfn(t, nr) << PAGE_SHIFT),
		(unsigned long long)(section_nr_to_pfn(t, nr + 1) << PAGE_SHIFT));
	print_state(s);
	kprintf(" node=%u pages=%u", s ? s->node : 0, s ? s->nr_pages : 0);
	if (s && s->flags) {
		const uint64_t *present = section_present_map(t, s);
		const uint64_t *possible = section_possible_map(t, s);

		kprintf(" subsections_present=0x");
		for (uint32_t w = t->subsection_words; w-- > 0;)
			kprintf("%016llx", (unsigned long long)present[w]);
		kprintf(" subsections_possible=0x");
		for (uint32_t w = t->subsection_words; w-- > 0;)
			kprintf("%016llx", (unsigned long long)possible[w]);
	}
	kprintf("\n");
}

static int bit_of(struct pageflags *map, uint64_t pfn)
{
	return map ? pageflags_test(map, pfn) : -1;
}

static void cmd_pfn(int argc, char **argv)
{
	const struct section_table *t = &kernel_sections;
	const struct mem_range *r;
	uint64_t pfn, section_nr;

	if (!want_args("pfn", argc, 2) || !parse_pfn("pfn", argv[1], &pfn))
		return;
	r = memmap_find(memmap_get(), pfn << PAGE_SHIFT);
	section_nr = pfn_to_section_nr(t, pfn);
	kprintf("pfn: pfn=0x%llx phys_addr=0x%llx", (unsigned long long)pfn,
		(unsigned long long)(pfn << PAGE_SHIFT));
	if (r)
		kprintf(" type=%s range_start=0x%llx range_end=0x%llx", mem_type_name(r->type),
			(unsigned long long)r->start, (unsigned long long)r->end);
	else
		kprintf(" type=none");
	kprintf(" section=%llu state=", (unsigned long long)section_nr);
	print_state(sections_get(t, section_nr));
	kprintf(" pfn_valid=%d leaf=%llu word=%llu bit=%llu boot_present=%d boot_all=%d",
		pfn_valid(pfn), (unsigned long long)(pfn >> PAGEFLAGS_LEAF_SHIFT),
		(unsigned long long)((pfn & (PAGEFLAGS_LEAF_PFNS - 1)) >> 6),
		(unsigned long long)(pfn & 63),
		bit_of(boot_flags_present, pfn), bit_of(boot_flags_all, pfn));
	for (int i = 0; i < SHELL_MAPS; i++)
		if (maps[i])
			kprintf(" map%d=%d", i, bit_of(maps[i], pfn));
	kprintf("\n");
}

static void flags_new(int argc, char **argv)
{
	enum pageflags_mode mode;
	struct pageflags_stats st;
	int slot = -1, err;

	if (!want_args("flags", argc, 3))
		return;
	if (strcmp(argv[2], "present") == 0) {
		mode = PAGEFLAGS_PRESENT_ONLY;
	} else if (strcmp(argv[2], "all") == 0) {
		mode = PAGEFLAGS_ALL_POSSIBLE;
	} else {
		kprintf("error: flags new: mode must be present or all, not \"%s\"\n", argv[2]);
		return;
	}
	for (int i = SHELL_MAPS - 1; i >= 0; i--)
		if (!maps[i])
			slot = i;
	if (slot < 0) {
		kprintf("error: flags new: all %d maps in use (flags free MAP first)\n", SHELL_MAPS);
		return;
	}
	err = flags_create(&maps[slot], mode);
	if (err) {
		kprintf("error: flags new: %s\n", pageflags_strerror(err));
		return;
	}
	pageflags_stats(maps[slot], &st);
	kprintf("flags: map=%d mode=%s leaves=%llu inner=%llu bytes=%llu\n", slot,
		pageflags_mode_name(mode), (unsigned long long)st.nr_leaves,
		(unsigned long long)st.nr_inner, (unsigned long long)st.bytes);
}

static void flags_bit(int argc, char **argv)
{
	struct pageflags *map;
	uint64_t nr, pfn;
	int r;

	if (!want_args("flags", argc, 4) || !(map = parse_map("flags", argv[2], &nr)) ||
	    !parse_pfn("flags", argv[3], &pfn))
		return;
	if (strcmp(argv[1], "set") == 0)
		r = pageflags_set(map, pfn);
	else if (strcmp(argv[1], "clear") == 0)
		r = pageflags_clear(map, pfn);
	else
		r = pageflags_test(map, pfn);
	if (r < 0) {
		kprintf("error: flags %s: map %llu pfn 0x%llx: %s\n", argv[1],
			(unsigned long long)nr, (unsigned long long)pfn, pageflags_strerror(r));
		return;
	}
	/* The bit as it is now: set leaves 1, clear 0, test tells. */
	kprintf("flags: map=%llu pfn=0x%llx bit=%d\n", (unsigned long long)nr,
		(unsigned long long)pfn,
		strcmp(argv[1], "set") == 0 ? 1 : strcmp(argv[1], "clear") == 0 ? 0 : r);
}

static void flags_next(int argc, char **argv)
{
	struct pageflags *map;
	uint64_t nr, pfn, next;

	if (!want_args("flags", argc, 4) || !(map = parse_map("flags", argv[2], &nr)) ||
	    !parse_pfn("flags", argv[3], &pfn))
		return;
	next = pageflags_next_set(map, pfn);
	if (next == PAGEFLAGS_NO_PFN)
		kprintf("flags: map=%llu from=0x%llx next=none\n", (unsigned long long)nr,
			(unsigned long long)pfn);
	else
		kprintf("flags: map=%llu from=0x%llx next=0x%llx\n", (unsigned long long)nr,
			(unsigned long long)pfn, (unsigned long long)next);
}

static void flags_count_or_free(int argc, char **argv)
{
	struct pageflags *map;
	uint64_t nr;

	if (!want_args("flags", argc, 3) || !(map = parse_map("flags", argv[2], &nr)))
		return;
	if (strcmp(argv[1], "count") == 0) {
		kprintf("flags: map=%llu count=%llu\n", (unsigned long long)nr,
			(unsigned long long)pageflags_count(map));
		return;
	}
	kprintf("flags: map=%llu freed_bytes=%llu\n", (unsigned long long)nr,
		(unsigned long long)pageflags_bytes(map));
	pageflags_destroy(map);
	maps[nr] = NULL;
}

static void cmd_flags(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*run)(int argc, char **argv);
	} subs[] = {
		{ "new", flags_new }, { "set", flags_bit }, { "clear", flags_bit },
		{ "test", flags_bit }, { "next", flags_next },
		{ "count", flags_count_or_free }, { "free", flags_count_or_free },
	};

	if (argc < 2) {
		kprintf("error: flags: missing subcommand (new, set, clear, test, next, count, free)\n");
		return;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		if (strcmp(argv[1], subs[i].name) == 0) {
			subs[i].run(argc, argv);
			return;
		}
	}
	kprintf("error: flags: unknown subcommand \"%s\" (new, set, clear, test, next, count, free)\n",
		argv[1]);
}

static void cmd_alloc(int argc, char **argv)
{
	uint64_t n, got = 0, first = 0, last = 0;

	if (!want_args("alloc", argc, 2))
		return;
	if (!parse_u64(argv[1], &n) || n == 0 || n > (1ULL << 20)) {
		kprintf("error: alloc: \"%s\" is not a frame count from 1 to 1048576\n", argv[1]);
		return;
	}
	for (; got < n; got++) {
		void **frame = frame_alloc();

		if (!frame)
			break;
		*frame = held_frames;
		held_frames = frame;
		last = (uint64_t)(uintptr_t)frame >> PAGE_SHIFT;
		if (got == 0)
			first = last;
	}
	nr_held += got;
	if (got < n)
		kprintf("error: alloc: out of memory after %llu of %llu frames (kept; held=%llu)\n",
			(unsigned long long)got, (unsigned long long)n, (unsigned long long)nr_held);
	else
		kprintf("alloc: frames=%llu first_pfn=0x%llx last_pfn=0x%llx held=%llu\n",
			(unsigned long long)got, (unsigned long long)first,
			(unsigned long long)last, (unsigned long long)nr_held);
}

static void cmd_diskbench(int argc, char **argv)
{
	uint64_t bytes = 8ULL << 20;

	if (argc > 2 || (argc == 2 && (cmdline_number(argv[1], strlen(argv[1]), 1, &bytes) != 0 ||
				       bytes < PAGE_SIZE || bytes > (1ULL << 30)))) {
		kprintf("error: diskbench: usage: diskbench [SIZE], SIZE from 4K to 1G\n");
		return;
	}
	diskbench(bytes);
}

/* `dimm alloc` keeps the frames with `alloc`'s, so `exit` frees them. */
static void keep_frame(void *ctx, void *frame)
{
	(void)ctx;
	*(void **)frame = held_frames;
	held_frames = frame;
	nr_held++;
}

static void cmd_dimm(int argc, char **argv)
{
	uint64_t a, b;

	if (argc == 1) {
		hotplug_list();
	} else if (argc == 3 && strcmp(argv[1], "wait") == 0) {
		if (!parse_u64(argv[2], &a) || a == 0 || a > 86400) {
			kprintf("error: dimm: wait: \"%s\" is not 1..86400 seconds\n", argv[2]);
			return;
		}
		hotplug_wait(a, 1, false);
		kprintf("dimm: wait done seconds=%llu\n", (unsigned long long)a);
	} else if (argc == 4 && strcmp(argv[1], "alloc") == 0) {
		int64_t got;

		if (hotplug_slots() == 0) {
			kprintf("error: dimm: alloc: this machine has no memory-hotplug"
				" slots (QEMU -m SIZE,slots=N,maxmem=M)\n");
			return;
		}
		if (!parse_u64(argv[2], &a) || a >= hotplug_slots() ||
		    !parse_u64(argv[3], &b) || b == 0 || b > (1ULL << 20)) {
			kprintf("error: dimm: alloc: usage: dimm alloc SLOT N (SLOT < %u, N 1..1048576)\n",
				hotplug_slots());
			return;
		}
		got = hotplug_alloc((uint32_t)a, b, keep_frame, NULL);
		if (got < 0)
			kprintf("error: dimm: alloc: slot %llu holds no online DIMM\n",
				(unsigned long long)a);
		else
			kprintf("dimm: alloc slot=%llu frames=%lld held=%llu\n",
				(unsigned long long)a, (long long)got,
				(unsigned long long)nr_held);
	} else if (argc == 3 && strcmp(argv[1], "fail") == 0) {
		/* The Nth allocation from now fails (as fail_alloc=N counts
		 * from boot), for the add path's every allocation point. */
		if (!parse_u64(argv[2], &a) || a > 1000000) {
			kprintf("error: dimm: fail: \"%s\" is not 0..1000000\n", argv[2]);
			return;
		}
		frame_inject_failure(a, false);
		kprintf("dimm: fail nth=%llu\n", (unsigned long long)a);
	} else {
		kprintf("error: dimm: usage: dimm | dimm wait SECONDS | dimm alloc SLOT N | dimm fail N\n");
	}
}

static void cmd_hibernate(int argc, char **argv)
{
	(void)argv;
	if (!want_args("hibernate", argc, 1))
		return;
	idle_stop();                 /* frozen: no timer while the image is written */
	if (hibernate() == HIBERNATE_RESUMED)
		kprintf("hibernate: resumed\n");
	idle_start();
}

static void cmd_stats(int argc, char **argv)
{
	int nr_maps = 0;

	(void)argv;
	if (!want_args("stats", argc, 1))
		return;
	frame_report();
	for (int i = 0; i < SHELL_MAPS; i++)
		nr_maps += maps[i] != NULL;
	kprintf("stats: held_by_alloc=%llu shell_maps=%d\n", (unsigned long long)nr_held, nr_maps);
}

static void cmd_snapshot(int argc, char **argv)
{
	const char *stage = NULL;
	uint64_t bytes;
	int err;

	if (!want_args("snapshot", argc, 2))
		return;
	if (cmdline_number(argv[1], strlen(argv[1]), 1, &bytes) != 0 ||
	    bytes < PAGE_SIZE || bytes > (1ULL << 34)) {
		kprintf("error: snapshot: \"%s\" is not a size from 4K to 16G (e.g. 4M)\n", argv[1]);
		return;
	}
	if (have_snapshot) {
		kprintf("error: snapshot: one is taken already (restore it first)\n");
		return;
	}
	err = workload_create(&shell_workload, bytes / PAGE_SIZE, 0x5eed, &stage);
	if (err) {
		kprintf("error: snapshot: %s at %s (every frame given back)\n",
			snapshot_strerror(err), stage);
		return;
	}
	shell_fingerprint = snapshot_memmap_fingerprint(memmap_get(), 0);
	err = snapshot_take(&shell_image, &shell_workload, shell_fingerprint, &stage);
	if (err) {
		kprintf("error: snapshot: %s at %s (every frame given back)\n",
			snapshot_strerror(err), stage);
		workload_destroy(&shell_workload);
		return;
	}
	workload_scramble(&shell_workload);
	have_snapshot = true;
	kprintf("snapshot: pages=%llu image_pages=%llu cycles=%llu scrambled=yes\n",
		(unsigned long long)shell_workload.nr_pages,
		(unsigned long long)shell_image.layout.image_pages,
		(unsigned long long)shell_image.cycles);
}

static void drop_snapshot(void)
{
	if (!have_snapshot)
		return;
	snapshot_release(&shell_image);
	workload_destroy(&shell_workload);
	have_snapshot = false;
}

static void cmd_restore(int argc, char **argv)
{
	struct snapimg_error why;
	enum snapimg_status st;
	uint64_t cycles;

	(void)argv;
	if (!want_args("restore", argc, 1))
		return;
	if (!have_snapshot) {
		kprintf("error: restore: no snapshot (take one with: snapshot SIZE)\n");
		return;
	}
	st = snapshot_restore(&shell_image, shell_fingerprint, &why, &cycles);
	if (st != SNAPIMG_OK) {
		kprintf("error: restore: refused reason=%s field=%s problem=%s\n",
			snapimg_strerror(st), why.field, why.problem);
	} else {
		kprintf("restore: pages=%llu cycles=%llu verified=%llu\n",
			(unsigned long long)shell_workload.nr_pages,
			(unsigned long long)cycles,
			(unsigned long long)workload_verify(&shell_workload));
	}
	drop_snapshot();
}

static const struct command commands[] = {
	{ "help", "help                        this list", cmd_help },
	{ "memmap", "memmap                      the normalised memory map", cmd_memmap },
	{ "sections", "sections                    every present or possible section", cmd_sections },
	{ "section", "section N                   one section and its 2 MiB subsections", cmd_section },
	{ "pfn", "pfn PFN                     a pfn's range, section, pfn_valid and bits", cmd_pfn },
	{ "flags", "flags new present|all | flags set|clear|test|next MAP PFN | flags count|free MAP", cmd_flags },
	{ "snapshot", "snapshot SIZE               snapshot a workload of SIZE (e.g. 4M), then scramble it", cmd_snapshot },
	{ "restore", "restore                     validate the image, put the workload back, verify it", cmd_restore },
	{ "alloc", "alloc N                     take N frames from the frame allocator", cmd_alloc },
	{ "stats", "stats                       the frame allocator's counters", cmd_stats },
	{ "dimm", "dimm | dimm wait SECONDS | dimm alloc SLOT N | dimm fail N   memory hotplug slots", cmd_dimm },
	{ "diskbench", "diskbench [SIZE]            write, read back and time SIZE (8M) on the virtio disk", cmd_diskbench },
	{ "hibernate", "hibernate                   save the machine to the virtio disk and power off", cmd_hibernate },
	{ "exit", "exit                        leave the shell and end the run", NULL },
	{ NULL, NULL, NULL },
};

/* -------------------------------------------------------- line editor --- */

/* shell_idle=SECONDS as TSC cycles: the longest wait for a byte; 0: none. */
static uint64_t idle_limit_cycles;

#define SHELL_IDLE (-2)         /* shell_getc(), read_line(): no input came */

/*
 * The next byte from the serial line; the CPU sleeps while none comes.
 * SHELL_IDLE when none came for idle_limit_cycles.
 */
static int shell_getc(void)
{
	uint64_t start = rdtsc();
	int c;

	while ((c = console_try_getc()) < 0) {
		if (idle_limit_cycles && rdtsc() - start >= idle_limit_cycles)
			return SHELL_IDLE;
		idle_wait();
	}
	return c;
}

/*
 * Read one line into buf, echoing it. Backspace (0x08 or 0x7f) erases.
 * Returns its length, or -1 when it was longer than the buffer (the rest
 * of the line is read and thrown away), or SHELL_IDLE.
 */
static int read_line(char *buf, int size)
{
	int len = 0;
	bool too_long = false;

	for (;;) {
		int c = shell_getc();

		if (c == SHELL_IDLE)
			return SHELL_IDLE;
		if (c == '\r' || c == '\n') {
			kprintf("\n");
			buf[len] = '\0';
			return too_long ? -1 : len;
		}
		if (c == 0x08 || c == 0x7f) {
			if (len > 0 && !too_long) {
				len--;
				kprintf("\b \b");
			}
		} else if (c >= 0x20 && c < 0x7f) {
			if (len < size - 1) {
				buf[len++] = (char)c;
				console_putc((char)c);
			} else {
				too_long = true;
			}
		}
	}
}

static int split(char *line, char **argv)
{
	int argc = 0;

	for (char *p = line; *p;) {
		while (*p == ' ')
			*p++ = '\0';
		if (!*p)
			break;
		if (argc == SHELL_ARGS_MAX)
			return -1;
		argv[argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	return argc;
}

static void release_everything(void)
{
	drop_snapshot();
	for (int i = 0; i < SHELL_MAPS; i++) {
		pageflags_destroy(maps[i]);
		maps[i] = NULL;
	}
	while (held_frames) {
		void *next = *(void **)held_frames;

		frame_free(held_frames);
		held_frames = next;
	}
	nr_held = 0;
}

void shell_run(uint32_t idle_seconds)
{
	static char line[SHELL_LINE_MAX];
	char *argv[SHELL_ARGS_MAX];
	bool sleeps = idle_start();

	idle_limit_cycles = idle_seconds ? idle_seconds * tsc_hz() : 0;

	kprintf("# shell: state=ready frames_in_use=%llu idle=%s help=\"type help\"\n",
		(unsigned long long)frame_count_in_use(), sleeps ? "apic-timer" : "poll");
	for (;;) {
		const struct command *c;
		int len, argc;

		kprintf("dynflags> ");
		len = read_line(line, sizeof(line));
		if (len == SHELL_IDLE) {
			kprintf("\n# shell: state=idle seconds=%u action=exit\n", idle_seconds);
			break;
		}
		if (len < 0) {
			kprintf("error: line too long (at most %d characters)\n", SHELL_LINE_MAX - 1);
			continue;
		}
		argc = split(line, argv);
		if (argc < 0) {
			kprintf("error: too many words (at most %d)\n", SHELL_ARGS_MAX);
			continue;
		}
		if (argc == 0)
			continue;
		for (c = commands; c->name && strcmp(c->name, argv[0]) != 0; c++)
			;
		if (!c->name) {
			kprintf("error: unknown command \"%s\" (type help)\n", argv[0]);
			continue;
		}
		if (!c->run)
			break;                      /* exit */
		c->run(argc, argv);
	}
	idle_stop();
	release_everything();
	kprintf("# shell: state=bye frames_in_use=%llu\n", (unsigned long long)frame_count_in_use());
}
