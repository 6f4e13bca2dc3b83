/*
 * struct config: allocation, loading of the three files, the lookups the
 * IKE engine uses, and names of the values for messages.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "crypto/dh.h"
#include "config/addr.h"
#include "config/config.h"
#include "config/diag.h"
#include "config/parse.h"
#include "lib/err.h"
#include "lib/util.h"

struct config *
config_new(void)
{
	return (calloc(1, sizeof(struct config)));
}

static void
config_strlist_clear(struct config_strlist *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

void
config_globals_clear(struct config_globals *g)
{
	config_strlist_clear(&g->cg_cert_root);
	config_strlist_clear(&g->cg_cert_trust);
	config_strlist_clear(&g->cg_ldap_server);
	free(g->cg_pkcs11_path.val);
	free(g->cg_proxy.val);
	free(g->cg_socks.val);
	free(g->cg_xforms);
	memset(g, 0, sizeof(*g));
}

void
config_rule_clear(struct config_rule *r)
{
	size_t	i;

	free(r->cr_label);
	free(r->cr_local.ranges);
	free(r->cr_remote.ranges);
	free(r->cr_local_id);
	for (i = 0; i < r->cr_nremote_ids; i++)
		free(r->cr_remote_ids[i].is_sel);
	free(r->cr_remote_ids);
	free(r->cr_xforms);
	memset(r, 0, sizeof(*r));
}

void
config_psk_clear(struct config_psk *p)
{
	free(p->ps_local.pi_name);
	free(p->ps_remote.pi_name);
	wbuf_free(&p->ps_key);
	memset(p, 0, sizeof(*p));
}

void
config_spd_clear(struct config_spd *s)
{
	free(s->sd_alts);
	memset(s, 0, sizeof(*s));
}

void
config_free(struct config *cf)
{
	size_t	i;

	if (cf == NULL)
		return;
	config_globals_clear(&cf->cf_globals);
	for (i = 0; i < cf->cf_nrules; i++)
		config_rule_clear(&cf->cf_rules[i]);
	free(cf->cf_rules);
	for (i = 0; i < cf->cf_npsks; i++)
		config_psk_clear(&cf->cf_psks[i]);
	free(cf->cf_psks);
	for (i = 0; i < cf->cf_nspds; i++)
		config_spd_clear(&cf->cf_spds[i]);
	free(cf->cf_spds);
	for (i = 0; i < cf->cf_nfiles; i++)
		free(cf->cf_files[i]);
	free(cf->cf_files);
	free(cf);
}

/* Remove one rule for "ikeadm del rule", keeping the order of the others. */
int
config_rule_remove(struct config *cf, size_t index)
{
	if (index >= cf->cf_nrules)
		return (ERR_NOTFOUND);
	config_rule_clear(&cf->cf_rules[index]);
	memmove(&cf->cf_rules[index], &cf->cf_rules[index + 1],
	    (cf->cf_nrules - index - 1) * sizeof(cf->cf_rules[0]));
	cf->cf_nrules--;
	return (0);
}

/* Remove one preshared entry for "ikeadm del preshared" and wipe its key. */
int
config_psk_remove(struct config *cf, size_t index)
{
	if (index >= cf->cf_npsks)
		return (ERR_NOTFOUND);
	config_psk_clear(&cf->cf_psks[index]);
	memmove(&cf->cf_psks[index], &cf->cf_psks[index + 1],
	    (cf->cf_npsks - index - 1) * sizeof(cf->cf_psks[0]));
	cf->cf_npsks--;
	return (0);
}

/*
 * Read one file and run its parser.  Returns ERR_NOTFOUND when the file
 * does not exist (the caller decides whether that is an error).
 */
static int
config_load_file(struct config *cf, const char *path, int secret,
    int (*parse)(struct config *, const char *, const void *, size_t,
    struct config_diag *), struct config_diag *diag)
{
	struct stat	 st;
	char		*buf = NULL;
	size_t		 len = 0;
	int		 rc;

