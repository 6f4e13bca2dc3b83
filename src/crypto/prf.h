/*
 * The IKEv1 pseudo-random function: HMAC (RFC 2104) of the negotiated
 * hash (RFC 2409 section 4: without a negotiated PRF, the HMAC of the
 * Hash Algorithm is used).  Keys may have any length; keys longer than
 * the hash block are hashed first, as RFC 2104 requires, so long
 * preshared keys and Ni_b|Nr_b keys work.
 */
#ifndef IKED_PRF_H
#define IKED_PRF_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/hash.h"

#define PRF_MAX_LEN	HASH_MAX_LEN

struct prf_ctx;

/* Returns the output length in bytes, or 0 for an unknown algorithm. */
size_t	 prf_length(enum hash_alg);

/*
 * One-shot prf(key, data) into out (room for outsize, at least
 * prf_length()).  Returns 0, ERR_UNSUPPORTED, ERR_INVAL or ERR_CRYPTO.
 */
int	 prf_compute(enum hash_alg, const void *key, size_t keylen,
	    const void *data, size_t len, uint8_t *out, size_t outsize);

/*
 * Incremental PRF.  prf_init() keys a new context and prf_update() adds
 * data.  prf_final() writes prf_length() bytes and leaves the context
 * ready for a new computation under the same key, so that a key
 * expansion (K1, K2, ...) sets the key once.  prf_free() wipes the
 * key and frees the context.  One thread at a time may use a context,
 * and distinct contexts may be used concurrently.
 */
int	 prf_init(struct prf_ctx **, enum hash_alg, const void *key,
	    size_t keylen);
int	 prf_update(struct prf_ctx *, const void *, size_t);
int	 prf_final(struct prf_ctx *, uint8_t *out, size_t outsize);
size_t	 prf_ctx_length(const struct prf_ctx *);
void	 prf_free(struct prf_ctx *);

#endif /* IKED_PRF_H */
