/*
 * The IPsec policy of ipsecinit.conf, loaded into the SA backend as
 * ipsecconf(8) loads it on Solaris.  The first packet that matches an
 * "ipsec" entry without an SA makes the backend report an acquire, and
 * the acquire starts the negotiation.  "bypass" and "pass" entries let
 * traffic through in the clear, and "drop" entries discard it.
 *
 * The policies carry the numbers the engine uses for the IPsec SAs it
 * negotiates for entry i in match order: reqid i + 1, index i, priority
 * 1000 + i.  Bypass entries get priority i, so that they match first as
 * on Solaris.  When the engine later adds the same policy for an SA, the
 * backend reports it as existing and the one installed here stays.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "daemon/daemon.h"
#include "kernel/kernel.h"
#include "lib/err.h"
#include "lib/log.h"

#define POLICY_PRIO_BYPASS	0
#define POLICY_PRIO_IPSEC	1000


static void
policy_sockaddr(struct sockaddr_storage *ss, const struct config_ip *ip,
    uint16_t port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (ip->family == AF_INET) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, ip->addr, 4);
		sin->sin_port = htons(port);
	} else {
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, ip->addr, 16);
		sin6->sin6_port = htons(port);
	}
}

static uint8_t
policy_host_plen(int family)
{
	return (family == AF_INET ? 32 : 128);
}

/*
 * The prefix of an address pattern; an unset pattern is the whole
 * family.  Returns ERR_UNSUPPORTED for a range that is not one prefix.
 */
static int
policy_prefix(int set, const struct config_range *r, int family,
    struct config_ip *ip, uint8_t *plen)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = family;
	*plen = 0;
	if (!set)
		return (0);
	*ip = r->lo;
	if (r->kind == CONFIG_RANGE_PREFIX)
		*plen = r->plen;
	else if (r->kind == CONFIG_RANGE_SINGLE)
		*plen = policy_host_plen(family);
	else
		return (ERR_UNSUPPORTED);
	return (0);
}

static uint16_t
policy_port(const struct config_spd_num *n)
{
	return (n->sn_set ? n->sn_lo : 0);
}

/* Selector of e in family, for outbound or for inbound traffic. */
static int
policy_selector(const struct config_spd *e, int family, int outbound,
    struct kernel_selector *sel)
{
	struct config_ip	 lip, rip;
	uint8_t			 lplen, rplen;
	int			 rc;

	if ((rc = policy_prefix(e->sd_laddr_set, &e->sd_laddr, family, &lip,
	    &lplen)) != 0 ||
	    (rc = policy_prefix(e->sd_raddr_set, &e->sd_raddr, family, &rip,
	    &rplen)) != 0)
		return (rc);
	memset(sel, 0, sizeof(*sel));
	if (outbound) {
		policy_sockaddr(&sel->sel_src, &lip, policy_port(&e->sd_lport));
		policy_sockaddr(&sel->sel_dst, &rip, policy_port(&e->sd_rport));
		sel->sel_src_prefix = lplen;
		sel->sel_dst_prefix = rplen;
	} else {
		policy_sockaddr(&sel->sel_src, &rip, policy_port(&e->sd_rport));
		policy_sockaddr(&sel->sel_dst, &lip, policy_port(&e->sd_lport));
		sel->sel_src_prefix = rplen;
		sel->sel_dst_prefix = lplen;
	}
	sel->sel_proto = e->sd_ulp.sn_set ? (uint8_t)e->sd_ulp.sn_lo : 0;
	return (0);
}

/* Why an entry cannot become kernel policies, or NULL when it can. */
static const char *
policy_unsupported(const struct config_spd *e)
{
	const struct config_spd_num	*ports[] = { &e->sd_lport,
					    &e->sd_rport, &e->sd_ulp };
	size_t				 i;

	for (i = 0; i < 3; i++)
		if (ports[i]->sn_set && ports[i]->sn_lo != ports[i]->sn_hi)
			return ("port or protocol ranges");
	if (e->sd_icmp_type.sn_set || e->sd_icmp_code.sn_set)
		return ("ICMP type or code patterns");
	if ((e->sd_laddr_set && e->sd_laddr.kind == CONFIG_RANGE_RANGE) ||
	    (e->sd_raddr_set && e->sd_raddr.kind == CONFIG_RANGE_RANGE))
		return ("address ranges that are not one prefix");
	return (NULL);
}

