/*
 * The ikeadm control protocol: requests and replies exchanged over the
 * AF_UNIX SOCK_SEQPACKET socket ROOT/var/run/ike_door.
 *
 * Every message is one datagram: an 8-byte header (version, command,
 * reserved, total length including the header), then typed fields.  A
 * field is a 16-bit tag, a 16-bit value length and the value; integers are
 * big-endian.  Lists (address ranges, transforms) are fields whose value is
 * itself a sequence of fields.  File descriptors travel beside the
 * datagram as SCM_RIGHTS ancillary data, at most one per message.
 *
 * Commands keep the order of the Solaris door protocol, so that the
 * numbers stay recognisable.  A reply echoes the command, or carries
 * CONTROL_ERROR with a CONTROL_E_* code and a unix errno.
 *
 * Dumps use a cursor: the first request carries cursor 0, each reply holds
 * one item and the cursor of the next one, and cursor 0 in a reply ends the
 * dump.  A CONTROL_E_NO_OBJ error on the first request means the table is
 * empty.
 */
#ifndef IKED_CONTROL_H
#define IKED_CONTROL_H

#include <stddef.h>
#include <stdint.h>

struct wbuf;

#define CONTROL_VERSION		2
#define CONTROL_HDR_LEN		8
#define CONTROL_MSG_MAX		65536	/* one datagram, header included */
#define CONTROL_STR_MAX		256	/* labels, ids, names, with the NUL */
#define CONTROL_KEY_MAX		128	/* key bytes (PSK, SKEYID, ...) */
#define CONTROL_RANGES_MAX	32	/* address ranges per rule side */
#define CONTROL_IDS_MAX		16	/* identity selectors per rule side */
#define CONTROL_XFORMS_MAX	16	/* Phase 1 transforms per rule */
#define CONTROL_DETAIL_MAX	4096	/* parser messages, with the NUL */

enum control_cmd {
	CONTROL_GET_DBG = 0,
	CONTROL_SET_DBG,
	CONTROL_GET_PRIV,
	CONTROL_SET_PRIV,
	CONTROL_GET_STATS,
	CONTROL_GET_P1,
	CONTROL_DEL_P1,
	CONTROL_DUMP_P1S,
	CONTROL_FLUSH_P1S,
	CONTROL_GET_RULE,
	CONTROL_NEW_RULE,
	CONTROL_DEL_RULE,
	CONTROL_DUMP_RULES,
	CONTROL_READ_RULES,
	CONTROL_WRITE_RULES,
	CONTROL_GET_PS,
	CONTROL_NEW_PS,
	CONTROL_DEL_PS,
	CONTROL_DUMP_PS,
	CONTROL_READ_PS,
	CONTROL_WRITE_PS,
	CONTROL_DBG_RBDUMP,
	CONTROL_GET_DEFS,
	CONTROL_SET_PIN,
	CONTROL_DEL_PIN,
	CONTROL_DUMP_CERTCACHE,
	CONTROL_FLUSH_CERTCACHE,
	CONTROL_DUMP_GROUPS,
	CONTROL_DUMP_ENCRALGS,
	CONTROL_DUMP_AUTHALGS,
	CONTROL_ERROR,
};

/* Error codes of an ERROR reply, numbered as in the Solaris door. */
enum control_ecode {
	CONTROL_E_NO_OBJ = 1,		/* No data returned */
	CONTROL_E_NO_DESC = 2,		/* No destination provided */
	CONTROL_E_ID_INVALID = 3,	/* Id info invalid */
	CONTROL_E_LOC_INVALID = 4,	/* Destination invalid */
	CONTROL_E_CMD_INVALID = 5,	/* Command invalid */
	CONTROL_E_DATA_INVALID = 6,	/* Supplied data invalid */
	CONTROL_E_CMD_NOTSUP = 7,	/* Unknown command */
	CONTROL_E_REQ_INVALID = 8,	/* Request invalid */
	CONTROL_E_NO_PRIV = 9,		/* Not allowed at privilege level */
	CONTROL_E_SYS_ERR = 10,		/* System error, see errno */
	CONTROL_E_DUP_IGNORED = 11,	/* Duplicate entries ignored */
	CONTROL_E_NO_AUTH = 12,		/* User not authorized */
	CONTROL_E_NO_TOKEN = 13,	/* Token login failed */
	CONTROL_E_IN_PROGRESS = 14,	/* Duplicate operation */
	CONTROL_E_NO_MEM = 15,		/* Insufficient memory */
};

/* Privilege levels: what ikeadm may see and change. */
enum control_priv {
	CONTROL_PRIV_BASE = 0,		/* no access to keys */
	CONTROL_PRIV_MODKEYS = 1,	/* preshared entries, keys hidden */
	CONTROL_PRIV_KEYMAT = 2,	/* key bytes too */
};

