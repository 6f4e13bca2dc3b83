/*
 * Phase 1 CBC ciphers.  Known answers come from NIST SP 800-38A
 * appendix F.2 (AES-CBC) and the NIST SP 800-67 Triple DES example.
 * DES and Blowfish use classic published single-block values: the DES
 * example with key 133457799bbcdff1 and the all-zero and all-one
 * Blowfish vectors.  IV chaining and the key length rules of RFC 2409
 * Appendix A are checked too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/cipher.h"
#include "crypto/crypto.h"
#include "crypto/rand.h"
#include "lib/err.h"
#include "tv.h"

/* NIST SP 800-38A F.2: the plaintext and IV shared by F.2.1-F.2.6. */
static const char	 sp800_38a_iv[] = "000102030405060708090a0b0c0d0e0f";
static const char	 sp800_38a_pt[] =
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";

static const struct {
	const char	*name;
	const char	*key;
	const char	*ct;
} sp800_38a_cbc[] = {
	{ "F.2.1 CBC-AES128", "2b7e151628aed2a6abf7158809cf4f3c",
	    "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
	    "73bed6b8e3c1743b7116e69e22229516"
	    "3ff1caa1681fac09120eca307586e1a7" },
	{ "F.2.3 CBC-AES192",
	    "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
	    "4f021db243bc633d7178183a9fa071e8b4d9ada9ad7dedf4e5e738763f69145a"
	    "571b242012fb7ae07fa9baac3df102e0"
	    "08b0e27988598881d920a9e64f5615cd" },
	{ "F.2.5 CBC-AES256",
	    "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
	    "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
	    "39f23369a9d9bacfa530e26304231461"
	    "b2eb05e2c39be9fcda6c19078c6a9d1b" },
};

static void
cipher_aes_cbc_known_answers(void **state)
{
	uint8_t		*key, *iv, *pt, *ct, out[64], last[16];
	size_t		 klen, ivlen, ptlen, ctlen, i;

	iv = tv_hex_str(sp800_38a_iv, &ivlen);
	pt = tv_hex_str(sp800_38a_pt, &ptlen);
	for (i = 0; i < sizeof(sp800_38a_cbc) / sizeof(sp800_38a_cbc[0]);
	    i++) {
		key = tv_hex_str(sp800_38a_cbc[i].key, &klen);
		ct = tv_hex_str(sp800_38a_cbc[i].ct, &ctlen);
		assert_int_equal(cipher_encrypt(CIPHER_AES_CBC, key, klen, iv,
		    pt, ptlen, out, last), 0);
		if (memcmp(out, ct, ctlen) != 0)
			fail_msg("%s encryption differs",
			    sp800_38a_cbc[i].name);
		assert_memory_equal(last, ct + ctlen - 16, 16);
		/* Decrypt in place; last is the last ciphertext block. */
		memcpy(out, ct, ctlen);
		memset(last, 0, sizeof(last));
		assert_int_equal(cipher_decrypt(CIPHER_AES_CBC, key, klen, iv,
		    out, ctlen, out, last), 0);
		if (memcmp(out, pt, ptlen) != 0)
			fail_msg("%s decryption differs",
			    sp800_38a_cbc[i].name);
		assert_memory_equal(last, ct + ctlen - 16, 16);
		free(key);
		free(ct);
	}
	free(iv);
	free(pt);
}

/*
 * Encrypt one block with a zero IV, which is the block cipher itself,
 * so ECB known answers apply.
 */
static void
cipher_check_block(enum cipher_alg alg, const char *keyhex,
    const char *pthex, const char *cthex)
{
	static const uint8_t	 zero_iv[8];
	uint8_t			*key, *pt, *ct, out[8];
	size_t			 klen, ptlen, ctlen;

	key = tv_hex_str(keyhex, &klen);
	pt = tv_hex_str(pthex, &ptlen);
	ct = tv_hex_str(cthex, &ctlen);
	assert_int_equal(ptlen, 8);
	assert_int_equal(cipher_encrypt(alg, key, klen, zero_iv, pt, 8, out,
	    NULL), 0);
	if (memcmp(out, ct, 8) != 0)
		fail_msg("%s: key %s block %s: wrong ciphertext",
		    cipher_name(alg), keyhex, pthex);
	assert_int_equal(cipher_decrypt(alg, key, klen, zero_iv, ct, 8, out,
	    NULL), 0);
	assert_memory_equal(out, pt, 8);
	free(key);
	free(pt);
	free(ct);
}

