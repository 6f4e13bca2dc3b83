/*
 * Warnings about a configuration that loads but probably does not do what
 * its author meant.  They cover no rules, rules that are never chosen,
 * tunnel policy that no rule negotiates, idle times above the lifetime,
 * preshared rules without a key, a missing policy file, policy entries
 * that repeat another or have an empty pattern, and a key folder that
 * others may change.  They never make a configuration invalid, because an
 * administrator may mean each of them.
 */
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>

#include "config/addr.h"
#include "config/config.h"
#include "config/diag.h"

static const char *
warn_label(const struct config_rule *r)
{
	return (r->cr_label != NULL ? r->cr_label : "");
}

static int
warn_range_cmp(const struct config_range *a, const struct config_range *b)
{
	int	c;

	if ((c = config_ip_cmp(&a->lo, &b->lo)) != 0)
		return (c);
	return (config_ip_cmp(&a->hi, &b->hi));
}

static int
warn_addrlist_cmp(const struct config_addrlist *a,
    const struct config_addrlist *b)
{
	size_t	i;
	int	c;

	if (a->n != b->n)
		return (a->n < b->n ? -1 : 1);
	for (i = 0; i < a->n; i++) {
		if ((c = warn_range_cmp(&a->ranges[i], &b->ranges[i])) != 0)
			return (c);
	}
	return (0);
}

/* Rule order by addresses, then by position in the file. */
static int
warn_rule_cmp(const void *pa, const void *pb)
{
	const struct config_rule	*a = *(const struct config_rule *const *)pa;
	const struct config_rule	*b = *(const struct config_rule *const *)pb;
	int				 c;

	if ((c = warn_addrlist_cmp(&a->cr_local, &b->cr_local)) != 0 ||
	    (c = warn_addrlist_cmp(&a->cr_remote, &b->cr_remote)) != 0)
		return (c);
	return (a < b ? -1 : a > b);
}

/*
 * Rules are searched in file order, so a rule with the same local_addr
 * and remote_addr as an earlier one is never chosen.  Sorting makes the
 * check O(n log n) for large files.
 */
static void
warn_shadowed(const struct config *cf, struct config_diag *diag)
{
	const struct config_rule	**v, *first;
	size_t				  i;

	if (cf->cf_nrules < 2 ||
	    (v = calloc(cf->cf_nrules, sizeof(*v))) == NULL)
		return;
	for (i = 0; i < cf->cf_nrules; i++)
		v[i] = &cf->cf_rules[i];
	qsort(v, cf->cf_nrules, sizeof(*v), warn_rule_cmp);
	first = v[0];
	for (i = 1; i < cf->cf_nrules; i++) {
		if (warn_addrlist_cmp(&first->cr_local, &v[i]->cr_local) != 0 ||
		    warn_addrlist_cmp(&first->cr_remote,
		    &v[i]->cr_remote) != 0) {
			first = v[i];
			continue;
		}
		diag_add(diag, v[i]->cr_where.cw_file, v[i]->cr_where.cw_line,
		    "warning: rule \"%s\" is never used: rule \"%s\" at line "
		    "%u has the same local_addr and remote_addr and comes "
		    "first; merge the two or change the addresses",
		    warn_label(v[i]), warn_label(first),
		    first->cr_where.cw_line);
	}
	free(v);
}

/* Whether one range of the list contains all of want. */
static int
warn_addrlist_covers(const struct config_addrlist *l,
    const struct config_range *want)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		if (config_range_match(&l->ranges[i], &want->lo) &&
		    config_range_match(&l->ranges[i], &want->hi))
			return (1);
	}
	return (0);
}

/*
 * A tunnel entry needs a rule for its outer addresses, or its ACQUIREs
 * find nothing to negotiate with.
 * NOTE: this scans every rule for each tunnel entry, which is fast only
 * while files have few tunnel entries.
 */
static void
warn_tunnels(const struct config *cf, struct config_diag *diag)
{
	const struct config_spd	*s;
	struct config_range	 src;
	char			 a[128], b[128];
	size_t			 i, j;

	for (i = 0; i < cf->cf_nspds; i++) {
		s = &cf->cf_spds[i];
		if (!s->sd_tunnel)
			continue;
		src.lo = src.hi = s->sd_tsrc;
		for (j = 0; j < cf->cf_nrules; j++) {
			if (warn_addrlist_covers(&cf->cf_rules[j].cr_local,
			    &src) &&
			    warn_addrlist_covers(&cf->cf_rules[j].cr_remote,
			    &s->sd_tdst))
				break;
		}
		if (j < cf->cf_nrules)
			continue;
		addr_format_ip(&s->sd_tsrc, a, sizeof(a));
		addr_format_range(&s->sd_tdst, b, sizeof(b));
		diag_add(diag, s->sd_where.cw_file, s->sd_where.cw_line,
		    "warning: no rule has local_addr %s and remote_addr %s "
		    "of this tunnel entry, so its SAs are never negotiated: "
		    "add a rule for them to the ike.config", a, b);
	}
}

