# mk/memmap.mk: host tests and fuzz target of the memory map normaliser.
$(eval $(call host_test,memmap,tests/unit/memmap_test.c kernel/portable/memmap.c))
$(eval $(call fuzz_target,memmap_fuzz,tests/fuzz/memmap_fuzz.c kernel/portable/memmap.c))
