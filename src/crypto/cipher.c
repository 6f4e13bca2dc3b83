#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypto/cipher.h"
#include "crypto/crypto.h"
#include "crypto/crypto_int.h"
#include "lib/err.h"
#include "lib/log.h"

/*
 * One OpenSSL context per direction: AES has different key schedules
 * for encryption and decryption, and OpenSSL builds the schedule only
 * when it is given the key.
 */
struct cipher_ctx {
	EVP_CIPHER_CTX	*cc_evp[2];	/* [0] decrypt, [1] encrypt */
	size_t		 cc_block;
};

const char *
cipher_name(enum cipher_alg alg)
{
	switch (alg) {
	case CIPHER_DES_CBC:
		return ("des-cbc");
	case CIPHER_BLOWFISH_CBC:
		return ("blowfish-cbc");
	case CIPHER_3DES_CBC:
		return ("3des-cbc");
	case CIPHER_AES_CBC:
		return ("aes-cbc");
	}
	return ("unknown");
}

size_t
cipher_block_size(enum cipher_alg alg)
{
	switch (alg) {
	case CIPHER_DES_CBC:
	case CIPHER_BLOWFISH_CBC:
	case CIPHER_3DES_CBC:
		return (8);
	case CIPHER_AES_CBC:
		return (16);
	}
	return (0);
}

static int
cipher_is_legacy(enum cipher_alg alg)
{
	return (alg == CIPHER_DES_CBC || alg == CIPHER_BLOWFISH_CBC);
}

int
cipher_supported(enum cipher_alg alg)
{
	if (cipher_block_size(alg) == 0)
		return (ERR_UNSUPPORTED);
	if (crypto_ready() != 0)
		return (ERR_CRYPTO);
	if (cipher_is_legacy(alg) && !crypto_legacy_available()) {
		log_warn("%s needs the OpenSSL legacy provider, which is not "
		    "available; install legacy.so (package libssl3) or "
		    "choose aes or 3des", cipher_name(alg));
		return (ERR_UNSUPPORTED);
	}
	/* The key length only picks among objects fetched together. */
	if (crypto_cipher(alg, alg == CIPHER_AES_CBC ? 16 :
	    alg == CIPHER_3DES_CBC ? 24 : 8) == NULL)
		return (ERR_UNSUPPORTED);
	return (0);
}

int
cipher_key_length(enum cipher_alg alg, unsigned int keybits,
    size_t *keylen)
{
	switch (alg) {
	case CIPHER_DES_CBC:
	case CIPHER_3DES_CBC:
		/* RFC 2409 Appendix A: no Key Length for fixed-key ciphers. */
		if (keybits != 0)
			return (ERR_INVAL);
		*keylen = alg == CIPHER_DES_CBC ? 8 : 24;
		return (0);
	case CIPHER_AES_CBC:
		if (keybits == 0)
			keybits = 128;
		if (keybits != 128 && keybits != 192 && keybits != 256)
			return (ERR_INVAL);
		*keylen = keybits / 8;
		return (0);
	case CIPHER_BLOWFISH_CBC:
		if (keybits == 0)
			keybits = 128;
		if (keybits < 40 || keybits > 448 || keybits % 8 != 0)
			return (ERR_INVAL);
		*keylen = keybits / 8;
		return (0);
	}
	return (ERR_UNSUPPORTED);
}

static int
cipher_check_keylen(enum cipher_alg alg, size_t keylen)
{
	size_t	 want;

	if (alg == CIPHER_DES_CBC || alg == CIPHER_3DES_CBC) {
		(void)cipher_key_length(alg, 0, &want);
		return (keylen == want ? 0 : ERR_INVAL);
	}
	if (keylen > CIPHER_MAX_KEY || keylen > UINT32_MAX / 8)
		return (ERR_INVAL);
	return (cipher_key_length(alg, (unsigned int)keylen * 8, &want));
}

