/*
 * NIST CAVP SP 800-135 IKEv1 KDF known answers (CAVS 17.3 .fax files):
 * SKEYID for signatures and preshared keys, then SKEYID_d, SKEYID_a
 * and SKEYID_e, for SHA-1 and SHA-2 and g^xy up to 8192 bits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/crypto.h"
#include "crypto/ikev1_kdf.h"
#include "lib/wbuf.h"
#include "tv.h"

enum cavp_field {
	F_CKY_I, F_CKY_R, F_NI, F_NR, F_GXY, F_PSK,
	F_SKEYID, F_SKEYID_D, F_SKEYID_A, F_SKEYID_E,
	F_COUNT_
};

static const char *const cavp_names[F_COUNT_] = {
	"CKY_I", "CKY_R", "Ni", "Nr", "g^xy", "pre-shared-key",
	"SKEYID", "SKEYID_d", "SKEYID_a", "SKEYID_e",
};

struct cavp_vector {
	uint8_t		*cv_val[F_COUNT_];
	size_t		 cv_len[F_COUNT_];
	int		 cv_count;
};

static unsigned int	 cavp_total;

static void
cavp_vector_clear(struct cavp_vector *cv)
{
	int	 i;

	for (i = 0; i < F_COUNT_; i++) {
		free(cv->cv_val[i]);
		cv->cv_val[i] = NULL;
		cv->cv_len[i] = 0;
	}
}

static int
cavp_hash(const char *name, enum hash_alg *alg)
{
	static const struct {
		const char	*name;
		enum hash_alg	 alg;
	} map[] = {
		{ "SHA-1", HASH_SHA1 }, { "SHA-256", HASH_SHA256 },
		{ "SHA-384", HASH_SHA384 }, { "SHA-512", HASH_SHA512 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(name, map[i].name) == 0) {
			*alg = map[i].alg;
			return (1);
		}
	}
	return (0);
}

static int
cavp_same(const char *file, const char *section, int count,
    const char *what, const struct wbuf *got, const uint8_t *want,
    size_t len)
{
	if (got->wb_len == len && memcmp(got->wb_data, want, len) == 0)
		return (1);
	print_error("%s [%s] COUNT = %d: %s mismatch\n", file, section, count,
	    what);
	return (0);
}

/* Run one vector; returns 1 when every output matches. */
static int
cavp_check(const char *file, const char *section, enum hash_alg alg,
    int psk, const struct cavp_vector *cv)
{
	struct wbuf	 skeyid, d, a, e;
	int		 ok = 0, r;

	wbuf_init(&skeyid, 1);
	wbuf_init(&d, 1);
	wbuf_init(&a, 1);
	wbuf_init(&e, 1);
	if (psk)
		r = ikev1_skeyid_psk(alg, cv->cv_val[F_PSK], cv->cv_len[F_PSK],
		    cv->cv_val[F_NI], cv->cv_len[F_NI], cv->cv_val[F_NR],
		    cv->cv_len[F_NR], &skeyid);
	else
		r = ikev1_skeyid_sig(alg, cv->cv_val[F_NI], cv->cv_len[F_NI],
		    cv->cv_val[F_NR], cv->cv_len[F_NR], cv->cv_val[F_GXY],
		    cv->cv_len[F_GXY], &skeyid);
	if (r == 0)
		r = ikev1_skeyid_derive(alg, skeyid.wb_data, skeyid.wb_len,
		    cv->cv_val[F_GXY], cv->cv_len[F_GXY], cv->cv_val[F_CKY_I],
		    cv->cv_val[F_CKY_R], &d, &a, &e);
	if (r != 0) {
		print_error("%s [%s] COUNT = %d: KDF returned %d\n", file,
		    section, cv->cv_count, r);
		goto out;
	}
	ok = cavp_same(file, section, cv->cv_count, "SKEYID", &skeyid,
	    cv->cv_val[F_SKEYID], cv->cv_len[F_SKEYID]);
	ok &= cavp_same(file, section, cv->cv_count, "SKEYID_d", &d,
	    cv->cv_val[F_SKEYID_D], cv->cv_len[F_SKEYID_D]);
	ok &= cavp_same(file, section, cv->cv_count, "SKEYID_a", &a,
	    cv->cv_val[F_SKEYID_A], cv->cv_len[F_SKEYID_A]);
	ok &= cavp_same(file, section, cv->cv_count, "SKEYID_e", &e,
	    cv->cv_val[F_SKEYID_E], cv->cv_len[F_SKEYID_E]);
 out:
	wbuf_free(&skeyid);
	wbuf_free(&d);
	wbuf_free(&a);
	wbuf_free(&e);
	return (ok);
}

