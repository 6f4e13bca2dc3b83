/*
 * Known answers from the RFCs: MODP primes (RFC 2409, RFC 3526), MODP
 * exchanges, ECP exchanges (RFC 5903 section 8), X25519 (RFC 7748
 * sections 5.2 and 6.1, RFC 8031 Appendix A) and HMAC (RFC 2202,
 * RFC 4231).
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
#include "crypto/dh.h"
#include "crypto/prf.h"
#include "lib/wbuf.h"
#include "tv.h"

/* Named hex values of one block of a vector file. */
#define KV_MAX	12

struct kv {
	char		*kv_name[KV_MAX];
	uint8_t		*kv_val[KV_MAX];
	size_t		 kv_len[KV_MAX];
	int		 kv_n;
};

static void
kv_clear(struct kv *kv)
{
	int	 i;

	for (i = 0; i < kv->kv_n; i++) {
		free(kv->kv_name[i]);
		free(kv->kv_val[i]);
	}
	memset(kv, 0, sizeof(*kv));
}

static void
kv_set(struct kv *kv, const struct tv_file *tf)
{
	int	 i;

	for (i = 0; i < kv->kv_n; i++)
		if (strcmp(kv->kv_name[i], tf->tf_name) == 0)
			break;
	if (i == kv->kv_n) {
		assert_true(kv->kv_n < KV_MAX);
		kv->kv_name[kv->kv_n++] = strdup(tf->tf_name);
	} else
		free(kv->kv_val[i]);
	kv->kv_val[i] = tv_hex(tf, &kv->kv_len[i]);
}

static const uint8_t *
kv_get(const struct kv *kv, const char *name, size_t *len)
{
	int	 i;

	for (i = 0; i < kv->kv_n; i++) {
		if (strcmp(kv->kv_name[i], name) == 0) {
			*len = kv->kv_len[i];
			return (kv->kv_val[i]);
		}
	}
	fail_msg("vector has no %s", name);
	return (NULL);
}

static void
assert_wbuf(const struct wbuf *wb, const uint8_t *want, size_t len,
    const char *what, unsigned int group)
{
	if (wb->wb_len != len || memcmp(wb->wb_data, want, len) != 0)
		fail_msg("group %u: %s differs from the known answer (%zu "
		    "bytes, expected %zu)", group, what, wb->wb_len, len);
}

static void
rfc_modp_primes(void **state)
{
	struct tv_file	 tf;
	struct wbuf	 p;
	unsigned int	 group = 0, checked = 0;
	uint8_t		*want;
	size_t		 len;

	wbuf_init(&p, 0);
	assert_int_equal(tv_open(&tf, "rfc/modp_groups.txt"), 0);
	while (tv_next(&tf)) {
		if (tf.tf_value == NULL) {
			assert_int_equal(sscanf(tf.tf_name, "Group = %u",
			    &group), 1);
			continue;
		}
		if (strcmp(tf.tf_name, "G") == 0) {
			/* Every MODP group of IKE has generator 2. */
			assert_string_equal(tf.tf_value, "2");
			continue;
		}
		if (strcmp(tf.tf_name, "P") != 0)
			continue;
		want = tv_hex(&tf, &len);
		assert_int_equal(dh_group_prime(group, &p), 0);
		assert_wbuf(&p, want, len, "prime", group);
		assert_int_equal(dh_group_lookup(group)->dg_public_len, len);
		free(want);
		checked++;
	}
	tv_close(&tf);
	wbuf_free(&p);
	printf("MODP primes: %u groups checked\n", checked);
	assert_int_equal(checked, 8);
}

