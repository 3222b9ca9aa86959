/*
 * string.c: memory and string functions for the freestanding kernel.
 * Simple loops. memset and memcpy move 8 bytes at a time when both ends
 * are 8-byte aligned, since the kernel zeroes every frame it hands out and
 * the snapshot copies whole pages. GCC may also emit calls to
 * memset/memcpy/memmove/memcmp on its own, so these must always exist.
 */
#include <stdint.h>
#include <string.h>

/* A 64-bit word that may alias any other type. */
typedef uint64_t __attribute__((may_alias)) word_t;

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	if (((uintptr_t)d & 7) == 0) {
		uint64_t word = 0x0101010101010101ULL * (unsigned char)c;

		for (; n >= 8; n -= 8, d += 8)
			*(word_t *)d = word;
	}
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0)
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(word_t *)d = *(const word_t *)s;
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d < s)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, (size_t)-1);
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}
