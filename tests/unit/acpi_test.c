/*
 * acpi_test.c: the ACPI walk and the SRAT parser on hand-made tables.
 *
 * Tables are built in a small fake physical memory (fake_mem, at physical
 * address FAKE_BASE) reached through fake_map(), which refuses anything
 * outside it, as the kernel's map function refuses unmapped memory. Every
 * kind of bad input is tried: bad signatures and checksums, lengths that
 * lie, entries that run off the table, too many entries, unreadable
 * addresses; each must give its warning and never stop the rest.
 */
#include <stdint.h>
#include <string.h>

#include "kernel/portable/acpi.h"
#include "tests/ktest.h"

#define FAKE_BASE 0x80000ull
#define FAKE_SIZE 8192u
#define TOO_MANY  (ACPI_SRAT_MEM_MAX + 6)

static uint8_t fake_mem[FAKE_SIZE];
static uint32_t fake_used;
static uint8_t big_srat[48 + TOO_MANY * ACPI_SRAT_MEM_LEN];
static struct acpi_info info;
static uint8_t rsdp[36];

static const void *fake_map(void *ctx, uint64_t phys_addr, uint64_t len)
{
	(void)ctx;
	if (phys_addr < FAKE_BASE || phys_addr - FAKE_BASE > FAKE_SIZE ||
	    len > FAKE_SIZE - (phys_addr - FAKE_BASE))
		return NULL;
	return fake_mem + (phys_addr - FAKE_BASE);
}

static void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
	put_u32(p, (uint32_t)v);
	put_u32(p + 4, (uint32_t)(v >> 32));
}

/* Set the checksum byte at `at` so that len bytes sum to 0. */
static void fix_checksum(uint8_t *bytes, uint32_t len, uint32_t at)
{
	bytes[at] = 0;
	bytes[at] = (uint8_t)(0x100 - acpi_checksum(bytes, len));
}

static uint8_t *fake_at(uint64_t phys_addr)
{
	return fake_mem + (phys_addr - FAKE_BASE);
}

/* Start a table of len bytes in fake memory; returns its address. */
static uint64_t table_new(const char *sig, uint32_t len, uint8_t revision)
{
	uint64_t addr = FAKE_BASE + fake_used;
	uint8_t *t = fake_mem + fake_used;

	memset(t, 0, len);
	memcpy(t, sig, 4);
	put_u32(t + 4, len);
	t[8] = revision;
	memcpy(t + 10, "DYNFLG", 6);
	fake_used += (len + 15) & ~15u;
	return addr;
}

static void table_seal(uint64_t addr)
{
	uint8_t *t = fake_at(addr);
	uint32_t len = t[4] | t[5] << 8 | t[6] << 16 | (uint32_t)t[7] << 24;

	fix_checksum(t, len, 9);
}

/* A memory-affinity entry at e: bytes [base, base+len), flags as in ACPI. */
static void srat_mem(uint8_t *e, uint32_t domain, uint64_t base, uint64_t len,
		     uint32_t flags)
{
	memset(e, 0, ACPI_SRAT_MEM_LEN);
	e[0] = 1;
	e[1] = ACPI_SRAT_MEM_LEN;
	put_u32(e + 2, domain);
	put_u64(e + 8, base);
	put_u64(e + 16, len);
	put_u32(e + 28, flags);
}

#define F_ENABLED 1u
#define F_HOTPLUG 2u

/*
 * An SRAT like QEMU's for two nodes and hotplug: a processor entry, RAM of
 * node 0 and 1, a disabled entry, a hotplug range of node 1, an x2APIC
 * entry. Returns its address.
 */
static uint64_t make_srat(uint8_t revision)
{
	uint64_t addr = table_new("SRAT", 48 + 16 + 4 * 40 + 24, revision);
	uint8_t *t = fake_at(addr), *e = t + 48;

	e[0] = 0; e[1] = 16; e += 16;                    /* processor */
	srat_mem(e, 0, 0, 0xa0000, F_ENABLED); e += 40;
	srat_mem(e, 1, 0x40000000, 0x40000000, F_ENABLED); e += 40;
	srat_mem(e, 0, 0, 0, 0); e += 40;                 /* disabled */
	srat_mem(e, 1, 0x140000000, 0x200000000, F_ENABLED | F_HOTPLUG); e += 40;
	e[0] = 2; e[1] = 24;                              /* x2APIC */
	table_seal(addr);
	return addr;
}

