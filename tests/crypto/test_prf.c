/*
 * The PRF against OpenSSL's own HMAC (EVP_Q_mac) for every hash, with
 * keys and messages around the hash block size, one-shot, in pieces,
 * reused after prf_final(), and from two threads at once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "crypto/crypto.h"
#include "crypto/hash.h"
#include "crypto/prf.h"
#include "crypto/rand.h"

static const struct {
	enum hash_alg	 alg;
	const char	*openssl;
	size_t		 block;
} prf_hashes[] = {
	{ HASH_MD5,	"MD5",		64 },
	{ HASH_SHA1,	"SHA1",		64 },
	{ HASH_SHA256,	"SHA2-256",	64 },
	{ HASH_SHA384,	"SHA2-384",	128 },
	{ HASH_SHA512,	"SHA2-512",	128 },
};

#define NHASHES		(sizeof(prf_hashes) / sizeof(prf_hashes[0]))
#define NLENGTHS	6
#define THREAD_ROUNDS	500

static uint8_t	 key[200], msg[200];

static int
prf_setup(void **state)
{
	if (rand_bytes(key, sizeof(key)) != 0 ||
	    rand_bytes(msg, sizeof(msg)) != 0)
		return (-1);
	return (0);
}

/* The lengths to try for hash i: 0, 1, block - 1, block, block + 1, 200. */
static void
prf_lengths(size_t i, size_t lens[NLENGTHS])
{
	lens[0] = 0;
	lens[1] = 1;
	lens[2] = prf_hashes[i].block - 1;
	lens[3] = prf_hashes[i].block;
	lens[4] = prf_hashes[i].block + 1;
	lens[5] = 200;
}

/* HMAC from OpenSSL's EVP_MAC "HMAC", the reference for every case. */
static void
prf_reference(size_t i, size_t keylen, size_t len, uint8_t *out)
{
	static const uint8_t	 empty[1];
	size_t			 outlen = 0;

	assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, prf_hashes[i].openssl,
	    NULL, keylen > 0 ? key : empty, keylen, msg, len, out,
	    PRF_MAX_LEN, &outlen));
	assert_int_equal(outlen, prf_length(prf_hashes[i].alg));
}

static void
prf_compute_matches_evp_mac(void **state)
{
	uint8_t	 want[PRF_MAX_LEN], got[PRF_MAX_LEN];
	size_t	 i, k, m, lens[NLENGTHS], outlen;

	for (i = 0; i < NHASHES; i++) {
		prf_lengths(i, lens);
		outlen = prf_length(prf_hashes[i].alg);
		for (k = 0; k < NLENGTHS; k++) {
			for (m = 0; m < NLENGTHS; m++) {
				prf_reference(i, lens[k], lens[m], want);
				memset(got, 0, sizeof(got));
				assert_int_equal(prf_compute(prf_hashes[i].alg,
				    key, lens[k], msg, lens[m], got,
				    sizeof(got)), 0);
				if (memcmp(got, want, outlen) != 0)
					fail_msg("%s key %zu bytes, message "
					    "%zu bytes: differs from EVP_MAC",
					    prf_hashes[i].openssl, lens[k],
					    lens[m]);
			}
		}
	}
}

/* Feed msg[0..len): up to three single bytes, then the rest at once. */
static void
prf_feed_pieces(struct prf_ctx *ctx, size_t len)
{
	size_t	 off;

	for (off = 0; off < len && off < 3; off++)
		assert_int_equal(prf_update(ctx, msg + off, 1), 0);
	assert_int_equal(prf_update(ctx, NULL, 0), 0);
	if (off < len)
		assert_int_equal(prf_update(ctx, msg + off, len - off), 0);
}

/*
 * One context per key computes every message length in turn, so each
 * computation after the first reuses the context after prf_final().
 */
