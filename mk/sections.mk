# mk/sections.mk: host tests of ACPI (SRAT) and the sparse section table.
#
#   build/host/acpi       the acpi ktest suite under ASan/UBSan
#   build/host/sections   the sections ktest suite under ASan/UBSan
#   build/fuzz/srat_fuzz  libFuzzer over the ACPI walk, the SRAT parser and
#                         the section table built from them

$(eval $(call host_test,acpi,tests/unit/acpi_test.c kernel/portable/acpi.c))
$(eval $(call host_test,sections,tests/unit/sections_test.c kernel/portable/sections.c kernel/portable/acpi.c kernel/portable/memmap.c))
$(eval $(call fuzz_target,srat_fuzz,tests/fuzz/srat_fuzz.c kernel/portable/acpi.c kernel/portable/sections.c kernel/portable/memmap.c))
