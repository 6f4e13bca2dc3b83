#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include "crypto/crypto_int.h"
#include "crypto/dh.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/wbuf.h"

#define DH_MAX_FIELD	66	/* P-521 */

/*
 * Every group "ikeadm dump groups" lists.  Strength is an estimate in
 * bits.  MODP 5 and 14 to 18 take the lower end of RFC 3526 section 8.
 * MODP 2 and the subgroup groups take NIST SP 800-57 Part 1 table 2.
 * Elliptic curves take half the order size.  768-bit MODP, which no
 * standard rates, is put at 60.  Lengths are 0 for groups that are not
 * implemented.
 */
static const struct dh_group_info dh_groups[] = {
	{ 1, DH_MODP, "768-bit MODP (group 1)", 60, 96, 96, 1 },
	{ 2, DH_MODP, "1024-bit MODP (group 2)", 80, 128, 128, 1 },
	{ 3, DH_EC2N, "155-bit EC2N (group 3)", 76, 0, 0, 0 },
	{ 4, DH_EC2N, "185-bit EC2N (group 4)", 91, 0, 0, 0 },
	{ 5, DH_MODP, "1536-bit MODP (group 5)", 90, 192, 192, 1 },
	{ 14, DH_MODP, "2048-bit MODP (group 14)", 110, 256, 256, 1 },
	{ 15, DH_MODP, "3072-bit MODP (group 15)", 130, 384, 384, 1 },
	{ 16, DH_MODP, "4096-bit MODP (group 16)", 150, 512, 512, 1 },
	{ 17, DH_MODP, "6144-bit MODP (group 17)", 170, 768, 768, 1 },
	{ 18, DH_MODP, "8192-bit MODP (group 18)", 190, 1024, 1024, 1 },
	{ 19, DH_ECP, "256-bit ECP (group 19)", 128, 64, 32, 1 },
	{ 20, DH_ECP, "384-bit ECP (group 20)", 192, 96, 48, 1 },
	{ 21, DH_ECP, "521-bit ECP (group 21)", 256, 132, 66, 1 },
	{ 22, DH_MODP_SUBGROUP,
	    "1024-bit MODP with 160-bit subprime (group 22)", 80, 128, 128,
	    1 },
	{ 23, DH_MODP_SUBGROUP,
	    "2048-bit MODP with 224-bit subprime (group 23)", 112, 256, 256,
	    1 },
	{ 24, DH_MODP_SUBGROUP,
	    "2048-bit MODP with 256-bit subprime (group 24)", 112, 256, 256,
	    1 },
	{ 25, DH_ECP, "192-bit ECP (group 25)", 96, 48, 24, 1 },
	{ 26, DH_ECP, "224-bit ECP (group 26)", 112, 56, 28, 1 },
	{ 31, DH_CURVE, "Curve25519 (group 31)", 128, 32, 32, 1 },
	{ 32, DH_CURVE, "Curve448 (group 32)", 224, 56, 56, 1 },
};

#define DH_NGROUPS	UTIL_NELEM(dh_groups)

/*
 * How each implemented group is made with OpenSSL.  priv_bits is the
 * private exponent length for the MODP groups without a subgroup order,
 * the upper end of the RFC 3526 section 8 estimates (at least 256).
 */
static const struct {
	unsigned int	 im_group;
	const char	*im_name;	/* OpenSSL group or key type name */
	int		 im_nid;	/* ECP curve */
	int		 im_priv_bits;
} dh_impl[] = {
	{ 1, NULL, 0, 256 },
	{ 2, NULL, 0, 256 },
	{ 5, NULL, 0, 256 },
	{ 14, NULL, 0, 320 },
	{ 15, NULL, 0, 420 },
	{ 16, NULL, 0, 480 },
	{ 17, NULL, 0, 540 },
	{ 18, NULL, 0, 620 },
	{ 19, "P-256", NID_X9_62_prime256v1, 0 },
	{ 20, "P-384", NID_secp384r1, 0 },
	{ 21, "P-521", NID_secp521r1, 0 },
	{ 22, "dh_1024_160", 0, 0 },
	{ 23, "dh_2048_224", 0, 0 },
	{ 24, "dh_2048_256", 0, 0 },
	{ 25, "P-192", NID_X9_62_prime192v1, 0 },
	{ 26, "P-224", NID_secp224r1, 0 },
	{ 31, "X25519", 0, 0 },
	{ 32, "X448", 0, 0 },
};

#define DH_NIMPL	UTIL_NELEM(dh_impl)

