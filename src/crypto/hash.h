/*
 * Hash functions of IKEv1 Phase 1, identified by the Hash Algorithm
 * attribute value (RFC 2409 Appendix A; 4-6 from the IANA registry).
 */
#ifndef IKED_HASH_H
#define IKED_HASH_H

#include <stddef.h>
#include <stdint.h>

enum hash_alg {
	HASH_MD5 = 1,
	HASH_SHA1 = 2,
	HASH_SHA256 = 4,
	HASH_SHA384 = 5,
	HASH_SHA512 = 6,
};

#define HASH_MAX_LEN	64	/* SHA-512 */

struct hash_ctx;

/* Returns the digest length in bytes, or 0 for an unknown algorithm. */
size_t	 hash_length(enum hash_alg);

/* Returns a lower-case name ("md5", "sha1", "sha256"...), or "unknown". */
const char	*hash_name(enum hash_alg);

/*
 * Hash len bytes at data into out, which has room for outsize bytes
 * (at least hash_length()).  Returns 0, ERR_UNSUPPORTED for an unknown
 * algorithm, ERR_INVAL when out is too small, or ERR_CRYPTO.
 */
int	 hash_digest(enum hash_alg, const void *data, size_t len,
	    uint8_t *out, size_t outsize);

/* Incremental hashing: init, any number of updates, final, free. */
int	 hash_init(struct hash_ctx **, enum hash_alg);
int	 hash_update(struct hash_ctx *, const void *, size_t);
/*
 * Write hash_length() bytes to out (room for outsize, else ERR_INVAL);
 * the context is then ready to hash a new message.
 */
int	 hash_final(struct hash_ctx *, uint8_t *out, size_t outsize);
void	 hash_free(struct hash_ctx *);

#endif /* IKED_HASH_H */
