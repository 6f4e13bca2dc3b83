/*
 * The configuration of in.iked as plain structs: the globals and rules of
 * /etc/inet/ike/config, the keys of /etc/inet/secret/ike.preshared and the
 * IPsec policy of /etc/inet/ipsecinit.conf.
 *
 * The parsers fill a struct config; a separate validation pass
 * (config_validate) then checks it and fills in every default, so that after
 * a successful config_load every value below is the effective one and its
 * `src' field records where it came from.  Every item records the file and
 * line it was read from, for messages.
 *
 * Numbers of algorithms, groups and identity types are the IANA values that
 * go on the wire (RFC 2407, RFC 2409, RFC 3526, RFC 5114, RFC 5903).
 */
#ifndef IKED_CONFIG_H
#define IKED_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/wbuf.h"

struct config_diag;

/* Source of a value, for "in.iked -c -v" and "ikeadm get defaults". */
enum config_src {
	CONFIG_SRC_DEFAULT = 0,	/* built-in default */
	CONFIG_SRC_FILE,	/* set where it applies (global, or in the rule) */
	CONFIG_SRC_GLOBAL,	/* rule value inherited from a global in the file */
};

/* File and line of an item; cw_file points into config->cf_files. */
struct config_where {
	const char	*cw_file;
	unsigned int	 cw_line;
};

struct config_u32 {
	uint32_t	 val;
	uint8_t		 src;		/* enum config_src */
	unsigned int	 line;		/* 0 unless src is CONFIG_SRC_FILE */
};

struct config_str {
	char		*val;		/* NULL when unset */
	uint8_t		 src;
};

struct config_strlist {
	char		**items;
	size_t		 n;
};

/* An IPv4 or IPv6 address in network byte order. */
struct config_ip {
	int		 family;	/* AF_INET or AF_INET6 */
	uint8_t		 addr[16];	/* IPv4 uses the first 4 bytes */
};

enum config_range_kind {
	CONFIG_RANGE_SINGLE,		/* A */
	CONFIG_RANGE_PREFIX,		/* A/len or A/MASK */
	CONFIG_RANGE_RANGE,		/* A-B */
};

/* An inclusive range [lo, hi] of one family, and how it was written. */
struct config_range {
	struct config_ip	 lo;
	struct config_ip	 hi;
	uint8_t			 kind;	/* enum config_range_kind */
	uint8_t			 plen;	/* prefix length for PREFIX */
};

struct config_addrlist {
	struct config_range	*ranges;
	size_t			 n;
};

/* Identity types (RFC 2407 section 4.6.2.1), plus "IP" of either family. */
enum config_idtype {
	CONFIG_ID_IPV4_ADDR = 1,
	CONFIG_ID_FQDN = 2,
	CONFIG_ID_USER_FQDN = 3,
	CONFIG_ID_IPV4_SUBNET = 4,
	CONFIG_ID_IPV6_ADDR = 5,
	CONFIG_ID_IPV6_SUBNET = 6,
	CONFIG_ID_IPV4_RANGE = 7,
	CONFIG_ID_IPV6_RANGE = 8,
	CONFIG_ID_DER_ASN1_DN = 9,
	CONFIG_ID_DER_ASN1_GN = 10,
	CONFIG_ID_KEY_ID = 11,
	CONFIG_ID_IP = 256,	/* address of the family in use ("IP") */
	CONFIG_ID_PREFIX = 257,	/* prefix of either family (parsing only) */
};

/* Phase 1 authentication methods (RFC 2409 appendix A, RFC 4754). */
enum config_auth_method {
	CONFIG_AUTH_PRESHARED = 1,
	CONFIG_AUTH_DSS_SIG = 2,
	CONFIG_AUTH_RSA_SIG = 3,
	CONFIG_AUTH_RSA_ENCRYPT = 4,	/* rsa_encrypt (RFC 2409 5.2) */
	CONFIG_AUTH_RSA_ENCRYPT_REV = 5, /* rsa_encrypt_rev (5.3) */
	CONFIG_AUTH_ECDSA_P256 = 9,	/* ecdsa_p256: SHA-256 on P-256 */
	CONFIG_AUTH_ECDSA_P384 = 10,	/* ecdsa_p384: SHA-384 on P-384 */
	CONFIG_AUTH_ECDSA_P521 = 11,	/* ecdsa_p521: SHA-512 on P-521 */
};

