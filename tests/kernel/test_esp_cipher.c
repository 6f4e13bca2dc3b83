/*
 * ESP ciphers and integrity algorithms: truncated HMAC known answers,
 * an AES-CBC known answer, seal/open round trips for every transform,
 * ICV tampering and parameter checks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/esp/esp_cipher.h"
#include "lib/err.h"
#include "lib/util.h"

static uint8_t	key_0b[64];

static struct esp_cipher *
cipher_new(uint16_t encr, const uint8_t *ekey, size_t ekeylen, uint16_t auth,
    const uint8_t *akey, size_t akeylen, int encrypt)
{
	struct esp_cipher_params	 p;
	struct esp_cipher		*ec = NULL;

	memset(&p, 0, sizeof(p));
	p.ecp_encr = encr;
	p.ecp_encr_key = ekey;
	p.ecp_encr_keylen = ekeylen;
	p.ecp_auth = auth;
	p.ecp_auth_key = akey;
	p.ecp_auth_keylen = akeylen;
	assert_int_equal(esp_cipher_new(&ec, &p, encrypt), 0);
	return (ec);
}

/*
 * HMAC of "Hi There" under a key of 0x0b bytes as long as the output
 * (RFC 2202 test 1 for MD5 and SHA-1; the SHA-2 values were computed
 * with Python's hmac module), truncated as RFC 2403, 2404 and 4868
 * specify.
 */
static void
hmac_truncation(void **state)
{
	static const struct {
		uint16_t	 auth;
		size_t		 keylen;
		const char	*icv;
	} cases[] = {
		{ ESP_CIPHER_AUTH_HMAC_MD5, 16, "9294727a3638bb1c13f48ef8" },
		{ ESP_CIPHER_AUTH_HMAC_SHA1, 20, "b617318655057264e28bc0b6" },
		{ ESP_CIPHER_AUTH_HMAC_SHA2_256, 32,
		  "198a607eb44bfbc69903a0f1cf2bbdc5" },
		{ ESP_CIPHER_AUTH_HMAC_SHA2_384, 48,
		  "b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee973" },
		{ ESP_CIPHER_AUTH_HMAC_SHA2_512, 64,
		  "637edc6e01dce7e6742a99451aae82df"
		  "23da3e92439e590e43e761b33e910fb8" },
	};
	struct esp_cipher	*ec;
	uint8_t			 want[32], icv[32];
	size_t			 i, len;

	memset(key_0b, 0x0b, sizeof(key_0b));
	for (i = 0; i < UTIL_NELEM(cases); i++) {
		ec = cipher_new(ESP_CIPHER_ENCR_NULL, NULL, 0, cases[i].auth,
		    key_0b, cases[i].keylen, 1);
		assert_int_equal(util_hex_decode(want, sizeof(want),
		    cases[i].icv, &len), 0);
		assert_int_equal(esp_cipher_icv_len(ec), len);
		assert_int_equal(esp_cipher_mac(ec, (const uint8_t *)"Hi There",
		    8, icv), 0);
		assert_memory_equal(icv, want, len);
		esp_cipher_free(ec);
	}
}

/* RFC 3602 section 4, case 1, carried in an ESP packet. */
static void
aes_cbc_known_answer(void **state)
{
	static const uint8_t	key[16] = {
		0x06, 0xa9, 0x21, 0x40, 0x36, 0xb8, 0xa1, 0x5b,
		0x51, 0x2e, 0x03, 0xd5, 0x34, 0x12, 0x00, 0x06 };
	static const uint8_t	iv[16] = {
		0x3d, 0xaf, 0xba, 0x42, 0x9d, 0x9e, 0xb4, 0x30,
		0xb4, 0x22, 0xda, 0x80, 0x2c, 0x9f, 0xac, 0x41 };
	static const uint8_t	ct[16] = {
		0xe3, 0x53, 0x77, 0x9c, 0x10, 0x79, 0xae, 0xb8,
		0x27, 0x08, 0x94, 0x2d, 0xbe, 0x77, 0x18, 0x1a };
	struct esp_cipher	*ec;
	uint8_t			 pkt[8 + 16 + 16 + 16];

	ec = cipher_new(ESP_CIPHER_ENCR_AES_CBC, key, 16,
	    ESP_CIPHER_AUTH_HMAC_SHA2_256, key_0b, 32, 0);
	memset(pkt, 0x11, 8);
	memcpy(pkt + 8, iv, 16);
	memcpy(pkt + 24, ct, 16);
	assert_int_equal(esp_cipher_mac(ec, pkt, 40, pkt + 40), 0);
	assert_int_equal(esp_cipher_open(ec, pkt, sizeof(pkt)), 0);
	assert_memory_equal(pkt + 24, "Single block msg", 16);
	esp_cipher_free(ec);
}

