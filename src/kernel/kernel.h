/*
 * The kernel SA interface: IPsec SAs and policies, installed through one
 * of several backends behind an ops table.
 *
 *   KERNEL_BACKEND_NONE       SAs and policies are only recorded and
 *                             logged.  Engine tests inspect what was
 *                             installed with the kernel_none_* functions.
 *   KERNEL_BACKEND_USERSPACE  ESP (RFC 4303, RFC 3948, RFC 4106) in this
 *                             process, on a TUN device, for kernels
 *                             without ESP.
 *   KERNEL_BACKEND_XFRM       Linux XFRM netlink (kernel/xfrm); opening
 *                             fails with ERR_UNSUPPORTED when the
 *                             kernel rejects ESP SAs.
 *
 * Every function returns 0 or a negative enum err code (lib/err.h).
 * SPIs are in host byte order.  Addresses are struct sockaddr_storage
 * containing a sockaddr_in or sockaddr_in6; ports are used only where the
 * field comment names them.  Key bytes passed in are copied into wiped
 * memory before the call returns, so the caller may wipe its own copy.
 */
#ifndef IKED_KERNEL_H
#define IKED_KERNEL_H

#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct kernel;

enum kernel_backend {
	KERNEL_BACKEND_NONE,
	KERNEL_BACKEND_USERSPACE,
	KERNEL_BACKEND_XFRM,
};

enum kernel_dir {
	KERNEL_DIR_IN,
	KERNEL_DIR_OUT,
	KERNEL_DIR_FWD,		/* policies only */
};

enum kernel_mode {
	KERNEL_MODE_TRANSPORT,
	KERNEL_MODE_TUNNEL,
};

enum kernel_action {
	KERNEL_ACTION_IPSEC,	/* protect with the SA of pol_reqid */
	KERNEL_ACTION_BYPASS,	/* pass in the clear */
	KERNEL_ACTION_DROP,
};

/* Security protocols: the IP protocol numbers. */
#define KERNEL_PROTO_ESP	50
#define KERNEL_PROTO_AH		51

/* ESP transform IDs of the IPsec DOI (RFC 2407 4.4.4, RFC 4106 8.1). */
#define KERNEL_ENCR_3DES	3
#define KERNEL_ENCR_NULL	11
#define KERNEL_ENCR_AES_CBC	12	/* key length gives AES-128/192/256 */
#define KERNEL_ENCR_AES_GCM_8	18	/* 8-byte ICV */
#define KERNEL_ENCR_AES_GCM_12	19	/* 12-byte ICV */
#define KERNEL_ENCR_AES_GCM_16	20	/* 16-byte ICV */

/*
 * Authentication algorithm attribute values of the IPsec DOI (RFC 2407
 * 4.5, RFC 4868).  KERNEL_AUTH_NONE goes with the AES-GCM transforms.
 */
#define KERNEL_AUTH_NONE		0
#define KERNEL_AUTH_HMAC_MD5		1	/* HMAC-MD5-96 */
#define KERNEL_AUTH_HMAC_SHA1		2	/* HMAC-SHA1-96 */
#define KERNEL_AUTH_HMAC_SHA2_256	5	/* HMAC-SHA-256-128 */
#define KERNEL_AUTH_HMAC_SHA2_384	6	/* HMAC-SHA-384-192 */
#define KERNEL_AUTH_HMAC_SHA2_512	7	/* HMAC-SHA-512-256 */

/* Largest key the interface accepts (AES-256-GCM key + salt is 36). */
#define KERNEL_KEY_MAX		64

/*
 * Traffic selector.  Addresses are prefixes (sel_*_prefix bits of the
 * address); the port in each sockaddr is in network byte order, 0 for any.
 * For ICMP and ICMPv6, the source port contains the type and the
 * destination port the code, each 0 for any.  sel_proto is the
 * upper-layer protocol, 0 for any.
 */
struct kernel_selector {
	struct sockaddr_storage	 sel_src;
	struct sockaddr_storage	 sel_dst;
	uint8_t			 sel_src_prefix;
	uint8_t			 sel_dst_prefix;
	uint8_t			 sel_proto;
};

/* The key of an installed SA. */
struct kernel_sa_id {
	/* Outer addresses; with UDP encapsulation, the ports are used too. */
	struct sockaddr_storage	 id_src;
	struct sockaddr_storage	 id_dst;
	uint32_t		 id_spi;
	uint8_t			 id_proto;	/* KERNEL_PROTO_* */
};

/* Lifetimes; 0 means no limit of that kind. */
struct kernel_lifetime {
	uint64_t	lt_soft_seconds;
	uint64_t	lt_hard_seconds;
	uint64_t	lt_soft_kbytes;		/* kilobytes of ESP payload */
	uint64_t	lt_hard_kbytes;
	uint64_t	lt_idle_seconds;	/* hard expiry when unused */
};

