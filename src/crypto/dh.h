/*
 * Diffie-Hellman groups of IKE, by their IANA number (the Oakley Group
 * attribute value): MODP (RFC 2409 section 6, RFC 3526), MODP with a
 * prime-order subgroup (RFC 5114), ECP (RFC 5903, RFC 5114) and
 * Curve25519/Curve448 (RFC 8031).  Public values and shared secrets
 * have the exact lengths IKE puts on the wire:
 *   MODP:  public value and g^xy as long as the prime, left-padded;
 *   ECP:   public value x|y, each padded to the field size, without the
 *          0x04 point format byte; g^xy is x only (RFC 5903 section 7);
 *   X25519/X448: the 32/56-byte little-endian u (RFC 7748).
 */
#ifndef IKED_DH_H
#define IKED_DH_H

#include <stddef.h>
#include <stdint.h>

struct wbuf;
struct dh_key;

enum dh_type {
	DH_MODP,		/* safe-prime MODP */
	DH_MODP_SUBGROUP,	/* MODP with a prime-order subgroup */
	DH_EC2N,		/* Oakley elliptic curve over GF(2^N) */
	DH_ECP,			/* elliptic curve over GF(p) */
	DH_CURVE,		/* Curve25519 or Curve448 */
};

/* Metadata of one group, for proposals and "ikeadm dump groups". */
struct dh_group_info {
	unsigned int	 dg_id;		/* IANA number */
	enum dh_type	 dg_type;
	const char	*dg_desc;	/* "2048-bit MODP (group 14)" */
	unsigned int	 dg_strength;	/* estimated security in bits */
	size_t		 dg_public_len;	/* KE payload data, bytes; 0 if */
	size_t		 dg_secret_len;	/* g^xy, bytes; not implemented */
	int		 dg_implemented; /* 1 when keys can be generated */
};

/*
 * Returns the table of every known group (implemented or not), ordered
 * by number, and its size in *n.
 */
const struct dh_group_info	*dh_group_table(size_t *n);

/* Returns the group's entry, or NULL when the number is unknown. */
const struct dh_group_info	*dh_group_lookup(unsigned int group);

/*
 * Returns 0 when keys of the group can be made, ERR_UNSUPPORTED when the
 * group is unknown or not implemented.
 */
int	 dh_group_supported(unsigned int group);

/*
 * Replace the contents of out with the prime p of a MODP group
 * (big-endian, dg_public_len bytes), for display and tests.  Returns 0,
 * ERR_UNSUPPORTED for a group that is not an implemented MODP group, or
 * ERR_NOMEM.
 */
int	 dh_group_prime(unsigned int group, struct wbuf *out);

/*
 * Generate a fresh key pair.  Returns 0, ERR_UNSUPPORTED or ERR_CRYPTO.
 */
int	 dh_key_generate(unsigned int group, struct dh_key **);

/*
 * Start threads (at most 8) that make key pairs ahead of need for every
 * group that dh_key_generate() was called for, and compute g^xy for
 * dh_derive_start().  Each key pair is handed out once.  Call it after
 * the last fork().  Returns 0, or ERR_SYSTEM when no thread starts, and
 * then all Diffie-Hellman work runs in the caller's thread.
 */
int	 dh_pool_start(unsigned int threads);

/*
 * Counts since dh_pool_start(): key pairs handed out ready, and key
 * pairs the caller had to make because none was ready.
 */
void	 dh_pool_counts(uint64_t *ready, uint64_t *inline_made);

/*
 * Make a key pair from a given private value, for known-answer tests
 * only (the daemon always uses dh_key_generate()).  MODP takes a
 * big-endian integer below the prime, and ECP a big-endian integer
 * below the group order.  X25519/X448 take the raw 32/56-byte scalar.
 * Returns 0, ERR_UNSUPPORTED, ERR_MALFORMED or ERR_CRYPTO.
 */
int	 dh_key_from_private(unsigned int group, const uint8_t *priv,
	    size_t len, struct dh_key **);

/* Wipe the private value and free the key; NULL is allowed. */
void	 dh_key_free(struct dh_key *);

/* Returns the group number of a key. */
unsigned int	 dh_key_group(const struct dh_key *);

/*
 * Replace the contents of out with the public value, dg_public_len
 * bytes, in the wire form above.  Returns 0, ERR_NOMEM or ERR_CRYPTO.
 */
int	 dh_key_public(const struct dh_key *, struct wbuf *out);

/*
 * Compute g^xy from the peer's public value (KE payload data) and
 * replace the contents of secret (a wbuf made with secret=1) with it,
 * dg_secret_len bytes.  Peer values are checked first (RFC 6989):
 *   wrong length                          -> ERR_MALFORMED
 *   MODP y <= 1 or y >= p-1               -> ERR_MALFORMED
 *   subgroup MODP y^q != 1 mod p          -> ERR_MALFORMED
 *   ECP point not on the curve            -> ERR_MALFORMED
 *   X25519/X448 all-zero result           -> ERR_CRYPTO
 * When reason is not NULL, *reason is set to a static sentence for the
 * log line that names the check that failed (it contains no secret).
 */
int	 dh_key_derive(const struct dh_key *, const uint8_t *peer,
	    size_t len, struct wbuf *secret, const char **reason);

/*
 * Check the peer's public value as dh_key_derive() does (the same
 * errors and reasons) without computing g^xy, so that a message with an
 * invalid value can be rejected before the reply goes out.
 */
int	 dh_key_check_peer(const struct dh_key *, const uint8_t *peer,
	    size_t len, const char **reason);

/*
 * g^xy in the pool's threads.  dh_derive_start() checks the peer's value
 * and queues the computation, and returns 0 with *job set.  It returns
 * ERR_NOTFOUND when no pool runs or the group stays with the caller
 * (ECP-256, Curve25519, Curve448), or the error of the check.  The
 * caller then calls dh_key_derive(), which logs the reason.
 *
 * The key must stay until the job is finished or cancelled.
 * dh_derive_finish() waits for the result, or computes it when no thread
 * took it yet.  It replaces the contents of secret, frees the job and
 * returns as dh_key_derive().  dh_derive_cancel() frees a job whose
 * result is not needed; NULL is allowed.
 */
struct dh_job;

int	 dh_derive_start(const struct dh_key *, const uint8_t *peer,
	    size_t len, struct dh_job **);
int	 dh_derive_finish(struct dh_job *, struct wbuf *secret,
	    const char **reason);
void	 dh_derive_cancel(struct dh_job *);

#endif /* IKED_DH_H */
