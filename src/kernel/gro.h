/*
 * Coalescing of decrypted TCP segments before they are written to a TUN
 * device with virtio-net headers (IFF_VNET_HDR).  Consecutive segments
 * of one connection become one TSO segment of up to 64 KB, which the
 * kernel's stack receives as it receives a GRO packet from a network
 * card.  The rules follow the kernel's tcp_gro_receive: the same
 * addresses, ports, IP header fields, acknowledgment, window and TCP
 * options, the next sequence number, every segment but the last of the
 * first one's size, no flag but ACK and a PSH on the last.  Each
 * segment's checksum is verified before it joins, because the kernel
 * trusts a coalesced packet's data (CHECKSUM_PARTIAL).  Other packets
 * are written as they come, after any held segments of their
 * connection, so the order within a connection is kept.
 */
#ifndef IKED_GRO_H
#define IKED_GRO_H

#include <sys/uio.h>
#include <linux/virtio_net.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/flow.h"

#define GRO_CHAINS	8	/* connections held at once */
#define GRO_SEGS	64	/* segments per coalesced packet */

struct gro_chain {
	uint8_t			*gc_pkt;	/* first segment */
	size_t			 gc_l4off;	/* TCP header */
	size_t			 gc_hdrlen;	/* IP and TCP headers */
	size_t			 gc_mss;	/* data of the first segment */
	size_t			 gc_len;	/* IP length of the chain */
	uint32_t		 gc_next_seq;
	unsigned int		 gc_nseg;
	int			 gc_ipv4;
	int			 gc_checked;	/* first sum verified */
	int			 gc_psh;
	struct virtio_net_hdr	 gc_vh;
	/* The header, the first segment, the data of the others. */
	struct iovec		 gc_iov[GRO_SEGS + 1];
};

/* Writes one packet (iov[0] its virtio-net header, if any). */
typedef void	gro_write_fn(void *arg, const struct iovec *iov, int iovcnt);

struct gro {
	struct gro_chain	 g_chains[GRO_CHAINS];
	unsigned int		 g_nchains;
	int			 g_vnet;	/* the device takes headers */
	gro_write_fn		*g_write;
	void			*g_arg;
	uint64_t		 g_coalesced;	/* segments that joined */
};

/* vnet 0: the device has no virtio-net headers, so nothing is held. */
void	 gro_init(struct gro *, int vnet, gro_write_fn *, void *arg);

/*
 * Write the IP packet pkt (parsed into fl) or hold it for the segments
 * that follow.  A held packet's bytes must stay in place until gro_flush,
 * which may rewrite its headers.
 */
void	 gro_add(struct gro *, uint8_t *pkt, const struct flow *fl);

/* Write every held packet. */
void	 gro_flush(struct gro *);

#endif /* IKED_GRO_H */
