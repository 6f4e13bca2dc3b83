/*
 * Validation of a parsed configuration, run after all files are read:
 * required rule keywords, unique labels, authentication methods, groups,
 * lifetimes.  It also fills in every default, so that the engine reads
 * only effective values, each with its source.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/diag.h"
#include "config/parse.h"
#include "lib/err.h"
#include "lib/util.h"

#define VALIDATE_MAX_EXPIRE	86400	/* seconds */
#define VALIDATE_MAX_RETRY	100
#define VALIDATE_MAX_RETRY_MS	(3600 * 1000)

#define VALIDATE_GROUPS	"1 2 5 14 15 16 17 18 19 20 21 22 23 24 25 26 31 32"

struct validate {
	struct config		*v_cf;
	struct config_diag	*v_diag;
	const char		*v_file;	/* the ike.config */
	/* Per rule, the first earlier rule with its label, or NULL. */
	const struct config_rule **v_label_first;
	int			 v_nomem;
};

static void
validate_default(struct config_u32 *v, uint32_t def)
{
	if (v->src == CONFIG_SRC_DEFAULT) {
		v->val = def;
		v->line = 0;
	}
}

/* The valid values of the numeric keywords that have limits. */
struct validate_bound {
	const char	*vb_kw;
	uint32_t	 vb_lo;
	uint32_t	 vb_hi;
	const char	*vb_unit;
};

static const struct validate_bound validate_bounds[] = {
	{ "expire_timer", 1, VALIDATE_MAX_EXPIRE, "seconds" },
	{ "retry_limit", 0, VALIDATE_MAX_RETRY, "retransmissions" },
	{ "max_half_open", 1, CONFIG_MAX_HALF_OPEN, "exchanges" },
	{ "p1_lifetime_secs", CONFIG_MIN_P1_LIFETIME, UINT32_MAX, "seconds" },
	{ "p1_nonce_len", CONFIG_MIN_NONCE_LEN, CONFIG_MAX_NONCE_LEN, "bytes" },
	{ "p2_nonce_len", CONFIG_MIN_NONCE_LEN, CONFIG_MAX_NONCE_LEN, "bytes" },
	{ "p2_lifetime_secs", CONFIG_MIN_P2_LIFETIME, UINT32_MAX, "seconds" },
	{ "dpd_interval", 0, CONFIG_MAX_DPD_INTERVAL, "seconds" },
	{ "dpd_retries", 1, CONFIG_MAX_DPD_RETRIES, "probes" },
};

static const struct validate_bound *
validate_bound(const char *kw)
{
	size_t	i;

	for (i = 0; i < UTIL_NELEM(validate_bounds); i++)
		if (strcmp(validate_bounds[i].vb_kw, kw) == 0)
			return (&validate_bounds[i]);
	return (NULL);
}

/*
 * Write what a value of the numeric keyword kw must be, for the error
 * about a value that is no number or out of range.
 */
void
config_u32_expected(const char *kw, char *buf, size_t len)
{
	const struct validate_bound	*b = validate_bound(kw);

	if (strcmp(kw, "p2_pfs") == 0)
		snprintf(buf, len, "0 (no PFS) or one of " VALIDATE_GROUPS);
	else if (b != NULL)
		snprintf(buf, len, "%u to %u %s", b->vb_lo, b->vb_hi,
		    b->vb_unit);
	else
		snprintf(buf, len, "a number from 0 to %u", UINT32_MAX);
}

static void
validate_range(struct validate *v, const char *kw, const struct config_u32 *u)
{
	const struct validate_bound	*b = validate_bound(kw);
	char				 expected[128];

	if (u->src != CONFIG_SRC_FILE || b == NULL ||
	    (u->val >= b->vb_lo && u->val <= b->vb_hi))
		return;
	config_u32_expected(kw, expected, sizeof(expected));
	diag_add(v->v_diag, v->v_file, u->line, "invalid %s %u: expected %s",
	    kw, u->val, expected);
}