	rc = parse_read_file(path, secret ? PARSE_NOFOLLOW : 0, &buf, &len,
	    &st, diag);
	if (rc != 0)
		return (rc);
	/*
	 * Keys must be readable and writable only by root (or our user).
	 * A file that fails is not parsed: its messages would only add
	 * noise, and its keys are not trusted anyway.
	 */
	rc = 0;
	if (secret && (st.st_mode & 066) != 0) {
		diag_add(diag, path, 0, "file is readable or writable by "
		    "group or others (mode %04o): run chmod 600 %s",
		    (unsigned int)(st.st_mode & 07777), path);
		rc = ERR_PERM;
	}
	if (secret && st.st_uid != 0 && st.st_uid != geteuid()) {
		diag_add(diag, path, 0, "file is owned by uid %u, which could "
		    "change the keys: run chown root %s",
		    (unsigned int)st.st_uid, path);
		rc = ERR_PERM;
	}
	if (rc == 0)
		rc = parse(cf, path, buf, len, diag);
	if (secret)
		util_freezero(buf, len + 1);
	else
		free(buf);
	return (rc);
}

static int
config_uses_preshared(const struct config *cf, const struct config_rule **rp)
{
	size_t	i, j;

	for (i = 0; i < cf->cf_nrules; i++) {
		for (j = 0; j < cf->cf_rules[i].cr_nxforms; j++) {
			if (cf->cf_rules[i].cr_xforms[j].px_auth_method ==
			    CONFIG_AUTH_PRESHARED) {
				*rp = &cf->cf_rules[i];
				return (1);
			}
		}
	}
	return (0);
}

int
config_load(struct config **out, const struct config_paths *paths,
    struct config_diag *diag)
{
	const struct config_rule	*r;
	struct config			*cf;
	size_t				 before = diag_count(diag);
	int				 rc;

	*out = NULL;
	if ((cf = config_new()) == NULL)
		return (ERR_NOMEM);
	if (paths->cp_config != NULL) {
		rc = config_load_file(cf, paths->cp_config, 0, ikeconf_parse,
		    diag);
		if (rc == ERR_NOTFOUND)
			diag_add(diag, paths->cp_config, 0, "file not found: "
			    "create it, or name another file with -f");
	}
	if (paths->cp_preshared != NULL) {
		rc = config_load_file(cf, paths->cp_preshared, 1,
		    preshared_parse, diag);
		if (rc == ERR_NOTFOUND)
			cf->cf_missing |= CONFIG_MISSING_PRESHARED;
	}
	if (paths->cp_ipsecinit != NULL) {
		rc = config_load_file(cf, paths->cp_ipsecinit, 0,
		    ipsecinit_parse, diag);
		if (rc == ERR_NOTFOUND)
			cf->cf_missing |= CONFIG_MISSING_IPSECINIT;
	}
	rc = config_validate(cf, diag);
	if (rc == ERR_NOMEM)
		goto out;
	/* A missing key file matters only when a rule needs keys. */
	if ((cf->cf_missing & CONFIG_MISSING_PRESHARED) &&
	    config_uses_preshared(cf, &r))
		diag_add(diag, r->cr_where.cw_file, r->cr_where.cw_line,
		    "rule \"%s\" uses preshared authentication but %s does "
		    "not exist: create it (mode 600) with a key for the peer",
		    r->cr_label != NULL ? r->cr_label : "",
		    paths->cp_preshared);
	rc = diag_count(diag) != before ? ERR_CONFIG : 0;
out:
	if (rc != 0)
		config_free(cf);
	else
		*out = cf;
	return (rc);
}

int
config_ip_from_sockaddr(struct config_ip *ip, const void *sa)
{
	const struct sockaddr		*s = sa;
	const struct sockaddr_in	*sin = sa;
	const struct sockaddr_in6	*sin6 = sa;

	memset(ip, 0, sizeof(*ip));
	switch (s->sa_family) {
	case AF_INET:
		ip->family = AF_INET;
		memcpy(ip->addr, &sin->sin_addr, 4);
		return (0);
	case AF_INET6:
		ip->family = AF_INET6;
		memcpy(ip->addr, &sin6->sin6_addr, 16);
		return (0);
	default:
		return (ERR_INVAL);
	}
}

