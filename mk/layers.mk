# mk/layers.mk: the layering check (tests/host/layers.t) reads the layer
# table of docs/design.md and checks every #include against it.
HOST_TESTS += tests/host/layers.t
