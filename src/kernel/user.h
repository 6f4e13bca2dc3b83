/*
 * State of the userspace backend: ESP over a TUN device.
 *
 * Routing: outbound policies get routes to their destination prefix
 * through the TUN device in a table of their own (k_route_table), used
 * through the rule "not fwmark k_fwmark lookup k_route_table".  Every
 * socket of the backend (raw ESP, clear-text sends) and the daemon's IKE
 * sockets (kernel_bypass_socket) carry that mark, so they use the main
 * table.  ESP and IKE to the peer therefore never enter the tunnel, even
 * when a protected prefix contains the peer (transport mode, 0.0.0.0/0).
 */
#ifndef IKED_USER_H
#define IKED_USER_H

#include <sys/queue.h>
#include <stdint.h>

#include "kernel/esp_sa.h"
#include "kernel/flow.h"
#include "kernel/kernel_int.h"
#include "kernel/rtnl.h"
#include "lib/log.h"

#define USER_SPI_BUCKETS	16384
#define USER_QUEUE_MAX		8	/* packets held per policy for an SA */
#define USER_BUF_LEN		65536
#define USER_HEADROOM		128	/* room for a rebuilt IP header */

struct event;
struct kernel_user;

struct user_sa {
	TAILQ_ENTRY(user_sa)	 us_entry;
	struct user_sa		*us_hash_next;	/* inbound SPI hash chain */
	struct user_sa		*us_id_next;	/* chain of ku_idhash */
	struct kernel_user	*us_ku;
	struct esp_sa		 us_esp;
	struct event		*us_timer;
	uint64_t		 us_add_ms;	/* monotonic */
	uint64_t		 us_use_ms;	/* monotonic, 0 if unused */
	int			 us_larval;	/* SPI reserved by get_spi */
	int			 us_in_hash;
	int			 us_soft_sent;
};

struct user_route {
	TAILQ_ENTRY(user_route)	 ur_entry;
	int			 ur_family;
	uint8_t			 ur_dst[16];
	uint8_t			 ur_prefix;
	int			 ur_throw;
	unsigned int		 ur_refs;
};

struct user_policy {
	TAILQ_ENTRY(user_policy) up_entry;
	struct kernel_policy	 up_pol;
	struct user_route	*up_route;
	struct user_sa		*up_sa;		/* cached outbound SA */
	struct user_policy	*up_sel_next;	/* chain of ku_polsel */
	struct user_policy	*up_reqid_next;	/* chain of ku_polreqid */
	uint8_t			*up_queue[USER_QUEUE_MAX];
	size_t			 up_queue_len[USER_QUEUE_MAX];
	unsigned int		 up_queue_head;
	unsigned int		 up_queue_count;
	uint64_t		 up_acquire_ms;	/* last acquire, monotonic */
};

struct kernel_user {
	struct kernel			*ku_k;
	int				 ku_tun;
	unsigned int			 ku_ifindex;
	int				 ku_esp4;	/* raw ESP sockets */
	int				 ku_esp6;
	int				 ku_raw4;	/* sends in the clear */
	int				 ku_raw6;
	struct event			*ku_ev_tun;
	struct event			*ku_ev_esp4;
	struct event			*ku_ev_esp6;
	struct rtnl			 ku_rtnl;
	int				 ku_rule4;
	int				 ku_rule6;
	struct user_sa			*ku_hash[USER_SPI_BUCKETS];
	/* Every SA of ku_sas by SPI and destination, either direction. */
	struct user_sa			*ku_idhash[USER_SPI_BUCKETS];
	TAILQ_HEAD(user_sa_head, user_sa) ku_sas;
	size_t				 ku_nsas;	/* in ku_sas */
	/* ku_pols by direction and selector, and by reqid. */
	struct user_policy		*ku_polsel[USER_SPI_BUCKETS];
	struct user_policy		*ku_polreqid[USER_SPI_BUCKETS];
	TAILQ_HEAD(user_policy_head, user_policy) ku_pols;
	TAILQ_HEAD(, user_route)	 ku_routes;
	struct log_ratelimit		 ku_ratelimit;
	uint8_t				 ku_rx[USER_HEADROOM + USER_BUF_LEN];
	uint8_t				 ku_tx[USER_HEADROOM + USER_BUF_LEN];
};

/* user.c */
uint64_t		 user_now_ms(void);
struct user_sa		*user_sa_lookup_spi(struct kernel_user *, uint32_t);
struct user_policy	*user_policy_match(struct kernel_user *,
			    const struct flow *);
struct user_sa		*user_policy_sa(struct kernel_user *,
			    struct user_policy *);
void			 user_policy_hold(struct kernel_user *,
			    struct user_policy *, const struct flow *,
			    const uint8_t *, size_t);
void			 user_sa_used(struct kernel_user *, struct user_sa *,
			    size_t);

/* user_io.c */
int	 user_io_open(struct kernel_user *);
void	 user_io_close(struct kernel_user *);
void	 user_io_output(struct kernel_user *, struct user_sa *,
	    const uint8_t *, const struct flow *);
void	 user_io_udp_input(struct kernel_user *, const struct sockaddr *,
	    const struct sockaddr *, const uint8_t *, size_t);
int	 user_io_mark_socket(struct kernel_user *, int);

#endif /* IKED_USER_H */
