/*
 * Diffie-Hellman groups: both sides reach the same secret in every
 * implemented group, and peer values that RFC 2409, RFC 5903, RFC 6989
 * and RFC 8031 forbid are rejected.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "crypto/crypto.h"
#include "crypto/dh.h"
#include "lib/err.h"
#include "lib/wbuf.h"

static void
dh_check_agree(const struct dh_group_info *g)
{
	struct dh_key	*a = NULL, *b = NULL;
	struct wbuf	 pa, pb, sa, sb;
	const char	*why = NULL;

	wbuf_init(&pa, 0);
	wbuf_init(&pb, 0);
	wbuf_init(&sa, 1);
	wbuf_init(&sb, 1);
	assert_int_equal(dh_key_generate(g->dg_id, &a), 0);
	assert_int_equal(dh_key_generate(g->dg_id, &b), 0);
	assert_int_equal(dh_key_group(a), g->dg_id);
	assert_int_equal(dh_key_public(a, &pa), 0);
	assert_int_equal(dh_key_public(b, &pb), 0);
	assert_int_equal(pa.wb_len, g->dg_public_len);
	assert_int_equal(pb.wb_len, g->dg_public_len);
	assert_memory_not_equal(pa.wb_data, pb.wb_data, pa.wb_len);
	if (dh_key_derive(a, pb.wb_data, pb.wb_len, &sa, &why) != 0)
		fail_msg("group %u: derive failed: %s", g->dg_id, why);
	if (dh_key_derive(b, pa.wb_data, pa.wb_len, &sb, &why) != 0)
		fail_msg("group %u: derive failed: %s", g->dg_id, why);
	assert_int_equal(sa.wb_len, g->dg_secret_len);
	assert_int_equal(sb.wb_len, g->dg_secret_len);
	if (memcmp(sa.wb_data, sb.wb_data, sa.wb_len) != 0)
		fail_msg("group %u: the two sides computed different secrets",
		    g->dg_id);
	dh_key_free(a);
	dh_key_free(b);
	wbuf_free(&pa);
	wbuf_free(&pb);
	wbuf_free(&sa);
	wbuf_free(&sb);
}

static void
dh_every_group_agrees(void **state)
{
	const struct dh_group_info	*t;
	size_t				 n, i, done = 0;

	t = dh_group_table(&n);
	for (i = 0; i < n; i++) {
		if (!t[i].dg_implemented)
			continue;
		assert_int_equal(dh_group_supported(t[i].dg_id), 0);
		dh_check_agree(&t[i]);
		done++;
	}
	printf("both sides agree in %zu groups\n", done);
	assert_int_equal(done, 18);
}

static void
dh_table_lists_ikeadm_groups(void **state)
{
	static const unsigned int	 ids[] = {
		1, 2, 3, 4, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
		25, 26, 31, 32
	};
	const struct dh_group_info	*t;
	size_t				 n, i;

	t = dh_group_table(&n);
	assert_int_equal(n, sizeof(ids) / sizeof(ids[0]));
	for (i = 0; i < n; i++) {
		assert_int_equal(t[i].dg_id, ids[i]);
		assert_ptr_equal(dh_group_lookup(ids[i]), &t[i]);
		assert_true(t[i].dg_strength > 0);
	}
	assert_string_equal(dh_group_lookup(14)->dg_desc,
	    "2048-bit MODP (group 14)");
	assert_string_equal(dh_group_lookup(19)->dg_desc,
	    "256-bit ECP (group 19)");
	assert_string_equal(dh_group_lookup(22)->dg_desc,
	    "1024-bit MODP with 160-bit subprime (group 22)");
	assert_null(dh_group_lookup(0));
	assert_null(dh_group_lookup(99));
}

static void
dh_unimplemented_rejected(void **state)
{
	struct dh_key	*k = (struct dh_key *)1;

	assert_int_equal(dh_group_supported(3), ERR_UNSUPPORTED);
	assert_int_equal(dh_group_supported(4), ERR_UNSUPPORTED);
	assert_int_equal(dh_group_supported(99), ERR_UNSUPPORTED);
	assert_int_equal(dh_key_generate(3, &k), ERR_UNSUPPORTED);
	assert_null(k);
	assert_int_equal(dh_key_generate(7, &k), ERR_UNSUPPORTED);
	assert_null(k);
}

/* Expect dh_key_derive() to reject peer with code and give a reason. */
static void
dh_expect_reject(const struct dh_key *k, const uint8_t *peer, size_t len,
    int code, const char *label)
{
	struct wbuf	 s;
	const char	*why = NULL;
	int		 r;

	wbuf_init(&s, 1);
	r = dh_key_derive(k, peer, len, &s, &why);
	if (r != code)
		fail_msg("group %u, %s: got %d, expected %d", dh_key_group(k),
		    label, r, code);
	assert_non_null(why);
	assert_int_equal(s.wb_len, 0);
	printf("group %u, %s: rejected: %s\n", dh_key_group(k), label, why);
	wbuf_free(&s);
}

