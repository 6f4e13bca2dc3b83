/*
 * The UDP sockets of in.iked: IKE on port 500, and on port 4500 IKE behind
 * the non-ESP marker, ESP in UDP and NAT keepalives (RFC 3947, RFC 3948).
 *
 * One socket per port is bound to each single local address of the rules.
 * When some rule has a local prefix or range, its address family gets one
 * wildcard socket per port instead (0.0.0.0, or :: with IPV6_V6ONLY).
 * The local address of each datagram then comes from IP_PKTINFO or
 * IPV6_PKTINFO, and sends set the source address the same way.  Every
 * socket receives PKTINFO, so both kinds share one receive path.
 */
#ifndef IKED_DAEMON_UDP_H
#define IKED_DAEMON_UDP_H

#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct event_base;
struct ike_packet;
struct kernel_udp_datagram;
struct udp;

#define UDP_PORT_IKE		500
#define UDP_PORT_NATT		4500

/*
 * Largest ISAKMP message accepted.  An IKEv1 message with a certificate
 * chain stays well below it; anything bigger is dropped unparsed.
 */
#define UDP_IKE_MAX		32768
/* Smallest ISAKMP message: the fixed header (RFC 2408 section 3.1). */
#define UDP_IKE_MIN		28
/* Smallest ESP packet: SPI and sequence number (RFC 4303 section 2). */
#define UDP_ESP_MIN		8

/* Callbacks from the socket layer to the daemon. */
struct udp_ops {
	/* An ISAKMP message, without the non-ESP marker. */
	void	(*uo_ike)(void *arg, const struct ike_packet *);
	/* ESP in UDP that arrived on port 4500; pkt starts with the SPI. */
	void	(*uo_esp)(void *arg, const struct sockaddr *local,
		    const struct sockaddr *remote, const uint8_t *pkt,
		    size_t len);
	/*
	 * A socket was opened and bound: the SA backend exempts it from
	 * IPsec and, on port 4500, enables ESP decapsulation.  A non-zero
	 * return closes the socket again.
	 */
	int	(*uo_opened)(void *arg, int fd, int family, uint16_t port);
};

struct udp_stats {
	uint64_t	us_ike_in;
	uint64_t	us_esp_in;
	uint64_t	us_keepalive_in;
	uint64_t	us_dropped;	/* short, oversize or unreadable */
	uint64_t	us_ike_out;
	uint64_t	us_esp_out;
	uint64_t	us_send_errors;
};

struct udp	*udp_new(struct event_base *, const struct udp_ops *, void *);
void		 udp_free(struct udp *);

/*
 * Open the sockets the rules of cf need and close those no rule needs any
 * more; sockets that stay needed are kept open.  Returns 0, or the error
 * of the first socket that failed (each failure is logged).
 */
int	 udp_sync(struct udp *, const struct config *);

/* Number of open sockets. */
size_t	 udp_count(const struct udp *);

/* Send an ISAKMP message; port 4500 on either side adds the marker. */
int	 udp_send_ike(struct udp *, const struct ike_packet *);

/*
 * Send a datagram as given (ESP in UDP, or a NAT keepalive) from the
 * port 4500 socket of local's address.
 */
int	 udp_send_natt(struct udp *, const struct sockaddr *local,
	    const struct sockaddr *remote, const uint8_t *, size_t);

/*
 * Send n datagrams of ESP in UDP in their order, as udp_send_natt would,
 * in few system calls.  A failure is counted and logged, and the other
 * datagrams still go.
 */
void	 udp_send_natt_batch(struct udp *, const struct kernel_udp_datagram *,
	    size_t n);

const struct udp_stats *udp_stats(const struct udp *);

/* Format "address[port]" into buf (always NUL-terminated). */
const char	*udp_addr_str(const struct sockaddr *, char *, size_t);
#define UDP_ADDRSTRLEN	(46 + 8)

#endif /* IKED_DAEMON_UDP_H */