static enum kernel_action
policy_action(int action)
{
	switch (action) {
	case CONFIG_SPD_BYPASS:
	case CONFIG_SPD_PASS:
		return (KERNEL_ACTION_BYPASS);
	case CONFIG_SPD_DROP:
		return (KERNEL_ACTION_DROP);
	}
	return (KERNEL_ACTION_IPSEC);
}

/* Which directions entry e covers: bit 0 out, bit 1 in. */
static int
policy_dirs(const struct config_spd *e)
{
	int	dir = e->sd_dir;

	if (e->sd_nalts > 0 && e->sd_alts[0].sp_action == CONFIG_SPD_APPLY)
		dir = CONFIG_DIR_OUT;
	else if (e->sd_nalts > 0 &&
	    e->sd_alts[0].sp_action == CONFIG_SPD_PERMIT)
		dir = CONFIG_DIR_IN;
	if (dir == 0)
		dir = CONFIG_DIR_BOTH;
	return ((dir & CONFIG_DIR_OUT ? 1 : 0) | (dir & CONFIG_DIR_IN ? 2 : 0));
}

static int
policy_add(struct policy_set *ps, const struct kernel_policy *pol)
{
	struct kernel_policy	*np;

	np = reallocarray(ps->ps_pols, ps->ps_n + 1, sizeof(*np));
	if (np == NULL)
		return (ERR_NOMEM);
	np[ps->ps_n++] = *pol;
	ps->ps_pols = np;
	return (0);
}

/* The family of an entry, or 0 when it names no address. */
static int
policy_family(const struct config_spd *e)
{
	if (e->sd_tunnel)
		return (e->sd_tsrc.family);
	if (e->sd_laddr_set)
		return (e->sd_laddr.lo.family);
	if (e->sd_raddr_set)
		return (e->sd_raddr.lo.family);
	return (0);
}

static void
policy_tunnel(const struct config_spd *e, int outbound,
    struct kernel_policy *pol)
{
	struct config_ip	tdst = e->sd_tdst.lo;

	pol->pol_mode = KERNEL_MODE_TUNNEL;
	if (outbound) {
		policy_sockaddr(&pol->pol_tun_src, &e->sd_tsrc, 0);
		policy_sockaddr(&pol->pol_tun_dst, &tdst, 0);
	} else {
		policy_sockaddr(&pol->pol_tun_src, &tdst, 0);
		policy_sockaddr(&pol->pol_tun_dst, &e->sd_tsrc, 0);
	}
}

/* The kernel policies of entry idx in one family. */
static int
policy_entry_family(struct policy_set *ps, const struct config_spd *e,
    size_t idx, int family)
{
	static const enum kernel_dir	 kdirs[] = { KERNEL_DIR_OUT,
					    KERNEL_DIR_IN, KERNEL_DIR_FWD };
	struct kernel_policy		 pol;
	size_t				 i;
	int				 dirs = policy_dirs(e), out, rc;

	for (i = 0; i < 3; i++) {
		out = kdirs[i] == KERNEL_DIR_OUT;
		if ((out && !(dirs & 1)) || (!out && !(dirs & 2)))
			continue;
		if (kdirs[i] == KERNEL_DIR_FWD && !e->sd_tunnel)
			continue;
		memset(&pol, 0, sizeof(pol));
		pol.pol_dir = kdirs[i];
		if ((rc = policy_selector(e, family, out, &pol.pol_sel)) != 0)
			return (rc);
		pol.pol_action = policy_action(e->sd_alts[0].sp_action);
		pol.pol_proto = KERNEL_PROTO_ESP;
		pol.pol_mode = KERNEL_MODE_TRANSPORT;
		if (e->sd_tunnel && pol.pol_action == KERNEL_ACTION_IPSEC)
			policy_tunnel(e, out, &pol);
		pol.pol_reqid = (uint32_t)idx + 1;
		pol.pol_index = (uint32_t)idx;
		pol.pol_priority = (uint32_t)idx +
		    (pol.pol_action == KERNEL_ACTION_BYPASS ?
		    POLICY_PRIO_BYPASS : POLICY_PRIO_IPSEC);
		if ((rc = policy_add(ps, &pol)) != 0)
			return (rc);
	}
	return (0);
}

