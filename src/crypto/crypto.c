#include <stddef.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "crypto/crypto.h"
#include "crypto/crypto_int.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/util.h"

/* Digest names of the RFC 2409 Hash Algorithm values, by value. */
static const struct {
	enum hash_alg	 h_alg;
	const char	*h_openssl;
} crypto_hashes[] = {
	{ HASH_MD5,	"MD5" },
	{ HASH_SHA1,	"SHA1" },
	{ HASH_SHA256,	"SHA2-256" },
	{ HASH_SHA384,	"SHA2-384" },
	{ HASH_SHA512,	"SHA2-512" },
};

#define CRYPTO_NHASH	UTIL_NELEM(crypto_hashes)

/* Ciphers by RFC 2409 value and key length; keylen 0 = any length. */
static const struct {
	enum cipher_alg	 c_alg;
	size_t		 c_keylen;
	int		 c_legacy;
	const char	*c_openssl;
} crypto_ciphers[] = {
	{ CIPHER_DES_CBC,	8,	1, "DES-CBC" },
	{ CIPHER_BLOWFISH_CBC,	0,	1, "BF-CBC" },
	{ CIPHER_3DES_CBC,	24,	0, "DES-EDE3-CBC" },
	{ CIPHER_AES_CBC,	16,	0, "AES-128-CBC" },
	{ CIPHER_AES_CBC,	24,	0, "AES-192-CBC" },
	{ CIPHER_AES_CBC,	32,	0, "AES-256-CBC" },
};

#define CRYPTO_NCIPHER	UTIL_NELEM(crypto_ciphers)

static struct {
	int		 cs_ready;
	OSSL_PROVIDER	*cs_default;
	OSSL_PROVIDER	*cs_legacy;
	EVP_MD		*cs_md[CRYPTO_NHASH];
	EVP_CIPHER	*cs_cipher[CRYPTO_NCIPHER];
} crypto_state;

void
crypto_log_errors(const char *what)
{
	unsigned long	 e;
	char		 buf[256];

	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, buf, sizeof(buf));
		log_debug(D_KEY, "%s: OpenSSL: %s", what, buf);
	}
}

static int
crypto_load_providers(void)
{
	/*
	 * Loading any provider explicitly stops OpenSSL from loading the
	 * default provider by itself, so load both.
	 */
	crypto_state.cs_default = OSSL_PROVIDER_load(NULL, "default");
	if (crypto_state.cs_default == NULL) {
		crypto_log_errors("crypto_init");
		log_err("cannot load the OpenSSL default provider; check "
		    "OPENSSL_CONF and the OpenSSL 3 installation (libssl3)");
		return (ERR_CRYPTO);
	}
	crypto_state.cs_legacy = OSSL_PROVIDER_load(NULL, "legacy");
	if (crypto_state.cs_legacy == NULL) {
		crypto_log_errors("crypto_init");
		log_warn("the OpenSSL legacy provider (legacy.so in "
		    "OPENSSL_MODULES, package libssl3) is not available; "
		    "DES and Blowfish are disabled");
	}
	return (0);
}

static int
crypto_fetch_hashes(void)
{
	size_t	 i;

	for (i = 0; i < CRYPTO_NHASH; i++) {
		crypto_state.cs_md[i] = EVP_MD_fetch(NULL,
		    crypto_hashes[i].h_openssl, NULL);
		if (crypto_state.cs_md[i] == NULL) {
			log_err("OpenSSL has no digest %s; check the "
			    "default provider", crypto_hashes[i].h_openssl);
			return (ERR_CRYPTO);
		}
	}
	return (0);
}

static int
crypto_fetch_ciphers(void)
{
	size_t	 i;

	for (i = 0; i < CRYPTO_NCIPHER; i++) {
		if (crypto_ciphers[i].c_legacy &&
		    crypto_state.cs_legacy == NULL)
			continue;
		crypto_state.cs_cipher[i] = EVP_CIPHER_fetch(NULL,
		    crypto_ciphers[i].c_openssl, NULL);
		if (crypto_state.cs_cipher[i] != NULL)
			continue;
		crypto_log_errors("crypto_init");
		if (crypto_ciphers[i].c_legacy) {
			log_warn("OpenSSL legacy provider has no %s; it is "
			    "disabled", crypto_ciphers[i].c_openssl);
			continue;
		}
		log_err("OpenSSL has no cipher %s; check the default "
		    "provider", crypto_ciphers[i].c_openssl);
		return (ERR_CRYPTO);
	}
	return (0);
}

int
crypto_init(void)
{
	int	 r;

	if (crypto_state.cs_ready)
		return (0);
	if ((r = crypto_load_providers()) != 0)
		goto out;
	if ((r = crypto_fetch_hashes()) != 0)
		goto out;
	if ((r = crypto_fetch_ciphers()) != 0)
		goto out;
	if ((r = dh_init()) != 0)
		goto out;
	crypto_state.cs_ready = 1;
 out:
	if (r != 0) {
		crypto_log_errors("crypto_init");
		crypto_shutdown();
	}
	return (r);
}

void
crypto_shutdown(void)
{
	size_t	 i;

	dh_shutdown();
	for (i = 0; i < CRYPTO_NCIPHER; i++) {
		EVP_CIPHER_free(crypto_state.cs_cipher[i]);
		crypto_state.cs_cipher[i] = NULL;
	}
	for (i = 0; i < CRYPTO_NHASH; i++) {
		EVP_MD_free(crypto_state.cs_md[i]);
		crypto_state.cs_md[i] = NULL;
	}
	if (crypto_state.cs_legacy != NULL)
		OSSL_PROVIDER_unload(crypto_state.cs_legacy);
	crypto_state.cs_legacy = NULL;
	if (crypto_state.cs_default != NULL)
		OSSL_PROVIDER_unload(crypto_state.cs_default);
	crypto_state.cs_default = NULL;
	crypto_state.cs_ready = 0;
}

int
crypto_legacy_available(void)
{
	if (crypto_ready() != 0)
		return (0);
	return (crypto_state.cs_legacy != NULL);
}

int
crypto_ready(void)
{
	if (crypto_state.cs_ready)
		return (0);
	return (crypto_init());
}

static int
crypto_hash_index(enum hash_alg alg, size_t *idx)
{
	size_t	 i;

	for (i = 0; i < CRYPTO_NHASH; i++) {
		if (crypto_hashes[i].h_alg == alg) {
			*idx = i;
			return (0);
		}
	}
	return (ERR_UNSUPPORTED);
}

const EVP_MD *
crypto_md(enum hash_alg alg)
{
	size_t	 i;

	if (crypto_ready() != 0 || crypto_hash_index(alg, &i) != 0)
		return (NULL);
	return (crypto_state.cs_md[i]);
}

const EVP_CIPHER *
crypto_cipher(enum cipher_alg alg, size_t keylen)
{
	size_t	 i;

	if (crypto_ready() != 0)
		return (NULL);
	for (i = 0; i < CRYPTO_NCIPHER; i++) {
		if (crypto_ciphers[i].c_alg != alg)
			continue;
		if (crypto_ciphers[i].c_keylen == 0 ||
		    crypto_ciphers[i].c_keylen == keylen)
			return (crypto_state.cs_cipher[i]);
	}
	return (NULL);
}
