# mk/sections.mk: host tests of ACPI (SRAT) and the sparse section table.
#
#   build/host/acpi       the acpi ktest suite under ASan/UBSan
#   build/host/sections   the sections ktest suite under ASan/UBSan

$(eval $(call host_test,acpi,tests/unit/acpi_test.c kernel/acpi.c))
$(eval $(call host_test,sections,tests/unit/sections_test.c kernel/sections.c kernel/acpi.c kernel/memmap.c))
