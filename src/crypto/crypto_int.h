/*
 * Shared state of the crypto module: the algorithm objects that
 * crypto_init() fetched once.  Only files of src/crypto include this.
 */
#ifndef IKED_CRYPTO_INT_H
#define IKED_CRYPTO_INT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/types.h>

/*
 * OpenSSL's types.h declares a type named ERR_STATE, and lib/err.h uses
 * the same name for an error code.  Files that include OpenSSL include
 * this header before lib/err.h and see the code as ERR_STATE_CODE.
 */
#define ERR_STATE	ERR_STATE_CODE
#include "lib/err.h"
#undef ERR_STATE

#include "crypto/cipher.h"
#include "crypto/hash.h"

struct dh_key;
struct wbuf;

/* Initialise on first use; returns 0 or ERR_CRYPTO. */
int		 crypto_ready(void);

/* The fetched digest of a hash, or NULL when unknown. */
const EVP_MD	*crypto_md(enum hash_alg);

/*
 * The fetched cipher for an algorithm and key length in bytes, or NULL
 * when unknown or its provider is not loaded.  Blowfish has one object
 * for every key length.
 */
const EVP_CIPHER	*crypto_cipher(enum cipher_alg, size_t keylen);

/* Log the OpenSSL error queue at debug level and clear it. */
void		 crypto_log_errors(const char *what);

/* Called by crypto_init() and crypto_shutdown() for the DH groups. */
int		 dh_init(void);
void		 dh_shutdown(void);

/*
 * The big-endian prime of a MODP group (generator 2), or NULL when the
 * group has no prime in dh_primes.c.
 */
const uint8_t	*dh_modp_prime(unsigned int group, size_t *len);

/*
 * What dh_pool.c needs of dh.c.  Groups are counted by their index in
 * dh.c's table of implementations.  dh_key_make() makes a fresh key
 * pair with the given key generation context (MODP and Curve; ECP takes
 * none) and logs nothing, so that the pool's threads can call it.
 */
size_t		 dh_impl_count(void);
EVP_PKEY_CTX	*dh_keygen_new(size_t i);
int		 dh_key_make(size_t i, EVP_PKEY_CTX *keygen, struct dh_key **);

/*
 * The peer's public value, checked and imported on the event loop's
 * thread (dh_peer_import() logs nothing and uses shared contexts), so
 * that dh_peer_compute() can run in any thread.
 */
struct dh_peer {
	EVP_PKEY	*pe_pkey;	/* MODP, Curve */
	EC_POINT	*pe_point;	/* ECP */
};

int		 dh_peer_import(const struct dh_key *, const uint8_t *,
		    size_t, struct dh_peer *, const char **reason);
int		 dh_peer_compute(const struct dh_key *, const struct dh_peer *,
		    struct wbuf *secret, const char **reason);
void		 dh_peer_clear(struct dh_peer *);

/*
 * Take a key pair of implementation i that the pool made ahead.  Returns
 * 0, or ERR_NOTFOUND when the pool is not running or has none ready.
 * Either way the threads then fill that group.
 */
int		 dh_pool_take(size_t i, struct dh_key **);

/* Stop the pool's threads and free its key pairs.  Safe when not started. */
void		 dh_pool_stop(void);

#endif /* IKED_CRYPTO_INT_H */
