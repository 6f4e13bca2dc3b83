/*
 * Shared state of the crypto module: the algorithm objects that
 * crypto_init() fetched once.  Only files of src/crypto include this.
 */
#ifndef IKED_CRYPTO_INT_H
#define IKED_CRYPTO_INT_H

#include <stddef.h>
#include <stdint.h>

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

/* Initialise on first use; returns 0 or ERR_CRYPTO. */
int		 crypto_ready(void);

/* The fetched digest of a hash, or NULL when unknown. */
const EVP_MD	*crypto_md(enum hash_alg);

/*
 * An HMAC context with its digest already set, to duplicate per key:
 * setting the digest by name on every key would fetch it again.
 */
const EVP_MAC_CTX	*crypto_hmac_template(enum hash_alg);

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

#endif /* IKED_CRYPTO_INT_H */
