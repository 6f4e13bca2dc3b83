/*
 * RFC 2409 key derivation beyond SKEYID: each function is checked
 * against the formula of RFC 2409 section 5 and Appendix B, computed
 * here from the primitive HMAC and hash.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/crypto.h"
#include "crypto/hash.h"
#include "crypto/ikev1_kdf.h"
#include "crypto/prf.h"
#include "crypto/rand.h"
#include "lib/err.h"
#include "lib/wbuf.h"

static const enum hash_alg	 kdf_hashes[] = {
	HASH_MD5, HASH_SHA1, HASH_SHA256, HASH_SHA384, HASH_SHA512
};

/* Random inputs of realistic sizes. */
struct kdf_inputs {
	uint8_t	 skeyid[64], skeyid_a[64], skeyid_d[64], skeyid_e[64];
	uint8_t	 gxi[256], gxr[256], gqm[256];
	uint8_t	 cky_i[8], cky_r[8];
	uint8_t	 ni[32], nr[24];
	uint8_t	 sai_b[52], id_b[12], rest[120], last[16], spi[4];
};

static struct kdf_inputs	 in;

static int
kdf_setup(void **state)
{
	return (rand_bytes(&in, sizeof(in)));
}

/* buf = a | b | ... from (pointer, length) pairs ending with NULL. */
static void
kdf_cat(struct wbuf *buf, ...)
{
	const void	*p;
	size_t		 len;
	va_list		 ap;

	wbuf_reset(buf);
	va_start(ap, buf);
	while ((p = va_arg(ap, const void *)) != NULL) {
		len = va_arg(ap, size_t);
		assert_int_equal(wbuf_put(buf, p, len), 0);
	}
	va_end(ap);
}

static void
kdf_prf(enum hash_alg alg, const void *key, size_t keylen,
    const struct wbuf *data, uint8_t *out)
{
	assert_int_equal(prf_compute(alg, key, keylen, data->wb_data,
	    data->wb_len, out, PRF_MAX_LEN), 0);
}

static void
assert_wbuf_eq(const struct wbuf *wb, const uint8_t *want, size_t len,
    enum hash_alg alg, const char *what)
{
	if (wb->wb_len != len || memcmp(wb->wb_data, want, len) != 0)
		fail_msg("%s with %s: %zu bytes, expected %zu, or different",
		    what, hash_name(alg), wb->wb_len, len);
}

static void
kdf_key_expansion(void **state)
{
	static const uint8_t	 zero = 0;
	uint8_t			 k[4 * PRF_MAX_LEN];
	struct wbuf		 key, data;
	size_t			 i, hl, n, keylen;

	wbuf_init(&key, 1);
	wbuf_init(&data, 0);
	for (i = 0; i < sizeof(kdf_hashes) / sizeof(kdf_hashes[0]); i++) {
		hl = hash_length(kdf_hashes[i]);
		/* K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1). */
		kdf_cat(&data, &zero, (size_t)1, NULL);
		kdf_prf(kdf_hashes[i], in.skeyid_e, hl, &data, k);
		for (n = 1; n < 4; n++) {
			kdf_cat(&data, k + (n - 1) * hl, hl, NULL);
			kdf_prf(kdf_hashes[i], in.skeyid_e, hl, &data,
			    k + n * hl);
		}
		/* 3DES (24), AES-256 (32) and Blowfish-448 (56) keys. */
		for (keylen = 24; keylen <= 56; keylen += 8) {
			assert_int_equal(ikev1_key_expand(kdf_hashes[i],
			    in.skeyid_e, hl, keylen, &key), 0);
			if (keylen <= hl)
				assert_wbuf_eq(&key, in.skeyid_e, keylen,
				    kdf_hashes[i], "key (no expansion)");
			else
				assert_wbuf_eq(&key, k, keylen, kdf_hashes[i],
				    "expanded key");
		}
	}
	assert_int_equal(ikev1_key_expand(HASH_SHA1, in.skeyid_e, 20, 0,
	    &key), ERR_INVAL);
	assert_int_equal(ikev1_key_expand(3, in.skeyid_e, 20, 16, &key),
	    ERR_UNSUPPORTED);
	wbuf_free(&key);
	wbuf_free(&data);
}

