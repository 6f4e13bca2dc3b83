/*
 * Known answers for ESP AES-GCM (RFC 4106): the NIST CAVP GCM vectors
 * with 96-bit IVs and 64, 96 and 128-bit tags, from
 * $IKED_VECTORS/rfc/aes-gcm-{encrypt,decrypt}{128,192,256}-iv96-esp.rsp.
 * Each 12-byte IV is split as ESP does: the first 4 bytes are the salt
 * (the end of the keying material), the last 8 the per-packet IV.
 * Decrypt vectors marked FAIL must be rejected.  Exits 77 when the
 * vectors are absent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/esp/esp_cipher.h"
#include "lib/err.h"
#include "lib/util.h"

#define KAT_MAX		1024	/* bytes of any one field */

struct kat {
	uint8_t	key[KAT_MAX + ESP_CIPHER_SALT_LEN];
	size_t	keylen;
	uint8_t	iv[KAT_MAX];
	size_t	ivlen;
	uint8_t	pt[KAT_MAX];
	size_t	ptlen;
	uint8_t	aad[KAT_MAX];
	size_t	aadlen;
	uint8_t	ct[KAT_MAX];
	size_t	ctlen;
	uint8_t	tag[KAT_MAX];
	size_t	taglen;
	int	fail;
	int	count;
	int	valid;
};

static const char	*kat_dir;

static void
kat_hex(const char *line, const char *name, uint8_t *out, size_t *len)
{
	size_t	n = strlen(name);
	char	buf[2 * KAT_MAX + 2];
	size_t	l;

	if (strncmp(line, name, n) != 0 || strncmp(line + n, " = ", 3) != 0)
		return;
	snprintf(buf, sizeof(buf), "%s", line + n + 3);
	l = strcspn(buf, "\r\n ");
	buf[l] = '\0';
	assert_int_equal(util_hex_decode(out, KAT_MAX, buf, len), 0);
}

static uint16_t
kat_transform(size_t taglen)
{
	switch (taglen) {
	case 8:
		return (ESP_CIPHER_ENCR_AES_GCM_8);
	case 12:
		return (ESP_CIPHER_ENCR_AES_GCM_12);
	case 16:
		return (ESP_CIPHER_ENCR_AES_GCM_16);
	default:
		fail_msg("tag length %zu is not used by ESP", taglen);
		return (0);
	}
}

static void
kat_run(struct kat *k, int encrypt)
{
	struct esp_cipher_params	 p;
	struct esp_cipher		*ec;
	uint8_t				 buf[KAT_MAX], icv[16];
	int				 r;

	assert_int_equal(k->ivlen, 12);
	/* ESP keying material: AES key, then the salt (RFC 4106 8.1). */
	memcpy(k->key + k->keylen, k->iv, ESP_CIPHER_SALT_LEN);
	memset(&p, 0, sizeof(p));
	p.ecp_encr = kat_transform(k->taglen);
	p.ecp_encr_key = k->key;
	p.ecp_encr_keylen = k->keylen + ESP_CIPHER_SALT_LEN;
	assert_int_equal(esp_cipher_new(&ec, &p, encrypt), 0);
	assert_int_equal(esp_cipher_icv_len(ec), k->taglen);
	if (encrypt) {
		memcpy(buf, k->pt, k->ptlen);
		assert_int_equal(esp_cipher_aead_encrypt(ec, k->iv + 4, k->aad,
		    k->aadlen, buf, k->ptlen, icv), 0);
		assert_memory_equal(buf, k->ct, k->ptlen);
		assert_memory_equal(icv, k->tag, k->taglen);
	} else {
		memcpy(buf, k->ct, k->ctlen);
		r = esp_cipher_aead_decrypt(ec, k->iv + 4, k->aad, k->aadlen,
		    buf, k->ctlen, k->tag);
		if (k->fail) {
			assert_int_equal(r, ERR_AUTH);
		} else {
			assert_int_equal(r, 0);
			assert_memory_equal(buf, k->pt, k->ctlen);
		}
	}
	esp_cipher_free(ec);
}

static void
kat_line(struct kat *k, const char *line)
{
	kat_hex(line, "Key", k->key, &k->keylen);
	kat_hex(line, "IV", k->iv, &k->ivlen);
	kat_hex(line, "PT", k->pt, &k->ptlen);
	kat_hex(line, "AAD", k->aad, &k->aadlen);
	kat_hex(line, "CT", k->ct, &k->ctlen);
	kat_hex(line, "Tag", k->tag, &k->taglen);
	if (strncmp(line, "FAIL", 4) == 0)
		k->fail = 1;
}

/* Runs every vector of one file; returns how many ran, failed ones too. */
static int
kat_file(const char *name, int encrypt, int *rejected)
{
	char		 path[4096], line[2 * KAT_MAX + 64];
	struct kat	*k;
	FILE		*f;
	int		 n = 0;

	snprintf(path, sizeof(path), "%s/rfc/%s", kat_dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	k = calloc(1, sizeof(*k));
	assert_non_null(k);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "Count = ", 8) == 0) {
			if (k->valid) {
				kat_run(k, encrypt);
				*rejected += k->fail;
				n++;
			}
			memset(k, 0, sizeof(*k));
			k->valid = 1;
			continue;
		}
		if (k->valid)
			kat_line(k, line);
	}
	if (k->valid) {
		kat_run(k, encrypt);
		*rejected += k->fail;
		n++;
	}
	free(k);
	fclose(f);
	return (n);
}

static void
kat_check(const char *op, int bits)
{
	char	name[128];
	int	n, rejected = 0;

	snprintf(name, sizeof(name), "aes-gcm-%s%d-iv96-esp.rsp", op, bits);
	n = kat_file(name, strcmp(op, "encrypt") == 0, &rejected);
	printf("# %s: %d vectors, %d rejected as expected\n", name, n,
	    rejected);
	assert_true(n > 0);
	if (strcmp(op, "decrypt") == 0)
		assert_true(rejected > 0);
}

static void
gcm_encrypt_128(void **state)
{
	kat_check("encrypt", 128);
}

static void
gcm_encrypt_192(void **state)
{
	kat_check("encrypt", 192);
}

static void
gcm_encrypt_256(void **state)
{
	kat_check("encrypt", 256);
}

static void
gcm_decrypt_128(void **state)
{
	kat_check("decrypt", 128);
}

static void
gcm_decrypt_192(void **state)
{
	kat_check("decrypt", 192);
}

static void
gcm_decrypt_256(void **state)
{
	kat_check("decrypt", 256);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(gcm_encrypt_128),
		cmocka_unit_test(gcm_encrypt_192),
		cmocka_unit_test(gcm_encrypt_256),
		cmocka_unit_test(gcm_decrypt_128),
		cmocka_unit_test(gcm_decrypt_192),
		cmocka_unit_test(gcm_decrypt_256),
	};
	char	path[4096];
	FILE	*f;

	kat_dir = getenv("IKED_VECTORS");
	if (kat_dir == NULL) {
		printf("skipped: IKED_VECTORS is not set\n");
		return (77);
	}
	snprintf(path, sizeof(path), "%s/rfc/aes-gcm-encrypt128-iv96-esp.rsp",
	    kat_dir);
	if ((f = fopen(path, "r")) == NULL) {
		printf("skipped: %s not found\n", path);
		return (77);
	}
	fclose(f);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