struct kernel_sa {
	enum kernel_dir		 sa_dir;	/* KERNEL_DIR_IN or _OUT */
	struct kernel_sa_id	 sa_id;
	enum kernel_mode	 sa_mode;
	int			 sa_encap;	/* ESP in UDP (RFC 3948) */
	uint16_t		 sa_encr;	/* KERNEL_ENCR_* */
	const uint8_t		*sa_encr_key;	/* GCM: key then 4-byte salt */
	size_t			 sa_encr_keylen;
	uint16_t		 sa_auth;	/* KERNEL_AUTH_* */
	const uint8_t		*sa_auth_key;
	size_t			 sa_auth_keylen;
	struct kernel_lifetime	 sa_lifetime;
	uint32_t		 sa_replay_window; /* 0: default of 64 */
	uint32_t		 sa_reqid;	/* links the SA to policies */
	/*
	 * Inner traffic the SA carries, as it flows in sa_dir (for an
	 * inbound SA: remote prefix -> local prefix).  Inbound packets
	 * outside it are dropped after decryption, so it must be set.
	 */
	struct kernel_selector	 sa_sel;
};

/* A change of outer addresses or ports (NAT-T port float, mobility). */
struct kernel_sa_update {
	struct kernel_sa_id	 su_id;		/* the SA as installed */
	struct sockaddr_storage	 su_new_src;
	struct sockaddr_storage	 su_new_dst;
	int			 su_encap;
};

struct kernel_sa_stats {
	uint64_t	st_bytes;	/* ESP payload bytes (inner packets) */
	uint64_t	st_packets;
	int64_t		st_add_time;	/* wall clock seconds */
	int64_t		st_use_time;	/* wall clock seconds, 0 if unused */
	uint64_t	st_auth_failures;	/* ICV check failed */
	uint64_t	st_replay_drops;
	uint64_t	st_other_drops;	/* padding, selector, malformed */
};

struct kernel_policy {
	enum kernel_dir		 pol_dir;
	/* Traffic as it flows in pol_dir; (pol_dir, pol_sel) is the key. */
	struct kernel_selector	 pol_sel;
	enum kernel_action	 pol_action;
	enum kernel_mode	 pol_mode;
	uint8_t			 pol_proto;	/* KERNEL_PROTO_* */
	struct sockaddr_storage	 pol_tun_src;	/* tunnel endpoints */
	struct sockaddr_storage	 pol_tun_dst;
	uint32_t		 pol_reqid;
	uint32_t		 pol_priority;	/* lower is matched first */
	uint32_t		 pol_index;	/* caller's id, in acquires */
};

/* Outbound traffic matched an ipsec policy that has no SA. */
struct kernel_acquire {
	struct kernel_selector	 acq_packet;	/* the packet, host prefixes */
	struct kernel_selector	 acq_policy;	/* the policy's selector */
	/* Tunnel endpoints; for transport mode the packet's addresses. */
	struct sockaddr_storage	 acq_src;
	struct sockaddr_storage	 acq_dst;
	enum kernel_mode	 acq_mode;
	uint8_t			 acq_proto;
	uint32_t		 acq_reqid;
	uint32_t		 acq_index;
};

enum kernel_expire_reason {
	KERNEL_EXPIRE_SECONDS,
	KERNEL_EXPIRE_KBYTES,
	KERNEL_EXPIRE_IDLE,
	KERNEL_EXPIRE_SEQUENCE,	/* sequence numbers exhausted: rekey */
};

struct kernel_expire {
	struct kernel_sa_id		 exp_id;
	enum kernel_dir			 exp_dir;
	uint32_t			 exp_reqid;
	int				 exp_hard;	/* 0 soft, 1 hard */
	enum kernel_expire_reason	 exp_reason;
	struct kernel_sa_stats		 exp_stats;
};

/* One UDP-encapsulated ESP packet of a batch (kc_send_udp_batch). */
struct kernel_udp_datagram {
	const struct sockaddr	*kud_local;
	const struct sockaddr	*kud_remote;
	const uint8_t		*kud_pkt;	/* from the SPI */
	size_t			 kud_len;
};

/*
 * Callbacks from a backend to the daemon.  When kc_expire reports a hard
 * expiry, the backend has already removed the SA.
 */
