/*
 * What a reload changes for established ISAKMP SAs: an SA authenticated
 * under Phase 1 settings that the new configuration no longer has (its
 * method, preshared key, identities or certificate trust) is deleted, so
 * that no new Quick Mode runs on it.  The settings are compared with the
 * old configuration, which is still in memory at that point.
 */
#include <string.h>

#include "ike/ike_int.h"
#include "lib/log.h"
#include "lib/util.h"

static int
ike_reauth_str_same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

static int
ike_reauth_strlist_same(const struct config_strlist *a,
    const struct config_strlist *b)
{
	size_t	i;

	if (a->n != b->n)
		return (0);
	for (i = 0; i < a->n; i++)
		if (!ike_reauth_str_same(a->items[i], b->items[i]))
			return (0);
	return (1);
}

/* Whether two rules name the same local and remote identities. */
static int
ike_reauth_ids_same(const struct config_rule *a, const struct config_rule *b)
{
	size_t	i;

	if (a->cr_local_id_type.val != b->cr_local_id_type.val ||
	    !ike_reauth_str_same(a->cr_local_id, b->cr_local_id) ||
	    a->cr_nremote_ids != b->cr_nremote_ids)
		return (0);
	for (i = 0; i < a->cr_nremote_ids; i++)
		if (a->cr_remote_ids[i].is_exclude !=
		    b->cr_remote_ids[i].is_exclude ||
		    !ike_reauth_str_same(a->cr_remote_ids[i].is_sel,
		    b->cr_remote_ids[i].is_sel))
			return (0);
	return (1);
}

/* Whether the rule still offers the method p1 was authenticated with. */
static int
ike_reauth_method_kept(const struct ike_p1 *p1, const struct config_rule *r)
{
	size_t	i;

	for (i = 0; i < r->cr_nxforms; i++)
		if ((unsigned int)r->cr_xforms[i].px_auth_method ==
		    p1->p1_auth)
			return (1);
	return (0);
}

/* Whether the preshared key for p1's addresses is the same in both. */
static int
ike_reauth_psk_same(const struct ike_p1 *p1, const struct config *old,
    const struct config *cfg)
{
	const struct config_psk	*a, *b;
	struct config_ip	 l, r;

	if (config_ip_from_sockaddr(&l, &p1->p1_local) != 0 ||
	    config_ip_from_sockaddr(&r, &p1->p1_remote) != 0)
		return (0);
	a = config_psk_find_addr(old, &l, &r);
	b = config_psk_find_addr(cfg, &l, &r);
	if (a == NULL || b == NULL)
		return (a == b);
	return (a->ps_key.wb_len == b->ps_key.wb_len &&
	    util_memeq_ct(a->ps_key.wb_data, b->ps_key.wb_data,
	    a->ps_key.wb_len));
}

/* Whether the settings that decide which certificates are trusted stay. */
static int
ike_reauth_trust_same(const struct config *old, const struct config *cfg)
{
	const struct config_globals	*a = &old->cf_globals;
	const struct config_globals	*b = &cfg->cf_globals;

	return (ike_reauth_strlist_same(&a->cg_cert_root, &b->cg_cert_root) &&
	    ike_reauth_strlist_same(&a->cg_cert_trust, &b->cg_cert_trust) &&
	    a->cg_ignore_crls.val == b->cg_ignore_crls.val);
}

/*
 * Why p1, authenticated under its rule in old, is not authenticated as
 * rule now requires in cfg, or NULL when nothing that matters changed.
 * The reason may be in a static buffer, valid until the next call.
 */
const char *
ike_reauth_changed(const struct ike_p1 *p1, const struct config *old,
    const struct config *cfg, const struct config_rule *rule)
{
	static char	why[256];

	int	psk = p1->p1_auth == CONFIG_AUTH_PRESHARED;

	if (old == NULL || p1->p1_rule == NULL)
		return (NULL);
	if (!ike_reauth_method_kept(p1, rule))
		return ("no p1_xform of the rule has its authentication "
		    "method any more");
	if (!ike_reauth_ids_same(p1->p1_rule, rule))
		return ("the rule's local_id, local_id_type or remote_id "
		    "changed");
	if (psk && !ike_reauth_psk_same(p1, old, cfg))
		return ("the preshared key for its addresses changed in "
		    "ike.preshared");
	if (!psk && !ike_reauth_trust_same(old, cfg))
		return ("cert_root, cert_trust or ignore_crls changed");
	if (ike_cert_recheck(p1, rule, why, sizeof(why)) != 0)
		return (why);
	return (NULL);
}
