#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "crypto/crypto_int.h"
#include "crypto/hash.h"
#include "lib/err.h"

struct hash_ctx {
	EVP_MD_CTX	*hc_md;
	size_t		 hc_len;
};

size_t
hash_length(enum hash_alg alg)
{
	switch (alg) {
	case HASH_MD5:
		return (16);
	case HASH_SHA1:
		return (20);
	case HASH_SHA256:
		return (32);
	case HASH_SHA384:
		return (48);
	case HASH_SHA512:
		return (64);
	}
	return (0);
}

const char *
hash_name(enum hash_alg alg)
{
	switch (alg) {
	case HASH_MD5:
		return ("md5");
	case HASH_SHA1:
		return ("sha1");
	case HASH_SHA256:
		return ("sha256");
	case HASH_SHA384:
		return ("sha384");
	case HASH_SHA512:
		return ("sha512");
	}
	return ("unknown");
}

int
hash_init(struct hash_ctx **ctxp, enum hash_alg alg)
{
	struct hash_ctx	*ctx = NULL;
	const EVP_MD	*md;
	int		 r;

	*ctxp = NULL;
	if (crypto_ready() != 0)
		return (ERR_CRYPTO);
	if ((md = crypto_md(alg)) == NULL)
		return (ERR_UNSUPPORTED);
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL) {
		r = ERR_NOMEM;
		goto out;
	}
	ctx->hc_len = hash_length(alg);
	if ((ctx->hc_md = EVP_MD_CTX_new()) == NULL) {
		r = ERR_NOMEM;
		goto out;
	}
	if (!EVP_DigestInit_ex2(ctx->hc_md, md, NULL)) {
		crypto_log_errors("hash_init");
		r = ERR_CRYPTO;
		goto out;
	}
	*ctxp = ctx;
	ctx = NULL;
	r = 0;
 out:
	hash_free(ctx);
	return (r);
}

int
hash_update(struct hash_ctx *ctx, const void *data, size_t len)
{
	if (len == 0)
		return (0);
	if (!EVP_DigestUpdate(ctx->hc_md, data, len)) {
		crypto_log_errors("hash_update");
		return (ERR_CRYPTO);
	}
	return (0);
}

int
hash_final(struct hash_ctx *ctx, uint8_t *out, size_t outsize)
{
	if (outsize < ctx->hc_len)
		return (ERR_INVAL);
	/* Re-initialise so that the context can hash the next message. */
	if (!EVP_DigestFinal_ex(ctx->hc_md, out, NULL) ||
	    !EVP_DigestInit_ex2(ctx->hc_md, NULL, NULL)) {
		crypto_log_errors("hash_final");
		return (ERR_CRYPTO);
	}
	return (0);
}

void
hash_free(struct hash_ctx *ctx)
{
	if (ctx == NULL)
		return;
	EVP_MD_CTX_free(ctx->hc_md);
	free(ctx);
}

int
hash_digest(enum hash_alg alg, const void *data, size_t len, uint8_t *out,
    size_t outsize)
{
	const EVP_MD	*md;

	if (crypto_ready() != 0)
		return (ERR_CRYPTO);
	if ((md = crypto_md(alg)) == NULL)
		return (ERR_UNSUPPORTED);
	if (outsize < hash_length(alg))
		return (ERR_INVAL);
	if (!EVP_Digest(data, len, out, NULL, md, NULL)) {
		crypto_log_errors("hash_digest");
		return (ERR_CRYPTO);
	}
	return (0);
}