/* Phase 1 encryption algorithms (RFC 2409 appendix A, RFC 3602). */
enum config_p1_encr {
	CONFIG_P1_ENCR_DES = 1,
	CONFIG_P1_ENCR_BLOWFISH = 3,
	CONFIG_P1_ENCR_3DES = 5,
	CONFIG_P1_ENCR_AES = 7,
};

/* Phase 1 hash algorithms (RFC 2409 appendix A, RFC 4868). */
enum config_p1_hash {
	CONFIG_P1_HASH_MD5 = 1,
	CONFIG_P1_HASH_SHA1 = 2,
	CONFIG_P1_HASH_SHA256 = 4,
	CONFIG_P1_HASH_SHA384 = 5,
	CONFIG_P1_HASH_SHA512 = 6,
};

/* One p1_xform { } block: a Phase 1 proposal. */
struct config_p1_xform {
	int			 px_auth_method;	/* enum config_auth_method */
	int			 px_group;		/* Oakley group number */
	unsigned int		 px_group_line;
	int			 px_encr;		/* enum config_p1_encr */
	uint16_t		 px_klen_min;		/* key bits; 0 = fixed */
	uint16_t		 px_klen_max;
	int			 px_hash;		/* enum config_p1_hash */
	struct config_u32	 px_lifetime_secs;	/* default: global */
	struct config_where	 px_where;
};

/*
 * Values that are global defaults and per-rule overrides: Phase 2, and
 * the Dead Peer Detection settings of the ISAKMP SA (RFC 3706).
 */
struct config_p2 {
	struct config_u32	 p2_pfs;		/* 0 = no PFS, else group */
	struct config_u32	 p2_lifetime_secs;
	struct config_u32	 p2_softlife_secs;
	struct config_u32	 p2_idletime_secs;	/* 0 = none */
	struct config_u32	 p2_lifetime_kb;	/* 0 = unlimited */
	struct config_u32	 p2_softlife_kb;	/* 0 = unlimited */
	struct config_u32	 p2_dpd_interval;	/* seconds, 0 = off */
	struct config_u32	 p2_dpd_retries;	/* unanswered probes */
};

/* Built-in defaults; config_validate fills them in. */
#define CONFIG_DEF_EXPIRE_TIMER		300
#define CONFIG_DEF_RETRY_LIMIT		5
/*
 * Unfinished responder Phase 1 exchanges kept at once (max_half_open).
 * A timer run walks every ISAKMP SA, and each entry retransmits, so the
 * CPU time of a flood grows faster than the table.  Measured with
 * tests/robustness/flood.sh at 10000 MM1 per second: 4096 entries cost
 * in.iked a tenth of a CPU, 65536 all of it and half the tunnel's pings.
 */
#define CONFIG_DEF_MAX_HALF_OPEN	1024
#define CONFIG_MAX_HALF_OPEN		4096
#define CONFIG_DEF_RETRY_INIT_MS	500
#define CONFIG_DEF_RETRY_MAX_MS		30000
#define CONFIG_DEF_P1_LIFETIME		28800
/*
 * Phase 1 lifetimes from CONFIG_MIN_P1_LIFETIME on are valid, which is
 * short enough for tests of the renewal.  Below CONFIG_WARN_P1_LIFETIME
 * in.iked -c warns, because every renewal costs a Diffie-Hellman
 * exchange and an authentication with the peer.
 */
#define CONFIG_MIN_P1_LIFETIME		10
#define CONFIG_WARN_P1_LIFETIME		240
#define CONFIG_DEF_NONCE_LEN		20
#define CONFIG_MIN_NONCE_LEN		8	/* RFC 2409 section 5 */
#define CONFIG_MAX_NONCE_LEN		256
#define CONFIG_DEF_P2_LIFETIME		28800	/* kernel default, hard */
#define CONFIG_DEF_P2_SOFTLIFE		24000	/* kernel default, soft */
#define CONFIG_MIN_P2_LIFETIME		60
#define CONFIG_DEF_DPD_INTERVAL		30	/* seconds idle before a probe */
#define CONFIG_MAX_DPD_INTERVAL		86400
#define CONFIG_DEF_DPD_RETRIES		5
#define CONFIG_MAX_DPD_RETRIES		100
#define CONFIG_DEF_PKCS11_PATH		"libpkcs11.so"

