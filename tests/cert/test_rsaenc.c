/*
 * PKCS#1 v1.5 RSA encryption for IKEv1 public key encryption: round
 * trips with 2048- and 3072-bit keys, and decryption without a padding
 * oracle.  Malformed ciphertexts (bad padding, wrong length, random
 * bytes, not below the modulus) must return exactly what a well-formed
 * ciphertext of a wrong value returns: success and a message of an
 * acceptable length, random for the malformed ones.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/crypto.h"
#include "crypto/rand.h"
#include "crypto/x509/pkey.h"
#include "crypto/x509/rsaenc.h"
#include "lib/err.h"
#include "lib/wbuf.h"

/* The range a nonce may have (RFC 2409 section 5), and a fallback. */
#define NONCE_MIN	8
#define NONCE_MAX	256
#define FALLBACK	32
#define ROUNDS		64

struct keypair {
	struct pkey	*priv;
	struct pkey	*pub;
	size_t		 k;
};

static void
keypair_make(struct keypair *kp, unsigned int bits)
{
	struct wbuf	der;
	char		why[256];

	assert_int_equal(pkey_generate(&kp->priv, PKEY_RSA, bits, why,
	    sizeof(why)), 0);
	wbuf_init(&der, 0);
	assert_int_equal(pkey_encode_public(kp->priv, &der), 0);
	assert_int_equal(pkey_parse_public(&kp->pub, der.wb_data, der.wb_len,
	    why, sizeof(why)), 0);
	wbuf_free(&der);
	kp->k = rsaenc_size(kp->pub);
	assert_int_equal(kp->k, bits / 8);
}

static void
keypair_free(struct keypair *kp)
{
	pkey_free(kp->priv);
	pkey_free(kp->pub);
}

static void
round_trip(unsigned int bits)
{
	/* A 2048-bit key carries at most 245 bytes, so 256 needs 3072. */
	static const size_t	lens[] = { 8, 16, 32, 64, 245, 256 };
	struct keypair		kp;
	struct wbuf		ct, pt;
	uint8_t			msg[256];
	size_t			i;

	keypair_make(&kp, bits);
	wbuf_init(&ct, 0);
	wbuf_init(&pt, 1);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		if (lens[i] + 11 > kp.k) {
			assert_int_equal(rsaenc_encrypt(kp.pub, msg, lens[i],
			    &ct), ERR_INVAL);
			continue;
		}
		assert_int_equal(rand_bytes(msg, lens[i]), 0);
		assert_int_equal(rsaenc_encrypt(kp.pub, msg, lens[i], &ct), 0);
		assert_int_equal(ct.wb_len, kp.k);
		assert_int_equal(rsaenc_decrypt(kp.priv, ct.wb_data,
		    ct.wb_len, NONCE_MIN, NONCE_MAX, FALLBACK, &pt), 0);
		assert_int_equal(pt.wb_len, lens[i]);
		assert_memory_equal(pt.wb_data, msg, lens[i]);
	}
	wbuf_free(&ct);
	wbuf_free(&pt);
	keypair_free(&kp);
}

static void
rsaenc_round_trip_2048(void **state)
{
	round_trip(2048);
}

static void
rsaenc_round_trip_3072(void **state)
{
	round_trip(3072);
}

/* Kinds of malformed ciphertext. */
enum bad {
	BAD_FIRST_BYTE,		/* 0x01 instead of 0x00 */
	BAD_BLOCK_TYPE,		/* 0x01 (signature padding) instead of 0x02 */
	BAD_NO_SEPARATOR,	/* no zero byte after the padding */
	BAD_SHORT_PADDING,	/* 7 padding bytes */
	BAD_TOO_LONG,		/* valid padding, message beyond NONCE_MAX */
	BAD_TOO_SHORT,		/* valid padding, message below NONCE_MIN */
	BAD_FLIPPED,		/* a valid ciphertext with one bit changed */
	BAD_RANDOM,		/* k random bytes */
	BAD_ZERO,		/* k zero bytes */
	BAD_MODULUS_UP,		/* all ones: not below the modulus */
	BAD_LEN_SHORT,		/* k - 1 bytes */
	BAD_LEN_LONG,		/* k + 1 bytes */
	BAD_EMPTY,		/* no bytes */
	BAD_COUNT
};