static void
prf_reused_context_matches_evp_mac(void **state)
{
	struct prf_ctx	*ctx;
	uint8_t		 want[PRF_MAX_LEN], got[PRF_MAX_LEN];
	size_t		 i, k, m, lens[NLENGTHS], outlen;

	for (i = 0; i < NHASHES; i++) {
		prf_lengths(i, lens);
		outlen = prf_length(prf_hashes[i].alg);
		for (k = 0; k < NLENGTHS; k++) {
			ctx = NULL;
			assert_int_equal(prf_init(&ctx, prf_hashes[i].alg,
			    key, lens[k]), 0);
			for (m = 0; m < NLENGTHS; m++) {
				prf_reference(i, lens[k], lens[m], want);
				prf_feed_pieces(ctx, lens[m]);
				memset(got, 0, sizeof(got));
				assert_int_equal(prf_final(ctx, got, outlen),
				    0);
				if (memcmp(got, want, outlen) != 0)
					fail_msg("%s key %zu bytes, message "
					    "%zu bytes, computation %zu: "
					    "differs from EVP_MAC",
					    prf_hashes[i].openssl, lens[k],
					    lens[m], m + 1);
			}
			prf_free(ctx);
		}
	}
}

/* Two contexts used in turn keep their own keys and messages. */
static void
prf_interleaved_contexts(void **state)
{
	struct prf_ctx	*a = NULL, *b = NULL;
	uint8_t		 want_a[PRF_MAX_LEN], want_b[PRF_MAX_LEN];
	uint8_t		 got[PRF_MAX_LEN];
	size_t		 outlen;

	outlen = prf_length(HASH_SHA256);
	assert_int_equal(prf_compute(HASH_SHA256, key, 20, msg, 100, want_a,
	    sizeof(want_a)), 0);
	assert_int_equal(prf_compute(HASH_SHA256, key + 20, 65, msg + 100,
	    100, want_b, sizeof(want_b)), 0);
	assert_int_equal(prf_init(&a, HASH_SHA256, key, 20), 0);
	assert_int_equal(prf_init(&b, HASH_SHA256, key + 20, 65), 0);
	assert_int_equal(prf_update(a, msg, 50), 0);
	assert_int_equal(prf_update(b, msg + 100, 50), 0);
	assert_int_equal(prf_update(a, msg + 50, 50), 0);
	assert_int_equal(prf_update(b, msg + 150, 50), 0);
	assert_int_equal(prf_final(a, got, outlen), 0);
	assert_memory_equal(got, want_a, outlen);
	assert_int_equal(prf_final(b, got, outlen), 0);
	assert_memory_equal(got, want_b, outlen);
	prf_free(a);
	prf_free(b);
}

struct prf_thread {
	size_t	 pt_hash;
	int	 pt_mismatches;
};

static void *
prf_thread_run(void *arg)
{
	struct prf_thread	*pt = arg;
	uint8_t			 want[PRF_MAX_LEN], got[PRF_MAX_LEN];
	size_t			 n, outlen, keylen, len, refl;
	const char		*name;

	name = prf_hashes[pt->pt_hash].openssl;
	outlen = prf_length(prf_hashes[pt->pt_hash].alg);
	for (n = 0; n < THREAD_ROUNDS; n++) {
		keylen = n % sizeof(key);
		len = (n * 7) % sizeof(msg);
		if (EVP_Q_mac(NULL, "HMAC", NULL, name, NULL, key, keylen,
		    msg, len, want, sizeof(want), &refl) == NULL ||
		    prf_compute(prf_hashes[pt->pt_hash].alg, key, keylen, msg,
		    len, got, sizeof(got)) != 0 ||
		    memcmp(got, want, outlen) != 0)
			pt->pt_mismatches++;
	}
	return (NULL);
}

/* Concurrent threads with different hashes share no PRF state. */
static void
prf_threads_agree(void **state)
{
	struct prf_thread	 pt[2] = { { 2, 0 }, { 4, 0 } };
	pthread_t		 tid[2];
	size_t			 i;

	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&tid[i], NULL, prf_thread_run,
		    &pt[i]), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(tid[i], NULL), 0);
	assert_int_equal(pt[0].pt_mismatches, 0);
	assert_int_equal(pt[1].pt_mismatches, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prf_compute_matches_evp_mac),
		cmocka_unit_test(prf_reused_context_matches_evp_mac),
		cmocka_unit_test(prf_interleaved_contexts),
		cmocka_unit_test(prf_threads_agree),
	};
	int	 r;

	if (crypto_init() != 0) {
		fprintf(stderr, "crypto_init failed\n");
		return (1);
	}
	r = cmocka_run_group_tests(tests, prf_setup, NULL);
	crypto_shutdown();
	return (r);
}
