/*
 * The algorithm table of /etc/inet/ipsecalgs as built-in data.  Numbers
 * are the IPsec DOI values (RFC 2407 section 4.4, RFC 4106, RFC 4309,
 * RFC 4868); key and ICV sizes are those of the algorithms.
 */
#include <stddef.h>
#include <strings.h>

#include "config/ipsecalgs.h"

#define AES_KEYS	128, 128, 256, 64

static const struct ipsecalgs_alg ipsecalgs_table[] = {
	{ IPSECALGS_AH, IPSECALGS_ANY, { "any", "none" }, 0, 0, 0, 0, 0 },
	{ IPSECALGS_AH, IPSECALGS_AUTH_HMAC_MD5, { "hmac-md5", "md5" },
	    128, 128, 128, 0, 12 },
	{ IPSECALGS_AH, IPSECALGS_AUTH_HMAC_SHA1, { "hmac-sha1", "sha",
	    "sha1", "sha-1", "hmac-sha", "hmac-sha-1" }, 160, 160, 160, 0,
	    12 },
	{ IPSECALGS_AH, IPSECALGS_AUTH_HMAC_SHA256, { "hmac-sha256",
	    "sha256", "sha-256", "hmac-sha-256" }, 256, 256, 256, 0, 16 },
	{ IPSECALGS_AH, IPSECALGS_AUTH_HMAC_SHA384, { "hmac-sha384",
	    "sha384", "sha-384", "hmac-sha-384" }, 384, 384, 384, 0, 24 },
	{ IPSECALGS_AH, IPSECALGS_AUTH_HMAC_SHA512, { "hmac-sha512",
	    "sha512", "sha-512", "hmac-sha-512" }, 512, 512, 512, 0, 32 },

	{ IPSECALGS_ESP, IPSECALGS_ANY, { "any" }, 0, 0, 0, 0, 0 },
	{ IPSECALGS_ESP, IPSECALGS_ENCR_DES, { "des-cbc", "des" },
	    64, 64, 64, 0, 0 },
	{ IPSECALGS_ESP, IPSECALGS_ENCR_3DES, { "3des-cbc", "3des" },
	    192, 192, 192, 0, 0 },
	{ IPSECALGS_ESP, IPSECALGS_ENCR_BLOWFISH, { "blowfish-cbc",
	    "blowfish" }, 128, 128, 128, 0, 0 },
	{ IPSECALGS_ESP, IPSECALGS_ENCR_NULL, { "null" }, 0, 0, 0, 0, 0 },
	{ IPSECALGS_ESP, IPSECALGS_ENCR_AES, { "aes-cbc", "aes" },
	    AES_KEYS, 0 },
	{ IPSECALGS_ESP, IPSECALGS_ENCR_AES_CCM8, { "aes-ccm8" },
	    AES_KEYS, 8 },
	{ IPSECALGS_ESP, IPSECALGS_ENCR_AES_CCM12, { "aes-ccm12" },
	    AES_KEYS, 12 },
	{ IPSECALGS_ESP, IPSECALGS_ENCR_AES_CCM16, { "aes-ccm",
	    "aes-ccm16" }, AES_KEYS, 16 },
	{ IPSECALGS_ESP, IPSECALGS_ENCR_AES_GCM8, { "aes-gcm8" },
	    AES_KEYS, 8 },
	{ IPSECALGS_ESP, IPSECALGS_ENCR_AES_GCM12, { "aes-gcm12" },
	    AES_KEYS, 12 },
	{ IPSECALGS_ESP, IPSECALGS_ENCR_AES_GCM16, { "aes-gcm",
	    "aes-gcm16" }, AES_KEYS, 16 },
};

#define IPSECALGS_N	(sizeof(ipsecalgs_table) / sizeof(ipsecalgs_table[0]))

const struct ipsecalgs_alg *
ipsecalgs_find_name(int proto, const char *name)
{
	size_t	i, j;

	for (i = 0; i < IPSECALGS_N; i++) {
		if (ipsecalgs_table[i].ia_proto != proto)
			continue;
		for (j = 0; j < IPSECALGS_MAX_NAMES &&
		    ipsecalgs_table[i].ia_names[j] != NULL; j++) {
			if (strcasecmp(ipsecalgs_table[i].ia_names[j],
			    name) == 0)
				return (&ipsecalgs_table[i]);
		}
	}
	return (NULL);
}

const struct ipsecalgs_alg *
ipsecalgs_find_id(int proto, int id)
{
	size_t	i;

	for (i = 0; i < IPSECALGS_N; i++) {
		if (ipsecalgs_table[i].ia_proto == proto &&
		    ipsecalgs_table[i].ia_id == id)
			return (&ipsecalgs_table[i]);
	}
	return (NULL);
}

int
ipsecalgs_key_valid(const struct ipsecalgs_alg *alg, unsigned int bits)
{
	if (alg->ia_key_step == 0)
		return (bits == alg->ia_key_default);
	return (bits >= alg->ia_key_min && bits <= alg->ia_key_max &&
	    (bits - alg->ia_key_min) % alg->ia_key_step == 0);
}

void
ipsecalgs_foreach(int proto, void (*fn)(const struct ipsecalgs_alg *, void *),
    void *arg)
{
	size_t	i;

	for (i = 0; i < IPSECALGS_N; i++) {
		if (ipsecalgs_table[i].ia_proto == proto)
			fn(&ipsecalgs_table[i], arg);
	}
}
