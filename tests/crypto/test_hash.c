/*
 * Hashes (the "abc" answers of RFC 1321 and FIPS 180-4), incremental
 * hash and PRF against one-shot, key lengths, and random bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "crypto/crypto.h"
#include "crypto/hash.h"
#include "crypto/prf.h"
#include "crypto/rand.h"
#include "lib/err.h"
#include "tv.h"

static const struct {
	enum hash_alg	 alg;
	const char	*name;
	size_t		 len;
	const char	*abc;
} hash_cases[] = {
	{ HASH_MD5, "md5", 16, "900150983cd24fb0d6963f7d28e17f72" },
	{ HASH_SHA1, "sha1", 20, "a9993e364706816aba3e25717850c26c9cd0d89d" },
	{ HASH_SHA256, "sha256", 32,
	    "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad" },
	{ HASH_SHA384, "sha384", 48,
	    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
	    "8086072ba1e7cc2358baeca134c825a7" },
	{ HASH_SHA512, "sha512", 64,
	    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	    "2192992a274fc1a836ba3c23a3feebbd"
	    "454d4423643ce80e2a9ac94fa54ca49f" },
};

#define NCASES	(sizeof(hash_cases) / sizeof(hash_cases[0]))

static void
hash_abc_known_answers(void **state)
{
	struct hash_ctx	*ctx = NULL;
	uint8_t		 out[HASH_MAX_LEN], *want;
	size_t		 i, len;

	for (i = 0; i < NCASES; i++) {
		want = tv_hex_str(hash_cases[i].abc, &len);
		assert_int_equal(hash_length(hash_cases[i].alg), len);
		assert_int_equal(prf_length(hash_cases[i].alg), len);
		assert_string_equal(hash_name(hash_cases[i].alg),
		    hash_cases[i].name);
		assert_int_equal(hash_digest(hash_cases[i].alg, "abc", 3, out,
		    sizeof(out)), 0);
		assert_memory_equal(out, want, len);

		/* The same in pieces, and twice from a fresh context. */
		assert_int_equal(hash_init(&ctx, hash_cases[i].alg), 0);
		assert_int_equal(hash_update(ctx, "a", 1), 0);
		assert_int_equal(hash_update(ctx, NULL, 0), 0);
		assert_int_equal(hash_update(ctx, "bc", 2), 0);
		memset(out, 0, sizeof(out));
		assert_int_equal(hash_final(ctx, out, len), 0);
		assert_memory_equal(out, want, len);
		assert_int_equal(hash_final(ctx, out, len - 1), ERR_INVAL);
		/* The context starts over after final. */
		assert_int_equal(hash_update(ctx, "abc", 3), 0);
		memset(out, 0, sizeof(out));
		assert_int_equal(hash_final(ctx, out, len), 0);
		assert_memory_equal(out, want, len);
		hash_free(ctx);
		free(want);
	}
	assert_int_equal(hash_length(3), 0);
	assert_string_equal(hash_name(3), "unknown");
	assert_int_equal(hash_digest(3, "abc", 3, out, sizeof(out)),
	    ERR_UNSUPPORTED);
	assert_int_equal(hash_digest(HASH_SHA256, "abc", 3, out, 31),
	    ERR_INVAL);
	assert_int_equal(hash_init(&ctx, 0), ERR_UNSUPPORTED);
	assert_null(ctx);
}

/* Incremental PRF equals one-shot, and stays keyed after final. */
static void
prf_incremental_matches(void **state)
{
	struct prf_ctx	*ctx = NULL;
	uint8_t		 key[300], msg[1000];
	uint8_t		 one[PRF_MAX_LEN], inc[PRF_MAX_LEN];
	size_t		 i, k, len;
	static const size_t	 keylens[] = { 0, 1, 20, 64, 128, 129, 300 };

	assert_int_equal(rand_bytes(key, sizeof(key)), 0);
	assert_int_equal(rand_bytes(msg, sizeof(msg)), 0);
	for (i = 0; i < NCASES; i++) {
		len = prf_length(hash_cases[i].alg);
		for (k = 0; k < sizeof(keylens) / sizeof(keylens[0]); k++) {
			assert_int_equal(prf_compute(hash_cases[i].alg, key,
			    keylens[k], msg, sizeof(msg), one, sizeof(one)),
			    0);
			assert_int_equal(prf_init(&ctx, hash_cases[i].alg, key,
			    keylens[k]), 0);
			assert_int_equal(prf_ctx_length(ctx), len);
			assert_int_equal(prf_update(ctx, msg, 333), 0);
			assert_int_equal(prf_update(ctx, msg + 333,
			    sizeof(msg) - 333), 0);
			assert_int_equal(prf_final(ctx, inc, sizeof(inc)), 0);
			assert_memory_equal(inc, one, len);
			/* Reused with the same key for a second message. */
			assert_int_equal(prf_update(ctx, msg, sizeof(msg)), 0);
			memset(inc, 0, sizeof(inc));
			assert_int_equal(prf_final(ctx, inc, len), 0);
			assert_memory_equal(inc, one, len);
			assert_int_equal(prf_final(ctx, inc, len - 1),
			    ERR_INVAL);
			prf_free(ctx);
		}
	}
	assert_int_equal(prf_compute(HASH_SHA1, key, 4, msg, 4, one, 19),
	    ERR_INVAL);
	assert_int_equal(prf_compute(8, key, 4, msg, 4, one, sizeof(one)),
	    ERR_UNSUPPORTED);
	assert_int_equal(prf_init(&ctx, 8, key, 4), ERR_UNSUPPORTED);
	assert_null(ctx);
}

