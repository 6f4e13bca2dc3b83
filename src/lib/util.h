/*
 * Small helpers for secrets and hex text that every module needs.
 */
#ifndef IKED_UTIL_H
#define IKED_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define UTIL_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* FNV-1a offset bases, the starting values of util_fnv32 and util_fnv64. */
#define UTIL_FNV32_INIT	2166136261u
#define UTIL_FNV64_INIT	0xcbf29ce484222325ULL

/* Continue the 32-bit FNV-1a hash h over n bytes, for hash tables. */
static inline uint32_t
util_fnv32(uint32_t h, const void *p, size_t n)
{
	const uint8_t	*b = p;
	size_t		 i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return (h);
}

/* Continue the 64-bit FNV-1a hash h over n bytes, for hash tables. */
static inline uint64_t
util_fnv64(uint64_t h, const void *p, size_t n)
{
	const uint8_t	*b = p;
	size_t		 i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return (h);
}

void	 util_wipe(void *, size_t);
int	 util_memeq_ct(const void *, const void *, size_t);
void	 util_freezero(void *, size_t);
size_t	 util_hex_encode(char *, size_t, const uint8_t *, size_t);
int	 util_hex_decode(uint8_t *, size_t, const char *, size_t *);

#endif /* IKED_UTIL_H */