struct transform {
	uint16_t	encr;
	size_t		ekeylen;
	uint16_t	auth;
	size_t		akeylen;
	size_t		iv;
	size_t		icv;
	size_t		align;
};

static const struct transform transforms[] = {
	{ ESP_CIPHER_ENCR_AES_CBC, 16, ESP_CIPHER_AUTH_HMAC_SHA1, 20, 16, 12,
	  16 },
	{ ESP_CIPHER_ENCR_AES_CBC, 24, ESP_CIPHER_AUTH_HMAC_SHA2_256, 32, 16,
	  16, 16 },
	{ ESP_CIPHER_ENCR_AES_CBC, 32, ESP_CIPHER_AUTH_HMAC_SHA2_512, 64, 16,
	  32, 16 },
	{ ESP_CIPHER_ENCR_3DES, 24, ESP_CIPHER_AUTH_HMAC_MD5, 16, 8, 12, 8 },
	{ ESP_CIPHER_ENCR_3DES, 24, ESP_CIPHER_AUTH_HMAC_SHA2_384, 48, 8, 24,
	  8 },
	{ ESP_CIPHER_ENCR_NULL, 0, ESP_CIPHER_AUTH_HMAC_SHA1, 20, 0, 12, 4 },
	{ ESP_CIPHER_ENCR_AES_GCM_8, 20, ESP_CIPHER_AUTH_NONE, 0, 8, 8, 4 },
	{ ESP_CIPHER_ENCR_AES_GCM_12, 28, ESP_CIPHER_AUTH_NONE, 0, 8, 12, 4 },
	{ ESP_CIPHER_ENCR_AES_GCM_16, 36, ESP_CIPHER_AUTH_NONE, 0, 8, 16, 4 },
};

static void
transform_pair(const struct transform *t, struct esp_cipher **out,
    struct esp_cipher **in)
{
	uint8_t	ekey[64], akey[64];
	size_t	i;

	for (i = 0; i < sizeof(ekey); i++) {
		ekey[i] = (uint8_t)(i * 7 + 1);
		akey[i] = (uint8_t)(i * 13 + 5);
	}
	*out = cipher_new(t->encr, ekey, t->ekeylen, t->auth, akey,
	    t->akeylen, 1);
	*in = cipher_new(t->encr, ekey, t->ekeylen, t->auth, akey,
	    t->akeylen, 0);
}

/* Build header, IV room and an aligned plaintext; returns its end. */
static size_t
packet_fill(struct esp_cipher *ec, uint8_t *pkt, size_t payload)
{
	size_t	off = 8 + esp_cipher_iv_len(ec), i;

	memcpy(pkt, "\x00\x00\x10\x00\x00\x00\x00\x01", 8);
	for (i = 0; i < payload; i++)
		pkt[off + i] = (uint8_t)i;
	return (off + payload);
}

static void
seal_open_round_trip(void **state)
{
	struct esp_cipher	*out, *in;
	uint8_t			 pkt[256], copy[256];
	size_t			 i, len;

	for (i = 0; i < UTIL_NELEM(transforms); i++) {
		transform_pair(&transforms[i], &out, &in);
		assert_int_equal(esp_cipher_iv_len(out), transforms[i].iv);
		assert_int_equal(esp_cipher_icv_len(out), transforms[i].icv);
		assert_int_equal(esp_cipher_align(out), transforms[i].align);
		len = packet_fill(out, pkt, 48);
		memcpy(copy, pkt, len);
		assert_int_equal(esp_cipher_seal(out, pkt, len, 1), 0);
		if (transforms[i].encr != ESP_CIPHER_ENCR_NULL)
			assert_memory_not_equal(pkt + len - 48,
			    copy + len - 48, 48);
		assert_int_equal(esp_cipher_open(in, pkt,
		    len + transforms[i].icv), 0);
		assert_memory_equal(pkt + len - 48, copy + len - 48, 48);
		esp_cipher_free(out);
		esp_cipher_free(in);
	}
}

/* Every byte from the SPI to the ICV is covered by the ICV. */
static void
tampered_byte_fails_icv(void **state)
{
	struct esp_cipher	*out, *in;
	uint8_t			 sealed[256], pkt[256];
	size_t			 i, j, len, total;

	for (i = 0; i < UTIL_NELEM(transforms); i++) {
		transform_pair(&transforms[i], &out, &in);
		len = packet_fill(out, sealed, 32);
		assert_int_equal(esp_cipher_seal(out, sealed, len, 7), 0);
		total = len + transforms[i].icv;
		for (j = 0; j < total; j++) {
			memcpy(pkt, sealed, total);
			pkt[j] ^= 0x01;
			assert_int_equal(esp_cipher_open(in, pkt, total),
			    ERR_AUTH);
		}
		esp_cipher_free(out);
		esp_cipher_free(in);
	}
}

