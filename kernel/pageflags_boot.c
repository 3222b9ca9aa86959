/*
 * pageflags_boot.c: the page-flags stage of the boot: the kernel's pfn
 * space for pageflags/, and the two maps built at boot (see
 * pageflags_boot.h).
 */
#include <stdbool.h>
#include <stdint.h>

#include "kernel/console.h"
#include "kernel/pageflags_boot.h"
#include "kernel/frame.h"
#include "kernel/portable/sections.h"
#include "kernel/sections_boot.h"

struct pageflags *boot_flags_present;
struct pageflags *boot_flags_all;

int flags_create(struct pageflags **mapp, enum pageflags_mode mode)
{
	/*
	 * All-possible maps cover every pfn below max_possible_pfn, holes
	 * included (the seed's ALL_PAGES), so range_possible stays NULL: a
	 * set on such a map must never fail, wherever below that limit.
	 */
	const struct pageflags_space space = {
		.phys_bits = kernel_sections.phys_bits,
		.possible_end_pfn = max_possible_pfn(),
		.range_present = sections_range_present_cb,
		.range_possible = NULL,
		.ctx = &kernel_sections,
	};

	return pageflags_create(mapp, mode, &space, &frame_page_source);
}

static void report_leaf_run(const char *mode, uint64_t start_pfn, uint64_t end_pfn)
{
	kprintf("# pageflags-leaves: mode=%s start_pfn=0x%llx end_pfn=0x%llx leaves=%llu\n",
		mode, (unsigned long long)start_pfn, (unsigned long long)end_pfn,
		(unsigned long long)((end_pfn - start_pfn) >> PAGEFLAGS_LEAF_SHIFT));
}

void flags_report(struct pageflags *map)
{
	const char *mode = pageflags_mode_name(map->mode);
	uint64_t run_start = 0, run_end = 0;
	struct pageflags_stats st;

	pageflags_stats(map, &st);
	kprintf("# pageflags: mode=%s leaves=%llu inner=%llu bytes=%llu covered_pfns=%llu\n",
		mode, (unsigned long long)st.nr_leaves, (unsigned long long)st.nr_inner,
		(unsigned long long)st.bytes, (unsigned long long)st.covered_pfns);

	/* Walk the leaves that exist (absent subtrees are skipped whole) and
	 * print each run of consecutive ones. */
	for (uint64_t pfn = pageflags_next_leaf(map, 0); pfn != PAGEFLAGS_NO_PFN;
	     pfn = pageflags_next_leaf(map, pfn + PAGEFLAGS_LEAF_PFNS)) {
		if (pfn != run_end) {
			if (run_end > run_start)
				report_leaf_run(mode, run_start, run_end);
			run_start = pfn;
		}
		run_end = pfn + PAGEFLAGS_LEAF_PFNS;
	}
	if (run_end > run_start)
		report_leaf_run(mode, run_start, run_end);
}

/* Build one boot map; 0, or 1 after reporting why it failed. */
static int boot_map(struct pageflags **mapp, enum pageflags_mode mode)
{
	int err = flags_create(mapp, mode);

	if (err) {
		kprintf("# pageflags-error: mode=%s error=%s\n", pageflags_mode_name(mode),
			pageflags_strerror(err));
		return 1;
	}
	flags_report(*mapp);
	return 0;
}

int pageflags_boot(void)
{
	return boot_map(&boot_flags_present, PAGEFLAGS_PRESENT_ONLY) +
	       boot_map(&boot_flags_all, PAGEFLAGS_ALL_POSSIBLE);
}