static int
cavp_complete(const struct cavp_vector *cv, int psk)
{
	int	 i;

	for (i = 0; i < F_COUNT_; i++)
		if (cv->cv_val[i] == NULL && (i != F_PSK || psk))
			return (0);
	return (1);
}

/* Append a bracket header to the section text shown in failures. */
static void
cavp_section_add(char *section, size_t size, int *fresh, const char *name)
{
	if (*fresh) {
		section[0] = '\0';
		*fresh = 0;
	} else
		strncat(section, "][", size - strlen(section) - 1);
	strncat(section, name, size - strlen(section) - 1);
}

static void
cavp_run_file(const char *relpath, int psk)
{
	struct tv_file		 tf;
	struct cavp_vector	 cv;
	char			 section[256] = "";
	enum hash_alg		 alg = HASH_SHA1;
	unsigned int		 checked = 0, failed = 0;
	int			 i, fresh = 1, have_hash = 0;

	memset(&cv, 0, sizeof(cv));
	assert_int_equal(tv_open(&tf, relpath), 0);
	while (tv_next(&tf)) {
		if (tf.tf_value == NULL) {
			cavp_section_add(section, sizeof(section), &fresh,
			    tf.tf_name);
			if (cavp_hash(tf.tf_name, &alg))
				have_hash = 1;
			continue;
		}
		fresh = 1;
		if (strcmp(tf.tf_name, "COUNT") == 0) {
			cavp_vector_clear(&cv);
			cv.cv_count = atoi(tf.tf_value);
			continue;
		}
		for (i = 0; i < F_COUNT_; i++)
			if (strcmp(tf.tf_name, cavp_names[i]) == 0)
				break;
		if (i == F_COUNT_)
			continue;
		free(cv.cv_val[i]);
		cv.cv_val[i] = tv_hex(&tf, &cv.cv_len[i]);
		if (i != F_SKEYID_E)
			continue;
		if (!have_hash || !cavp_complete(&cv, psk)) {
			print_error("%s:%u: incomplete vector COUNT = %d\n",
			    relpath, tf.tf_lineno, cv.cv_count);
			failed++;
			continue;
		}
		if (!cavp_check(relpath, section, alg, psk, &cv))
			failed++;
		checked++;
	}
	cavp_vector_clear(&cv);
	tv_close(&tf);
	printf("%s: %u vectors checked, %u failed\n", relpath, checked,
	    failed);
	cavp_total += checked;
	assert_int_equal(failed, 0);
	/* Each file has 17 sections of 100 vectors. */
	assert_int_equal(checked, 1700);
}

static void
cavp_ikev1_psk(void **state)
{
	cavp_run_file("cavp-kdf135-ike/ikev1_psk.fax", 1);
}

static void
cavp_ikev1_dsa(void **state)
{
	cavp_run_file("cavp-kdf135-ike/ikev1_dsa.fax", 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cavp_ikev1_psk),
		cmocka_unit_test(cavp_ikev1_dsa),
	};
	int	 r;

	if (!tv_exists("cavp-kdf135-ike"))
		return (77);
	if (crypto_init() != 0)
		return (1);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	printf("CAVP IKEv1 KDF: %u vectors checked in total\n", cavp_total);
	crypto_shutdown();
	return (r);
}
