# mk/pageflags.mk: host tests, fuzz target and benchmark of pageflags/.
#
#   build/host/pageflags         the portable suites (tests/unit), under ASan/UBSan
#   build/host/pageflags_layouts host-only: the benchmark's machine layouts
#   build/fuzz/pageflags_fuzz    differential fuzzing against a reference model
#   build/bench/pageflags_bench  pageflags vs flat bitmap vs CRoaring vs Judy1
#                                (needs libroaring-dev and libjudy-dev)

$(eval $(call host_test,pageflags,pageflags/pageflags.c tests/unit/pageflags_test.c))
$(eval $(call bench_target,pageflags_bench,pageflags/pageflags.c tests/bench/pageflags_bench.c,-lroaring -lJudy))
$(B)/bench/pageflags_bench: tests/bench/pageflags_layouts.h
