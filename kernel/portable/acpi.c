/*
 * acpi.c: walk RSDP -> XSDT/RSDT -> tables, checking every checksum, and
 * read the SRAT's memory-affinity entries. See acpi.h.
 *
 * Layouts used (ACPI 6.x, all fields little-endian, offsets in bytes):
 *   RSDP   0 "RSD PTR "  8 checksum (bytes 0..19)  15 revision
 *         16 RSDT address (u32)  20 length  24 XSDT address (u64)
 *         32 extended checksum (bytes 0..length-1)
 *   header 0 signature  4 length (u32, whole table)  8 revision
 *          9 checksum (whole table sums to 0)  ... 36 bytes in all
 *   XSDT/RSDT: header, then 8-byte / 4-byte table addresses to `length`
 *   SRAT   header, 12 reserved bytes, then entries {u8 type, u8 length, ...}
 *   memory affinity (type 1, 40 bytes): 2 proximity domain (u32)
 *          8 base (u64)  16 length (u64)  28 flags (u32: bit 0 enabled,
 *          bit 1 hot-pluggable, bit 2 non-volatile)
 *   FADT   40 DSDT (u32)  64 PM1a_CNT_BLK (u32, an I/O port)  140 X_DSDT (u64, when the table is that long;
 *          it wins when nonzero)
 *   DSDT   header, then AML. Only two byte patterns are looked for:
 *          the NameSeg "MHPD" anywhere, and NameOp (0x08) "MDNR" followed
 *          by an integer: ZeroOp 0x00, OneOp 0x01, OnesOp 0xff, or the
 *          prefixes 0x0a (byte), 0x0b (word), 0x0c (dword), 0x0e (qword).
 */
#include "kernel/portable/acpi.h"

#include <stddef.h>
#include <string.h>

#define RSDP_V1_LEN        20
#define RSDP_V2_LEN        36
#define SRAT_ENTRIES_START 48
#define SRAT_TYPE_MEMORY   1
#define FADT_DSDT          40
#define FADT_X_DSDT        140
#define FADT_PM1A_CNT      64
#define AML_NAME_OP        0x08

static const char *const problem_names[] = {
	[-ACPI_OK]           = "ok",
	[-ACPI_NO_RSDP]      = "no-rsdp",
	[-ACPI_BAD_SIGNATURE] = "bad-signature",
	[-ACPI_BAD_CHECKSUM] = "bad-checksum",
	[-ACPI_TRUNCATED]    = "truncated",
	[-ACPI_UNREADABLE]   = "unreadable",
	[-ACPI_BAD_ENTRY]    = "bad-entry",
	[-ACPI_TOO_MANY]     = "too-many-entries",
	[-ACPI_NO_ROOT]      = "no-root-table",
	[-ACPI_BAD_AML]      = "bad-aml",
};

