# mk/pageflags.mk: host tests, fuzz target and benchmark of pageflags/.
#
#   $(B)/host/pageflags          the portable suites (tests/unit/pageflags_test.c),
#                                under ASan/UBSan; the kernel runs them too
#   $(B)/host/pageflags_layouts  host-only: the benchmark's machine layouts
#   $(B)/fuzz/pageflags_fuzz     differential fuzzing against a reference model
#   $(B)/bench/pageflags_bench   pageflags vs flat bitmap vs the seed's leaf
#                                table vs CRoaring vs Judy1 (needs
#                                libroaring-dev and libjudy-dev);
#                                tests/host/bench-smoke.t runs one round of
#                                it in check-host

PAGEFLAGS_SRC := pageflags/pageflags.c

$(eval $(call host_test,pageflags,$(PAGEFLAGS_SRC) tests/unit/pageflags_test.c))
$(eval $(call host_test,pageflags_layouts,$(PAGEFLAGS_SRC) tests/host/pageflags_layouts_test.c))
$(eval $(call fuzz_target,pageflags_fuzz,$(PAGEFLAGS_SRC) tests/fuzz/pageflags_fuzz.c))
$(eval $(call bench_target,pageflags_bench,$(PAGEFLAGS_SRC) tests/bench/pageflags_bench.c,-lroaring -lJudy))

HOST_TESTS += tests/host/bench-smoke.t
check-host: $(B)/bench/pageflags_bench

# Headers below tests/bench/ and tests/host/ are outside HOST_HEADERS.
$(B)/host/pageflags_layouts $(B)/bench/pageflags_bench: tests/bench/pageflags_layouts.h
$(B)/host/pageflags_layouts $(B)/fuzz/pageflags_fuzz: tests/host/pageflags_host_source.h
