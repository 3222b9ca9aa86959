/*
 * hibernate.c: the hibernation disk (see hibernate.h, docs/hibernation.md).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kernel/console.h"
#include "kernel/frame.h"
#include "kernel/portable/crc32c.h"
#include "kernel/portable/hibimg.h"
#include "kernel/portable/snapimg.h"
#include "kernel/hibernate.h"
#include "kernel/hotplug.h"
#include "kernel/memory_boot.h"
#include "kernel/pageflags_boot.h"
#include "kernel/panic.h"
#include "kernel/sections_boot.h"
#include "kernel/snapshot_boot.h"
#include "kernel/timing.h"
#include "kernel/virtio_blk.h"
#include "kernel/x86.h"

#define SECTORS_PER_PAGE (PAGE_SIZE / VIRTIO_BLK_SECTOR)
#define WINDOW_PAGES 64                /* data pages per disk write */
#define COPY_PAIRS_PER_PAGE (PAGE_SIZE / 16 - 1)  /* a copy-list page: next, count, pairs */
#define RESUME_SLACK_FRAMES 64         /* a booting kernel's use may differ a little */

void disk_boot(void)
{
	virtio_blk_init();
	virtio_blk_report();
}

static uint64_t us_of(uint64_t cycles)
{
	uint64_t hz = tsc_hz();

	return hz ? (uint64_t)((unsigned __int128)cycles * 1000000 / hz) : 0;
}

/* MiB/s for `bytes` moved in `cycles` TSC ticks. */
static uint64_t mib_per_s(uint64_t bytes, uint64_t cycles)
{
	uint64_t hz = tsc_hz();

	if (cycles == 0)
		cycles = 1;
	return (uint64_t)((unsigned __int128)bytes * hz / cycles >> 20);
}

static void bench_fill(uint64_t *words, uint64_t n, uint64_t seed)
{
	for (uint64_t i = 0; i < n; i++)
		words[i] = (seed + i) * 0x9e3779b97f4a7c15ull;
}

static uint64_t image_sector(uint64_t image_page)
{
	return HIBIMG_IMAGE_SECTOR + image_page * SECTORS_PER_PAGE;
}

/* Write or read nr image pages from `first` on, found through `pages`
 * (anywhere in memory): one request per WINDOW_PAGES pages. */
static int transfer_pages(uint64_t first, void *const *pages, uint64_t nr,
			  bool write)
{
	int err = 0;

	for (uint64_t i = 0; !err && i < nr; i += WINDOW_PAGES)
		err = virtio_blk_rw_pages(image_sector(first + i), pages + i,
					  (uint32_t)(nr - i < WINDOW_PAGES ? nr - i : WINDOW_PAGES),
					  write);
	return err;
}

/* CRC-32C of the nr pages of a frame_alloc_scattered() buffer, in order. */
static uint32_t crc_scattered(void *const *pages, uint64_t nr)
{
	uint32_t crc = 0;

	for (uint64_t i = 0; i < nr; i++)
		crc = crc32c(crc, pages[i], PAGE_SIZE);
	return crc;
}

/*
 * The buffer is taken a frame at a time (frame_alloc_scattered()), as the
 * hibernation's own lists are, and moves through the same requests of
 * WINDOW_PAGES pages anywhere: it needs no long free run, so it works
 * after a shell snapshot has cut free memory into short runs.
 */
int diskbench(uint64_t bytes)
{
	uint64_t pages = div_round_up(bytes, PAGE_SIZE), seed = rdtsc(), t0, tw, tr = 0;
	uint64_t sectors = pages * SECTORS_PER_PAGE;
	const char *err = NULL;
	bool bad = false;
	void **buf;
	int st = 0;

	if (!virtio_blk_ready())
		err = "no-disk";
	else if (pages == 0 || HIBIMG_IMAGE_SECTOR + sectors > virtio_blk_sectors())
		err = "disk-too-small";
	if (err) {
		kprintf("# diskbench: error=%s bytes=%llu disk_sectors=%llu\n", err,
			(unsigned long long)(pages * PAGE_SIZE),
			(unsigned long long)virtio_blk_sectors());
		return 0;
	}
	buf = frame_alloc_scattered(pages);
	if (!buf) {
		kprintf("# diskbench: error=no-memory bytes=%llu\n",
			(unsigned long long)(pages * PAGE_SIZE));
		return 0;
	}
	for (uint64_t i = 0; i < pages; i++)
		bench_fill(buf[i], PAGE_SIZE / 8, seed + i * (PAGE_SIZE / 8));
	/* A zeroed page over the hibernation header first: no image is left
	 * on the disk whose data the benchmark overwrote. */
	memset(buf[0], 0, PAGE_SIZE);
	t0 = rdtsc();
	st = virtio_blk_rw_pages(0, buf, 1, true);
	if (!st)
		st = transfer_pages(0, buf, pages, true);
	if (!st)
		st = virtio_blk_flush();
	tw = rdtsc() - t0;
	if (!st) {
		uint32_t crc = crc_scattered(buf, pages);

		for (uint64_t i = 0; i < pages; i++)
			memset(buf[i], 0x5a, PAGE_SIZE);
		t0 = rdtsc();
		st = transfer_pages(0, buf, pages, false);
		tr = rdtsc() - t0;
		bad = crc_scattered(buf, pages) != crc;
	}
	frame_free_scattered(buf, pages);
	if (st) {
		kprintf("# diskbench: error=%s bytes=%llu\n", virtio_blk_strerror(st),
			(unsigned long long)(pages * PAGE_SIZE));
		return 1;
	}
	kprintf("# diskbench: write_mib_s=%llu read_mib_s=%llu bytes=%llu verified=%s\n",
		(unsigned long long)mib_per_s(pages * PAGE_SIZE, tw),
		(unsigned long long)mib_per_s(pages * PAGE_SIZE, tr),
		(unsigned long long)(pages * PAGE_SIZE), bad ? "no" : "yes");
	return bad ? 1 : 0;
}