static void
kdf_phase1_and_phase2_iv(void **state)
{
	uint8_t		 md[HASH_MAX_LEN], mid[4] = { 0x8a, 0x01, 0x02, 0xfe };
	struct wbuf	 iv, data;
	size_t		 i, bs;

	wbuf_init(&iv, 0);
	wbuf_init(&data, 0);
	for (i = 0; i < sizeof(kdf_hashes) / sizeof(kdf_hashes[0]); i++) {
		for (bs = 8; bs <= 16; bs += 8) {
			kdf_cat(&data, in.gxi, sizeof(in.gxi), in.gxr,
			    sizeof(in.gxr), NULL);
			assert_int_equal(hash_digest(kdf_hashes[i],
			    data.wb_data, data.wb_len, md, sizeof(md)), 0);
			assert_int_equal(ikev1_phase1_iv(kdf_hashes[i], in.gxi,
			    sizeof(in.gxi), in.gxr, sizeof(in.gxr), bs, &iv),
			    0);
			assert_wbuf_eq(&iv, md, bs, kdf_hashes[i],
			    "Phase 1 IV");

			/* The M-ID is hashed in network byte order. */
			kdf_cat(&data, in.last, bs, mid, sizeof(mid), NULL);
			assert_int_equal(hash_digest(kdf_hashes[i],
			    data.wb_data, data.wb_len, md, sizeof(md)), 0);
			assert_int_equal(ikev1_phase2_iv(kdf_hashes[i], in.last,
			    bs, 0x8a0102feU, &iv), 0);
			assert_wbuf_eq(&iv, md, bs, kdf_hashes[i],
			    "Phase 2 IV");
		}
	}
	/* An MD5 hash cannot make an IV longer than 16 bytes. */
	assert_int_equal(ikev1_phase1_iv(HASH_MD5, in.gxi, 8, in.gxr, 8, 32,
	    &iv), ERR_INVAL);
	wbuf_free(&iv);
	wbuf_free(&data);
}

static void
kdf_hash_i_and_hash_r(void **state)
{
	struct ikev1_auth_input	 ai = {
		in.gxi, sizeof(in.gxi), in.gxr, sizeof(in.gxr),
		in.cky_i, in.cky_r, in.sai_b, sizeof(in.sai_b),
		in.id_b, sizeof(in.id_b)
	};
	uint8_t			 want[PRF_MAX_LEN];
	struct wbuf		 out, data;
	size_t			 i, hl;

	wbuf_init(&out, 0);
	wbuf_init(&data, 0);
	for (i = 0; i < sizeof(kdf_hashes) / sizeof(kdf_hashes[0]); i++) {
		hl = hash_length(kdf_hashes[i]);
		kdf_cat(&data, in.gxi, sizeof(in.gxi), in.gxr, sizeof(in.gxr),
		    in.cky_i, (size_t)8, in.cky_r, (size_t)8, in.sai_b,
		    sizeof(in.sai_b), in.id_b, sizeof(in.id_b), NULL);
		kdf_prf(kdf_hashes[i], in.skeyid, hl, &data, want);
		assert_int_equal(ikev1_hash_i(kdf_hashes[i], in.skeyid, hl,
		    &ai, &out), 0);
		assert_wbuf_eq(&out, want, hl, kdf_hashes[i], "HASH_I");

		kdf_cat(&data, in.gxr, sizeof(in.gxr), in.gxi, sizeof(in.gxi),
		    in.cky_r, (size_t)8, in.cky_i, (size_t)8, in.sai_b,
		    sizeof(in.sai_b), in.id_b, sizeof(in.id_b), NULL);
		kdf_prf(kdf_hashes[i], in.skeyid, hl, &data, want);
		assert_int_equal(ikev1_hash_r(kdf_hashes[i], in.skeyid, hl,
		    &ai, &out), 0);
		assert_wbuf_eq(&out, want, hl, kdf_hashes[i], "HASH_R");
	}
	wbuf_free(&out);
	wbuf_free(&data);
}

