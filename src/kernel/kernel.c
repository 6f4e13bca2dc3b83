/*
 * The kernel SA interface: argument checks and dispatch to the backend's
 * ops table, plus helpers that every backend uses.
 */
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_int.h"
#include "kernel/xfrm/kernel_xfrm.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/util.h"

static const struct {
	enum kernel_backend	 kb_backend;
	const char		*kb_name;
} kernel_backends[] = {
	{ KERNEL_BACKEND_NONE, "none" },
	{ KERNEL_BACKEND_USERSPACE, "userspace" },
	{ KERNEL_BACKEND_XFRM, "xfrm" },
};

const char *
kernel_backend_name(enum kernel_backend backend)
{
	size_t	i;

	for (i = 0; i < UTIL_NELEM(kernel_backends); i++) {
		if (kernel_backends[i].kb_backend == backend)
			return (kernel_backends[i].kb_name);
	}
	return ("unknown");
}

int
kernel_backend_parse(const char *name, enum kernel_backend *backend)
{
	size_t	i;

	for (i = 0; i < UTIL_NELEM(kernel_backends); i++) {
		if (strcmp(kernel_backends[i].kb_name, name) == 0) {
			*backend = kernel_backends[i].kb_backend;
			return (0);
		}
	}
	return (ERR_INVAL);
}

/* The probe adds and deletes a short-lived ESP SA, and logs the result. */
enum kernel_backend
kernel_backend_default(void)
{
	return (kernel_xfrm_probe() ? KERNEL_BACKEND_XFRM :
	    KERNEL_BACKEND_USERSPACE);
}

static const struct kernel_ops *
kernel_find_ops(enum kernel_backend backend)
{
	switch (backend) {
	case KERNEL_BACKEND_NONE:
		return (&kernel_none_ops);
	case KERNEL_BACKEND_USERSPACE:
		return (&kernel_user_ops);
	case KERNEL_BACKEND_XFRM:
		return (&kernel_xfrm_ops);
	default:
		return (NULL);
	}
}

static int
kernel_set_options(struct kernel *k, const struct kernel_options *opts)
{
	const char	*tun = KERNEL_DEFAULT_TUN;

	k->k_route_table = KERNEL_DEFAULT_TABLE;
	k->k_fwmark = KERNEL_DEFAULT_FWMARK;
	k->k_rule_priority = KERNEL_DEFAULT_RULE;
	if (opts != NULL) {
		if (opts->ko_tun_name != NULL)
			tun = opts->ko_tun_name;
		if (opts->ko_route_table != 0)
			k->k_route_table = opts->ko_route_table;
		if (opts->ko_fwmark != 0)
			k->k_fwmark = opts->ko_fwmark;
		if (opts->ko_rule_priority != 0)
			k->k_rule_priority = opts->ko_rule_priority;
	}
	if (strlen(tun) == 0 || strlen(tun) >= sizeof(k->k_tun_name)) {
		log_err("TUN device name \"%s\" is invalid: use 1 to %zu "
		    "characters", tun, sizeof(k->k_tun_name) - 1);
		return (ERR_INVAL);
	}
	snprintf(k->k_tun_name, sizeof(k->k_tun_name), "%s", tun);
	return (0);
}

int
kernel_open(struct kernel **out, enum kernel_backend backend,
    struct event_base *base, const struct kernel_callbacks *cb, void *arg,
    const struct kernel_options *opts)
{
	const struct kernel_ops	*ops;
	struct kernel		*k = NULL;
	int			 r;

	*out = NULL;
	if ((ops = kernel_find_ops(backend)) == NULL) {
		log_err("kernel backend %s is not implemented: use -B "
		    "userspace or -B none", kernel_backend_name(backend));
		return (ERR_UNSUPPORTED);
	}
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return (ERR_NOMEM);
	k->k_ops = ops;
	k->k_backend = backend;
	k->k_base = base;
	if (cb != NULL)
		k->k_cb = *cb;
	k->k_arg = arg;
	if ((r = kernel_set_options(k, opts)) != 0)
		goto out;
	if ((r = ops->ko_open(k)) != 0)
		goto out;
	log_debug(D_PFKEY, "kernel backend %s opened", ops->ko_name);
	*out = k;
	k = NULL;
out:
	free(k);
	return (r);
}

