/*
 * Random bytes for cookies, nonces, IVs, SPIs and private values, from
 * OpenSSL's DRBG (seeded from getrandom(2)).
 */
#ifndef IKED_RAND_H
#define IKED_RAND_H

#include <stddef.h>

/*
 * Fill buf with n random bytes.  Safe to call from any thread and after
 * fork().  Returns 0 or ERR_CRYPTO.
 */
int	 rand_bytes(void *buf, size_t n);

#endif /* IKED_RAND_H */
