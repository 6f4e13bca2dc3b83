/*
 * ESP ciphers and integrity algorithms on OpenSSL 3 EVP.  The cipher and
 * MAC contexts are keyed once in esp_cipher_new.  Per packet, only the IV
 * changes (EVP_CipherInit_ex2 with a NULL key) and the HMAC restarts with
 * its stored key (EVP_MAC_init with a NULL key), so no packet allocates.
 */
#include <stdlib.h>
#include <string.h>

/*
 * OpenSSL's types.h declares a typedef ERR_STATE, which clashes with the
 * enum err constant of the same name; rename OpenSSL's while including it.
 */
#define ERR_STATE	openssl_err_state
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#undef ERR_STATE

#include "crypto/esp/esp_cipher.h"
#include "lib/err.h"
#include "lib/util.h"

struct esp_cipher {
	int		 ec_encrypt;
	int		 ec_aead;
	EVP_CIPHER	*ec_cipher;	/* NULL for NULL encryption */
	EVP_CIPHER_CTX	*ec_cctx;
	EVP_MAC		*ec_mac;	/* NULL for AES-GCM */
	EVP_MAC_CTX	*ec_mctx;
	size_t		 ec_iv_len;
	size_t		 ec_block_len;
	size_t		 ec_icv_len;
	uint8_t		 ec_salt[ESP_CIPHER_SALT_LEN];
};

/*
 * CBC IVs are drawn from this pool of random bytes, which one RAND_bytes
 * call refills.  A RAND_bytes call per packet made esp_sa_encap with
 * AES-CBC 1.7 times slower in bench/espcost (OpenSSL 3.0).
 * NOTE: the pool belongs to the process and has no lock, so the ciphers
 * must be used from one thread, as in.iked's event loop does, and a
 * child process must not use it after a fork.
 */
#define ESP_CIPHER_IV_POOL	4096

static uint8_t	esp_cipher_iv_pool[ESP_CIPHER_IV_POOL];
static size_t	esp_cipher_iv_used = ESP_CIPHER_IV_POOL;

struct esp_cipher_encr {
	uint16_t	 ee_id;
	size_t		 ee_keylen;	/* with the salt for GCM */
	const char	*ee_name;
	size_t		 ee_iv_len;
	size_t		 ee_block_len;
	size_t		 ee_icv_len;	/* AEAD only */
};

static const struct esp_cipher_encr esp_cipher_encrs[] = {
	{ ESP_CIPHER_ENCR_3DES, 24, "DES-EDE3-CBC", 8, 8, 0 },
	{ ESP_CIPHER_ENCR_AES_CBC, 16, "AES-128-CBC", 16, 16, 0 },
	{ ESP_CIPHER_ENCR_AES_CBC, 24, "AES-192-CBC", 16, 16, 0 },
	{ ESP_CIPHER_ENCR_AES_CBC, 32, "AES-256-CBC", 16, 16, 0 },
	{ ESP_CIPHER_ENCR_AES_GCM_8, 20, "AES-128-GCM", 8, 4, 8 },
	{ ESP_CIPHER_ENCR_AES_GCM_8, 28, "AES-192-GCM", 8, 4, 8 },
	{ ESP_CIPHER_ENCR_AES_GCM_8, 36, "AES-256-GCM", 8, 4, 8 },
	{ ESP_CIPHER_ENCR_AES_GCM_12, 20, "AES-128-GCM", 8, 4, 12 },
	{ ESP_CIPHER_ENCR_AES_GCM_12, 28, "AES-192-GCM", 8, 4, 12 },
	{ ESP_CIPHER_ENCR_AES_GCM_12, 36, "AES-256-GCM", 8, 4, 12 },
	{ ESP_CIPHER_ENCR_AES_GCM_16, 20, "AES-128-GCM", 8, 4, 16 },
	{ ESP_CIPHER_ENCR_AES_GCM_16, 28, "AES-192-GCM", 8, 4, 16 },
	{ ESP_CIPHER_ENCR_AES_GCM_16, 36, "AES-256-GCM", 8, 4, 16 },
	{ ESP_CIPHER_ENCR_NULL, 0, NULL, 0, 4, 0 },
};

struct esp_cipher_auth {
	uint16_t	 ea_id;
	size_t		 ea_keylen;	/* the output size (RFC 4868 2.1.1) */
	const char	*ea_digest;
	size_t		 ea_icv_len;	/* truncated output */
};

