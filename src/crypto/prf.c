#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "crypto/crypto_int.h"
#include "crypto/prf.h"
#include "lib/err.h"

struct prf_ctx {
	EVP_MAC_CTX	*pc_mac;
	size_t		 pc_len;
};

size_t
prf_length(enum hash_alg alg)
{
	return (hash_length(alg));
}

int
prf_init(struct prf_ctx **ctxp, enum hash_alg alg, const void *key,
    size_t keylen)
{
	static const uint8_t	 empty[1];
	struct prf_ctx		*ctx = NULL;
	const EVP_MAC_CTX	*tmpl;
	int			 r;

	*ctxp = NULL;
	if (crypto_ready() != 0)
		return (ERR_CRYPTO);
	if ((tmpl = crypto_hmac_template(alg)) == NULL)
		return (ERR_UNSUPPORTED);
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
		return (ERR_NOMEM);
	ctx->pc_len = prf_length(alg);
	if ((ctx->pc_mac = EVP_MAC_CTX_dup(tmpl)) == NULL) {
		r = ERR_NOMEM;
		goto out;
	}
	/* An empty HMAC key is valid (RFC 2104); OpenSSL wants a pointer. */
	if (keylen == 0)
		key = empty;
	if (!EVP_MAC_init(ctx->pc_mac, key, keylen, NULL)) {
		crypto_log_errors("prf_init");
		r = ERR_CRYPTO;
		goto out;
	}
	*ctxp = ctx;
	ctx = NULL;
	r = 0;
 out:
	prf_free(ctx);
	return (r);
}

int
prf_update(struct prf_ctx *ctx, const void *data, size_t len)
{
	if (len == 0)
		return (0);
	if (!EVP_MAC_update(ctx->pc_mac, data, len)) {
		crypto_log_errors("prf_update");
		return (ERR_CRYPTO);
	}
	return (0);
}

int
prf_final(struct prf_ctx *ctx, uint8_t *out, size_t outsize)
{
	size_t	 len;

	if (outsize < ctx->pc_len)
		return (ERR_INVAL);
	if (!EVP_MAC_final(ctx->pc_mac, out, &len, outsize) ||
	    len != ctx->pc_len) {
		crypto_log_errors("prf_final");
		return (ERR_CRYPTO);
	}
	/* Re-arm with the same key: a NULL key keeps the one set before. */
	if (!EVP_MAC_init(ctx->pc_mac, NULL, 0, NULL)) {
		crypto_log_errors("prf_final");
		return (ERR_CRYPTO);
	}
	return (0);
}

size_t
prf_ctx_length(const struct prf_ctx *ctx)
{
	return (ctx->pc_len);
}

void
prf_free(struct prf_ctx *ctx)
{
	if (ctx == NULL)
		return;
	/* OpenSSL's HMAC wipes its key copies when the context is freed. */
	EVP_MAC_CTX_free(ctx->pc_mac);
	free(ctx);
}

int
prf_compute(enum hash_alg alg, const void *key, size_t keylen,
    const void *data, size_t len, uint8_t *out, size_t outsize)
{
	struct prf_ctx	*ctx = NULL;
	int		 r;

	if (outsize < prf_length(alg))
		return (prf_length(alg) == 0 ? ERR_UNSUPPORTED : ERR_INVAL);
	if ((r = prf_init(&ctx, alg, key, keylen)) != 0)
		goto out;
	if ((r = prf_update(ctx, data, len)) != 0)
		goto out;
	r = prf_final(ctx, out, outsize);
 out:
	prf_free(ctx);
	return (r);
}
