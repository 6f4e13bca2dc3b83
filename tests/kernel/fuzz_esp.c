/*
 * libFuzzer target for the inbound ESP path.  The first input byte picks
 * the mode (bit 0: transport) and the input kind (bit 1).  Raw input is
 * an ESP packet from the SPI on.  Otherwise the input is the plaintext
 * (payload, padding, pad length, next header), which the target seals
 * with the SA's keys, so that the fuzzer gets past the ICV to the
 * trailer and inner packet checks.  The bytes also go through the IP
 * flow parser, as an inner packet would.
 */
#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crypto/esp/esp_cipher.h"
#include "kernel/esp_sa.h"
#include "kernel/flow.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_esp_addr(struct sockaddr_storage *ss, uint8_t last)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(0xc6336400U | last);	/* 198.51.100.x */
}

static void
fuzz_esp_sa(struct kernel_sa *sa, uint8_t mode, enum kernel_dir dir)
{
	static const uint8_t	key[20] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	memset(sa, 0, sizeof(*sa));
	sa->sa_dir = dir;
	fuzz_esp_addr(&sa->sa_id.id_src, 2);
	fuzz_esp_addr(&sa->sa_id.id_dst, 1);
	sa->sa_id.id_spi = 0x1000;
	sa->sa_id.id_proto = KERNEL_PROTO_ESP;
	sa->sa_mode = mode & 1 ? KERNEL_MODE_TRANSPORT : KERNEL_MODE_TUNNEL;
	sa->sa_encr = KERNEL_ENCR_AES_GCM_16;
	sa->sa_encr_key = key;
	sa->sa_encr_keylen = sizeof(key);
	fuzz_esp_addr(&sa->sa_sel.sel_src, 2);
	fuzz_esp_addr(&sa->sa_sel.sel_dst, 1);
	sa->sa_sel.sel_src_prefix = 24;
	sa->sa_sel.sel_dst_prefix = 24;
}

/* Build an ESP packet around the plaintext with sequence number 1. */
static size_t
fuzz_esp_seal(uint8_t mode, uint8_t *pkt, const uint8_t *body, size_t len)
{
	static const uint8_t	 hdr[8] = { 0, 0, 0x10, 0, 0, 0, 0, 1 };
	struct kernel_sa	 sa;
	struct esp_sa		 out;
	size_t			 off, total = 0;

	fuzz_esp_sa(&sa, mode, KERNEL_DIR_OUT);
	if (esp_sa_init(&out, &sa) != 0)
		return (0);
	off = ESP_CIPHER_HDR_LEN + esp_cipher_iv_len(out.es_cipher);
	memcpy(pkt, hdr, sizeof(hdr));
	memcpy(pkt + off, body, len);
	if (esp_cipher_seal(out.es_cipher, pkt, off + len, 1) == 0)
		total = off + len + esp_cipher_icv_len(out.es_cipher);
	esp_sa_clear(&out);
	return (total);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static uint8_t		 buf[ESP_SA_HEADROOM + 70000];
	static const uint8_t	 src[4] = { 198, 51, 100, 2 };
	static const uint8_t	 dst[4] = { 198, 51, 100, 1 };
	uint8_t			*pkt = buf + ESP_SA_HEADROOM;
	struct kernel_sa	 sa;
	struct esp_sa		 in;
	struct flow		 fl;
	uint8_t			*inner;
	size_t			 n;

	if (len < 1 || len - 1 > 65536)
		return (0);
	(void)flow_parse(&fl, data + 1, len - 1);
	if (data[0] & 2) {
		n = fuzz_esp_seal(data[0], pkt, data + 1, len - 1);
	} else {
		memcpy(pkt, data + 1, len - 1);
		n = len - 1;
	}
	fuzz_esp_sa(&sa, data[0], KERNEL_DIR_IN);
	if (esp_sa_init(&in, &sa) != 0)
		return (0);
	(void)esp_sa_decap(&in, AF_INET, src, dst, pkt, n, &inner, &fl);
	esp_sa_clear(&in);
	return (0);
}
