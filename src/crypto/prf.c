/*
 * HMAC (RFC 2104) on a digest context of the caller's own.  The context
 * stores the key block XORed with ipad and with opad, and a computation
 * digests the inner block, the message, the outer block and the inner
 * hash.  On OpenSSL 3.0 this is cheaper than an EVP_MAC_CTX per key,
 * whose duplication and every re-initialisation allocate and copy three
 * digest contexts.  Each prf_ctx belongs to one caller at a time; the
 * only shared object is the fetched EVP_MD, which OpenSSL lets threads
 * use concurrently.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "crypto/crypto_int.h"
#include "crypto/prf.h"
#include "lib/err.h"
#include "lib/util.h"

/* The largest hash block: 128 bytes for SHA-384 and SHA-512. */
#define PRF_MAX_BLOCK	128

#define PRF_IPAD	0x36
#define PRF_OPAD	0x5c

struct prf_ctx {
	const EVP_MD	*pc_md;
	EVP_MD_CTX	*pc_digest;
	size_t		 pc_len;
	size_t		 pc_block;
	int		 pc_started;	/* pc_digest has the inner block */
	uint8_t		 pc_ipad[PRF_MAX_BLOCK];
	uint8_t		 pc_opad[PRF_MAX_BLOCK];
};

size_t
prf_length(enum hash_alg alg)
{
	return (hash_length(alg));
}

/*
 * Store K xor ipad and K xor opad.  A key longer than the block is
 * replaced by its hash first (RFC 2104 section 2).
 */
static int
prf_set_key(struct prf_ctx *ctx, const void *key, size_t keylen)
{
	size_t	 i;

	if (keylen > ctx->pc_block) {
		if (!EVP_DigestInit_ex2(ctx->pc_digest, ctx->pc_md, NULL) ||
		    !EVP_DigestUpdate(ctx->pc_digest, key, keylen) ||
		    !EVP_DigestFinal_ex(ctx->pc_digest, ctx->pc_ipad, NULL)) {
			crypto_log_errors("prf_init");
			return (ERR_CRYPTO);
		}
		keylen = ctx->pc_len;
	} else if (keylen > 0)
		memcpy(ctx->pc_ipad, key, keylen);
	memcpy(ctx->pc_opad, ctx->pc_ipad, keylen);
	for (i = 0; i < ctx->pc_block; i++) {
		ctx->pc_ipad[i] ^= PRF_IPAD;
		ctx->pc_opad[i] ^= PRF_OPAD;
	}
	return (0);
}

int
prf_init(struct prf_ctx **ctxp, enum hash_alg alg, const void *key,
    size_t keylen)
{
	struct prf_ctx	*ctx = NULL;
	const EVP_MD	*md;
	int		 r;

	*ctxp = NULL;
	if (crypto_ready() != 0)
		return (ERR_CRYPTO);
	if ((md = crypto_md(alg)) == NULL)
		return (ERR_UNSUPPORTED);
	if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
		return (ERR_NOMEM);
	ctx->pc_md = md;
	ctx->pc_len = prf_length(alg);
	ctx->pc_block = (size_t)EVP_MD_get_block_size(md);
	if (ctx->pc_block < ctx->pc_len || ctx->pc_block > PRF_MAX_BLOCK) {
		r = ERR_UNSUPPORTED;
		goto out;
	}
	if ((ctx->pc_digest = EVP_MD_CTX_new()) == NULL) {
		r = ERR_NOMEM;
		goto out;
	}
	if ((r = prf_set_key(ctx, key, keylen)) != 0)
		goto out;
	*ctxp = ctx;
	ctx = NULL;
 out:
	prf_free(ctx);
	return (r);
}

/*
 * Start the inner hash with K xor ipad.  This waits for the first data,
 * so that prf_final() does not start a computation that may never come.
 */
static int
prf_start(struct prf_ctx *ctx)
{
	if (ctx->pc_started)
		return (0);
	if (!EVP_DigestInit_ex2(ctx->pc_digest, ctx->pc_md, NULL) ||
	    !EVP_DigestUpdate(ctx->pc_digest, ctx->pc_ipad, ctx->pc_block)) {
		crypto_log_errors("prf_update");
		return (ERR_CRYPTO);
	}
	ctx->pc_started = 1;
	return (0);
}

int
prf_update(struct prf_ctx *ctx, const void *data, size_t len)
{
	int	 r;

	if (len == 0)
		return (0);
	if ((r = prf_start(ctx)) != 0)
		return (r);
	if (!EVP_DigestUpdate(ctx->pc_digest, data, len)) {
		crypto_log_errors("prf_update");
		return (ERR_CRYPTO);
	}
	return (0);
}

int
prf_final(struct prf_ctx *ctx, uint8_t *out, size_t outsize)
{
	uint8_t	 inner[HASH_MAX_LEN];
	int	 r;

	if (outsize < ctx->pc_len)
		return (ERR_INVAL);
	if ((r = prf_start(ctx)) != 0)
		return (r);
	/* The next prf_update() starts a new message under the same key. */
	ctx->pc_started = 0;
	if (!EVP_DigestFinal_ex(ctx->pc_digest, inner, NULL) ||
	    !EVP_DigestInit_ex2(ctx->pc_digest, ctx->pc_md, NULL) ||
	    !EVP_DigestUpdate(ctx->pc_digest, ctx->pc_opad, ctx->pc_block) ||
	    !EVP_DigestUpdate(ctx->pc_digest, inner, ctx->pc_len) ||
	    !EVP_DigestFinal_ex(ctx->pc_digest, out, NULL)) {
		crypto_log_errors("prf_final");
		r = ERR_CRYPTO;
	}
	util_wipe(inner, sizeof(inner));
	return (r);
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
	/* OpenSSL clears the digest state when it frees the context. */
	EVP_MD_CTX_free(ctx->pc_digest);
	util_freezero(ctx, sizeof(*ctx));
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