static void
validate_pfs(struct validate *v, const struct config_u32 *pfs)
{
	if (pfs->src != CONFIG_SRC_FILE || pfs->val == 0 ||
	    config_group_known((int)pfs->val))
		return;
	diag_add(v->v_diag, v->v_file, pfs->line, "invalid p2_pfs %u: "
	    "expected 0 (no PFS) or one of " VALIDATE_GROUPS, pfs->val);
}

/* Checks of the p2 values set in one place (global or a rule). */
static void
validate_p2_values(struct validate *v, const struct config_p2 *p2)
{
	validate_pfs(v, &p2->p2_pfs);
	validate_range(v, "p2_lifetime_secs", &p2->p2_lifetime_secs);
	validate_range(v, "dpd_interval", &p2->p2_dpd_interval);
	validate_range(v, "dpd_retries", &p2->p2_dpd_retries);
}

/* Soft lifetime limits: at most the hard value (equal means no soft). */
static void
validate_soft(struct validate *v, const char *file, const char *softkw,
    const struct config_u32 *soft, const char *hardkw,
    const struct config_u32 *hard)
{
	unsigned int	line;

	if (hard->val == 0 || soft->val <= hard->val)
		return;
	/* Both values inherited: the global pair was reported already. */
	if (soft->src == CONFIG_SRC_GLOBAL && hard->src == CONFIG_SRC_GLOBAL)
		return;
	line = soft->src == CONFIG_SRC_FILE ? soft->line : hard->line;
	diag_add(v->v_diag, file, line, "%s %u is larger than %s %u: the "
	    "soft lifetime must not exceed the hard lifetime", softkw,
	    soft->val, hardkw, hard->val);
}

/*
 * Effective value of a rule's p2 field: the rule's own, else the global
 * one from the file, else the default.
 */
static void
validate_inherit(struct config_u32 *r, const struct config_u32 *g)
{
	if (r->src == CONFIG_SRC_FILE)
		return;
	if (g->src == CONFIG_SRC_FILE) {
		r->val = g->val;
		r->src = CONFIG_SRC_GLOBAL;
		r->line = g->line;
		return;
	}
	*r = *g;
}

/*
 * Soft limits default to 90 % of the hard limit that applies at the same
 * level.  A rule that sets its own hard limit gets 90 % of it rather than
 * a global soft value.
 */
static void
validate_soft_default(struct config_u32 *soft, const struct config_u32 *hard,
    uint32_t nohard_default)
{
	if (soft->src == CONFIG_SRC_FILE)
		return;
	soft->src = CONFIG_SRC_DEFAULT;
	soft->line = 0;
	if (hard->src != CONFIG_SRC_DEFAULT)
		soft->val = (uint32_t)((uint64_t)hard->val * 9 / 10);
	else
		soft->val = nohard_default;
}

static void
validate_globals_p2(struct validate *v, struct config_p2 *p2)
{
	validate_p2_values(v, p2);
	validate_default(&p2->p2_pfs, 0);
	validate_default(&p2->p2_lifetime_secs, CONFIG_DEF_P2_LIFETIME);
	validate_default(&p2->p2_idletime_secs, 0);
	validate_default(&p2->p2_lifetime_kb, 0);
	validate_default(&p2->p2_dpd_interval, CONFIG_DEF_DPD_INTERVAL);
	validate_default(&p2->p2_dpd_retries, CONFIG_DEF_DPD_RETRIES);
	validate_soft_default(&p2->p2_softlife_secs, &p2->p2_lifetime_secs,
	    CONFIG_DEF_P2_SOFTLIFE);
	validate_soft_default(&p2->p2_softlife_kb, &p2->p2_lifetime_kb, 0);
	validate_soft(v, v->v_file, "p2_softlife_secs", &p2->p2_softlife_secs,
	    "p2_lifetime_secs", &p2->p2_lifetime_secs);
	validate_soft(v, v->v_file, "p2_softlife_kb", &p2->p2_softlife_kb,
	    "p2_lifetime_kb", &p2->p2_lifetime_kb);
}