/* Objects made once by dh_init(), per entry of dh_impl. */
struct dh_domain {
	EVP_PKEY	*dd_params;	/* MODP domain parameters */
	BIGNUM		*dd_p;		/* MODP */
	BIGNUM		*dd_q;		/* subgroup MODP */
	BIGNUM		*dd_g;		/* MODP */
	uint8_t		*dd_pm1;	/* MODP: p - 1, big-endian */
	EC_GROUP	*dd_ec;		/* ECP */
	/*
	 * MODP and Curve: a context that generates keys, and for Curve one
	 * that imports peer values.  With OpenSSL 3.0, fetching the
	 * implementation by name for every X25519 peer value costs as much
	 * as the import itself.
	 */
	EVP_PKEY_CTX	*dd_keygen;
	EVP_PKEY_CTX	*dd_import;
};

static struct dh_domain	 dh_domains[DH_NIMPL];
static int		 dh_ready;

/*
 * MODP and Curve keys are EVP_PKEYs.  ECP keys are a scalar and a point
 * on the group that dh_init() made once.  Importing the peer's point as
 * an EVP_PKEY builds the curve from its name again, and reading the
 * public value back from an EVP_PKEY costs as much as making the key.
 * ECDH is the EC_POINT_mul() and EC_POINT_get_affine_coordinates()
 * that OpenSSL's own ECDH (crypto/ec/ecdh_ossl.c) calls.
 */
struct dh_key {
	const struct dh_group_info	*dk_info;
	size_t				 dk_impl;
	EVP_PKEY			*dk_pkey;	/* MODP, Curve */
	BIGNUM				*dk_priv;	/* ECP, secure heap */
	EC_POINT			*dk_pub;	/* ECP */
};

const struct dh_group_info *
dh_group_table(size_t *n)
{
	*n = DH_NGROUPS;
	return (dh_groups);
}

const struct dh_group_info *
dh_group_lookup(unsigned int group)
{
	size_t	 i;

	for (i = 0; i < DH_NGROUPS; i++)
		if (dh_groups[i].dg_id == group)
			return (&dh_groups[i]);
	return (NULL);
}

static int
dh_impl_index(unsigned int group, size_t *idx)
{
	size_t	 i;

	for (i = 0; i < DH_NIMPL; i++) {
		if (dh_impl[i].im_group == group) {
			*idx = i;
			return (0);
		}
	}
	return (ERR_UNSUPPORTED);
}

static enum dh_type
dh_impl_type(size_t i)
{
	return (dh_group_lookup(dh_impl[i].im_group)->dg_type);
}

static int
dh_is_modp(enum dh_type type)
{
	return (type == DH_MODP || type == DH_MODP_SUBGROUP);
}

/* Returns 1 when group i can make keys (its domain was set up). */
static int
dh_impl_ready(size_t i)
{
	if (!dh_ready)
		return (0);
	if (dh_impl_type(i) == DH_ECP)
		return (dh_domains[i].dd_ec != NULL);
	return (dh_domains[i].dd_keygen != NULL);
}

int
dh_group_supported(unsigned int group)
{
	size_t	 i;

	if (crypto_ready() != 0)
		return (ERR_CRYPTO);
	if (dh_impl_index(group, &i) != 0 || !dh_impl_ready(i))
		return (ERR_UNSUPPORTED);
	return (0);
}

int
dh_group_prime(unsigned int group, struct wbuf *out)
{
	const struct dh_domain	*dd;
	uint8_t			*p;
	size_t			 i, len;
	int			 r;

	if (crypto_ready() != 0)
		return (ERR_CRYPTO);
	if (dh_impl_index(group, &i) != 0 || !dh_impl_ready(i) ||
	    !dh_is_modp(dh_impl_type(i)))
		return (ERR_UNSUPPORTED);
	dd = &dh_domains[i];
	len = dh_group_lookup(group)->dg_public_len;
	wbuf_reset(out);
	if ((r = wbuf_alloc(out, len, &p)) != 0)
		return (r);
	if (BN_bn2binpad(dd->dd_p, p, (int)len) != (int)len) {
		wbuf_reset(out);
		return (ERR_CRYPTO);
	}
	return (0);
}

/* EVP_PKEY_fromdata() for a key type ("DH", "EC"). */
static int
dh_fromdata(const char *type, int selection, OSSL_PARAM *params,
    EVP_PKEY **pkey)
{
	EVP_PKEY_CTX	*ctx;
	int		 r = ERR_CRYPTO;

	*pkey = NULL;
	if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL)
		goto out;
	if (EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, pkey, selection, params) <= 0)
		goto out;
	r = 0;
 out:
	EVP_PKEY_CTX_free(ctx);
	return (r);
}

/*
 * A MODP key from the group's p, q (when it has one) and g, plus an
 * optional public and private value.  Without both, it is the domain
 * parameters (with the private exponent length).
 */
