/*
 * acpi.h: find the ACPI tables, check them, and read the SRAT.
 *
 * The kernel needs one thing from ACPI: the System Resource Affinity Table
 * (SRAT), whose memory-affinity entries say which physical byte ranges
 * belong to which NUMA proximity domain and which ranges are hotpluggable
 * (memory that may appear later, e.g. QEMU's -m ...,slots=N,maxmem=M).
 *
 * The way there:
 *   RSDP (a copy in boot_info) -> XSDT (64-bit pointers; revision >= 2)
 *                                 or RSDT (32-bit pointers; the fallback)
 *                              -> every table listed, checksum checked
 *                              -> the first good "SRAT": memory entries.
 *
 * Firmware tables are input, and input can be wrong. Every problem (bad
 * signature, bad checksum, a length too short for what it claims, an
 * address the kernel cannot read, a malformed entry) is recorded as a
 * warning and the thing concerned is ignored; nothing here crashes or
 * reads outside the bytes it was given.
 *
 * This module is portable: it includes only freestanding standard headers.
 * Tables are reached through a caller-supplied map function, so the host
 * tests and the fuzzer drive it with byte buffers, and the kernel with its
 * identity map. All multi-byte fields are read little-endian byte by byte,
 * so unaligned tables are fine.
 */
#ifndef DYNFLAGS_ACPI_H
#define DYNFLAGS_ACPI_H

#include <stdbool.h>
#include <stdint.h>

#define ACPI_SRAT_MEM_MAX  64   /* SRAT memory entries kept */
#define ACPI_TABLES_MAX    32   /* table signatures kept for the report */
#define ACPI_WARN_MAX      16   /* warnings kept (all are counted) */
#define ACPI_TABLE_MAX_LEN (1u << 20) /* bytes; a longer table is refused */

#define ACPI_HEADER_LEN    36   /* the common table header */
#define ACPI_SRAT_MEM_LEN  40   /* a memory-affinity entry */

/* What went wrong with a table: 0 or a negative value; acpi_strerror()
 * gives the report names. */
enum acpi_problem {
	ACPI_OK = 0,
	ACPI_NO_RSDP = -1,        /* "no-rsdp": the loader found none */
	ACPI_BAD_SIGNATURE = -2,  /* "bad-signature": not the table expected */
	ACPI_BAD_CHECKSUM = -3,   /* "bad-checksum": bytes do not sum to 0 */
	ACPI_TRUNCATED = -4,      /* "truncated": shorter than its contents */
	ACPI_UNREADABLE = -5,     /* "unreadable": the map function refused it */
	ACPI_BAD_ENTRY = -6,      /* "bad-entry": a malformed SRAT entry */
	ACPI_TOO_MANY = -7,       /* "too-many-entries": SRAT entries dropped */
	ACPI_NO_ROOT = -8,        /* "no-root-table": neither XSDT nor RSDT usable */
	ACPI_BAD_AML = -9,        /* "bad-aml": MDNR's value is no integer */
};

/* One problem found: what, in which table ("RSDP", "XSDT", ...), where. */
struct acpi_warning {
	int problem;              /* enum acpi_problem */
	char table[5];            /* signature, NUL-terminated */
	uint64_t phys_addr;       /* the table's address (0 for the RSDP copy) */
};

/*
 * One SRAT memory-affinity entry, as the firmware gave it: physical bytes
 * [start, end). Disabled entries are kept (and reported) but describe no
 * memory; callers use only entries with `enabled`.
 */
struct acpi_srat_mem {
	uint64_t start;
	uint64_t end;             /* exclusive; start <= end */
	uint32_t node;            /* proximity domain (low 8 bits for SRAT rev 1) */
	bool enabled;
	bool hotplug;             /* hot-pluggable: may be added at run time */
	bool nonvolatile;
};

struct acpi_info {
	uint32_t rsdp_revision;   /* 0 = ACPI 1.0 (RSDT only), 2+ = XSDT too */
	char root[5];             /* "XSDT", "RSDT" or "" when neither was usable */
	uint64_t root_addr;

	uint32_t nr_tables;       /* tables the root lists (good or bad) */
	char tables[ACPI_TABLES_MAX][5];  /* their signatures, first ones */