static void
warn_idle(const char *file, const char *what, const struct config_p2 *p2,
    struct config_diag *diag)
{
	unsigned int	line;

	if (p2->p2_idletime_secs.val == 0 ||
	    p2->p2_idletime_secs.val <= p2->p2_lifetime_secs.val)
		return;
	line = p2->p2_idletime_secs.src == CONFIG_SRC_FILE ?
	    p2->p2_idletime_secs.line : p2->p2_lifetime_secs.line;
	diag_add(diag, file, line, "warning: %sp2_idletime_secs %u is larger "
	    "than p2_lifetime_secs %u, so IPsec SAs expire before they can "
	    "be idle that long", what, p2->p2_idletime_secs.val,
	    p2->p2_lifetime_secs.val);
}

/* The global pair once, then each rule that sets either value itself. */
static void
warn_idletimes(const struct config *cf, struct config_diag *diag)
{
	const struct config_rule	*r;
	const char			*file;
	char				 what[300];
	size_t				 i;

	file = cf->cf_config_file != NULL ? cf->cf_config_file : "config";
	warn_idle(file, "", &cf->cf_globals.cg_p2, diag);
	for (i = 0; i < cf->cf_nrules; i++) {
		r = &cf->cf_rules[i];
		if (r->cr_p2.p2_idletime_secs.src != CONFIG_SRC_FILE &&
		    r->cr_p2.p2_lifetime_secs.src != CONFIG_SRC_FILE)
			continue;
		(void)snprintf(what, sizeof(what), "rule \"%s\": ",
		    warn_label(r));
		warn_idle(r->cr_where.cw_file, what, &r->cr_p2, diag);
	}
}

static int
warn_ranges_meet(const struct config_range *a, const struct config_range *b)
{
	return (a->lo.family == b->lo.family &&
	    config_ip_cmp(&a->lo, &b->hi) <= 0 &&
	    config_ip_cmp(&b->lo, &a->hi) <= 0);
}

static int
warn_addrlist_meets(const struct config_addrlist *l,
    const struct config_range *r)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		if (warn_ranges_meet(&l->ranges[i], r))
			return (1);
	}
	return (0);
}

static int
warn_psk_is_addr(const struct config_psk_id *id)
{
	return (id->pi_name == NULL && id->pi_range.lo.family != 0);
}

/*
 * Main Mode chooses the preshared key by the two IKE addresses, and an
 * entry with names (fqdn, user_fqdn) is used only when one for the
 * addresses exists too.  So a rule needs an entry whose localid and
 * remoteid addresses overlap its local_addr and remote_addr.
 */
static int
warn_rule_has_psk(const struct config *cf, const struct config_rule *r)
{
	const struct config_psk	*p;
	size_t			 i;

	for (i = 0; i < cf->cf_npsks; i++) {
		p = &cf->cf_psks[i];
		if (warn_psk_is_addr(&p->ps_local) &&
		    warn_psk_is_addr(&p->ps_remote) &&
		    warn_addrlist_meets(&r->cr_local, &p->ps_local.pi_range) &&
		    warn_addrlist_meets(&r->cr_remote, &p->ps_remote.pi_range))
			return (1);
	}
	return (0);
}

/* The first range of l, and how many more there are. */
static void
warn_format_addrlist(const struct config_addrlist *l, char *buf, size_t len)
{
	char	first[128];

	if (l->n == 0) {
		(void)snprintf(buf, len, "none");
		return;
	}
	addr_format_range(&l->ranges[0], first, sizeof(first));
	if (l->n == 1)
		(void)snprintf(buf, len, "%s", first);
	else
		(void)snprintf(buf, len, "%s and %zu more", first, l->n - 1);
}

static void
warn_preshared(const struct config *cf, const struct config_paths *paths,
    struct config_diag *diag)
{
	const struct config_rule	*r;
	const char			*file;
	char				 l[192], rem[192];
	size_t				 i;

