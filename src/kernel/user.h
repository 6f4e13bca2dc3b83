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
 *
 * Inbound and forward policies are also installed in XFRM (user_xfrm.c),
 * so that the kernel drops clear-text packets that they require to be
 * protected.
 */
#ifndef IKED_USER_H
#define IKED_USER_H

#include <sys/queue.h>
#include <stdint.h>

#include "kernel/esp_sa.h"
#include "kernel/flow.h"
#include "kernel/kernel_int.h"
#include "kernel/rtnl.h"
#include "kernel/xfrm/xfrm.h"
#include "lib/log.h"

#define USER_SPI_BUCKETS	16384
#define USER_QUEUE_MAX		8	/* packets held per policy for an SA */
/*
 * Mark set on every packet that the backend writes into the TUN device
 * (the decrypted ones), so that the XFRM inbound policies skip them
 * (user_xfrm.c).  One bit outside the default fwmark 0x4500, so the
 * routing rule does not see it.
 */
#define USER_TUN_MARK		0x00400000

struct event;
struct kernel_user;
struct user_io;

/*
 * The peer an outbound SA leads to, or that an outbound policy's tunnel
 * names (ud_family 0: none named).  With reqid it chooses a policy's SA.
 */
struct user_dst {
	uint8_t			 ud_addr[16];
	uint8_t			 ud_family;
};

struct user_sa {
	TAILQ_ENTRY(user_sa)	 us_entry;
	struct user_sa		*us_hash_next;	/* inbound SPI hash chain */
	struct user_sa		*us_id_next;	/* chain of ku_idhash */
	struct user_sa		*us_out_next;	/* chain of ku_outsa */
	struct user_dst		 us_out_dst;	/* as added, for ku_outsa */
	int			 us_in_out;	/* in ku_outsa */
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
	struct user_route	*ur_next;	/* chain of ku_routes */
	int			 ur_family;
	uint8_t			 ur_dst[16];
	uint8_t			 ur_prefix;
	int			 ur_throw;
	unsigned int		 ur_refs;
	int			 ur_found;	/* left by an earlier in.iked */
};

struct user_policy {
	TAILQ_ENTRY(user_policy) up_entry;
	struct kernel_policy	 up_pol;
	struct user_route	*up_route;
	struct user_sa		*up_sa;		/* cached outbound SA */
	struct user_policy	*up_sel_next;	/* chain of ku_polsel */
	struct user_policy	*up_out_next;	/* chain of ku_polout */
	struct user_dst		 up_out_dst;	/* the tunnel's end, if any */
	uint8_t			*up_queue[USER_QUEUE_MAX];
	size_t			 up_queue_len[USER_QUEUE_MAX];
	unsigned int		 up_queue_head;
	unsigned int		 up_queue_count;
	uint64_t		 up_acquire_ms;	/* last acquire, monotonic */
	int			 up_in_kernel;	/* also an XFRM policy */
	int			 up_xfrm_found;	/* that replaced an earlier one */
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
	/*
	 * Set by user_started(), when the daemon has started.  Until then,
	 * what an earlier in.iked left (the rule, routes, XFRM policies marked
	 * found) stays when the backend closes, so that a start that fails
	 * leaves a killed in.iked's traffic blocked.
	 */
	int				 ku_running;
	struct rtnl			 ku_rtnl;
	int				 ku_rule4;
	int				 ku_rule6;
	int				 ku_rule4_found;
	int				 ku_rule6_found;
	/* Inbound policies in XFRM; xn_sock is NULL when not used. */
	struct xfrm_nl			 ku_xfrm;
	int				 ku_inbound4;	/* enforced for IPv4 */
	int				 ku_inbound6;
	int				 ku_tun_marked;	/* USER_TUN_MARK set */
	struct user_sa			*ku_hash[USER_SPI_BUCKETS];
	/* Every SA of ku_sas by SPI and destination, either direction. */
	struct user_sa			*ku_idhash[USER_SPI_BUCKETS];
	TAILQ_HEAD(user_sa_head, user_sa) ku_sas;
	size_t				 ku_nsas;	/* in ku_sas */
	/* Outbound SAs by reqid and peer, newest first in each chain. */
	struct user_sa			*ku_outsa[USER_SPI_BUCKETS];
	/* ku_pols by direction and selector; outbound ones by reqid and
	 * tunnel end, in the order added. */
	struct user_policy		*ku_polsel[USER_SPI_BUCKETS];
	struct user_policy		*ku_polout[USER_SPI_BUCKETS];
	TAILQ_HEAD(user_policy_head, user_policy) ku_pols;
	/* Routes by destination prefix. */
	struct user_route		*ku_routes[USER_SPI_BUCKETS];
	struct log_ratelimit		 ku_ratelimit;
	struct user_io			*ku_io;		/* packet buffers */
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
struct user_policy	*user_policy_find(struct kernel_user *,
			    const struct kernel_policy *);

/* user_io.c */
int	 user_io_open(struct kernel_user *);
void	 user_io_close(struct kernel_user *);
void	 user_io_output(struct kernel_user *, struct user_sa *,
	    const uint8_t *, const struct flow *);
void	 user_io_udp_input(struct kernel_user *, const struct sockaddr *,
	    const struct sockaddr *, const uint8_t *, size_t);
int	 user_io_mark_socket(struct kernel_user *, int);
/* Send the ESP that waits in the outbound batch. */
void	 user_io_flush(struct kernel_user *);

/* user_xfrm.c */
void	 user_xfrm_open(struct kernel_user *);
void	 user_xfrm_close(struct kernel_user *);
/* Install an inbound or forward policy in XFRM; others are left alone. */
int	 user_xfrm_add(struct kernel_user *, struct user_policy *);
void	 user_xfrm_delete(struct kernel_user *, struct user_policy *);
void	 user_xfrm_sweep(struct kernel_user *);
int	 user_xfrm_bypass_socket(struct kernel_user *, int fd, int family);

#endif /* IKED_USER_H */
