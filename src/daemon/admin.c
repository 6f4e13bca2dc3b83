/*
 * The daemon's side of the ikeadm control socket ROOT/var/run/ike_door.
 * These control_ops callbacks read the debug mask, privilege level,
 * counters, defaults, Phase 1 SAs, rules, preshared keys and
 * certificates, and delete Phase 1 SAs.  The ones that change the
 * configuration (read, add, del and write of rules and preshared keys)
 * call edit.c.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config/addr.h"
#include "config/config.h"
#include "control/control.h"
#include "control/server.h"
#include "daemon/daemon.h"
#include "daemon/udp.h"
#include "ike/ike.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/util.h"

static uint32_t
admin_get_debug(void *arg)
{
	return (log_get_debug());
}

/* The server closes fd after the call, so the log keeps a duplicate. */
static int
admin_set_debug(void *arg, uint32_t level, int fd)
{
	int	nfd;

	if (fd >= 0) {
		if ((nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3)) < 0)
			return (ERR_SYSTEM);
		if (log_set_debug_fd(nfd) != 0)
			return (ERR_SYSTEM);
	}
	log_set_debug(level);
	log_info("ikeadm set the debug mask to 0x%x", level);
	return (0);
}

static uint32_t
admin_get_priv(void *arg)
{
	struct daemon	*d = arg;

	return (d->d_priv);
}

static int
admin_set_priv(void *arg, uint32_t level)
{
	struct daemon	*d = arg;

	d->d_priv = level;
	log_info("ikeadm set the privilege level to %u", level);
	return (0);
}

static int
admin_get_stats(void *arg, struct control_stats *cs)
{
	struct daemon		*d = arg;
	struct ike_stats	 st;

	memset(&st, 0, sizeof(st));
	ike_engine_get_stats(d->d_engine, &st);
	cs->cur_init = st.st_p1_current_init;
	cs->cur_resp = st.st_p1_current_resp;
	cs->total_init = st.st_p1_total_init;
	cs->total_resp = st.st_p1_total_resp;
	cs->att_init = st.st_p1_attempt_init;
	cs->att_resp = st.st_p1_attempt_resp;
	/* The engine counts time-outs among the failures. */
	cs->fail_init_noresp = st.st_p1_timeout_init;
	cs->fail_init = st.st_p1_fail_init - st.st_p1_timeout_init;
	cs->fail_resp = st.st_p1_fail_resp;
	/* in.iked loads no PKCS#11 library, so pkcs11_path is not shown. */
	return (0);
}

static void
admin_defaults_builtin(struct control_defaults *b)
{
	b->p1_lifetime_secs = CONFIG_DEF_P1_LIFETIME;
	b->p1_min_lifetime_secs = CONFIG_MIN_P1_LIFETIME;
	b->p1_nonce_len = CONFIG_DEF_NONCE_LEN;
	b->p2_nonce_len = CONFIG_DEF_NONCE_LEN;
	b->p2_lifetime_secs = CONFIG_DEF_P2_LIFETIME;
	b->p2_softlife_secs = CONFIG_DEF_P2_SOFTLIFE;
	b->sys_p2_lifetime_secs = CONFIG_DEF_P2_LIFETIME;
	b->sys_p2_softlife_secs = CONFIG_DEF_P2_SOFTLIFE;
	b->p2_min_lifetime_secs = CONFIG_MIN_P2_LIFETIME;
	b->ike_port = UDP_PORT_IKE;
	b->natt_port = UDP_PORT_NATT;
}

static int
admin_get_defaults(void *arg, struct control_defaults *builtin,
    struct control_defaults *eff)
{
	struct daemon			*d = arg;
	const struct config_globals	*g;

	admin_defaults_builtin(builtin);
	*eff = *builtin;
	if (d->d_config == NULL)
		return (0);
	g = &d->d_config->cf_globals;
	eff->p1_lifetime_secs = g->cg_p1_lifetime_secs.val;
	eff->p1_nonce_len = g->cg_p1_nonce_len.val;
	eff->p2_nonce_len = g->cg_p2_nonce_len.val;
	eff->p2_lifetime_secs = g->cg_p2.p2_lifetime_secs.val;
	eff->p2_softlife_secs = g->cg_p2.p2_softlife_secs.val;
	eff->p2_idletime_secs = g->cg_p2.p2_idletime_secs.val;
	eff->p2_lifetime_kb = g->cg_p2.p2_lifetime_kb.val;
	eff->p2_softlife_kb = g->cg_p2.p2_softlife_kb.val;
	eff->p2_pfs = g->cg_p2.p2_pfs.val;
	return (0);
}