/* ========================================================= hibernation === */

/* Offsets used by hibernate_asm.S: keep the two in step. */
struct hib_cpu {
	uint64_t rbx, rbp, r12, r13, r14, r15, rsp, rip;
	uint64_t rflags, cr0, cr3, cr4, efer;
	uint8_t gdtr[16];
	uint8_t idtr[16];
	uint16_t tr;
	uint16_t pad[3];
};
_Static_assert(offsetof(struct hib_cpu, gdtr) == 104, "hibernate_asm.S offsets");
_Static_assert(offsetof(struct hib_cpu, idtr) == 120, "hibernate_asm.S offsets");
_Static_assert(offsetof(struct hib_cpu, tr) == 136, "hibernate_asm.S offsets");

int hib_save(struct hib_cpu *c) __attribute__((returns_twice));
void hib_resume_entry(void);
extern const uint8_t hib_copy_start[], hib_copy_end[];
extern const uint8_t _kernel_end[], __stop_ktest_suites[];
extern const uint8_t _text_start[], _text_end[], _rodata_start[];

struct hib_cpu hib_cpu_saved;
uint64_t hib_resume_value;             /* set by hib_resume_entry: a struct resume_info */

/* What the boot kernel measured, handed to the saved one (in the copy
 * routine's safe page, which is free in the saved kernel's memory). */
struct resume_info {
	uint64_t read_mib_s;
	uint64_t check_cycles, read_cycles, validate_cycles, prepare_cycles;
	uint64_t jump_tsc;             /* the TSC when the copy began */
};
static uint64_t generation;            /* resumes of this kernel's memory */
static const struct boot_info *boot_info_seen;