/* A root table (XSDT: entry_size 8, RSDT: 4) listing n addresses. */
static uint64_t make_root(const char *sig, uint32_t entry_size,
			  const uint64_t *addrs, uint32_t n)
{
	uint64_t addr = table_new(sig, 36 + n * entry_size, 1);
	uint8_t *t = fake_at(addr);

	for (uint32_t i = 0; i < n; i++) {
		if (entry_size == 8)
			put_u64(t + 36 + 8 * i, addrs[i]);
		else
			put_u32(t + 36 + 4 * i, (uint32_t)addrs[i]);
	}
	table_seal(addr);
	return addr;
}

static void make_rsdp(uint8_t revision, uint64_t rsdt, uint64_t xsdt)
{
	memset(rsdp, 0, sizeof(rsdp));
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "DYNFLG", 6);
	rsdp[15] = revision;
	put_u32(rsdp + 16, (uint32_t)rsdt);
	put_u32(rsdp + 20, 36);
	put_u64(rsdp + 24, xsdt);
	fix_checksum(rsdp, 20, 8);
	fix_checksum(rsdp, 36, 32);
}

static void fake_reset(void)
{
	memset(fake_mem, 0, sizeof(fake_mem));
	fake_used = 0;
}

/* Parse the SRAT at addr (len bytes readable) into a fresh info. */
static int reparse(uint64_t addr, uint64_t len)
{
	memset(&info, 0, sizeof(info));
	return acpi_parse_srat(&info, fake_at(addr), len, addr);
}

/* Build RSDP v2 -> XSDT and RSDT -> {APIC, SRAT}. */
static void make_firmware(uint64_t *xsdt, uint64_t *rsdt, uint64_t *srat)
{
	uint64_t tables[2];

	fake_reset();
	tables[0] = table_new("APIC", 44, 4);
	table_seal(tables[0]);
	tables[1] = *srat = make_srat(3);
	*xsdt = make_root("XSDT", 8, tables, 2);
	*rsdt = make_root("RSDT", 4, tables, 2);
	make_rsdp(2, *rsdt, *xsdt);
}

static int count_warnings(const struct acpi_info *ai, int problem,
			  const char *table)
{
	int n = 0;

	for (uint32_t i = 0; i < ai->nr_warnings && i < ACPI_WARN_MAX; i++)
		if (ai->warnings[i].problem == problem &&
		    strcmp(ai->warnings[i].table, table) == 0)
			n++;
	return n;
}

static void srat_parses_memory_entries(struct ktest *t)
{
	uint64_t addr;

	fake_reset();
	addr = make_srat(3);
	KT_EXPECT_EQ(t, reparse(addr, 48 + 16 + 160 + 24),
		     ACPI_OK);
	KT_EXPECT(t, info.have_srat);
	KT_EXPECT_EQ(t, info.srat_addr, addr);
	KT_EXPECT_EQ(t, info.nr_warnings, 0);
	KT_ASSERT(t, info.nr_srat_mem == 4);
	KT_EXPECT_EQ(t, info.srat_mem[0].start, 0);
	KT_EXPECT_EQ(t, info.srat_mem[0].end, 0xa0000);
	KT_EXPECT(t, info.srat_mem[0].enabled && !info.srat_mem[0].hotplug);
	KT_EXPECT_EQ(t, info.srat_mem[1].node, 1);
	KT_EXPECT_EQ(t, info.srat_mem[1].end, 0x80000000);
	KT_EXPECT(t, !info.srat_mem[2].enabled);
	KT_EXPECT_EQ(t, info.srat_mem[3].start, 0x140000000);
	KT_EXPECT_EQ(t, info.srat_mem[3].end, 0x340000000);
	KT_EXPECT(t, info.srat_mem[3].enabled && info.srat_mem[3].hotplug);
	KT_EXPECT(t, !info.srat_mem[3].nonvolatile);
}

static void srat_find_skips_disabled(struct ktest *t)
{
	uint64_t addr;

	fake_reset();
	addr = make_srat(3);
	/* Make the disabled entry overlap node 1's RAM: it must not count. */
	srat_mem(fake_at(addr) + 48 + 16 + 80, 7, 0x40000000, 0x1000, 0);
	table_seal(addr);
	KT_ASSERT(t, reparse(addr, 248) == ACPI_OK);
	KT_ASSERT(t, info.nr_srat_mem == 4);
	KT_EXPECT_EQ(t, info.srat_mem[2].node, 7);
	KT_EXPECT_EQ(t, acpi_srat_find(&info, 0x40000000)->node, 1);
	KT_EXPECT_EQ(t, acpi_srat_find(&info, 0x9ffff)->node, 0);
	KT_EXPECT(t, acpi_srat_find(&info, 0xa0000) == NULL);
	KT_EXPECT(t, acpi_srat_find(&info, 0x80000000) == NULL);
	KT_EXPECT(t, acpi_srat_find(&info, 0x33fffffff)->hotplug);
	KT_EXPECT(t, acpi_srat_find(&info, 0x340000000) == NULL);
}

