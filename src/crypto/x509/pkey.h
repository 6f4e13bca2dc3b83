/*
 * Public and private keys of certificates: RSA, DSA and ECDSA over the
 * NIST curves P-256, P-384 and P-521.  A struct pkey is reference
 * counted; a private key is wiped by OpenSSL when its last reference is
 * freed.
 */
#ifndef IKED_X509_PKEY_H
#define IKED_X509_PKEY_H

#include <stddef.h>
#include <stdint.h>

#include "lib/wbuf.h"

/* Size of a buffer for a reason string ("why") of this module. */
#define X509_WHY_SIZE	256

struct pkey;

enum pkey_type {
	PKEY_NONE = 0,
	PKEY_RSA = 1,
	PKEY_DSA = 2,
	PKEY_EC = 3,
};

/* Output encodings for keys, certificates, requests and CRLs. */
enum x509_format {
	X509_FORMAT_PEM = 0,
	X509_FORMAT_DER = 1,	/* "ber" in ikecert */
};

/*
 * Generate a key.  bits is the modulus size for RSA and DSA and the
 * curve size (256, 384 or 521) for EC.  Returns 0, ERR_INVAL for a size
 * this module does not generate, or ERR_CRYPTO.
 */
int	 pkey_generate(struct pkey **, enum pkey_type, unsigned int bits,
	    char *why, size_t whysize);

/*
 * Parse a private key: PEM (PKCS#8 or the traditional RSA/DSA/EC form)
 * or unencrypted DER (PKCS#8 or traditional).  An encrypted key is
 * rejected with ERR_UNSUPPORTED.
 */
int	 pkey_parse_private(struct pkey **, const uint8_t *, size_t,
	    char *why, size_t whysize);

/* Parse a DER SubjectPublicKeyInfo; trailing bytes are rejected. */
int	 pkey_parse_public(struct pkey **, const uint8_t *, size_t,
	    char *why, size_t whysize);

struct pkey	*pkey_ref(struct pkey *);
void	 pkey_free(struct pkey *);

enum pkey_type	 pkey_type(const struct pkey *);
const char	*pkey_type_name(enum pkey_type);	/* "rsa", "dsa", "ecdsa" */
unsigned int	 pkey_bits(const struct pkey *);
int	 pkey_has_private(const struct pkey *);

/* Returns 1 when both keys have the same public part. */
int	 pkey_public_equal(const struct pkey *, const struct pkey *);

/*
 * Check the public key for values no signature check should accept.
 * These are an RSA exponent that is 0, 1 or even, an even or short RSA
 * modulus (below 1024 bits), and a DSA or EC key that fails the OpenSSL
 * public key check.  Returns 0 or ERR_CRYPTO with the reason in why.
 */
int	 pkey_check_public(const struct pkey *, char *why, size_t whysize);

/* Append the private key as PKCS#8 (PEM or DER) to out (a secret wbuf). */
int	 pkey_encode_private(const struct pkey *, enum x509_format,
	    struct wbuf *out);

/* Append the DER SubjectPublicKeyInfo to out. */
int	 pkey_encode_public(const struct pkey *, struct wbuf *out);

/*
 * Write the first 16 bytes of the SHA-256 of the SubjectPublicKeyInfo as
 * 32 upper-case hex digits (33 bytes with the NUL) to out.
 */
int	 pkey_public_hash(const struct pkey *, char *out, size_t outsize);

#endif /* IKED_X509_PKEY_H */
