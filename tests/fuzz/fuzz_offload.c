/*
 * libFuzzer target for the TUN offloads of the userspace backend.  With
 * bit 0 of the first byte set, the rest is a virtio-net header and a
 * packet as the TUN device returns them: gso.c completes its checksum or
 * cuts it into packets.  Otherwise the rest is a list of packets, each
 * after a 2-byte length, which gro.c joins as it joins decrypted inner
 * packets.  Every TSO segment that it writes must cut again without an
 * error.
 */
#include <sys/uio.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/flow.h"
#include "kernel/gro.h"
#include "kernel/gso.h"

#define FUZZ_PKTS	128
#define FUZZ_MAX	70000

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static uint8_t	fuzz_out[2048];

static void
fuzz_offload_cut(const struct virtio_net_hdr *vh, const uint8_t *pkt,
    size_t len, int must_cut)
{
	struct gso	g;
	size_t		outlen;

	if (gso_init(&g, vh, pkt, len) != 0) {
		if (must_cut)
			abort();
		return;
	}
	do {
		if (gso_next(&g, fuzz_out, sizeof(fuzz_out), &outlen) != 0)
			return;
	} while (outlen != 0);
}

/* A write of gro.c: a coalesced packet must be a valid TSO segment. */
static void
fuzz_offload_write(void *arg, const struct iovec *iov, int iovcnt)
{
	static uint8_t		 buf[FUZZ_MAX];
	struct virtio_net_hdr	 vh;
	size_t			 len = 0;
	int			 i;

	if (iovcnt < 2 || iov[0].iov_len != sizeof(vh))
		abort();
	memcpy(&vh, iov[0].iov_base, sizeof(vh));
	for (i = 1; i < iovcnt; i++) {
		if (len + iov[i].iov_len > sizeof(buf))
			abort();
		memcpy(buf + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE)
		fuzz_offload_cut(&vh, buf, len, 1);
}

static void
fuzz_offload_gro(const uint8_t *data, size_t size)
{
	static uint8_t	pkts[FUZZ_PKTS][2048];
	struct gro	g;
	struct flow	fl;
	size_t		len, n = 0;

	gro_init(&g, 1, fuzz_offload_write, NULL);
	while (size >= 2 && n < FUZZ_PKTS) {
		len = (size_t)(data[0] << 8 | data[1]) % sizeof(pkts[0]);
		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		memcpy(pkts[n], data, len);
		data += len;
		size -= len;
		if (flow_parse(&fl, pkts[n], len) == 0)
			gro_add(&g, pkts[n], &fl);
		n++;
	}
	gro_flush(&g);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t		pkt[FUZZ_MAX];
	struct virtio_net_hdr	vh;

	if (size < 1)
		return (0);
	if (!(data[0] & 1)) {
		fuzz_offload_gro(data + 1, size - 1);
		return (0);
	}
	if (size < 1 + sizeof(vh) || size - 1 - sizeof(vh) > sizeof(pkt))
		return (0);
	memcpy(&vh, data + 1, sizeof(vh));
	size -= 1 + sizeof(vh);
	memcpy(pkt, data + 1 + sizeof(vh), size);
	if (vh.gso_type == VIRTIO_NET_HDR_GSO_NONE)
		(void)gso_csum(&vh, pkt, size);
	else
		fuzz_offload_cut(&vh, pkt, size, 0);
	return (0);
}
