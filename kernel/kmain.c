/*
 * kmain.c: what the kernel does, in order, once a loader has filled
 * struct boot_info. Each step prints its report lines (docs/report-format.md):
 *
 *   1. console and exception handlers, so that anything after can report;
 *   2. the command line: the loader's, then QEMU's fw_cfg opt/dynflags/cmdline;
 *   3. the physical memory model: memory map, frames, paging, ACPI, sections;
 *   4. the dynamic page flags over the pfns found;
 *   5. the snapshot -> scramble -> restore cycle over a workload (snapshot=);
 *   6. the test suites (KTAP), which check what the steps before did;
 *   7. with option `shell`, the interactive shell, until `exit`;
 *   8. the verdict, and an exit code through isa-debug-exit.
 *
 * The options are parsed once, here, into one struct kernel_options; each
 * step gets the values it needs as arguments.
 */
#include <stdint.h>
#include <string.h>

#include "kernel/boot_info.h"
#include "kernel/console.h"
#include "kernel/pageflags_boot.h"
#include "kernel/fwcfg.h"
#include "kernel/hotplug.h"
#include "kernel/hibernate.h"
#include "kernel/ktest.h"
#include "kernel/memory_boot.h"
#include "kernel/options.h"
#include "kernel/panic.h"
#include "kernel/shell.h"
#include "kernel/snapshot_boot.h"
#include "kernel/portable/sections.h"
#include "kernel/sections_boot.h"
#include "kernel/timing.h"

#define FWCFG_CMDLINE "opt/dynflags/cmdline"

static char cmdline[2 * BOOT_CMDLINE_MAX];
static char fwcfg_raw[sizeof(cmdline) + 1];   /* one byte more than fits */
static char escaped[4 * sizeof(cmdline) + 1];  /* every byte as \xNN */
static struct fwcfg_cmdline fwcfg_line;
static struct kernel_options opts;

/* The loader's command line, then the fw_cfg one, separated by a space. */
static void build_cmdline(const struct boot_info *bi)
{
	int64_t bytes;

	memcpy(cmdline, bi->cmdline, strlen(bi->cmdline) + 1);
	bytes = fwcfg_read_file(FWCFG_CMDLINE, fwcfg_raw, sizeof(fwcfg_raw));
	if (bytes <= 0)
		return;
	options_append_fwcfg(cmdline, sizeof(cmdline), fwcfg_raw,
			     (size_t)bytes < sizeof(fwcfg_raw) ? (size_t)bytes : sizeof(fwcfg_raw) - 1,
			     (uint64_t)bytes, &fwcfg_line);
}

/* s (len bytes) made printable for a report line: see options_escape(). */
static const char *printable(const char *s, size_t len)
{
	options_escape(escaped, sizeof(escaped), s, len);
	return escaped;
}

/* What the fw_cfg command line needed, after the # boot: line. */
static void report_fwcfg_problems(void)
{
	if (fwcfg_line.truncated)
		kprintf("# cmdline-warning: problem=\"fw_cfg command line truncated\" bytes=%llu kept=%llu dropped=\"%s\"\n",
			(unsigned long long)fwcfg_line.file_bytes,
			(unsigned long long)fwcfg_line.kept_bytes,
			printable(fwcfg_line.dropped, fwcfg_line.dropped_len));
	if (fwcfg_line.nuls)
		kprintf("# cmdline-warning: problem=\"NUL byte in fw_cfg command line\" nuls=%u action=separator\n",
			fwcfg_line.nuls);
}

static void report_option_problem(void *ctx, const struct cmdline_report *r)
{
	static char key[4 * sizeof(cmdline) + 1];

	(void)ctx;
	options_escape(key, sizeof(key), r->key, r->key_len);
	if (r->problem == CMDLINE_UNKNOWN_OPTION)
		kprintf("# cmdline-warning: option=\"%s\" problem=\"unknown option\" action=ignored\n",
			key);
	else
		kprintf("# cmdline-error: option=\"%s\" value=\"%s\" problem=\"%s\" valid=\"%s\" action=ignored default=\"%s\"\n",
			key, printable(r->value ? r->value : "", r->value_len),
			r->reason, r->opt->valid_text, r->opt->default_text);
}

