/*
 * Signatures of IKEv1 Main Mode: HASH_I and HASH_R are signed with the
 * private key of the local certificate and carried in the SIG payload.
 *
 *   SIG_DSS (auth method 2, RFC 2409 5.1): DSA over HASH_I as the
 *     message digest, 20 bytes with the SHA-1 that RFC 2409 requires for
 *     DSS.  DSA truncates a longer hash to the size of q.  The payload is
 *     r | s, each the size of q (40 bytes for DSA with a 160-bit q).
 *   SIG_RSA (auth method 3): PKCS#1 v1.5 type 1 padding of HASH_I itself,
 *     with no DigestInfo.  RFC 7296 (3.8) notes that IKEv1 signs this
 *     way, unlike IKEv2.  The payload is as long as the modulus.
 *     NOTE: not yet tested against a strongSwan or libreswan peer.
 *   SIG_ECDSA_256/384/521 (auth methods 9, 10, 11, RFC 4754): ECDSA on
 *     P-256/384/521 with HASH_I itself as the message digest, as for DSS.
 *     For these methods the engine computes HASH_I with HMAC-SHA-256/
 *     384/512 (the method's hash), so it is already that digest and is not
 *     hashed again.  strongSwan 5.9 signs the same way.  The payload is r | s,
 *     each the size of the curve order (32, 48 or 66 bytes).
 */
#ifndef IKED_X509_SIG_H
#define IKED_X509_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/x509/pkey.h"
#include "lib/wbuf.h"

/* Values of the IKEv1 Authentication Method attribute. */
enum sig_method {
	SIG_DSS = 2,
	SIG_RSA = 3,
	SIG_ECDSA_256 = 9,
	SIG_ECDSA_384 = 10,
	SIG_ECDSA_521 = 11,
};

/* Returns "DSS", "RSA", "ECDSA-256"..., or "unknown". */
const char	*sig_method_name(enum sig_method);

/*
 * Pick the method a key signs with: RSA keys SIG_RSA, DSA keys SIG_DSS,
 * EC keys the ECDSA method of their curve.  Returns 0 or ERR_UNSUPPORTED.
 */
int	 sig_method_for_key(const struct pkey *, enum sig_method *);

/*
 * Sign hash (HASH_I or HASH_R) with a private key and append the SIG
 * payload body to out.  Returns 0, ERR_INVAL when the key does not suit
 * the method (the reason in why), or ERR_CRYPTO.
 */
int	 sig_sign(const struct pkey *, enum sig_method, const uint8_t *hash,
	    size_t hashlen, struct wbuf *out, char *why, size_t whysize);

/*
 * Verify a SIG payload body against hash with a peer's public key.  The
 * key must be of the method's algorithm (and curve) and pass
 * pkey_check_public(); the signature must have the exact length of the
 * method.  Returns 0, or ERR_AUTH with the reason in why.
 */
int	 sig_verify(const struct pkey *, enum sig_method, const uint8_t *hash,
	    size_t hashlen, const uint8_t *sig, size_t siglen,
	    char *why, size_t whysize);

#endif /* IKED_X509_SIG_H */
