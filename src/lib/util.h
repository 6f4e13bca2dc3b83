/*
 * Small helpers for secrets and hex text that every module needs.
 */
#ifndef IKED_UTIL_H
#define IKED_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define UTIL_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

void	 util_wipe(void *, size_t);
int	 util_memeq_ct(const void *, const void *, size_t);
void	 util_freezero(void *, size_t);
size_t	 util_hex_encode(char *, size_t, const uint8_t *, size_t);
int	 util_hex_decode(uint8_t *, size_t, const char *, size_t *);

#endif /* IKED_UTIL_H */