struct config_globals {
	struct config_strlist	 cg_cert_root;
	struct config_strlist	 cg_cert_trust;
	struct config_strlist	 cg_ldap_server;	/* "host[:port]" each */
	struct config_u32	 cg_expire_timer;	/* seconds */
	struct config_u32	 cg_ignore_crls;	/* flag */
	struct config_str	 cg_pkcs11_path;
	struct config_u32	 cg_retry_limit;
	struct config_u32	 cg_max_half_open;	/* responder Phase 1s */
	struct config_u32	 cg_retry_timer_init;	/* milliseconds */
	struct config_u32	 cg_retry_timer_max;	/* milliseconds */
	struct config_str	 cg_proxy;
	struct config_str	 cg_socks;
	struct config_u32	 cg_use_http;		/* flag */
	struct config_u32	 cg_p1_lifetime_secs;
	struct config_u32	 cg_min_p1_lifetime;	/* not tunable */
	struct config_u32	 cg_p1_nonce_len;	/* bytes */
	struct config_u32	 cg_p2_nonce_len;	/* bytes */
	struct config_p2	 cg_p2;
	struct config_u32	 cg_local_id_type;	/* enum config_idtype */
	struct config_p1_xform	*cg_xforms;
	size_t			 cg_nxforms;
};

/* A certificate selector of local_id or remote_id. */
struct config_idsel {
	char			*is_sel;	/* without the leading "!" */
	int			 is_exclude;	/* it had a leading "!" */
};

struct config_rule {
	char			*cr_label;
	unsigned int		 cr_cookie;	/* 1-based index, for ikeadm */
	struct config_addrlist	 cr_local;
	struct config_addrlist	 cr_remote;
	struct config_u32	 cr_local_id_type;	/* enum config_idtype */
	char			*cr_local_id;		/* NULL when unset */
	struct config_idsel	*cr_remote_ids;
	size_t			 cr_nremote_ids;
	/*
	 * The rule's own xforms, or a copy of the global list when the
	 * rule has none (cr_xforms_global is then 1).
	 */
	struct config_p1_xform	*cr_xforms;
	size_t			 cr_nxforms;
	int			 cr_xforms_global;
	struct config_p2	 cr_p2;			/* effective values */
	struct config_where	 cr_where;		/* the opening "{" */
};

/* A preshared-key identity: an address form or a name. */
struct config_psk_id {
	int			 pi_type;	/* enum config_idtype */
	struct config_range	 pi_range;	/* address, prefix or range */
	char			*pi_name;	/* other types; NULL for addresses */
};

enum config_ike_mode {
	CONFIG_IKE_MODE_MAIN = 1,
	CONFIG_IKE_MODE_AGGRESSIVE = 2,
	CONFIG_IKE_MODE_BOTH = 3,
};

struct config_psk {
	struct config_psk_id	 ps_local;
	struct config_psk_id	 ps_remote;
	struct wbuf		 ps_key;	/* secret: wiped on free */
	struct config_u32	 ps_ike_mode;	/* enum config_ike_mode */
	struct config_where	 ps_where;
};

/* ipsecinit.conf actions. */
enum config_spd_action {
	CONFIG_SPD_IPSEC = 1,
	CONFIG_SPD_BYPASS,
	CONFIG_SPD_PASS,
	CONFIG_SPD_DROP,
	CONFIG_SPD_APPLY,	/* old style: ipsec, outbound */
	CONFIG_SPD_PERMIT,	/* old style: ipsec, inbound */
};

enum config_spd_dir {
	CONFIG_DIR_IN = 1,
	CONFIG_DIR_OUT = 2,
	CONFIG_DIR_BOTH = 3,
};

enum config_negotiate {
	CONFIG_NEGOTIATE_TRANSPORT = 1,
	CONFIG_NEGOTIATE_TUNNEL = 2,
};

