/*
 * The rows of "ikeadm dump groups|encralgs|authalgs" and the algorithm
 * names of the dumps, taken from the crypto module so that they list what
 * this build really implements.
 */
#include <stdio.h>
#include <string.h>

#include "lib/err.h"
#include "lib/util.h"
#include "crypto/cipher.h"
#include "crypto/crypto.h"
#include "crypto/dh.h"
#include "crypto/hash.h"
#include "control/control.h"
#include "control/names.h"

/* Phase 1 attribute values (RFC 2409 appendix A, IANA registry). */
static const uint32_t algs_encr[] = {
	CIPHER_DES_CBC, CIPHER_BLOWFISH_CBC, CIPHER_3DES_CBC, CIPHER_AES_CBC,
};

static const uint32_t algs_hash[] = {
	HASH_MD5, HASH_SHA1, HASH_SHA256, HASH_SHA384, HASH_SHA512,
};

const char *
control_encr_name(uint32_t v)
{
	const char	*s = cipher_name((enum cipher_alg)v);

	return (strcmp(s, "unknown") == 0 ? "<unknown>" : s);
}

const char *
control_auth_name(uint32_t v)
{
	static const char *const names[] = {
		[HASH_MD5] = "hmac-md5",
		[HASH_SHA1] = "hmac-sha1",
		[HASH_SHA256] = "hmac-sha256",
		[HASH_SHA384] = "hmac-sha384",
		[HASH_SHA512] = "hmac-sha512",
	};

	if (v >= UTIL_NELEM(names) || names[v] == NULL)
		return ("<unknown>");
	return (names[v]);
}

const char *
control_group_desc(uint32_t v)
{
	const struct dh_group_info	*g = dh_group_lookup(v);

	return (g != NULL ? g->dg_desc : "<unknown>");
}

/* DES and Blowfish need the OpenSSL legacy provider. */
static int
algs_encr_usable(uint32_t v)
{
	if ((v == CIPHER_DES_CBC || v == CIPHER_BLOWFISH_CBC) &&
	    !crypto_legacy_available())
		return (0);
	return (cipher_supported((enum cipher_alg)v) == 0);
}

/* The Key Length range in bits, or 0 and 0 for a fixed key. */
static void
algs_encr_klen(uint32_t v, struct control_alg_info *a)
{
	unsigned int	bits;
	size_t		len;

	for (bits = 8; bits <= 1024; bits += 8) {
		if (cipher_key_length((enum cipher_alg)v, bits, &len) != 0)
			continue;
		if (a->klen_min == 0)
			a->klen_min = (uint16_t)bits;
		a->klen_max = (uint16_t)bits;
	}
}

/* Fill the row at index, counting only the implemented groups. */
static int
algs_groups_row(uint32_t index, struct control_alg_info *a, uint32_t *next)
{
	const struct dh_group_info	*t;
	size_t				 n, i;
	uint32_t			 k = 0;
	int				 found = 0;

	t = dh_group_table(&n);
	for (i = 0; i < n; i++) {
		if (!t[i].dg_implemented || dh_group_supported(t[i].dg_id))
			continue;
		if (found) {
			*next = k;
			return (0);
		}
		if (k++ != index)
			continue;
		a->value = t[i].dg_id;
		a->strength = t[i].dg_strength;
		(void)snprintf(a->name, sizeof(a->name), "%s", t[i].dg_desc);
		found = 1;
	}
	*next = 0;
	return (found ? 0 : ERR_NOTFOUND);
}

static int
algs_list_row(int cmd, uint32_t index, struct control_alg_info *a,
    uint32_t *next)
{
	const uint32_t	*t = cmd == CONTROL_DUMP_ENCRALGS ? algs_encr :
			    algs_hash;
	size_t		 n = cmd == CONTROL_DUMP_ENCRALGS ?
			    UTIL_NELEM(algs_encr) : UTIL_NELEM(algs_hash);
	size_t		 i;
	uint32_t	 k = 0;
	int		 found = 0, usable;

	for (i = 0; i < n; i++) {
		usable = cmd == CONTROL_DUMP_ENCRALGS ?
		    algs_encr_usable(t[i]) : hash_length(t[i]) != 0;
		if (!usable)
			continue;
		if (found) {
			*next = k;
			return (0);
		}
		if (k++ != index)
			continue;
		a->value = t[i];
		if (cmd == CONTROL_DUMP_ENCRALGS) {
			(void)snprintf(a->name, sizeof(a->name), "%s",
			    control_encr_name(t[i]));
			algs_encr_klen(t[i], a);
		} else {
			(void)snprintf(a->name, sizeof(a->name), "%s",
			    control_auth_name(t[i]));
		}
		found = 1;
	}
	*next = 0;
	return (found ? 0 : ERR_NOTFOUND);
}

int
control_algs_row(int cmd, uint32_t index, struct control_alg_info *a,
    uint32_t *next)
{
	memset(a, 0, sizeof(*a));
	*next = 0;
	switch (cmd) {
	case CONTROL_DUMP_GROUPS:
		return (algs_groups_row(index, a, next));
	case CONTROL_DUMP_ENCRALGS:
	case CONTROL_DUMP_AUTHALGS:
		return (algs_list_row(cmd, index, a, next));
	default:
		return (ERR_NOTFOUND);
	}
}