/* A valid encryption block 00 02 PS 00 M with mlen random bytes of M. */
static void
block_make(uint8_t *em, size_t k, size_t mlen)
{
	size_t	i;

	assert_true(mlen + 11 <= k);
	assert_int_equal(rand_bytes(em, k), 0);
	em[0] = 0x00;
	em[1] = 0x02;
	for (i = 2; i < k; i++)
		if (em[i] == 0)
			em[i] = 0x5a;
	/* The padding runs up to the separator before the last mlen bytes. */
	em[k - mlen - 1] = 0x00;
}

static void
bad_make(struct keypair *kp, enum bad bad, struct wbuf *ct)
{
	uint8_t	em[RSAENC_MAX_BYTES], msg[32];
	size_t	k = kp->k, i;

	wbuf_reset(ct);
	switch (bad) {
	case BAD_FIRST_BYTE:
	case BAD_BLOCK_TYPE:
	case BAD_NO_SEPARATOR:
	case BAD_SHORT_PADDING:
	case BAD_TOO_LONG:
	case BAD_TOO_SHORT:
		block_make(em, k, 32);
		if (bad == BAD_FIRST_BYTE)
			em[0] = 0x01;
		else if (bad == BAD_BLOCK_TYPE)
			em[1] = 0x01;
		else if (bad == BAD_NO_SEPARATOR)
			em[k - 33] = 0x77;
		else if (bad == BAD_SHORT_PADDING) {
			for (i = 2; i < k; i++)
				if (em[i] == 0)
					em[i] = 0x33;
			em[9] = 0x00;
		} else if (bad == BAD_TOO_LONG) {
			/* One byte more than NONCE_MAX or than the key holds. */
			em[k - 33] = 0x44;
			em[k - (NONCE_MAX < k - 11 ? NONCE_MAX : k - 11) - 2] =
			    0x00;
		} else {
			em[k - 33] = 0x44;
			em[k - NONCE_MIN] = 0x00;
		}
		/* A top byte of 0 or 1 keeps the block below the modulus. */
		assert_int_equal(rsaenc_raw_public(kp->pub, em, k, ct), 0);
		return;
	case BAD_FLIPPED:
		assert_int_equal(rand_bytes(msg, sizeof(msg)), 0);
		assert_int_equal(rsaenc_encrypt(kp->pub, msg, sizeof(msg), ct),
		    0);
		ct->wb_data[k / 2] ^= 0x10;
		return;
	case BAD_RANDOM:
		assert_int_equal(rand_bytes(em, k), 0);
		break;
	case BAD_ZERO:
		memset(em, 0, k);
		break;
	case BAD_MODULUS_UP:
		memset(em, 0xff, k);
		break;
	case BAD_LEN_SHORT:
		assert_int_equal(rand_bytes(em, k - 1), 0);
		assert_int_equal(wbuf_put(ct, em, k - 1), 0);
		return;
	case BAD_LEN_LONG:
		assert_int_equal(rand_bytes(em, k + 1), 0);
		assert_int_equal(wbuf_put(ct, em, k + 1), 0);
		return;
	case BAD_EMPTY:
	case BAD_COUNT:
		return;
	}
	assert_int_equal(wbuf_put(ct, em, k), 0);
}

/*
 * The result of one decryption as a caller may see it: the return code
 * and whether the length is acceptable.  Both sets must give the same.
 */
static void
decrypt_check(struct keypair *kp, const struct wbuf *ct, struct wbuf *pt)
{
	assert_int_equal(rsaenc_decrypt(kp->priv, ct->wb_data, ct->wb_len,
	    NONCE_MIN, NONCE_MAX, FALLBACK, pt), 0);
	assert_true(pt->wb_len >= NONCE_MIN);
	assert_true(pt->wb_len <= NONCE_MAX);
}

