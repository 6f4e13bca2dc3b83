/*
 * Proposals: the Phase 1 SA payload from the rule's p1_xforms and the
 * Quick Mode SA payload from an ipsecinit.conf entry, and the choice a
 * responder makes among the peer's transforms (RFC 2408 section 4.2,
 * RFC 2409 section 5, RFC 2407 section 4.5).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/ipsecalgs.h"
#include "crypto/cipher.h"
#include "crypto/dh.h"
#include "crypto/hash.h"
#include "ike/ike_int.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/rbuf.h"
#include "lib/util.h"

static struct log_ratelimit ike_prop_rl = LOG_RATELIMIT_INIT(10, 20);

/* RFC 2407 section 4.5: the lifetime when the proposal names none. */
#define IKE_P2_DEFAULT_LIFE	28800
/* The same for Phase 1, for which RFC 2409 names no default. */
#define IKE_P1_DEFAULT_LIFE	28800

/* Decoded attributes of one transform. */
struct ike_xf {
	uint16_t	xf_encr;	/* Phase 1 Encryption Algorithm */
	uint16_t	xf_hash;
	uint16_t	xf_auth;	/* P1 method, or P2 Authentication Alg */
	uint16_t	xf_group;
	uint16_t	xf_keybits;
	uint16_t	xf_encap;
	uint32_t	xf_life_secs;	/* 0 = not given */
	uint32_t	xf_life_kb;
	int		xf_unknown;	/* an attribute we cannot honour */
	char		xf_bad[64];
};

/* Mark xf as not acceptable; the first reason is the one logged. */
static void
ike_xf_reject(struct ike_xf *xf, enum isakmp_attr_class cls, uint16_t type,
    const char *why, uint64_t v)
{
	if (xf->xf_unknown)
		return;
	xf->xf_unknown = 1;
	snprintf(xf->xf_bad, sizeof(xf->xf_bad), "%s %llu (%s)",
	    isakmp_attr_name(cls, type), (unsigned long long)v, why);
}

/*
 * Reject the values of Life Type, Life Duration and Key Length that RFC
 * 2407 section 4.5 and RFC 2409 appendix A do not define: an unknown
 * life type, a duration of 0 or without a life type before it, and a
 * key length of 0.  Accepting them would make us use a default while the
 * SA payload we echo states the invalid value.  Returns 1 when v is
 * valid for attribute type.
 */
static int
ike_xf_value_ok(struct ike_xf *xf, enum isakmp_attr_class cls, uint16_t type,
    uint64_t v, uint16_t life_type)
{
	int	p1 = cls == ISAKMP_ATTR_CLASS_P1;

	if (type == (p1 ? ISAKMP_P1_LIFE_TYPE : ISAKMP_P2_LIFE_TYPE) &&
	    v != ISAKMP_LIFE_SECONDS && v != ISAKMP_LIFE_KILOBYTES) {
		ike_xf_reject(xf, cls, type, "unknown life type", v);
		return (0);
	}
	if (type == (p1 ? ISAKMP_P1_LIFE_DURATION : ISAKMP_P2_LIFE_DURATION)) {
		if (life_type == 0) {
			ike_xf_reject(xf, cls, type, "no Life Type before it",
			    v);
			return (0);
		}
		if (v == 0) {
			ike_xf_reject(xf, cls, type, "must not be 0", v);
			return (0);
		}
	}
	if (type == (p1 ? ISAKMP_P1_KEY_LENGTH : ISAKMP_P2_KEY_LENGTH) &&
	    v == 0) {
		ike_xf_reject(xf, cls, type, "must not be 0", v);
		return (0);
	}
	return (1);
}

static void
ike_xf_decode(const struct isakmp_transform *t, enum isakmp_attr_class cls,
    struct ike_xf *xf)
{
	uint16_t	life_type = 0;
	uint64_t	v;
	size_t		i;

	memset(xf, 0, sizeof(*xf));
	for (i = 0; i < t->t_nattrs; i++) {
		const struct isakmp_attr *a = &t->t_attrs[i];

		if (isakmp_attr_get(a, &v) != 0 || v > UINT32_MAX) {
			if (!xf->xf_unknown)
				snprintf(xf->xf_bad, sizeof(xf->xf_bad),
				    "%s with a non-integer value",
				    isakmp_attr_name(cls, a->a_type));
			xf->xf_unknown = 1;
			continue;
		}
		if (!ike_xf_value_ok(xf, cls, a->a_type, v, life_type))
			continue;
		if (cls == ISAKMP_ATTR_CLASS_P1) {
			switch (a->a_type) {
			case ISAKMP_P1_ENC:
				xf->xf_encr = v;
				continue;
			case ISAKMP_P1_HASH:
				xf->xf_hash = v;
				continue;
			case ISAKMP_P1_AUTH:
				xf->xf_auth = v;
				continue;
			case ISAKMP_P1_GROUP_DESC:
				xf->xf_group = v;
				continue;
			case ISAKMP_P1_KEY_LENGTH:
				xf->xf_keybits = v;
				continue;
			case ISAKMP_P1_LIFE_TYPE:
				life_type = v;
				continue;
			case ISAKMP_P1_LIFE_DURATION:
				if (life_type == ISAKMP_LIFE_SECONDS)
					xf->xf_life_secs = v;
				else if (life_type == ISAKMP_LIFE_KILOBYTES)
					xf->xf_life_kb = v;
				continue;
			}
		} else {
			switch (a->a_type) {
			case ISAKMP_P2_LIFE_TYPE:
				life_type = v;
				continue;
			case ISAKMP_P2_LIFE_DURATION:
				if (life_type == ISAKMP_LIFE_SECONDS)
					xf->xf_life_secs = v;
				else if (life_type == ISAKMP_LIFE_KILOBYTES)
					xf->xf_life_kb = v;
				continue;
			case ISAKMP_P2_GROUP_DESC:
				xf->xf_group = v;
				continue;
			case ISAKMP_P2_ENCAP_MODE:
				xf->xf_encap = v;
				continue;
			case ISAKMP_P2_AUTH_ALG:
				xf->xf_auth = v;
				continue;
			case ISAKMP_P2_KEY_LENGTH:
				xf->xf_keybits = v;
				continue;
			}
		}
		if (!xf->xf_unknown)
			snprintf(xf->xf_bad, sizeof(xf->xf_bad), "%s (%u)",
			    isakmp_attr_name(cls, a->a_type), a->a_type);
		xf->xf_unknown = 1;
	}
}