struct kernel_callbacks {
	void	(*kc_acquire)(void *arg, const struct kernel_acquire *);
	void	(*kc_expire)(void *arg, const struct kernel_expire *);
	/*
	 * Send one UDP-encapsulated ESP packet (RFC 3948) from the daemon's
	 * port 4500 socket, so that the NAT mapping is shared with IKE.
	 * pkt starts with the SPI.  Returns 0 or a negative enum err code.
	 */
	int	(*kc_send_udp)(void *arg, const struct sockaddr *local,
		    const struct sockaddr *remote, const uint8_t *pkt,
		    size_t len);
	/*
	 * Send n such packets in their order, as kc_send_udp would, with as
	 * few system calls as the daemon can.  Optional: without it the
	 * backend calls kc_send_udp for each.  Failures are counted and
	 * logged by the daemon.
	 */
	void	(*kc_send_udp_batch)(void *arg,
		    const struct kernel_udp_datagram *, size_t n);
};

/* Backend settings; a NULL options pointer or a zero field is the default. */
struct kernel_options {
	/* The userspace backend's TUN device, routing table and rule. */
	const char	*ko_tun_name;
	uint32_t	 ko_route_table;
	uint32_t	 ko_fwmark;	/* marked sockets bypass the table */
	uint32_t	 ko_rule_priority;
};

#define KERNEL_DEFAULT_TUN	"iked0"
#define KERNEL_DEFAULT_TABLE	4500
#define KERNEL_DEFAULT_FWMARK	0x4500
#define KERNEL_DEFAULT_RULE	4500

int	 kernel_open(struct kernel **, enum kernel_backend, struct event_base *,
	    const struct kernel_callbacks *, void *arg,
	    const struct kernel_options *);
void	 kernel_close(struct kernel *);
/*
 * Tell the backend that the daemon has started, with its configuration
 * and policies loaded.  The userspace backend then deletes what a killed
 * in.iked left and no policy took over.  Before this call, closing keeps
 * that state, so that a start that fails leaves the old traffic blocked.
 */
void	 kernel_started(struct kernel *);

const char	*kernel_backend_name(enum kernel_backend);
int		 kernel_backend_parse(const char *, enum kernel_backend *);
/* XFRM when the running kernel can install ESP SAs, else USERSPACE. */
enum kernel_backend	kernel_backend_default(void);

/*
 * Allocate an SPI for an inbound SA from src (peer) to dst (us).  The SPI
 * stays reserved until kernel_add_sa uses it or kernel_delete_sa frees it.
 */
int	 kernel_get_spi(struct kernel *, const struct sockaddr *src,
	    const struct sockaddr *dst, uint8_t proto, uint32_t reqid,
	    uint32_t *spi);
int	 kernel_add_sa(struct kernel *, const struct kernel_sa *);
int	 kernel_update_sa(struct kernel *, const struct kernel_sa_update *);
int	 kernel_delete_sa(struct kernel *, const struct kernel_sa_id *);
int	 kernel_query_sa(struct kernel *, const struct kernel_sa_id *,
	    struct kernel_sa_stats *);
int	 kernel_add_policy(struct kernel *, const struct kernel_policy *);
/* Delete the policy with the same pol_dir and pol_sel. */
int	 kernel_delete_policy(struct kernel *, const struct kernel_policy *);
/* Remove every SA and policy this handle installed. */
int	 kernel_flush(struct kernel *);

/*
 * Exempt a socket of the daemon (IKE on 500/4500) from the IPsec policies
 * and tunnel routes, so that IKE and ESP to the peer never enter a tunnel.
 */
int	 kernel_bypass_socket(struct kernel *, int fd, int family);
/* Prepare the port 4500 socket to receive ESP in UDP (RFC 3948). */
int	 kernel_enable_udp_decap(struct kernel *, int fd, int family,
	    uint16_t port);
/*
 * An ESP-in-UDP packet arrived on the daemon's port 4500 socket (the first
 * 4 bytes are non-zero).  pkt starts with the SPI.  Bad packets are
 * counted and dropped.
 */
void	 kernel_esp_udp_input(struct kernel *, const struct sockaddr *local,
	    const struct sockaddr *remote, const uint8_t *pkt, size_t len);

/*
 * Inspection for tests of the none backend.  Each call rebuilds the
 * record in one of four buffers of the backend, used in turn, so a
 * pointer stays valid for the next three calls of the same function;
 * key pointers point into the buffer.
 */
size_t			 kernel_none_sa_count(const struct kernel *);
const struct kernel_sa	*kernel_none_sa_at(const struct kernel *, size_t);
size_t			 kernel_none_policy_count(const struct kernel *);
const struct kernel_policy *kernel_none_policy_at(const struct kernel *,
			    size_t);
/* Report an expiry of a recorded SA through kc_expire (hard removes it). */
int			 kernel_none_expire(struct kernel *,
			    const struct kernel_sa_id *, int hard,
			    enum kernel_expire_reason);

#endif /* IKED_KERNEL_H */