const char *acpi_strerror(int problem)
{
	if (problem > 0 || -problem >= (int)(sizeof(problem_names) / sizeof(problem_names[0])))
		return "?";
	return problem_names[-problem];
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

uint8_t acpi_checksum(const void *bytes, uint64_t len)
{
	const uint8_t *p = bytes;
	uint8_t sum = 0;

	for (uint64_t i = 0; i < len; i++)
		sum += p[i];
	return sum;
}

/* Copy a 4-character signature into a NUL-terminated name. */
static void copy_signature(char name[5], const uint8_t *sig)
{
	memcpy(name, sig, 4);
	name[4] = '\0';
}

/* Record a problem; returns it, so callers can `return warn(...)`. */
static int warn(struct acpi_info *info, int problem, const char *table,
		uint64_t phys_addr)
{
	if (info->nr_warnings < ACPI_WARN_MAX) {
		struct acpi_warning *w = &info->warnings[info->nr_warnings];

		w->problem = problem;
		memcpy(w->table, table, 4);
		w->table[4] = '\0';
		w->phys_addr = phys_addr;
	}
	info->nr_warnings++;
	return problem;
}

/*
 * Check a table header and its whole-table checksum. `avail` bytes at
 * `table` are readable. `sig` is the signature expected, or NULL for any.
 */
static int check_table(const uint8_t *table, uint64_t avail, const char *sig)
{
	uint32_t len;

	if (avail < ACPI_HEADER_LEN)
		return ACPI_TRUNCATED;
	if (sig && memcmp(table, sig, 4) != 0)
		return ACPI_BAD_SIGNATURE;
	len = get_u32(table + 4);
	if (len < ACPI_HEADER_LEN || len > avail)
		return ACPI_TRUNCATED;
	if (acpi_checksum(table, len) != 0)
		return ACPI_BAD_CHECKSUM;
	return ACPI_OK;
}

/*
 * Map a whole table at phys_addr: first its header, to learn its length,
 * then all of it. Returns the table and its length, or NULL with a warning
 * naming `sig` (or the signature read, once the header is readable).
 */
static const uint8_t *map_table(struct acpi_info *info, acpi_map_fn map,
				void *ctx, uint64_t phys_addr, const char *sig,
				uint32_t *len_out)
{
	const uint8_t *table;
	char name[5];
	uint32_t len;
	int problem;

	table = phys_addr ? map(ctx, phys_addr, ACPI_HEADER_LEN) : NULL;
	if (!table) {
		warn(info, ACPI_UNREADABLE, sig ? sig : "????", phys_addr);
		return NULL;
	}
	copy_signature(name, table);
	if (sig && memcmp(table, sig, 4) != 0) {
		warn(info, ACPI_BAD_SIGNATURE, sig, phys_addr);
		return NULL;
	}
	len = get_u32(table + 4);
	if (len < ACPI_HEADER_LEN || len > ACPI_TABLE_MAX_LEN) {
		warn(info, ACPI_TRUNCATED, name, phys_addr);
		return NULL;
	}
	table = map(ctx, phys_addr, len);
	if (!table) {
		warn(info, ACPI_UNREADABLE, name, phys_addr);
		return NULL;
	}
	problem = check_table(table, len, NULL);
	if (problem != ACPI_OK) {
		warn(info, problem, name, phys_addr);
		return NULL;
	}
	*len_out = len;
	return table;
}

/* Keep one SRAT memory-affinity entry (40 bytes at e). */
static void add_srat_mem(struct acpi_info *info, const uint8_t *e,
			 uint64_t srat_addr)
{
	struct acpi_srat_mem *m;
	uint64_t base = get_u64(e + 8), length = get_u64(e + 16);
	uint32_t flags = get_u32(e + 28);

	if (base + length < base) {
		warn(info, ACPI_BAD_ENTRY, "SRAT", srat_addr);
		return;
	}
	if (info->nr_srat_mem == ACPI_SRAT_MEM_MAX) {
		/* One warning for all the entries that do not fit. */
		if (info->nr_srat_dropped++ == 0)
			warn(info, ACPI_TOO_MANY, "SRAT", srat_addr);
		return;
	}
	m = &info->srat_mem[info->nr_srat_mem++];
	m->start = base;
	m->end = base + length;
	m->node = get_u32(e + 2);
	/* Before ACPI 3.0 (SRAT revision 1) the domain was one byte. */
	if (info->srat_revision <= 1)
		m->node &= 0xff;
	m->enabled = flags & 1;
	m->hotplug = flags & 2;
	m->nonvolatile = flags & 4;
}

int acpi_parse_srat(struct acpi_info *info, const void *table, uint64_t len,
		    uint64_t phys_addr)
{
	const uint8_t *srat = table;
	uint32_t table_len, off;
	int problem;

	problem = check_table(srat, len, "SRAT");
	if (problem != ACPI_OK)
		return warn(info, problem, "SRAT", phys_addr);
	table_len = get_u32(srat + 4);
	if (table_len < SRAT_ENTRIES_START)
		return warn(info, ACPI_TRUNCATED, "SRAT", phys_addr);

	info->have_srat = true;
	info->srat_addr = phys_addr;
	info->srat_revision = srat[8];
	for (off = SRAT_ENTRIES_START; off < table_len;) {
		const uint8_t *e = srat + off;
		uint32_t type, entry_len;

		/* Each entry starts with its type and length bytes. */
		if (table_len - off < 2) {
			warn(info, ACPI_TRUNCATED, "SRAT", phys_addr);
			break;
		}
		type = e[0];
		entry_len = e[1];
		if (entry_len < 2) {
			/* A zero length would loop forever: stop here. */
			warn(info, ACPI_BAD_ENTRY, "SRAT", phys_addr);
			break;
		}
		if (entry_len > table_len - off) {
			warn(info, ACPI_TRUNCATED, "SRAT", phys_addr);
			break;
		}
		if (type == SRAT_TYPE_MEMORY) {
			if (entry_len < ACPI_SRAT_MEM_LEN)
				warn(info, ACPI_BAD_ENTRY, "SRAT", phys_addr);
			else
				add_srat_mem(info, e, phys_addr);
		}
		off += entry_len;
	}
	return ACPI_OK;
}

int acpi_find_memhp(const void *aml, uint64_t len, uint64_t *slots)
{
	const uint8_t *p = aml;
	bool device = false, name = false;
	uint64_t value = 0;

	*slots = 0;
	for (uint64_t i = 0; i + 4 <= len; i++) {
		if (memcmp(p + i, "MHPD", 4) == 0)
			device = true;
		if (name || i == 0 || p[i - 1] != AML_NAME_OP ||
		    memcmp(p + i, "MDNR", 4) != 0)
			continue;
		/* The data object after the NameSeg. */
		uint64_t at = i + 4, size;

		if (at >= len)
			return ACPI_BAD_AML;
		switch (p[at]) {
		case 0x00: size = 0; value = 0; break;
		case 0x01: size = 0; value = 1; break;
		case 0xff: size = 0; value = ~0ull; break;
		case 0x0a: size = 1; break;
		case 0x0b: size = 2; break;
		case 0x0c: size = 4; break;
		case 0x0e: size = 8; break;
		default: return ACPI_BAD_AML;
		}
		if (size > len - at - 1)
			return ACPI_BAD_AML;
		if (size)
			for (uint64_t b = size; b-- > 0;)
				value = value << 8 | p[at + 1 + b];
		name = true;
	}
	if (!device || !name)
		return 0;
	*slots = value;
	return 1;
}

int acpi_parse_fadt(struct acpi_info *info, const void *table, uint64_t len,
		    uint64_t phys_addr, acpi_map_fn map, void *ctx)
{
	const uint8_t *fadt = table, *dsdt;
	uint64_t dsdt_addr = 0, slots;
	uint32_t table_len, dsdt_len;
	int problem;

	problem = check_table(fadt, len, "FACP");
	if (problem != ACPI_OK)
		return warn(info, problem, "FACP", phys_addr);
	table_len = get_u32(fadt + 4);
	if (table_len < FADT_DSDT + 4)
		return warn(info, ACPI_TRUNCATED, "FACP", phys_addr);
	info->have_fadt = true;
	if (table_len >= FADT_PM1A_CNT + 4)
		info->pm1a_cnt = get_u32(fadt + FADT_PM1A_CNT);
	if (table_len >= FADT_X_DSDT + 8)
		dsdt_addr = get_u64(fadt + FADT_X_DSDT);
	if (dsdt_addr == 0)
		dsdt_addr = get_u32(fadt + FADT_DSDT);
	dsdt = map_table(info, map, ctx, dsdt_addr, "DSDT", &dsdt_len);
	if (!dsdt)
		return ACPI_OK;
	info->have_dsdt = true;
	info->dsdt_addr = dsdt_addr;
	problem = acpi_find_memhp(dsdt + ACPI_HEADER_LEN, dsdt_len - ACPI_HEADER_LEN,
				  &slots);
	if (problem < 0) {
		warn(info, problem, "DSDT", dsdt_addr);
	} else if (problem == 1) {
		info->memhp = true;
		info->memhp_slots = slots;
	}
	return ACPI_OK;
}

/*
 * Check the RSDP copy. Returns the XSDT address when the revision has one
 * and the extended checksum holds, else 0; *rsdt_addr gets the RSDT
 * address whenever the first 20 bytes are good, else 0.
 */
static uint64_t rsdp_root(struct acpi_info *info, const uint8_t *rsdp,
			  uint32_t rsdp_len, uint64_t *rsdt_addr)
{
	uint32_t len;

	*rsdt_addr = 0;
	if (rsdp_len == 0 || !rsdp) {
		warn(info, ACPI_NO_RSDP, "RSDP", 0);
		return 0;
	}
	if (rsdp_len < RSDP_V1_LEN) {
		warn(info, ACPI_TRUNCATED, "RSDP", 0);
		return 0;
	}
	if (memcmp(rsdp, "RSD PTR ", 8) != 0) {
		warn(info, ACPI_BAD_SIGNATURE, "RSDP", 0);
		return 0;
	}
	if (acpi_checksum(rsdp, RSDP_V1_LEN) != 0) {
		warn(info, ACPI_BAD_CHECKSUM, "RSDP", 0);
		return 0;
	}
	info->rsdp_revision = rsdp[15];
	*rsdt_addr = get_u32(rsdp + 16);
	if (info->rsdp_revision < 2)
		return 0;

	/* ACPI 2.0+: the XSDT address is covered by the extended checksum. */
	if (rsdp_len < RSDP_V2_LEN) {
		warn(info, ACPI_TRUNCATED, "RSDP", 0);
		return 0;
	}
	len = get_u32(rsdp + 20);
	if (len < RSDP_V2_LEN || len > rsdp_len) {
		warn(info, ACPI_TRUNCATED, "RSDP", 0);
		return 0;
	}
	if (acpi_checksum(rsdp, len) != 0) {
		warn(info, ACPI_BAD_CHECKSUM, "RSDP", 0);
		return 0;
	}
	return get_u64(rsdp + 24);
}

/* Visit each table the root lists; parse the first good SRAT. */
static void walk_root(struct acpi_info *info, const uint8_t *root,
		      uint32_t root_len, uint32_t entry_size,
		      acpi_map_fn map, void *ctx)
{
	uint32_t nr = (root_len - ACPI_HEADER_LEN) / entry_size;

	if ((root_len - ACPI_HEADER_LEN) % entry_size != 0)
		warn(info, ACPI_TRUNCATED, info->root, info->root_addr);
	for (uint32_t i = 0; i < nr; i++) {
		const uint8_t *p = root + ACPI_HEADER_LEN + i * entry_size;
		uint64_t addr = entry_size == 8 ? get_u64(p) : get_u32(p);
		const uint8_t *table;
		uint32_t len;

		info->nr_tables++;
		table = map_table(info, map, ctx, addr, NULL, &len);
		if (!table)
			continue;
		if (i < ACPI_TABLES_MAX)
			copy_signature(info->tables[i], table);
		if (!info->have_srat && memcmp(table, "SRAT", 4) == 0)
			acpi_parse_srat(info, table, len, addr);
		if (!info->have_fadt && memcmp(table, "FACP", 4) == 0)
			acpi_parse_fadt(info, table, len, addr, map, ctx);
	}
}

void acpi_parse(struct acpi_info *info, const void *rsdp, uint32_t rsdp_len,
		acpi_map_fn map, void *ctx)
{
	static const struct { const char *sig; uint32_t entry_size; } roots[2] = {
		{ "XSDT", 8 }, { "RSDT", 4 },
	};
	uint64_t addrs[2];

	memset(info, 0, sizeof(*info));
	addrs[0] = rsdp_root(info, rsdp, rsdp_len, &addrs[1]);
	if (addrs[0] == 0 && addrs[1] == 0) {
		warn(info, ACPI_NO_ROOT, "RSDP", 0);
		return;
	}
	/* The XSDT when there is one, else (or when it is bad) the RSDT. */
	for (int i = 0; i < 2; i++) {
		const uint8_t *root;
		uint32_t len;

		if (addrs[i] == 0)
			continue;
		root = map_table(info, map, ctx, addrs[i], roots[i].sig, &len);
		if (!root)
			continue;
		copy_signature(info->root, root);
		info->root_addr = addrs[i];
		walk_root(info, root, len, roots[i].entry_size, map, ctx);
		return;
	}
	warn(info, ACPI_NO_ROOT, "RSDP", 0);
}

const struct acpi_srat_mem *acpi_srat_find(const struct acpi_info *info,
					   uint64_t addr)
{
	for (uint32_t i = 0; i < info->nr_srat_mem; i++) {
		const struct acpi_srat_mem *m = &info->srat_mem[i];

		if (m->enabled && m->start <= addr && addr < m->end)
			return m;
	}
	return NULL;
}

void acpi_report(const struct acpi_info *info,
		 void (*print)(const char *fmt, ...))
{
	uint32_t shown = info->nr_tables < ACPI_TABLES_MAX ?
			 info->nr_tables : ACPI_TABLES_MAX;

	for (uint32_t i = 0; i < info->nr_warnings && i < ACPI_WARN_MAX; i++) {
		const struct acpi_warning *w = &info->warnings[i];

		print("# acpi: warning=%s table=%s addr=0x%llx action=ignored\n",
		      acpi_strerror(w->problem), w->table,
		      (unsigned long long)w->phys_addr);
	}
	if (info->nr_warnings > ACPI_WARN_MAX)
		print("# acpi: warning=more not_shown=%u\n",
		      info->nr_warnings - ACPI_WARN_MAX);

	print("# acpi: revision=%u root=%s addr=0x%llx tables=",
	      info->rsdp_revision, info->root[0] ? info->root : "none",
	      (unsigned long long)info->root_addr);
	for (uint32_t i = 0; i < shown; i++)
		print("%s%s", i ? "," : "", info->tables[i][0] ? info->tables[i] : "bad");
	if (shown == 0)
		print("none");
	print(" srat=%d srat_entries=%u warnings=%u\n", info->have_srat ? 1 : 0,
	      info->nr_srat_mem, info->nr_warnings);

	for (uint32_t i = 0; i < info->nr_srat_mem; i++) {
		const struct acpi_srat_mem *m = &info->srat_mem[i];

		print("# srat: start=0x%llx end=0x%llx node=%u hotplug=%d enabled=%d\n",
		      (unsigned long long)m->start, (unsigned long long)m->end,
		      m->node, m->hotplug ? 1 : 0, m->enabled ? 1 : 0);
	}
}
