/*
 * Text dump of the effective configuration (in.iked -c -v): every value,
 * including defaults, with where it came from.  Preshared keys are never
 * printed; only their length is.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdio.h>

#include "config/addr.h"
#include "config/config.h"
#include "config/ipsecalgs.h"

static const char *
print_src(const struct config_u32 *v, char *buf, size_t len)
{
	switch (v->src) {
	case CONFIG_SRC_FILE:
		snprintf(buf, len, "file, line %u", v->line);
		break;
	case CONFIG_SRC_GLOBAL:
		snprintf(buf, len, "global, line %u", v->line);
		break;
	default:
		snprintf(buf, len, "default");
	}
	return (buf);
}

static void
print_u32(FILE *fp, const char *indent, const char *name,
    const struct config_u32 *v, const char *unit)
{
	char	src[64], val[32];

	snprintf(val, sizeof(val), "%u%s%s", v->val, unit[0] ? " " : "", unit);
	fprintf(fp, "%s%-18s %-16s (%s)\n", indent, name, val,
	    print_src(v, src, sizeof(src)));
}

static void
print_ms(FILE *fp, const char *name, const struct config_u32 *v)
{
	char	src[64], val[32];

	snprintf(val, sizeof(val), "%u.%03u s", v->val / 1000, v->val % 1000);
	fprintf(fp, "  %-18s %-16s (%s)\n", name, val,
	    print_src(v, src, sizeof(src)));
}

static void
print_str(FILE *fp, const char *name, const struct config_str *v)
{
	fprintf(fp, "  %-18s %-16s (%s)\n", name,
	    v->val != NULL ? v->val : "(none)",
	    v->src == CONFIG_SRC_FILE ? "file" : "default");
}

static void
print_list(FILE *fp, const char *name, const struct config_strlist *l)
{
	size_t	i;

	if (l->n == 0)
		fprintf(fp, "  %-18s %-16s (default)\n", name, "(none)");
	for (i = 0; i < l->n; i++)
		fprintf(fp, "  %-18s \"%s\" (file)\n", name, l->items[i]);
}

static void
print_p2(FILE *fp, const char *indent, const struct config_p2 *p2)
{
	print_u32(fp, indent, "p2_pfs", &p2->p2_pfs, "");
	print_u32(fp, indent, "p2_lifetime_secs", &p2->p2_lifetime_secs, "s");
	print_u32(fp, indent, "p2_softlife_secs", &p2->p2_softlife_secs, "s");
	print_u32(fp, indent, "p2_idletime_secs", &p2->p2_idletime_secs, "s");
	print_u32(fp, indent, "p2_lifetime_kb", &p2->p2_lifetime_kb, "KB");
	print_u32(fp, indent, "p2_softlife_kb", &p2->p2_softlife_kb, "KB");
	print_u32(fp, indent, "dpd_interval", &p2->p2_dpd_interval, "s");
	print_u32(fp, indent, "dpd_retries", &p2->p2_dpd_retries, "");
}

static void
print_xform(FILE *fp, const char *indent, size_t i,
    const struct config_p1_xform *x)
{
	char	src[64];

	fprintf(fp, "%sp1_xform %zu (%s:%u): auth_method %s oakley_group %d "
	    "encr_alg %s", indent, i + 1, x->px_where.cw_file,
	    x->px_where.cw_line, config_auth_method_name(x->px_auth_method),
	    x->px_group, config_p1_encr_name(x->px_encr));
	if (x->px_klen_min != 0)
		fprintf(fp, "(%u..%u)", x->px_klen_min, x->px_klen_max);
	fprintf(fp, " auth_alg %s p1_lifetime_secs %u (%s)\n",
	    config_p1_hash_name(x->px_hash), x->px_lifetime_secs.val,
	    print_src(&x->px_lifetime_secs, src, sizeof(src)));
}

static void
print_globals(FILE *fp, const struct config_globals *g)
{
	size_t	i;

	fprintf(fp, "globals:\n");
	print_list(fp, "cert_root", &g->cg_cert_root);
	print_list(fp, "cert_trust", &g->cg_cert_trust);
	print_list(fp, "ldap_server", &g->cg_ldap_server);
	print_u32(fp, "  ", "expire_timer", &g->cg_expire_timer, "s");
	print_u32(fp, "  ", "ignore_crls", &g->cg_ignore_crls, "");
	print_str(fp, "pkcs11_path", &g->cg_pkcs11_path);
	print_u32(fp, "  ", "retry_limit", &g->cg_retry_limit, "");
	print_u32(fp, "  ", "max_half_open", &g->cg_max_half_open, "");
	print_ms(fp, "retry_timer_init", &g->cg_retry_timer_init);
	print_ms(fp, "retry_timer_max", &g->cg_retry_timer_max);
	print_str(fp, "proxy", &g->cg_proxy);
	print_str(fp, "socks", &g->cg_socks);
	print_u32(fp, "  ", "use_http", &g->cg_use_http, "");
	print_u32(fp, "  ", "p1_lifetime_secs", &g->cg_p1_lifetime_secs, "s");
	print_u32(fp, "  ", "min_p1_lifetime", &g->cg_min_p1_lifetime, "s");
	print_u32(fp, "  ", "p1_nonce_len", &g->cg_p1_nonce_len, "bytes");
	print_u32(fp, "  ", "p2_nonce_len", &g->cg_p2_nonce_len, "bytes");
	print_p2(fp, "  ", &g->cg_p2);
	fprintf(fp, "  %-18s %-16s (%s)\n", "local_id_type",
	    config_idtype_name((int)g->cg_local_id_type.val),
	    g->cg_local_id_type.src == CONFIG_SRC_FILE ? "file" : "default");
	if (g->cg_nxforms == 0)
		fprintf(fp, "  p1_xform           (none)\n");
	for (i = 0; i < g->cg_nxforms; i++)
		print_xform(fp, "  ", i, &g->cg_xforms[i]);
}

static void
print_addrlist(FILE *fp, const char *name, const struct config_addrlist *l)
{
	char	buf[128];
	size_t	i;

	for (i = 0; i < l->n; i++) {
		addr_format_range(&l->ranges[i], buf, sizeof(buf));
		fprintf(fp, "    %-18s %s\n", name, buf);
	}
}

static void
print_rule(FILE *fp, const struct config_rule *r)
{
	char	src[64];
	size_t	i;

	fprintf(fp, "rule \"%s\" (%s:%u), cookie %u:\n", r->cr_label,
	    r->cr_where.cw_file, r->cr_where.cw_line, r->cr_cookie);
	print_addrlist(fp, "local_addr", &r->cr_local);
	print_addrlist(fp, "remote_addr", &r->cr_remote);
	fprintf(fp, "    %-18s %-16s (%s)\n", "local_id_type",
	    config_idtype_name((int)r->cr_local_id_type.val),
	    print_src(&r->cr_local_id_type, src, sizeof(src)));
	if (r->cr_local_id != NULL)
		fprintf(fp, "    %-18s \"%s\"\n", "local_id", r->cr_local_id);
	for (i = 0; i < r->cr_nremote_ids; i++)
		fprintf(fp, "    %-18s \"%s%s\"\n", "remote_id",
		    r->cr_remote_ids[i].is_exclude ? "!" : "",
		    r->cr_remote_ids[i].is_sel);
	print_p2(fp, "    ", &r->cr_p2);
	if (r->cr_xforms_global)
		fprintf(fp, "    p1_xform list from the globals:\n");
	for (i = 0; i < r->cr_nxforms; i++)
		print_xform(fp, "    ", i, &r->cr_xforms[i]);
}

static void
print_psk_id(FILE *fp, const char *side, const struct config_psk_id *id)
{
	char	buf[128];

	if (id->pi_name != NULL)
		snprintf(buf, sizeof(buf), "\"%s\"", id->pi_name);
	else
		addr_format_range(&id->pi_range, buf, sizeof(buf));
	fprintf(fp, "    %sidtype %s, %sid %s\n", side,
	    config_idtype_name(id->pi_type), side, buf);
}

static void
print_psk(FILE *fp, const struct config_psk *p)
{
	char	src[64];

	fprintf(fp, "preshared key (%s:%u):\n", p->ps_where.cw_file,
	    p->ps_where.cw_line);
	print_psk_id(fp, "local", &p->ps_local);
	print_psk_id(fp, "remote", &p->ps_remote);
	fprintf(fp, "    ike_mode %s (%s)\n",
	    config_ike_mode_name((int)p->ps_ike_mode.val),
	    print_src(&p->ps_ike_mode, src, sizeof(src)));
	fprintf(fp, "    key (hidden, %zu bytes)\n", p->ps_key.wb_len);
}

static void
print_num(FILE *fp, const char *name, const struct config_spd_num *n)
{
	if (!n->sn_set)
		return;
	if (n->sn_lo == n->sn_hi)
		fprintf(fp, " %s %u", name, n->sn_lo);
	else
		fprintf(fp, " %s %u-%u", name, n->sn_lo, n->sn_hi);
}

static void
print_alg(FILE *fp, const char *name, int proto,
    const struct config_spd_alg *a)
{
	const struct ipsecalgs_alg	*alg;

	if (!a->sa_set)
		return;
	alg = ipsecalgs_find_id(proto, a->sa_id);
	fprintf(fp, " %s %s", name, alg != NULL ? alg->ia_names[0] : "?");
	if (alg != NULL && alg->ia_key_step != 0)
		fprintf(fp, "(%u..%u)", a->sa_klen_min, a->sa_klen_max);
}

static void
print_alt(FILE *fp, const struct config_spd_alt *alt)
{
	static const char	*actions[] = { "?", "ipsec", "bypass", "pass",
				    "drop", "apply", "permit" };

	fprintf(fp, "    %s {", actions[alt->sp_action]);
	print_alg(fp, "auth_algs", IPSECALGS_AH, &alt->sp_ah_auth);
	print_alg(fp, "encr_algs", IPSECALGS_ESP, &alt->sp_esp_encr);
	print_alg(fp, "encr_auth_algs", IPSECALGS_AH, &alt->sp_esp_auth);
	if (config_spd_is_ipsec(alt))
		fprintf(fp, " sa %s", alt->sp_sa_unique ? "unique" : "shared");
	if (alt->sp_dir != 0)
		fprintf(fp, " dir %s", alt->sp_dir == CONFIG_DIR_IN ? "in" :
		    "out");
	fprintf(fp, " }\n");
}

static void
print_spd(FILE *fp, const struct config_spd *s)
{
	static const char	*dirs[] = { "", "in", "out", "both" };
	char			 buf[128];
	size_t			 i;

	fprintf(fp, "policy entry (%s:%u):\n    {", s->sd_where.cw_file,
	    s->sd_where.cw_line);
	if (s->sd_laddr_set) {
		addr_format_range(&s->sd_laddr, buf, sizeof(buf));
		fprintf(fp, " laddr %s", buf);
	}
	if (s->sd_raddr_set) {
		addr_format_range(&s->sd_raddr, buf, sizeof(buf));
		fprintf(fp, " raddr %s", buf);
	}
	print_num(fp, "lport", &s->sd_lport);
	print_num(fp, "rport", &s->sd_rport);
	print_num(fp, "ulp", &s->sd_ulp);
	print_num(fp, "type", &s->sd_icmp_type);
	print_num(fp, "code", &s->sd_icmp_code);
	if (s->sd_dir != 0)
		fprintf(fp, " dir %s", dirs[s->sd_dir]);
	if (s->sd_tunnel) {
		addr_format_ip(&s->sd_tsrc, buf, sizeof(buf));
		fprintf(fp, " tsrc %s", buf);
		addr_format_range(&s->sd_tdst, buf, sizeof(buf));
		fprintf(fp, " tdst %s", buf);
	}
	if (s->sd_negotiate != 0)
		fprintf(fp, " negotiate %s",
		    s->sd_negotiate == CONFIG_NEGOTIATE_TUNNEL ? "tunnel" :
		    "transport");
	fprintf(fp, " }\n");
	for (i = 0; i < s->sd_nalts; i++)
		print_alt(fp, &s->sd_alts[i]);
}

void
config_print(FILE *fp, const struct config *cf)
{
	size_t	i;

	fprintf(fp, "# Sources: \"file\" = set where it applies, \"global\" = "
	    "a rule inherits the global value, \"default\" = built-in.\n");
	print_globals(fp, &cf->cf_globals);
	for (i = 0; i < cf->cf_nrules; i++)
		print_rule(fp, &cf->cf_rules[i]);
	for (i = 0; i < cf->cf_npsks; i++)
		print_psk(fp, &cf->cf_psks[i]);
	if (cf->cf_nspds > 0)
		fprintf(fp, "# Policy entries in match order, as MATCH "
		    "ORDER in ipsecinit.conf(5) describes.\n");
	for (i = 0; i < cf->cf_nspds; i++)
		print_spd(fp, &cf->cf_spds[i]);
}