static uint64_t data_start(void)
{
	return ((uintptr_t)__stop_ktest_suites + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
}

/*
 * The kernel build: CRC-32C of its text and of its read-only data with the
 * suite table, exactly the bytes the loader put there (the gaps between
 * segments hold whatever the loader left, which differs from boot to boot).
 */
static uint64_t kernel_build(void)
{
	uint32_t crc = crc32c(0, _text_start, (size_t)(_text_end - _text_start));

	return crc32c(crc, _rodata_start, (size_t)(__stop_ktest_suites - _rodata_start));
}

/*
 * RAM an image may hold: usable, and reclaimable, where a UEFI loader puts
 * the kernel image itself and its regions (under OVMF the kernel's .data
 * and .bss, its stack and hib_cpu_saved among them, lie there).
 */
static bool pfn_is_ram(void *ctx, uint64_t pfn)
{
	const struct mem_range *r = memmap_find(memmap_get(), pfn << PAGE_SHIFT);

	(void)ctx;
	if (pfn != 0 && !r && hotplug_pfn_present(pfn))
		return true;                    /* a DIMM's, outside the firmware map */
	return pfn != 0 && r && (r->type == MEM_USABLE || r->type == MEM_RECLAIMABLE);
}

static void fill_expect(struct hibimg_expect *e)
{
	e->kernel_build = kernel_build();
	e->memmap_fingerprint = snapshot_memmap_fingerprint(memmap_get(), 0);
	e->dimms = hotplug_fingerprint();  /* before hotplug_boot(): the controller's slots */
	e->resume_entry = (uintptr_t)hib_resume_entry;
	e->disk_sectors = virtio_blk_sectors();
}

/* The writer's image: header, lists and CRCs in buffers, data through a window. */
struct hib_writer {
	struct snapimg_layout l;
	uint8_t *snap_header;
	void **pfn_list, **crc_list;    /* the lists' pages, one frame each */
	void **window;
	struct snapimg_pages pages;
};

static void *writer_page(void *ctx, uint64_t i)
{
	struct hib_writer *w = ctx;
	const struct snapimg_layout *l = &w->l;

	if (i == 0)
		return w->snap_header;
	if (i >= l->pfn_list_first && i < l->pfn_list_first + l->pfn_list_pages)
		return w->pfn_list[i - l->pfn_list_first];
	if (i >= l->crc_list_first && i < l->crc_list_first + l->crc_list_pages)
		return w->crc_list[i - l->crc_list_first];
	if (i >= l->data_first && i < l->data_first + l->nr_pages)
		return w->window[(i - l->data_first) % WINDOW_PAGES];
	return NULL;
}

/* Every frame the hibernation takes for itself, never saved. */
struct hib_state {
	struct pageflags *to_save, *forbidden;
	uint8_t *hib_header, *snap_header;
	void **pfn_list, **crc_list;      /* frame_alloc_scattered(): no long run */
	void *window[WINDOW_PAGES];       /* one request's pages, anywhere */
	uint64_t list_cap_pages, crc_cap_pages;
	uint64_t nr_pages;             /* marked to save */
};

static void hib_release(struct hib_state *s)
{
	pageflags_destroy(s->to_save);
	pageflags_destroy(s->forbidden);
	frame_free(s->hib_header);
	frame_free(s->snap_header);
	frame_free_scattered(s->pfn_list, s->list_cap_pages);
	frame_free_scattered(s->crc_list, s->crc_cap_pages);
	for (int i = 0; i < WINDOW_PAGES; i++)
		frame_free(s->window[i]);
	memset(s, 0, sizeof(*s));
}

static int forbid_pages(struct hib_state *s, const void *first, uint64_t nr)
{
	for (uint64_t i = 0; i < nr; i++)
		if (pageflags_set(s->forbidden, ((uintptr_t)first >> PAGE_SHIFT) + i) < 0)
			return -1;
	return 0;
}

/* Forbid nr pages found through `pages`, one frame each. */
static int forbid_each(struct hib_state *s, void *const *pages, uint64_t nr)
{
	for (uint64_t i = 0; i < nr; i++)
		if (forbid_pages(s, pages[i], 1))
			return -1;
	return 0;
}

static int save_range(struct hib_state *s, uint64_t start, uint64_t end)
{
	for (uint64_t pfn = start >> PAGE_SHIFT; pfn < (end + PAGE_SIZE - 1) >> PAGE_SHIFT; pfn++)
		if (pfn_is_ram(NULL, pfn) && !pageflags_test(s->forbidden, pfn) &&
		    pageflags_set(s->to_save, pfn) < 0)
			return -1;
	return 0;
}

/*
 * Mark the maps: to_save = the kernel's writable pages, the allocator's
 * bitmap, the loader's regions and every allocated frame that is not
 * forbidden (page tables, stacks, the maps themselves); forbidden = the
 * image buffers and the virtqueue. The list buffers' directories are
 * saved, not forbidden: after a resume, hib_release() gives the buffers
 * back through them, and a directory not saved would hold whatever the
 * booting kernel left in its frame. Setting bits may take frames for the
 * maps, so the allocated frames are walked until none was taken.
 */
static const char *mark(struct hib_state *s, uint64_t *nr_pages)
{
	const struct memmap *map = memmap_get();
	struct frame_stats st;
	uint64_t q_first, q_pages, before;

	if (flags_create(&s->to_save, PAGEFLAGS_PRESENT_ONLY) < 0 ||
	    flags_create(&s->forbidden, PAGEFLAGS_PRESENT_ONLY) < 0)
		return "no-memory-maps";
	virtio_blk_frames(&q_first, &q_pages);
	if (forbid_pages(s, (void *)(uintptr_t)q_first, q_pages) ||
	    forbid_pages(s, s->hib_header, 1) || forbid_pages(s, s->snap_header, 1) ||
	    forbid_each(s, s->pfn_list, s->list_cap_pages) ||
	    forbid_each(s, s->crc_list, s->crc_cap_pages) ||
	    forbid_each(s, s->window, WINDOW_PAGES))
		return "no-memory-forbidden";
	frame_get_stats(&st);
	if (save_range(s, data_start(), (uintptr_t)_kernel_end) ||
	    save_range(s, st.bitmap, st.bitmap + st.bitmap_pages * PAGE_SIZE))
		return "no-memory-kernel";
	for (uint32_t i = 0; boot_info_seen && i < boot_info_seen->nr_regions; i++)
		if (save_range(s, boot_info_seen->regions[i].start, boot_info_seen->regions[i].end))
			return "no-memory-regions";
	do {
		before = frame_count_in_use();
		for (uint32_t r = 0; r < map->nr_ranges; r++) {
			if (map->ranges[r].type != MEM_USABLE)
				continue;
			for (uint64_t a = map->ranges[r].start; a < map->ranges[r].end; a += PAGE_SIZE)
				if (frame_is_allocated((void *)(uintptr_t)a) &&
				    !pageflags_test(s->forbidden, a >> PAGE_SHIFT) &&
				    pageflags_set(s->to_save, a >> PAGE_SHIFT) < 0)
					return "no-memory-frames";
		}
		/* The online DIMMs' frames, outside the firmware map. */
		for (uint64_t n = 0; n < hotplug_online_pages(); n++) {
			uint64_t a = hotplug_nth_online_page(n);

			if (frame_is_allocated((void *)(uintptr_t)a) &&
			    !pageflags_test(s->forbidden, a >> PAGE_SHIFT) &&
			    pageflags_set(s->to_save, a >> PAGE_SHIFT) < 0)
				return "no-memory-frames";
		}
	} while (frame_count_in_use() != before);
	*nr_pages = pageflags_count(s->to_save);
	return NULL;
}

/* ACPI S5: SLP_TYP(S5) << 10 | SLP_EN to PM1a_CNT. QEMU's _S5 gives SLP_TYP 0. */
static void power_off(void)
{
	uint32_t port = kernel_acpi.pm1a_cnt;

	if (port && port <= 0xffff) {
		outw((uint16_t)port, (uint16_t)((0u << 10) | (1u << 13)));
		for (volatile uint64_t i = 0; i < 100000000; i++)
			__asm__ volatile("pause");
	}
	kprintf("# hibernate: poweroff=unavailable pm1a_cnt=0x%x action=isa-debug-exit\n", port);
	qemu_exit(EXIT_PASS);
}

static int write_image(struct hib_state *s, uint64_t nr_pages, uint64_t *cycles)
{
	struct hib_writer w;
	struct snapimg_writer wr;
	struct pageflags_iter it;
	struct hibimg_header *h = (struct hibimg_header *)s->hib_header;
	uint64_t pfn, k = 0, t0 = rdtsc();
	int err;

	memset(&w, 0, sizeof(w));
	snapimg_layout(nr_pages, &w.l);
	w.snap_header = s->snap_header;
	w.pfn_list = s->pfn_list;
	w.crc_list = s->crc_list;
	w.window = s->window;
	w.pages = (struct snapimg_pages){ w.l.image_pages, writer_page, &w };
	if (snapimg_writer_start(&wr, &w.pages, nr_pages,
				 snapshot_memmap_fingerprint(memmap_get(), 0)))
		return VIRTIO_BLK_ERR_RANGE;
	/* Data first, a window at a time: each page copied as it is now. */
	pageflags_for_each_set(pfn, it, s->to_save) {
		if (snapimg_writer_add(&wr, pfn, (void *)(uintptr_t)(pfn << PAGE_SHIFT)))
			return VIRTIO_BLK_ERR_RANGE;
		k++;
		if (k % WINDOW_PAGES == 0 || k == nr_pages) {
			uint64_t n = (k - 1) % WINDOW_PAGES + 1;

			err = virtio_blk_rw_pages(image_sector(w.l.data_first + k - n),
						  w.window, (uint32_t)n, true);
			if (err)
				return err;
		}
	}
	if (k != nr_pages || snapimg_writer_finish(&wr))
		return VIRTIO_BLK_ERR_RANGE;
	/* Then the lists, the image header, a flush; the signature last. */
	err = transfer_pages(w.l.pfn_list_first, w.pfn_list, w.l.pfn_list_pages, true);
	if (!err)
		err = transfer_pages(w.l.crc_list_first, w.crc_list, w.l.crc_list_pages, true);
	if (!err)
		err = virtio_blk_write(image_sector(0), w.snap_header, SECTORS_PER_PAGE);
	if (!err)
		err = virtio_blk_flush();
	if (err)
		return err;
	memset(h, 0, PAGE_SIZE);
	h->signature = HIBIMG_SIGNATURE;
	h->version = HIBIMG_VERSION;
	h->header_size = sizeof(*h);
	h->kernel_build = kernel_build();
	h->memmap_fingerprint = snapshot_memmap_fingerprint(memmap_get(), 0);
	h->dimms = hotplug_fingerprint();
	h->image_sector = HIBIMG_IMAGE_SECTOR;
	h->image_pages = w.l.image_pages;
	h->nr_pages = nr_pages;
	h->resume_entry = (uintptr_t)hib_resume_entry;
	h->generation = generation;
	memcpy(&h->snapimg_header_crc, w.snap_header + offsetof(struct snapimg_header, header_crc),
	       sizeof(uint32_t));
	hibimg_seal(h);
	err = virtio_blk_write(0, h, SECTORS_PER_PAGE);
	if (!err)
		err = virtio_blk_flush();
	*cycles = rdtsc() - t0;
	return err;
}

/* Frames free when this boot's resume check ran: what a resume on this
 * machine will find free at the same point of its boot. */
static uint64_t resume_free_frames;

static uint64_t map_pages(const struct pageflags *map)
{
	return map ? pageflags_bytes(map) / PAGE_SIZE : 0;
}

/*
 * The most frames a resume of an image laid out as `l` takes from the
 * booting kernel (load_and_jump()): a safe frame for every data and CRC
 * page, and the unsafe frames it may meet and hold aside on the way (at
 * most one per saved page); the image head, the index; the maps unsafe,
 * safe and loaded, shaped like this boot's (unsafe covers every possible
 * pfn when there are DIMMs); the copy list, its tables and code. A
 * hibernation that a resume could not load is refused (Linux, for the
 * same reason, keeps an image within half of memory).
 */
static uint64_t resume_frames_needed(const struct snapimg_layout *l)
{
	uint64_t present = map_pages(boot_flags_present), all = map_pages(boot_flags_all);
	uint64_t gib = div_round_up(max_possible_pfn(), 1ull << (30 - PAGE_SHIFT));
	uint64_t loaded = l->image_pages - l->data_first;  /* data and CRC pages */
	uint64_t held = l->nr_pages;                       /* unsafe frames met, at most */
	uint64_t head = l->data_first;                     /* image page 0 and the pfn list */
	uint64_t index = div_round_up(l->image_pages * sizeof(uint64_t), PAGE_SIZE);
	uint64_t maps = 2 * present + (hotplug_fingerprint() ? all : present);
	uint64_t copy = div_round_up(l->nr_pages, COPY_PAIRS_PER_PAGE) +
			2 + gib + 1;                       /* list; PML4, PDPT, a PD per GiB; code */

	return loaded + held + head + index + maps + copy + RESUME_SLACK_FRAMES;
}

static void refuse_hibernation(const char *reason, uint64_t a, uint64_t b)
{
	kprintf("# hibernate: refused reason=%s need=%llu have=%llu action=continue\n",
		reason, (unsigned long long)a, (unsigned long long)b);
}

int hibernate(void)
{
	static struct hib_state s;
	struct snapimg_layout l;
	uint64_t est, cycles = 0, sectors, t_freeze, t_mark, t_write;
	const char *why;
	int err;

	if (!virtio_blk_ready()) {
		refuse_hibernation("no-disk", 0, 0);
		return HIBERNATE_REFUSED;
	}
	t_freeze = rdtsc();
	__asm__ volatile("cli");
	memset(&s, 0, sizeof(s));
	/* Room for the lists: frames in use now, the kernel, and slack for the maps. */
	est = frame_count_in_use() + (((uintptr_t)_kernel_end - data_start()) >> PAGE_SHIFT) + 8192;
	snapimg_layout(est, &l);
	s.list_cap_pages = l.pfn_list_pages;
	s.crc_cap_pages = l.crc_list_pages;
	s.hib_header = frame_alloc();
	s.snap_header = frame_alloc();
	s.pfn_list = frame_alloc_scattered(s.list_cap_pages);
	s.crc_list = frame_alloc_scattered(s.crc_cap_pages);
	why = NULL;
	for (int i = 0; i < WINDOW_PAGES; i++)
		if (!(s.window[i] = frame_alloc()))
			why = "no-memory";
	t_mark = rdtsc();
	why = why || !s.hib_header || !s.snap_header || !s.pfn_list || !s.crc_list ?
	      "no-memory-buffers" : mark(&s, &s.nr_pages);
	t_write = rdtsc();
	if (!why && s.nr_pages > est)
		why = "no-memory";
	if (why) {
		refuse_hibernation(why, est, s.nr_pages);
		hib_release(&s);
		return HIBERNATE_REFUSED;
	}
	snapimg_layout(s.nr_pages, &l);
	sectors = image_sector(l.image_pages);
	if (sectors > virtio_blk_sectors()) {
		refuse_hibernation("disk-too-small", sectors, virtio_blk_sectors());
		hib_release(&s);
		return HIBERNATE_REFUSED;
	}
	if (resume_frames_needed(&l) > resume_free_frames) {
		refuse_hibernation("no-memory-resume", resume_frames_needed(&l), resume_free_frames);
		hib_release(&s);
		return HIBERNATE_REFUSED;
	}
	timing_pause();
	if (hib_save(&hib_cpu_saved)) {
		/* Back from the disk, in the saved kernel's own memory. */
		struct resume_info ri = *(const struct resume_info *)(uintptr_t)hib_resume_value;
		uint64_t back = rdtsc() - ri.jump_tsc;

		timing_resumed();
		generation++;
		console_init();
		err = virtio_blk_reinit();
		kprintf("# resume: ok pages=%llu read_mib_s=%llu generation=%llu disk=%s\n",
			(unsigned long long)s.nr_pages, (unsigned long long)ri.read_mib_s,
			(unsigned long long)generation, virtio_blk_strerror(err));
		kprintf("# resume-timing: check_us=%llu read_us=%llu validate_us=%llu prepare_us=%llu copy_return_us=%llu\n",
			(unsigned long long)us_of(ri.check_cycles),
			(unsigned long long)us_of(ri.read_cycles),
			(unsigned long long)us_of(ri.validate_cycles),
			(unsigned long long)us_of(ri.prepare_cycles),
			(unsigned long long)us_of(back));
		hib_release(&s);
		return HIBERNATE_RESUMED;
	}
	err = write_image(&s, s.nr_pages, &cycles);
	if (err) {
		kprintf("# hibernate: refused reason=io error=%s action=continue\n",
			virtio_blk_strerror(err));
		hib_release(&s);
		return HIBERNATE_REFUSED;
	}
	kprintf("# hibernate-timing: freeze_us=%llu mark_us=%llu write_us=%llu poweroff=acpi-s5\n",
		(unsigned long long)us_of(t_mark - t_freeze),
		(unsigned long long)us_of(t_write - t_mark),
		(unsigned long long)us_of(cycles));
	kprintf("# hibernate: ok pages=%llu image_bytes=%llu sectors=%llu write_mib_s=%llu\n",
		(unsigned long long)s.nr_pages,
		(unsigned long long)(l.image_pages * PAGE_SIZE),
		(unsigned long long)sectors,
		(unsigned long long)mib_per_s(l.image_pages * PAGE_SIZE, cycles));
	power_off();
	return HIBERNATE_REFUSED;
}

/* ============================================================== resume === */

struct resume_state {
	struct pageflags *unsafe, *safe, *loaded;
	uint8_t *head;                 /* image page 0 and the pfn list, contiguous */
	uint64_t head_pages;
	uint64_t *index;               /* index[i]: address of image page i */
	uint64_t index_pages;
	void *held;                    /* unsafe frames taken, a list through them */
};

static void resume_release(struct resume_state *r)
{
	struct pageflags_iter it;
	uint64_t pfn;

	if (r->safe)
		pageflags_for_each_set(pfn, it, r->safe)
			frame_free((void *)(uintptr_t)(pfn << PAGE_SHIFT));
	while (r->held) {
		void *next = *(void **)r->held;

		frame_free(r->held);
		r->held = next;
	}
	pageflags_destroy(r->unsafe);
	pageflags_destroy(r->safe);
	pageflags_destroy(r->loaded);
	frame_free_pages(r->head, r->head_pages);
	frame_free_pages(r->index, r->index_pages);
	memset(r, 0, sizeof(*r));
}

/* A frame that the image does not need, or NULL. */
static void *safe_frame(struct resume_state *r)
{
	for (;;) {
		void *f = frame_alloc();

		if (!f)
			return NULL;
		if (!pageflags_test(r->unsafe, (uintptr_t)f >> PAGE_SHIFT)) {
			if (pageflags_set(r->safe, (uintptr_t)f >> PAGE_SHIFT) < 0) {
				frame_free(f);
				return NULL;
			}
			return f;
		}
		*(void **)f = r->held;
		r->held = f;
	}
}

static void *resume_page(void *ctx, uint64_t i)
{
	struct resume_state *r = ctx;

	return (void *)(uintptr_t)r->index[i];
}

static void refuse_resume(int kind, const struct hibimg_error *e)
{
	kprintf("# resume: refused reason=%s detail=%s expected=0x%llx found=0x%llx action=fresh-boot\n",
		hibimg_strerror(kind), e && e->detail ? e->detail : "-",
		(unsigned long long)(e ? e->expected : 0),
		(unsigned long long)(e ? e->found : 0));
}

/* Identity page tables over [0, top) in 2 MiB pages, in safe frames. */
static uint64_t copy_tables(struct resume_state *r, uint64_t top)
{
	uint64_t *pml4 = safe_frame(r), *pdpt = safe_frame(r);
	uint64_t gib = (top + (1ull << 30) - 1) >> 30;

	if (!pml4 || !pdpt || gib > 512)
		return 0;
	pml4[0] = (uintptr_t)pdpt | 3;
	for (uint64_t g = 0; g < gib; g++) {
		uint64_t *pd = safe_frame(r);

		if (!pd)
			return 0;
		pdpt[g] = (uintptr_t)pd | 3;
		for (uint64_t j = 0; j < 512; j++)
			pd[j] = ((g << 30) + (j << 21)) | 0x83;   /* present, writable, 2 MiB */
	}
	return (uintptr_t)pml4;
}

/*
 * Load every data and CRC page into safe frames, validate the whole image
 * (every data page's CRC), build the copy list, the copy's page tables
 * and its code in safe frames, and jump. Returns only on a refusal, which
 * it has reported.
 */
static int load_and_jump(struct resume_state *r, uint64_t fingerprint,
			 const struct snapimg_layout *l, uint64_t check_cycles)
{
	struct resume_info *ri;
	uint64_t t1;
	const struct memmap *map = memmap_get();
	struct snapimg_machine machine = { fingerprint, pfn_is_ram, NULL };
	struct snapimg_pages pages;
	struct snapimg_error serr;
	struct hibimg_error e = { 0, NULL, 0, 0 };
	enum snapimg_status st;
	uint64_t t0, cycles, top = 0, cr3, *list = NULL, *first_list = NULL;
	void *batch[VIRTIO_BLK_MAX_SEGS];
	uint8_t *code;
	int err;

	/* unsafe: every frame the image will be copied to. */
	e.detail = "maps";
	/* A DIMM's frames are not present yet (hotplug_boot() comes later):
	 * with DIMMs the unsafe map covers every possible pfn. */
	if (flags_create(&r->unsafe, hotplug_fingerprint() ? PAGEFLAGS_ALL_POSSIBLE :
			 PAGEFLAGS_PRESENT_ONLY) < 0 ||
	    flags_create(&r->safe, PAGEFLAGS_PRESENT_ONLY) < 0 ||
	    flags_create(&r->loaded, PAGEFLAGS_PRESENT_ONLY) < 0)
		goto fail;
	for (uint64_t i = 0; i < l->nr_pages; i++) {
		const uint64_t *pfns = (const uint64_t *)(r->head + PAGE_SIZE);

		if (pageflags_set(r->unsafe, pfns[i]) < 0)
			goto fail;
	}
	e.detail = "index";
	r->index_pages = div_round_up(l->image_pages * sizeof(uint64_t), PAGE_SIZE);
	r->index = frame_alloc_pages(r->index_pages);
	if (!r->index)
		goto fail;
	for (uint64_t i = 0; i < l->data_first; i++)
		r->index[i] = (uintptr_t)(r->head + i * PAGE_SIZE);
	/* Data and CRC pages into safe frames, a batch per request. */
	e.detail = "safe-frames";
	t0 = rdtsc();
	for (uint64_t i = l->data_first; i < l->image_pages;) {
		uint32_t n = 0;
		uint64_t at = i;

		while (n < VIRTIO_BLK_MAX_SEGS && i < l->image_pages) {
			void *f = safe_frame(r);

			if (!f)
				goto fail;
			if (i < l->crc_list_first)
				pageflags_set(r->loaded, (uintptr_t)f >> PAGE_SHIFT);
			r->index[i++] = (uintptr_t)f;
			batch[n++] = f;
		}
		err = virtio_blk_rw_pages(image_sector(at), batch, n, false);
		if (err) {
			e.detail = virtio_blk_strerror(err);
			refuse_resume(HIBIMG_ERR_IO, &e);
			return HIBIMG_ERR_IO;
		}
	}
	t1 = rdtsc();
	cycles = t1 - t0;
	/* Everything again, and every data page against its CRC. */
	pages = (struct snapimg_pages){ l->image_pages, resume_page, r };
	st = snapimg_validate(&pages, &machine, NULL, &serr);
	t0 = rdtsc();
	if (st != SNAPIMG_OK) {
		e.detail = serr.field;
		e.expected = serr.expected;
		e.found = serr.found;
		refuse_resume(hibimg_from_snapimg(st), &e);
		return hibimg_from_snapimg(st);
	}
	/* The copy list, the tables and the code, all in safe frames. */
	e.detail = "copy-list";
	for (uint64_t i = 0; i < l->nr_pages; i++) {
		if (!list || list[1] == COPY_PAIRS_PER_PAGE) {
			uint64_t *next = safe_frame(r);

			if (!next)
				goto fail;
			if (list)
				list[0] = (uintptr_t)next;
			else
				first_list = next;
			list = next;
		}
		list[2 + 2 * list[1]] = snapimg_pfn(&pages, l, i) << PAGE_SHIFT;
		list[3 + 2 * list[1]] = (uintptr_t)snapimg_data(&pages, l, i);
		list[1]++;
	}
	for (uint32_t i = 0; i < map->nr_ranges; i++)
		if (map->ranges[i].end > top && map->ranges[i].type != MEM_RESERVED)
			top = map->ranges[i].end;
	e.detail = "copy-tables";
	if (hotplug_present_end() > top)
		top = hotplug_present_end();
	cr3 = copy_tables(r, top);
	code = safe_frame(r);
	if (!cr3 || !code || hib_copy_end - hib_copy_start > (long)PAGE_SIZE / 2)
		goto fail;
	memcpy(code, hib_copy_start, (size_t)(hib_copy_end - hib_copy_start));
	ri = (struct resume_info *)(code + PAGE_SIZE / 2);
	ri->read_mib_s = mib_per_s(l->image_pages * PAGE_SIZE, cycles);
	ri->check_cycles = check_cycles;
	ri->read_cycles = cycles;
	ri->validate_cycles = t0 - t1;
	kprintf("# resume: loaded pages=%llu image_pages=%llu\n",
		(unsigned long long)l->nr_pages, (unsigned long long)l->image_pages);
	/* No way back from here: the running kernel is overwritten. */
	{
		register uint64_t info __asm__("r14") = (uintptr_t)ri;

		ri->prepare_cycles = rdtsc() - t0;
		ri->jump_tsc = rdtsc();
		__asm__ volatile("cli\n\t"
				 "jmp *%4"
				 : : "D"(first_list), "S"(cr3), "d"((uintptr_t)hib_resume_entry),
				   "r"(info), "a"(code)
				 : "memory");
	}
fail:
	refuse_resume(HIBIMG_ERR_NOMEM, &e);
	return HIBIMG_ERR_NOMEM;
}

/* The pfn list pages of r->head, as hibimg_check_pfns() wants them. */
static int check_pfn_list(struct resume_state *r, const struct snapimg_layout *l,
			  struct hibimg_error *e)
{
	uint64_t np = l->pfn_list_pages, ptr_pages = div_round_up(np * sizeof(void *), PAGE_SIZE);
	const uint64_t **lists = frame_alloc_pages(ptr_pages);
	int st;

	if (!lists) {
		e->detail = "pfn-list";
		return HIBIMG_ERR_NOMEM;
	}
	for (uint64_t p = 0; p < np; p++)
		lists[p] = (const uint64_t *)(r->head + (1 + p) * PAGE_SIZE);
	st = hibimg_check_pfns((const struct snapimg_header *)r->head, l, lists,
			       pfn_is_ram, NULL, e);
	frame_free_pages(lists, ptr_pages);
	return st;
}

/* Read the image header and the pfn list (contiguous after it) into r->head. */
static int check_image_head(struct resume_state *r, const struct hibimg_header *h,
			    struct snapimg_layout *l, struct hibimg_error *e)
{
	int st;

	if (!snapimg_layout(h->nr_pages, l) || l->pfn_list_first != 1) {
		e->detail = "nr_pages";
		return HIBIMG_ERR_SIGNATURE;
	}
	r->head_pages = 1 + l->pfn_list_pages;
	r->head = frame_alloc_pages(r->head_pages);
	if (!r->head) {
		e->detail = "image-head";
		return HIBIMG_ERR_NOMEM;
	}
	st = virtio_blk_read(image_sector(0), r->head, r->head_pages * SECTORS_PER_PAGE);
	if (st) {
		e->detail = virtio_blk_strerror(st);
		return HIBIMG_ERR_IO;
	}
	st = hibimg_check_image_header(r->head, h, l, e);
	return st ? st : check_pfn_list(r, l, e);
}

/* The frames a resume check took and gave back: none may stay taken. */
static void resume_frames(uint64_t before)
{
	uint64_t after = frame_count_in_use();

	kprintf("# resume-frames: in_use_before=%llu in_use_after=%llu leaked=%llu\n",
		(unsigned long long)before, (unsigned long long)after,
		(unsigned long long)(after > before ? after - before : 0));
}

void resume_boot(const struct boot_info *bi, uint64_t fail_nth, bool fail_every)
{
	static struct resume_state r;
	struct hibimg_expect expect;
	struct hibimg_error e = { 0, NULL, 0, 0 };
	struct snapimg_layout l;
	uint64_t before, t_check = 0;
	uint8_t *page;
	int st;

	boot_info_seen = bi;
	disk_boot();
	if (!virtio_blk_ready()) {
		kprintf("# resume: none disk=none\n");
		return;
	}
	memset(&r, 0, sizeof(r));
	before = frame_count_in_use();
	resume_free_frames = frame_count_free();
	page = frame_alloc();
	if (!page) {
		kprintf("# resume: none reason=no-memory\n");
		resume_frames(before);
		return;
	}
	fill_expect(&expect);
	t_check = rdtsc();
	st = virtio_blk_read(0, page, SECTORS_PER_PAGE);
	if (st) {
		e.detail = virtio_blk_strerror(st);
		st = HIBIMG_ERR_IO;
	} else {
		st = hibimg_check(page, &expect, &e);
	}
	if (st == HIBIMG_NONE) {
		kprintf("# resume: none\n");
		frame_free(page);
		resume_frames(before);
		return;
	}
	/* An image is there: fail_alloc=N counts again from here, the
	 * resume's own allocations (the boot's before it were fewer). */
	if (fail_nth)
		frame_inject_failure(fail_nth, fail_every);
	if (st == HIBIMG_OK)
		st = check_image_head(&r, (const struct hibimg_header *)page, &l, &e);
	if (st != HIBIMG_OK) {
		refuse_resume(st, &e);
		resume_release(&r);
		frame_free(page);
		resume_frames(before);
		return;
	}
	/* Valid as far as can be seen without the data: clear the signature
	 * on the disk before anything is loaded, so that no resume repeats.
	 * The rest of the header stays, for whoever looks at the disk. */
	((struct hibimg_header *)page)->signature = 0;
	st = virtio_blk_write(0, page, SECTORS_PER_PAGE);
	if (!st)
		st = virtio_blk_flush();
	frame_free(page);
	if (st) {
		e.detail = virtio_blk_strerror(st);
		refuse_resume(HIBIMG_ERR_IO, &e);
	} else {
		load_and_jump(&r, expect.memmap_fingerprint, &l,   /* returns on refusal */
			      rdtsc() - t_check);
	}
	resume_release(&r);
	resume_frames(before);
}

int hibernate_boot(uint64_t bytes, uint64_t fail_nth, bool fail_every)
{
	static struct snapshot_workload w;
	const char *stage = NULL;
	uint64_t good, above_4g = 0, before;
	int how;

	if (workload_create(&w, div_round_up(bytes, PAGE_SIZE), 0x41be, &stage))
		kprintf("# hibernate-workload: error=no-memory stage=%s\n", stage);
	if (w.to_save) {
		struct pageflags_iter it;
		uint64_t pfn;

		pageflags_for_each_set(pfn, it, w.to_save)
			above_4g += pfn >= (1ull << (32 - PAGE_SHIFT));
	}
	before = frame_count_in_use();
	if (fail_nth)
		frame_inject_failure(fail_nth, fail_every);
	how = hibernate();
	if (fail_nth)
		frame_inject_failure(0, false);
	/* After a refusal, or after a resume (whose kernel gave back what the
	 * hibernation took): the frames in use are those of before. */
	{
		uint64_t after = frame_count_in_use();

		kprintf("# hibernate-frames: in_use_before=%llu in_use_after=%llu leaked=%llu\n",
			(unsigned long long)before, (unsigned long long)after,
			(unsigned long long)(after > before ? after - before : 0));
	}
	good = workload_verify(&w);
	kprintf("# hibernate-workload: pages=%llu verified=%llu resumed=%s pages_above_4g=%llu\n",
		(unsigned long long)w.nr_pages, (unsigned long long)good,
		how == HIBERNATE_RESUMED ? "yes" : "no", (unsigned long long)above_4g);
	how = good != w.nr_pages;
	workload_destroy(&w);
	return how;
}