/* crash=KIND: fault on purpose, to show (and test) the exception path. */
static void deliberate_crash(uint32_t kind)
{
	uint64_t zero = 0;

	__asm__ volatile("" : "+r"(zero));      /* hide the value from the compiler */
	switch (kind) {
	case CRASH_PAGEFAULT:
		kprintf("# crash: kind=pagefault address=0x0\n");
		(void)*(volatile uint64_t *)(uintptr_t)zero;
		break;
	case CRASH_DIVIDE:
		kprintf("# crash: kind=divide\n");
		__asm__ volatile("divl %0" : : "r"((uint32_t)zero), "a"(1), "d"(0));
		break;
	case CRASH_UD:
		kprintf("# crash: kind=ud\n");
		__asm__ volatile("ud2");
		break;
	case CRASH_GP:
		kprintf("# crash: kind=gp address=0x8000000000000000\n");
		(void)*(volatile uint64_t *)(uintptr_t)(zero | (1ULL << 63));
		break;
	}
}

void kmain(struct boot_info *bi)
{
	struct ktest_results results;
	uint32_t exit_code, boot_errors = 0;

	timing_start();
	console_init();
	trap_init();
	timing_mark("console");
	build_cmdline(bi);
	kprintf("\n# boot: loader=%s firmware=%s cmdline=\"%s\"\n",
		bi->loader, bi->firmware, printable(cmdline, strlen(cmdline)));
	report_fwcfg_problems();
	if (bi->error[0])
		panic("boot: %s", bi->error);
	options_parse(&opts, cmdline, report_option_problem, NULL);
	deliberate_crash(opts.crash);
	timing_mark("cmdline");

	/* The physical memory model (kernel/portable/memmap.c ... kernel/portable/sections.c). */
	if (memory_boot(bi, opts.fail_alloc_nth, opts.fail_alloc_every) != 0)
		panic("memory: cannot set up physical memory (see the error above)");
	if (sections_boot(bi, opts.section_bits) != 0)
		panic("sections: cannot build the section table (see the error above)");

	/* The hibernation disk: a saved kernel on it continues instead of
	 * this boot (docs/hibernation.md). */
	resume_boot(bi, opts.fail_alloc_nth, opts.fail_alloc_every);
	timing_mark("disk");

	/* DIMMs already plugged in (cold plug) become present memory. */
	boot_errors += hotplug_boot();

	/* The dynamic page flags over the real pfn space. */
	boot_errors += pageflags_boot();
	timing_mark("pageflags");

	/* The TSC's rate, against the PIT (5 x 10 ms): the timing lines so far
	 * are printed now, and the snapshot's bandwidth uses it too. */
	{
		uint64_t hz = tsc_hz();

		timing_mark("tsc");
		timing_set_hz(hz);
	}

	/* Memory hot add and remove, for hotplug_wait= seconds. */
	boot_errors += hotplug_wait(opts.hotplug_wait, opts.hotplug_events, true);
	timing_mark("hotplug");

	/* An in-memory hibernation, walking page-flag maps (docs/snapshot.md). */
	boot_errors += snapshot_boot(opts.snapshot_bytes, opts.snapshot_corrupt,
				     opts.fail_alloc_nth, opts.fail_alloc_every);
	timing_mark("snapshot");

	if (opts.hibernate)
		boot_errors += hibernate_boot(opts.snapshot_bytes, opts.fail_alloc_nth,
					       opts.fail_alloc_every);
	if (opts.diskbench_bytes) {
		boot_errors += diskbench(opts.diskbench_bytes);
		timing_mark("diskbench");
	}

	ktest_run(&opts, bi, &results);
	if (opts.shell) {
		shell_run(opts.shell_idle);
		timing_mark("shell");
	}

	/*
	 * A boot step that failed without stopping the boot fails the run, and
	 * so does a ktest= list naming a suite that does not exist (a typo in
	 * a CI job's list must not pass by running nothing).
	 */
	boot_errors += results.unknown_suites != 0;
	exit_code = results.failed || boot_errors ? EXIT_FAIL : EXIT_PASS;
	timing_total();
	kprintf("# verdict: %s suites=%u passed=%u failed=%u skipped=%u boot_errors=%u exit=0x%x\n",
		exit_code == EXIT_PASS ? "pass" : "fail", results.suites, results.passed,
		results.failed, results.skipped, boot_errors, exit_code);
	qemu_exit(exit_code);
}
