/*
 * Internals of the XFRM backend: the netlink request channel, message
 * builders and parsers, and the backend state.
 */
#ifndef IKED_XFRM_H
#define IKED_XFRM_H

#include <sys/queue.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>

#include <stddef.h>
#include <stdint.h>

#include "kernel/kernel_int.h"
#include "lib/log.h"

struct event;
struct mnl_socket;

/* Room for the largest request or reply: an SA with keys is < 1 KB. */
#define XFRM_BUF_LEN		8192

/* A netlink socket of the XFRM family. */
struct xfrm_nl {
	struct mnl_socket	*xn_sock;
	uint32_t		 xn_portid;
	uint32_t		 xn_seq;
	int			 xn_errno;	/* of the last failed request */
	char			 xn_msg[128];	/* kernel's text for it */
};

/* An SA or an SPI reservation (get_spi) that this handle installed. */
struct xfrm_sa {
	TAILQ_ENTRY(xfrm_sa)	 xs_entry;
	struct kernel_sa_rec	 xs_rec;	/* with wiped key copies */
	int			 xs_larval;	/* SPI reserved, no keys yet */
};

struct xfrm_pol {
	TAILQ_ENTRY(xfrm_pol)	 xp_entry;
	struct kernel_policy	 xp_pol;
	int			 xp_fwd;	/* a FWD twin was installed */
};

struct kernel_xfrm {
	struct kernel			*kx_k;
	struct xfrm_nl			 kx_nl;		/* requests */
	struct xfrm_nl			 kx_events;	/* acquire, expire */
	struct event			*kx_ev;
	TAILQ_HEAD(, xfrm_sa)		 kx_sas;
	TAILQ_HEAD(, xfrm_pol)		 kx_pols;
	struct log_ratelimit		 kx_ratelimit;
};


/* xfrm_nl.c */
int	 xfrm_nl_open(struct xfrm_nl *, unsigned int groups);
void	 xfrm_nl_close(struct xfrm_nl *);
int	 xfrm_nl_fd(const struct xfrm_nl *);
struct nlmsghdr	*xfrm_nl_header(void *, uint16_t type, uint16_t flags);
/*
 * Send one request and read the replies until the acknowledgement, or
 * for a dump (NLM_F_DUMP) until its end.  Each data message goes to cb
 * (may be NULL).  Returns 0, or ERR_SYSTEM with
 * errno, xn_errno and xn_msg set to the kernel's error.
 */
int	 xfrm_nl_request(struct xfrm_nl *, struct nlmsghdr *,
	    int (*cb)(const struct nlmsghdr *, void *), void *);
const char	*xfrm_nl_error(const struct xfrm_nl *, char *, size_t);

/* xfrm_msg.c: requests from the interface structs */
void	 xfrm_msg_addr(xfrm_address_t *, const struct sockaddr_storage *);
void	 xfrm_msg_selector(struct xfrm_selector *,
	    const struct kernel_selector *, int family);
const char	*xfrm_msg_encr_name(uint16_t);
const char	*xfrm_msg_auth_name(uint16_t);
size_t		 xfrm_msg_icv_bits(uint16_t encr, uint16_t auth);
int	 xfrm_msg_sa(struct nlmsghdr *, const struct kernel_sa *);
void	 xfrm_msg_sa_id(struct nlmsghdr *, const struct kernel_sa_id *);
void	 xfrm_msg_allocspi(struct nlmsghdr *, const struct sockaddr *src,
	    const struct sockaddr *dst, uint8_t proto, uint32_t reqid);
int	 xfrm_msg_policy(struct nlmsghdr *, const struct kernel_policy *,
	    uint8_t dir);
void	 xfrm_msg_policy_id(struct nlmsghdr *, const struct kernel_policy *,
	    uint8_t dir);
uint8_t	 xfrm_msg_dir(enum kernel_dir);
int	 xfrm_msg_socket_policy(struct xfrm_userpolicy_info *, int family,
	    uint8_t dir);

/* xfrm_parse.c: kernel messages, read through struct rbuf */
int	 xfrm_parse_sa(const struct nlmsghdr *, struct xfrm_usersa_info *);
int	 xfrm_parse_acquire(const struct nlmsghdr *,
	    struct xfrm_user_acquire *, struct xfrm_user_tmpl *, int *ntmpl);
int	 xfrm_parse_expire(const struct nlmsghdr *,
	    struct xfrm_user_expire *);
void	 xfrm_parse_selector(struct kernel_selector *,
	    const struct xfrm_selector *);
void	 xfrm_parse_addr(struct sockaddr_storage *, const xfrm_address_t *,
	    int family, uint16_t port);

/* xfrm_event.c: acquire and expire notifications */
int	 xfrm_event_open(struct kernel_xfrm *);
void	 xfrm_event_close(struct kernel_xfrm *);
void	 xfrm_event_dispatch(struct kernel_xfrm *, const struct nlmsghdr *);

/* xfrm_sa.c: SA operations and the table of our SAs */
struct xfrm_sa	*xfrm_sa_find(struct kernel_xfrm *,
		    const struct kernel_sa_id *);
void	 xfrm_sa_forget(struct kernel_xfrm *, struct xfrm_sa *);
int	 xfrm_sa_get_spi(struct kernel *, const struct sockaddr *,
	    const struct sockaddr *, uint8_t, uint32_t, uint32_t *);
int	 xfrm_sa_add(struct kernel *, const struct kernel_sa *);
int	 xfrm_sa_update(struct kernel *, const struct kernel_sa_update *);
int	 xfrm_sa_delete(struct kernel *, const struct kernel_sa_id *);
int	 xfrm_sa_query(struct kernel *, const struct kernel_sa_id *,
	    struct kernel_sa_stats *);
void	 xfrm_sa_flush(struct kernel_xfrm *);

/* xfrm_pol.c: policy operations and the table of our policies */
const char	*xfrm_pol_dir_name(uint8_t dir);
/*
 * Install a policy in XFRM direction dir, replacing one with the same
 * selector, direction and mark (left by a run that did not exit
 * cleanly).  With a mark, the policy applies only to packets whose mark
 * ANDed with mark->m is mark->v; NULL applies it to all.  *replaced,
 * when not NULL, is set to 1 when an earlier policy was replaced.  Errors
 * are logged.
 */
int	 xfrm_pol_install(struct xfrm_nl *, const struct kernel_policy *,
	    uint8_t dir, const struct xfrm_mark *, int *replaced);
/* Remove it; a policy that is already gone is no error. */
int	 xfrm_pol_remove(struct xfrm_nl *, const struct kernel_policy *,
	    uint8_t dir, const struct xfrm_mark *);
struct xfrm_pol	*xfrm_pol_find(struct kernel_xfrm *, enum kernel_dir,
		    const struct kernel_selector *);
int	 xfrm_pol_add(struct kernel *, const struct kernel_policy *);
int	 xfrm_pol_delete(struct kernel *, const struct kernel_policy *);
void	 xfrm_pol_flush(struct kernel_xfrm *);

/* kernel_xfrm.c */
struct kernel_xfrm	*kernel_xfrm_state(const struct kernel *);
int			 kernel_xfrm_attach(struct kernel *);
/*
 * Exempt a socket from the global policies of XFRM direction dir
 * (XFRM_POLICY_IN or _OUT) with a per-socket policy.  Errors are logged.
 */
int			 kernel_xfrm_socket_bypass(int fd, int family,
			    uint8_t dir);

#endif /* IKED_XFRM_H */