static int
dh_modp_fromdata(size_t i, const BIGNUM *pub, const BIGNUM *priv,
    EVP_PKEY **pkey)
{
	struct dh_domain	*dd = &dh_domains[i];
	OSSL_PARAM_BLD		*bld;
	OSSL_PARAM		*params = NULL;
	int			 selection, r = ERR_CRYPTO;

	*pkey = NULL;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		return (ERR_NOMEM);
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, dd->dd_p) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, dd->dd_g))
		goto out;
	if (dd->dd_q != NULL &&
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_Q, dd->dd_q))
		goto out;
	if (dh_impl[i].im_priv_bits != 0 && !OSSL_PARAM_BLD_push_int(bld,
	    OSSL_PKEY_PARAM_DH_PRIV_LEN, dh_impl[i].im_priv_bits))
		goto out;
	if (pub != NULL &&
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pub))
		goto out;
	if (priv != NULL &&
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv))
		goto out;
	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto out;
	if (priv != NULL)
		selection = EVP_PKEY_KEYPAIR;
	else if (pub != NULL)
		selection = EVP_PKEY_PUBLIC_KEY;
	else
		selection = EVP_PKEY_KEY_PARAMETERS;
	r = dh_fromdata("DH", selection, params, pkey);
 out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return (r);
}

/* Keep p - 1 as bytes for the range check of peer values. */
static int
dh_modp_set_pm1(struct dh_domain *dd, size_t plen)
{
	if ((dd->dd_pm1 = malloc(plen)) == NULL)
		return (ERR_NOMEM);
	if (BN_bn2binpad(dd->dd_p, dd->dd_pm1, (int)plen) != (int)plen)
		return (ERR_CRYPTO);
	/* p is odd, so p - 1 only clears the lowest bit. */
	dd->dd_pm1[plen - 1] &= 0xfe;
	return (0);
}

/* The key generation context of a MODP group, from its parameters. */
static int
dh_init_keygen(struct dh_domain *dd)
{
	if ((dd->dd_keygen = EVP_PKEY_CTX_new_from_pkey(NULL, dd->dd_params,
	    NULL)) == NULL || EVP_PKEY_keygen_init(dd->dd_keygen) <= 0)
		return (ERR_CRYPTO);
	return (0);
}

static int
dh_init_modp(size_t i)
{
	struct dh_domain	*dd = &dh_domains[i];
	const uint8_t		*prime;
	size_t			 plen;
	int			 r;

	if ((prime = dh_modp_prime(dh_impl[i].im_group, &plen)) == NULL)
		return (ERR_UNSUPPORTED);
	if ((dd->dd_p = BN_bin2bn(prime, (int)plen, NULL)) == NULL ||
	    (dd->dd_g = BN_new()) == NULL || !BN_set_word(dd->dd_g, 2))
		return (ERR_NOMEM);
	if ((r = dh_modp_set_pm1(dd, plen)) != 0)
		return (r);
	if ((r = dh_modp_fromdata(i, NULL, NULL, &dd->dd_params)) != 0)
		return (r);
	return (dh_init_keygen(dd));
}

/* The RFC 5114 groups, by their OpenSSL names. */
static int
dh_init_subgroup(size_t i)
{
	struct dh_domain	*dd = &dh_domains[i];
	OSSL_PARAM		 params[2];
	EVP_PKEY		*named = NULL;
	int			 r;

	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_PKEY_PARAM_GROUP_NAME, (char *)dh_impl[i].im_name, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((r = dh_fromdata("DH", EVP_PKEY_KEY_PARAMETERS, params,
	    &named)) != 0)
		goto out;
	r = ERR_CRYPTO;
	if (!EVP_PKEY_get_bn_param(named, OSSL_PKEY_PARAM_FFC_P, &dd->dd_p) ||
	    !EVP_PKEY_get_bn_param(named, OSSL_PKEY_PARAM_FFC_Q, &dd->dd_q) ||
	    !EVP_PKEY_get_bn_param(named, OSSL_PKEY_PARAM_FFC_G, &dd->dd_g))
		goto out;
	if ((size_t)BN_num_bytes(dd->dd_p) !=
	    dh_group_lookup(dh_impl[i].im_group)->dg_public_len)
		goto out;
	if ((r = dh_modp_set_pm1(dd, (size_t)BN_num_bytes(dd->dd_p))) != 0)
		goto out;
	if ((r = dh_modp_fromdata(i, NULL, NULL, &dd->dd_params)) != 0)
		goto out;
	r = dh_init_keygen(dd);
 out:
	EVP_PKEY_free(named);
	return (r);
}

