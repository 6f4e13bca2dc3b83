/*
 * Seed corpus for fuzz_isakmp: writes messages made by the builder (every
 * payload type, both attribute forms, an encrypted-style body) and the
 * ISAKMP messages found in the capture files named on the command line.
 *
 * Usage: isakmp_seeds OUTDIR [CAPTURE ...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "isakmp/msg.h"
#include "lib/wbuf.h"

static const char	*outdir;
static int		 nseeds;

static int
seeds_write(const uint8_t *p, size_t len)
{
	char	 path[4096];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/seed-%04d", outdir, nseeds++);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(p, 1, len, f) != len) {
		perror(path);
		if (f != NULL)
			fclose(f);
		return (-1);
	}
	return (fclose(f));
}

static int
seeds_capture(void *arg, const struct capture_msg *m)
{
	return (seeds_write(m->cm_data, m->cm_len) != 0);
}

static void
seeds_hdr(struct isakmp_builder *b, struct wbuf *wb, uint8_t exchange)
{
	struct isakmp_hdr	h;

	memset(&h, 0, sizeof(h));
	memset(h.h_icookie, 0x11, sizeof(h.h_icookie));
	memset(h.h_rcookie, 0x22, sizeof(h.h_rcookie));
	h.h_major = 1;
	h.h_exchange = exchange;
	h.h_msgid = exchange == ISAKMP_EX_QUICK ? 0x01020304 : 0;
	wbuf_reset(wb);
	isakmp_build_init(b, wb, &h);
}

static void
seeds_phase1_sa(struct isakmp_builder *b)
{
	static const uint8_t	prime[16] = { 0xff, 0xff, 0xff, 0xff };
	static const uint8_t	life8[8] = { 0, 0, 0, 0, 0, 1, 0x51, 0x80 };

	isakmp_build_sa_begin(b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	isakmp_build_proposal_begin(b, 1, ISAKMP_PROTO_ISAKMP, NULL, 0, 2);
	isakmp_build_transform_begin(b, 1, ISAKMP_XF_KEY_IKE);
	isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P1, ISAKMP_P1_ENC,
	    ISAKMP_ENC_AES_CBC);
	isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P1, ISAKMP_P1_KEY_LENGTH, 256);
	isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P1, ISAKMP_P1_HASH,
	    ISAKMP_HASH_SHA2_256);
	isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P1, ISAKMP_P1_AUTH,
	    ISAKMP_AUTH_ECDSA_SHA256_P256);
	isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P1, ISAKMP_P1_GROUP_DESC, 19);
	isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P1, ISAKMP_P1_LIFE_TYPE, 1);
	isakmp_build_attr_data(b, ISAKMP_P1_LIFE_DURATION, life8, 8);
	isakmp_build_transform_begin(b, 2, ISAKMP_XF_KEY_IKE);
	isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P1, ISAKMP_P1_ENC,
	    ISAKMP_ENC_3DES_CBC);
	isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P1, ISAKMP_P1_LIFE_TYPE, 2);
	isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P1, ISAKMP_P1_LIFE_DURATION,
	    1000000);
	isakmp_build_attr_data(b, ISAKMP_P1_GROUP_PRIME, prime, 16);
	isakmp_build_sa_end(b);
}

static void
seeds_phase2_sa(struct isakmp_builder *b)
{
	static const uint8_t	spi[4] = { 0xc0, 0xff, 0xee, 0x01 };

	isakmp_build_sa_begin(b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	isakmp_build_proposal_begin(b, 1, ISAKMP_PROTO_ESP, spi, 4, 1);
	isakmp_build_transform_begin(b, 1, ISAKMP_ESP_AES_GCM_16);
	isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P2, ISAKMP_P2_ENCAP_MODE,
	    ISAKMP_ENCAP_UDP_TUNNEL_DRAFT);
	isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P2, ISAKMP_P2_KEY_LENGTH, 128);
	isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P2, ISAKMP_P2_LIFE_DURATION,
	    86400);
	isakmp_build_proposal_end(b);
	isakmp_build_proposal_begin(b, 1, ISAKMP_PROTO_IPCOMP, spi, 2, 1);
	isakmp_build_transform_begin(b, 1, ISAKMP_IPCOMP_DEFLATE);
	isakmp_build_sa_end(b);
}

static int
seeds_builder(void)
{
	static const uint8_t	 blob[64] = { 0x30, 0x82, 0x01 };
	static const uint8_t	 v4net[8] = { 192, 0, 2, 0, 255, 255, 255, 0 };
	static const uint8_t	 v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0,
					0, 0, 0, 0, 0, 0, 0, 0, 1 };
	struct isakmp_id	 id = { ISAKMP_ID_FQDN, 17, 500, blob, 12 };
	struct isakmp_id	 idnet = { ISAKMP_ID_IPV4_ADDR_SUBNET, 0, 0,
				    v4net, 8 };
	struct isakmp_id	 oa = { ISAKMP_ID_IPV6_ADDR, 0, 0, v6, 16 };
	struct isakmp_cert	 cert = { ISAKMP_CERT_X509_SIG, blob, 64 };
	struct isakmp_notify	 n = { ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ISAKMP,
				    16, ISAKMP_N_R_U_THERE, blob, blob, 4 };
	struct isakmp_delete	 d = { ISAKMP_DOI_IPSEC, ISAKMP_PROTO_ESP, 4,
				    2, blob };
	struct isakmp_builder	 b;
	struct wbuf		 wb;
	int			 r = 0;

	wbuf_init(&wb, 0);
	seeds_hdr(&b, &wb, ISAKMP_EX_IDPROT);
	seeds_phase1_sa(&b);
	isakmp_build_data(&b, ISAKMP_PL_VID, blob, 16);
	r |= isakmp_build_finish(&b) || seeds_write(wb.wb_data, wb.wb_len);

	seeds_hdr(&b, &wb, ISAKMP_EX_AGGRESSIVE);
	isakmp_build_data(&b, ISAKMP_PL_KE, blob, 64);
	isakmp_build_data(&b, ISAKMP_PL_NONCE, blob, 32);
	isakmp_build_id(&b, ISAKMP_PL_ID, &id);
	isakmp_build_cert(&b, ISAKMP_PL_CERT, &cert);
	cert.c_len = 0;
	isakmp_build_cert(&b, ISAKMP_PL_CR, &cert);
	isakmp_build_data(&b, ISAKMP_PL_SIG, blob, 48);
	isakmp_build_data(&b, ISAKMP_PL_HASH, blob, 20);
	isakmp_build_data(&b, ISAKMP_PL_NAT_D, blob, 20);
	isakmp_build_data(&b, ISAKMP_PL_NAT_D_DRAFT, blob, 20);
	isakmp_build_data(&b, ISAKMP_PL_NAT_D_OLD, blob, 16);
	r |= isakmp_build_finish(&b) || seeds_write(wb.wb_data, wb.wb_len);

	seeds_hdr(&b, &wb, ISAKMP_EX_QUICK);
	isakmp_build_data(&b, ISAKMP_PL_HASH, blob, 20);
	seeds_phase2_sa(&b);
	isakmp_build_data(&b, ISAKMP_PL_NONCE, blob, 16);
	isakmp_build_id(&b, ISAKMP_PL_ID, &idnet);
	isakmp_build_id(&b, ISAKMP_PL_ID, &idnet);
	isakmp_build_id(&b, ISAKMP_PL_NAT_OA, &oa);
	isakmp_build_id(&b, ISAKMP_PL_NAT_OA_DRAFT, &oa);
	r |= isakmp_build_finish(&b) || seeds_write(wb.wb_data, wb.wb_len);

	seeds_hdr(&b, &wb, ISAKMP_EX_INFO);
	isakmp_build_data(&b, ISAKMP_PL_HASH, blob, 20);
	isakmp_build_notify(&b, &n);
	isakmp_build_delete(&b, &d);
	r |= isakmp_build_finish(&b) || seeds_write(wb.wb_data, wb.wb_len);
	/* The same with padding after the chain, as a decrypted body has. */
	wbuf_put_zero(&wb, 12);
	r |= seeds_write(wb.wb_data, wb.wb_len);
	wbuf_free(&wb);
	return (r);
}

int
main(int argc, char **argv)
{
	int	i;

	if (argc < 2) {
		fprintf(stderr, "usage: isakmp_seeds OUTDIR [CAPTURE ...]\n");
		return (2);
	}
	outdir = argv[1];
	if (seeds_builder() != 0)
		return (1);
	for (i = 2; i < argc; i++)
		if (capture_walk(argv[i], seeds_capture, NULL) < 0)
			fprintf(stderr, "isakmp_seeds: %s: not a readable "
			    "capture, skipped\n", argv[i]);
	printf("%d seeds in %s\n", nseeds, outdir);
	return (0);
}