void
kernel_close(struct kernel *k)
{
	if (k == NULL)
		return;
	k->k_ops->ko_close(k);
	log_debug(D_PFKEY, "kernel backend %s closed", k->k_ops->ko_name);
	free(k);
}

void
kernel_started(struct kernel *k)
{
	if (k != NULL && k->k_ops->ko_started != NULL)
		k->k_ops->ko_started(k);
}

int
kernel_get_spi(struct kernel *k, const struct sockaddr *src,
    const struct sockaddr *dst, uint8_t proto, uint32_t reqid, uint32_t *spi)
{
	return (k->k_ops->ko_get_spi(k, src, dst, proto, reqid, spi));
}

static int
kernel_check_sa(const struct kernel_sa *sa)
{
	if (sa->sa_dir != KERNEL_DIR_IN && sa->sa_dir != KERNEL_DIR_OUT)
		return (ERR_INVAL);
	if (sa->sa_id.id_proto != KERNEL_PROTO_ESP)
		return (ERR_UNSUPPORTED);
	/* SPIs 1 to 255 are reserved by IANA (RFC 4303 2.1). */
	if (sa->sa_id.id_spi < 256)
		return (ERR_INVAL);
	if (sa->sa_encr_keylen > KERNEL_KEY_MAX ||
	    sa->sa_auth_keylen > KERNEL_KEY_MAX)
		return (ERR_INVAL);
	if (sa->sa_id.id_src.ss_family != sa->sa_id.id_dst.ss_family)
		return (ERR_INVAL);
	if (sa->sa_id.id_dst.ss_family != AF_INET &&
	    sa->sa_id.id_dst.ss_family != AF_INET6)
		return (ERR_INVAL);
	return (0);
}

int
kernel_add_sa(struct kernel *k, const struct kernel_sa *sa)
{
	char	dst[INET6_ADDRSTRLEN];
	int	r;

	if ((r = kernel_check_sa(sa)) != 0) {
		log_warn("SA with SPI 0x%08x to %s rejected: %s",
		    sa->sa_id.id_spi,
		    kernel_addr_str(&sa->sa_id.id_dst, dst, sizeof(dst)),
		    err_str(r));
		return (r);
	}
	return (k->k_ops->ko_add_sa(k, sa));
}

int
kernel_update_sa(struct kernel *k, const struct kernel_sa_update *su)
{
	return (k->k_ops->ko_update_sa(k, su));
}

int
kernel_delete_sa(struct kernel *k, const struct kernel_sa_id *id)
{
	return (k->k_ops->ko_delete_sa(k, id));
}

int
kernel_query_sa(struct kernel *k, const struct kernel_sa_id *id,
    struct kernel_sa_stats *st)
{
	memset(st, 0, sizeof(*st));
	return (k->k_ops->ko_query_sa(k, id, st));
}

int
kernel_add_policy(struct kernel *k, const struct kernel_policy *pol)
{
	int	fam = pol->pol_sel.sel_src.ss_family;

	if ((fam != AF_INET && fam != AF_INET6) ||
	    pol->pol_sel.sel_dst.ss_family != fam)
		return (ERR_INVAL);
	if (pol->pol_sel.sel_src_prefix > (fam == AF_INET ? 32 : 128) ||
	    pol->pol_sel.sel_dst_prefix > (fam == AF_INET ? 32 : 128))
		return (ERR_INVAL);
	if (pol->pol_action == KERNEL_ACTION_IPSEC &&
	    pol->pol_mode == KERNEL_MODE_TUNNEL &&
	    pol->pol_tun_src.ss_family != pol->pol_tun_dst.ss_family)
		return (ERR_INVAL);
	return (k->k_ops->ko_add_policy(k, pol));
}

int
kernel_delete_policy(struct kernel *k, const struct kernel_policy *pol)
{
	return (k->k_ops->ko_delete_policy(k, pol));
}

