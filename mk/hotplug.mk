# mk/hotplug.mk: host test of the QMP client the hotplug boot tests use
# (tests/boot/lib/QMP.pm, against a fake QMP server; no QEMU).
HOST_TESTS += tests/host/qmp.t