static const struct esp_cipher_auth esp_cipher_auths[] = {
	{ ESP_CIPHER_AUTH_HMAC_MD5, 16, "MD5", 12 },
	{ ESP_CIPHER_AUTH_HMAC_SHA1, 20, "SHA1", 12 },
	{ ESP_CIPHER_AUTH_HMAC_SHA2_256, 32, "SHA2-256", 16 },
	{ ESP_CIPHER_AUTH_HMAC_SHA2_384, 48, "SHA2-384", 24 },
	{ ESP_CIPHER_AUTH_HMAC_SHA2_512, 64, "SHA2-512", 32 },
};

static const struct esp_cipher_encr *
esp_cipher_find_encr(uint16_t id, size_t keylen)
{
	size_t	i;

	for (i = 0; i < UTIL_NELEM(esp_cipher_encrs); i++) {
		if (esp_cipher_encrs[i].ee_id == id &&
		    esp_cipher_encrs[i].ee_keylen == keylen)
			return (&esp_cipher_encrs[i]);
	}
	return (NULL);
}

static const struct esp_cipher_auth *
esp_cipher_find_auth(uint16_t id)
{
	size_t	i;

	for (i = 0; i < UTIL_NELEM(esp_cipher_auths); i++) {
		if (esp_cipher_auths[i].ea_id == id)
			return (&esp_cipher_auths[i]);
	}
	return (NULL);
}

static int
esp_cipher_known_encr(uint16_t id)
{
	size_t	i;

	for (i = 0; i < UTIL_NELEM(esp_cipher_encrs); i++) {
		if (esp_cipher_encrs[i].ee_id == id)
			return (1);
	}
	return (0);
}

static int
esp_cipher_init_encr(struct esp_cipher *ec, const struct esp_cipher_encr *ee,
    const uint8_t *key)
{
	size_t	keylen = ee->ee_keylen;

	ec->ec_iv_len = ee->ee_iv_len;
	ec->ec_block_len = ee->ee_block_len;
	if (ee->ee_name == NULL)
		return (0);
	if (ee->ee_icv_len > 0) {
		ec->ec_aead = 1;
		ec->ec_icv_len = ee->ee_icv_len;
		keylen -= ESP_CIPHER_SALT_LEN;
		memcpy(ec->ec_salt, key + keylen, ESP_CIPHER_SALT_LEN);
	}
	ec->ec_cipher = EVP_CIPHER_fetch(NULL, ee->ee_name, NULL);
	ec->ec_cctx = EVP_CIPHER_CTX_new();
	if (ec->ec_cipher == NULL || ec->ec_cctx == NULL)
		return (ERR_CRYPTO);
	if ((size_t)EVP_CIPHER_get_key_length(ec->ec_cipher) != keylen)
		return (ERR_CRYPTO);
	/*
	 * ESP pads itself (RFC 4303 2.4), and the cipher must not.  Padding
	 * stays on in the context all the same: CBC goes through EVP_Cipher,
	 * which never pads, and GCM does not pad.  With padding off, OpenSSL
	 * 3.0 passes that setting to the provider again, by name, at every
	 * EVP_CipherInit_ex2, that is once per packet.
	 */
	if (!EVP_CipherInit_ex2(ec->ec_cctx, ec->ec_cipher, key, NULL,
	    ec->ec_encrypt, NULL))
		return (ERR_CRYPTO);
	return (0);
}

static int
esp_cipher_init_auth(struct esp_cipher *ec, const struct esp_cipher_auth *ea,
    const uint8_t *key)
{
	OSSL_PARAM	params[2];

	ec->ec_icv_len = ea->ea_icv_len;
	ec->ec_mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (ec->ec_mac == NULL)
		return (ERR_CRYPTO);
	ec->ec_mctx = EVP_MAC_CTX_new(ec->ec_mac);
	if (ec->ec_mctx == NULL)
		return (ERR_CRYPTO);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)ea->ea_digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(ec->ec_mctx, key, ea->ea_keylen, params))
		return (ERR_CRYPTO);
	return (0);
}

int
esp_cipher_new(struct esp_cipher **out, const struct esp_cipher_params *p,
    int encrypt)
{
	const struct esp_cipher_encr	*ee;
	const struct esp_cipher_auth	*ea = NULL;
	struct esp_cipher		*ec = NULL;
	int				 r;

	*out = NULL;
	if (!esp_cipher_known_encr(p->ecp_encr))
		return (ERR_UNSUPPORTED);
	if ((ee = esp_cipher_find_encr(p->ecp_encr, p->ecp_encr_keylen)) ==
	    NULL)
		return (ERR_INVAL);
	if (p->ecp_auth != ESP_CIPHER_AUTH_NONE) {
		if ((ea = esp_cipher_find_auth(p->ecp_auth)) == NULL)
			return (ERR_UNSUPPORTED);
		if (p->ecp_auth_keylen != ea->ea_keylen)
			return (ERR_INVAL);
	}
	/* AES-GCM integrity is built in; CBC and NULL need an HMAC. */
	if ((ee->ee_icv_len > 0) != (ea == NULL))
		return (ERR_UNSUPPORTED);

	if ((ec = calloc(1, sizeof(*ec))) == NULL)
		return (ERR_NOMEM);
	ec->ec_encrypt = encrypt ? 1 : 0;
	if ((r = esp_cipher_init_encr(ec, ee, p->ecp_encr_key)) != 0)
		goto out;
	if (ea != NULL && (r = esp_cipher_init_auth(ec, ea,
	    p->ecp_auth_key)) != 0)
		goto out;
	*out = ec;
	ec = NULL;
out:
	esp_cipher_free(ec);
	return (r);
}