static int
dh_init_ecp(size_t i)
{
	struct dh_domain	*dd = &dh_domains[i];
	size_t			 field;

	dd->dd_ec = EC_GROUP_new_by_curve_name_ex(NULL, NULL,
	    dh_impl[i].im_nid);
	if (dd->dd_ec == NULL)
		return (ERR_CRYPTO);
	/* The wire lengths of the group table follow the field size. */
	field = ((size_t)EC_GROUP_get_degree(dd->dd_ec) + 7) / 8;
	if (field != dh_group_lookup(dh_impl[i].im_group)->dg_secret_len)
		return (ERR_CRYPTO);
	return (0);
}

/* X25519 and X448: contexts for key generation and peer values. */
static int
dh_init_curve(size_t i)
{
	struct dh_domain	*dd = &dh_domains[i];
	const char		*name = dh_impl[i].im_name;

	if ((dd->dd_keygen = EVP_PKEY_CTX_new_from_name(NULL, name,
	    NULL)) == NULL || EVP_PKEY_keygen_init(dd->dd_keygen) <= 0)
		return (ERR_CRYPTO);
	if ((dd->dd_import = EVP_PKEY_CTX_new_from_name(NULL, name,
	    NULL)) == NULL || EVP_PKEY_fromdata_init(dd->dd_import) <= 0)
		return (ERR_CRYPTO);
	return (0);
}

static void
dh_domain_free(struct dh_domain *dd)
{
	EVP_PKEY_free(dd->dd_params);
	BN_free(dd->dd_p);
	BN_free(dd->dd_q);
	BN_free(dd->dd_g);
	free(dd->dd_pm1);
	EC_GROUP_free(dd->dd_ec);
	EVP_PKEY_CTX_free(dd->dd_keygen);
	EVP_PKEY_CTX_free(dd->dd_import);
	memset(dd, 0, sizeof(*dd));
}

/*
 * Set up the domain of every implemented group.  A group OpenSSL cannot
 * make is disabled with a warning; the others stay usable.
 */
int
dh_init(void)
{
	size_t	 i;
	int	 r;

	for (i = 0; i < DH_NIMPL; i++) {
		switch (dh_impl_type(i)) {
		case DH_MODP:
			r = dh_init_modp(i);
			break;
		case DH_MODP_SUBGROUP:
			r = dh_init_subgroup(i);
			break;
		case DH_ECP:
			r = dh_init_ecp(i);
			break;
		case DH_CURVE:
			r = dh_init_curve(i);
			break;
		default:
			r = 0;
			break;
		}
		if (r != 0) {
			crypto_log_errors("dh_init");
			log_warn("Diffie-Hellman group %u is disabled because "
			    "OpenSSL cannot set it up (%s)",
			    dh_impl[i].im_group, err_str(r));
			dh_domain_free(&dh_domains[i]);
		}
	}
	dh_ready = 1;
	return (0);
}

void
dh_shutdown(void)
{
	size_t	 i;

	/* The pool's threads use the domains. */
	dh_pool_stop();
	for (i = 0; i < DH_NIMPL; i++)
		dh_domain_free(&dh_domains[i]);
	dh_ready = 0;
}

/* An empty key of implementation i, which must be ready. */
static int
dh_key_alloc(size_t i, struct dh_key **keyp)
{
	struct dh_key	*key;

	if ((key = calloc(1, sizeof(*key))) == NULL)
		return (ERR_NOMEM);
	key->dk_info = dh_group_lookup(dh_impl[i].im_group);
	key->dk_impl = i;
	*keyp = key;
	return (0);
}

static int
dh_key_new(unsigned int group, struct dh_key **keyp)
{
	size_t	 i;

	*keyp = NULL;
	if (crypto_ready() != 0)
		return (ERR_CRYPTO);
	if (dh_impl_index(group, &i) != 0 || !dh_impl_ready(i))
		return (ERR_UNSUPPORTED);
	return (dh_key_alloc(i, keyp));
}

/*
 * Set the ECP key's public point to priv times the generator.  priv is
 * the key's own and must lie in [1, n-1].
 */
static int
dh_ecp_set_public(struct dh_key *key, BN_CTX *bnctx)
{
	const EC_GROUP	*ec = dh_domains[key->dk_impl].dd_ec;

	if ((key->dk_pub = EC_POINT_new(ec)) == NULL)
		return (ERR_NOMEM);
	if (!EC_POINT_mul(ec, key->dk_pub, key->dk_priv, NULL, NULL, bnctx))
		return (ERR_CRYPTO);
	return (0);
}

/* Draw a private scalar uniform in [1, n-1] and compute its point. */
static int
dh_ecp_generate(struct dh_key *key)
{
	const BIGNUM	*order = EC_GROUP_get0_order(
			    dh_domains[key->dk_impl].dd_ec);
	BN_CTX		*bnctx;
	int		 r = ERR_NOMEM;

	if ((bnctx = BN_CTX_secure_new()) == NULL ||
	    (key->dk_priv = BN_secure_new()) == NULL)
		goto out;
	BN_set_flags(key->dk_priv, BN_FLG_CONSTTIME);
	r = ERR_CRYPTO;
	do {
		if (!BN_priv_rand_range_ex(key->dk_priv, order, 0, bnctx))
			goto out;
	} while (BN_is_zero(key->dk_priv));
	r = dh_ecp_set_public(key, bnctx);
 out:
	BN_CTX_free(bnctx);
	return (r);
}