int
kernel_flush(struct kernel *k)
{
	return (k->k_ops->ko_flush(k));
}

int
kernel_bypass_socket(struct kernel *k, int fd, int family)
{
	return (k->k_ops->ko_bypass_socket(k, fd, family));
}

int
kernel_enable_udp_decap(struct kernel *k, int fd, int family, uint16_t port)
{
	return (k->k_ops->ko_enable_udp_decap(k, fd, family, port));
}

void
kernel_esp_udp_input(struct kernel *k, const struct sockaddr *local,
    const struct sockaddr *remote, const uint8_t *pkt, size_t len)
{
	k->k_ops->ko_esp_udp_input(k, local, remote, pkt, len);
}

int
kernel_sa_rec_init(struct kernel_sa_rec *rec, const struct kernel_sa *sa)
{
	if (sa->sa_encr_keylen > sizeof(rec->r_encr_key) ||
	    sa->sa_auth_keylen > sizeof(rec->r_auth_key))
		return (ERR_INVAL);
	memset(rec, 0, sizeof(*rec));
	rec->r_sa = *sa;
	if (sa->sa_encr_keylen > 0)
		memcpy(rec->r_encr_key, sa->sa_encr_key, sa->sa_encr_keylen);
	if (sa->sa_auth_keylen > 0)
		memcpy(rec->r_auth_key, sa->sa_auth_key, sa->sa_auth_keylen);
	rec->r_sa.sa_encr_key = rec->r_encr_key;
	rec->r_sa.sa_auth_key = rec->r_auth_key;
	return (0);
}

void
kernel_sa_rec_wipe(struct kernel_sa_rec *rec)
{
	util_wipe(rec->r_encr_key, sizeof(rec->r_encr_key));
	util_wipe(rec->r_auth_key, sizeof(rec->r_auth_key));
}

/* Compares addresses only; ports are ignored. */
int
kernel_addr_equal(const struct sockaddr_storage *a,
    const struct sockaddr_storage *b)
{
	const struct sockaddr_in	*a4, *b4;
	const struct sockaddr_in6	*a6, *b6;

	if (a->ss_family != b->ss_family)
		return (0);
	if (a->ss_family == AF_INET) {
		a4 = (const struct sockaddr_in *)a;
		b4 = (const struct sockaddr_in *)b;
		return (a4->sin_addr.s_addr == b4->sin_addr.s_addr);
	}
	if (a->ss_family == AF_INET6) {
		a6 = (const struct sockaddr_in6 *)a;
		b6 = (const struct sockaddr_in6 *)b;
		return (memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0);
	}
	return (0);
}

/* SAs are keyed by SPI, protocol and destination address, as in XFRM. */
int
kernel_sa_id_match(const struct kernel_sa_id *a, const struct kernel_sa_id *b)
{
	return (a->id_spi == b->id_spi && a->id_proto == b->id_proto &&
	    kernel_addr_equal(&a->id_dst, &b->id_dst));
}

static uint16_t
kernel_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return (((const struct sockaddr_in6 *)ss)->sin6_port);
	return (0);
}

int
kernel_selector_equal(const struct kernel_selector *a,
    const struct kernel_selector *b)
{
	return (kernel_addr_equal(&a->sel_src, &b->sel_src) &&
	    kernel_addr_equal(&a->sel_dst, &b->sel_dst) &&
	    kernel_port(&a->sel_src) == kernel_port(&b->sel_src) &&
	    kernel_port(&a->sel_dst) == kernel_port(&b->sel_dst) &&
	    a->sel_src_prefix == b->sel_src_prefix &&
	    a->sel_dst_prefix == b->sel_dst_prefix &&
	    a->sel_proto == b->sel_proto);
}

const char *
kernel_addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const void	*addr = NULL;

	if (ss->ss_family == AF_INET)
		addr = &((const struct sockaddr_in *)ss)->sin_addr;
	else if (ss->ss_family == AF_INET6)
		addr = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	if (addr == NULL || inet_ntop(ss->ss_family, addr, buf, len) == NULL)
		snprintf(buf, len, "(none)");
	return (buf);
}