void
esp_cipher_free(struct esp_cipher *ec)
{
	if (ec == NULL)
		return;
	EVP_CIPHER_CTX_free(ec->ec_cctx);
	EVP_CIPHER_free(ec->ec_cipher);
	EVP_MAC_CTX_free(ec->ec_mctx);
	EVP_MAC_free(ec->ec_mac);
	util_freezero(ec, sizeof(*ec));
}

size_t
esp_cipher_iv_len(const struct esp_cipher *ec)
{
	return (ec->ec_iv_len);
}

size_t
esp_cipher_icv_len(const struct esp_cipher *ec)
{
	return (ec->ec_icv_len);
}

size_t
esp_cipher_align(const struct esp_cipher *ec)
{
	return (ec->ec_block_len < 4 ? 4 : ec->ec_block_len);
}

int
esp_cipher_mac(struct esp_cipher *ec, const uint8_t *data, size_t len,
    uint8_t *icv)
{
	uint8_t	full[EVP_MAX_MD_SIZE];
	size_t	outlen;
	int	r = ERR_CRYPTO;

	if (ec->ec_mctx == NULL)
		return (ERR_STATE);
	if (!EVP_MAC_init(ec->ec_mctx, NULL, 0, NULL) ||
	    !EVP_MAC_update(ec->ec_mctx, data, len) ||
	    !EVP_MAC_final(ec->ec_mctx, full, &outlen, sizeof(full)) ||
	    outlen < ec->ec_icv_len)
		goto out;
	memcpy(icv, full, ec->ec_icv_len);
	r = 0;
out:
	util_wipe(full, sizeof(full));
	return (r);
}

static int
esp_cipher_crypt(struct esp_cipher *ec, const uint8_t *iv, uint8_t *buf,
    size_t len)
{
	int	outl;

	if (ec->ec_cctx == NULL)
		return (0);
	if (len % ec->ec_block_len != 0 || len > INT32_MAX)
		return (ERR_MALFORMED);
	if (len == 0)
		return (0);
	/* EVP_Cipher: whole blocks in place, without padding logic. */
	if (!EVP_CipherInit_ex2(ec->ec_cctx, NULL, NULL, iv, -1, NULL) ||
	    (outl = EVP_Cipher(ec->ec_cctx, buf, buf, (unsigned int)len)) <= 0 ||
	    (size_t)outl != len)
		return (ERR_CRYPTO);
	return (0);
}

static int
esp_cipher_random_iv(uint8_t *iv, size_t len)
{
	if (len > ESP_CIPHER_IV_POOL - esp_cipher_iv_used) {
		if (RAND_bytes(esp_cipher_iv_pool, ESP_CIPHER_IV_POOL) != 1)
			return (ERR_CRYPTO);
		esp_cipher_iv_used = 0;
	}
	memcpy(iv, esp_cipher_iv_pool + esp_cipher_iv_used, len);
	esp_cipher_iv_used += len;
	return (0);
}

static void
esp_cipher_nonce(const struct esp_cipher *ec, const uint8_t *iv,
    uint8_t *nonce)
{
	memcpy(nonce, ec->ec_salt, ESP_CIPHER_SALT_LEN);
	memcpy(nonce + ESP_CIPHER_SALT_LEN, iv, 8);
}

static int
esp_cipher_aead_start(struct esp_cipher *ec, const uint8_t *iv,
    const uint8_t *aad, size_t aadlen, size_t len)
{
	uint8_t	nonce[12];
	int	outl;

	if (!ec->ec_aead)
		return (ERR_STATE);
	if (aadlen > INT32_MAX || len > INT32_MAX)
		return (ERR_TOOBIG);
	esp_cipher_nonce(ec, iv, nonce);
	if (!EVP_CipherInit_ex2(ec->ec_cctx, NULL, NULL, nonce, -1, NULL))
		return (ERR_CRYPTO);
	if (aadlen > 0 && !EVP_CipherUpdate(ec->ec_cctx, NULL, &outl, aad,
	    (int)aadlen))
		return (ERR_CRYPTO);
	return (0);
}

