# cmdline.mk: host tests for the command-line parser and the option table.
$(eval $(call host_test,cmdline,tests/unit/cmdline_test.c kernel/portable/cmdline.c kernel/options.c))
$(eval $(call fuzz_target,cmdline_fuzz,tests/fuzz/cmdline_fuzz.c kernel/portable/cmdline.c))
