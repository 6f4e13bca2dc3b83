/*
 * RSA encryption with PKCS#1 v1.5 padding (RFC 8017 section 7.2), which
 * IKEv1 authentication with public key encryption uses for the nonce and
 * identity payloads (RFC 2409 sections 5.2 and 5.3).
 *
 * Decryption never reports a padding error.  Every malformed ciphertext
 * yields a random message instead, chosen without a branch on the
 * decrypted bytes.  Malformed means of the wrong length, not below the
 * modulus, with invalid padding, or with a message length outside the
 * caller's range.  The caller then fails later, at the HASH check, exactly as it
 * does for a well-formed ciphertext of a wrong value, so the exchange
 * is no padding oracle (Bleichenbacher, CRYPTO 1998).
 */
#ifndef IKED_X509_RSAENC_H
#define IKED_X509_RSAENC_H

#include <stddef.h>
#include <stdint.h>

#include "lib/wbuf.h"

struct pkey;

/* Room for a ciphertext of the largest RSA key accepted (16384 bits). */
#define RSAENC_MAX_BYTES	2048

/*
 * Encrypt len bytes with the RSA public key.  out receives exactly
 * rsaenc_size(pub) bytes.  The message must leave room for 11 bytes of
 * padding.  Returns 0, ERR_INVAL (not an RSA key, message too long)
 * or ERR_CRYPTO.
 */
int	 rsaenc_encrypt(const struct pkey *pub, const uint8_t *msg,
	    size_t len, struct wbuf *out);

/*
 * Decrypt ct with the RSA private key.  out (a secret buffer) receives
 * the message when the padding is valid and its length is in
 * [min_len, max_len], and otherwise fallback_len random bytes.  A
 * max_len above what the key can carry (its size less 11) is lowered to
 * that.  Returns
 * 0 in both cases, so that the caller cannot act on the difference.
 * ERR_INVAL comes only from the configuration, never from ct: a key
 * that cannot decrypt (not RSA, no private part, larger than
 * RSAENC_MAX_BYTES) or an invalid range.
 *
 * NOTE: copying the result takes time linear in its length, which is
 * the real message length or fallback_len; the selection itself is
 * constant-time.
 */
int	 rsaenc_decrypt(const struct pkey *priv, const uint8_t *ct,
	    size_t ct_len, size_t min_len, size_t max_len,
	    size_t fallback_len, struct wbuf *out);

/* The modulus size in bytes, or 0 for a key that is not RSA. */
size_t	 rsaenc_size(const struct pkey *);

/*
 * The bare RSA public operation on a block of rsaenc_size(pub) bytes,
 * without padding.  Tests use it to build ciphertexts with malformed
 * padding; IKE never sends such a block.
 */
int	 rsaenc_raw_public(const struct pkey *pub, const uint8_t *block,
	    size_t len, struct wbuf *out);

#endif /* IKED_X509_RSAENC_H */