/* One algorithm property; id numbers are those of ipsecalgs.h. */
struct config_spd_alg {
	uint8_t		 sa_set;
	uint8_t		 sa_id;		/* 0 = any */
	uint16_t	 sa_klen_min;	/* bits; 0 = algorithm default */
	uint16_t	 sa_klen_max;
};

/*
 * One "action { props }"; entries joined by "or" have several.  An unset
 * sp_esp_auth with sp_esp_encr set accepts ESP with or without integrity;
 * encr_auth_algs alone gives sp_esp_encr "null".
 */
struct config_spd_alt {
	int			 sp_action;	/* enum config_spd_action */
	struct config_spd_alg	 sp_ah_auth;	/* auth_algs */
	struct config_spd_alg	 sp_esp_encr;	/* encr_algs */
	struct config_spd_alg	 sp_esp_auth;	/* encr_auth_algs */
	int			 sp_sa_unique;	/* sa unique (default shared) */
	int			 sp_dir;	/* old-style "dir" in props, or 0 */
};

/* A port, protocol, ICMP type or code: unset means any. */
struct config_spd_num {
	uint8_t		 sn_set;
	uint16_t	 sn_lo;
	uint16_t	 sn_hi;
};

struct config_spd {
	/* Pattern; an unset pair is a wildcard. */
	int			 sd_laddr_set;
	struct config_range	 sd_laddr;	/* local: dst inbound, src out */
	int			 sd_raddr_set;
	struct config_range	 sd_raddr;
	struct config_spd_num	 sd_lport;
	struct config_spd_num	 sd_rport;
	struct config_spd_num	 sd_ulp;	/* IP protocol number */
	struct config_spd_num	 sd_icmp_type;
	struct config_spd_num	 sd_icmp_code;
	int			 sd_dir;	/* enum config_spd_dir, 0 unset */
	int			 sd_negotiate;	/* enum config_negotiate, 0 unset */
	/* Tunnel mode: outer endpoints; tdst may be a prefix or range. */
	int			 sd_tunnel;
	struct config_ip	 sd_tsrc;
	struct config_range	 sd_tdst;
	struct config_spd_alt	*sd_alts;
	size_t			 sd_nalts;
	struct config_where	 sd_where;
};

struct config {
	struct config_globals	 cf_globals;
	struct config_rule	*cf_rules;
	size_t			 cf_nrules;
	struct config_psk	*cf_psks;
	size_t			 cf_npsks;
	struct config_spd	*cf_spds;
	size_t			 cf_nspds;
	char			**cf_files;	/* names for config_where */
	size_t			 cf_nfiles;
	unsigned int		 cf_missing;	/* CONFIG_MISSING_* */
	const char		*cf_config_file; /* the ike.config read */
};

/* Optional files that config_load did not find. */
#define CONFIG_MISSING_PRESHARED	0x1
#define CONFIG_MISSING_IPSECINIT	0x2

/* The file names config_load reads; NULL skips that file. */
struct config_paths {
	const char	*cp_config;
	const char	*cp_preshared;
	const char	*cp_ipsecinit;
};

/*
 * A traffic selector, as seen for an outbound packet (local = source) or
 * an inbound one (local = destination).  Ports and proto 0 mean any.
 */
struct config_selector {
	struct config_ip	 cs_local;
	struct config_ip	 cs_remote;
	uint8_t			 cs_proto;
	uint16_t		 cs_lport;	/* or ICMP type */
	uint16_t		 cs_rport;	/* or ICMP code */
	int			 cs_dir;	/* CONFIG_DIR_IN or _OUT */
};

struct config	*config_new(void);
void		 config_free(struct config *);

/*
 * Remove the rule or preshared entry at index (0-based, in file order);
 * run config_validate afterwards to renumber the rule cookies.  Returns 0
 * or ERR_NOTFOUND.
 */
int	config_rule_remove(struct config *, size_t index);
int	config_psk_remove(struct config *, size_t index);

/*
 * Read and validate all three files.  A missing ipsecinit.conf is not an
 * error, and a missing preshared file is one only when a rule uses
 * preshared keys (cf_missing records both).  Every error goes to diag.
 * Returns 0, or ERR_CONFIG (ERR_NOMEM) with *out NULL.
 */