	bool have_srat;           /* a good SRAT was found and parsed */
	uint64_t srat_addr;
	uint32_t srat_revision;
	uint32_t nr_srat_mem;     /* valid entries in srat_mem[] */
	uint32_t nr_srat_dropped; /* memory entries beyond ACPI_SRAT_MEM_MAX */
	struct acpi_srat_mem srat_mem[ACPI_SRAT_MEM_MAX];

	/*
	 * QEMU's memory-hotplug controller, as the DSDT (through the FADT's
	 * X_DSDT, else DSDT) declares it: the device name `MHPD` and, inside
	 * it, `Name (MDNR, N)`, the slot count. memhp is true only when both
	 * are there and N is a plain integer (ZeroOp, OneOp, Byte, Word,
	 * DWord or QWord prefix); no AML is interpreted.
	 */
	bool have_fadt;
	uint32_t pm1a_cnt;        /* the FADT's PM1a_CNT_BLK I/O port (0: none),
	                             for ACPI S5 power-off */
	bool have_dsdt;           /* a good DSDT was found */
	uint64_t dsdt_addr;
	bool memhp;               /* MHPD and a well-formed MDNR */
	uint64_t memhp_slots;     /* MDNR's value (0 when !memhp) */

	uint32_t nr_warnings;     /* all problems found */
	struct acpi_warning warnings[ACPI_WARN_MAX];  /* the first ones */
};

/*
 * Return a pointer to `len` readable bytes at physical address phys_addr,
 * or NULL if they cannot (or must not) be read. ctx is passed through.
 */
typedef const void *(*acpi_map_fn)(void *ctx, uint64_t phys_addr, uint64_t len);

/*
 * Walk the tables from the RSDP copy rsdp[0..rsdp_len) and fill *info
 * (zeroed first). Never fails: problems become warnings in *info.
 */
void acpi_parse(struct acpi_info *info, const void *rsdp, uint32_t rsdp_len,
		acpi_map_fn map, void *ctx);

/*
 * Check and parse one SRAT of `len` readable bytes at `table` (found at
 * phys_addr), adding its memory entries to *info and setting have_srat.
 * Returns ACPI_OK or the problem that made the whole table unusable (also
 * recorded as a warning); malformed entries are skipped with a warning.
 */
int acpi_parse_srat(struct acpi_info *info, const void *table, uint64_t len,
		    uint64_t phys_addr);

/*
 * Check and parse one FADT at `table` (`len` readable bytes at phys_addr),
 * then the DSDT it names, through `map`: fills have_fadt, have_dsdt,
 * dsdt_addr, memhp and memhp_slots. Returns ACPI_OK or the FADT's problem
 * (also a warning); a bad DSDT is a warning and leaves memhp false.
 */
int acpi_parse_fadt(struct acpi_info *info, const void *table, uint64_t len,
		    uint64_t phys_addr, acpi_map_fn map, void *ctx);

/*
 * Look for QEMU's memory-hotplug device in a DSDT's AML (the bytes after
 * the header): the name `MHPD` and the NameOp of `MDNR` followed by an
 * integer. Returns 1 with *slots set, 0 when either is missing, or
 * ACPI_BAD_AML when MDNR's value is no integer opcode.
 */
int acpi_find_memhp(const void *aml, uint64_t len, uint64_t *slots);

/* The sum of len bytes, mod 256: 0 for a good ACPI checksum. */
uint8_t acpi_checksum(const void *bytes, uint64_t len);

/* "bad-checksum", ...; "?" for a value that is no problem. */
const char *acpi_strerror(int problem);

/*
 * The SRAT memory entry that holds physical byte `addr`, among enabled
 * entries only, or NULL.
 */
const struct acpi_srat_mem *acpi_srat_find(const struct acpi_info *info,
					   uint64_t addr);

/*
 * Print the report through `print` (kprintf in the kernel):
 *   # acpi: warning=bad-checksum table=SRAT addr=0x7fb7a000 action=ignored
 *   # acpi: revision=2 root=XSDT addr=0x7fb7e0e8 tables=FACP,APIC,... srat=1
 *   # srat: start=0x0 end=0xa0000 node=0 hotplug=0 enabled=1  (one per entry)
 */
void acpi_report(const struct acpi_info *info,
		 void (*print)(const char *fmt, ...));

#endif
