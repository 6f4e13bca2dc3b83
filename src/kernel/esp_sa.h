/*
 * One ESP SA of the userspace data plane (RFC 4303): its keys, cipher
 * state, sequence number or replay window, and counters.  esp_sa_output
 * and esp_sa_input build and check the ESP part of a packet (from the SPI
 * to the ICV).  The caller adds or removes the outer IP or UDP header.
 */
#ifndef IKED_ESP_SA_H
#define IKED_ESP_SA_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/flow.h"
#include "kernel/kernel_int.h"
#include "kernel/replay.h"

struct esp_cipher;

/* Soft expiry is reported once the sequence number passes this. */
#define ESP_SA_SEQ_SOFT		0xfff00000U

struct esp_sa {
	struct kernel_sa_rec	 es_rec;	/* es_rec.r_sa is the SA */
	struct esp_cipher	*es_cipher;
	uint32_t		 es_seq;	/* outbound: last number sent */
	struct replay		 es_replay;	/* inbound */
	struct kernel_sa_stats	 es_stats;
};

/* Result of esp_sa_input: where the decrypted payload is in the packet. */
struct esp_sa_payload {
	uint8_t		ep_next_header;
	size_t		ep_off;
	size_t		ep_len;
};

int	 esp_sa_init(struct esp_sa *, const struct kernel_sa *);
void	 esp_sa_clear(struct esp_sa *);
/* Largest number of bytes esp_sa_output adds to a payload. */
size_t	 esp_sa_overhead(const struct esp_sa *);

/*
 * Build the ESP packet for payload (next header nh) into out.  Returns
 * ERR_STATE when the sequence numbers are used up (the SA must be
 * replaced, RFC 4303 3.3.3), ERR_TOOBIG when out is too small.
 */
int	 esp_sa_output(struct esp_sa *, uint8_t nh, const uint8_t *payload,
	    size_t len, uint8_t *out, size_t cap, size_t *outlen);

/*
 * Check and decrypt an ESP packet in place: replay window, ICV, padding
 * (RFC 4303 3.4).  Counts drops in es_stats.  Returns ERR_TRUNCATED,
 * ERR_EXISTS or ERR_TOOBIG (replay), ERR_AUTH (ICV), ERR_MALFORMED
 * (padding, length).  The SPI is not checked: the caller found the SA by it.
 */
int	 esp_sa_input(struct esp_sa *, uint8_t *pkt, size_t len,
	    struct esp_sa_payload *);

/*
 * esp_sa_encap without a copy: the ESP header and IV go into the headroom
 * bytes before pkt (before its payload in transport mode), the padding,
 * trailer and ICV into the tailroom bytes after pkt + fl->fl_totlen.
 * *esp and *esplen are the ESP packet.  ESP_SA_ENCAP_HEADROOM and
 * ESP_SA_ENCAP_TAILROOM are always enough; ERR_TOOBIG when they are short.
 */
#define ESP_SA_ENCAP_HEADROOM	24	/* ESP header, largest IV */
#define ESP_SA_ENCAP_TAILROOM	64	/* padding, trailer, largest ICV */
int	 esp_sa_encap_inplace(struct esp_sa *, uint8_t *pkt, size_t headroom,
	    size_t tailroom, const struct flow *fl, uint8_t **esp,
	    size_t *esplen, size_t *payload_len);

/* Bytes esp_sa_decap needs before the ESP packet to rebuild a header. */
#define ESP_SA_HEADROOM		40

/*
 * Encapsulate the IP packet pkt (parsed into fl) for the SA's mode:
 * tunnel mode carries the whole packet, transport mode its payload.
 * Transport mode returns ERR_UNSUPPORTED for a fragment.
 */
int	 esp_sa_encap(struct esp_sa *, const uint8_t *pkt,
	    const struct flow *fl, uint8_t *out, size_t cap, size_t *outlen,
	    size_t *payload_len);

/*
 * Decapsulate an ESP packet that arrived from src to dst (outer
 * addresses of the given family): esp_sa_input, then the inner packet.
 * Tunnel mode requires next header 4 or 41 and an inner IP packet of
 * that version.  Transport mode rebuilds the IP header in the
 * ESP_SA_HEADROOM bytes before esp.  The inner packet must lie inside
 * the SA's selector.  Returns ERR_NOTFOUND for a dummy packet (next
 * header 59, RFC 4303 2.6), which is dropped without counting.
 */
int	 esp_sa_decap(struct esp_sa *, int family, const uint8_t *src,
	    const uint8_t *dst, uint8_t *esp, size_t len, uint8_t **inner,
	    struct flow *fl);

/* Count a delivered or sent payload of len bytes at wall time now. */
void	 esp_sa_count(struct esp_sa *, size_t len, int64_t now);

#endif /* IKED_ESP_SA_H */