static void
admin_addr_from_sockaddr(struct control_addr *ca,
    const struct sockaddr_storage *ss)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)ss;

	memset(ca, 0, sizeof(*ca));
	if (ss->ss_family == AF_INET) {
		ca->family = AF_INET;
		ca->port = ntohs(sin->sin_port);
		memcpy(ca->addr, &sin->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		ca->family = AF_INET6;
		ca->port = ntohs(sin6->sin6_port);
		memcpy(ca->addr, &sin6->sin6_addr, 16);
	}
}

static int
admin_addr_eq(const struct control_addr *ca,
    const struct sockaddr_storage *ss)
{
	struct control_addr	tmp;

	admin_addr_from_sockaddr(&tmp, ss);
	return (ca->family == tmp.family &&
	    memcmp(ca->addr, tmp.addr, sizeof(tmp.addr)) == 0);
}

static uint64_t
admin_cookie(const uint8_t c[8])
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | c[i];
	return (v);
}

static uint8_t
admin_p1_state(const char *s)
{
	if (s == NULL)
		return (CONTROL_P1_INIT);
	if (strcmp(s, "ACTIVE") == 0)
		return (CONTROL_P1_ACTIVE);
	if (strcmp(s, "SENT FIRST MSG (SA)") == 0 ||
	    strcmp(s, "SENT FIRST MSG") == 0)
		return (CONTROL_P1_SENT_SA);
	if (strcmp(s, "SENT SECOND MSG (KE)") == 0 ||
	    strcmp(s, "SENT SECOND MSG") == 0)
		return (CONTROL_P1_SENT_KE);
	if (strcmp(s, "SENT FINAL MSG") == 0)
		return (CONTROL_P1_SENT_FINAL);
	if (strcmp(s, "DELETED") == 0)
		return (CONTROL_P1_DELETED);
	return (CONTROL_P1_INIT);
}

/* Engine clock (monotonic ms) to unix time. */
static int64_t
admin_unix_time(uint64_t ms)
{
	uint64_t	now = daemon_now_ms();

	if (ms == 0)
		return (0);
	if (ms >= now)
		return ((int64_t)time(NULL) + (int64_t)((ms - now) / 1000));
	return ((int64_t)time(NULL) - (int64_t)((now - ms) / 1000));
}

/* An address identity (the preshared-key case) as ikeadm prints it. */
static void
admin_ident_addr(struct control_ident *id, const struct sockaddr_storage *ss)
{
	char	buf[UDP_ADDRSTRLEN];

	memset(id, 0, sizeof(*id));
	if (ss->ss_family != AF_INET && ss->ss_family != AF_INET6)
		return;
	id->type = ss->ss_family == AF_INET ? CONTROL_IDT_IPV4 :
	    CONTROL_IDT_IPV6;
	(void)udp_addr_str((const struct sockaddr *)ss, buf, sizeof(buf));
	buf[strcspn(buf, "[")] = '\0';
	(void)snprintf(id->value, sizeof(id->value), "%s", buf);
}

/*
 * The preshared key configured for the SA's addresses; the server sends
 * it only at the keymat privilege level.
 */
static void
admin_p1_psk(struct control_key *k, const struct config *cf,
    const struct ike_p1_info *pi)
{
	const struct config_psk	*p;
	struct config_ip	 lip, rip;
	size_t			 n;

	if (cf == NULL || config_ip_from_sockaddr(&lip, &pi->pi_local) != 0 ||
	    config_ip_from_sockaddr(&rip, &pi->pi_remote) != 0 ||
	    (p = config_psk_find_addr(cf, &lip, &rip)) == NULL)
		return;
	n = p->ps_key.wb_len;
	if (n > sizeof(k->bytes))
		n = sizeof(k->bytes);
	memcpy(k->bytes, p->ps_key.wb_data, n);
	k->len = (uint16_t)n;
}

