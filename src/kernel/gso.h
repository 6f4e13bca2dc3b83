/*
 * Segmentation of what a TUN device with virtio-net headers returns
 * (IFF_VNET_HDR with the TUN_F_CSUM, TUN_F_TSO4 and TUN_F_TSO6
 * offloads).  A TCP segment of up to 64 KB (TSO) is cut into packets of
 * gso_size bytes of data, as the kernel's tcp_gso_segment would cut it.
 * A packet whose transport checksum the kernel left to the device
 * (VIRTIO_NET_HDR_F_NEEDS_CSUM) gets its checksum.
 */
#ifndef IKED_GSO_H
#define IKED_GSO_H

#include <linux/virtio_net.h>
#include <stddef.h>
#include <stdint.h>

/* A TSO segment being cut, from gso_init to the last gso_next. */
struct gso {
	const uint8_t	*g_pkt;		/* IP header, TCP header, data */
	size_t		 g_len;		/* IP packet length */
	size_t		 g_l4off;	/* TCP header */
	size_t		 g_hdrlen;	/* IP and TCP headers */
	size_t		 g_mss;		/* data bytes per packet */
	size_t		 g_off;		/* next data byte */
	uint64_t	 g_pseudo;	/* pseudo-header sum, length excluded */
	uint32_t	 g_seq;
	uint16_t	 g_id;		/* IPv4 identification */
	int		 g_ipv4;
	unsigned int	 g_index;
};

/*
 * Complete the checksum of a packet that is not a TSO segment, in place,
 * when vh has VIRTIO_NET_HDR_F_NEEDS_CSUM.  ERR_MALFORMED when the
 * checksum position lies outside pkt[0..len).
 */
int	 gso_csum(const struct virtio_net_hdr *vh, uint8_t *pkt, size_t len);

/*
 * Start cutting the TSO segment pkt[0..len) described by vh.
 * ERR_UNSUPPORTED for a GSO type other than TCP over IPv4 or IPv6,
 * ERR_MALFORMED when vh and the headers disagree.  pkt must stay
 * unchanged until the last gso_next.
 */
int	 gso_init(struct gso *, const struct virtio_net_hdr *vh,
	    const uint8_t *pkt, size_t len);

/*
 * Write the next packet, with its IP and TCP headers and checksums, to
 * out[0..cap).  *outlen is 0 after the last one.  ERR_TOOBIG when cap is
 * short.
 */
int	 gso_next(struct gso *, uint8_t *out, size_t cap, size_t *outlen);

#endif /* IKED_GSO_H */