int
esp_cipher_aead_encrypt(struct esp_cipher *ec, const uint8_t *iv,
    const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
    uint8_t *icv)
{
	OSSL_PARAM	params[2];
	int		outl, r;

	if ((r = esp_cipher_aead_start(ec, iv, aad, aadlen, len)) != 0)
		return (r);
	if (len > 0 && !EVP_CipherUpdate(ec->ec_cctx, buf, &outl, buf,
	    (int)len))
		return (ERR_CRYPTO);
	if (!EVP_CipherFinal_ex(ec->ec_cctx, buf + len, &outl))
		return (ERR_CRYPTO);
	params[0] = OSSL_PARAM_construct_octet_string(
	    OSSL_CIPHER_PARAM_AEAD_TAG, icv, ec->ec_icv_len);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_CIPHER_CTX_get_params(ec->ec_cctx, params))
		return (ERR_CRYPTO);
	return (0);
}

int
esp_cipher_aead_decrypt(struct esp_cipher *ec, const uint8_t *iv,
    const uint8_t *aad, size_t aadlen, uint8_t *buf, size_t len,
    const uint8_t *icv)
{
	OSSL_PARAM	params[2];
	int		outl, r;

	if ((r = esp_cipher_aead_start(ec, iv, aad, aadlen, len)) != 0)
		return (r);
	if (len > 0 && !EVP_CipherUpdate(ec->ec_cctx, buf, &outl, buf,
	    (int)len))
		return (ERR_CRYPTO);
	params[0] = OSSL_PARAM_construct_octet_string(
	    OSSL_CIPHER_PARAM_AEAD_TAG, (void *)icv, ec->ec_icv_len);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_CIPHER_CTX_set_params(ec->ec_cctx, params))
		return (ERR_CRYPTO);
	/* The final step compares the tag (in constant time). */
	if (!EVP_CipherFinal_ex(ec->ec_cctx, buf + len, &outl))
		return (ERR_AUTH);
	return (0);
}

static void
esp_cipher_put_u64(uint8_t *p, uint64_t v)
{
	int	i;

	for (i = 7; i >= 0; i--) {
		p[i] = v & 0xff;
		v >>= 8;
	}
}

int
esp_cipher_seal(struct esp_cipher *ec, uint8_t *pkt, size_t len,
    uint64_t iv_counter)
{
	size_t	off = ESP_CIPHER_HDR_LEN + ec->ec_iv_len;
	uint8_t	*iv = pkt + ESP_CIPHER_HDR_LEN;
	int	 r;

	if (len < off)
		return (ERR_INVAL);
	if (ec->ec_aead) {
		/* RFC 4106 3.1: the IV must never repeat for a key. */
		esp_cipher_put_u64(iv, iv_counter);
		return (esp_cipher_aead_encrypt(ec, iv, pkt,
		    ESP_CIPHER_HDR_LEN, pkt + off, len - off, pkt + len));
	}
	/* RFC 3602 2.3: the CBC IV must be random and unpredictable. */
	if ((r = esp_cipher_random_iv(iv, ec->ec_iv_len)) != 0)
		return (r);
	if ((r = esp_cipher_crypt(ec, iv, pkt + off, len - off)) != 0)
		return (r);
	return (esp_cipher_mac(ec, pkt, len, pkt + len));
}

int
esp_cipher_open(struct esp_cipher *ec, uint8_t *pkt, size_t len)
{
	size_t	off = ESP_CIPHER_HDR_LEN + ec->ec_iv_len;
	uint8_t	icv[ESP_CIPHER_ICV_MAX];
	size_t	end;
	int	r;

	if (len < off + ec->ec_icv_len)
		return (ERR_TRUNCATED);
	end = len - ec->ec_icv_len;
	if (ec->ec_aead)
		return (esp_cipher_aead_decrypt(ec, pkt + ESP_CIPHER_HDR_LEN,
		    pkt, ESP_CIPHER_HDR_LEN, pkt + off, end - off, pkt + end));
	/* RFC 4303 3.4.4: verify the ICV before decrypting. */
	if ((r = esp_cipher_mac(ec, pkt, end, icv)) != 0)
		return (r);
	if (!util_memeq_ct(icv, pkt + end, ec->ec_icv_len))
		return (ERR_AUTH);
	return (esp_cipher_crypt(ec, pkt + ESP_CIPHER_HDR_LEN, pkt + off,
	    end - off));
}