static void
admin_p1_fill(struct control_p1_info *ci, const struct config *cf,
    const struct ike_p1_info *pi)
{
	const struct config_rule	*r = NULL;

	memset(ci, 0, sizeof(*ci));
	ci->icookie = admin_cookie(pi->pi_icookie);
	ci->rcookie = admin_cookie(pi->pi_rcookie);
	ci->initiator = pi->pi_initiator ? 1 : 0;
	ci->xchg = CONTROL_XCHG_MAIN;
	ci->state = admin_p1_state(pi->pi_state);
	ci->dpd = pi->pi_peer_dpd ? CONTROL_DPD_ENABLED : CONTROL_DPD_NONE;
	ci->xform.auth_method = (uint16_t)pi->pi_auth;
	ci->xform.encr = (uint16_t)pi->pi_encr;
	ci->xform.encr_klen = (uint16_t)pi->pi_keybits;
	ci->xform.hash = (uint16_t)pi->pi_hash;
	ci->xform.group = (uint16_t)pi->pi_group;
	ci->xform.lifetime_secs = pi->pi_life_secs;
	ci->lifetime_secs = pi->pi_life_secs;
	ci->lifetime_kb = pi->pi_life_kb;
	/* Units of 1000 bytes, as ike_life_p1_count() counts the limit. */
	ci->kb_used = pi->pi_bytes / 1000 > UINT32_MAX ? UINT32_MAX :
	    (uint32_t)(pi->pi_bytes / 1000);
	/* Each Quick Mode derives its keys from this SA's SKEYID_d. */
	ci->keyuses = pi->pi_qm_created;
	admin_addr_from_sockaddr(&ci->local, &pi->pi_local);
	admin_addr_from_sockaddr(&ci->remote, &pi->pi_remote);
	ci->created = admin_unix_time(pi->pi_created_ms);
	ci->expires = admin_unix_time(pi->pi_expire_ms);
	ci->p2_created = pi->pi_qm_created;
	ci->p2_deleted = pi->pi_qm_deleted;
	ci->rx_decrypt_errs = pi->pi_rx_decrypt_errs;
	ci->rx_hash_errs = pi->pi_rx_hash_errs;
	/* NOTE: rx_other_errs and tx_errs are not counted yet and stay 0. */
	if (ci->xform.auth_method == CONFIG_AUTH_PRESHARED) {
		admin_ident_addr(&ci->local_id, &pi->pi_local);
		admin_ident_addr(&ci->remote_id, &pi->pi_remote);
		admin_p1_psk(&ci->psk, cf, pi);
	} else {
		/* Signature methods: the identities sent, a DN as text. */
		ci->local_id.type = (uint16_t)pi->pi_local_idtype;
		(void)snprintf(ci->local_id.value, sizeof(ci->local_id.value),
		    "%s", pi->pi_local_id != NULL ? pi->pi_local_id : "");
		ci->remote_id.type = (uint16_t)pi->pi_remote_idtype;
		(void)snprintf(ci->remote_id.value,
		    sizeof(ci->remote_id.value), "%s",
		    pi->pi_remote_id != NULL ? pi->pi_remote_id : "");
	}
	if (cf != NULL && pi->pi_label != NULL)
		r = config_rule_find_label(cf, pi->pi_label);
	if (r != NULL)
		ci->p2_pfs = (uint16_t)r->cr_p2.p2_pfs.val;
}

/* A walk over the engine's ISAKMP SAs for one id. */
struct admin_p1_walk {
	const struct control_id		*aw_id;		/* wanted SA */
	int				 aw_found;
	const struct config		*aw_config;
	struct control_p1_info		*aw_out;
};

static int
admin_p1_matches(const struct control_id *id, const struct ike_p1_info *pi)
{
	/* A deleted SA stays listed until it is freed: only dump shows it. */
	if (admin_p1_state(pi->pi_state) == CONTROL_P1_DELETED)
		return (0);
	if (id->kind == CONTROL_ID_COOKIES)
		return (id->icookie == admin_cookie(pi->pi_icookie) &&
		    (id->rcookie == 0 ||
		    id->rcookie == admin_cookie(pi->pi_rcookie)));
	if (id->kind == CONTROL_ID_ADDRS)
		return (admin_addr_eq(&id->local, &pi->pi_local) &&
		    admin_addr_eq(&id->remote, &pi->pi_remote));
	return (0);
}