static void
oracle_free(unsigned int bits)
{
	struct keypair	kp;
	struct wbuf	ct, pt, first;
	uint8_t		msg[FALLBACK];
	int		bad, r;

	keypair_make(&kp, bits);
	wbuf_init(&ct, 0);
	wbuf_init(&pt, 1);
	wbuf_init(&first, 1);
	for (r = 0; r < ROUNDS; r++) {
		/* A well-formed ciphertext of a value the peer did not send. */
		assert_int_equal(rand_bytes(msg, sizeof(msg)), 0);
		assert_int_equal(rsaenc_encrypt(kp.pub, msg, sizeof(msg), &ct),
		    0);
		decrypt_check(&kp, &ct, &pt);
		assert_int_equal(pt.wb_len, sizeof(msg));
		assert_memory_equal(pt.wb_data, msg, sizeof(msg));
		for (bad = 0; bad < BAD_COUNT; bad++) {
			bad_make(&kp, (enum bad)bad, &ct);
			decrypt_check(&kp, &ct, &pt);
			/* The random stand-in has the fallback length. */
			assert_int_equal(pt.wb_len, FALLBACK);
			/* It is fresh each time, so it reveals nothing. */
			wbuf_reset(&first);
			assert_int_equal(wbuf_put(&first, pt.wb_data,
			    pt.wb_len), 0);
			decrypt_check(&kp, &ct, &pt);
			assert_int_equal(pt.wb_len, FALLBACK);
			assert_memory_not_equal(pt.wb_data, first.wb_data,
			    FALLBACK);
		}
	}
	wbuf_free(&ct);
	wbuf_free(&pt);
	wbuf_free(&first);
	keypair_free(&kp);
}

static void
rsaenc_oracle_free_2048(void **state)
{
	oracle_free(2048);
}

static void
rsaenc_oracle_free_3072(void **state)
{
	oracle_free(3072);
}

/* Misuse that depends on the configuration, not on the ciphertext. */
static void
rsaenc_invalid_arguments(void **state)
{
	struct keypair	 kp;
	struct pkey	*ec;
	struct wbuf	 ct, pt;
	uint8_t		 msg[256] = { 1 };
	char		 why[256];

	keypair_make(&kp, 2048);
	wbuf_init(&ct, 0);
	wbuf_init(&pt, 1);
	/* 256 - 11 bytes is the most a 2048-bit key can carry. */
	assert_int_equal(rsaenc_encrypt(kp.pub, msg, 246, &ct), ERR_INVAL);
	assert_int_equal(rsaenc_encrypt(kp.pub, msg, 245, &ct), 0);
	assert_int_equal(rsaenc_encrypt(kp.pub, msg, 0, &ct), ERR_INVAL);
	/* A public key cannot decrypt. */
	assert_int_equal(rsaenc_decrypt(kp.pub, ct.wb_data, ct.wb_len,
	    NONCE_MIN, NONCE_MAX, FALLBACK, &pt), ERR_INVAL);
	/* The fallback must lie in the range. */
	assert_int_equal(rsaenc_decrypt(kp.priv, ct.wb_data, ct.wb_len,
	    NONCE_MIN, NONCE_MAX, 4, &pt), ERR_INVAL);
	assert_int_equal(rsaenc_decrypt(kp.priv, ct.wb_data, ct.wb_len,
	    NONCE_MIN, FALLBACK - 1, FALLBACK, &pt), ERR_INVAL);
	assert_int_equal(pkey_generate(&ec, PKEY_EC, 256, why, sizeof(why)),
	    0);
	assert_int_equal(rsaenc_size(ec), 0);
	assert_int_equal(rsaenc_encrypt(ec, msg, 16, &ct), ERR_INVAL);
	pkey_free(ec);
	wbuf_free(&ct);
	wbuf_free(&pt);
	keypair_free(&kp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rsaenc_round_trip_2048),
		cmocka_unit_test(rsaenc_round_trip_3072),
		cmocka_unit_test(rsaenc_oracle_free_2048),
		cmocka_unit_test(rsaenc_oracle_free_3072),
		cmocka_unit_test(rsaenc_invalid_arguments),
	};

	if (crypto_init() != 0)
		return (1);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