static void srat_bad_checksum(struct ktest *t)
{
	uint64_t addr;

	fake_reset();
	addr = make_srat(3);
	fake_at(addr)[60] ^= 0x40;
	KT_EXPECT_EQ(t, reparse(addr, 248),
		     ACPI_BAD_CHECKSUM);
	KT_EXPECT(t, !info.have_srat);
	KT_EXPECT_EQ(t, info.nr_srat_mem, 0);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_BAD_CHECKSUM, "SRAT"), 1);
	KT_EXPECT_EQ(t, info.warnings[0].phys_addr, addr);
}

static void srat_bad_signature(struct ktest *t)
{
	uint64_t addr;

	fake_reset();
	addr = make_srat(3);
	memcpy(fake_at(addr), "SRAX", 4);
	table_seal(addr);
	KT_EXPECT_EQ(t, reparse(addr, 248),
		     ACPI_BAD_SIGNATURE);
	KT_EXPECT(t, !info.have_srat);
}

static void srat_truncated_table(struct ktest *t)
{
	uint64_t addr;

	fake_reset();
	addr = make_srat(3);
	memset(&info, 0, sizeof(info));
	/* The header claims 248 bytes, only 100 are there. */
	KT_EXPECT_EQ(t, acpi_parse_srat(&info, fake_at(addr), 100, addr),
		     ACPI_TRUNCATED);
	/* Fewer bytes than a header. */
	KT_EXPECT_EQ(t, acpi_parse_srat(&info, fake_at(addr), 20, addr),
		     ACPI_TRUNCATED);
	/* A length field smaller than the header. */
	put_u32(fake_at(addr) + 4, 30);
	KT_EXPECT_EQ(t, acpi_parse_srat(&info, fake_at(addr), 248, addr),
		     ACPI_TRUNCATED);
	/* A good checksum but no room for the reserved bytes. */
	put_u32(fake_at(addr) + 4, 40);
	fix_checksum(fake_at(addr), 40, 9);
	KT_EXPECT_EQ(t, acpi_parse_srat(&info, fake_at(addr), 248, addr),
		     ACPI_TRUNCATED);
	KT_EXPECT(t, !info.have_srat);
	KT_EXPECT_EQ(t, info.nr_srat_mem, 0);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_TRUNCATED, "SRAT"), 4);
}

static void srat_entry_past_end(struct ktest *t)
{
	uint64_t addr;

	fake_reset();
	addr = make_srat(3);
	/* Cut the table inside the third memory entry (offset 144..184). */
	put_u32(fake_at(addr) + 4, 160);
	table_seal(addr);
	KT_EXPECT_EQ(t, reparse(addr, 160), ACPI_OK);
	KT_EXPECT(t, info.have_srat);
	KT_EXPECT_EQ(t, info.nr_srat_mem, 2);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_TRUNCATED, "SRAT"), 1);

	/* A single stray byte after the last entry. */
	put_u32(fake_at(addr) + 4, 145);
	table_seal(addr);
	KT_EXPECT_EQ(t, reparse(addr, 145), ACPI_OK);
	KT_EXPECT_EQ(t, info.nr_srat_mem, 2);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_TRUNCATED, "SRAT"), 1);
}

static void srat_bad_entries(struct ktest *t)
{
	uint64_t addr;
	uint8_t *e;

	fake_reset();
	addr = make_srat(3);
	e = fake_at(addr) + 48 + 16;
	e[1] = 24;                       /* memory entry too short: skipped */
	memset(e + 24, 0, 16);
	e[24] = 5;                       /* ...and an unknown 16-byte entry */
	e[25] = 16;
	/* A range that wraps past 2^64: skipped. */
	srat_mem(e + 80, 2, 0xfffffffffffff000ull, 0x2000, F_ENABLED);
	table_seal(addr);
	KT_EXPECT_EQ(t, reparse(addr, 248), ACPI_OK);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_BAD_ENTRY, "SRAT"), 2);
	KT_ASSERT(t, info.nr_srat_mem == 2);
	KT_EXPECT_EQ(t, info.srat_mem[0].start, 0x40000000);
	KT_EXPECT_EQ(t, info.srat_mem[1].start, 0x140000000);

	/* A zero-length entry must stop the walk, not loop forever. */
	e[40] = 0;
	e[41] = 0;
	table_seal(addr);
	KT_EXPECT_EQ(t, reparse(addr, 248), ACPI_OK);
	KT_EXPECT_EQ(t, info.nr_srat_mem, 0);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_BAD_ENTRY, "SRAT"), 2);
}