/* Key sizes a p1_xform allows, in the order we propose them. */
static size_t
ike_p1_keysizes(const struct config_p1_xform *px, uint16_t *out)
{
	static const uint16_t	aes[] = { 128, 192, 256 };
	size_t			i, n = 0;

	if (px->px_encr != CONFIG_P1_ENCR_AES) {
		out[0] = 0;
		return (1);
	}
	for (i = 0; i < 3; i++) {
		if (px->px_klen_min != 0 && (aes[i] < px->px_klen_min ||
		    aes[i] > px->px_klen_max))
			continue;
		out[n++] = aes[i];
	}
	return (n);
}

static uint32_t
ike_p1_xform_life(const struct ike_engine *eng,
    const struct config_p1_xform *px)
{
	if (px->px_lifetime_secs.val != 0)
		return (px->px_lifetime_secs.val);
	if (ike_globals(eng)->cg_p1_lifetime_secs.val != 0)
		return (ike_globals(eng)->cg_p1_lifetime_secs.val);
	return (CONFIG_DEF_P1_LIFETIME);
}

/* MM1: one proposal, each p1_xform (and key size) one transform. */
int
ike_prop_p1_build(struct ike_p1 *p1, struct isakmp_builder *b)
{
	const struct config_rule	*r = p1->p1_rule;
	uint16_t			 ks[3];
	size_t				 i, j, n, nxf = 0;
	uint8_t				 num = 1;

	for (i = 0; i < r->cr_nxforms; i++)
		nxf += ike_p1_keysizes(&r->cr_xforms[i], ks);
	if (nxf == 0 || nxf > 255)
		return (ERR_CONFIG);
	isakmp_build_sa_begin(b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	isakmp_build_proposal_begin(b, 1, ISAKMP_PROTO_ISAKMP, NULL, 0, nxf);
	for (i = 0; i < r->cr_nxforms; i++) {
		const struct config_p1_xform *px = &r->cr_xforms[i];

		n = ike_p1_keysizes(px, ks);
		for (j = 0; j < n; j++) {
			isakmp_build_transform_begin(b, num++,
			    ISAKMP_XF_KEY_IKE);
			isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P1,
			    ISAKMP_P1_ENC, px->px_encr);
			if (ks[j] != 0)
				isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P1,
				    ISAKMP_P1_KEY_LENGTH, ks[j]);
			isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P1,
			    ISAKMP_P1_HASH, px->px_hash);
			isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P1,
			    ISAKMP_P1_AUTH, px->px_auth_method);
			isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P1,
			    ISAKMP_P1_GROUP_DESC, px->px_group);
			isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P1,
			    ISAKMP_P1_LIFE_TYPE, ISAKMP_LIFE_SECONDS);
			isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P1,
			    ISAKMP_P1_LIFE_DURATION,
			    ike_p1_xform_life(p1->p1_eng, px));
			isakmp_build_transform_end(b);
		}
	}
	isakmp_build_proposal_end(b);
	return (isakmp_build_sa_end(b));
}

/* Whether our p1_xform px allows the peer's transform xf. */
static int
ike_p1_xform_allows(const struct config_p1_xform *px, const struct ike_xf *xf)
{
	uint16_t	bits = xf->xf_keybits;
	size_t		keylen;

	if (xf->xf_auth != ISAKMP_AUTH_PSK && !ike_cert_is_sig(xf->xf_auth) &&
	    !ike_pke_is(xf->xf_auth))
		return (0);
	if (xf->xf_unknown || px->px_encr != xf->xf_encr ||
	    px->px_hash != xf->xf_hash || px->px_group != xf->xf_group ||
	    px->px_auth_method != xf->xf_auth)
		return (0);
	if (cipher_supported(xf->xf_encr) != 0 ||
	    cipher_key_length(xf->xf_encr, bits, &keylen) != 0 ||
	    hash_length(xf->xf_hash) == 0 ||
	    dh_group_supported(xf->xf_group) != 0)
		return (0);
	if (px->px_encr == CONFIG_P1_ENCR_AES) {
		if (bits == 0)
			bits = 128;
		if (px->px_klen_min != 0 && (bits < px->px_klen_min ||
		    bits > px->px_klen_max))
			return (0);
	}
	return (1);
}

/*
 * A responder that shortens the peer's lifetime sends it a
 * RESPONDER-LIFETIME after Main Mode (RFC 2407 4.6.3.1).  A proposal
 * without a lifetime counts as IKE_P1_DEFAULT_LIFE.  A traffic limit in
 * the proposal is accepted as it is: in.iked never proposes one.
 */
static void
ike_p1_record_life(struct ike_p1 *p1, uint32_t ours, const struct ike_xf *xf)
{
	uint32_t	theirs = xf->xf_life_secs != 0 ? xf->xf_life_secs :
			    IKE_P1_DEFAULT_LIFE;

	p1->p1_life_secs = ours < theirs ? ours : theirs;
	p1->p1_life_kb = xf->xf_life_kb;
	if (xf->xf_life_kb != 0)
		log_info("ISAKMP SA %s: peer %s proposed a traffic limit of "
		    "%u KB for Phase 1: accepted", p1->p1_cookies, p1->p1_peer,
		    xf->xf_life_kb);
	if (p1->p1_initiator || ours >= theirs)
		return;
	p1->p1_resp_life = 1;
	log_info("ISAKMP SA %s: peer %s proposed a Phase 1 lifetime of %u s%s; "
	    "rule \"%s\" allows %u s, so that applies and the peer gets a "
	    "RESPONDER-LIFETIME", p1->p1_cookies, p1->p1_peer, theirs,
	    xf->xf_life_secs != 0 ? "" : " (none given)", p1->p1_label, ours);
}

/* The fault of a Phase 1 transform other than its algorithms. */
enum ike_p1_fault {
	IKE_P1_FAULT_NONE = 0,
	IKE_P1_FAULT_ATTR,	/* an invalid or unknown attribute */
	IKE_P1_FAULT_LIFE	/* a lifetime below min_p1_lifetime */
};

static uint32_t
ike_p1_min_life(const struct ike_p1 *p1)
{
	uint32_t	min = ike_globals(p1->p1_eng)->cg_min_p1_lifetime.val;

	return (min != 0 ? min : CONFIG_MIN_P1_LIFETIME);
}