	if (cf->cf_missing & CONFIG_MISSING_PRESHARED)
		return;
	file = paths->cp_preshared != NULL ? paths->cp_preshared :
	    "ike.preshared";
	for (i = 0; i < cf->cf_nrules; i++) {
		r = &cf->cf_rules[i];
		if (r->cr_nxforms == 0 || r->cr_xforms[0].px_auth_method !=
		    CONFIG_AUTH_PRESHARED || warn_rule_has_psk(cf, r))
			continue;
		warn_format_addrlist(&r->cr_local, l, sizeof(l));
		warn_format_addrlist(&r->cr_remote, rem, sizeof(rem));
		diag_add(diag, r->cr_where.cw_file, r->cr_where.cw_line,
		    "warning: rule \"%s\" (local_addr %s, remote_addr %s) uses "
		    "preshared keys, but no entry of %s has localid and "
		    "remoteid addresses within these, so its Phase 1 always "
		    "fails: add an entry for the two addresses",
		    warn_label(r), l, rem, file);
	}
}

static int
warn_cmp_u(unsigned int a, unsigned int b)
{
	return (a < b ? -1 : a > b);
}

static int
warn_num_cmp(const struct config_spd_num *a, const struct config_spd_num *b)
{
	int	c;

	if ((c = warn_cmp_u(a->sn_set, b->sn_set)) != 0 || !a->sn_set)
		return (c);
	if ((c = warn_cmp_u(a->sn_lo, b->sn_lo)) != 0)
		return (c);
	return (warn_cmp_u(a->sn_hi, b->sn_hi));
}

static int
warn_opt_range_cmp(int aset, const struct config_range *a, int bset,
    const struct config_range *b)
{
	int	c;

	if ((c = warn_cmp_u(aset != 0, bset != 0)) != 0 || !aset)
		return (c);
	return (warn_range_cmp(a, b));
}

static int
warn_alg_cmp(const struct config_spd_alg *a, const struct config_spd_alg *b)
{
	int	c;

	if ((c = warn_cmp_u(a->sa_set, b->sa_set)) != 0 ||
	    (c = warn_cmp_u(a->sa_id, b->sa_id)) != 0 ||
	    (c = warn_cmp_u(a->sa_klen_min, b->sa_klen_min)) != 0)
		return (c);
	return (warn_cmp_u(a->sa_klen_max, b->sa_klen_max));
}

static int
warn_alt_cmp(const struct config_spd_alt *a, const struct config_spd_alt *b)
{
	int	c;

	if ((c = warn_cmp_u(a->sp_action, b->sp_action)) != 0 ||
	    (c = warn_alg_cmp(&a->sp_ah_auth, &b->sp_ah_auth)) != 0 ||
	    (c = warn_alg_cmp(&a->sp_esp_encr, &b->sp_esp_encr)) != 0 ||
	    (c = warn_alg_cmp(&a->sp_esp_auth, &b->sp_esp_auth)) != 0 ||
	    (c = warn_cmp_u(a->sp_sa_unique, b->sp_sa_unique)) != 0)
		return (c);
	return (warn_cmp_u(a->sp_dir, b->sp_dir));
}

/* The pattern, including the tunnel endpoints. */
static int
warn_spd_pattern_cmp(const struct config_spd *a, const struct config_spd *b)
{
	int	c;

	if ((c = warn_opt_range_cmp(a->sd_laddr_set, &a->sd_laddr,
	    b->sd_laddr_set, &b->sd_laddr)) != 0 ||
	    (c = warn_opt_range_cmp(a->sd_raddr_set, &a->sd_raddr,
	    b->sd_raddr_set, &b->sd_raddr)) != 0 ||
	    (c = warn_num_cmp(&a->sd_lport, &b->sd_lport)) != 0 ||
	    (c = warn_num_cmp(&a->sd_rport, &b->sd_rport)) != 0 ||
	    (c = warn_num_cmp(&a->sd_ulp, &b->sd_ulp)) != 0 ||
	    (c = warn_num_cmp(&a->sd_icmp_type, &b->sd_icmp_type)) != 0 ||
	    (c = warn_num_cmp(&a->sd_icmp_code, &b->sd_icmp_code)) != 0 ||
	    (c = warn_cmp_u(a->sd_dir, b->sd_dir)) != 0 ||
	    (c = warn_cmp_u(a->sd_negotiate, b->sd_negotiate)) != 0 ||
	    (c = warn_opt_range_cmp(a->sd_tunnel, &a->sd_tdst, b->sd_tunnel,
	    &b->sd_tdst)) != 0 ||
	    (a->sd_tunnel && (c = config_ip_cmp(&a->sd_tsrc,
	    &b->sd_tsrc)) != 0))
		return (c);
	return (0);
}

