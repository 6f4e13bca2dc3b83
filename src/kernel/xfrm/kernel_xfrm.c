/*
 * The XFRM backend's ops table: open and close, flush, the daemon's
 * socket options, and the probe that picks the default backend.
 */
#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/udp.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "kernel/xfrm/kernel_xfrm.h"
#include "kernel/xfrm/xfrm.h"
#include "lib/err.h"

struct kernel_xfrm *
kernel_xfrm_state(const struct kernel *k)
{
	return (k->k_priv);
}

static void
kernel_xfrm_free(struct kernel_xfrm *kx)
{
	xfrm_event_close(kx);
	xfrm_nl_close(&kx->kx_nl);
	log_ratelimit_forget(&kx->kx_ratelimit);
	free(kx);
}

/*
 * Set up the handle's netlink sockets and tables without the ESP probe,
 * for tests that run on kernels without ESP.
 */
int
kernel_xfrm_attach(struct kernel *k)
{
	struct kernel_xfrm	*kx;
	int			 r;

	if ((kx = calloc(1, sizeof(*kx))) == NULL)
		return (ERR_NOMEM);
	kx->kx_k = k;
	TAILQ_INIT(&kx->kx_sas);
	TAILQ_INIT(&kx->kx_pols);
	kx->kx_ratelimit = (struct log_ratelimit)LOG_RATELIMIT_INIT(60, 5);
	if ((r = xfrm_nl_open(&kx->kx_nl, 0)) != 0) {
		log_err("cannot open an XFRM netlink socket: %s: the kernel "
		    "needs CONFIG_XFRM_USER (module xfrm_user), or run "
		    "in.iked with -B userspace", strerror(errno));
		goto out;
	}
	k->k_priv = kx;
	if ((r = xfrm_event_open(kx)) != 0) {
		log_err("cannot listen for XFRM acquires and expiries: %s",
		    strerror(errno));
		goto out;
	}
	kx = NULL;
out:
	if (kx != NULL) {
		k->k_priv = NULL;
		kernel_xfrm_free(kx);
	}
	return (r);
}

/* A kernel without ESP could install policies but never an SA. */
static int
kernel_xfrm_open(struct kernel *k)
{
	if (!kernel_xfrm_probe()) {
		log_err("the xfrm backend needs ESP in the kernel: load the "
		    "esp4 and esp6 modules, or run in.iked with -B userspace");
		return (ERR_UNSUPPORTED);
	}
	return (kernel_xfrm_attach(k));
}

static int
kernel_xfrm_flush(struct kernel *k)
{
	struct kernel_xfrm	*kx = kernel_xfrm_state(k);

	/* Policies first, so no packet goes out while its SA is removed. */
	xfrm_pol_flush(kx);
	xfrm_sa_flush(kx);
	log_debug(D_PFKEY, "xfrm backend: removed our SAs and policies");
	return (0);
}

static void
kernel_xfrm_close(struct kernel *k)
{
	struct kernel_xfrm	*kx = kernel_xfrm_state(k);

	if (kx == NULL)
		return;
	kernel_xfrm_flush(k);
	kernel_xfrm_free(kx);
	k->k_priv = NULL;
}

/*
 * A per-socket policy that allows everything without templates, so the
 * socket's packets skip the global policies, even those that cover the
 * peer's address.
 */
int
kernel_xfrm_socket_bypass(int fd, int family, uint8_t dir)
{
	struct xfrm_userpolicy_info	upi;
	int				level, opt;

	if (xfrm_msg_socket_policy(&upi, family, dir) != 0)
		return (ERR_INVAL);
	level = family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
	opt = family == AF_INET6 ? IPV6_XFRM_POLICY : IP_XFRM_POLICY;
	if (setsockopt(fd, level, opt, &upi, sizeof(upi)) == -1) {
		log_err("cannot exempt socket %d from %s IPsec policies: %s",
		    fd, xfrm_pol_dir_name(dir), strerror(errno));
		return (errno == EPERM ? ERR_PERM : ERR_SYSTEM);
	}
	return (0);
}

/* IKE and NAT keepalives skip the policies both ways. */
static int
kernel_xfrm_bypass_socket(struct kernel *k, int fd, int family)
{
	int	r;

	if ((r = kernel_xfrm_socket_bypass(fd, family, XFRM_POLICY_IN)) != 0)
		return (r);
	return (kernel_xfrm_socket_bypass(fd, family, XFRM_POLICY_OUT));
}

/*
 * UDP_ENCAP_ESPINUDP (RFC 3948): the kernel takes ESP packets (first
 * word non-zero) off the socket and decrypts them; IKE packets behind
 * the non-ESP marker still reach the daemon.
 */