static int
policy_entry(struct policy_set *ps, const struct config_spd *e, size_t idx)
{
	const char	*why;
	int		 family, rc;

	if (e->sd_nalts == 0)
		return (0);
	if ((why = policy_unsupported(e)) != NULL) {
		log_warn("%s:%u: policy entry not loaded: the SA backend does "
		    "not support %s", e->sd_where.cw_file, e->sd_where.cw_line,
		    why);
		return (0);
	}
	/* Responder-only tunnels (tdst a prefix) get policies per SA. */
	if (e->sd_tunnel && e->sd_tdst.kind != CONFIG_RANGE_SINGLE)
		return (0);
	if ((family = policy_family(e)) != 0)
		return (policy_entry_family(ps, e, idx, family));
	if ((rc = policy_entry_family(ps, e, idx, AF_INET)) != 0)
		return (rc);
	return (policy_entry_family(ps, e, idx, AF_INET6));
}

static int
policy_build(const struct config *cf, struct policy_set *ps)
{
	size_t	i;
	int	rc;

	memset(ps, 0, sizeof(*ps));
	for (i = 0; i < cf->cf_nspds; i++)
		if ((rc = policy_entry(ps, &cf->cf_spds[i], i)) != 0)
			return (rc);
	return (0);
}

static int
policy_eq(const struct kernel_policy *a, const struct kernel_policy *b)
{
	return (memcmp(a, b, sizeof(*a)) == 0);
}

static int
policy_in(const struct policy_set *ps, const struct kernel_policy *pol)
{
	size_t	i;

	for (i = 0; i < ps->ps_n; i++)
		if (policy_eq(&ps->ps_pols[i], pol))
			return (1);
	return (0);
}

/*
 * Load the policy of cf: policies no longer in the file are removed,
 * new ones added, unchanged ones left alone so that traffic keeps
 * flowing across a reload.
 */
int
policy_sync(struct daemon *d, const struct config *cf)
{
	struct policy_set	 now, *old = &d->d_policies;
	size_t			 i, failed = 0;
	int			 rc;

	if ((rc = policy_build(cf, &now)) != 0) {
		free(now.ps_pols);
		return (rc);
	}
	for (i = 0; i < old->ps_n; i++)
		if (!policy_in(&now, &old->ps_pols[i]))
			(void)kernel_delete_policy(d->d_kernel,
			    &old->ps_pols[i]);
	for (i = 0; i < now.ps_n; i++) {
		if (policy_in(old, &now.ps_pols[i]))
			continue;
		rc = kernel_add_policy(d->d_kernel, &now.ps_pols[i]);
		if (rc != 0 && rc != ERR_EXISTS) {
			failed++;
			log_err("loading the policy of %s entry %zu failed: %s",
			    d->d_ipsecinit_path,
			    (size_t)now.ps_pols[i].pol_index + 1, err_str(rc));
		}
	}
	free(old->ps_pols);
	*old = now;
	log_info("IPsec policy: %zu kernel polic%s from %zu entr%s of %s",
	    now.ps_n, now.ps_n == 1 ? "y" : "ies", cf->cf_nspds,
	    cf->cf_nspds == 1 ? "y" : "ies", d->d_ipsecinit_path);
	return (failed > 0 ? ERR_SYSTEM : 0);
}

void
policy_free(struct daemon *d)
{
	free(d->d_policies.ps_pols);
	memset(&d->d_policies, 0, sizeof(d->d_policies));
}