/* Order by family, then by address in network byte order. */
int
config_ip_cmp(const struct config_ip *a, const struct config_ip *b)
{
	if (a->family != b->family)
		return (a->family < b->family ? -1 : 1);
	return (memcmp(a->addr, b->addr, addr_len(a->family)));
}

int
config_range_match(const struct config_range *r, const struct config_ip *ip)
{
	return (r->lo.family == ip->family &&
	    config_ip_cmp(&r->lo, ip) <= 0 && config_ip_cmp(ip, &r->hi) <= 0);
}

int
config_addrlist_match(const struct config_addrlist *l,
    const struct config_ip *ip)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		if (config_range_match(&l->ranges[i], ip))
			return (1);
	}
	return (0);
}

/* The first rule, in file order, whose address lists contain both. */
const struct config_rule *
config_rule_find(const struct config *cf, const struct config_ip *local,
    const struct config_ip *remote)
{
	size_t	i;

	for (i = 0; i < cf->cf_nrules; i++) {
		if (config_addrlist_match(&cf->cf_rules[i].cr_local, local) &&
		    config_addrlist_match(&cf->cf_rules[i].cr_remote, remote))
			return (&cf->cf_rules[i]);
	}
	return (NULL);
}

const struct config_rule *
config_rule_find_label(const struct config *cf, const char *label)
{
	size_t	i;

	for (i = 0; i < cf->cf_nrules; i++) {
		if (cf->cf_rules[i].cr_label != NULL &&
		    strcmp(cf->cf_rules[i].cr_label, label) == 0)
			return (&cf->cf_rules[i]);
	}
	return (NULL);
}

static int
config_idtype_is_addr(int type)
{
	switch (type) {
	case CONFIG_ID_IP:
	case CONFIG_ID_IPV4_ADDR:
	case CONFIG_ID_IPV6_ADDR:
	case CONFIG_ID_IPV4_SUBNET:
	case CONFIG_ID_IPV6_SUBNET:
	case CONFIG_ID_IPV4_RANGE:
	case CONFIG_ID_IPV6_RANGE:
		return (1);
	default:
		return (0);
	}
}

/*
 * Preshared entries are matched by address.  An entry for the single
 * remote address wins over one for a prefix or range that contains it.
 * Otherwise the first entry in the file wins.
 */
const struct config_psk *
config_psk_find_addr(const struct config *cf, const struct config_ip *local,
    const struct config_ip *remote)
{
	const struct config_psk	*p, *best = NULL;
	size_t			 i;

	for (i = 0; i < cf->cf_npsks; i++) {
		p = &cf->cf_psks[i];
		if (!config_idtype_is_addr(p->ps_local.pi_type) ||
		    !config_idtype_is_addr(p->ps_remote.pi_type))
			continue;
		if (!config_range_match(&p->ps_local.pi_range, local) ||
		    !config_range_match(&p->ps_remote.pi_range, remote))
			continue;
		if (p->ps_remote.pi_range.kind == CONFIG_RANGE_SINGLE)
			return (p);
		if (best == NULL)
			best = p;
	}
	return (best);
}

static int
config_psk_id_match(const struct config_psk_id *entry,
    const struct config_psk_id *id)
{
	if (config_idtype_is_addr(entry->pi_type)) {
		if (!config_idtype_is_addr(id->pi_type))
			return (0);
		return (config_range_match(&entry->pi_range,
		    &id->pi_range.lo) &&
		    config_range_match(&entry->pi_range, &id->pi_range.hi));
	}
	if (entry->pi_type != id->pi_type || entry->pi_name == NULL ||
	    id->pi_name == NULL)
		return (0);
	if (entry->pi_type == CONFIG_ID_FQDN ||
	    entry->pi_type == CONFIG_ID_USER_FQDN)
		return (strcasecmp(entry->pi_name, id->pi_name) == 0);
	return (strcmp(entry->pi_name, id->pi_name) == 0);
}