static void srat_domain_width(struct ktest *t)
{
	uint64_t addr;

	fake_reset();
	addr = make_srat(1);
	put_u32(fake_at(addr) + 48 + 16 + 40 + 2, 0x1201);
	table_seal(addr);
	KT_ASSERT(t, reparse(addr, 248) == ACPI_OK);
	KT_EXPECT_EQ(t, info.srat_revision, 1);
	KT_EXPECT_EQ(t, info.srat_mem[1].node, 0x01);   /* one byte before 3.0 */

	fake_at(addr)[8] = 3;
	table_seal(addr);
	KT_ASSERT(t, reparse(addr, 248) == ACPI_OK);
	KT_EXPECT_EQ(t, info.srat_mem[1].node, 0x1201);
}

static void srat_too_many_entries(struct ktest *t)
{
	uint32_t len = sizeof(big_srat);

	memset(big_srat, 0, len);
	memcpy(big_srat, "SRAT", 4);
	put_u32(big_srat + 4, len);
	big_srat[8] = 3;
	for (uint32_t i = 0; i < TOO_MANY; i++)
		srat_mem(big_srat + 48 + i * ACPI_SRAT_MEM_LEN, i,
			 (uint64_t)i << 30, 1ull << 30, F_ENABLED);
	fix_checksum(big_srat, len, 9);
	memset(&info, 0, sizeof(info));
	KT_EXPECT_EQ(t, acpi_parse_srat(&info, big_srat, len, 0x1000), ACPI_OK);
	KT_EXPECT_EQ(t, info.nr_srat_mem, ACPI_SRAT_MEM_MAX);
	KT_EXPECT_EQ(t, info.nr_srat_dropped, TOO_MANY - ACPI_SRAT_MEM_MAX);
	KT_EXPECT_EQ(t, info.nr_warnings, 1);
	KT_EXPECT_EQ(t, info.warnings[0].problem, ACPI_TOO_MANY);
	KT_EXPECT_EQ(t, info.srat_mem[ACPI_SRAT_MEM_MAX - 1].start,
		     (uint64_t)(ACPI_SRAT_MEM_MAX - 1) << 30);
}

static void walk_xsdt(struct ktest *t)
{
	uint64_t xsdt, rsdt, srat;

	make_firmware(&xsdt, &rsdt, &srat);
	acpi_parse(&info, rsdp, 36, fake_map, NULL);
	KT_EXPECT_EQ(t, info.nr_warnings, 0);
	KT_EXPECT_EQ(t, info.rsdp_revision, 2);
	KT_EXPECT(t, strcmp(info.root, "XSDT") == 0);
	KT_EXPECT_EQ(t, info.root_addr, xsdt);
	KT_EXPECT_EQ(t, info.nr_tables, 2);
	KT_EXPECT(t, strcmp(info.tables[0], "APIC") == 0);
	KT_EXPECT(t, strcmp(info.tables[1], "SRAT") == 0);
	KT_EXPECT(t, info.have_srat);
	KT_EXPECT_EQ(t, info.srat_addr, srat);
	KT_EXPECT_EQ(t, info.nr_srat_mem, 4);
}

static void walk_rsdt_for_revision_0(struct ktest *t)
{
	uint64_t xsdt, rsdt, srat;

	make_firmware(&xsdt, &rsdt, &srat);
	make_rsdp(0, rsdt, xsdt);        /* ACPI 1.0: the XSDT field is not used */
	acpi_parse(&info, rsdp, 20, fake_map, NULL);
	KT_EXPECT_EQ(t, info.nr_warnings, 0);
	KT_EXPECT_EQ(t, info.rsdp_revision, 0);
	KT_EXPECT(t, strcmp(info.root, "RSDT") == 0);
	KT_EXPECT_EQ(t, info.root_addr, rsdt);
	KT_EXPECT(t, info.have_srat);
	KT_EXPECT_EQ(t, info.nr_srat_mem, 4);
}

