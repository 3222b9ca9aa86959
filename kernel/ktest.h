/*
 * ktest.h (kernel): the in-kernel runner for the suites registered with
 * tests/ktest.h. It prints one KTAP version 1 document on the console.
 */
#ifndef DYNFLAGS_KERNEL_KTEST_H
#define DYNFLAGS_KERNEL_KTEST_H

#include <stdint.h>

#include "kernel/boot_info.h"

struct kernel_options;

struct ktest_results {
	uint32_t suites;       /* suites run */
	uint32_t passed;       /* cases passed */
	uint32_t failed;       /* cases failed */
	uint32_t skipped;      /* cases skipped (ktest_skip) */
	uint32_t unknown_suites;   /* names in opts->ktest no suite has */
};

/*
 * Run the suites opts->ktest names: "" runs every suite, "none" none,
 * otherwise a comma-separated list. Names no suite has get one
 * "# ktest-error:" line and are counted in out->unknown_suites; the known
 * ones still run, and kmain fails the run.
 */
void ktest_run(const struct kernel_options *opts, const struct boot_info *bi,
	       struct ktest_results *out);

/* The machine the suites test: the boot_info kmain handed to ktest_run(). */
const struct boot_info *ktest_boot_info(void);

/* The options the boot ran with (kernel/options.h), as kmain parsed them. */
const struct kernel_options *ktest_options(void);

#endif