/* Check the attribute values of xf and describe a fault in why. */
static enum ike_p1_fault
ike_p1_xf_fault(const struct ike_p1 *p1, const struct ike_xf *xf, char *why,
    size_t len)
{
	uint32_t	min = ike_p1_min_life(p1);

	if (xf->xf_unknown) {
		snprintf(why, len, "%s", xf->xf_bad);
		return (IKE_P1_FAULT_ATTR);
	}
	if (xf->xf_life_secs != 0 && xf->xf_life_secs < min) {
		snprintf(why, len, "Life Duration %u s is below the minimum "
		    "of %u s", xf->xf_life_secs, min);
		return (IKE_P1_FAULT_LIFE);
	}
	return (IKE_P1_FAULT_NONE);
}

/*
 * Whether the peer's Phase 1 transform number num has valid attribute
 * values and a lifetime of at least min_p1_lifetime.  A transform that
 * fails is logged with the attribute at fault and skipped (RFC 2408
 * section 4.2), so that MM2 never echoes a value other than the one used.
 */
static int
ike_p1_xf_valid(struct ike_p1 *p1, const struct ike_xf *xf, unsigned int num)
{
	char	why[128];

	if (ike_p1_xf_fault(p1, xf, why, sizeof(why)) == IKE_P1_FAULT_NONE)
		return (1);
	if (log_ratelimit_pass(&ike_prop_rl))
		log_warn("ISAKMP SA %s: Phase 1 transform %u from %s is not "
		    "acceptable: %s", p1->p1_cookies, num, p1->p1_peer, why);
	return (0);
}

static void
ike_p1_record(struct ike_p1 *p1, const struct config_p1_xform *px,
    const struct ike_xf *xf)
{
	uint32_t	ours = ike_p1_xform_life(p1->p1_eng, px);

	p1->p1_encr = xf->xf_encr;
	p1->p1_keybits = xf->xf_keybits;
	if (p1->p1_encr == CIPHER_AES_CBC && p1->p1_keybits == 0)
		p1->p1_keybits = 128;
	p1->p1_hash = xf->xf_hash;
	p1->p1_auth = xf->xf_auth;
	p1->p1_group = xf->xf_group;
	/* The shorter lifetime of ours and the peer's applies. */
	ike_p1_record_life(p1, ours, xf);
}

/* A key size in brackets, or nothing for a cipher with a fixed key. */
static void
ike_keybits_describe(char *buf, size_t len, unsigned int lo, unsigned int hi)
{
	if (lo == 0 && hi == 0)
		buf[0] = '\0';
	else if (lo == hi)
		snprintf(buf, len, "(%u)", lo);
	else
		snprintf(buf, len, "(%u..%u)", lo, hi);
}

static void
ike_xf_describe(const struct ike_xf *xf, char *buf, size_t len, int p1)
{
	char	bits[32], pfs[32];

	ike_keybits_describe(bits, sizeof(bits), xf->xf_keybits,
	    xf->xf_keybits);
	if (p1) {
		snprintf(buf, len, "%s%s/%s/%s/group %u",
		    isakmp_attr_value_name(ISAKMP_ATTR_CLASS_P1,
		    ISAKMP_P1_ENC, xf->xf_encr), bits,
		    isakmp_attr_value_name(ISAKMP_ATTR_CLASS_P1,
		    ISAKMP_P1_HASH, xf->xf_hash),
		    isakmp_attr_value_name(ISAKMP_ATTR_CLASS_P1,
		    ISAKMP_P1_AUTH, xf->xf_auth), xf->xf_group);
	} else {
		if (xf->xf_group == 0)
			snprintf(pfs, sizeof(pfs), "no PFS");
		else
			snprintf(pfs, sizeof(pfs), "PFS group %u",
			    xf->xf_group);
		snprintf(buf, len, "auth %s, %s%s%s, %s",
		    isakmp_attr_value_name(ISAKMP_ATTR_CLASS_P2,
		    ISAKMP_P2_AUTH_ALG, xf->xf_auth),
		    xf->xf_keybits != 0 ? "key " : "",
		    xf->xf_keybits != 0 ? bits : "",
		    isakmp_attr_value_name(ISAKMP_ATTR_CLASS_P2,
		    ISAKMP_P2_ENCAP_MODE, xf->xf_encap), pfs);
	}
	if (xf->xf_unknown) {
		size_t	l = strlen(buf);

		snprintf(buf + l, len - l, " [not acceptable: %s]",
		    xf->xf_bad);
	}
}

/*
 * The number, counted from 1, of the first p1_xform of the rule whose
 * algorithms match xf, if xf had no attribute at fault; 0 for none.
 */
static size_t
ike_p1_xform_matching(const struct config_rule *r, const struct ike_xf *xf)
{
	struct ike_xf	algs = *xf;
	size_t		k;

	algs.xf_unknown = 0;
	for (k = 0; k < r->cr_nxforms; k++)
		if (ike_p1_xform_allows(&r->cr_xforms[k], &algs))
			return (k + 1);
	return (0);
}

/*
 * When a transform was rejected only for an attribute value, such as a
 * lifetime below the minimum, while its algorithms match a p1_xform,
 * log that value as the reason.  Returns 1 when it logged.
 */
static int
ike_p1_log_fault(struct ike_p1 *p1, const struct isakmp_sa *sa)
{
	enum ike_p1_fault	 fault;
	struct ike_xf		 xf;
	char			 why[128], fix[96];
	size_t			 i, j, k;

	for (i = 0; i < sa->sa_nproposals; i++) {
		const struct isakmp_proposal *p = &sa->sa_proposals[i];

		if (p->p_proto != ISAKMP_PROTO_ISAKMP)
			continue;
		for (j = 0; j < p->p_ntransforms; j++) {
			const struct isakmp_transform *t =
			    &p->p_transforms[j];

			if (t->t_id != ISAKMP_XF_KEY_IKE)
				continue;
			ike_xf_decode(t, ISAKMP_ATTR_CLASS_P1, &xf);
			fault = ike_p1_xf_fault(p1, &xf, why, sizeof(why));
			if (fault == IKE_P1_FAULT_NONE ||
			    (k = ike_p1_xform_matching(p1->p1_rule, &xf)) == 0)
				continue;
			if (fault == IKE_P1_FAULT_LIFE)
				snprintf(fix, sizeof(fix), "configure the "
				    "peer with a Phase 1 lifetime of at least "
				    "%u s", ike_p1_min_life(p1));
			else
				snprintf(fix, sizeof(fix), "change that "
				    "attribute in the peer's proposal");
			log_warn("no acceptable Phase 1 proposal from %s "
			    "(cookies %s, rule \"%s\"): transform %u has the "
			    "algorithms of p1_xform %zu but is not "
			    "acceptable: %s; %s", p1->p1_peer, p1->p1_cookies,
			    p1->p1_label, t->t_num, k, why, fix);
			return (1);
		}
	}
	return (0);
}