static void
validate_globals(struct validate *v)
{
	struct config_globals	*g = &v->v_cf->cf_globals;

	validate_range(v, "expire_timer", &g->cg_expire_timer);
	validate_range(v, "retry_limit", &g->cg_retry_limit);
	validate_range(v, "max_half_open", &g->cg_max_half_open);
	validate_default(&g->cg_expire_timer, CONFIG_DEF_EXPIRE_TIMER);
	validate_default(&g->cg_retry_limit, CONFIG_DEF_RETRY_LIMIT);
	validate_default(&g->cg_max_half_open, CONFIG_DEF_MAX_HALF_OPEN);
	validate_default(&g->cg_retry_timer_init, CONFIG_DEF_RETRY_INIT_MS);
	validate_default(&g->cg_retry_timer_max, CONFIG_DEF_RETRY_MAX_MS);
	if (g->cg_retry_timer_init.val == 0 ||
	    g->cg_retry_timer_init.val > VALIDATE_MAX_RETRY_MS)
		diag_add(v->v_diag, v->v_file, g->cg_retry_timer_init.line,
		    "invalid retry_timer_init %u ms: expected more than 0 and "
		    "at most 3600 seconds", g->cg_retry_timer_init.val);
	else if (g->cg_retry_timer_max.val < g->cg_retry_timer_init.val ||
	    g->cg_retry_timer_max.val > VALIDATE_MAX_RETRY_MS)
		diag_add(v->v_diag, v->v_file, g->cg_retry_timer_max.line != 0 ?
		    g->cg_retry_timer_max.line : g->cg_retry_timer_init.line,
		    "invalid retry_timer_max %u ms: expected at least "
		    "retry_timer_init (%u ms) and at most 3600 seconds",
		    g->cg_retry_timer_max.val, g->cg_retry_timer_init.val);

	validate_range(v, "p1_lifetime_secs", &g->cg_p1_lifetime_secs);
	validate_range(v, "p1_nonce_len", &g->cg_p1_nonce_len);
	validate_range(v, "p2_nonce_len", &g->cg_p2_nonce_len);
	validate_default(&g->cg_p1_lifetime_secs, CONFIG_DEF_P1_LIFETIME);
	validate_default(&g->cg_min_p1_lifetime, CONFIG_MIN_P1_LIFETIME);
	validate_default(&g->cg_p1_nonce_len, CONFIG_DEF_NONCE_LEN);
	validate_default(&g->cg_p2_nonce_len, CONFIG_DEF_NONCE_LEN);
	validate_default(&g->cg_local_id_type, CONFIG_ID_IP);
	validate_globals_p2(v, &g->cg_p2);
	if (g->cg_pkcs11_path.val == NULL &&
	    (g->cg_pkcs11_path.val = strdup(CONFIG_DEF_PKCS11_PATH)) == NULL)
		v->v_nomem = 1;
}

static void
validate_xform(struct validate *v, struct config_p1_xform *x)
{
	const struct config_globals	*g = &v->v_cf->cf_globals;
	const char			*file = x->px_where.cw_file;
	unsigned int			 line = x->px_where.cw_line;

	if (x->px_auth_method == 0)
		diag_add(v->v_diag, file, line, "p1_xform has no auth_method: "
		    "add one of preshared rsa_sig rsa_encrypt rsa_encrypt_rev "
		    "dss_sig ecdsa_p256 ecdsa_p384 ecdsa_p521");
	if (x->px_group == 0)
		diag_add(v->v_diag, file, line, "p1_xform has no oakley_group: "
		    "add one such as oakley_group 14");
	else if (!config_group_known(x->px_group))
		diag_add(v->v_diag, file, x->px_group_line, "invalid "
		    "oakley_group %d: expected one of " VALIDATE_GROUPS,
		    x->px_group);
	if (x->px_encr == 0)
		diag_add(v->v_diag, file, line, "p1_xform has no encr_alg: "
		    "add one such as encr_alg aes");
	if (x->px_hash == 0)
		diag_add(v->v_diag, file, line, "p1_xform has no auth_alg: "
		    "add one such as auth_alg sha256");
	if (x->px_lifetime_secs.src == CONFIG_SRC_FILE &&
	    x->px_lifetime_secs.val < CONFIG_MIN_P1_LIFETIME)
		diag_add(v->v_diag, file, x->px_lifetime_secs.line, "invalid "
		    "p1_lifetime_secs %u: expected at least %u seconds",
		    x->px_lifetime_secs.val, CONFIG_MIN_P1_LIFETIME);
	if (x->px_lifetime_secs.src != CONFIG_SRC_FILE) {
		x->px_lifetime_secs.val = g->cg_p1_lifetime_secs.val;
		x->px_lifetime_secs.src = g->cg_p1_lifetime_secs.src ==
		    CONFIG_SRC_FILE ? CONFIG_SRC_GLOBAL : CONFIG_SRC_DEFAULT;
		x->px_lifetime_secs.line = g->cg_p1_lifetime_secs.line;
	}
}

