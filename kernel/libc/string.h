/*
 * string.h: the few C-library string and memory functions the freestanding
 * kernel provides (kernel/string.c). Portable modules include <string.h>;
 * on the host they get the C library's, in the kernel this one.
 */
#ifndef DYNFLAGS_LIBC_STRING_H
#define DYNFLAGS_LIBC_STRING_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

#endif