/* Check PUB from PRIV for both sides and SHARED from the peer's PUB. */
static void
rfc_exchange(unsigned int group, const struct kv *kv, const char *priv_i,
    const char *priv_r, const char *pub_i, const char *pub_r,
    const char *shared)
{
	struct dh_key	*ki = NULL, *kr = NULL;
	struct wbuf	 pub, sec;
	const uint8_t	*vi, *vr, *pi, *pr, *s;
	size_t		 li, lr, lpi, lpr, ls;
	const char	*why = NULL;

	wbuf_init(&pub, 0);
	wbuf_init(&sec, 1);
	vi = kv_get(kv, priv_i, &li);
	vr = kv_get(kv, priv_r, &lr);
	pi = kv_get(kv, pub_i, &lpi);
	pr = kv_get(kv, pub_r, &lpr);
	s = kv_get(kv, shared, &ls);
	assert_int_equal(dh_key_from_private(group, vi, li, &ki), 0);
	assert_int_equal(dh_key_from_private(group, vr, lr, &kr), 0);
	assert_int_equal(dh_key_public(ki, &pub), 0);
	assert_wbuf(&pub, pi, lpi, "initiator public value", group);
	assert_int_equal(dh_key_public(kr, &pub), 0);
	assert_wbuf(&pub, pr, lpr, "responder public value", group);
	assert_int_equal(dh_key_derive(ki, pr, lpr, &sec, &why), 0);
	assert_wbuf(&sec, s, ls, "initiator shared secret", group);
	assert_int_equal(dh_key_derive(kr, pi, lpi, &sec, &why), 0);
	assert_wbuf(&sec, s, ls, "responder shared secret", group);
	dh_key_free(ki);
	dh_key_free(kr);
	wbuf_free(&pub);
	wbuf_free(&sec);
}

/* Run each "[Group = N]" section once its last field has been read. */
static unsigned int
rfc_run_groups(const char *relpath, const char *last, const char *priv_i,
    const char *priv_r, const char *pub_i, const char *pub_r,
    const char *shared)
{
	struct tv_file	 tf;
	struct kv	 kv;
	unsigned int	 group = 0, checked = 0;

	memset(&kv, 0, sizeof(kv));
	assert_int_equal(tv_open(&tf, relpath), 0);
	while (tv_next(&tf)) {
		if (tf.tf_value == NULL) {
			kv_clear(&kv);
			assert_int_equal(sscanf(tf.tf_name, "Group = %u",
			    &group), 1);
			continue;
		}
		kv_set(&kv, &tf);
		if (strcmp(tf.tf_name, last) != 0)
			continue;
		rfc_exchange(group, &kv, priv_i, priv_r, pub_i, pub_r,
		    shared);
		checked++;
	}
	kv_clear(&kv);
	tv_close(&tf);
	printf("%s: %u exchanges checked\n", relpath, checked);
	return (checked);
}

static void
rfc_modp_kat(void **state)
{
	assert_int_equal(rfc_run_groups("rfc/modp_dh_kat.txt", "SHARED",
	    "PRIV_I", "PRIV_R", "PUB_I", "PUB_R", "SHARED"), 8);
}

static void
rfc_ecp_kat(void **state)
{
	assert_int_equal(rfc_run_groups("rfc/ecp_rfc5903.txt",
	    "SHARED_SECRET", "i", "r", "KE_DATA_I", "KE_DATA_R",
	    "SHARED_SECRET"), 3);
}