static void
gcm_iv_is_counter(void **state)
{
	static const uint8_t	want[8] = { 0, 0, 0, 1, 0, 0, 0, 42 };
	struct esp_cipher	*out, *in;
	uint8_t			 pkt[128];
	size_t			 len;

	transform_pair(&transforms[8], &out, &in);
	len = packet_fill(out, pkt, 16);
	assert_int_equal(esp_cipher_seal(out, pkt, len, 0x10000002aULL), 0);
	assert_memory_equal(pkt + 8, want, 8);
	esp_cipher_free(out);
	esp_cipher_free(in);
}

static void
cbc_iv_is_random(void **state)
{
	struct esp_cipher	*out, *in;
	uint8_t			 a[128], b[128];
	size_t			 len;

	transform_pair(&transforms[0], &out, &in);
	len = packet_fill(out, a, 16);
	packet_fill(out, b, 16);
	assert_int_equal(esp_cipher_seal(out, a, len, 1), 0);
	assert_int_equal(esp_cipher_seal(out, b, len, 1), 0);
	assert_memory_not_equal(a + 8, b + 8, 16);
	esp_cipher_free(out);
	esp_cipher_free(in);
}

static void
cbc_unaligned_ciphertext_rejected(void **state)
{
	struct esp_cipher	*out, *in;
	uint8_t			 pkt[128];
	size_t			 len;

	transform_pair(&transforms[0], &out, &in);
	len = packet_fill(out, pkt, 20);
	/* A valid ICV over a ciphertext that is not whole blocks. */
	assert_int_equal(esp_cipher_mac(in, pkt, len, pkt + len), 0);
	assert_int_equal(esp_cipher_open(in, pkt, len + 12), ERR_MALFORMED);
	assert_int_equal(esp_cipher_open(in, pkt, 8 + 16 + 11),
	    ERR_TRUNCATED);
	esp_cipher_free(out);
	esp_cipher_free(in);
}

static void
parameters_checked(void **state)
{
	struct esp_cipher_params	 p;
	struct esp_cipher		*ec;
	uint8_t				 key[64] = { 0 };

	memset(&p, 0, sizeof(p));
	p.ecp_encr_key = key;
	p.ecp_auth_key = key;
	/* Unknown transform. */
	p.ecp_encr = 2;
	p.ecp_encr_keylen = 8;
	assert_int_equal(esp_cipher_new(&ec, &p, 1), ERR_UNSUPPORTED);
	assert_null(ec);
	/* AES-CBC with a 20-byte key. */
	p.ecp_encr = ESP_CIPHER_ENCR_AES_CBC;
	p.ecp_encr_keylen = 20;
	p.ecp_auth = ESP_CIPHER_AUTH_HMAC_SHA1;
	p.ecp_auth_keylen = 20;
	assert_int_equal(esp_cipher_new(&ec, &p, 1), ERR_INVAL);
	/* HMAC-SHA-256 with a 20-byte key. */
	p.ecp_encr_keylen = 16;
	p.ecp_auth = ESP_CIPHER_AUTH_HMAC_SHA2_256;
	assert_int_equal(esp_cipher_new(&ec, &p, 1), ERR_INVAL);
	/* CBC without integrity. */
	p.ecp_auth = ESP_CIPHER_AUTH_NONE;
	p.ecp_auth_keylen = 0;
	assert_int_equal(esp_cipher_new(&ec, &p, 1), ERR_UNSUPPORTED);
	/* GCM with an HMAC as well. */
	p.ecp_encr = ESP_CIPHER_ENCR_AES_GCM_16;
	p.ecp_encr_keylen = 20;
	p.ecp_auth = ESP_CIPHER_AUTH_HMAC_SHA1;
	p.ecp_auth_keylen = 20;
	assert_int_equal(esp_cipher_new(&ec, &p, 1), ERR_UNSUPPORTED);
	/* GCM key without its salt. */
	p.ecp_auth = ESP_CIPHER_AUTH_NONE;
	p.ecp_auth_keylen = 0;
	p.ecp_encr_keylen = 16;
	assert_int_equal(esp_cipher_new(&ec, &p, 1), ERR_INVAL);
	/* Unknown integrity algorithm. */
	p.ecp_encr = ESP_CIPHER_ENCR_NULL;
	p.ecp_encr_keylen = 0;
	p.ecp_auth = 3;
	p.ecp_auth_keylen = 16;
	assert_int_equal(esp_cipher_new(&ec, &p, 1), ERR_UNSUPPORTED);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(hmac_truncation),
		cmocka_unit_test(aes_cbc_known_answer),
		cmocka_unit_test(seal_open_round_trip),
		cmocka_unit_test(tampered_byte_fails_icv),
		cmocka_unit_test(gcm_iv_is_counter),
		cmocka_unit_test(cbc_iv_is_random),
		cmocka_unit_test(cbc_unaligned_ciphertext_rejected),
		cmocka_unit_test(parameters_checked),
	};

	memset(key_0b, 0x0b, sizeof(key_0b));
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