/* Log what the peer offered and what we allow. */
static void
ike_p1_log_mismatch(struct ike_p1 *p1, const struct isakmp_sa *sa)
{
	const struct config_rule	*r = p1->p1_rule;
	char				 line[1024], one[160];
	size_t				 i, j, l;
	struct ike_xf			 xf;

	if (ike_p1_log_fault(p1, sa))
		return;
	line[0] = '\0';
	for (i = 0; i < sa->sa_nproposals; i++) {
		const struct isakmp_proposal *p = &sa->sa_proposals[i];

		for (j = 0; j < p->p_ntransforms; j++) {
			ike_xf_decode(&p->p_transforms[j],
			    ISAKMP_ATTR_CLASS_P1, &xf);
			ike_xf_describe(&xf, one, sizeof(one), 1);
			l = strlen(line);
			snprintf(line + l, sizeof(line) - l, "%s%s",
			    l ? ", " : "", one);
		}
	}
	log_warn("no acceptable Phase 1 proposal from %s (cookies %s, rule "
	    "\"%s\"): the peer offered %s", p1->p1_peer, p1->p1_cookies,
	    p1->p1_label, line[0] ? line : "nothing");
	line[0] = '\0';
	for (i = 0; i < r->cr_nxforms; i++) {
		const struct config_p1_xform *px = &r->cr_xforms[i];

		ike_keybits_describe(one, sizeof(one), px->px_klen_min,
		    px->px_klen_max);
		l = strlen(line);
		snprintf(line + l, sizeof(line) - l,
		    "%s%s%s/%s/%s/group %d", l ? ", " : "",
		    config_p1_encr_name(px->px_encr), one,
		    config_p1_hash_name(px->px_hash),
		    config_auth_method_name(px->px_auth_method),
		    px->px_group);
	}
	log_warn("rule \"%s\" allows %s; add a matching p1_xform or change "
	    "the peer's proposal", p1->p1_label, line);
}

/*
 * Responder: choose the first peer transform that one of our p1_xforms
 * allows, and build the SA payload of MM2 that returns it.  Returns 0,
 * or ERR_PROPOSAL (logged) when nothing fits.
 */
int
ike_prop_p1_select(struct ike_p1 *p1, const struct isakmp_sa *sa,
    struct isakmp_builder *b)
{
	const struct config_rule	*r = p1->p1_rule;
	struct isakmp_proposal		 prop;
	struct isakmp_sa		 out;
	struct ike_xf			 xf;
	size_t				 i, j, k;

	if (sa->sa_doi != ISAKMP_DOI_IPSEC ||
	    sa->sa_situation != ISAKMP_SIT_IDENTITY_ONLY) {
		log_warn("Phase 1 proposal from %s (cookies %s) has DOI %u "
		    "situation %u; only the IPsec DOI with identity-only is "
		    "supported", p1->p1_peer, p1->p1_cookies, sa->sa_doi,
		    sa->sa_situation);
		return (ERR_PROPOSAL);
	}
	for (i = 0; i < sa->sa_nproposals; i++) {
		const struct isakmp_proposal *p = &sa->sa_proposals[i];

		if (p->p_proto != ISAKMP_PROTO_ISAKMP)
			continue;
		for (j = 0; j < p->p_ntransforms; j++) {
			const struct isakmp_transform *t =
			    &p->p_transforms[j];

			if (t->t_id != ISAKMP_XF_KEY_IKE)
				continue;
			ike_xf_decode(t, ISAKMP_ATTR_CLASS_P1, &xf);
			if (!ike_p1_xf_valid(p1, &xf, t->t_num))
				continue;
			for (k = 0; k < r->cr_nxforms; k++) {
				if (!ike_p1_xform_allows(&r->cr_xforms[k],
				    &xf))
					continue;
				ike_p1_record(p1, &r->cr_xforms[k], &xf);
				log_debug(D_PROP, "ISAKMP SA %s: chose the "
				    "peer's transform %u, allowed by "
				    "p1_xform %zu of rule \"%s\"",
				    p1->p1_cookies, t->t_num, k + 1,
				    p1->p1_label);
				prop = *p;
				prop.p_transforms = (struct isakmp_transform *)
				    t;
				prop.p_ntransforms = 1;
				out = *sa;
				out.sa_proposals = &prop;
				out.sa_nproposals = 1;
				return (isakmp_build_sa(b, &out));
			}
		}
	}
	ike_p1_log_mismatch(p1, sa);
	return (ERR_PROPOSAL);
}

/*
 * Whether one of the peer's transforms fits the rule: how a responder
 * chooses among rules of the same addresses by the method offered.
 */
int
ike_prop_p1_offers(const struct config_rule *r, const struct isakmp_sa *sa)
{
	struct ike_xf	xf;
	size_t		i, j, k;

	for (i = 0; i < sa->sa_nproposals; i++) {
		const struct isakmp_proposal *p = &sa->sa_proposals[i];

		if (p->p_proto != ISAKMP_PROTO_ISAKMP)
			continue;
		for (j = 0; j < p->p_ntransforms; j++) {
			if (p->p_transforms[j].t_id != ISAKMP_XF_KEY_IKE)
				continue;
			ike_xf_decode(&p->p_transforms[j],
			    ISAKMP_ATTR_CLASS_P1, &xf);
			for (k = 0; k < r->cr_nxforms; k++)
				if (ike_p1_xform_allows(&r->cr_xforms[k],
				    &xf))
					return (1);
		}
	}
	return (0);
}

/* Initiator: the transform the responder returned must be one we sent. */
int
ike_prop_p1_accept(struct ike_p1 *p1, const struct isakmp_sa *sa)
{
	const struct config_rule	*r = p1->p1_rule;
	const struct isakmp_proposal	*p;
	struct ike_xf			 xf;
	size_t				 k;

	if (sa->sa_nproposals != 1 ||
	    sa->sa_proposals[0].p_ntransforms != 1 ||
	    sa->sa_proposals[0].p_proto != ISAKMP_PROTO_ISAKMP) {
		log_warn("ISAKMP SA %s: the SA payload of MM2 from %s must "
		    "hold one ISAKMP proposal with one transform",
		    p1->p1_cookies, p1->p1_peer);
		return (ERR_PROPOSAL);
	}
	p = &sa->sa_proposals[0];
	ike_xf_decode(&p->p_transforms[0], ISAKMP_ATTR_CLASS_P1, &xf);
	if (!ike_p1_xf_valid(p1, &xf, p->p_transforms[0].t_num))
		return (ERR_PROPOSAL);
	for (k = 0; k < r->cr_nxforms; k++) {
		if (ike_p1_xform_allows(&r->cr_xforms[k], &xf)) {
			ike_p1_record(p1, &r->cr_xforms[k], &xf);
			return (0);
		}
	}
	ike_p1_log_mismatch(p1, sa);
	return (ERR_PROPOSAL);
}

