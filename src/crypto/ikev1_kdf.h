/*
 * IKEv1 key derivation and authentication hashes (RFC 2409 section 5
 * and Appendix B).  prf is the HMAC of the negotiated hash (prf.h).
 * Inputs are (pointer, length) pairs of the exact bytes the RFC names:
 * "_b" values are payload bodies without the generic payload header,
 * g^xi/g^xr are KE payload data and g^xy is the dh_key_derive() output.
 * Nonce lengths are not checked here (the payload parser does that).
 * Every output replaces the contents of the struct wbuf given.  A
 * caller creates that buffer with wbuf_init(..., 1) when it is a key.
 * Functions return 0, ERR_UNSUPPORTED for an unknown hash, ERR_INVAL for a bad
 * argument, ERR_NOMEM or ERR_CRYPTO.
 */
#ifndef IKED_IKEV1_KDF_H
#define IKED_IKEV1_KDF_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/hash.h"

struct wbuf;

#define IKEV1_COOKIE_LEN	8

/* SKEYID for signature authentication: prf(Ni_b | Nr_b, g^xy). */
int	 ikev1_skeyid_sig(enum hash_alg, const uint8_t *ni, size_t ni_len,
	    const uint8_t *nr, size_t nr_len, const uint8_t *gxy,
	    size_t gxy_len, struct wbuf *skeyid);

/* SKEYID for preshared keys: prf(pre-shared-key, Ni_b | Nr_b). */
int	 ikev1_skeyid_psk(enum hash_alg, const uint8_t *psk, size_t psk_len,
	    const uint8_t *ni, size_t ni_len, const uint8_t *nr,
	    size_t nr_len, struct wbuf *skeyid);

/*
 * SKEYID for public key encryption:
 * prf(hash(Ni_b | Nr_b), CKY-I | CKY-R).  The cookies are 8 bytes each.
 */
int	 ikev1_skeyid_pke(enum hash_alg, const uint8_t *ni, size_t ni_len,
	    const uint8_t *nr, size_t nr_len, const uint8_t *cky_i,
	    const uint8_t *cky_r, struct wbuf *skeyid);

/*
 * SKEYID_d, SKEYID_a and SKEYID_e (RFC 2409 section 5):
 *   SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
 *   SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
 *   SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
 */
int	 ikev1_skeyid_derive(enum hash_alg, const uint8_t *skeyid,
	    size_t skeyid_len, const uint8_t *gxy, size_t gxy_len,
	    const uint8_t *cky_i, const uint8_t *cky_r, struct wbuf *skeyid_d,
	    struct wbuf *skeyid_a, struct wbuf *skeyid_e);

/*
 * The Phase 1 encryption key of keylen bytes (RFC 2409 Appendix B): the
 * first keylen bytes of SKEYID_e when it is long enough, otherwise of
 * Ka = K1 | K2 | ..., K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1),
 * where 0 is one zero byte.
 */
int	 ikev1_key_expand(enum hash_alg, const uint8_t *skeyid_e,
	    size_t skeyid_e_len, size_t keylen, struct wbuf *key);

/* Phase 1 IV: hash(g^xi | g^xr) truncated to blocklen bytes. */
int	 ikev1_phase1_iv(enum hash_alg, const uint8_t *gxi, size_t gxi_len,
	    const uint8_t *gxr, size_t gxr_len, size_t blocklen,
	    struct wbuf *iv);

/*
 * IV of the first message of a Quick Mode or Informational exchange:
 * hash(last Phase 1 CBC block | M-ID) truncated to blocklen bytes.
 * last_block is blocklen bytes; msgid is in host order and is hashed as
 * its 4-byte big-endian wire form, as are all M-IDs below.
 */
int	 ikev1_phase2_iv(enum hash_alg, const uint8_t *last_block,
	    size_t blocklen, uint32_t msgid, struct wbuf *iv);

/*
 * The inputs of HASH_I and HASH_R, in the initiator's order.  id_b is
 * IDii_b for HASH_I and IDir_b for HASH_R.
 */
struct ikev1_auth_input {
	const uint8_t	*ai_gxi;
	size_t		 ai_gxi_len;
	const uint8_t	*ai_gxr;
	size_t		 ai_gxr_len;
	const uint8_t	*ai_cky_i;	/* IKEV1_COOKIE_LEN bytes */
	const uint8_t	*ai_cky_r;	/* IKEV1_COOKIE_LEN bytes */
	const uint8_t	*ai_sai_b;
	size_t		 ai_sai_b_len;
	const uint8_t	*ai_id_b;
	size_t		 ai_id_b_len;
};

/* HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b) */
int	 ikev1_hash_i(enum hash_alg, const uint8_t *skeyid,
	    size_t skeyid_len, const struct ikev1_auth_input *,
	    struct wbuf *out);

/* HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b) */
int	 ikev1_hash_r(enum hash_alg, const uint8_t *skeyid,
	    size_t skeyid_len, const struct ikev1_auth_input *,
	    struct wbuf *out);

/*
 * Quick Mode (RFC 2409 section 5.5).  rest is the message after the
 * HASH payload (all payloads, with their generic headers):
 *   HASH(1) = prf(SKEYID_a, M-ID | rest)
 *   HASH(2) = prf(SKEYID_a, M-ID | Ni_b | rest)
 *   HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
 */
int	 ikev1_qm_hash1(enum hash_alg, const uint8_t *skeyid_a,
	    size_t skeyid_a_len, uint32_t msgid, const uint8_t *rest,
	    size_t rest_len, struct wbuf *out);
int	 ikev1_qm_hash2(enum hash_alg, const uint8_t *skeyid_a,
	    size_t skeyid_a_len, uint32_t msgid, const uint8_t *ni,
	    size_t ni_len, const uint8_t *rest, size_t rest_len,
	    struct wbuf *out);
int	 ikev1_qm_hash3(enum hash_alg, const uint8_t *skeyid_a,
	    size_t skeyid_a_len, uint32_t msgid, const uint8_t *ni,
	    size_t ni_len, const uint8_t *nr, size_t nr_len,
	    struct wbuf *out);

/*
 * Informational exchange (RFC 2409 section 5.7):
 * HASH(1) = prf(SKEYID_a, M-ID | N/D), where N/D is the Notify or
 * Delete payload with its generic header.
 */
int	 ikev1_info_hash(enum hash_alg, const uint8_t *skeyid_a,
	    size_t skeyid_a_len, uint32_t msgid, const uint8_t *payload,
	    size_t payload_len, struct wbuf *out);

/*
 * KEYMAT of keymat_len bytes for one IPsec SA (RFC 2409 section 5.5):
 *   KEYMAT = K1 | K2 | ...
 *   K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b)
 *   Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b)
 * gqm_xy is NULL (length 0) without PFS.  protocol is the Protocol-ID
 * of the proposal (2 AH, 3 ESP, 4 IPCOMP) and spi the SPI bytes as
 * sent in the proposal.
 */
int	 ikev1_keymat(enum hash_alg, const uint8_t *skeyid_d,
	    size_t skeyid_d_len, const uint8_t *gqm_xy, size_t gqm_xy_len,
	    uint8_t protocol, const uint8_t *spi, size_t spi_len,
	    const uint8_t *ni, size_t ni_len, const uint8_t *nr,
	    size_t nr_len, size_t keymat_len, struct wbuf *keymat);

#endif /* IKED_IKEV1_KDF_H */