static void
kdf_quick_mode_hashes(void **state)
{
	static const uint8_t	 zero = 0;
	static const uint8_t	 mid[4] = { 0x01, 0x02, 0x03, 0x04 };
	const uint32_t		 msgid = 0x01020304U;
	uint8_t			 want[PRF_MAX_LEN];
	struct wbuf		 out, data;
	size_t			 i, hl;
	enum hash_alg		 alg;

	wbuf_init(&out, 0);
	wbuf_init(&data, 0);
	for (i = 0; i < sizeof(kdf_hashes) / sizeof(kdf_hashes[0]); i++) {
		alg = kdf_hashes[i];
		hl = hash_length(alg);
		kdf_cat(&data, mid, sizeof(mid), in.rest, sizeof(in.rest),
		    NULL);
		kdf_prf(alg, in.skeyid_a, hl, &data, want);
		assert_int_equal(ikev1_qm_hash1(alg, in.skeyid_a, hl, msgid,
		    in.rest, sizeof(in.rest), &out), 0);
		assert_wbuf_eq(&out, want, hl, alg, "QM HASH(1)");
		assert_int_equal(ikev1_info_hash(alg, in.skeyid_a, hl, msgid,
		    in.rest, sizeof(in.rest), &out), 0);
		assert_wbuf_eq(&out, want, hl, alg, "Informational HASH(1)");

		kdf_cat(&data, mid, sizeof(mid), in.ni, sizeof(in.ni),
		    in.rest, sizeof(in.rest), NULL);
		kdf_prf(alg, in.skeyid_a, hl, &data, want);
		assert_int_equal(ikev1_qm_hash2(alg, in.skeyid_a, hl, msgid,
		    in.ni, sizeof(in.ni), in.rest, sizeof(in.rest), &out), 0);
		assert_wbuf_eq(&out, want, hl, alg, "QM HASH(2)");

		kdf_cat(&data, &zero, (size_t)1, mid, sizeof(mid), in.ni,
		    sizeof(in.ni), in.nr, sizeof(in.nr), NULL);
		kdf_prf(alg, in.skeyid_a, hl, &data, want);
		assert_int_equal(ikev1_qm_hash3(alg, in.skeyid_a, hl, msgid,
		    in.ni, sizeof(in.ni), in.nr, sizeof(in.nr), &out), 0);
		assert_wbuf_eq(&out, want, hl, alg, "QM HASH(3)");
	}
	wbuf_free(&out);
	wbuf_free(&data);
}

/*
 * KEYMAT = K1 | K2 | ..., K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI
 * | Ni_b | Nr_b), Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] protocol | ...).
 */
static void
kdf_check_keymat(enum hash_alg alg, int pfs, size_t len)
{
	static const uint8_t	 proto = 3;	/* PROTO_IPSEC_ESP */
	uint8_t			 k[8 * PRF_MAX_LEN];
	struct wbuf		 out, data;
	size_t			 hl = hash_length(alg), glen, n;

	glen = pfs ? sizeof(in.gqm) : 0;
	wbuf_init(&out, 1);
	wbuf_init(&data, 0);
	for (n = 0; n * hl < len; n++) {
		wbuf_reset(&data);
		if (n > 0)
			assert_int_equal(wbuf_put(&data, k + (n - 1) * hl, hl),
			    0);
		assert_int_equal(wbuf_put(&data, in.gqm, glen), 0);
		assert_int_equal(wbuf_put(&data, &proto, 1), 0);
		assert_int_equal(wbuf_put(&data, in.spi, 4), 0);
		assert_int_equal(wbuf_put(&data, in.ni, sizeof(in.ni)), 0);
		assert_int_equal(wbuf_put(&data, in.nr, sizeof(in.nr)), 0);
		kdf_prf(alg, in.skeyid_d, hl, &data, k + n * hl);
	}
	assert_int_equal(ikev1_keymat(alg, in.skeyid_d, hl,
	    pfs ? in.gqm : NULL, glen, proto, in.spi, 4, in.ni, sizeof(in.ni),
	    in.nr, sizeof(in.nr), len, &out), 0);
	assert_wbuf_eq(&out, k, len, alg, pfs ? "KEYMAT with PFS" :
	    "KEYMAT without PFS");
	wbuf_free(&out);
	wbuf_free(&data);
}