/* Phase 2. */

/* IPsec DOI Authentication Algorithm of an ipsecalgs auth number. */
static uint16_t
ike_auth_attr(unsigned int ipsecalgs_id)
{
	switch (ipsecalgs_id) {
	case IPSECALGS_AUTH_HMAC_MD5:
		return (ISAKMP_AUTH_ALG_HMAC_MD5);
	case IPSECALGS_AUTH_HMAC_SHA1:
		return (ISAKMP_AUTH_ALG_HMAC_SHA);
	case IPSECALGS_AUTH_HMAC_SHA256:
		return (ISAKMP_AUTH_ALG_HMAC_SHA2_256);
	case IPSECALGS_AUTH_HMAC_SHA384:
		return (ISAKMP_AUTH_ALG_HMAC_SHA2_384);
	case IPSECALGS_AUTH_HMAC_SHA512:
		return (ISAKMP_AUTH_ALG_HMAC_SHA2_512);
	}
	return (0);
}

/* AES-GCM (RFC 4106): integrity comes with the cipher. */
static int
ike_esp_is_gcm(uint8_t esp_id)
{
	return (esp_id == ISAKMP_ESP_AES_GCM_8 ||
	    esp_id == ISAKMP_ESP_AES_GCM_12 ||
	    esp_id == ISAKMP_ESP_AES_GCM_16);
}

/* Transforms with a Key Length attribute: AES-CBC and AES-GCM. */
static int
ike_esp_has_keylen(uint8_t esp_id)
{
	return (esp_id == ISAKMP_ESP_AES_CBC || ike_esp_is_gcm(esp_id));
}

/* Whether the kernel interface can run this ESP transform. */
static int
ike_esp_supported(uint8_t esp_id, uint16_t auth)
{
	if (ike_esp_is_gcm(esp_id))
		return (auth == 0);	/* RFC 4106 section 8.1 */
	switch (esp_id) {
	case ISAKMP_ESP_3DES:
	case ISAKMP_ESP_AES_CBC:
	case ISAKMP_ESP_NULL:
		break;
	default:
		return (0);
	}
	switch (auth) {
	case ISAKMP_AUTH_ALG_HMAC_MD5:
	case ISAKMP_AUTH_ALG_HMAC_SHA:
	case ISAKMP_AUTH_ALG_HMAC_SHA2_256:
	case ISAKMP_AUTH_ALG_HMAC_SHA2_384:
	case ISAKMP_AUTH_ALG_HMAC_SHA2_512:
		return (1);
	case 0:
		return (esp_id != ISAKMP_ESP_NULL);
	}
	return (0);
}

struct ike_p2_choice {
	uint8_t		esp_id;
	uint16_t	keybits;
	uint16_t	auth;
};

/*
 * The ESP transforms of one policy alternative, in the order we propose
 * them: each encryption algorithm and key size with each integrity
 * algorithm.  "any" offers AES-CBC and 3DES with HMAC-SHA-256 and
 * HMAC-SHA-1.  AES-GCM goes without an integrity algorithm, whatever
 * encr_auth_algs says.
 */
static size_t
ike_p2_alt_choices(const struct config_spd_alt *alt,
    struct ike_p2_choice *out, size_t max)
{
	uint8_t		 encr[2];
	uint16_t	 auth[2], ks[3];
	size_t		 ne = 0, na = 0, nk, i, j, k, n = 0;

	if (!alt->sp_esp_encr.sa_set && !alt->sp_esp_auth.sa_set)
		return (0);		/* AH only */
	if (!alt->sp_esp_encr.sa_set)
		encr[ne++] = ISAKMP_ESP_NULL;
	else if (alt->sp_esp_encr.sa_id == IPSECALGS_ANY) {
		encr[ne++] = ISAKMP_ESP_AES_CBC;
		encr[ne++] = ISAKMP_ESP_3DES;
	} else
		encr[ne++] = alt->sp_esp_encr.sa_id;
	if (ike_esp_is_gcm(encr[0]))
		auth[na++] = 0;
	else if (alt->sp_esp_auth.sa_set && alt->sp_esp_auth.sa_id != 0)
		auth[na++] = ike_auth_attr(alt->sp_esp_auth.sa_id);
	else {
		auth[na++] = ISAKMP_AUTH_ALG_HMAC_SHA2_256;
		auth[na++] = ISAKMP_AUTH_ALG_HMAC_SHA;
	}
	for (i = 0; i < ne; i++) {
		nk = 0;
		if (ike_esp_has_keylen(encr[i])) {
			uint16_t lo = alt->sp_esp_encr.sa_klen_min;
			uint16_t hi = alt->sp_esp_encr.sa_klen_max;

			if (lo == 0)
				lo = hi = 128;
			for (k = 128; k <= 256; k += 64)
				if (k >= lo && k <= hi)
					ks[nk++] = k;
		} else
			ks[nk++] = 0;
		for (j = 0; j < nk; j++)
			for (k = 0; k < na; k++) {
				if (n == max ||
				    !ike_esp_supported(encr[i], auth[k]))
					continue;
				out[n].esp_id = encr[i];
				out[n].keybits = ks[j];
				out[n].auth = auth[k];
				n++;
			}
	}
	return (n);
}

static const struct config_rule *
ike_qm_rule(const struct ike_qm *qm)
{
	return (qm->qm_p1->p1_rule);
}

static uint32_t
ike_p2_life_secs(const struct ike_qm *qm)
{
	uint32_t	v = ike_qm_rule(qm)->cr_p2.p2_lifetime_secs.val;

	return (v ? v : CONFIG_DEF_P2_LIFETIME);
}

static uint32_t
ike_p2_life_kb(const struct ike_qm *qm)
{
	return (ike_qm_rule(qm)->cr_p2.p2_lifetime_kb.val);
}

/* QM1: one proposal per alternative of the policy entry. */
int
ike_prop_p2_build(struct ike_qm *qm, const struct config_spd *spd,
    struct isakmp_builder *b)
{
	struct ike_p2_choice	 ch[32];
	uint32_t		 spi = htonl(qm->qm_spi_in);
	size_t			 i, j, n;
	uint8_t			 pnum = 0;

