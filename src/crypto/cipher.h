/*
 * IKEv1 Phase 1 CBC ciphers, identified by the Encryption Algorithm
 * attribute value (RFC 2409 Appendix A).  ISAKMP messages are padded
 * by the sender (RFC 2409 Appendix B), so these functions take whole
 * blocks and add no padding.  DES and Blowfish need OpenSSL's legacy
 * provider; without it they return ERR_UNSUPPORTED.
 */
#ifndef IKED_CIPHER_H
#define IKED_CIPHER_H

#include <stddef.h>
#include <stdint.h>

enum cipher_alg {
	CIPHER_DES_CBC = 1,
	CIPHER_BLOWFISH_CBC = 3,
	CIPHER_3DES_CBC = 5,
	CIPHER_AES_CBC = 7,
};

#define CIPHER_MAX_BLOCK	16	/* AES */
#define CIPHER_MAX_KEY		56	/* Blowfish, 448 bits */

struct cipher_ctx;

/* Returns a lower-case name ("des-cbc", "aes-cbc"...), or "unknown". */
const char	*cipher_name(enum cipher_alg);

/*
 * Returns 0 when the algorithm can be used, or ERR_UNSUPPORTED when it
 * is unknown or its provider is not loaded, which is also logged.
 */
int	 cipher_supported(enum cipher_alg);

/* Returns the block size in bytes (8 or 16), or 0 when unknown. */
size_t	 cipher_block_size(enum cipher_alg);

/*
 * Check a Key Length attribute (in bits; 0 when the attribute was
 * absent) and return the key length in bytes in *keylen.  DES and 3DES
 * have a fixed key (64 and 192 bits, parity bits included) and take no
 * Key Length attribute.  AES takes 128, 192 or 256 bits, default 128.
 * Blowfish takes 40 to 448 bits in steps of 8, default 128.
 * Returns 0, ERR_UNSUPPORTED for an unknown algorithm or ERR_INVAL for
 * a length the algorithm does not allow.
 */
int	 cipher_key_length(enum cipher_alg, unsigned int keybits,
	    size_t *keylen);

/*
 * A keyed cipher, so that each message of an SA does not repeat the key
 * schedule.  keylen must be a value cipher_key_length() returns.  The
 * context keeps a copy of the key only inside OpenSSL, which wipes it on
 * free.
 */
int	 cipher_ctx_new(struct cipher_ctx **, enum cipher_alg,
	    const uint8_t *key, size_t keylen);
void	 cipher_ctx_free(struct cipher_ctx *);
size_t	 cipher_ctx_block_size(const struct cipher_ctx *);

/*
 * Encrypt or decrypt len bytes (a non-zero multiple of the block size)
 * from in to out with CBC and the given IV (block size bytes).  in and
 * out may be the same buffer.  When last is not NULL it receives the
 * last ciphertext block (block size bytes), which is the IV of the next
 * message (RFC 2409 Appendix B).  Returns 0, ERR_INVAL when len is 0 or
 * not a multiple of the block size, or ERR_CRYPTO.
 */
int	 cipher_ctx_encrypt(struct cipher_ctx *, const uint8_t *iv,
	    const uint8_t *in, size_t len, uint8_t *out, uint8_t *last);
int	 cipher_ctx_decrypt(struct cipher_ctx *, const uint8_t *iv,
	    const uint8_t *in, size_t len, uint8_t *out, uint8_t *last);

/* One-shot forms of the above for a single message. */
int	 cipher_encrypt(enum cipher_alg, const uint8_t *key, size_t keylen,
	    const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out,
	    uint8_t *last);
int	 cipher_decrypt(enum cipher_alg, const uint8_t *key, size_t keylen,
	    const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out,
	    uint8_t *last);

#endif /* IKED_CIPHER_H */