int	config_load(struct config **out, const struct config_paths *,
	    struct config_diag *);

/*
 * Add a "warning: ..." message to diag for each likely mistake in a
 * loaded configuration: no rules, a rule that an earlier one with the
 * same addresses hides, a tunnel entry of ipsecinit.conf that no rule
 * covers, p2_idletime_secs above p2_lifetime_secs, a Phase 1 lifetime
 * below CONFIG_WARN_P1_LIFETIME, a preshared rule that no key entry
 * matches, a missing ipsecinit.conf, a policy entry that repeats another
 * exactly, that an earlier entry with the same pattern hides, or that has
 * an empty pattern, and a key folder writable by group or others.
 * Warnings do not make it invalid.
 */
void	config_warn(const struct config *, const struct config_paths *,
	    struct config_diag *);

/*
 * Check a parsed config as a whole (required keywords, unique labels,
 * authentication methods, groups, lifetimes) and fill in every default.
 */
int	config_validate(struct config *, struct config_diag *);

/* Address helpers. */
int	config_ip_from_sockaddr(struct config_ip *, const void *sa);
int	config_ip_cmp(const struct config_ip *, const struct config_ip *);
int	config_range_match(const struct config_range *,
	    const struct config_ip *);
int	config_addrlist_match(const struct config_addrlist *,
	    const struct config_ip *);

/*
 * Lookups for the engine; each returns NULL when nothing matches.  Rules
 * are searched in file order.  Policy entries are searched in match
 * order: bypass and pass entries first, then the stronger entries (AH+ESP,
 * ESP, AH) before weaker ones, as ipsecinit.conf(5) describes.
 */
const struct config_rule *config_rule_find(const struct config *,
	    const struct config_ip *local, const struct config_ip *remote);
const struct config_rule *config_rule_find_label(const struct config *,
	    const char *);
const struct config_psk *config_psk_find_addr(const struct config *,
	    const struct config_ip *local, const struct config_ip *remote);
const struct config_psk *config_psk_find_id(const struct config *,
	    const struct config_psk_id *local,
	    const struct config_psk_id *remote);
const struct config_spd *config_spd_find(const struct config *,
	    const struct config_selector *);
const struct config_spd *config_spd_next_for_peer(const struct config *,
	    const struct config_ip *local, const struct config_ip *remote,
	    const struct config_spd *prev);
int	config_spd_is_ipsec(const struct config_spd_alt *);

/* The three file formats, for config_parse_buf and config_read_fd. */
enum config_file {
	CONFIG_FILE_IKE = 1,		/* ike.config */
	CONFIG_FILE_PRESHARED,		/* ike.preshared */
	CONFIG_FILE_IPSECINIT,		/* ipsecinit.conf */
};

/*
 * Parse text of one format into cf (for ikeadm add and read), adding to
 * what cf has.  name is the file name for messages.  Run config_validate
 * afterwards.  Returns 0, or ERR_CONFIG with the errors in diag.
 */
int	config_parse_buf(struct config *, int kind, const char *name,
	    const void *, size_t, struct config_diag *);
/*
 * As config_parse_buf, reading a regular file or a pipe from fd.  A pipe
 * is read without blocking, so it must be closed for writing first.
 */
int	config_read_fd(struct config *, int kind, int fd, const char *name,
	    struct config_diag *);
/*
 * Write the globals and rules, or the preshared entries with their keys
 * in hex, in the file format.  Only values set in a file are written.
 */
int	config_write_rules(FILE *, const struct config *);
int	config_write_preshared(FILE *, const struct config *);

/* Write the effective configuration with sources; keys are hidden. */
void	config_print(FILE *, const struct config *);

/* Names for messages and dumps ("preshared", "aes-cbc", "IP"...). */
const char	*config_auth_method_name(int);
const char	*config_p1_encr_name(int);
const char	*config_p1_hash_name(int);
const char	*config_idtype_name(int);
const char	*config_ike_mode_name(int);
int		 config_group_known(int);
void		 config_u32_expected(const char *, char *, size_t);

#endif /* IKED_CONFIG_H */