/* NIST SP 800-67 Rev. 1 example: "The qufck brown fox jump". */
static void
cipher_3des_known_answer(void **state)
{
	static const char	 key[] = "0123456789abcdef23456789abcdef01"
	    "456789abcdef0123";

	cipher_check_block(CIPHER_3DES_CBC, key, "5468652071756663",
	    "a826fd8ce53b855f");
	cipher_check_block(CIPHER_3DES_CBC, key, "6b2062726f776e20",
	    "cce21c8112256fe6");
	cipher_check_block(CIPHER_3DES_CBC, key, "666f78206a756d70",
	    "68d5c05dd9b6b900");
}

static void
cipher_legacy_known_answers(void **state)
{
	if (!crypto_legacy_available()) {
		assert_int_equal(cipher_supported(CIPHER_DES_CBC),
		    ERR_UNSUPPORTED);
		skip();
	}
	cipher_check_block(CIPHER_DES_CBC, "133457799bbcdff1",
	    "0123456789abcdef", "85e813540f0ab405");
	cipher_check_block(CIPHER_BLOWFISH_CBC, "0000000000000000",
	    "0000000000000000", "4ef997456198dd78");
	cipher_check_block(CIPHER_BLOWFISH_CBC, "ffffffffffffffff",
	    "ffffffffffffffff", "51866fd5b85ecb8a");
}

/*
 * Encrypt a random message in one call and in two calls chained by the
 * returned last block; both must agree, and decryption must restore it.
 */
static void
cipher_check_round_trip(enum cipher_alg alg, unsigned int keybits)
{
	struct cipher_ctx	*ctx = NULL;
	uint8_t			 key[CIPHER_MAX_KEY], iv[16], last[16];
	uint8_t			 msg[96], whole[96], parts[96], back[96];
	size_t			 keylen, bs = cipher_block_size(alg);

	assert_int_equal(cipher_key_length(alg, keybits, &keylen), 0);
	assert_int_equal(rand_bytes(key, keylen), 0);
	assert_int_equal(rand_bytes(iv, sizeof(iv)), 0);
	assert_int_equal(rand_bytes(msg, sizeof(msg)), 0);
	assert_int_equal(cipher_ctx_new(&ctx, alg, key, keylen), 0);
	assert_int_equal(cipher_ctx_block_size(ctx), bs);
	assert_int_equal(cipher_ctx_encrypt(ctx, iv, msg, sizeof(msg), whole,
	    NULL), 0);
	assert_memory_not_equal(whole, msg, sizeof(msg));
	assert_int_equal(cipher_ctx_encrypt(ctx, iv, msg, 4 * bs, parts,
	    last), 0);
	assert_int_equal(cipher_ctx_encrypt(ctx, last, msg + 4 * bs,
	    sizeof(msg) - 4 * bs, parts + 4 * bs, last), 0);
	assert_memory_equal(parts, whole, sizeof(msg));
	assert_memory_equal(last, whole + sizeof(msg) - bs, bs);
	assert_int_equal(cipher_ctx_decrypt(ctx, iv, whole, sizeof(msg), back,
	    last), 0);
	assert_memory_equal(back, msg, sizeof(msg));
	assert_memory_equal(last, whole + sizeof(msg) - bs, bs);
	cipher_ctx_free(ctx);
}