static void
dh_modp_rejects(unsigned int group)
{
	struct dh_key	*k = NULL;
	struct wbuf	 p, y, s;
	size_t		 len;

	wbuf_init(&p, 0);
	wbuf_init(&y, 0);
	wbuf_init(&s, 1);
	assert_int_equal(dh_key_generate(group, &k), 0);
	assert_int_equal(dh_group_prime(group, &p), 0);
	len = p.wb_len;

	assert_int_equal(wbuf_put_zero(&y, len), 0);
	dh_expect_reject(k, y.wb_data, len, ERR_MALFORMED, "y = 0");
	y.wb_data[len - 1] = 1;
	dh_expect_reject(k, y.wb_data, len, ERR_MALFORMED, "y = 1");
	memcpy(y.wb_data, p.wb_data, len);
	dh_expect_reject(k, y.wb_data, len, ERR_MALFORMED, "y = p");
	y.wb_data[len - 1] -= 1;
	dh_expect_reject(k, y.wb_data, len, ERR_MALFORMED, "y = p-1");
	memset(y.wb_data, 0xff, len);
	dh_expect_reject(k, y.wb_data, len, ERR_MALFORMED, "y = 2^n-1");

	/* y = 2 is a valid safe-prime value (1 < y < p-1). */
	memset(y.wb_data, 0, len);
	y.wb_data[len - 1] = 2;
	if (dh_group_lookup(group)->dg_type == DH_MODP)
		assert_int_equal(dh_key_derive(k, y.wb_data, len, &s, NULL),
		    0);
	else
		/* 2 is not in the q-order subgroup (RFC 6989 2.2). */
		dh_expect_reject(k, y.wb_data, len, ERR_MALFORMED,
		    "y = 2 outside the subgroup");

	assert_int_equal(wbuf_put_u8(&y, 2), 0);
	dh_expect_reject(k, y.wb_data, len + 1, ERR_MALFORMED, "too long");
	dh_expect_reject(k, y.wb_data + 1, len - 1, ERR_MALFORMED,
	    "too short");
	dh_expect_reject(k, y.wb_data, 0, ERR_MALFORMED, "empty");
	dh_key_free(k);
	wbuf_free(&p);
	wbuf_free(&y);
	wbuf_free(&s);
}

static void
dh_modp_rejects_bad_values(void **state)
{
	static const unsigned int	 groups[] = { 1, 2, 5, 14, 22, 23, 24 };
	size_t				 i;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		dh_modp_rejects(groups[i]);
}

static void
dh_ecp_rejects(unsigned int group)
{
	struct dh_key	*k = NULL, *peer = NULL;
	struct wbuf	 pub, s;
	size_t		 len;

	wbuf_init(&pub, 0);
	wbuf_init(&s, 1);
	assert_int_equal(dh_key_generate(group, &k), 0);
	assert_int_equal(dh_key_generate(group, &peer), 0);
	assert_int_equal(dh_key_public(peer, &pub), 0);
	len = pub.wb_len;
	assert_int_equal(dh_key_derive(k, pub.wb_data, len, &s, NULL), 0);

	/* A changed y moves the point off the curve. */
	pub.wb_data[len - 1] ^= 0x01;
	dh_expect_reject(k, pub.wb_data, len, ERR_MALFORMED,
	    "point off the curve");
	pub.wb_data[len - 1] ^= 0x01;
	memset(pub.wb_data, 0, len);
	dh_expect_reject(k, pub.wb_data, len, ERR_MALFORMED,
	    "point (0, 0)");
	assert_int_equal(dh_key_public(peer, &pub), 0);
	dh_expect_reject(k, pub.wb_data, len - 1, ERR_MALFORMED,
	    "too short");
	assert_int_equal(wbuf_put_u8(&pub, 0), 0);
	dh_expect_reject(k, pub.wb_data, len + 1, ERR_MALFORMED,
	    "too long");
	dh_key_free(k);
	dh_key_free(peer);
	wbuf_free(&pub);
	wbuf_free(&s);
}