	isakmp_build_sa_begin(b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	for (i = 0; i < spd->sd_nalts; i++) {
		if (!config_spd_is_ipsec(&spd->sd_alts[i]))
			continue;
		n = ike_p2_alt_choices(&spd->sd_alts[i], ch, UTIL_NELEM(ch));
		if (n == 0)
			continue;
		isakmp_build_proposal_begin(b, ++pnum, ISAKMP_PROTO_ESP,
		    (const uint8_t *)&spi, 4, n);
		for (j = 0; j < n; j++) {
			isakmp_build_transform_begin(b, j + 1, ch[j].esp_id);
			isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P2,
			    ISAKMP_P2_LIFE_TYPE, ISAKMP_LIFE_SECONDS);
			isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P2,
			    ISAKMP_P2_LIFE_DURATION, ike_p2_life_secs(qm));
			if (ike_p2_life_kb(qm) != 0) {
				isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P2,
				    ISAKMP_P2_LIFE_TYPE,
				    ISAKMP_LIFE_KILOBYTES);
				isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P2,
				    ISAKMP_P2_LIFE_DURATION,
				    ike_p2_life_kb(qm));
			}
			if (qm->qm_group != 0)
				isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P2,
				    ISAKMP_P2_GROUP_DESC, qm->qm_group);
			isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P2,
			    ISAKMP_P2_ENCAP_MODE, qm->qm_encap_mode);
			if (ch[j].auth != 0)
				isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P2,
				    ISAKMP_P2_AUTH_ALG, ch[j].auth);
			if (ch[j].keybits != 0)
				isakmp_build_attr(b, ISAKMP_ATTR_CLASS_P2,
				    ISAKMP_P2_KEY_LENGTH, ch[j].keybits);
			isakmp_build_transform_end(b);
		}
		isakmp_build_proposal_end(b);
	}
	if (pnum == 0) {
		log_warn("policy entry at %s:%u has no ESP alternative this "
		    "daemon can negotiate (AH and DES/Blowfish are not "
		    "supported)", spd->sd_where.cw_file,
		    spd->sd_where.cw_line);
		return (ERR_CONFIG);
	}
	return (isakmp_build_sa_end(b));
}

/*
 * The ESP transforms and PFS group that QM1 proposes for spd, as text
 * for log messages: "AES-CBC(128)/HMAC-SHA2-256, ... with PFS group 14".
 */
void
ike_prop_p2_describe(const struct ike_qm *qm, const struct config_spd *spd,
    char *buf, size_t len)
{
	struct ike_p2_choice	 ch[32];
	const char		*name;
	size_t			 i, j, n, used = 0;
	int			 w;

	buf[0] = '\0';
	for (i = 0; i < spd->sd_nalts; i++) {
		if (!config_spd_is_ipsec(&spd->sd_alts[i]))
			continue;
		n = ike_p2_alt_choices(&spd->sd_alts[i], ch, UTIL_NELEM(ch));
		for (j = 0; j < n && used < len; j++) {
			name = isakmp_transform_id_name(ISAKMP_PROTO_ESP,
			    ch[j].esp_id);
			if (strncmp(name, "ESP_", 4) == 0)
				name += 4;
			w = snprintf(buf + used, len - used, "%s%s(%u)/%s",
			    used > 0 ? ", " : "", name, ch[j].keybits,
			    ch[j].auth != 0 ? isakmp_attr_value_name(
			    ISAKMP_ATTR_CLASS_P2, ISAKMP_P2_AUTH_ALG,
			    ch[j].auth) : "none");
			if (w < 0)
				return;
			used += (size_t)w;
		}
	}
	if (used >= len)
		return;
	if (qm->qm_group != 0)
		(void)snprintf(buf + used, len - used, " with PFS group %u",
		    qm->qm_group);
	else
		(void)snprintf(buf + used, len - used, " without PFS");
}

/* Whether alt allows an ESP transform with these attributes. */
static int
ike_p2_alt_allows(const struct config_spd_alt *alt, uint8_t esp_id,
    const struct ike_xf *xf)
{
	const struct config_spd_alg	*e = &alt->sp_esp_encr;
	const struct config_spd_alg	*a = &alt->sp_esp_auth;
	const struct ipsecalgs_alg	*ia;
	uint16_t			 bits = xf->xf_keybits;

	if (!config_spd_is_ipsec(alt) || (!e->sa_set && !a->sa_set))
		return (0);
	if (!ike_esp_supported(esp_id, xf->xf_auth))
		return (0);
	if (!e->sa_set) {
		if (esp_id != ISAKMP_ESP_NULL)
			return (0);
	} else if (e->sa_id != IPSECALGS_ANY && e->sa_id != esp_id)
		return (0);
	if (ike_esp_has_keylen(esp_id)) {
		if (bits == 0)
			return (0);	/* RFC 3602, RFC 4106 8.1: required */
		ia = ipsecalgs_find_id(IPSECALGS_ESP, esp_id);
		if (ia == NULL || !ipsecalgs_key_valid(ia, bits))
			return (0);
		if (e->sa_set && e->sa_klen_min != 0 &&
		    (bits < e->sa_klen_min || bits > e->sa_klen_max))
			return (0);
	} else if (bits != 0)
		return (0);
	if (ike_esp_is_gcm(esp_id))
		return (1);
	if (a->sa_set && a->sa_id != IPSECALGS_ANY &&
	    ike_auth_attr(a->sa_id) != xf->xf_auth)
		return (0);
	if (a->sa_set && xf->xf_auth == 0)
		return (0);
	return (1);
}

static int
ike_p2_encap_ok(const struct ike_qm *qm, uint16_t encap)
{
	const struct ike_p1	*p1 = qm->qm_p1;

	switch (encap) {
	case ISAKMP_ENCAP_TUNNEL:
		return (qm->qm_tunnel && !p1->p1_floated);
	case ISAKMP_ENCAP_TRANSPORT:
		return (!qm->qm_tunnel && !p1->p1_floated);
	case ISAKMP_ENCAP_UDP_TUNNEL:
	case ISAKMP_ENCAP_UDP_TUNNEL_DRAFT:
		return (qm->qm_tunnel && p1->p1_natt != IKE_NATT_NONE);
	case ISAKMP_ENCAP_UDP_TRANSPORT:
	case ISAKMP_ENCAP_UDP_TRANSPORT_DRAFT:
		return (!qm->qm_tunnel && p1->p1_natt != IKE_NATT_NONE);
	}
	return (0);
}