/* An address (and optional prefix length) with its port. */
struct control_addr {
	uint8_t		family;		/* AF_INET, AF_INET6 or 0 (unset) */
	uint8_t		plen;		/* prefix length; 0 = host */
	uint16_t	port;
	uint8_t		addr[16];	/* network order; IPv4 in 4 bytes */
};

/* An inclusive address range; lo == hi for one address. */
struct control_range {
	struct control_addr	lo;
	struct control_addr	hi;
};

/* A key, sent only at CONTROL_PRIV_KEYMAT; len 0 means hidden or absent. */
struct control_key {
	uint8_t		bytes[CONTROL_KEY_MAX];
	uint16_t	len;		/* bytes */
	uint16_t	bits;		/* significant bits; 0 = 8 * len */
};

/* An identity: RFC 2407 type (CONTROL_IDT_*) and its text form. */
struct control_ident {
	uint16_t	type;
	char		value[CONTROL_STR_MAX];
};

/* Identity types of RFC 2407 section 4.6.2.1, plus IP of either family. */
enum control_idtype {
	CONTROL_IDT_IPV4 = 1,
	CONTROL_IDT_FQDN = 2,
	CONTROL_IDT_USER_FQDN = 3,
	CONTROL_IDT_IPV4_SUBNET = 4,
	CONTROL_IDT_IPV6 = 5,
	CONTROL_IDT_IPV6_SUBNET = 6,
	CONTROL_IDT_IPV4_RANGE = 7,
	CONTROL_IDT_IPV6_RANGE = 8,
	CONTROL_IDT_DN = 9,
	CONTROL_IDT_GN = 10,
	CONTROL_IDT_KEY_ID = 11,
	CONTROL_IDT_IP = 256,
};

/* Kinds of identifier that name the object of a get or del request. */
enum control_id_kind {
	CONTROL_ID_NONE = 0,
	CONTROL_ID_ADDRS,	/* local and remote address */
	CONTROL_ID_COOKIES,	/* Phase 1 initiator and responder cookie */
	CONTROL_ID_LABEL,	/* rule label */
	CONTROL_ID_IDENTS,	/* preshared local and remote identity */
};

struct control_id {
	uint8_t			kind;		/* enum control_id_kind */
	struct control_addr	local;
	struct control_addr	remote;
	uint64_t		icookie;
	uint64_t		rcookie;
	char			label[CONTROL_STR_MAX];
	struct control_ident	local_id;
	struct control_ident	remote_id;
};

/* Exchange modes, as numbered in ISAKMP (RFC 2408 section 3.1). */
enum control_xchg {
	CONTROL_XCHG_BASE = 1,
	CONTROL_XCHG_MAIN = 2,		/* identity protection */
	CONTROL_XCHG_AUTH_ONLY = 3,
	CONTROL_XCHG_AGGRESSIVE = 4,
	CONTROL_XCHG_BOTH = 5,		/* main and aggressive (PSK entries) */
	CONTROL_XCHG_ANY = 6,
};

/* Phase 1 SA states. */
enum control_p1_state {
	CONTROL_P1_INIT = 1,		/* INITIALIZING */
	CONTROL_P1_SENT_SA,		/* SENT FIRST MSG (SA) */
	CONTROL_P1_SENT_KE,		/* SENT SECOND MSG (KE) */
	CONTROL_P1_SENT_FINAL,		/* SENT FINAL MSG */
	CONTROL_P1_ACTIVE,
	CONTROL_P1_DELETED,
};

/* Dead Peer Detection status of a Phase 1 SA (RFC 3706). */
enum control_dpd {
	CONTROL_DPD_NONE = 0,		/* not negotiated */
	CONTROL_DPD_ENABLED,		/* negotiated, no handshake yet */
	CONTROL_DPD_SUCCESS,
	CONTROL_DPD_FAILED,
	CONTROL_DPD_IN_PROGRESS,
};

/* A Phase 1 transform; numbers are the IANA values of RFC 2409 app. A. */
struct control_xform {
	uint16_t	auth_method;	/* 1 PSK, 2 DSS, 3 RSA sig, 4/5 RSA enc */
	uint16_t	encr;		/* encryption algorithm */
	uint16_t	encr_klen;	/* key bits; 0 = fixed or any */
	uint16_t	encr_klen_max;	/* rule transforms: range top, or 0 */
	uint16_t	hash;		/* hash (the PRF is its HMAC) */
	uint16_t	group;		/* Oakley group */
	uint32_t	lifetime_secs;
	uint32_t	lifetime_kb;	/* 0 = no limit */
};