static void
dh_ecp_rejects_bad_points(void **state)
{
	static const unsigned int	 groups[] = { 19, 20, 21, 25, 26 };
	size_t				 i;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		dh_ecp_rejects(groups[i]);
}

/* RFC 7748 section 6: u = 0 and u = 1 give an all-zero result. */
static void
dh_curve_rejects(unsigned int group, size_t len)
{
	struct dh_key	*k = NULL;
	uint8_t		 u[57];

	assert_int_equal(dh_key_generate(group, &k), 0);
	memset(u, 0, sizeof(u));
	dh_expect_reject(k, u, len, ERR_CRYPTO, "u = 0");
	u[0] = 1;
	dh_expect_reject(k, u, len, ERR_CRYPTO, "u = 1");
	u[0] = 9;
	dh_expect_reject(k, u, len - 1, ERR_MALFORMED, "too short");
	dh_expect_reject(k, u, len + 1, ERR_MALFORMED, "too long");
	dh_key_free(k);
}

static void
dh_curve_rejects_low_order(void **state)
{
	dh_curve_rejects(31, 32);
	dh_curve_rejects(32, 56);
}

static void
dh_from_private_checks_range(void **state)
{
	static const uint8_t	 zero[32];
	struct dh_key		*k = (struct dh_key *)1;
	struct wbuf		 p;

	wbuf_init(&p, 0);
	assert_int_equal(dh_key_from_private(14, zero, sizeof(zero), &k),
	    ERR_MALFORMED);
	assert_null(k);
	assert_int_equal(dh_group_prime(14, &p), 0);
	assert_int_equal(dh_key_from_private(14, p.wb_data, p.wb_len, &k),
	    ERR_MALFORMED);
	assert_int_equal(dh_key_from_private(19, zero, sizeof(zero), &k),
	    ERR_MALFORMED);
	assert_int_equal(dh_key_from_private(31, zero, 31, &k),
	    ERR_MALFORMED);
	assert_int_equal(dh_group_prime(19, &p), ERR_UNSUPPORTED);
	wbuf_free(&p);
}

/* Take key pairs of group until the pool handed out one it made ahead. */
static void
dh_pool_wait_ready(unsigned int group)
{
	struct dh_key	*k;
	uint64_t	 ready = 0, made = 0;
	int		 i;

	/* The thread needs time, not a deadline: poll for up to 60 s. */
	for (i = 0; i < 6000 && ready == 0; i++) {
		assert_int_equal(dh_key_generate(group, &k), 0);
		dh_key_free(k);
		dh_pool_counts(&ready, &made);
		if (ready == 0)
			(void)usleep(10000);
	}
	if (ready == 0)
		fail_msg("group %u: the pool never had a key pair ready",
		    group);
}

/*
 * Key pairs made ahead by the pool's threads agree with their peers in
 * every group, and each is handed out once: 200 ECP-256 public values
 * are all different.
 */
static void
dh_pool_keys_fresh_and_valid(void **state)
{
	const struct dh_group_info	*t;
	struct dh_key			*k[200];
	struct wbuf			 pub[200];
	uint64_t			 ready, made;
	size_t				 n, i, j;

	assert_int_equal(dh_pool_start(2), 0);
	dh_pool_wait_ready(19);
	t = dh_group_table(&n);
	for (i = 0; i < n; i++)
		if (t[i].dg_implemented)
			dh_check_agree(&t[i]);
	for (i = 0; i < 200; i++) {
		wbuf_init(&pub[i], 0);
		assert_int_equal(dh_key_generate(19, &k[i]), 0);
		assert_int_equal(dh_key_public(k[i], &pub[i]), 0);
	}
	for (i = 0; i < 200; i++)
		for (j = i + 1; j < 200; j++)
			assert_memory_not_equal(pub[i].wb_data, pub[j].wb_data,
			    pub[i].wb_len);
	for (i = 0; i < 200; i++) {
		dh_key_free(k[i]);
		wbuf_free(&pub[i]);
	}
	dh_pool_counts(&ready, &made);
	printf("pool: %llu key pairs ready, %llu made by the caller\n",
	    (unsigned long long)ready, (unsigned long long)made);
	/* Stopping frees the pool; key pairs are made inline again. */
	crypto_shutdown();
	assert_int_equal(crypto_init(), 0);
	assert_int_equal(dh_key_generate(19, &k[0]), 0);
	dh_key_free(k[0]);
}