static int
kernel_xfrm_enable_udp_decap(struct kernel *k, int fd, int family,
    uint16_t port)
{
	int	type = UDP_ENCAP_ESPINUDP;

	if (setsockopt(fd, IPPROTO_UDP, UDP_ENCAP, &type, sizeof(type)) ==
	    -1) {
		log_err("cannot enable ESP-in-UDP on the port %u socket: %s",
		    port, strerror(errno));
		return (ERR_SYSTEM);
	}
	return (0);
}

/*
 * With UDP_ENCAP set, ESP never reaches the daemon; a packet here means
 * the socket lacks the option.
 */
static void
kernel_xfrm_esp_udp_input(struct kernel *k, const struct sockaddr *local,
    const struct sockaddr *remote, const uint8_t *pkt, size_t len)
{
	struct kernel_xfrm	*kx = kernel_xfrm_state(k);

	if (log_ratelimit_pass(&kx->kx_ratelimit))
		log_warn("ESP-in-UDP packet of %zu bytes reached in.iked: "
		    "the kernel decapsulates only on sockets prepared with "
		    "kernel_enable_udp_decap; dropped", len);
}

/* A short-lived ESP SA that no traffic uses: 192.0.2.0 is unassigned. */
static void
kernel_xfrm_probe_sa(struct kernel_sa *sa, uint8_t *key)
{
	struct sockaddr_in	*sin;
	uint32_t		 spi = 0;

	memset(sa, 0, sizeof(*sa));
	sa->sa_dir = KERNEL_DIR_IN;
	sin = (struct sockaddr_in *)&sa->sa_id.id_src;
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(0xc0000200);	/* 192.0.2.0 */
	sa->sa_id.id_dst = sa->sa_id.id_src;
	if (getrandom(&spi, sizeof(spi), 0) != sizeof(spi))
		spi = 0x1f2e3d4c;
	sa->sa_id.id_spi = spi | 0x80000000;
	sa->sa_id.id_proto = KERNEL_PROTO_ESP;
	sa->sa_mode = KERNEL_MODE_TRANSPORT;
	sa->sa_encr = KERNEL_ENCR_AES_CBC;
	sa->sa_encr_key = key;
	sa->sa_encr_keylen = 16;
	sa->sa_auth = KERNEL_AUTH_HMAC_SHA2_256;
	sa->sa_auth_key = key;
	sa->sa_auth_keylen = 32;
	/* Gone after 2 s even if we die before the delete. */
	sa->sa_lifetime.lt_hard_seconds = 2;
}

int
kernel_xfrm_probe(void)
{
	struct xfrm_nl		 xn;
	struct kernel_sa	 sa;
	uint8_t			 buf[XFRM_BUF_LEN], key[32];
	struct nlmsghdr		*nlh;
	char			 err[256];
	int			 ok = 0;

	memset(key, 0, sizeof(key));
	if (xfrm_nl_open(&xn, 0) != 0) {
		log_info("kernel IPsec: no XFRM netlink (%s)",
		    strerror(errno));
		return (0);
	}
	kernel_xfrm_probe_sa(&sa, key);
	nlh = xfrm_nl_header(buf, XFRM_MSG_NEWSA, 0);
	if (xfrm_msg_sa(nlh, &sa) == 0 &&
	    (xfrm_nl_request(&xn, nlh, NULL, NULL) == 0 ||
	    xn.xn_errno == EEXIST)) {
		ok = 1;
		nlh = xfrm_nl_header(buf, XFRM_MSG_DELSA, 0);
		xfrm_msg_sa_id(nlh, &sa.sa_id);
		(void)xfrm_nl_request(&xn, nlh, NULL, NULL);
		log_info("kernel IPsec: the kernel accepts ESP SAs");
	} else {
		log_info("kernel IPsec: the kernel rejects ESP SAs: %s",
		    xfrm_nl_error(&xn, err, sizeof(err)));
	}
	xfrm_nl_close(&xn);
	return (ok);
}

const struct kernel_ops kernel_xfrm_ops = {
	.ko_name = "xfrm",
	.ko_open = kernel_xfrm_open,
	.ko_close = kernel_xfrm_close,
	.ko_get_spi = xfrm_sa_get_spi,
	.ko_add_sa = xfrm_sa_add,
	.ko_update_sa = xfrm_sa_update,
	.ko_delete_sa = xfrm_sa_delete,
	.ko_query_sa = xfrm_sa_query,
	.ko_add_policy = xfrm_pol_add,
	.ko_delete_policy = xfrm_pol_delete,
	.ko_flush = kernel_xfrm_flush,
	.ko_bypass_socket = kernel_xfrm_bypass_socket,
	.ko_enable_udp_decap = kernel_xfrm_enable_udp_decap,
	.ko_esp_udp_input = kernel_xfrm_esp_udp_input,
};