/*
 * Responder: whether the PFS group of a proposal is acceptable.  With
 * p2_pfs set, the peer must use exactly that group, so that it cannot
 * talk us down to a weaker one or to none.  Without it, PFS is the
 * peer's choice, but only with a group at least as strong as the Phase 1
 * group: a weaker one would be the easiest way to the IPsec keys.
 */
static int
ike_p2_pfs_ok(const struct ike_qm *qm, unsigned int group)
{
	const struct dh_group_info	*g, *p1g;
	unsigned int			 want;

	want = ike_qm_rule(qm)->cr_p2.p2_pfs.val;
	if (want != 0)
		return (group == want);
	if (group == 0)
		return (1);
	g = dh_group_lookup(group);
	p1g = dh_group_lookup(qm->qm_p1->p1_group);
	return (g != NULL && (p1g == NULL ||
	    g->dg_strength >= p1g->dg_strength));
}

/* Whether the policy entry spd allows a transform. */
static int
ike_p2_allows(const struct ike_qm *qm, const struct config_spd *spd,
    uint8_t esp_id, const struct ike_xf *xf, int responder)
{
	size_t	i;

	if (xf->xf_unknown || !ike_p2_encap_ok(qm, xf->xf_encap))
		return (0);
	if (xf->xf_group != 0 && dh_group_supported(xf->xf_group) != 0)
		return (0);
	if (!responder && xf->xf_group != qm->qm_group)
		return (0);
	if (responder && !ike_p2_pfs_ok(qm, xf->xf_group))
		return (0);
	for (i = 0; i < spd->sd_nalts; i++)
		if (ike_p2_alt_allows(&spd->sd_alts[i], esp_id, xf))
			break;
	return (i < spd->sd_nalts);
}

/* Check and record a transform; returns 1 when acceptable. */
static int
ike_p2_take(struct ike_qm *qm, const struct config_spd *spd, uint8_t esp_id,
    const struct ike_xf *xf, int responder)
{
	uint32_t	secs, kb, want_secs, want_kb;

	if (!ike_p2_allows(qm, spd, esp_id, xf, responder))
		return (0);
	qm->qm_esp_id = esp_id;
	qm->qm_auth_alg = xf->xf_auth;
	qm->qm_keybits = xf->xf_keybits;
	qm->qm_encap_mode = xf->xf_encap;
	qm->qm_encap = xf->xf_encap >= ISAKMP_ENCAP_UDP_TUNNEL;
	qm->qm_group = xf->xf_group;
	want_secs = xf->xf_life_secs ? xf->xf_life_secs : IKE_P2_DEFAULT_LIFE;
	want_kb = xf->xf_life_kb;
	secs = ike_p2_life_secs(qm);
	kb = ike_p2_life_kb(qm);
	qm->qm_life_secs = want_secs < secs ? want_secs : secs;
	qm->qm_life_kb = want_kb;
	if (kb != 0 && (want_kb == 0 || want_kb > kb))
		qm->qm_life_kb = kb;
	/* RFC 2407 4.6.3.1: tell the initiator what we shortened. */
	qm->qm_send_resp_life = responder && (want_secs > secs ||
	    qm->qm_life_kb != want_kb);
	return (1);
}

/*
 * When an ESP transform was rejected only for an attribute value while
 * the policy entry allows its algorithms, log that value as the reason.
 * Returns 1 when it logged.
 */
static int
ike_p2_log_fault(const struct ike_qm *qm, const struct config_spd *spd,
    const struct isakmp_sa *sa, int responder)
{
	struct ike_xf	xf;
	size_t		i, j;

	for (i = 0; i < sa->sa_nproposals; i++) {
		const struct isakmp_proposal *p = &sa->sa_proposals[i];

		if (p->p_proto != ISAKMP_PROTO_ESP)
			continue;
		for (j = 0; j < p->p_ntransforms; j++) {
			const struct isakmp_transform *t =
			    &p->p_transforms[j];

			ike_xf_decode(t, ISAKMP_ATTR_CLASS_P2, &xf);
			if (!xf.xf_unknown)
				continue;
			xf.xf_unknown = 0;
			if (!ike_p2_allows(qm, spd, t->t_id, &xf, responder))
				continue;
			log_warn("no acceptable Quick Mode proposal from %s "
			    "(ISAKMP SA %s, rule \"%s\"): ESP transform %u of "
			    "proposal %u has algorithms that the policy entry "
			    "at %s:%u allows but is not acceptable: %s; change "
			    "that attribute in the peer's proposal",
			    qm->qm_p1->p1_peer, qm->qm_p1->p1_cookies,
			    qm->qm_p1->p1_label, t->t_num, p->p_num,
			    spd->sd_where.cw_file, spd->sd_where.cw_line,
			    xf.xf_bad);
			return (1);
		}
	}
	return (0);
}

static void
ike_p2_log_mismatch(struct ike_qm *qm, const struct config_spd *spd,
    const struct isakmp_sa *sa, int responder)
{
	char		line[1024], one[160], pfs[96];
	size_t		i, j, l;
	unsigned int	want = ike_qm_rule(qm)->cr_p2.p2_pfs.val;

	if (ike_p2_log_fault(qm, spd, sa, responder))
		return;
	line[0] = '\0';
	if (want != 0)
		snprintf(pfs, sizeof(pfs), " with PFS group %u (p2_pfs)", want);
	else
		snprintf(pfs, sizeof(pfs), ", with PFS optional but no weaker "
		    "than the Phase 1 group %u", qm->qm_p1->p1_group);
	for (i = 0; i < sa->sa_nproposals; i++) {
		const struct isakmp_proposal *p = &sa->sa_proposals[i];

		for (j = 0; j < p->p_ntransforms; j++) {
			struct ike_xf xf;

			ike_xf_decode(&p->p_transforms[j],
			    ISAKMP_ATTR_CLASS_P2, &xf);
			ike_xf_describe(&xf, one, sizeof(one), 0);
			l = strlen(line);
			snprintf(line + l, sizeof(line) - l, "%s%s %s %s",
			    l ? "; " : "", isakmp_proto_name(p->p_proto),
			    isakmp_transform_id_name(p->p_proto,
			    p->p_transforms[j].t_id), one);
		}
	}
	log_warn("no acceptable Quick Mode proposal from %s (ISAKMP SA %s, "
	    "rule \"%s\"): the peer offered %s; the policy entry at %s:%u "
	    "allows %s mode%s%s", qm->qm_p1->p1_peer, qm->qm_p1->p1_cookies,
	    qm->qm_p1->p1_label, line[0] ? line : "nothing",
	    spd->sd_where.cw_file, spd->sd_where.cw_line,
	    qm->qm_tunnel ? "tunnel" : "transport",
	    qm->qm_p1->p1_floated ? " (UDP-encapsulated)" :
	    "", pfs);
}