static void rsdt_fallback_for_bad_xsdt(struct ktest *t)
{
	uint64_t xsdt, rsdt, srat;

	make_firmware(&xsdt, &rsdt, &srat);
	fake_at(xsdt)[40] ^= 1;          /* corrupt the XSDT's first entry */
	acpi_parse(&info, rsdp, 36, fake_map, NULL);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_BAD_CHECKSUM, "XSDT"), 1);
	KT_EXPECT_EQ(t, info.warnings[0].phys_addr, xsdt);
	KT_EXPECT(t, strcmp(info.root, "RSDT") == 0);
	KT_EXPECT(t, info.have_srat);

	/* An XSDT address outside readable memory: the same fallback. */
	make_firmware(&xsdt, &rsdt, &srat);
	make_rsdp(2, rsdt, 0xdead0000);
	acpi_parse(&info, rsdp, 36, fake_map, NULL);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_UNREADABLE, "XSDT"), 1);
	KT_EXPECT(t, strcmp(info.root, "RSDT") == 0);
	KT_EXPECT(t, info.have_srat);

	/* An RSDP whose extended checksum fails: the RSDT, not the XSDT. */
	make_firmware(&xsdt, &rsdt, &srat);
	rsdp[33] ^= 1;
	acpi_parse(&info, rsdp, 36, fake_map, NULL);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_BAD_CHECKSUM, "RSDP"), 1);
	KT_EXPECT(t, strcmp(info.root, "RSDT") == 0);
	KT_EXPECT(t, info.have_srat);

	/* A revision-2 RSDP copy cut to 20 bytes: the RSDT still works. */
	make_firmware(&xsdt, &rsdt, &srat);
	acpi_parse(&info, rsdp, 20, fake_map, NULL);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_TRUNCATED, "RSDP"), 1);
	KT_EXPECT(t, strcmp(info.root, "RSDT") == 0);
}

static void bad_rsdp(struct ktest *t)
{
	uint64_t xsdt, rsdt, srat;

	acpi_parse(&info, NULL, 0, fake_map, NULL);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_NO_RSDP, "RSDP"), 1);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_NO_ROOT, "RSDP"), 1);
	KT_EXPECT(t, !info.have_srat);
	KT_EXPECT(t, info.root[0] == '\0');

	make_firmware(&xsdt, &rsdt, &srat);
	rsdp[3] = 'X';
	acpi_parse(&info, rsdp, 36, fake_map, NULL);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_BAD_SIGNATURE, "RSDP"), 1);
	KT_EXPECT(t, !info.have_srat);

	make_firmware(&xsdt, &rsdt, &srat);
	rsdp[16] ^= 0x10;                /* the RSDT address: first checksum */
	acpi_parse(&info, rsdp, 36, fake_map, NULL);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_BAD_CHECKSUM, "RSDP"), 1);
	KT_EXPECT(t, !info.have_srat);

	make_firmware(&xsdt, &rsdt, &srat);
	acpi_parse(&info, rsdp, 12, fake_map, NULL);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_TRUNCATED, "RSDP"), 1);

	/* Both root addresses zero. */
	make_rsdp(2, 0, 0);
	acpi_parse(&info, rsdp, 36, fake_map, NULL);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_NO_ROOT, "RSDP"), 1);
	KT_EXPECT_EQ(t, info.nr_warnings, 1);
}

static void bad_tables_are_skipped(struct ktest *t)
{
	uint64_t tables[5], root, apic, srat;

	fake_reset();
	apic = table_new("APIC", 44, 4);
	table_seal(apic);
	fake_at(apic)[40] = 1;                           /* bad checksum */
	tables[0] = apic;
	tables[1] = 0xdeadb000;                          /* unreadable */
	tables[2] = table_new("HPET", 56, 1);
	put_u32(fake_at(tables[2]) + 4, 0x7fffffff);     /* absurd length */
	tables[3] = 0;                                   /* NULL entry */
	tables[4] = srat = make_srat(3);
	root = make_root("XSDT", 8, tables, 5);
	/* A ragged tail: 4 extra bytes that are not a whole entry. */
	put_u32(fake_at(root) + 4, 36 + 5 * 8 + 4);
	table_seal(root);
	make_rsdp(2, 0, root);
	acpi_parse(&info, rsdp, 36, fake_map, NULL);
	KT_EXPECT_EQ(t, info.nr_tables, 5);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_TRUNCATED, "XSDT"), 1);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_BAD_CHECKSUM, "APIC"), 1);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_UNREADABLE, "????"), 2);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_TRUNCATED, "HPET"), 1);
	KT_EXPECT_EQ(t, info.nr_warnings, 5);
	KT_EXPECT(t, info.tables[0][0] == '\0');
	KT_EXPECT(t, strcmp(info.tables[4], "SRAT") == 0);
	KT_EXPECT(t, info.have_srat);
	KT_EXPECT_EQ(t, info.srat_addr, srat);

	/* A bad SRAT: no SRAT at all, and a warning. */
	fake_at(srat)[100] ^= 0xff;
	acpi_parse(&info, rsdp, 36, fake_map, NULL);
	KT_EXPECT(t, !info.have_srat);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_BAD_CHECKSUM, "SRAT"), 1);
}

