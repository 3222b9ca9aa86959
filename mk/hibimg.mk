# hibimg.mk: the hibernation disk header's host test.
#
#   build/host/hibimg        the hibimg ktest suite under ASan/UBSan
#   build/fuzz/hibimg_fuzz   libFuzzer over a resume's checks before loading

HIBIMG_SRCS := kernel/portable/hibimg.c kernel/portable/snapimg.c kernel/portable/crc32c.c

$(eval $(call host_test,hibimg,tests/unit/hibimg_test.c $(HIBIMG_SRCS)))
$(eval $(call fuzz_target,hibimg_fuzz,tests/fuzz/hibimg_fuzz.c $(HIBIMG_SRCS)))
