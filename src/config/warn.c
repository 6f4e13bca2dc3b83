/*
 * Warnings about a configuration that loads but probably does not do what
 * its author meant.  They cover no rules, rules that are never chosen,
 * tunnel policy that no rule negotiates, idle times above the lifetime,
 * and a key folder that others may change.  They never make a
 * configuration invalid, because an administrator may mean each of them.
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
	warn_shadowed(cf, diag);
	warn_tunnels(cf, diag);
	warn_idletimes(cf, diag);
	warn_p1_lifetimes(cf, diag);
	warn_secret_dir(paths->cp_preshared, diag);
}