size_t
dh_impl_count(void)
{
	return (DH_NIMPL);
}

/*
 * Make a key generation context for another thread, because OpenSSL 3.0
 * cannot duplicate one.  A MODP context gets its own copy of the domain
 * parameters, so the threads share no EVP_PKEY and do not depend on how
 * OpenSSL locks the caches inside one.
 */
EVP_PKEY_CTX *
dh_keygen_new(size_t i)
{
	struct dh_domain	*dd = &dh_domains[i];
	EVP_PKEY_CTX		*ctx = NULL;
	EVP_PKEY		*params = NULL;

	if (dd->dd_keygen == NULL)
		return (NULL);
	if (dd->dd_params != NULL) {
		if (dh_modp_fromdata(i, NULL, NULL, &params) != 0)
			return (NULL);
		/* The context keeps its own reference to params. */
		ctx = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL);
		EVP_PKEY_free(params);
	} else
		ctx = EVP_PKEY_CTX_new_from_name(NULL, dh_impl[i].im_name,
		    NULL);
	if (ctx != NULL && EVP_PKEY_keygen_init(ctx) <= 0) {
		EVP_PKEY_CTX_free(ctx);
		ctx = NULL;
	}
	return (ctx);
}

int
dh_key_make(size_t i, EVP_PKEY_CTX *keygen, struct dh_key **keyp)
{
	struct dh_key	*key = NULL;
	int		 r;

	*keyp = NULL;
	if ((r = dh_key_alloc(i, &key)) != 0)
		return (r);
	if (key->dk_info->dg_type == DH_ECP) {
		if ((r = dh_ecp_generate(key)) != 0)
			goto out;
	} else if (keygen == NULL ||
	    EVP_PKEY_generate(keygen, &key->dk_pkey) <= 0) {
		r = ERR_CRYPTO;
		goto out;
	}
	*keyp = key;
	key = NULL;
 out:
	dh_key_free(key);
	return (r);
}

int
dh_key_generate(unsigned int group, struct dh_key **keyp)
{
	size_t	 i;
	int	 r;

	*keyp = NULL;
	if (crypto_ready() != 0)
		return (ERR_CRYPTO);
	if (dh_impl_index(group, &i) != 0 || !dh_impl_ready(i))
		return (ERR_UNSUPPORTED);
	if (dh_pool_take(i, keyp) == 0)
		return (0);
	if ((r = dh_key_make(i, dh_domains[i].dd_keygen, keyp)) != 0)
		crypto_log_errors("dh_key_generate");
	return (r);
}

static int
dh_priv_modp(struct dh_key *key, const uint8_t *priv, size_t len)
{
	struct dh_domain	*dd = &dh_domains[key->dk_impl];
	BIGNUM			*x = NULL, *y = NULL;
	BN_CTX			*bnctx = NULL;
	int			 r = ERR_MALFORMED;

	if (len == 0 || len > key->dk_info->dg_public_len)
		goto out;
	r = ERR_NOMEM;
	if ((x = BN_secure_new()) == NULL || (y = BN_new()) == NULL ||
	    (bnctx = BN_CTX_secure_new()) == NULL)
		goto out;
	r = ERR_CRYPTO;
	if (BN_bin2bn(priv, (int)len, x) == NULL)
		goto out;
	r = ERR_MALFORMED;
	if (BN_is_zero(x) || BN_cmp(x, dd->dd_p) >= 0)
		goto out;
	r = ERR_CRYPTO;
	BN_set_flags(x, BN_FLG_CONSTTIME);
	if (!BN_mod_exp_mont_consttime(y, dd->dd_g, x, dd->dd_p, bnctx,
	    NULL))
		goto out;
	r = dh_modp_fromdata(key->dk_impl, y, x, &key->dk_pkey);
 out:
	BN_clear_free(x);
	BN_free(y);
	BN_CTX_free(bnctx);
	return (r);
}