/* Everything "ikeadm dump p1" prints about one Phase 1 SA. */
struct control_p1_info {
	uint64_t		icookie;
	uint64_t		rcookie;
	uint8_t			initiator;	/* 1 when we initiated */
	uint8_t			xchg;		/* enum control_xchg */
	uint8_t			state;		/* enum control_p1_state */
	uint8_t			dpd;		/* enum control_dpd */
	int64_t			dpd_time;	/* unix time of the result */
	struct control_xform	xform;
	uint16_t		p2_pfs;		/* group, or 0 when not used */
	struct control_addr	local;
	struct control_addr	remote;
	uint32_t		lifetime_secs;	/* limits */
	uint32_t		lifetime_kb;
	uint32_t		max_keyuses;	/* 0 = no limit */
	int64_t			created;	/* unix time */
	uint32_t		kb_used;
	uint32_t		keyuses;	/* keying material handed out */
	int64_t			expires;	/* unix time */
	uint32_t		p2_created;
	uint32_t		p2_deleted;
	uint32_t		rx_decrypt_errs;
	uint32_t		rx_hash_errs;
	uint32_t		rx_other_errs;
	uint32_t		tx_errs;
	struct control_ident	local_id;
	struct control_ident	remote_id;
	/* Keys; the server clears them below CONTROL_PRIV_KEYMAT. */
	struct control_key	psk;
	struct control_key	skeyid;
	struct control_key	skeyid_d;
	struct control_key	skeyid_a;
	struct control_key	skeyid_e;
	struct control_key	enc_key;
	struct control_key	iv;
};

/* An identity selector of a rule ("!" selectors exclude). */
struct control_idsel {
	uint8_t		exclude;
	char		sel[CONTROL_STR_MAX];
};

/* Everything "ikeadm dump rule" prints about one rule. */
struct control_rule_info {
	char			label[CONTROL_STR_MAX];
	uint32_t		cookie;		/* 1-based rule number */
	uint16_t		local_idtype;	/* enum control_idtype */
	uint8_t			xchg;		/* enum control_xchg */
	uint16_t		p1_nonce_len;
	uint16_t		p2_nonce_len;
	uint16_t		p2_pfs;		/* group, or 0 */
	uint32_t		p2_lifetime_secs;
	uint32_t		p2_softlife_secs;
	uint32_t		p2_idletime_secs;
	uint32_t		p2_lifetime_kb;
	uint32_t		p2_softlife_kb;
	uint32_t		nlocal;
	struct control_range	local[CONTROL_RANGES_MAX];
	uint32_t		nremote;
	struct control_range	remote[CONTROL_RANGES_MAX];
	uint32_t		nlocal_ids;
	struct control_idsel	local_ids[CONTROL_IDS_MAX];
	uint32_t		nremote_ids;
	struct control_idsel	remote_ids[CONTROL_IDS_MAX];
	uint32_t		nxforms;
	struct control_xform	xforms[CONTROL_XFORMS_MAX];
};

/*
 * A preshared key entry.  Identities of address types also fill the
 * matching range, so that ikeadm can print them as addresses.
 */
struct control_psk_info {
	uint8_t			xchg;		/* enum control_xchg */
	struct control_ident	local_id;
	struct control_ident	remote_id;
	struct control_range	local;		/* family 0 for name ids */
	struct control_range	remote;
	struct control_key	key;		/* keymat only */
};

/* Phase 1 counters of "ikeadm get stats". */
struct control_stats {
	uint32_t	cur_init;
	uint32_t	cur_resp;
	uint32_t	total_init;
	uint32_t	total_resp;
	uint32_t	att_init;
	uint32_t	att_resp;
	uint32_t	fail_init;	/* failures after the peer responded */
	uint32_t	fail_init_noresp; /* time-outs */
	uint32_t	fail_resp;
	char		pkcs11_lib[CONTROL_STR_MAX];	/* "" when none */
};

/* The values of "ikeadm get defaults"; one struct each for built-in and
 * effective values. */