/* g^xy of a job equals dh_key_derive()'s result in one group. */
static void
dh_job_check_group(unsigned int group)
{
	struct dh_key	*a = NULL, *b = NULL;
	struct dh_job	*job[3];
	struct wbuf	 pb, want, got;
	const char	*why = NULL;
	int		 i;

	wbuf_init(&pb, 0);
	wbuf_init(&want, 1);
	wbuf_init(&got, 1);
	assert_int_equal(dh_key_generate(group, &a), 0);
	assert_int_equal(dh_key_generate(group, &b), 0);
	assert_int_equal(dh_key_public(b, &pb), 0);
	assert_int_equal(dh_key_derive(a, pb.wb_data, pb.wb_len, &want,
	    NULL), 0);
	/* Several jobs at once: the threads take them in any order. */
	for (i = 0; i < 3; i++)
		assert_int_equal(dh_derive_start(a, pb.wb_data, pb.wb_len,
		    &job[i]), 0);
	dh_derive_cancel(job[1]);
	for (i = 0; i < 3; i += 2) {
		if (dh_derive_finish(job[i], &got, &why) != 0)
			fail_msg("group %u: job failed: %s", group, why);
		assert_int_equal(got.wb_len, want.wb_len);
		assert_memory_equal(got.wb_data, want.wb_data, want.wb_len);
	}
	dh_key_free(a);
	dh_key_free(b);
	wbuf_free(&pb);
	wbuf_free(&want);
	wbuf_free(&got);
}

/*
 * With threads, g^xy jobs agree with dh_key_derive() in every group that
 * uses them, and a peer value that fails the checks is rejected at the
 * start.  Without threads there are no jobs.
 */
static void
dh_pool_jobs_match_derive(void **state)
{
	const struct dh_group_info	*t;
	struct dh_key			*a = NULL;
	struct dh_job			*job = NULL;
	uint8_t				 one[256] = { 0 };
	size_t				 n, i;

	assert_int_equal(dh_key_generate(14, &a), 0);
	one[255] = 1;
	assert_int_equal(dh_derive_start(a, one, sizeof(one), &job),
	    ERR_NOTFOUND);
	assert_null(job);
	assert_int_equal(dh_pool_start(2), 0);
	assert_int_equal(dh_derive_start(a, one, sizeof(one), &job),
	    ERR_MALFORMED);
	assert_null(job);
	assert_int_equal(dh_derive_start(a, one, 255, &job), ERR_MALFORMED);
	dh_key_free(a);
	t = dh_group_table(&n);
	for (i = 0; i < n; i++)
		if (t[i].dg_implemented && ((t[i].dg_type == DH_ECP &&
		    t[i].dg_strength > 128) || t[i].dg_type == DH_MODP ||
		    t[i].dg_type == DH_MODP_SUBGROUP))
			dh_job_check_group(t[i].dg_id);
	/* ECP-256, Curve25519 and Curve448 stay with the caller. */
	assert_int_equal(dh_key_generate(19, &a), 0);
	assert_int_equal(dh_derive_start(a, one, 64, &job), ERR_NOTFOUND);
	dh_key_free(a);
	assert_int_equal(dh_key_generate(32, &a), 0);
	assert_int_equal(dh_derive_start(a, one, 56, &job), ERR_NOTFOUND);
	dh_key_free(a);
	crypto_shutdown();
	assert_int_equal(crypto_init(), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dh_table_lists_ikeadm_groups),
		cmocka_unit_test(dh_unimplemented_rejected),
		cmocka_unit_test(dh_every_group_agrees),
		cmocka_unit_test(dh_modp_rejects_bad_values),
		cmocka_unit_test(dh_ecp_rejects_bad_points),
		cmocka_unit_test(dh_curve_rejects_low_order),
		cmocka_unit_test(dh_from_private_checks_range),
		cmocka_unit_test(dh_pool_keys_fresh_and_valid),
		cmocka_unit_test(dh_pool_jobs_match_derive),
	};
	int	 r;

	if (crypto_init() != 0)
		return (1);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	crypto_shutdown();
	return (r);
}