int
cipher_ctx_new(struct cipher_ctx **ctxp, enum cipher_alg alg,
    const uint8_t *key, size_t keylen)
{
	struct cipher_ctx	*ctx = NULL;
	const EVP_CIPHER	*evp;
	OSSL_PARAM		 params[2];
	int			 enc, r;

	*ctxp = NULL;
	if ((r = cipher_supported(alg)) != 0)
		return (r);
	if ((r = cipher_check_keylen(alg, keylen)) != 0)
		return (r);
	if ((evp = crypto_cipher(alg, keylen)) == NULL)
		return (ERR_UNSUPPORTED);
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
		return (ERR_NOMEM);
	ctx->cc_block = cipher_block_size(alg);
	/* Blowfish takes its key length as a parameter before the key. */
	params[0] = OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_KEYLEN,
	    &keylen);
	params[1] = OSSL_PARAM_construct_end();
	for (enc = 0; enc < 2; enc++) {
		if ((ctx->cc_evp[enc] = EVP_CIPHER_CTX_new()) == NULL) {
			r = ERR_NOMEM;
			goto out;
		}
		if (!EVP_CipherInit_ex2(ctx->cc_evp[enc], evp, NULL, NULL,
		    enc, alg == CIPHER_BLOWFISH_CBC ? params : NULL) ||
		    !EVP_CipherInit_ex2(ctx->cc_evp[enc], NULL, key, NULL,
		    enc, NULL) ||
		    !EVP_CIPHER_CTX_set_padding(ctx->cc_evp[enc], 0)) {
			crypto_log_errors("cipher_ctx_new");
			r = ERR_CRYPTO;
			goto out;
		}
	}
	*ctxp = ctx;
	ctx = NULL;
	r = 0;
 out:
	cipher_ctx_free(ctx);
	return (r);
}

void
cipher_ctx_free(struct cipher_ctx *ctx)
{
	if (ctx == NULL)
		return;
	/* EVP_CIPHER_CTX_free() clears the key schedule. */
	EVP_CIPHER_CTX_free(ctx->cc_evp[0]);
	EVP_CIPHER_CTX_free(ctx->cc_evp[1]);
	free(ctx);
}

size_t
cipher_ctx_block_size(const struct cipher_ctx *ctx)
{
	return (ctx->cc_block);
}

static int
cipher_ctx_run(struct cipher_ctx *ctx, int enc, const uint8_t *iv,
    const uint8_t *in, size_t len, uint8_t *out, uint8_t *last)
{
	EVP_CIPHER_CTX	*evp;
	uint8_t		 next[CIPHER_MAX_BLOCK];
	int		 outl, finl;

	if (len == 0 || len % ctx->cc_block != 0 || len > INT32_MAX)
		return (ERR_INVAL);
	/* Save the last input block first: in and out may overlap. */
	if (!enc)
		memcpy(next, in + len - ctx->cc_block, ctx->cc_block);
	evp = ctx->cc_evp[enc];
	if (!EVP_CipherInit_ex2(evp, NULL, NULL, iv, enc, NULL) ||
	    !EVP_CipherUpdate(evp, out, &outl, in, (int)len) ||
	    !EVP_CipherFinal_ex(evp, out + outl, &finl) ||
	    (size_t)outl + (size_t)finl != len) {
		crypto_log_errors(enc ? "cipher_encrypt" : "cipher_decrypt");
		return (ERR_CRYPTO);
	}
	if (enc)
		memcpy(next, out + len - ctx->cc_block, ctx->cc_block);
	if (last != NULL)
		memcpy(last, next, ctx->cc_block);
	return (0);
}

int
cipher_ctx_encrypt(struct cipher_ctx *ctx, const uint8_t *iv,
    const uint8_t *in, size_t len, uint8_t *out, uint8_t *last)
{
	return (cipher_ctx_run(ctx, 1, iv, in, len, out, last));
}

int
cipher_ctx_decrypt(struct cipher_ctx *ctx, const uint8_t *iv,
    const uint8_t *in, size_t len, uint8_t *out, uint8_t *last)
{
	return (cipher_ctx_run(ctx, 0, iv, in, len, out, last));
}

static int
cipher_oneshot(enum cipher_alg alg, int enc, const uint8_t *key,
    size_t keylen, const uint8_t *iv, const uint8_t *in, size_t len,
    uint8_t *out, uint8_t *last)
{
	struct cipher_ctx	*ctx = NULL;
	int			 r;

	if ((r = cipher_ctx_new(&ctx, alg, key, keylen)) != 0)
		goto out;
	r = cipher_ctx_run(ctx, enc, iv, in, len, out, last);
 out:
	cipher_ctx_free(ctx);
	return (r);
}

int
cipher_encrypt(enum cipher_alg alg, const uint8_t *key, size_t keylen,
    const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out,
    uint8_t *last)
{
	return (cipher_oneshot(alg, 1, key, keylen, iv, in, len, out, last));
}

int
cipher_decrypt(enum cipher_alg alg, const uint8_t *key, size_t keylen,
    const uint8_t *iv, const uint8_t *in, size_t len, uint8_t *out,
    uint8_t *last)
{
	return (cipher_oneshot(alg, 0, key, keylen, iv, in, len, out, last));
}
