/*
 * cryptofloor: the cost of the cryptographic operations one IKEv1 tunnel
 * (Main Mode with a preshared key plus one Quick Mode) needs on the
 * responder.  It calls in.iked's crypto module the way the engine does:
 * a fresh Diffie-Hellman key and one g^xy per exchange, HMAC-SHA-256 as
 * the PRF, SHA-256 for NAT-D and IVs, AES-128-CBC with a keyed context.  The sum is the fastest one core can complete
 * tunnels; ikeperf's rates are set against it in BENCHMARKS.md.
 *
 * Output: "cryptofloor:" lines of key=value pairs, one per operation
 * and one per group with the tunnel floor, with and without PFS.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/cipher.h"
#include "crypto/crypto.h"
#include "crypto/dh.h"
#include "crypto/hash.h"
#include "crypto/prf.h"
#include "lib/err.h"
#include "lib/wbuf.h"

/*
 * Operations of one tunnel on the responder, besides Diffie-Hellman:
 * PRF: SKEYID, SKEYID_d, SKEYID_a, SKEYID_e, HASH_I check, HASH_R,
 * HASH(1) check, HASH(2), HASH(3) check, and KEYMAT for two SAs of
 * AES-128 plus HMAC-SHA-256 (48 bytes, two PRF blocks each).
 * Hash: four NAT-D values and two IVs.  Cipher: MM5, MM6, QM1, QM2, QM3.
 */
#define FLOOR_PRF_OPS		13
#define FLOOR_HASH_OPS		6
#define FLOOR_CIPHER_OPS	5
#define FLOOR_CIPHER_LEN	256
#define FLOOR_SECONDS		0.3

/*
 * CPU time of this process, not wall time: on a busy machine the
 * scheduler's pauses would otherwise count as crypto cost.
 */
static double
floor_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/* Microseconds per call of keygen and of derive for one group. */
static int
floor_dh(unsigned int group, double *gen_us, double *derive_us)
{
	struct dh_key	*peer = NULL, *k;
	struct wbuf	 pub, secret;
	double		 t0;
	unsigned long	 n;
	int		 rc;

	wbuf_init(&pub, 0);
	wbuf_init(&secret, 1);
	if ((rc = dh_key_generate(group, &peer)) != 0 ||
	    (rc = dh_key_public(peer, &pub)) != 0)
		goto out;
	t0 = floor_now();
	for (n = 0; floor_now() - t0 < FLOOR_SECONDS; n++) {
		if ((rc = dh_key_generate(group, &k)) != 0)
			goto out;
		dh_key_free(k);
	}
	*gen_us = (floor_now() - t0) * 1e6 / (double)n;
	if ((rc = dh_key_generate(group, &k)) != 0)
		goto out;
	t0 = floor_now();
	for (n = 0; floor_now() - t0 < FLOOR_SECONDS; n++)
		if ((rc = dh_key_derive(k, pub.wb_data, pub.wb_len, &secret,
		    NULL)) != 0)
			break;
	*derive_us = (floor_now() - t0) * 1e6 / (double)n;
	dh_key_free(k);
out:
	dh_key_free(peer);
	wbuf_free(&pub);
	wbuf_free(&secret);
	return (rc);
}

static int
floor_sym(double *prf_us, double *hash_us, double *cipher_us)
{
	struct cipher_ctx	*c = NULL;
	uint8_t			 key[32], data[FLOOR_CIPHER_LEN];
	uint8_t			 out[FLOOR_CIPHER_LEN], iv[16];
	double			 t0;
	unsigned long		 n;
	int			 rc = 0;

	memset(key, 0x5a, sizeof(key));
	memset(data, 0xa5, sizeof(data));
	memset(iv, 0, sizeof(iv));
	t0 = floor_now();
	for (n = 0; floor_now() - t0 < FLOOR_SECONDS; n++)
		if ((rc = prf_compute(HASH_SHA256, key, sizeof(key), data,
		    64, out, sizeof(out))) != 0)
			return (rc);
	*prf_us = (floor_now() - t0) * 1e6 / (double)n;
	t0 = floor_now();
	for (n = 0; floor_now() - t0 < FLOOR_SECONDS; n++)
		if ((rc = hash_digest(HASH_SHA256, data, 64, out,
		    sizeof(out))) != 0)
			return (rc);
	*hash_us = (floor_now() - t0) * 1e6 / (double)n;
	if ((rc = cipher_ctx_new(&c, CIPHER_AES_CBC, key, 16)) != 0)
		return (rc);
	t0 = floor_now();
	for (n = 0; floor_now() - t0 < FLOOR_SECONDS; n++)
		if ((rc = cipher_ctx_encrypt(c, iv, data, sizeof(data), out,
		    iv)) != 0)
			break;
	*cipher_us = (floor_now() - t0) * 1e6 / (double)n;
	cipher_ctx_free(c);
	return (rc);
}

int
main(int argc, char **argv)
{
	static const unsigned int groups[] = { 14, 19, 31 };
	double	prf_us, hash_us, cipher_us, gen_us, derive_us, sym_us;
	double	pfs_us, nopfs_us;
	size_t	i;

	if (crypto_init() != 0 ||
	    floor_sym(&prf_us, &hash_us, &cipher_us) != 0) {
		printf("cryptofloor: the crypto module failed\n");
		return (1);
	}
	sym_us = FLOOR_PRF_OPS * prf_us + FLOOR_HASH_OPS * hash_us +
	    FLOOR_CIPHER_OPS * cipher_us;
	printf("cryptofloor: op=sym prf_sha256_us=%.3f sha256_us=%.3f "
	    "aes128cbc_%d_us=%.3f per_tunnel_us=%.1f\n", prf_us, hash_us,
	    FLOOR_CIPHER_LEN, cipher_us, sym_us);
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (floor_dh(groups[i], &gen_us, &derive_us) != 0) {
			printf("cryptofloor: group=%u unsupported\n",
			    groups[i]);
			continue;
		}
		nopfs_us = gen_us + derive_us + sym_us;
		pfs_us = 2 * (gen_us + derive_us) + sym_us;
		printf("cryptofloor: group=%u keygen_us=%.1f derive_us=%.1f "
		    "tunnel_pfs_us=%.1f floor_pfs=%.0f tunnel_nopfs_us=%.1f "
		    "floor_nopfs=%.0f\n", groups[i], gen_us, derive_us,
		    pfs_us, 1e6 / pfs_us, nopfs_us, 1e6 / nopfs_us);
	}
	crypto_shutdown();
	return (0);
}
