/*
 * Minimal pcap and pcapng reader for tests: finds the ISAKMP messages in
 * UDP datagrams to or from ports 500 and 4500 over Ethernet, Linux cooked
 * capture (v1 and v2), BSD loopback or raw IP, IPv4 or IPv6.  On port 4500
 * the non-ESP marker is removed; ESP packets and NAT keepalives are
 * skipped.  Every byte of the file is read through struct rbuf.
 */
#ifndef IKED_TEST_CAPTURE_H
#define IKED_TEST_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

struct capture_msg {
	size_t		 cm_frame;	/* frame number, 1 for the first */
	uint16_t	 cm_sport;
	uint16_t	 cm_dport;
	const uint8_t	*cm_data;	/* ISAKMP message, marker removed */
	size_t		 cm_len;
	size_t		 cm_udp_len;	/* UDP data length, no marker */
};

/* Called for each ISAKMP message; a non-zero return stops the walk. */
typedef int	capture_fn(void *arg, const struct capture_msg *);

/*
 * Read a capture file and call fn for each ISAKMP message.  Returns the
 * number of messages, or a negative enum err when the file cannot be read
 * or is not a pcap/pcapng file.  A record cut short by the end of the
 * file is passed on with the bytes it has.
 */
int	capture_walk(const char *path, capture_fn *fn, void *arg);

#endif /* IKED_TEST_CAPTURE_H */