/* A key longer than the block is replaced by its hash (RFC 2104). */
static void
prf_long_key_is_hashed(void **state)
{
	uint8_t		 key[200], kh[HASH_MAX_LEN];
	uint8_t		 a[PRF_MAX_LEN], b[PRF_MAX_LEN];
	size_t		 i;

	assert_int_equal(rand_bytes(key, sizeof(key)), 0);
	for (i = 0; i < NCASES; i++) {
		assert_int_equal(hash_digest(hash_cases[i].alg, key,
		    sizeof(key), kh, sizeof(kh)), 0);
		assert_int_equal(prf_compute(hash_cases[i].alg, key,
		    sizeof(key), "data", 4, a, sizeof(a)), 0);
		assert_int_equal(prf_compute(hash_cases[i].alg, kh,
		    hash_cases[i].len, "data", 4, b, sizeof(b)), 0);
		assert_memory_equal(a, b, hash_cases[i].len);
	}
}

static void
rand_bytes_distinct(void **state)
{
	uint8_t		 a[32], b[32], zero[32];
	int		 i;

	memset(zero, 0, sizeof(zero));
	assert_int_equal(rand_bytes(a, sizeof(a)), 0);
	for (i = 0; i < 16; i++) {
		assert_int_equal(rand_bytes(b, sizeof(b)), 0);
		assert_memory_not_equal(a, b, sizeof(a));
		assert_memory_not_equal(b, zero, sizeof(b));
		memcpy(a, b, sizeof(a));
	}
	assert_int_equal(rand_bytes(a, 0), 0);
}

/*
 * Small requests in many sizes, across several refills of the buffer,
 * leave no output zero.  This fails if bytes are wiped before the copy.
 */
static void
rand_small_requests_filled(void **state)
{
	uint8_t	 out[2000], zero[16];
	size_t	 off, n, zeros;

	memset(out, 0, sizeof(out));
	memset(zero, 0, sizeof(zero));
	for (off = 0, n = 1; off + n <= sizeof(out); off += n, n = n % 64 + 1)
		assert_int_equal(rand_bytes(out + off, n), 0);
	for (zeros = 0, n = 0; n < off; n++)
		if (out[n] == 0)
			zeros++;
	/* About off / 256 (8) zero bytes are expected. */
	assert_true(zeros < 60);
	for (n = 0; n + sizeof(zero) <= off; n += sizeof(zero))
		assert_memory_not_equal(out + n, zero, sizeof(zero));
}

/* A forked child does not return the bytes its parent returns next. */
static void
rand_fork_child_differs(void **state)
{
	uint8_t	 parent[16], child[16];
	int	 fds[2], status;
	pid_t	 pid;

	/* Leave most of a buffer unused before fork(). */
	assert_int_equal(rand_bytes(parent, 1), 0);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (rand_bytes(child, sizeof(child)) != 0 ||
		    write(fds[1], child, sizeof(child)) != sizeof(child))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(rand_bytes(parent, sizeof(parent)), 0);
	assert_int_equal(read(fds[0], child, sizeof(child)), sizeof(child));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_memory_not_equal(parent, child, sizeof(parent));
}

#define RAND_THREAD_DRAWS	100

static void *
rand_thread_run(void *arg)
{
	uint64_t	*draws = arg;
	size_t		 i;

	for (i = 0; i < RAND_THREAD_DRAWS; i++)
		if (rand_bytes(&draws[i], sizeof(draws[i])) != 0)
			draws[i] = 0;
	return (NULL);
}

/* Two threads at once draw distinct values. */
static void
rand_threads_distinct(void **state)
{
	uint64_t	 draws[2 * RAND_THREAD_DRAWS];
	pthread_t	 tid[2];
	size_t		 i, j;

	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&tid[i], NULL,
		    rand_thread_run, draws + i * RAND_THREAD_DRAWS), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(tid[i], NULL), 0);
	for (i = 0; i < 2 * RAND_THREAD_DRAWS; i++) {
		assert_true(draws[i] != 0);
		for (j = i + 1; j < 2 * RAND_THREAD_DRAWS; j++)
			assert_true(draws[i] != draws[j]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hash_abc_known_answers),
		cmocka_unit_test(prf_incremental_matches),
		cmocka_unit_test(prf_long_key_is_hashed),
		cmocka_unit_test(rand_bytes_distinct),
		cmocka_unit_test(rand_small_requests_filled),
		cmocka_unit_test(rand_fork_child_differs),
		cmocka_unit_test(rand_threads_distinct),
	};
	int	 r;

	/* No crypto_init() here: the first call must initialise. */
	r = cmocka_run_group_tests(tests, NULL, NULL);
	crypto_shutdown();
	return (r);
}