static void
cipher_round_trips(void **state)
{
	cipher_check_round_trip(CIPHER_AES_CBC, 128);
	cipher_check_round_trip(CIPHER_AES_CBC, 192);
	cipher_check_round_trip(CIPHER_AES_CBC, 256);
	cipher_check_round_trip(CIPHER_3DES_CBC, 0);
	if (!crypto_legacy_available()) {
		printf("skipped DES and Blowfish: OpenSSL legacy provider "
		    "not available\n");
		skip();
	}
	cipher_check_round_trip(CIPHER_DES_CBC, 0);
	cipher_check_round_trip(CIPHER_BLOWFISH_CBC, 40);
	cipher_check_round_trip(CIPHER_BLOWFISH_CBC, 0);
	cipher_check_round_trip(CIPHER_BLOWFISH_CBC, 448);
}

static void
cipher_key_length_rules(void **state)
{
	size_t	 len = 0;

	assert_int_equal(cipher_key_length(CIPHER_AES_CBC, 0, &len), 0);
	assert_int_equal(len, 16);
	assert_int_equal(cipher_key_length(CIPHER_AES_CBC, 256, &len), 0);
	assert_int_equal(len, 32);
	assert_int_equal(cipher_key_length(CIPHER_AES_CBC, 64, &len),
	    ERR_INVAL);
	assert_int_equal(cipher_key_length(CIPHER_AES_CBC, 257, &len),
	    ERR_INVAL);
	assert_int_equal(cipher_key_length(CIPHER_3DES_CBC, 0, &len), 0);
	assert_int_equal(len, 24);
	assert_int_equal(cipher_key_length(CIPHER_3DES_CBC, 192, &len),
	    ERR_INVAL);
	assert_int_equal(cipher_key_length(CIPHER_DES_CBC, 0, &len), 0);
	assert_int_equal(len, 8);
	assert_int_equal(cipher_key_length(CIPHER_BLOWFISH_CBC, 0, &len), 0);
	assert_int_equal(len, 16);
	assert_int_equal(cipher_key_length(CIPHER_BLOWFISH_CBC, 36, &len),
	    ERR_INVAL);
	assert_int_equal(cipher_key_length(CIPHER_BLOWFISH_CBC, 456, &len),
	    ERR_INVAL);
	assert_int_equal(cipher_key_length(2, 0, &len), ERR_UNSUPPORTED);
	assert_int_equal(cipher_block_size(CIPHER_AES_CBC), 16);
	assert_int_equal(cipher_block_size(CIPHER_3DES_CBC), 8);
	assert_int_equal(cipher_block_size(9), 0);
	assert_string_equal(cipher_name(CIPHER_AES_CBC), "aes-cbc");
}

static void
cipher_rejects_bad_arguments(void **state)
{
	static const uint8_t	 key[32], iv[16], in[33];
	struct cipher_ctx	*ctx = (struct cipher_ctx *)1;
	uint8_t			 out[48];

	assert_int_equal(cipher_encrypt(CIPHER_AES_CBC, key, 16, iv, in, 0,
	    out, NULL), ERR_INVAL);
	assert_int_equal(cipher_encrypt(CIPHER_AES_CBC, key, 16, iv, in, 33,
	    out, NULL), ERR_INVAL);
	assert_int_equal(cipher_decrypt(CIPHER_3DES_CBC, key, 24, iv, in, 12,
	    out, NULL), ERR_INVAL);
	assert_int_equal(cipher_ctx_new(&ctx, CIPHER_AES_CBC, key, 20),
	    ERR_INVAL);
	assert_null(ctx);
	assert_int_equal(cipher_ctx_new(&ctx, CIPHER_3DES_CBC, key, 16),
	    ERR_INVAL);
	assert_int_equal(cipher_ctx_new(&ctx, 4, key, 16), ERR_UNSUPPORTED);
	assert_int_equal(cipher_supported(6), ERR_UNSUPPORTED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cipher_aes_cbc_known_answers),
		cmocka_unit_test(cipher_3des_known_answer),
		cmocka_unit_test(cipher_legacy_known_answers),
		cmocka_unit_test(cipher_round_trips),
		cmocka_unit_test(cipher_key_length_rules),
		cmocka_unit_test(cipher_rejects_bad_arguments),
	};
	int	 r;

	if (crypto_init() != 0)
		return (1);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	crypto_shutdown();
	return (r);
}