static int
admin_p1_visit(void *arg, const struct ike_p1_info *pi)
{
	struct admin_p1_walk	*w = arg;

	if (!admin_p1_matches(w->aw_id, pi))
		return (0);
	admin_p1_fill(w->aw_out, w->aw_config, pi);
	w->aw_found = 1;
	return (1);
}

static void
admin_key_copy(struct control_key *k, const struct ike_key_view *kv)
{
	size_t	n = kv->kv_len;

	if (n > sizeof(k->bytes))
		n = sizeof(k->bytes);
	if (n > 0)
		memcpy(k->bytes, kv->kv_data, n);
	k->len = (uint16_t)n;
}

static int
admin_p1_keys_copy(void *arg, const struct ike_p1_keys *keys)
{
	struct control_p1_info	*ci = arg;

	admin_key_copy(&ci->skeyid, &keys->pk_skeyid);
	admin_key_copy(&ci->skeyid_d, &keys->pk_skeyid_d);
	admin_key_copy(&ci->skeyid_a, &keys->pk_skeyid_a);
	admin_key_copy(&ci->skeyid_e, &keys->pk_skeyid_e);
	admin_key_copy(&ci->enc_key, &keys->pk_enc_key);
	admin_key_copy(&ci->iv, &keys->pk_iv);
	return (0);
}

/*
 * The keys of an established SA; the server sends them only at the
 * keymat privilege level.  An SA still in Main Mode has none.
 */
static void
admin_p1_keys(struct daemon *d, struct control_p1_info *ci)
{
	uint8_t	icookie[8], rcookie[8];
	int	i;

	for (i = 0; i < 8; i++) {
		icookie[i] = (uint8_t)(ci->icookie >> (56 - 8 * i));
		rcookie[i] = (uint8_t)(ci->rcookie >> (56 - 8 * i));
	}
	(void)ike_engine_p1_keys(d->d_engine, icookie, rcookie,
	    admin_p1_keys_copy, ci);
}

/* Fill out with the ISAKMP SA that w selects, keys included. */
static int
admin_p1_lookup(struct daemon *d, struct admin_p1_walk *w,
    struct control_p1_info *out)
{
	w->aw_config = d->d_config;
	w->aw_out = out;
	ike_engine_foreach_p1(d->d_engine, admin_p1_visit, w);
	if (!w->aw_found)
		return (ERR_NOTFOUND);
	admin_p1_keys(d, out);
	return (0);
}

static int
admin_p1_get(void *arg, const struct control_id *id,
    struct control_p1_info *out)
{
	struct admin_p1_walk	w;

	memset(&w, 0, sizeof(w));
	w.aw_id = id;
	return (admin_p1_lookup(arg, &w, out));
}

/* The cookies of the ISAKMP SA that an ikeadm identifier names. */
struct admin_p1_pick {
	const struct control_id	*ap_id;
	uint8_t			 ap_icookie[8];
	uint8_t			 ap_rcookie[8];
	int			 ap_found;
};

static int
admin_p1_pick(void *arg, const struct ike_p1_info *pi)
{
	struct admin_p1_pick	*ap = arg;

	if (!admin_p1_matches(ap->ap_id, pi))
		return (0);
	memcpy(ap->ap_icookie, pi->pi_icookie, sizeof(ap->ap_icookie));
	memcpy(ap->ap_rcookie, pi->pi_rcookie, sizeof(ap->ap_rcookie));
	ap->ap_found = 1;
	return (1);
}

/* "ikeadm del p1": the ISAKMP SA goes, with a Delete to the peer. */
static int
admin_p1_del(void *arg, const struct control_id *id)
{
	struct daemon		*d = arg;
	struct admin_p1_pick	 ap;

	memset(&ap, 0, sizeof(ap));
	ap.ap_id = id;
	ike_engine_foreach_p1(d->d_engine, admin_p1_pick, &ap);
	if (!ap.ap_found)
		return (ERR_NOTFOUND);
	return (ike_engine_delete_p1(d->d_engine, ap.ap_icookie,
	    ap.ap_rcookie, daemon_now_ms()));
}

static int
admin_p1_flush(void *arg)
{
	struct daemon	*d = arg;

	ike_engine_flush_p1(d->d_engine, daemon_now_ms());
	return (0);
}