static int
dh_priv_ecp(struct dh_key *key, const uint8_t *priv, size_t len)
{
	struct dh_domain	*dd = &dh_domains[key->dk_impl];
	BN_CTX			*bnctx = NULL;
	int			 r = ERR_MALFORMED;

	if (len == 0 || len > DH_MAX_FIELD)
		goto out;
	r = ERR_NOMEM;
	if ((key->dk_priv = BN_secure_new()) == NULL ||
	    (bnctx = BN_CTX_secure_new()) == NULL)
		goto out;
	BN_set_flags(key->dk_priv, BN_FLG_CONSTTIME);
	r = ERR_CRYPTO;
	if (BN_bin2bn(priv, (int)len, key->dk_priv) == NULL)
		goto out;
	r = ERR_MALFORMED;
	if (BN_is_zero(key->dk_priv) ||
	    BN_cmp(key->dk_priv, EC_GROUP_get0_order(dd->dd_ec)) >= 0)
		goto out;
	r = dh_ecp_set_public(key, bnctx);
 out:
	BN_CTX_free(bnctx);
	return (r);
}

int
dh_key_from_private(unsigned int group, const uint8_t *priv, size_t len,
    struct dh_key **keyp)
{
	struct dh_key	*key = NULL;
	int		 r;

	*keyp = NULL;
	if ((r = dh_key_new(group, &key)) != 0)
		return (r);
	switch (key->dk_info->dg_type) {
	case DH_MODP:
	case DH_MODP_SUBGROUP:
		r = dh_priv_modp(key, priv, len);
		break;
	case DH_ECP:
		r = dh_priv_ecp(key, priv, len);
		break;
	case DH_CURVE:
		r = ERR_MALFORMED;
		if (len != key->dk_info->dg_secret_len)
			break;
		key->dk_pkey = EVP_PKEY_new_raw_private_key_ex(NULL,
		    dh_impl[key->dk_impl].im_name, NULL, priv, len);
		r = key->dk_pkey == NULL ? ERR_CRYPTO : 0;
		break;
	default:
		r = ERR_UNSUPPORTED;
		break;
	}
	if (r != 0) {
		crypto_log_errors("dh_key_from_private");
		goto out;
	}
	*keyp = key;
	key = NULL;
 out:
	dh_key_free(key);
	return (r);
}

void
dh_key_free(struct dh_key *key)
{
	if (key == NULL)
		return;
	/* OpenSSL clears private values when it frees the key. */
	EVP_PKEY_free(key->dk_pkey);
	BN_clear_free(key->dk_priv);
	EC_POINT_free(key->dk_pub);
	free(key);
}

unsigned int
dh_key_group(const struct dh_key *key)
{
	return (key->dk_info->dg_id);
}

/* Write a big-number parameter of pkey as exactly len bytes. */
static int
dh_put_bn(EVP_PKEY *pkey, const char *name, uint8_t *out, size_t len)
{
	BIGNUM	*bn = NULL;
	int	 r = ERR_CRYPTO;

	if (!EVP_PKEY_get_bn_param(pkey, name, &bn))
		goto out;
	if (BN_bn2binpad(bn, out, (int)len) != (int)len)
		goto out;
	r = 0;
 out:
	BN_free(bn);
	return (r);
}

/*
 * RFC 5903 section 7: x | y, each as long as the field, which is the
 * uncompressed point (RFC 5480) without its leading 0x04.
 */
static int
dh_ecp_public(const struct dh_key *key, uint8_t *out, size_t len)
{
	uint8_t	point[1 + 2 * DH_MAX_FIELD];

	if (EC_POINT_point2oct(dh_domains[key->dk_impl].dd_ec, key->dk_pub,
	    POINT_CONVERSION_UNCOMPRESSED, point, sizeof(point), NULL) !=
	    len + 1)
		return (ERR_CRYPTO);
	memcpy(out, point + 1, len);
	return (0);
}

int
dh_key_public(const struct dh_key *key, struct wbuf *out)
{
	const struct dh_group_info	*info = key->dk_info;
	uint8_t				*p;
	size_t				 len;
	int				 r;

	wbuf_reset(out);
	if ((r = wbuf_alloc(out, info->dg_public_len, &p)) != 0)
		return (r);
	switch (info->dg_type) {
	case DH_MODP:
	case DH_MODP_SUBGROUP:
		r = dh_put_bn(key->dk_pkey, OSSL_PKEY_PARAM_PUB_KEY, p,
		    info->dg_public_len);
		break;
	case DH_ECP:
		r = dh_ecp_public(key, p, info->dg_public_len);
		break;
	case DH_CURVE:
		len = info->dg_public_len;
		r = ERR_CRYPTO;
		if (EVP_PKEY_get_raw_public_key(key->dk_pkey, p, &len) &&
		    len == info->dg_public_len)
			r = 0;
		break;
	default:
		r = ERR_UNSUPPORTED;
		break;
	}
	if (r != 0) {
		crypto_log_errors("dh_key_public");
		wbuf_reset(out);
	}
	return (r);
}