/* Pattern, then actions: equal means the two entries are the same. */
static int
warn_spd_content_cmp(const struct config_spd *a, const struct config_spd *b)
{
	size_t	i;
	int	c;

	if ((c = warn_spd_pattern_cmp(a, b)) != 0 ||
	    (c = warn_cmp_u(a->sd_nalts, b->sd_nalts)) != 0)
		return (c);
	for (i = 0; i < a->sd_nalts; i++) {
		if ((c = warn_alt_cmp(&a->sd_alts[i], &b->sd_alts[i])) != 0)
			return (c);
	}
	return (0);
}

/* Content order, then the place in the file. */
static int
warn_spd_cmp(const void *pa, const void *pb)
{
	const struct config_spd	*a, *b;
	int			 c;

	a = *(const struct config_spd *const *)pa;
	b = *(const struct config_spd *const *)pb;
	if ((c = warn_spd_content_cmp(a, b)) != 0)
		return (c);
	if ((c = strcmp(a->sd_where.cw_file, b->sd_where.cw_file)) != 0)
		return (c);
	return (warn_cmp_u(a->sd_where.cw_line, b->sd_where.cw_line));
}

/* An entry that repeats an earlier one exactly adds nothing. */
static void
warn_spd_duplicates(const struct config *cf, struct config_diag *diag)
{
	const struct config_spd	**v, *first;
	size_t			  i;

	if (cf->cf_nspds < 2 ||
	    (v = calloc(cf->cf_nspds, sizeof(*v))) == NULL)
		return;
	for (i = 0; i < cf->cf_nspds; i++)
		v[i] = &cf->cf_spds[i];
	qsort(v, cf->cf_nspds, sizeof(*v), warn_spd_cmp);
	first = v[0];
	for (i = 1; i < cf->cf_nspds; i++) {
		if (warn_spd_content_cmp(first, v[i]) != 0) {
			first = v[i];
			continue;
		}
		diag_add(diag, v[i]->sd_where.cw_file, v[i]->sd_where.cw_line,
		    "warning: policy entry repeats the entry at line %u "
		    "exactly and has no effect: remove one of them",
		    first->sd_where.cw_line);
	}
	free(v);
}

/*
 * The directions (enum config_spd_dir bits) that an entry applies to, as
 * the kernel policies get them, or -1 when its actions differ in that.
 */
static int
warn_spd_dirs(const struct config_spd *s)
{
	const struct config_spd_alt	*alt;
	size_t				 i;
	int				 d, dirs = -1;

	for (i = 0; i < s->sd_nalts; i++) {
		alt = &s->sd_alts[i];
		if (alt->sp_action == CONFIG_SPD_APPLY)
			d = CONFIG_DIR_OUT;
		else if (alt->sp_action == CONFIG_SPD_PERMIT)
			d = CONFIG_DIR_IN;
		else if (alt->sp_dir != 0)
			d = alt->sp_dir;
		else
			d = s->sd_dir != 0 ? s->sd_dir : CONFIG_DIR_BOTH;
		if (dirs >= 0 && d != dirs)
			return (-1);
		dirs = d;
	}
	return (dirs);
}

/*
 * Warn about an entry that is never used, because an entry before it in
 * match order (the order of cf_spds) has the same pattern for all of its
 * directions and other actions.  A packet takes the first entry that
 * matches.  warn_spd_duplicates() reports exact repeats.
 */
static void
warn_spd_same_pattern(const struct config *cf, struct config_diag *diag)
{
	const struct config_spd	*a, *b;
	size_t			 i, j;
	int			 adirs, bdirs;

	for (j = 1; j < cf->cf_nspds; j++) {
		b = &cf->cf_spds[j];
		if ((bdirs = warn_spd_dirs(b)) < 0)
			continue;
		for (i = 0; i < j; i++) {
			a = &cf->cf_spds[i];
			adirs = warn_spd_dirs(a);
			if (adirs < 0 || (bdirs & ~adirs) != 0 ||
			    warn_spd_pattern_cmp(a, b) != 0 ||
			    warn_spd_content_cmp(a, b) == 0)
				continue;
			diag_add(diag, b->sd_where.cw_file,
			    b->sd_where.cw_line, "warning: policy entry is "
			    "never used: the entry at line %u has the same "
			    "pattern and comes first in match order (see "
			    "in.iked -c -v); join their actions with or in "
			    "one entry, or remove one", a->sd_where.cw_line);
			break;
		}
	}
}