struct control_defaults {
	uint32_t	p1_lifetime_secs;
	uint32_t	p1_min_lifetime_secs;
	uint32_t	p1_nonce_len;
	uint32_t	p2_lifetime_secs;
	uint32_t	p2_softlife_secs;
	uint32_t	p2_idletime_secs;
	uint32_t	p2_lifetime_kb;
	uint32_t	p2_softlife_kb;
	uint32_t	sys_p2_lifetime_secs;
	uint32_t	sys_p2_softlife_secs;
	uint32_t	sys_p2_idletime_secs;
	uint32_t	sys_p2_lifetime_bytes;
	uint32_t	sys_p2_softlife_bytes;
	uint32_t	p2_min_lifetime_secs;
	uint32_t	p2_min_softlife_secs;
	uint32_t	p2_min_idletime_secs;
	uint32_t	p2_min_lifetime_kb;
	uint32_t	p2_min_softlife_kb;
	uint32_t	p2_min_delta_secs;
	uint32_t	p2_min_delta_kb;
	uint32_t	p2_max_lifetime_secs;
	uint32_t	p2_kb_per_sec;	/* conversion factor */
	uint32_t	p2_max_lifetime_kb;
	uint32_t	p2_nonce_len;
	uint32_t	p2_pfs;
	uint32_t	max_certs;
	uint32_t	ike_port;
	uint32_t	natt_port;
};

/* Certificate sources of a cache entry. */
enum control_cert_src {
	CONTROL_CERT_PUBLIC = 0,	/* public certificate only */
	CONTROL_CERT_PAYLOAD,		/* obtained via certificate payload */
	CONTROL_CERT_KEY_LOCKED,	/* private key linked but locked */
	CONTROL_CERT_KEY,		/* private key available */
};

struct control_cert_info {
	uint32_t	id;
	char		subject[CONTROL_STR_MAX];
	char		issuer[CONTROL_STR_MAX];
	uint8_t		trusted;
	uint8_t		source;		/* enum control_cert_src */
};

/* One row of "dump groups", "dump encralgs" or "dump authalgs". */
struct control_alg_info {
	uint32_t	value;		/* IANA number */
	uint32_t	strength;	/* groups: bits of strength */
	uint16_t	klen_min;	/* encralgs: key bits; 0 = N/A */
	uint16_t	klen_max;
	char		name[CONTROL_STR_MAX];	/* or the group description */
};

/* A decoded request or reply. */
struct control_msg {
	uint8_t		cmd;		/* enum control_cmd */
	uint32_t	cursor;		/* dump position (request: this item,
					   reply: the next one, 0 = end) */
	uint8_t		has_cursor;
	uint32_t	level;		/* debug mask or privilege level */
	uint32_t	old_level;	/* reply to SET_DBG / SET_PRIV */
	uint8_t		has_level;
	uint32_t	ecode;		/* ERROR: enum control_ecode */
	uint32_t	eerrno;		/* ERROR: unix errno, or 0 */
	char		text[CONTROL_STR_MAX];	/* ERROR detail, token label;
					   request: the name of the file
					   sent with it */
	char		detail[CONTROL_DETAIL_MAX]; /* ERROR: the parser's
					   "file:line: message" lines */
	uint8_t		has_fd;		/* request flag: a descriptor goes
					   with this message */
	struct control_id	id;
	/* At most one item, according to cmd. */
	uint8_t		item;		/* enum control_item */
	union {
		struct control_p1_info		p1;
		struct control_rule_info	rule;
		struct control_psk_info		psk;
		struct control_stats		stats;
		struct control_cert_info	cert;
		struct control_alg_info		alg;
		struct {
			struct control_defaults	builtin;
			struct control_defaults	effective;
		} defs;
	} u;
};

enum control_item {
	CONTROL_ITEM_NONE = 0,
	CONTROL_ITEM_P1,
	CONTROL_ITEM_RULE,
	CONTROL_ITEM_PSK,
	CONTROL_ITEM_STATS,
	CONTROL_ITEM_CERT,
	CONTROL_ITEM_ALG,
	CONTROL_ITEM_DEFS,
};

/*
 * Encode msg into out (a secret wbuf when it may carry keys).  Returns 0,
 * ERR_TOOBIG when it exceeds CONTROL_MSG_MAX or ERR_NOMEM.
 */
int	control_msg_encode(const struct control_msg *, struct wbuf *);

/*
 * Decode a datagram into msg (which is cleared first).  Every length is
 * checked: returns 0, ERR_TRUNCATED, ERR_MALFORMED (bad version, unknown
 * command or field, a string without its NUL, a value of the wrong size),
 * or ERR_TOOBIG (a list or string over its limit).
 */
int	control_msg_decode(struct control_msg *, const uint8_t *, size_t);

/* Wipe every key a message holds. */
void	control_msg_wipe(struct control_msg *);

/* Names for output; each returns a fixed string for unknown values. */
const char	*control_cmd_name(int);
const char	*control_ecode_str(int);
const char	*control_priv_desc(int);
const char	*control_priv_name(int);

/* Map an enum err from a callback to an error code and errno. */
void	control_err_to_ecode(int, uint32_t *ecode, uint32_t *eerrno);

#endif /* IKED_CONTROL_H */