static int
admin_p1_dump(void *arg, uint32_t index, struct control_p1_info *out,
    uint32_t *next)
{
	struct daemon		*d = arg;
	struct ike_p1_info	 pi;
	int			 more, rc;

	if ((rc = ike_engine_p1_at(d->d_engine, index, &pi, &more)) != 0)
		return (rc);
	admin_p1_fill(out, d->d_config, &pi);
	admin_p1_keys(d, out);
	*next = more ? index + 1 : 0;
	return (0);
}

static void
admin_addr_from_ip(struct control_addr *ca, const struct config_ip *ip)
{
	memset(ca, 0, sizeof(*ca));
	ca->family = (uint8_t)ip->family;
	memcpy(ca->addr, ip->addr, ip->family == AF_INET ? 4 : 16);
}

static void
admin_range_fill(struct control_range *cr, const struct config_range *r)
{
	admin_addr_from_ip(&cr->lo, &r->lo);
	admin_addr_from_ip(&cr->hi, &r->hi);
	if (r->kind == CONFIG_RANGE_PREFIX)
		cr->lo.plen = cr->hi.plen = r->plen;
}

static uint32_t
admin_ranges_fill(struct control_range *out, const struct config_addrlist *al)
{
	size_t	i;

	for (i = 0; i < al->n && i < CONTROL_RANGES_MAX; i++)
		admin_range_fill(&out[i], &al->ranges[i]);
	return ((uint32_t)i);
}

static void
admin_xform_fill(struct control_xform *cx, const struct config_p1_xform *x)
{
	memset(cx, 0, sizeof(*cx));
	cx->auth_method = (uint16_t)x->px_auth_method;
	cx->encr = (uint16_t)x->px_encr;
	cx->encr_klen = x->px_klen_min;
	cx->encr_klen_max = x->px_klen_max;
	cx->hash = (uint16_t)x->px_hash;
	cx->group = (uint16_t)x->px_group;
	cx->lifetime_secs = x->px_lifetime_secs.val;
}

static void
admin_rule_fill(struct control_rule_info *ci, const struct config *cf,
    const struct config_rule *r)
{
	size_t	i;

	memset(ci, 0, sizeof(*ci));
	(void)snprintf(ci->label, sizeof(ci->label), "%s", r->cr_label);
	ci->cookie = r->cr_cookie;
	ci->local_idtype = (uint16_t)r->cr_local_id_type.val;
	ci->xchg = CONTROL_XCHG_MAIN;
	ci->p1_nonce_len = (uint16_t)cf->cf_globals.cg_p1_nonce_len.val;
	ci->p2_nonce_len = (uint16_t)cf->cf_globals.cg_p2_nonce_len.val;
	ci->p2_pfs = (uint16_t)r->cr_p2.p2_pfs.val;
	ci->p2_lifetime_secs = r->cr_p2.p2_lifetime_secs.val;
	ci->p2_softlife_secs = r->cr_p2.p2_softlife_secs.val;
	ci->p2_idletime_secs = r->cr_p2.p2_idletime_secs.val;
	ci->p2_lifetime_kb = r->cr_p2.p2_lifetime_kb.val;
	ci->p2_softlife_kb = r->cr_p2.p2_softlife_kb.val;
	ci->nlocal = admin_ranges_fill(ci->local, &r->cr_local);
	ci->nremote = admin_ranges_fill(ci->remote, &r->cr_remote);
	if (r->cr_local_id != NULL) {
		ci->nlocal_ids = 1;
		(void)snprintf(ci->local_ids[0].sel,
		    sizeof(ci->local_ids[0].sel), "%s", r->cr_local_id);
	}
	for (i = 0; i < r->cr_nremote_ids && i < CONTROL_IDS_MAX; i++) {
		ci->remote_ids[i].exclude = (uint8_t)r->cr_remote_ids[i].is_exclude;
		(void)snprintf(ci->remote_ids[i].sel,
		    sizeof(ci->remote_ids[i].sel), "%s",
		    r->cr_remote_ids[i].is_sel);
	}
	ci->nremote_ids = (uint32_t)i;
	for (i = 0; i < r->cr_nxforms && i < CONTROL_XFORMS_MAX; i++)
		admin_xform_fill(&ci->xforms[i], &r->cr_xforms[i]);
	ci->nxforms = (uint32_t)i;
}

static int
admin_rule_get(void *arg, const char *label, struct control_rule_info *out)
{
	struct daemon			*d = arg;
	const struct config_rule	*r;

	if (d->d_config == NULL ||
	    (r = config_rule_find_label(d->d_config, label)) == NULL)
		return (ERR_NOTFOUND);
	admin_rule_fill(out, d->d_config, r);
	return (0);
}

