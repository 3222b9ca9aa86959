# hibimg.mk: the hibernation disk header's host test.
#
#   build/host/hibimg   the hibimg ktest suite under ASan/UBSan

HIBIMG_SRCS := kernel/portable/hibimg.c kernel/portable/snapimg.c kernel/portable/crc32c.c

$(eval $(call host_test,hibimg,tests/unit/hibimg_test.c $(HIBIMG_SRCS)))