static void first_good_srat_wins(struct ktest *t)
{
	uint64_t tables[3];

	fake_reset();
	tables[0] = make_srat(3);
	fake_at(tables[0])[60] ^= 1;                     /* bad: skipped */
	tables[1] = make_srat(3);
	tables[2] = make_srat(3);
	put_u32(fake_at(tables[2]) + 48 + 16 + 2, 9);    /* differs */
	table_seal(tables[2]);
	make_rsdp(2, 0, make_root("XSDT", 8, tables, 3));
	acpi_parse(&info, rsdp, 36, fake_map, NULL);
	KT_EXPECT(t, info.have_srat);
	KT_EXPECT_EQ(t, info.srat_addr, tables[1]);
	KT_EXPECT_EQ(t, info.nr_srat_mem, 4);
	KT_EXPECT_EQ(t, info.srat_mem[0].node, 0);
	KT_EXPECT_EQ(t, info.nr_warnings, 1);
}

/* ------------------------------------------- FADT, DSDT, memory hotplug */

/*
 * A DSDT whose AML holds QEMU's memory-hotplug device in the shape QEMU
 * emits: Scope, Device (MHPD) { Name (_HID, ...) ... Name (MDNR, value) },
 * with `value` given as the bytes of its data object. The AML around the
 * names is filler: only the two patterns matter.
 */
static uint64_t make_dsdt(const uint8_t *value, uint32_t value_len, bool device)
{
	static const uint8_t before[] = {
		0x10, 0x20, '_', 'S', 'B', '_',            /* Scope (_SB) */
		0x5b, 0x82, 0x30, 'M', 'H', 'P', 'D',      /* Device (MHPD) */
		0x08, '_', 'U', 'I', 'D', 0x0d, 'M', 'H', 'P', 0,
	};
	uint32_t len = ACPI_HEADER_LEN + sizeof(before) + 5 + value_len + 3;
	uint64_t addr = table_new("DSDT", len, 2);
	uint8_t *p = fake_at(addr) + ACPI_HEADER_LEN;

	memcpy(p, before, sizeof(before));
	if (!device)
		p[9] = 'X';                                /* MXPD: not the device */
	p += sizeof(before);
	*p++ = 0x08;
	memcpy(p, "MDNR", 4);
	p += 4;
	memcpy(p, value, value_len);
	p += value_len;
	memcpy(p, "\x14\x00\x00", 3);                      /* a method after it */
	table_seal(addr);
	return addr;
}

/* A FADT of len bytes naming dsdt (32-bit field) and x_dsdt (64-bit). */
static uint64_t make_fadt(uint32_t len, uint32_t dsdt, uint64_t x_dsdt)
{
	uint64_t addr = table_new("FACP", len, 6);
	uint8_t *f = fake_at(addr);

	put_u32(f + 40, dsdt);
	if (len >= 148)
		put_u64(f + 140, x_dsdt);
	table_seal(addr);
	return addr;
}

/* Firmware whose XSDT lists the FADT at fadt and the SRAT. */
static void make_firmware_fadt(uint64_t fadt)
{
	uint64_t tables[2] = { fadt, make_srat(3) };
	uint64_t xsdt = make_root("XSDT", 8, tables, 2);

	make_rsdp(2, 0, xsdt);
}

static void memhp_through_x_dsdt(struct ktest *t)
{
	uint64_t dsdt;

	fake_reset();
	dsdt = make_dsdt((const uint8_t *)"\x0a\x02", 2, true);
	make_firmware_fadt(make_fadt(276, 0, dsdt));
	acpi_parse(&info, rsdp, 36, fake_map, NULL);
	KT_EXPECT_EQ(t, info.nr_warnings, 0);
	KT_EXPECT(t, info.have_fadt);
	KT_EXPECT(t, info.have_dsdt);
	KT_EXPECT_EQ(t, info.dsdt_addr, dsdt);
	KT_EXPECT(t, info.memhp);
	KT_EXPECT_EQ(t, info.memhp_slots, 2);
	KT_EXPECT(t, info.have_srat);
}