static int
warn_spd_pattern_empty(const struct config_spd *s)
{
	return (!s->sd_laddr_set && !s->sd_raddr_set && !s->sd_tunnel &&
	    !s->sd_lport.sn_set && !s->sd_rport.sn_set &&
	    !s->sd_ulp.sn_set && !s->sd_icmp_type.sn_set &&
	    !s->sd_icmp_code.sn_set);
}

/*
 * "{ } ipsec { ... }" applies to every packet of every address, which is
 * rarely meant, so warn about it.
 */
static void
warn_spd_empty(const struct config *cf, struct config_diag *diag)
{
	const struct config_spd	*s;
	size_t			 i;

	for (i = 0; i < cf->cf_nspds; i++) {
		s = &cf->cf_spds[i];
		if (!warn_spd_pattern_empty(s))
			continue;
		diag_add(diag, s->sd_where.cw_file, s->sd_where.cw_line,
		    "warning: policy entry has an empty pattern { }, so it "
		    "applies to all traffic of every address: add laddr, "
		    "raddr, ulp or ports unless that is meant");
	}
}

static void
warn_p1_life(const char *file, const char *what,
    const struct config_u32 *life, struct config_diag *diag)
{
	if (life->src != CONFIG_SRC_FILE ||
	    life->val >= CONFIG_WARN_P1_LIFETIME)
		return;
	diag_add(diag, file, life->line, "warning: %sp1_lifetime_secs %u is "
	    "shorter than %u seconds: every Phase 1 renewal costs a "
	    "Diffie-Hellman exchange and an authentication, so use at least "
	    "%u outside tests", what, life->val, CONFIG_WARN_P1_LIFETIME,
	    CONFIG_WARN_P1_LIFETIME);
}

/* The global value, then each p1_xform that sets its own. */
static void
warn_p1_lifetimes(const struct config *cf, struct config_diag *diag)
{
	const struct config_globals	*g = &cf->cf_globals;
	const struct config_rule	*r;
	const char			*file;
	char				 what[300];
	size_t				 i, j;

	file = cf->cf_config_file != NULL ? cf->cf_config_file : "config";
	warn_p1_life(file, "", &g->cg_p1_lifetime_secs, diag);
	for (i = 0; i < g->cg_nxforms; i++)
		warn_p1_life(g->cg_xforms[i].px_where.cw_file != NULL ?
		    g->cg_xforms[i].px_where.cw_file : file, "p1_xform: ",
		    &g->cg_xforms[i].px_lifetime_secs, diag);
	for (i = 0; i < cf->cf_nrules; i++) {
		r = &cf->cf_rules[i];
		if (r->cr_xforms_global)
			continue;
		(void)snprintf(what, sizeof(what), "rule \"%s\": p1_xform: ",
		    warn_label(r));
		for (j = 0; j < r->cr_nxforms; j++)
			warn_p1_life(r->cr_where.cw_file, what,
			    &r->cr_xforms[j].px_lifetime_secs, diag);
	}
}

/* The folder of the key file: others must not replace the file. */
static void
warn_secret_dir(const char *preshared, struct config_diag *diag)
{
	struct stat	 st;
	char		 dir[4096], *slash;

	if (preshared == NULL || strlen(preshared) >= sizeof(dir))
		return;
	strcpy(dir, preshared);
	if ((slash = strrchr(dir, '/')) == NULL)
		return;
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) == 0)
		return;
	diag_add(diag, dir, 0, "warning: folder of the key file is writable "
	    "by group or others (mode %04o), who could replace the keys: run "
	    "chmod go-w %s", (unsigned int)(st.st_mode & 07777), dir);
}

void
config_warn(const struct config *cf, const struct config_paths *paths,
    struct config_diag *diag)
{
	const char	*file;

	file = cf->cf_config_file != NULL ? cf->cf_config_file : "config";
	if (cf->cf_nrules == 0)
		diag_add(diag, file, 0, "warning: no rules: in.iked negotiates "
		    "no SAs, and a reload with this file deletes every SA "
		    "in use");
	if ((cf->cf_missing & CONFIG_MISSING_IPSECINIT) &&
	    paths->cp_ipsecinit != NULL)
		diag_add(diag, paths->cp_ipsecinit, 0, "warning: file not "
		    "found, so no IPsec policy is loaded and no traffic is "
		    "protected: create it with the policy entries");
	warn_shadowed(cf, diag);
	warn_tunnels(cf, diag);
	warn_spd_duplicates(cf, diag);
	warn_spd_same_pattern(cf, diag);
	warn_spd_empty(cf, diag);
	warn_idletimes(cf, diag);
	warn_preshared(cf, paths, diag);
	warn_p1_lifetimes(cf, diag);
	warn_secret_dir(paths->cp_preshared, diag);
}