static int
admin_rule_dump(void *arg, uint32_t index, struct control_rule_info *out,
    uint32_t *next)
{
	struct daemon	*d = arg;

	if (d->d_config == NULL || index >= d->d_config->cf_nrules)
		return (ERR_NOTFOUND);
	admin_rule_fill(out, d->d_config, &d->d_config->cf_rules[index]);
	*next = index + 1 < d->d_config->cf_nrules ? index + 1 : 0;
	return (0);
}

static void
admin_ident_fill(struct control_ident *ci, struct control_range *cr,
    const struct config_psk_id *id)
{
	memset(ci, 0, sizeof(*ci));
	memset(cr, 0, sizeof(*cr));
	ci->type = (uint16_t)id->pi_type;
	if (id->pi_name != NULL)
		(void)snprintf(ci->value, sizeof(ci->value), "%s", id->pi_name);
	else
		admin_range_fill(cr, &id->pi_range);
}

static uint8_t
admin_psk_xchg(uint32_t mode)
{
	switch (mode) {
	case CONFIG_IKE_MODE_AGGRESSIVE:
		return (CONTROL_XCHG_AGGRESSIVE);
	case CONFIG_IKE_MODE_BOTH:
		return (CONTROL_XCHG_BOTH);
	}
	return (CONTROL_XCHG_MAIN);
}

static void
admin_psk_fill(struct control_psk_info *out, const struct config_psk *p)
{
	size_t	n;

	memset(out, 0, sizeof(*out));
	out->xchg = admin_psk_xchg(p->ps_ike_mode.val);
	admin_ident_fill(&out->local_id, &out->local, &p->ps_local);
	admin_ident_fill(&out->remote_id, &out->remote, &p->ps_remote);
	/* The server clears the key below the keymat privilege level. */
	n = p->ps_key.wb_len;
	if (n > sizeof(out->key.bytes))
		n = sizeof(out->key.bytes);
	memcpy(out->key.bytes, p->ps_key.wb_data, n);
	out->key.len = (uint16_t)n;
}

static int
admin_psk_dump(void *arg, uint32_t index, struct control_psk_info *out,
    uint32_t *next)
{
	struct daemon	*d = arg;

	if (d->d_config == NULL || index >= d->d_config->cf_npsks)
		return (ERR_NOTFOUND);
	admin_psk_fill(out, &d->d_config->cf_psks[index]);
	*next = index + 1 < d->d_config->cf_npsks ? index + 1 : 0;
	return (0);
}

static void
admin_ip_from_addr(struct config_ip *ip, const struct control_addr *ca)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = ca->family;
	memcpy(ip->addr, ca->addr, sizeof(ip->addr));
}

static int
admin_idtype_is_addr(uint16_t type)
{
	switch (type) {
	case CONTROL_IDT_IP:
	case CONTROL_IDT_IPV4:
	case CONTROL_IDT_IPV6:
	case CONTROL_IDT_IPV4_SUBNET:
	case CONTROL_IDT_IPV6_SUBNET:
	case CONTROL_IDT_IPV4_RANGE:
	case CONTROL_IDT_IPV6_RANGE:
		return (1);
	default:
		return (0);
	}
}

/*
 * Convert an identity of "get preshared <loctype> <locid> <remtype>
 * <remid>" for the preshared lookup.  A name identity is copied to name.
 */
static int
admin_psk_id(struct config_psk_id *id, const struct control_ident *ci,
    char name[CONTROL_STR_MAX])
{
	char	why[128];

	memset(id, 0, sizeof(*id));
	id->pi_type = ci->type;
	if (!admin_idtype_is_addr(ci->type)) {
		if (ci->value[0] == '\0')
			return (ERR_INVAL);
		(void)snprintf(name, CONTROL_STR_MAX, "%s", ci->value);
		id->pi_name = name;
		return (0);
	}
	if (addr_parse_range(ci->value, &id->pi_range, why,
	    sizeof(why)) != 0) {
		log_debug(D_DOOR, "ikeadm preshared identity '%s': %s",
		    ci->value, why);
		return (ERR_INVAL);
	}
	return (0);
}