static void
kdf_keymat(void **state)
{
	struct wbuf	 out;
	size_t		 i;

	for (i = 0; i < sizeof(kdf_hashes) / sizeof(kdf_hashes[0]); i++) {
		/* AES-256 + HMAC-SHA-512 needs 96 bytes: 2 to 6 blocks. */
		kdf_check_keymat(kdf_hashes[i], 0, 96);
		kdf_check_keymat(kdf_hashes[i], 1, 96);
		kdf_check_keymat(kdf_hashes[i], 0, 7);
	}
	wbuf_init(&out, 1);
	assert_int_equal(ikev1_keymat(HASH_SHA1, in.skeyid_d, 20, NULL, 0, 3,
	    in.spi, 4, in.ni, 8, in.nr, 8, 0, &out), ERR_INVAL);
	assert_int_equal(ikev1_keymat(7, in.skeyid_d, 20, NULL, 0, 3,
	    in.spi, 4, in.ni, 8, in.nr, 8, 16, &out), ERR_UNSUPPORTED);
	wbuf_free(&out);
}

/* SKEYID for public key encryption: prf(hash(Ni_b | Nr_b), CKY-I | CKY-R). */
static void
kdf_skeyid_pke(void **state)
{
	uint8_t		 md[HASH_MAX_LEN], want[PRF_MAX_LEN];
	struct wbuf	 out, data;
	size_t		 i, hl;

	wbuf_init(&out, 1);
	wbuf_init(&data, 0);
	for (i = 0; i < sizeof(kdf_hashes) / sizeof(kdf_hashes[0]); i++) {
		hl = hash_length(kdf_hashes[i]);
		kdf_cat(&data, in.ni, sizeof(in.ni), in.nr, sizeof(in.nr),
		    NULL);
		assert_int_equal(hash_digest(kdf_hashes[i], data.wb_data,
		    data.wb_len, md, sizeof(md)), 0);
		kdf_cat(&data, in.cky_i, (size_t)8, in.cky_r, (size_t)8, NULL);
		kdf_prf(kdf_hashes[i], md, hl, &data, want);
		assert_int_equal(ikev1_skeyid_pke(kdf_hashes[i], in.ni,
		    sizeof(in.ni), in.nr, sizeof(in.nr), in.cky_i, in.cky_r,
		    &out), 0);
		assert_wbuf_eq(&out, want, hl, kdf_hashes[i], "SKEYID (PKE)");
	}
	wbuf_free(&out);
	wbuf_free(&data);
}

/* Outputs replace what the buffer held; they are never appended. */
static void
kdf_output_replaces(void **state)
{
	struct wbuf	 out;

	wbuf_init(&out, 1);
	assert_int_equal(wbuf_put(&out, "stale", 5), 0);
	assert_int_equal(ikev1_skeyid_psk(HASH_SHA256, (const uint8_t *)"k",
	    1, in.ni, 8, in.nr, 8, &out), 0);
	assert_int_equal(out.wb_len, 32);
	assert_int_equal(ikev1_skeyid_psk(HASH_SHA256, (const uint8_t *)"k",
	    1, in.ni, 8, in.nr, 8, &out), 0);
	assert_int_equal(out.wb_len, 32);
	assert_int_equal(ikev1_skeyid_psk(9, (const uint8_t *)"k", 1, in.ni,
	    8, in.nr, 8, &out), ERR_UNSUPPORTED);
	assert_int_equal(out.wb_len, 0);
	wbuf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kdf_key_expansion),
		cmocka_unit_test(kdf_phase1_and_phase2_iv),
		cmocka_unit_test(kdf_hash_i_and_hash_r),
		cmocka_unit_test(kdf_quick_mode_hashes),
		cmocka_unit_test(kdf_keymat),
		cmocka_unit_test(kdf_skeyid_pke),
		cmocka_unit_test(kdf_output_replaces),
	};
	int	 r;

	if (crypto_init() != 0)
		return (1);
	r = cmocka_run_group_tests(tests, kdf_setup, NULL);
	crypto_shutdown();
	return (r);
}
