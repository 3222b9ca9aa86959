# mk/ktest.mk: a self-test of the host test runner. $(B)/ktest-selftest has
# cases that fail on purpose, so it is not a HOST_TEST itself:
# tests/host/ktest-selftest.t runs it and checks what the runner reports.

$(B)/ktest-selftest: tests/host/ktest_selftest.c tests/ktest.c tests/host/ktest_host.c $(HOST_HEADERS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ tests/host/ktest_selftest.c tests/ktest.c tests/host/ktest_host.c

HOST_TESTS += tests/host/ktest-selftest.t
check-host: $(B)/ktest-selftest