/* Whether some local and some remote range are of the same family. */
static int
validate_same_family(const struct config_rule *r)
{
	size_t	i, j;

	for (i = 0; i < r->cr_local.n; i++) {
		for (j = 0; j < r->cr_remote.n; j++) {
			if (r->cr_local.ranges[i].lo.family ==
			    r->cr_remote.ranges[j].lo.family)
				return (1);
		}
	}
	return (0);
}

static void
validate_required(struct validate *v, const struct config_rule *r)
{
	const char	*file = r->cr_where.cw_file;
	unsigned int	 line = r->cr_where.cw_line;

	if (r->cr_label == NULL)
		diag_add(v->v_diag, file, line, "rule has no label: add "
		    "label \"NAME\" with a name unique in the file");
	if (r->cr_local.n == 0)
		diag_add(v->v_diag, file, line, "rule has no local_addr: add "
		    "the local address, prefix or range it applies to");
	if (r->cr_remote.n == 0)
		diag_add(v->v_diag, file, line, "rule has no remote_addr: add "
		    "the peer address, prefix or range it applies to");
	else if (r->cr_local.n > 0 && !validate_same_family(r))
		diag_add(v->v_diag, file, line, "rule \"%s\" can never match: "
		    "its local_addr and remote_addr have no address family in "
		    "common", r->cr_label != NULL ? r->cr_label : "");
}

/* Rules by label, then by position; rules without a label come first. */
static int
validate_label_cmp(const void *pa, const void *pb)
{
	const struct config_rule	*a = *(const struct config_rule *const *)pa;
	const struct config_rule	*b = *(const struct config_rule *const *)pb;
	int				 c;

	if (a->cr_label == NULL || b->cr_label == NULL)
		c = (a->cr_label != NULL) - (b->cr_label != NULL);
	else
		c = strcmp(a->cr_label, b->cr_label);
	if (c != 0)
		return (c);
	return (a < b ? -1 : a > b);
}

/*
 * Fill v_label_first by sorting the rules by label, so that large files
 * take O(n log n) rather than comparing every pair.
 */
static void
validate_find_labels(struct validate *v)
{
	const struct config_rule	**sorted, *first = NULL;
	struct config			 *cf = v->v_cf;
	size_t				  i;

	if (cf->cf_nrules == 0)
		return;
	sorted = calloc(cf->cf_nrules, sizeof(*sorted));
	v->v_label_first = calloc(cf->cf_nrules, sizeof(*v->v_label_first));
	if (sorted == NULL || v->v_label_first == NULL) {
		v->v_nomem = 1;
		free(sorted);
		return;
	}
	for (i = 0; i < cf->cf_nrules; i++)
		sorted[i] = &cf->cf_rules[i];
	qsort(sorted, cf->cf_nrules, sizeof(*sorted), validate_label_cmp);
	for (i = 0; i < cf->cf_nrules; i++) {
		if (sorted[i]->cr_label == NULL)
			continue;
		if (first != NULL &&
		    strcmp(first->cr_label, sorted[i]->cr_label) == 0)
			v->v_label_first[sorted[i] - cf->cf_rules] = first;
		else
			first = sorted[i];
	}
	free(sorted);
}