/* RFC 2409 section 5 and RFC 6989 section 2.1: 1 < y < p - 1. */
static int
dh_peer_modp(const struct dh_key *key, const uint8_t *y, size_t len,
    EVP_PKEY **peer, const char **reason)
{
	const struct dh_domain	*dd = &dh_domains[key->dk_impl];
	EVP_PKEY_CTX		*ctx = NULL;
	BIGNUM			*bn = NULL;
	uint8_t			 high = 0;
	size_t			 i;
	int			 r = ERR_MALFORMED;

	for (i = 0; i + 1 < len; i++)
		high |= y[i];
	if (high == 0 && y[len - 1] <= 1) {
		*reason = "MODP public value is 0 or 1 (must be 1 < y < p-1)";
		goto out;
	}
	if (memcmp(y, dd->dd_pm1, len) >= 0) {
		*reason = "MODP public value is p-1 or larger "
		    "(must be 1 < y < p-1)";
		goto out;
	}
	r = ERR_NOMEM;
	if ((bn = BN_bin2bn(y, (int)len, NULL)) == NULL)
		goto out;
	if ((r = dh_modp_fromdata(key->dk_impl, bn, NULL, peer)) != 0) {
		*reason = "OpenSSL rejected the MODP public value";
		goto out;
	}
	if (dd->dd_q == NULL)
		goto out;
	/* RFC 6989 section 2.2: y^q = 1 mod p in a subgroup group. */
	r = ERR_MALFORMED;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, *peer, NULL)) == NULL ||
	    EVP_PKEY_public_check(ctx) != 1) {
		*reason = "MODP public value is not in the prime-order "
		    "subgroup (y^q mod p != 1)";
		goto out;
	}
	r = 0;
 out:
	EVP_PKEY_CTX_free(ctx);
	BN_free(bn);
	return (r);
}

static int
dh_peer_curve(const struct dh_key *key, const uint8_t *u, size_t len,
    EVP_PKEY **peer, const char **reason)
{
	OSSL_PARAM	params[2];

	*peer = NULL;
	params[0] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
	    (void *)u, len);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_PKEY_fromdata(dh_domains[key->dk_impl].dd_import, peer,
	    EVP_PKEY_PUBLIC_KEY, params) <= 0) {
		*reason = "OpenSSL rejected the X25519/X448 public value";
		return (ERR_MALFORMED);
	}
	return (0);
}

static int
dh_is_zero(const uint8_t *p, size_t len)
{
	uint8_t	 acc = 0;
	size_t	 i;

	for (i = 0; i < len; i++)
		acc |= p[i];
	return (acc == 0);
}

/* Run the exchange and left-pad the result to the group's length. */
static int
dh_exchange(const struct dh_key *key, EVP_PKEY *peer, struct wbuf *secret,
    const char **reason)
{
	size_t		 want = key->dk_info->dg_secret_len, len = 0;
	EVP_PKEY_CTX	*ctx = NULL;
	uint8_t		*tmp = NULL;
	int		 r = ERR_CRYPTO;

	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->dk_pkey, NULL);
	if (ctx == NULL || EVP_PKEY_derive_init(ctx) <= 0 ||
	    EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) <= 0 ||
	    EVP_PKEY_derive(ctx, NULL, &len) <= 0 || len == 0) {
		*reason = "OpenSSL could not set up the key exchange";
		goto out;
	}
	r = ERR_NOMEM;
	if ((tmp = malloc(len)) == NULL)
		goto out;
	r = ERR_CRYPTO;
	if (EVP_PKEY_derive(ctx, tmp, &len) <= 0) {
		/* OpenSSL rejects an all-zero X25519/X448 result itself. */
		*reason = key->dk_info->dg_type == DH_CURVE ?
		    "shared secret is all zero because the peer sent a "
		    "low-order point (RFC 8031 section 2)" :
		    "OpenSSL failed to compute the shared secret";
		goto out;
	}
	if (len > want) {
		*reason = "shared secret is longer than the group allows";
		goto out;
	}
	if (dh_is_zero(tmp, len)) {
		*reason = "shared secret is all zero because the peer sent a "
		    "low-order point (RFC 8031 section 2)";
		goto out;
	}
	wbuf_reset(secret);
	if ((r = wbuf_put_zero(secret, want - len)) != 0 ||
	    (r = wbuf_put(secret, tmp, len)) != 0)
		wbuf_reset(secret);
 out:
	util_freezero(tmp, len);
	EVP_PKEY_CTX_free(ctx);
	return (r);
}

/*
 * ECDH: g^xy is the x coordinate of priv times the peer's point (RFC
 * 5903 section 7).  EC_POINT_oct2point() rejects a point that is not on
 * the curve (RFC 6989 section 2.3).  The NIST curves have cofactor 1, so
 * a point on the curve cannot be of small order.
 */