/* local may be NULL to match any local identity. */
const struct config_psk *
config_psk_find_id(const struct config *cf, const struct config_psk_id *local,
    const struct config_psk_id *remote)
{
	size_t	i;

	for (i = 0; i < cf->cf_npsks; i++) {
		if (local != NULL &&
		    !config_psk_id_match(&cf->cf_psks[i].ps_local, local))
			continue;
		if (config_psk_id_match(&cf->cf_psks[i].ps_remote, remote))
			return (&cf->cf_psks[i]);
	}
	return (NULL);
}

int
config_spd_is_ipsec(const struct config_spd_alt *alt)
{
	return (alt->sp_action == CONFIG_SPD_IPSEC ||
	    alt->sp_action == CONFIG_SPD_APPLY ||
	    alt->sp_action == CONFIG_SPD_PERMIT);
}

/* The direction an entry applies to, from its pattern and action. */
static int
config_spd_dir(const struct config_spd *s)
{
	const struct config_spd_alt	*alt = &s->sd_alts[0];

	if (alt->sp_action == CONFIG_SPD_APPLY)
		return (CONFIG_DIR_OUT);
	if (alt->sp_action == CONFIG_SPD_PERMIT)
		return (CONFIG_DIR_IN);
	if (alt->sp_dir != 0)
		return (alt->sp_dir);
	return (s->sd_dir != 0 ? s->sd_dir : CONFIG_DIR_BOTH);
}

static int
config_spd_num_match(const struct config_spd_num *n, unsigned int v)
{
	return (!n->sn_set || (v >= n->sn_lo && v <= n->sn_hi));
}

static int
config_spd_match(const struct config_spd *s, const struct config_selector *sel)
{
	int	icmp;

	if (s->sd_nalts == 0 || !(config_spd_dir(s) & sel->cs_dir))
		return (0);
	if (s->sd_laddr_set && !config_range_match(&s->sd_laddr,
	    &sel->cs_local))
		return (0);
	if (s->sd_raddr_set && !config_range_match(&s->sd_raddr,
	    &sel->cs_remote))
		return (0);
	if (!config_spd_num_match(&s->sd_ulp, sel->cs_proto))
		return (0);
	icmp = sel->cs_proto == IPPROTO_ICMP || sel->cs_proto == IPPROTO_ICMPV6;
	if (icmp)
		return (config_spd_num_match(&s->sd_icmp_type, sel->cs_lport) &&
		    config_spd_num_match(&s->sd_icmp_code, sel->cs_rport));
	if (s->sd_icmp_type.sn_set || s->sd_icmp_code.sn_set)
		return (0);
	return (config_spd_num_match(&s->sd_lport, sel->cs_lport) &&
	    config_spd_num_match(&s->sd_rport, sel->cs_rport));
}

/* The first entry in match order (see ipsecinit_order) that matches. */
const struct config_spd *
config_spd_find(const struct config *cf, const struct config_selector *sel)
{
	size_t	i;

	for (i = 0; i < cf->cf_nspds; i++) {
		if (config_spd_match(&cf->cf_spds[i], sel))
			return (&cf->cf_spds[i]);
	}
	return (NULL);
}

/*
 * Return the next IPsec entry after prev (NULL: the first) that the IKE
 * peers local and remote negotiate.  In tunnel mode tsrc must be local
 * and tdst contain remote.  In transport mode laddr and raddr, where
 * set, must contain them.
 */
const struct config_spd *
config_spd_next_for_peer(const struct config *cf,
    const struct config_ip *local, const struct config_ip *remote,
    const struct config_spd *prev)
{
	const struct config_spd	*s;
	size_t			 i = prev == NULL ? 0 :
				    (size_t)(prev - cf->cf_spds) + 1;

	for (; i < cf->cf_nspds; i++) {
		s = &cf->cf_spds[i];
		if (s->sd_nalts == 0 || !config_spd_is_ipsec(&s->sd_alts[0]))
			continue;
		if (s->sd_tunnel) {
			if (config_ip_cmp(&s->sd_tsrc, local) == 0 &&
			    config_range_match(&s->sd_tdst, remote))
				return (s);
			continue;
		}
		if (s->sd_laddr_set &&
		    !config_range_match(&s->sd_laddr, local))
			continue;
		if (s->sd_raddr_set &&
		    !config_range_match(&s->sd_raddr, remote))
			continue;
		return (s);
	}
	return (NULL);
}