static void
validate_unique_label(struct validate *v, size_t idx)
{
	const struct config_rule	*r = &v->v_cf->cf_rules[idx];
	const struct config_rule	*first;

	if (v->v_label_first == NULL ||
	    (first = v->v_label_first[idx]) == NULL)
		return;
	if (first->cr_where.cw_file != r->cr_where.cw_file &&
	    first->cr_where.cw_file != NULL) {
		/* Another file: the running rules when ikeadm adds one. */
		diag_add(v->v_diag, r->cr_where.cw_file, r->cr_where.cw_line,
		    "duplicate label \"%s\": the rule at %s:%u already uses "
		    "it; labels must be unique", r->cr_label,
		    first->cr_where.cw_file, first->cr_where.cw_line);
		return;
	}
	diag_add(v->v_diag, r->cr_where.cw_file, r->cr_where.cw_line,
	    "duplicate label \"%s\": the rule at line %u already uses it; "
	    "labels must be unique", r->cr_label, first->cr_where.cw_line);
}

/*
 * Give a rule without xforms a copy of the global list.  Returns -1 when
 * there is none.
 */
static int
validate_rule_xforms(struct validate *v, struct config_rule *r)
{
	const struct config_globals	*g = &v->v_cf->cf_globals;
	size_t				 i;

	if (r->cr_nxforms > 0) {
		for (i = 0; i < r->cr_nxforms; i++)
			validate_xform(v, &r->cr_xforms[i]);
		return (0);
	}
	if (g->cg_nxforms == 0) {
		diag_add(v->v_diag, r->cr_where.cw_file, r->cr_where.cw_line,
		    "rule \"%s\" has no p1_xform and there is no global "
		    "p1_xform: add p1_xform { ... } to the rule or before the "
		    "first rule", r->cr_label != NULL ? r->cr_label : "");
		return (-1);
	}
	r->cr_xforms = calloc(g->cg_nxforms, sizeof(*r->cr_xforms));
	if (r->cr_xforms == NULL) {
		v->v_nomem = 1;
		return (-1);
	}
	memcpy(r->cr_xforms, g->cg_xforms,
	    g->cg_nxforms * sizeof(*r->cr_xforms));
	r->cr_nxforms = g->cg_nxforms;
	r->cr_xforms_global = 1;
	return (0);
}

/* All xforms preshared, or all certificate-based: no mixing. */
static void
validate_rule_auth(struct validate *v, struct config_rule *r)
{
	const char	*file = r->cr_where.cw_file;
	unsigned int	 line = r->cr_where.cw_line;
	size_t		 i, npsk = 0, ncert = 0, nenc = 0;
	int		 m;

	for (i = 0; i < r->cr_nxforms; i++) {
		m = r->cr_xforms[i].px_auth_method;
		if (m == CONFIG_AUTH_PRESHARED)
			npsk++;
		else if (m != 0)
			ncert++;
		if (m == CONFIG_AUTH_RSA_ENCRYPT ||
		    m == CONFIG_AUTH_RSA_ENCRYPT_REV)
			nenc++;
	}
	/* Key separation: the rule's one key either decrypts or signs. */
	if (nenc > 0 && nenc < ncert) {
		diag_add(v->v_diag, file, line, "rule \"%s\" mixes public "
		    "key encryption (rsa_encrypt, rsa_encrypt_rev) and "
		    "signature p1_xforms: one RSA key must not both decrypt "
		    "and sign, so split it into two rules with their own "
		    "local certificates", r->cr_label != NULL ? r->cr_label :
		    "");
		return;
	}
	if (npsk > 0 && ncert > 0) {
		diag_add(v->v_diag, file, line, "rule \"%s\" mixes preshared "
		    "and certificate p1_xforms: split it into two rules",
		    r->cr_label != NULL ? r->cr_label : "");
		return;
	}
	if (npsk > 0) {
		if (r->cr_local_id != NULL)
			diag_add(v->v_diag, file, line, "rule \"%s\" uses "
			    "preshared keys, which identify peers by address: "
			    "remove local_id", r->cr_label ? r->cr_label : "");
		if (r->cr_nremote_ids > 0)
			diag_add(v->v_diag, file, line, "rule \"%s\" uses "
			    "preshared keys, which identify peers by address: "
			    "remove remote_id", r->cr_label ? r->cr_label : "");
	} else if (ncert > 0) {
		if (r->cr_local_id_type.src == CONFIG_SRC_DEFAULT)
			diag_add(v->v_diag, file, line, "rule \"%s\" uses "
			    "certificates but has no local_id_type: add one "
			    "such as local_id_type dn",
			    r->cr_label ? r->cr_label : "");
		if (r->cr_local_id == NULL)
			diag_add(v->v_diag, file, line, "rule \"%s\" uses "
			    "certificates but has no local_id: add the "
			    "selector of our certificate",
			    r->cr_label ? r->cr_label : "");
		if (r->cr_nremote_ids == 0)
			diag_add(v->v_diag, file, line, "rule \"%s\" uses "
			    "certificates but has no remote_id: add the "
			    "selector of accepted peer certificates",
			    r->cr_label ? r->cr_label : "");
	}
}