/* The PM1a control port, for ACPI S5 power-off; none in a short FADT. */
static void fadt_pm1a_control_port(struct ktest *t)
{
	uint64_t fadt;

	fake_reset();
	fadt = make_fadt(276, 0, make_dsdt((const uint8_t *)"\x0a\x02", 2, true));
	put_u32(fake_at(fadt) + 64, 0x604);
	table_seal(fadt);
	make_firmware_fadt(fadt);
	acpi_parse(&info, rsdp, 36, fake_map, NULL);
	KT_EXPECT(t, info.have_fadt);
	KT_EXPECT_EQ(t, info.pm1a_cnt, 0x604);
	fake_reset();
	make_firmware_fadt(make_fadt(60, 0, 0));
	acpi_parse(&info, rsdp, 36, fake_map, NULL);
	KT_EXPECT_EQ(t, info.pm1a_cnt, 0);
}

static void memhp_through_32bit_dsdt(struct ktest *t)
{
	uint64_t dsdt;

	/* A short (ACPI 1.0) FADT, and a long one whose X_DSDT is 0. */
	for (int i = 0; i < 2; i++) {
		fake_reset();
		dsdt = make_dsdt((const uint8_t *)"\x0b\x00\x01", 3, true);
		make_firmware_fadt(make_fadt(i ? 276 : 116, (uint32_t)dsdt, 0));
		acpi_parse(&info, rsdp, 36, fake_map, NULL);
		KT_EXPECT_EQ(t, info.nr_warnings, 0);
		KT_EXPECT_EQ(t, info.dsdt_addr, dsdt);
		KT_EXPECT(t, info.memhp);
		KT_EXPECT_EQ(t, info.memhp_slots, 256);
	}
}

static void memhp_integer_encodings(struct ktest *t)
{
	static const struct { const char *bytes; uint32_t len; uint64_t value; } cases[] = {
		{ "\x00", 1, 0 }, { "\x01", 1, 1 }, { "\x0a\xff", 2, 255 },
		{ "\x0b\x34\x12", 3, 0x1234 }, { "\x0c\x78\x56\x34\x12", 5, 0x12345678 },
		{ "\x0e\x01\x00\x00\x00\x00\x00\x00\x80", 9, 0x8000000000000001ull },
		{ "\xff", 1, ~0ull },
	};

	for (unsigned int i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fake_reset();
		make_firmware_fadt(make_fadt(276, 0,
			make_dsdt((const uint8_t *)cases[i].bytes, cases[i].len, true)));
		acpi_parse(&info, rsdp, 36, fake_map, NULL);
		KT_EXPECT(t, info.memhp);
		KT_EXPECT_EQ(t, info.memhp_slots, cases[i].value);
	}
}

static void memhp_needs_the_device(struct ktest *t)
{
	fake_reset();
	make_firmware_fadt(make_fadt(276, 0,
		make_dsdt((const uint8_t *)"\x0a\x02", 2, false)));
	acpi_parse(&info, rsdp, 36, fake_map, NULL);
	KT_EXPECT(t, info.have_dsdt);
	KT_EXPECT(t, !info.memhp);
	KT_EXPECT_EQ(t, info.memhp_slots, 0);
	KT_EXPECT_EQ(t, info.nr_warnings, 0);
}

static void memhp_bad_aml(struct ktest *t)
{
	uint64_t slots;

	/* A String where an integer belongs, and integers cut short. */
	fake_reset();
	make_firmware_fadt(make_fadt(276, 0,
		make_dsdt((const uint8_t *)"\x0d\x41\x00", 3, true)));
	acpi_parse(&info, rsdp, 36, fake_map, NULL);
	KT_EXPECT(t, !info.memhp);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_BAD_AML, "DSDT"), 1);

	KT_EXPECT_EQ(t, acpi_find_memhp("MHPD\x08MDNR\x0c\x01\x02", 11, &slots), ACPI_BAD_AML);
	KT_EXPECT_EQ(t, acpi_find_memhp("MHPD\x08MDNR", 9, &slots), ACPI_BAD_AML);
	KT_EXPECT_EQ(t, acpi_find_memhp("MHPD\x08MDNR\x0a\x03", 11, &slots), 1);
	KT_EXPECT_EQ(t, slots, 3);
	/* MDNR read as a name (no NameOp before it) is no declaration. */
	KT_EXPECT_EQ(t, acpi_find_memhp("MHPD\x70MDNR\x0a\x03", 11, &slots), 0);
	KT_EXPECT_EQ(t, acpi_find_memhp("MDNR", 4, &slots), 0);
	KT_EXPECT_EQ(t, acpi_find_memhp("", 0, &slots), 0);
}

