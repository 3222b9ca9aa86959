/*
 * input.h: reading a libFuzzer input as a stream of numbers, for the
 * image fuzzers (hibimg_fuzz.c, snapimg_fuzz.c). take(in, n) returns the
 * next n bytes as a little-endian number; past the end of the input it
 * reads zeros, so every input, however short, drives a whole run.
 */
#ifndef DYNFLAGS_TESTS_FUZZ_INPUT_H
#define DYNFLAGS_TESTS_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct input {
	const uint8_t *p;
	size_t left;            /* bytes not yet taken */
};

static inline uint64_t take(struct input *in, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++) {
		v |= (uint64_t)(in->left ? *in->p : 0) << (8 * i);
		if (in->left) {
			in->p++;
			in->left--;
		}
	}
	return v;
}

#endif