/* RFC 7748 section 5.2 scalar multiplications, then two exchanges. */
static void
rfc_x25519(void **state)
{
	struct tv_file	 tf;
	struct kv	 kv;
	struct dh_key	*k = NULL;
	struct wbuf	 out;
	const uint8_t	*sc, *u, *o;
	size_t		 lsc, lu, lo;
	unsigned int	 mults = 0, exchanges = 0;

	memset(&kv, 0, sizeof(kv));
	wbuf_init(&out, 1);
	assert_int_equal(tv_open(&tf, "rfc/x25519.txt"), 0);
	while (tv_next(&tf)) {
		if (tf.tf_value == NULL || strcmp(tf.tf_name, "COUNT") == 0)
			continue;
		kv_set(&kv, &tf);
		if (strcmp(tf.tf_name, "OUTPUT_U") == 0) {
			sc = kv_get(&kv, "INPUT_SCALAR", &lsc);
			u = kv_get(&kv, "INPUT_U", &lu);
			o = kv_get(&kv, "OUTPUT_U", &lo);
			assert_int_equal(dh_key_from_private(31, sc, lsc, &k),
			    0);
			assert_int_equal(dh_key_derive(k, u, lu, &out, NULL),
			    0);
			assert_wbuf(&out, o, lo, "scalar multiple", 31);
			dh_key_free(k);
			kv_clear(&kv);
			mults++;
		} else if (strcmp(tf.tf_name, "SHARED") == 0) {
			rfc_exchange(31, &kv, "PRIV_I", "PRIV_R", "PUB_I",
			    "PUB_R", "SHARED");
			kv_clear(&kv);
			exchanges++;
		}
	}
	kv_clear(&kv);
	tv_close(&tf);
	wbuf_free(&out);
	printf("X25519: %u scalar multiplications, %u exchanges checked\n",
	    mults, exchanges);
	assert_int_equal(mults, 3);
	assert_int_equal(exchanges, 2);
}

static unsigned int
rfc_hmac_file(const char *relpath, enum hash_alg alg)
{
	struct tv_file	 tf;
	struct kv	 kv;
	uint8_t		 out[PRF_MAX_LEN];
	const uint8_t	*key, *msg, *md;
	size_t		 lkey, lmsg, lmd;
	unsigned int	 checked = 0;

	memset(&kv, 0, sizeof(kv));
	assert_int_equal(tv_open(&tf, relpath), 0);
	while (tv_next(&tf)) {
		if (tf.tf_value == NULL || strcmp(tf.tf_name, "Len") == 0)
			continue;
		kv_set(&kv, &tf);
		if (strcmp(tf.tf_name, "MD") != 0)
			continue;
		key = kv_get(&kv, "Key", &lkey);
		msg = kv_get(&kv, "Msg", &lmsg);
		md = kv_get(&kv, "MD", &lmd);
		assert_int_equal(lmd, prf_length(alg));
		assert_int_equal(prf_compute(alg, key, lkey, msg, lmsg, out,
		    sizeof(out)), 0);
		if (memcmp(out, md, lmd) != 0)
			fail_msg("%s:%u: HMAC-%s differs from the known answer "
			    "(key %zu bytes)", relpath, tf.tf_lineno,
			    hash_name(alg), lkey);
		kv_clear(&kv);
		checked++;
	}
	kv_clear(&kv);
	tv_close(&tf);
	printf("%s: %u cases checked\n", relpath, checked);
	return (checked);
}

static void
rfc_hmac(void **state)
{
	assert_int_equal(rfc_hmac_file("rfc/hmac-rfc-2202-md5.txt",
	    HASH_MD5), 7);
	assert_int_equal(rfc_hmac_file("rfc/hmac-rfc-2202-sha1.txt",
	    HASH_SHA1), 7);
	assert_int_equal(rfc_hmac_file("rfc/hmac-rfc-4231-sha256.txt",
	    HASH_SHA256), 6);
	assert_int_equal(rfc_hmac_file("rfc/hmac-rfc-4231-sha384.txt",
	    HASH_SHA384), 6);
	assert_int_equal(rfc_hmac_file("rfc/hmac-rfc-4231-sha512.txt",
	    HASH_SHA512), 6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc_modp_primes),
		cmocka_unit_test(rfc_modp_kat),
		cmocka_unit_test(rfc_ecp_kat),
		cmocka_unit_test(rfc_x25519),
		cmocka_unit_test(rfc_hmac),
	};
	int	 r;

	if (!tv_exists("rfc"))
		return (77);
	if (crypto_init() != 0)
		return (1);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	crypto_shutdown();
	return (r);
}
