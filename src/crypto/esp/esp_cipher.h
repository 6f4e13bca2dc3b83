/*
 * ESP payload protection (RFC 4303) for the userspace data plane: the
 * cipher and integrity state of one SA direction, prepared once when the
 * SA is added, then used per packet without allocation.
 *
 * Supported: AES-CBC (RFC 3602) and 3DES-CBC (RFC 2451) with HMAC-MD5-96
 * (RFC 2403), HMAC-SHA1-96 (RFC 2404) or HMAC-SHA-256/384/512 (RFC 4868);
 * AES-GCM with 8, 12 or 16-byte ICVs (RFC 4106); NULL encryption
 * (RFC 2410) with one of the HMACs.
 */
#ifndef IKED_ESP_CIPHER_H
#define IKED_ESP_CIPHER_H

#include <stddef.h>
#include <stdint.h>

/* ESP transform IDs of the IPsec DOI (RFC 2407 4.4.4, RFC 4106 8.1). */
#define ESP_CIPHER_ENCR_3DES		3
#define ESP_CIPHER_ENCR_NULL		11
#define ESP_CIPHER_ENCR_AES_CBC		12
#define ESP_CIPHER_ENCR_AES_GCM_8	18
#define ESP_CIPHER_ENCR_AES_GCM_12	19
#define ESP_CIPHER_ENCR_AES_GCM_16	20

/* Authentication algorithm attribute values (RFC 2407 4.5, RFC 4868). */
#define ESP_CIPHER_AUTH_NONE		0
#define ESP_CIPHER_AUTH_HMAC_MD5	1
#define ESP_CIPHER_AUTH_HMAC_SHA1	2
#define ESP_CIPHER_AUTH_HMAC_SHA2_256	5
#define ESP_CIPHER_AUTH_HMAC_SHA2_384	6
#define ESP_CIPHER_AUTH_HMAC_SHA2_512	7

#define ESP_CIPHER_HDR_LEN	8	/* SPI and sequence number */
#define ESP_CIPHER_SALT_LEN	4	/* AES-GCM salt at the end of the key */
#define ESP_CIPHER_IV_MAX	16
#define ESP_CIPHER_ICV_MAX	32

struct esp_cipher;

struct esp_cipher_params {
	uint16_t	 ecp_encr;	/* ESP_CIPHER_ENCR_* */
	const uint8_t	*ecp_encr_key;	/* AES-GCM: key, then the 4-byte salt */
	size_t		 ecp_encr_keylen;
	uint16_t	 ecp_auth;	/* ESP_CIPHER_AUTH_* */
	const uint8_t	*ecp_auth_key;
	size_t		 ecp_auth_keylen;
};

/*
 * Prepare the state for one direction (encrypt 1 for outbound).  Returns
 * ERR_UNSUPPORTED for an unknown or insecure combination (CBC without
 * integrity, GCM with an HMAC), ERR_INVAL for a wrong key length.
 */
int	 esp_cipher_new(struct esp_cipher **, const struct esp_cipher_params *,
	    int encrypt);
void	 esp_cipher_free(struct esp_cipher *);

size_t	 esp_cipher_iv_len(const struct esp_cipher *);
size_t	 esp_cipher_icv_len(const struct esp_cipher *);
/* Alignment of payload, padding and the 2 trailer bytes (at least 4). */
size_t	 esp_cipher_align(const struct esp_cipher *);

/*
 * Protect one ESP packet in place.  pkt[0..8) is the ESP header, already
 * written.  The IV goes to pkt[8..8+iv_len).  The bytes from there to
 * pkt[len) are the plaintext (payload, padding, pad length, next header)
 * and are encrypted in place.  The ICV goes to pkt[len..len+icv_len).  For
 * GCM the IV is the 64-bit counter iv_counter (the sequence number),
 * for CBC it is random.
 */
int	 esp_cipher_seal(struct esp_cipher *, uint8_t *pkt, size_t len,
	    uint64_t iv_counter);

/*
 * Check the ICV of pkt[0..len) (ESP header to ICV) and decrypt it in
 * place.  The plaintext is then pkt[8+iv_len..len-icv_len).  Returns
 * ERR_AUTH when the ICV does not match, ERR_MALFORMED when the
 * ciphertext length does not fit the cipher.
 */
int	 esp_cipher_open(struct esp_cipher *, uint8_t *pkt, size_t len);

/*
 * The AEAD primitive under seal and open for AES-GCM, exposed for known
 * answer tests: nonce = salt | iv (8 bytes), in-place on buf.
 */
int	 esp_cipher_aead_encrypt(struct esp_cipher *, const uint8_t *iv,
	    const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
	    uint8_t *icv);
int	 esp_cipher_aead_decrypt(struct esp_cipher *, const uint8_t *iv,
	    const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
	    const uint8_t *icv);

/* The truncated HMAC (the ICV) of data, for known answer tests. */
int	 esp_cipher_mac(struct esp_cipher *, const uint8_t *data, size_t len,
	    uint8_t *icv);

#endif /* IKED_ESP_CIPHER_H */