static void memhp_bad_tables(struct ktest *t)
{
	uint64_t dsdt, fadt;

	/* A DSDT with a bad checksum: a warning, no controller. */
	fake_reset();
	dsdt = make_dsdt((const uint8_t *)"\x0a\x02", 2, true);
	fake_at(dsdt)[40] ^= 1;
	make_firmware_fadt(make_fadt(276, 0, dsdt));
	acpi_parse(&info, rsdp, 36, fake_map, NULL);
	KT_EXPECT(t, info.have_fadt);
	KT_EXPECT(t, !info.have_dsdt);
	KT_EXPECT(t, !info.memhp);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_BAD_CHECKSUM, "DSDT"), 1);
	KT_EXPECT(t, info.have_srat);

	/* A DSDT address outside readable memory. */
	fake_reset();
	make_firmware_fadt(make_fadt(276, 0, 0x1000));
	acpi_parse(&info, rsdp, 36, fake_map, NULL);
	KT_EXPECT(t, !info.memhp);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_UNREADABLE, "DSDT"), 1);

	/* A table named DSDT that is something else. */
	fake_reset();
	dsdt = table_new("SSDT", 40, 2);
	table_seal(dsdt);
	make_firmware_fadt(make_fadt(276, 0, dsdt));
	acpi_parse(&info, rsdp, 36, fake_map, NULL);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_BAD_SIGNATURE, "DSDT"), 1);
	KT_EXPECT(t, !info.have_dsdt);

	/* A FADT too short to hold the DSDT field. */
	fake_reset();
	fadt = table_new("FACP", 40, 1);
	table_seal(fadt);
	make_firmware_fadt(fadt);
	acpi_parse(&info, rsdp, 36, fake_map, NULL);
	KT_EXPECT(t, !info.have_fadt);
	KT_EXPECT_EQ(t, count_warnings(&info, ACPI_TRUNCATED, "FACP"), 1);
	KT_EXPECT(t, info.have_srat);
}

static void problem_names(struct ktest *t)
{
	KT_EXPECT(t, strcmp(acpi_strerror(ACPI_BAD_CHECKSUM), "bad-checksum") == 0);
	KT_EXPECT(t, strcmp(acpi_strerror(ACPI_TRUNCATED), "truncated") == 0);
	KT_EXPECT(t, strcmp(acpi_strerror(ACPI_BAD_AML - 1), "?") == 0);
	KT_EXPECT(t, strcmp(acpi_strerror(ACPI_BAD_AML), "bad-aml") == 0);
	KT_EXPECT(t, strcmp(acpi_strerror(1), "?") == 0);
	for (int p = ACPI_BAD_AML; p <= ACPI_OK; p++)
		KT_EXPECT(t, strcmp(acpi_strerror(p), "?") != 0);
}

KTEST_SUITE(acpi,
	KTEST_CASE(srat_parses_memory_entries),
	KTEST_CASE(srat_find_skips_disabled),
	KTEST_CASE(srat_bad_checksum),
	KTEST_CASE(srat_bad_signature),
	KTEST_CASE(srat_truncated_table),
	KTEST_CASE(srat_entry_past_end),
	KTEST_CASE(srat_bad_entries),
	KTEST_CASE(srat_domain_width),
	KTEST_CASE(srat_too_many_entries),
	KTEST_CASE(walk_xsdt),
	KTEST_CASE(walk_rsdt_for_revision_0),
	KTEST_CASE(rsdt_fallback_for_bad_xsdt),
	KTEST_CASE(bad_rsdp),
	KTEST_CASE(bad_tables_are_skipped),
	KTEST_CASE(first_good_srat_wins),
	KTEST_CASE(memhp_through_x_dsdt),
	KTEST_CASE(memhp_through_32bit_dsdt),
	KTEST_CASE(fadt_pm1a_control_port),
	KTEST_CASE(memhp_integer_encodings),
	KTEST_CASE(memhp_needs_the_device),
	KTEST_CASE(memhp_bad_aml),
	KTEST_CASE(memhp_bad_tables),
	KTEST_CASE(problem_names));