/* Find the entry that an ikeadm identifier names, as the engine would. */
static int
admin_psk_find(const struct daemon *d, const struct control_id *cid,
    const struct config_psk **out)
{
	struct config_psk_id	lid, rid;
	struct config_ip	lip, rip;
	char			lname[CONTROL_STR_MAX];
	char			rname[CONTROL_STR_MAX];
	int			rc;

	*out = NULL;
	if (d->d_config == NULL)
		return (ERR_NOTFOUND);
	if (cid->kind == CONTROL_ID_ADDRS) {
		admin_ip_from_addr(&lip, &cid->local);
		admin_ip_from_addr(&rip, &cid->remote);
		*out = config_psk_find_addr(d->d_config, &lip, &rip);
	} else {
		if ((rc = admin_psk_id(&lid, &cid->local_id, lname)) != 0 ||
		    (rc = admin_psk_id(&rid, &cid->remote_id, rname)) != 0)
			return (rc);
		*out = config_psk_find_id(d->d_config, &lid, &rid);
	}
	return (*out != NULL ? 0 : ERR_NOTFOUND);
}

static int
admin_psk_get(void *arg, const struct control_id *id,
    struct control_psk_info *out)
{
	const struct config_psk	*p;
	int			 rc;

	if ((rc = admin_psk_find(arg, id, &p)) != 0)
		return (rc);
	admin_psk_fill(out, p);
	return (0);
}

/* Delete the entry that "get preshared" shows ("ikeadm del preshared"). */
static int
admin_psk_del(void *arg, const struct control_id *id)
{
	struct daemon		*d = arg;
	const struct config_psk	*p;
	int			 rc;

	if ((rc = admin_psk_find(d, id, &p)) != 0)
		return (rc);
	return (edit_del(d, CONFIG_FILE_PRESHARED,
	    (size_t)(p - d->d_config->cf_psks)));
}

static int
admin_rule_del(void *arg, const char *label)
{
	struct daemon			*d = arg;
	const struct config_rule	*r;

	if (d->d_config == NULL ||
	    (r = config_rule_find_label(d->d_config, label)) == NULL)
		return (ERR_NOTFOUND);
	return (edit_del(d, CONFIG_FILE_IKE,
	    (size_t)(r - d->d_config->cf_rules)));
}

/* Log the rule base with keys hidden ("ikeadm dbg rbdump"). */
static int
admin_rule_log(void *arg)
{
	struct daemon	*d = arg;
	FILE		*f;
	char		*buf = NULL, *line, *save = NULL;
	size_t		 len = 0;

	if (d->d_config == NULL)
		return (ERR_NOTFOUND);
	if ((f = open_memstream(&buf, &len)) == NULL)
		return (ERR_NOMEM);
	config_print(f, d->d_config);
	if (fclose(f) != 0) {
		free(buf);
		return (ERR_NOMEM);
	}
	log_info("rule base dump requested by ikeadm: %zu rule%s, %zu "
	    "preshared key%s", d->d_config->cf_nrules,
	    d->d_config->cf_nrules == 1 ? "" : "s", d->d_config->cf_npsks,
	    d->d_config->cf_npsks == 1 ? "" : "s");
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		log_info("rule base: %s", line);
	free(buf);
	return (0);
}

/* "ikeadm read rule": a file, or without one a reload as on SIGHUP. */
static int
admin_rule_read(void *arg, struct control_load *ld)
{
	return (edit_read(arg, CONFIG_FILE_IKE, ld));
}

static int
admin_psk_read(void *arg, struct control_load *ld)
{
	return (edit_read(arg, CONFIG_FILE_PRESHARED, ld));
}

static int
admin_rule_add(void *arg, struct control_load *ld)
{
	return (edit_add(arg, CONFIG_FILE_IKE, ld, NULL));
}

static int
admin_rule_write(void *arg, int fd)
{
	return (edit_write(arg, CONFIG_FILE_IKE, fd));
}

static int
admin_psk_write(void *arg, int fd)
{
	return (edit_write(arg, CONFIG_FILE_PRESHARED, fd));
}