/*
 * Responder: pick the first acceptable ESP transform of the peer's
 * proposals and build the SA payload of QM2 with our SPI.
 */
int
ike_prop_p2_select(struct ike_qm *qm, const struct config_spd *spd,
    const struct isakmp_sa *sa, struct isakmp_builder *b)
{
	struct isakmp_proposal	 prop;
	struct isakmp_sa	 out;
	struct ike_xf		 xf;
	uint32_t		 spi;
	size_t			 i, j, k, same;

	if (sa->sa_doi != ISAKMP_DOI_IPSEC)
		goto none;
	for (i = 0; i < sa->sa_nproposals; i++) {
		const struct isakmp_proposal *p = &sa->sa_proposals[i];

		/* Proposals sharing a number form a bundle (AH+ESP). */
		for (k = 0, same = 0; k < sa->sa_nproposals; k++)
			same += sa->sa_proposals[k].p_num == p->p_num;
		if (same != 1 || p->p_proto != ISAKMP_PROTO_ESP ||
		    p->p_spi_size != 4)
			continue;
		for (j = 0; j < p->p_ntransforms; j++) {
			const struct isakmp_transform *t =
			    &p->p_transforms[j];

			ike_xf_decode(t, ISAKMP_ATTR_CLASS_P2, &xf);
			if (!ike_p2_take(qm, spd, t->t_id, &xf, 1))
				continue;
			log_debug(D_PROP, "ISAKMP SA %s: Quick Mode %08x: chose "
			    "proposal %u transform %u for the policy at %s:%u",
			    qm->qm_p1->p1_cookies, qm->qm_msgid, p->p_num,
			    t->t_num, spd->sd_where.cw_file,
			    spd->sd_where.cw_line);
			memcpy(&spi, p->p_spi, 4);
			qm->qm_spi_out = ntohl(spi);
			spi = htonl(qm->qm_spi_in);
			prop = *p;
			prop.p_spi = (const uint8_t *)&spi;
			prop.p_transforms = (struct isakmp_transform *)t;
			prop.p_ntransforms = 1;
			out = *sa;
			out.sa_proposals = &prop;
			out.sa_nproposals = 1;
			return (isakmp_build_sa(b, &out));
		}
	}
none:
	ike_p2_log_mismatch(qm, spd, sa, 1);
	return (ERR_PROPOSAL);
}

/* Initiator: accept the responder's choice in QM2. */
int
ike_prop_p2_accept(struct ike_qm *qm, const struct isakmp_sa *sa)
{
	const struct config_spd		*spd;
	const struct isakmp_proposal	*p;
	struct ike_xf			 xf;
	uint32_t			 spi;

	spd = &qm->qm_p1->p1_eng->e_cfg->cf_spds[qm->qm_spd];
	if (sa->sa_nproposals != 1 || sa->sa_proposals[0].p_ntransforms != 1)
		goto bad;
	p = &sa->sa_proposals[0];
	if (p->p_proto != ISAKMP_PROTO_ESP || p->p_spi_size != 4)
		goto bad;
	ike_xf_decode(&p->p_transforms[0], ISAKMP_ATTR_CLASS_P2, &xf);
	if (!ike_p2_take(qm, spd, p->p_transforms[0].t_id, &xf, 0))
		goto bad;
	memcpy(&spi, p->p_spi, 4);
	qm->qm_spi_out = ntohl(spi);
	return (0);
bad:
	ike_p2_log_mismatch(qm, spd, sa, 0);
	return (ERR_PROPOSAL);
}

/*
 * Lower *secs and *kb (0 = no limit) to the lifetimes in the attributes
 * of a RESPONDER-LIFETIME notify (RFC 2407 4.6.3.1).  type_attr and
 * duration_attr are the Life Type and Life Duration attribute numbers of
 * the phase.  Returns 0 or ERR_MALFORMED.
 */
int
ike_prop_life_attrs(const struct isakmp_notify *n, uint16_t type_attr,
    uint16_t duration_attr, uint32_t *secs, uint32_t *kb)
{
	struct rbuf	rb;
	uint16_t	type, len, life_type = 0;
	uint32_t	v;
	uint8_t		b;

	rbuf_init(&rb, n->n_data, n->n_len);
	while (rbuf_left(&rb) > 0) {
		if (rbuf_get_u16(&rb, &type) != 0)
			return (ERR_MALFORMED);
		if (type & ISAKMP_ATTR_AF) {
			if (rbuf_get_u16(&rb, &len) != 0)
				return (ERR_MALFORMED);
			v = len;
		} else {
			if (rbuf_get_u16(&rb, &len) != 0 || len > 4 ||
			    rbuf_left(&rb) < len)
				return (ERR_MALFORMED);
			for (v = 0; len > 0; len--) {
				(void)rbuf_get_u8(&rb, &b);
				v = v << 8 | b;
			}
		}
		type &= ISAKMP_ATTR_TYPE_MASK;
		if (type == type_attr)
			life_type = v;
		else if (type == duration_attr && v != 0) {
			if (life_type == ISAKMP_LIFE_SECONDS && v < *secs)
				*secs = v;
			if (life_type == ISAKMP_LIFE_KILOBYTES &&
			    (*kb == 0 || v < *kb))
				*kb = v;
		}
	}
	return (0);
}

/* RESPONDER-LIFETIME (RFC 2407 4.6.3.1): take the shorter lifetimes. */
int
ike_prop_p2_responder_lifetime(struct ike_qm *qm,
    const struct isakmp_notify *n)
{
	int	rc;

	if ((rc = ike_prop_life_attrs(n, ISAKMP_P2_LIFE_TYPE,
	    ISAKMP_P2_LIFE_DURATION, &qm->qm_life_secs, &qm->qm_life_kb)) != 0)
		return (rc);
	log_info("ISAKMP SA %s: peer %s shortened the IPsec SA lifetime to "
	    "%u s, %u KB (RESPONDER-LIFETIME)", qm->qm_p1->p1_cookies,
	    qm->qm_p1->p1_peer, qm->qm_life_secs, qm->qm_life_kb);
	return (0);
}
