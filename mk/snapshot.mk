# snapshot.mk: host programs of the snapshot image format and CRC-32C.
#
#   build/host/snapimg   the snapimg and crc32c ktest suites under ASan/UBSan
#   build/fuzz/snapimg   libFuzzer over the image validator
#   tests/host/placement.t  the kernel's CRC routines each on one page

SNAPIMG_SRCS := kernel/portable/snapimg.c kernel/portable/crc32c.c

$(eval $(call host_test,snapimg,tests/unit/snapimg_test.c tests/unit/crc32c_test.c $(SNAPIMG_SRCS)))
$(eval $(call fuzz_target,snapimg,tests/fuzz/snapimg_fuzz.c $(SNAPIMG_SRCS)))
HOST_TESTS += tests/host/placement.t