const char *
config_auth_method_name(int m)
{
	switch (m) {
	case CONFIG_AUTH_PRESHARED:
		return ("preshared");
	case CONFIG_AUTH_DSS_SIG:
		return ("dss_sig");
	case CONFIG_AUTH_RSA_SIG:
		return ("rsa_sig");
	case CONFIG_AUTH_RSA_ENCRYPT:
		return ("rsa_encrypt");
	case CONFIG_AUTH_RSA_ENCRYPT_REV:
		return ("rsa_encrypt_rev");
	case CONFIG_AUTH_ECDSA_P256:
		return ("ecdsa_p256");
	case CONFIG_AUTH_ECDSA_P384:
		return ("ecdsa_p384");
	case CONFIG_AUTH_ECDSA_P521:
		return ("ecdsa_p521");
	default:
		return ("unknown");
	}
}

const char *
config_p1_encr_name(int e)
{
	switch (e) {
	case CONFIG_P1_ENCR_DES:
		return ("des-cbc");
	case CONFIG_P1_ENCR_BLOWFISH:
		return ("blowfish-cbc");
	case CONFIG_P1_ENCR_3DES:
		return ("3des-cbc");
	case CONFIG_P1_ENCR_AES:
		return ("aes-cbc");
	default:
		return ("unknown");
	}
}

const char *
config_p1_hash_name(int h)
{
	switch (h) {
	case CONFIG_P1_HASH_MD5:
		return ("md5");
	case CONFIG_P1_HASH_SHA1:
		return ("sha1");
	case CONFIG_P1_HASH_SHA256:
		return ("sha256");
	case CONFIG_P1_HASH_SHA384:
		return ("sha384");
	case CONFIG_P1_HASH_SHA512:
		return ("sha512");
	default:
		return ("unknown");
	}
}

const char *
config_idtype_name(int t)
{
	switch (t) {
	case CONFIG_ID_IP:
		return ("ip");
	case CONFIG_ID_IPV4_ADDR:
		return ("ipv4");
	case CONFIG_ID_IPV6_ADDR:
		return ("ipv6");
	case CONFIG_ID_IPV4_SUBNET:
		return ("ipv4_prefix");
	case CONFIG_ID_IPV6_SUBNET:
		return ("ipv6_prefix");
	case CONFIG_ID_IPV4_RANGE:
		return ("ipv4_range");
	case CONFIG_ID_IPV6_RANGE:
		return ("ipv6_range");
	case CONFIG_ID_FQDN:
		return ("fqdn");
	case CONFIG_ID_USER_FQDN:
		return ("user_fqdn");
	case CONFIG_ID_DER_ASN1_DN:
		return ("dn");
	case CONFIG_ID_DER_ASN1_GN:
		return ("gn");
	case CONFIG_ID_KEY_ID:
		return ("keyid");
	default:
		return ("unknown");
	}
}

const char *
config_ike_mode_name(int m)
{
	switch (m) {
	case CONFIG_IKE_MODE_MAIN:
		return ("main");
	case CONFIG_IKE_MODE_AGGRESSIVE:
		return ("aggressive");
	case CONFIG_IKE_MODE_BOTH:
		return ("both");
	default:
		return ("unknown");
	}
}

/*
 * Oakley groups the configuration accepts: MODP 1 2 5 14-18, ECP 19-21
 * and 25-26, MODP with prime-order subgroup 22-24.  The EC2N groups 3
 * and 4 (obsolete binary-field curves) are not accepted.
 */
int
config_group_known(int g)
{
	/* The crypto module decides: it lists exactly what it implements. */
	return (g > 0 && dh_group_supported((unsigned int)g) == 0);
}