static void
validate_rule_p2(struct validate *v, struct config_rule *r)
{
	const struct config_p2	*g = &v->v_cf->cf_globals.cg_p2;
	struct config_p2	*p2 = &r->cr_p2;
	const char		*file = r->cr_where.cw_file;

	validate_p2_values(v, p2);
	validate_inherit(&p2->p2_pfs, &g->p2_pfs);
	validate_inherit(&p2->p2_idletime_secs, &g->p2_idletime_secs);
	validate_inherit(&p2->p2_dpd_interval, &g->p2_dpd_interval);
	validate_inherit(&p2->p2_dpd_retries, &g->p2_dpd_retries);
	if (p2->p2_lifetime_secs.src == CONFIG_SRC_FILE)
		validate_soft_default(&p2->p2_softlife_secs,
		    &p2->p2_lifetime_secs, 0);
	else
		validate_inherit(&p2->p2_softlife_secs, &g->p2_softlife_secs);
	validate_inherit(&p2->p2_lifetime_secs, &g->p2_lifetime_secs);
	if (p2->p2_lifetime_kb.src == CONFIG_SRC_FILE)
		validate_soft_default(&p2->p2_softlife_kb,
		    &p2->p2_lifetime_kb, 0);
	else
		validate_inherit(&p2->p2_softlife_kb, &g->p2_softlife_kb);
	validate_inherit(&p2->p2_lifetime_kb, &g->p2_lifetime_kb);
	validate_soft(v, file, "p2_softlife_secs", &p2->p2_softlife_secs,
	    "p2_lifetime_secs", &p2->p2_lifetime_secs);
	validate_soft(v, file, "p2_softlife_kb", &p2->p2_softlife_kb,
	    "p2_lifetime_kb", &p2->p2_lifetime_kb);
}

static void
validate_rule(struct validate *v, size_t idx)
{
	struct config_rule	*r = &v->v_cf->cf_rules[idx];

	r->cr_cookie = (unsigned int)idx + 1;
	validate_required(v, r);
	validate_unique_label(v, idx);
	validate_inherit(&r->cr_local_id_type,
	    &v->v_cf->cf_globals.cg_local_id_type);
	if (validate_rule_xforms(v, r) == 0)
		validate_rule_auth(v, r);
	validate_rule_p2(v, r);
}

int
config_validate(struct config *cf, struct config_diag *diag)
{
	struct validate	v;
	size_t		before = diag_count(diag), i;

	memset(&v, 0, sizeof(v));
	v.v_cf = cf;
	v.v_diag = diag;
	v.v_file = cf->cf_config_file != NULL ? cf->cf_config_file : "config";
	validate_globals(&v);
	for (i = 0; i < cf->cf_globals.cg_nxforms; i++)
		validate_xform(&v, &cf->cf_globals.cg_xforms[i]);
	validate_find_labels(&v);
	for (i = 0; i < cf->cf_nrules; i++)
		validate_rule(&v, i);
	free(v.v_label_first);
	if (v.v_nomem)
		return (ERR_NOMEM);
	return (diag_count(diag) != before ? ERR_CONFIG : 0);
}