static int
dh_ecp_import(const struct dh_key *key, const uint8_t *xy, size_t len,
    EC_POINT **peer, const char **reason)
{
	const EC_GROUP	*ec = dh_domains[key->dk_impl].dd_ec;
	uint8_t		 point[1 + 2 * DH_MAX_FIELD];
	BN_CTX		*bnctx = NULL;
	int		 r = ERR_NOMEM;

	if ((bnctx = BN_CTX_new()) == NULL ||
	    (*peer = EC_POINT_new(ec)) == NULL)
		goto out;
	point[0] = POINT_CONVERSION_UNCOMPRESSED;
	memcpy(point + 1, xy, len);
	r = ERR_MALFORMED;
	if (!EC_POINT_oct2point(ec, *peer, point, len + 1, bnctx)) {
		*reason = "ECP public value is not a point on the curve";
		goto out;
	}
	r = 0;
 out:
	BN_CTX_free(bnctx);
	return (r);
}

static int
dh_ecp_compute(const struct dh_key *key, const EC_POINT *peer,
    struct wbuf *secret, const char **reason)
{
	const EC_GROUP	*ec = dh_domains[key->dk_impl].dd_ec;
	size_t		 want = key->dk_info->dg_secret_len;
	EC_POINT	*shared = NULL;
	BN_CTX		*bnctx = NULL;
	uint8_t		*out;
	BIGNUM		*x;
	int		 r = ERR_NOMEM;

	if ((bnctx = BN_CTX_secure_new()) == NULL ||
	    (shared = EC_POINT_new(ec)) == NULL)
		goto out;
	BN_CTX_start(bnctx);
	if ((x = BN_CTX_get(bnctx)) == NULL)
		goto out;
	r = ERR_CRYPTO;
	if (!EC_POINT_mul(ec, shared, NULL, peer, key->dk_priv, bnctx) ||
	    !EC_POINT_get_affine_coordinates(ec, shared, x, NULL, bnctx)) {
		*reason = "OpenSSL failed to compute the shared secret";
		goto out;
	}
	wbuf_reset(secret);
	if ((r = wbuf_alloc(secret, want, &out)) != 0)
		goto out;
	r = ERR_CRYPTO;
	if (BN_bn2binpad(x, out, (int)want) != (int)want)
		*reason = "shared secret is longer than the group allows";
	else if (dh_is_zero(out, want))
		*reason = "shared secret is all zero";
	else
		r = 0;
	if (r != 0)
		wbuf_reset(secret);
 out:
	BN_CTX_end(bnctx);
	BN_CTX_free(bnctx);
	EC_POINT_clear_free(shared);
	return (r);
}

int
dh_peer_import(const struct dh_key *key, const uint8_t *peer, size_t len,
    struct dh_peer *pe, const char **reason)
{
	enum dh_type	 type = key->dk_info->dg_type;

	memset(pe, 0, sizeof(*pe));
	*reason = NULL;
	if (len != key->dk_info->dg_public_len) {
		*reason = "public value length does not match the group";
		return (ERR_MALFORMED);
	}
	if (type == DH_ECP)
		return (dh_ecp_import(key, peer, len, &pe->pe_point, reason));
	if (dh_is_modp(type))
		return (dh_peer_modp(key, peer, len, &pe->pe_pkey, reason));
	return (dh_peer_curve(key, peer, len, &pe->pe_pkey, reason));
}

int
dh_peer_compute(const struct dh_key *key, const struct dh_peer *pe,
    struct wbuf *secret, const char **reason)
{
	if (pe->pe_point != NULL)
		return (dh_ecp_compute(key, pe->pe_point, secret, reason));
	return (dh_exchange(key, pe->pe_pkey, secret, reason));
}

void
dh_peer_clear(struct dh_peer *pe)
{
	EVP_PKEY_free(pe->pe_pkey);
	EC_POINT_free(pe->pe_point);
	memset(pe, 0, sizeof(*pe));
}

int
dh_key_check_peer(const struct dh_key *key, const uint8_t *peer, size_t len,
    const char **reason)
{
	struct dh_peer	 pe;
	const char	*unused;
	int		 r;

	if (reason == NULL)
		reason = &unused;
	if ((r = dh_peer_import(key, peer, len, &pe, reason)) != 0)
		crypto_log_errors("dh_key_check_peer");
	dh_peer_clear(&pe);
	return (r);
}

int
dh_key_derive(const struct dh_key *key, const uint8_t *peer, size_t len,
    struct wbuf *secret, const char **reason)
{
	struct dh_peer	 pe;
	const char	*unused;
	int		 r;

	if (reason == NULL)
		reason = &unused;
	if ((r = dh_peer_import(key, peer, len, &pe, reason)) == 0)
		r = dh_peer_compute(key, &pe, secret, reason);
	if (r != 0)
		crypto_log_errors("dh_key_derive");
	dh_peer_clear(&pe);
	return (r);
}