/* An identity of an entry in ike.preshared syntax ("localid ..."). */
static int
admin_psk_id_text(FILE *f, const char *side, const struct control_ident *id,
    const struct control_range *r)
{
	char	lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];

	if (r->lo.family == 0) {
		if (id->value[0] == '\0' || strpbrk(id->value, "\"\n{}") != NULL)
			return (ERR_INVAL);
		fprintf(f, "\t%sidtype %s\n\t%sid %s\n", side,
		    config_idtype_name(id->type), side, id->value);
		return (0);
	}
	if (inet_ntop(r->lo.family, r->lo.addr, lo, sizeof(lo)) == NULL ||
	    inet_ntop(r->hi.family, r->hi.addr, hi, sizeof(hi)) == NULL)
		return (ERR_INVAL);
	fprintf(f, "\t%sidtype IP\n\t%sid %s", side, side, lo);
	if (r->lo.plen != 0)
		fprintf(f, "/%u", r->lo.plen);
	else if (strcmp(lo, hi) != 0)
		fprintf(f, "-%s", hi);
	fputc('\n', f);
	return (0);
}

/*
 * One entry of "ikeadm add preshared" as ike.preshared text; the key is
 * written in hex, so the buffer is wiped by the caller.
 */
static int
admin_psk_text(const struct control_psk_info *p, char **buf, size_t *len)
{
	FILE	*f;
	size_t	 i;
	int	 rc;

	if (p->key.len == 0)
		return (ERR_INVAL);
	if ((f = open_memstream(buf, len)) == NULL)
		return (ERR_NOMEM);
	fputs("{\n", f);
	rc = admin_psk_id_text(f, "local", &p->local_id, &p->local);
	if (rc == 0)
		rc = admin_psk_id_text(f, "remote", &p->remote_id, &p->remote);
	if (p->xchg == CONTROL_XCHG_AGGRESSIVE)
		fputs("\tike_mode aggressive\n", f);
	else if (p->xchg == CONTROL_XCHG_BOTH)
		fputs("\tike_mode both\n", f);
	fputs("\tkey ", f);
	for (i = 0; i < p->key.len && i < sizeof(p->key.bytes); i++)
		fprintf(f, "%02x", p->key.bytes[i]);
	fputs("\n}\n", f);
	if (fclose(f) != 0 && rc == 0)
		rc = ERR_NOMEM;
	return (rc);
}

/* "ikeadm add preshared": one entry, or ike.preshared text on fd. */
static int
admin_psk_add(void *arg, const struct control_psk_info *psk,
    struct control_load *ld)
{
	char	*text = NULL;
	size_t	 len = 0;
	int	 rc;

	if (psk == NULL)
		return (edit_add(arg, CONFIG_FILE_PRESHARED, ld, NULL));
	if ((rc = admin_psk_text(psk, &text, &len)) == 0)
		rc = edit_add(arg, CONFIG_FILE_PRESHARED, ld, text);
	if (text != NULL)
		util_freezero(text, len);
	return (rc);
}

static int
admin_certcache_dump(void *arg, uint32_t index, struct control_cert_info *out,
    uint32_t *next)
{
	return (certs_dump(arg, index, out, next));
}

static int
admin_certcache_flush(void *arg)
{
	return (certs_flush(arg));
}

int
admin_open(struct daemon *d)
{
	static const struct control_ops	ops = {
		.get_debug = admin_get_debug,
		.set_debug = admin_set_debug,
		.get_priv = admin_get_priv,
		.set_priv = admin_set_priv,
		.get_stats = admin_get_stats,
		.get_defaults = admin_get_defaults,
		.p1_get = admin_p1_get,
		.p1_del = admin_p1_del,
		.p1_flush = admin_p1_flush,
		.p1_dump = admin_p1_dump,
		.rule_get = admin_rule_get,
		.rule_dump = admin_rule_dump,
		.rule_add = admin_rule_add,
		.rule_del = admin_rule_del,
		.rule_read = admin_rule_read,
		.rule_write = admin_rule_write,
		.psk_get = admin_psk_get,
		.psk_add = admin_psk_add,
		.psk_del = admin_psk_del,
		.psk_dump = admin_psk_dump,
		.psk_read = admin_psk_read,
		.psk_write = admin_psk_write,
		.certcache_dump = admin_certcache_dump,
		.certcache_flush = admin_certcache_flush,
		.rule_log = admin_rule_log,
	};

	return (control_server_open(d->d_door_path, d->d_base, &ops, d,
	    &d->d_admin));
}

void
admin_close(struct daemon *d)
{
	if (d->d_admin != NULL)
		control_server_close(d->d_admin);
	d->d_admin = NULL;
}
