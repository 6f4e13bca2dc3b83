/*
 * Two IKE engines talking through memory: Main Mode and Quick Mode with
 * preshared keys, NAT-T, errors, retransmission and Delete.  Each engine
 * has its own none kernel backend, whose records show the SAs installed.
 * The test owns the clock and may drop, duplicate or rewrite datagrams
 * (the NAT case rewrites one side's address and ports).
 */
#include <sys/stat.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/config.h"
#include "config/diag.h"
#include "crypto/crypto.h"
#include "crypto/dh.h"
#include "crypto/ikev1_kdf.h"
#include "ike/ike.h"
#include "ike/ike_int.h"
#include "isakmp/msg.h"
#include "kernel/kernel.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/wbuf.h"

#define NPKT_MAX	256

struct pkt {
	int			 from;
	struct sockaddr_storage	 local;
	struct sockaddr_storage	 remote;
	uint8_t			*data;
	size_t			 len;
};

struct side {
	struct net		*net;
	int			 idx;
	struct ike_engine	*eng;
	struct kernel		*kern;
	char			 addr[64];	/* its own IKE address */
	unsigned int		 sent;
	unsigned int		 keepalives;
};

struct net {
	struct side	 s[2];
	struct pkt	 q[NPKT_MAX];
	size_t		 nq;
	uint64_t	 now;
	int		 drop_from[2];	/* drop this many from side i */
	int		 drop_all[2];
	unsigned int	 drop_nth[2];	/* drop the side's Nth message, 1-based */
	int		 nat;		/* side 0 is behind a NAT */
	uint16_t	 nat_port4500;	/* its mapping of port 4500 */
	char		 dir[128];
	struct pkt	 log[NPKT_MAX];	/* copy of everything sent */
	size_t		 nlog;
};

/* The NAT's public address and its port mapping for side 0. */
#define NAT_PUBLIC	"198.51.100.9"
#define NAT_PORT_500	40500
#define NAT_PORT_4500	44500

static void
ss_set(struct sockaddr_storage *ss, const char *addr, uint16_t port)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, addr, &sin->sin_addr), 1);
}

static int
ss_is(const struct sockaddr_storage *ss, const char *addr)
{
	struct sockaddr_storage	t;

	ss_set(&t, addr, 0);
	return (memcmp(&((const struct sockaddr_in *)ss)->sin_addr,
	    &((struct sockaddr_in *)&t)->sin_addr, 4) == 0);
}

static uint16_t
ss_port(const struct sockaddr_storage *ss)
{
	return (ntohs(((const struct sockaddr_in *)ss)->sin_port));
}

static int
host_send(void *arg, const struct ike_packet *pk)
{
	struct side	*s = arg;
	struct net	*n = s->net;
	struct pkt	*p;

	s->sent++;
	if (n->nlog < NPKT_MAX) {
		p = &n->log[n->nlog++];
		p->from = s->idx;
		p->local = pk->pk_local;
		p->remote = pk->pk_remote;
		p->data = malloc(pk->pk_len);
		memcpy(p->data, pk->pk_data, pk->pk_len);
		p->len = pk->pk_len;
	}
	if (n->drop_all[s->idx] || n->drop_nth[s->idx] == s->sent)
		return (0);
	if (n->drop_from[s->idx] > 0) {
		n->drop_from[s->idx]--;
		return (0);
	}
	assert_true(n->nq < NPKT_MAX);
	p = &n->q[n->nq++];
	p->from = s->idx;
	p->local = pk->pk_local;
	p->remote = pk->pk_remote;
	p->data = malloc(pk->pk_len);
	memcpy(p->data, pk->pk_data, pk->pk_len);
	p->len = pk->pk_len;
	return (0);
}

static void
host_timer(void *arg, uint64_t deadline)
{
}

static int
host_keepalive(void *arg, const struct sockaddr_storage *local,
    const struct sockaddr_storage *remote)
{
	struct side	*s = arg;

	s->keepalives++;
	return (0);
}

static void
host_expire(void *arg, const struct kernel_expire *exp)
{
	struct side	*s = arg;

	ike_engine_expire(s->eng, exp, s->net->now);
}

static const struct kernel_callbacks test_kernel_cb = {
	.kc_expire = host_expire,
};

static const struct ike_host test_host = {
	.ih_send = host_send,
	.ih_timer_changed = host_timer,
	.ih_send_keepalive = host_keepalive,
};

/* Rewrite addresses as the NAT in front of side 0 would. */
static void
net_translate(struct net *n, struct pkt *p, struct ike_packet *in)
{
	in->pk_local = p->remote;
	in->pk_remote = p->local;
	if (!n->nat)
		return;
	if (p->from == 0) {
		ss_set(&in->pk_remote, NAT_PUBLIC, ss_port(&p->local) ==
		    4500 ? n->nat_port4500 : NAT_PORT_500);
	} else {
		ss_set(&in->pk_local, n->s[0].addr, ss_port(&p->remote) ==
		    NAT_PORT_500 ? 500 : 4500);
	}
}

/* Deliver the oldest queued datagram, if any. */
static void
net_pump_one(struct net *n)
{
	struct ike_packet	in;
	struct pkt		p;

	if (n->nq == 0)
		return;
	p = n->q[0];
	memmove(&n->q[0], &n->q[1], (n->nq - 1) * sizeof(n->q[0]));
	n->nq--;
	memset(&in, 0, sizeof(in));
	net_translate(n, &p, &in);
	in.pk_data = p.data;
	in.pk_len = p.len;
	ike_engine_input(n->s[1 - p.from].eng, &in, n->now);
	free(p.data);
}

/* Deliver queued datagrams until none is left. */
static void
net_pump(struct net *n)
{
	size_t	rounds = 0;

	while (n->nq > 0 && rounds++ < 1000)
		net_pump_one(n);
}

/* Advance the clock in steps, running both engines' timers. */
static void
net_run(struct net *n, uint64_t ms)
{
	uint64_t	end = n->now + ms;

	while (n->now < end) {
		n->now += 100;
		ike_engine_run_timers(n->s[0].eng, n->now);
		ike_engine_run_timers(n->s[1].eng, n->now);
		net_pump(n);
	}
}

static void
write_file(const char *path, const char *text)
{
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

struct peer_conf {
	const char	*local;		/* IKE address */
	const char	*remote;	/* IKE address of the peer as seen */
	const char	*inner_l;	/* protected networks */
	const char	*inner_r;
	const char	*xform;		/* p1_xform body */
	const char	*key;
	int		 pfs;
	const char	*esp;		/* ipsec { ... } properties */
	int		 two_policies;	/* 2: the second entry first */
	int		 transport;	/* laddr/raddr are the IKE peers */
	int		 p2_life;	/* p2_lifetime_secs, 0: default */
	const char	*label;		/* default "to-peer" */
	const char	*globals;	/* more global lines, or NULL */
};

static struct config *
make_config(struct net *n, int idx, const struct peer_conf *pc)
{
	char			 dir[256], cf[512], ps[512], ip[512], text[4096];
	struct config_paths	 paths;
	struct config_diag	 diag;
	struct config		*cfg = NULL;
	size_t			 i;
	int			 rc;

	snprintf(dir, sizeof(dir), "%s/%d", n->dir, idx);
	(void)mkdir(dir, 0700);
	snprintf(cf, sizeof(cf), "%s/ike.config", dir);
	snprintf(ps, sizeof(ps), "%s/ike.preshared", dir);
	snprintf(ip, sizeof(ip), "%s/ipsecinit.conf", dir);
	snprintf(text, sizeof(text),
	    "retry_limit 3\nretry_timer_init 0.5\nretry_timer_max 2\n"
	    "expire_timer 60\n%s\np2_pfs %d\n%s%d\n"
	    "p1_xform { %s }\n"
	    "{\n label \"%s\"\n local_addr %s\n remote_addr %s\n}\n",
	    pc->globals ? pc->globals : "", pc->pfs,
	    pc->p2_life ? "p2_lifetime_secs " : "# ", pc->p2_life,
	    pc->xform, pc->label ? pc->label : "to-peer", pc->local,
	    pc->remote);
	write_file(cf, text);
	snprintf(text, sizeof(text),
	    "{\n localidtype IP\n localid %s\n remoteidtype IP\n"
	    " remoteid %s\n key \"%s\"\n}\n", pc->local, pc->remote, pc->key);
	write_file(ps, text);
	(void)chmod(ps, 0600);
	if (pc->transport)
		snprintf(text, sizeof(text),
		    "{ laddr %s raddr %s } ipsec { %s }\n", pc->local,
		    pc->remote, pc->esp);
	else
		snprintf(text, sizeof(text),
		    "{ tsrc %s tdst %s laddr %s raddr %s } ipsec { %s }\n",
		    pc->local, pc->remote, pc->inner_l, pc->inner_r,
		    pc->esp);
	if (pc->two_policies) {
		char	second[512];
		size_t	l = strlen(text);

		/* A second, host-to-host tunnel of the same peers. */
		snprintf(second, sizeof(second),
		    "{ tsrc %s tdst %s laddr %s raddr %s ulp tcp } ipsec "
		    "{ encr_algs 3des encr_auth_algs sha1 }\n", pc->local,
		    pc->remote, idx == 0 ? "192.0.2.200" : "203.0.113.200",
		    idx == 0 ? "203.0.113.200" : "192.0.2.200");
		if (pc->two_policies == 2) {
			memmove(text + strlen(second), text, l + 1);
			memcpy(text, second, strlen(second));
		} else
			snprintf(text + l, sizeof(text) - l, "%s", second);
	}
	write_file(ip, text);
	memset(&paths, 0, sizeof(paths));
	paths.cp_config = cf;
	paths.cp_preshared = ps;
	paths.cp_ipsecinit = ip;
	diag_init(&diag);
	rc = config_load(&cfg, &paths, &diag);
	for (i = 0; i < diag.cd_n; i++)
		print_message("config %d: %s\n", idx, diag.cd_msgs[i]);
	diag_free(&diag);
	assert_int_equal(rc, 0);
	assert_non_null(cfg);
	return (cfg);
}

static struct net *
net_new(const struct peer_conf *a, const struct peer_conf *b, int nat)
{
	struct net	*n = calloc(1, sizeof(*n));
	const struct peer_conf *pc[2] = { a, b };
	int		 i, j;

	assert_non_null(n);
	snprintf(n->dir, sizeof(n->dir), "/tmp/test_ike_%d_XXXXXX",
	    (int)getpid());
	assert_non_null(mkdtemp(n->dir));
	n->nat = nat;
	n->nat_port4500 = NAT_PORT_4500;
	n->now = 1000;
	for (i = 0; i < 2; i++) {
		struct side *s = &n->s[i];

		s->net = n;
		s->idx = i;
		snprintf(s->addr, sizeof(s->addr), "%s", pc[i]->local);
		assert_int_equal(kernel_open(&s->kern, KERNEL_BACKEND_NONE,
		    NULL, &test_kernel_cb, s, NULL), 0);
		/* Different SPIs on each side, so directions cannot mix. */
		for (j = 0; j < 16 * i; j++) {
			uint32_t spi;

			assert_int_equal(kernel_get_spi(s->kern, NULL, NULL,
			    KERNEL_PROTO_ESP, 0, &spi), 0);
		}
		s->eng = ike_engine_new(&test_host, s, s->kern);
		assert_non_null(s->eng);
		assert_int_equal(ike_engine_set_config(s->eng,
		    make_config(n, i, pc[i]), n->now), 0);
	}
	return (n);
}

static void
net_free(struct net *n)
{
	char	cmd[256];
	size_t	i;
	int	j;

	for (j = 0; j < 2; j++) {
		ike_engine_free(n->s[j].eng);
		kernel_close(n->s[j].kern);
	}
	for (i = 0; i < n->nq; i++)
		free(n->q[i].data);
	for (i = 0; i < n->nlog; i++)
		free(n->log[i].data);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", n->dir);
	assert_int_equal(system(cmd), 0);
	free(n);
}

static size_t
sa_count(const struct side *s)
{
	return (kernel_none_sa_count(s->kern));
}

static const struct kernel_sa *
sa_find(const struct side *s, enum kernel_dir dir, uint32_t spi)
{
	size_t	i;

	for (i = 0; i < kernel_none_sa_count(s->kern); i++) {
		const struct kernel_sa *sa = kernel_none_sa_at(s->kern, i);

		if (sa->sa_dir == dir && sa->sa_id.id_spi == spi)
			return (sa);
	}
	return (NULL);
}

/*
 * Every outbound SA of one side has the inbound twin on the other: the
 * same SPI, algorithms and keys.
 */
static void
check_sa_pairs(const struct net *n, size_t pairs)
{
	int	i;
	size_t	k;

	assert_int_equal(sa_count(&n->s[0]), 2 * pairs);
	assert_int_equal(sa_count(&n->s[1]), 2 * pairs);
	for (i = 0; i < 2; i++) {
		for (k = 0; k < sa_count(&n->s[i]); k++) {
			const struct kernel_sa *o =
			    kernel_none_sa_at(n->s[i].kern, k), *in;

			if (o->sa_dir != KERNEL_DIR_OUT)
				continue;
			in = sa_find(&n->s[1 - i], KERNEL_DIR_IN,
			    o->sa_id.id_spi);
			assert_non_null(in);
			assert_int_equal(o->sa_encr, in->sa_encr);
			assert_int_equal(o->sa_auth, in->sa_auth);
			assert_int_equal(o->sa_mode, in->sa_mode);
			assert_int_equal(o->sa_encap, in->sa_encap);
			assert_int_equal(o->sa_encr_keylen, in->sa_encr_keylen);
			assert_int_equal(o->sa_auth_keylen, in->sa_auth_keylen);
			assert_memory_equal(o->sa_encr_key, in->sa_encr_key,
			    o->sa_encr_keylen);
			assert_memory_equal(o->sa_auth_key, in->sa_auth_key,
			    o->sa_auth_keylen);
			assert_true(o->sa_lifetime.lt_hard_seconds > 0);
			assert_true(o->sa_lifetime.lt_soft_seconds <
			    o->sa_lifetime.lt_hard_seconds);
		}
	}
}

static const struct peer_conf conf_a = {
	.local = "198.51.100.1", .remote = "198.51.100.2",
	.inner_l = "192.0.2.0/24", .inner_r = "203.0.113.0/24",
	.xform = "auth_method preshared oakley_group 14 auth_alg sha1 "
	    "encr_alg aes(128..128)",
	.key = "test-psk-0123456789",
	.esp = "encr_algs aes(128..256) encr_auth_algs hmac-sha256",
};

static const struct peer_conf conf_b = {
	.local = "198.51.100.2", .remote = "198.51.100.1",
	.inner_l = "203.0.113.0/24", .inner_r = "192.0.2.0/24",
	.xform = "auth_method preshared oakley_group 14 auth_alg sha1 "
	    "encr_alg aes(128..128)",
	.key = "test-psk-0123456789",
	.esp = "encr_algs aes(128..256) encr_auth_algs hmac-sha256",
};

static unsigned int
p1_count(struct ike_engine *eng)
{
	struct ike_stats	st;

	ike_engine_get_stats(eng, &st);
	return (st.st_p1_current_init + st.st_p1_current_resp);
}

static int
count_p1(void *arg, const struct ike_p1_info *pi)
{
	(*(unsigned int *)arg)++;
	return (0);
}

static unsigned int
p1_entries(struct ike_engine *eng)
{
	unsigned int	n = 0;

	ike_engine_foreach_p1(eng, count_p1, &n);
	return (n);
}

static void
run_pair(const struct peer_conf *a, const struct peer_conf *b, int from,
    int pfs)
{
	struct peer_conf	ca = *a, cb = *b;
	struct net		*n;
	struct ike_stats	 st;
	size_t			 k;

	ca.pfs = cb.pfs = pfs;
	n = net_new(&ca, &cb, 0);
	assert_int_equal(ike_engine_initiate(n->s[from].eng, "to-peer",
	    n->now), 0);
	net_pump(n);
	check_sa_pairs(n, 1);
	assert_int_equal(p1_count(n->s[0].eng), 1);
	assert_int_equal(p1_count(n->s[1].eng), 1);
	ike_engine_get_stats(n->s[from].eng, &st);
	assert_int_equal(st.st_p1_total_init, 1);
	assert_int_equal(st.st_p2_installed, 1);
	for (k = 0; k < sa_count(&n->s[0]); k++) {
		const struct kernel_sa *sa = kernel_none_sa_at(n->s[0].kern, k);

		assert_int_equal(sa->sa_mode, KERNEL_MODE_TUNNEL);
		assert_int_equal(sa->sa_encap, 0);
		assert_int_equal(sa->sa_auth, KERNEL_AUTH_HMAC_SHA2_256);
	}
	net_free(n);
}

static void
mm_qm_from_initiator(void **state)
{
	run_pair(&conf_a, &conf_b, 0, 0);
}

static void
mm_qm_from_responder_pfs(void **state)
{
	run_pair(&conf_a, &conf_b, 1, 14);
}

static void
mm_qm_algorithms(void **state)
{
	static const char *xforms[] = {
		"auth_method preshared oakley_group 19 auth_alg sha256 "
		    "encr_alg aes(256..256)",
		"auth_method preshared oakley_group 14 auth_alg sha1 "
		    "encr_alg 3des",
		"auth_method preshared oakley_group 20 auth_alg sha384 "
		    "encr_alg aes(192..192)",
		"auth_method preshared oakley_group 5 auth_alg sha512 "
		    "encr_alg aes",
		"auth_method preshared oakley_group 2 auth_alg md5 "
		    "encr_alg aes(128..256)",
	};
	static const char *esps[] = {
		"encr_algs aes(256) encr_auth_algs hmac-sha256",
		"encr_algs 3des encr_auth_algs sha1",
		"encr_algs aes(192) encr_auth_algs hmac-sha384",
		"encr_algs aes encr_auth_algs hmac-sha512",
		"encr_algs aes(128..256) encr_auth_algs md5",
	};
	size_t	i;

	for (i = 0; i < sizeof(xforms) / sizeof(xforms[0]); i++) {
		struct peer_conf a = conf_a, b = conf_b;
		struct net	*n;

		a.xform = b.xform = xforms[i];
		a.esp = b.esp = esps[i];
		a.pfs = b.pfs = i % 2 ? 0 : 19;
		n = net_new(&a, &b, 0);
		assert_int_equal(ike_engine_initiate(n->s[i % 2].eng,
		    "to-peer", n->now), 0);
		net_pump(n);
		check_sa_pairs(n, 1);
		net_free(n);
	}
}

/*
 * AES-GCM (RFC 4106): the proposal carries a Key Length and no
 * Authentication Algorithm, and each key is KEYMAT for the AES key plus
 * a 4-byte salt.  encr_auth_algs does not apply to it.
 */
static void
mm_qm_aes_gcm(void **state)
{
	static const struct {
		const char	*esp;
		uint16_t	 encr;
		size_t		 keylen;
	} c[] = {
		{ "encr_algs aes-gcm(128)", KERNEL_ENCR_AES_GCM_16, 20 },
		{ "encr_algs aes-gcm16(256) encr_auth_algs hmac-sha256",
		    KERNEL_ENCR_AES_GCM_16, 36 },
		{ "encr_algs aes-gcm8(192)", KERNEL_ENCR_AES_GCM_8, 28 },
	};
	size_t	i, k;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct peer_conf a = conf_a, b = conf_b;
		struct net	*n;

		a.esp = b.esp = c[i].esp;
		a.pfs = b.pfs = i % 2 ? 0 : 14;
		n = net_new(&a, &b, 0);
		assert_int_equal(ike_engine_initiate(n->s[i % 2].eng,
		    "to-peer", n->now), 0);
		net_pump(n);
		check_sa_pairs(n, 1);
		for (k = 0; k < sa_count(&n->s[0]); k++) {
			const struct kernel_sa *sa =
			    kernel_none_sa_at(n->s[0].kern, k);

			assert_int_equal(sa->sa_encr, c[i].encr);
			assert_int_equal(sa->sa_encr_keylen, c[i].keylen);
			assert_int_equal(sa->sa_auth, KERNEL_AUTH_NONE);
			assert_int_equal(sa->sa_auth_keylen, 0);
		}
		net_free(n);
	}
}

/* GCM with a 16-byte ICV is not GCM with an 8-byte one. */
static void
mm_qm_aes_gcm_icv_mismatch(void **state)
{
	struct peer_conf a = conf_a, b = conf_b;
	struct net	*n;

	a.esp = "encr_algs aes-gcm(128)";
	b.esp = "encr_algs aes-gcm8(128)";
	n = net_new(&a, &b, 0);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer",
	    n->now), 0);
	net_pump(n);
	assert_int_equal(sa_count(&n->s[0]), 0);
	assert_int_equal(sa_count(&n->s[1]), 0);
	net_free(n);
}

static void
mm_qm_curve25519(void **state)
{
	struct net	*n = net_new(&conf_a, &conf_b, 0);
	int		 i;

	/*
	 * ike.config does not accept group 31 yet: put it into the loaded
	 * configurations, as the engine takes any group crypto offers.
	 */
	for (i = 0; i < 2; i++) {
		struct config *cfg = make_config(n, i, i ? &conf_b : &conf_a);

		cfg->cf_rules[0].cr_xforms[0].px_group = 31;
		cfg->cf_rules[0].cr_p2.p2_pfs.val = 31;
		assert_int_equal(ike_engine_set_config(n->s[i].eng, cfg,
		    n->now), 0);
	}
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	net_free(n);
}

static const struct kernel_sa *first_sa(const struct side *,
		    enum kernel_dir);

static void
mm_qm_nat_traversal(void **state)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	struct net		*n;
	size_t			 k;

	a.local = "192.0.2.10";
	a.remote = "198.51.100.2";
	a.inner_l = "192.0.2.128/25";
	b.remote = NAT_PUBLIC;
	b.inner_r = "192.0.2.128/25";
	n = net_new(&a, &b, 1);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	for (k = 0; k < sa_count(&n->s[1]); k++) {
		const struct kernel_sa *sa = kernel_none_sa_at(n->s[1].kern, k);

		assert_int_equal(sa->sa_encap, 1);
		if (sa->sa_dir == KERNEL_DIR_OUT) {
			assert_true(ss_is(&sa->sa_id.id_dst, NAT_PUBLIC));
			assert_int_equal(ss_port(&sa->sa_id.id_dst),
			    NAT_PORT_4500);
			assert_int_equal(ss_port(&sa->sa_id.id_src), 4500);
		}
	}
	/* MM1-MM4 on port 500, then everything on 4500. */
	assert_int_equal(ss_port(&n->log[0].local), 500);
	assert_int_equal(ss_port(&n->log[4].local), 4500);
	assert_int_equal(ss_port(&n->log[4].remote), 4500);
	/* Quick Mode proposed UDP-Encapsulated-Tunnel: RFC 3947 value 3. */
	for (k = 0; k < sa_count(&n->s[0]); k++)
		assert_int_equal(kernel_none_sa_at(n->s[0].kern, k)->sa_encap,
		    1);
	/* The side behind the NAT sends keepalives every 20 s. */
	net_run(n, 41000);
	assert_true(n->s[0].keepalives >= 2);
	assert_int_equal(n->s[1].keepalives, 0);
	net_free(n);
}

static int qm_log_begin(struct net *, char *, size_t);
static int qm_log_end(int, const char *, const char *, const char *);

/*
 * The responder cannot renew an ISAKMP SA with a peer behind a NAT, so
 * it logs that once, with the SA's lifetime, when the SA is established.
 */
static void
nat_responder_renewal_notice(void **state)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	struct net		*n;
	char			 path[256];
	int			 saved;

	a.local = "192.0.2.10";
	a.inner_l = "192.0.2.128/25";
	b.remote = NAT_PUBLIC;
	b.inner_r = "192.0.2.128/25";
	n = net_new(&a, &b, 1);
	saved = qm_log_begin(n, path, sizeof(path));
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	net_run(n, 5000);
	assert_int_equal(qm_log_end(saved, path, "with " NAT_PUBLIC,
	    "as the responder cannot renew"), 1);
	assert_int_equal(qm_log_end(dup(2), path, "lifetime of 28800 s",
	    "give the peer a shorter rekey time"), 1);
	assert_int_equal(qm_log_end(dup(2), path, "198.51.100.2",
	    "cannot renew"), 0);
	check_sa_pairs(n, 1);
	net_free(n);
}

static void
nat_mapping_change_followed(void **state)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	struct net		*n;
	size_t			 k;

	a.local = "192.0.2.10";
	a.inner_l = "192.0.2.128/25";
	b.remote = NAT_PUBLIC;
	b.inner_r = "192.0.2.128/25";
	n = net_new(&a, &b, 1);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	/* The NAT forgets the mapping; the next message uses a new port. */
	n->nat_port4500 = 45000;
	assert_int_equal(kernel_none_expire(n->s[0].kern,
	    &first_sa(&n->s[0], KERNEL_DIR_OUT)->sa_id, 0,
	    KERNEL_EXPIRE_SECONDS), 0);
	net_pump(n);
	/* The rekey initiator's new outbound SA follows after a second. */
	net_run(n, 1500);
	check_sa_pairs(n, 2);
	for (k = 0; k < sa_count(&n->s[1]); k++) {
		const struct kernel_sa *sa = kernel_none_sa_at(n->s[1].kern, k);

		if (sa->sa_dir == KERNEL_DIR_OUT)
			assert_int_equal(ss_port(&sa->sa_id.id_dst), 45000);
		else
			assert_int_equal(ss_port(&sa->sa_id.id_src), 45000);
	}
	net_free(n);
}

/* The Notify type in an unencrypted Informational, or 0. */
static int
logged_notify(const struct net *n, int from)
{
	struct isakmp_msg	 msg;
	struct isakmp_error	 err;
	size_t			 i;
	int			 type = 0;

	for (i = 0; i < n->nlog && type == 0; i++) {
		const struct isakmp_payload *pl;

		if (n->log[i].from != from ||
		    isakmp_msg_parse(n->log[i].data, n->log[i].len, &msg,
		    &err) != 0)
			continue;
		if (msg.m_hdr.h_exchange == ISAKMP_EX_INFO &&
		    (pl = isakmp_msg_find(&msg, ISAKMP_PL_N, 0)) != NULL)
			type = pl->pl_u.n.n_type;
		isakmp_msg_free(&msg);
	}
	return (type);
}

/* Whether a side sent an encrypted Informational. */
static int
sent_encrypted_info(const struct net *n, int from)
{
	size_t	i;

	for (i = 0; i < n->nlog; i++)
		if (n->log[i].from == from &&
		    n->log[i].len > ISAKMP_HDR_LEN &&
		    n->log[i].data[18] == ISAKMP_EX_INFO &&
		    (n->log[i].data[19] & ISAKMP_FLAG_ENC) != 0)
			return (1);
	return (0);
}

static void
wrong_psk_no_sa(void **state)
{
	struct peer_conf	 b = conf_b;
	struct net		*n;
	struct ike_stats	 st;
	char			 path[256], line[1024];
	FILE			*f;
	int			 found = 0, saved;

	b.key = "another-key";
	n = net_new(&conf_a, &b, 0);
	snprintf(path, sizeof(path), "%s/stderr", n->dir);
	fflush(stderr);
	saved = dup(2);
	assert_non_null(freopen(path, "w", stderr));
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	net_run(n, 1000);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_int_equal(sa_count(&n->s[0]), 0);
	assert_int_equal(sa_count(&n->s[1]), 0);
	assert_int_equal(p1_entries(n->s[0].eng), 0);
	assert_int_equal(p1_entries(n->s[1].eng), 0);
	assert_int_equal(logged_notify(n, 1), ISAKMP_N_PAYLOAD_MALFORMED);
	ike_engine_get_stats(n->s[0].eng, &st);
	assert_int_equal(st.st_p1_fail_init, 1);
	ike_engine_get_stats(n->s[1].eng, &st);
	assert_int_equal(st.st_p1_fail_resp, 1);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, "authentication failed for peer") != NULL &&
		    strstr(line, "check the preshared key") != NULL)
			found = 1;
	fclose(f);
	assert_true(found);
	net_free(n);
}

/*
 * The initiator rejects MM4 with an encrypted Notify instead of sending
 * MM5.  The test drops MM5 and chains the Notify's IV from the Phase 1
 * IV again, as such an initiator would.  A responder that computes g^xy
 * in the Diffie-Hellman threads has no keys until a message needs them:
 * it derives them for the Informational, ends the exchange and logs the
 * peer's reason.
 */
static void
notify_before_mm5_ends_exchange(void **state)
{
	struct net	*n = net_new(&conf_a, &conf_b, 0);
	struct ike_p1	*p1;
	struct wbuf	 iv;
	uint8_t		 spi[2 * ISAKMP_COOKIE_LEN];
	char		 path[256], line[1024];
	FILE		*f;
	int		 found = 0, saved;

	snprintf(path, sizeof(path), "%s/stderr", n->dir);
	fflush(stderr);
	saved = dup(2);
	assert_non_null(freopen(path, "w", stderr));
	n->drop_nth[0] = 3;		/* MM1, MM3, then MM5 is lost */
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	p1 = TAILQ_FIRST(&n->s[0].eng->e_p1s);
	assert_non_null(p1);
	assert_int_equal(p1->p1_state, IKE_P1_MM_I3);
	assert_int_equal(p1_entries(n->s[1].eng), 1);
	wbuf_init(&iv, 0);
	assert_int_equal(ikev1_phase1_iv(p1->p1_hash, p1->p1_gxi.wb_data,
	    p1->p1_gxi.wb_len, p1->p1_gxr.wb_data, p1->p1_gxr.wb_len,
	    p1->p1_blocklen, &iv), 0);
	memcpy(p1->p1_iv, iv.wb_data, p1->p1_blocklen);
	wbuf_free(&iv);
	memcpy(spi, p1->p1_icookie, ISAKMP_COOKIE_LEN);
	memcpy(spi + ISAKMP_COOKIE_LEN, p1->p1_rcookie, ISAKMP_COOKIE_LEN);
	assert_int_equal(ike_info_send_notify(p1,
	    ISAKMP_N_AUTHENTICATION_FAILED, ISAKMP_PROTO_ISAKMP, spi,
	    sizeof(spi)), 0);
	net_pump(n);
	net_run(n, 300);		/* less than one retransmission */
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		fputs(line, stderr);
		if (strstr(line, "peer 198.51.100.1[500] rejected Phase 1") !=
		    NULL && strstr(line, "AUTHENTICATION-FAILED") != NULL)
			found = 1;
	}
	fclose(f);
	assert_true(found);
	assert_int_equal(p1_entries(n->s[1].eng), 0);
	net_free(n);
}

/* Deliver the first queued datagram. */
static void
net_deliver_one(struct net *n)
{
	struct ike_packet	in;
	struct pkt		p;

	assert_true(n->nq > 0);
	p = n->q[0];
	memmove(&n->q[0], &n->q[1], (n->nq - 1) * sizeof(n->q[0]));
	n->nq--;
	memset(&in, 0, sizeof(in));
	net_translate(n, &p, &in);
	in.pk_data = p.data;
	in.pk_len = p.len;
	ike_engine_input(n->s[1 - p.from].eng, &in, n->now);
	free(p.data);
}

/*
 * The responder rejects an MM5 that decrypted (here: its copy of SAi_b
 * is changed after MM3, so HASH_I does not match).  Its Notify is
 * encrypted under HASH(1), and the initiator acts on it at once instead
 * of retransmitting MM5 until it gives up.
 */
static void
rejected_mm5_notify_encrypted(void **state)
{
	struct net		*n = net_new(&conf_a, &conf_b, 0);
	struct ike_stats	 st;
	struct ike_p1		*p1;
	char			 path[256], line[1024];
	FILE			*f;
	int			 found = 0, saved, i;

	snprintf(path, sizeof(path), "%s/stderr", n->dir);
	fflush(stderr);
	saved = dup(2);
	assert_non_null(freopen(path, "w", stderr));
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	for (i = 0; i < 3; i++)		/* MM1, MM2, MM3 */
		net_deliver_one(n);
	p1 = TAILQ_FIRST(&n->s[1].eng->e_p1s);
	assert_non_null(p1);
	assert_int_equal(p1->p1_state, IKE_P1_MM_R2);
	assert_true(p1->p1_sai_b.wb_len > 0);
	p1->p1_sai_b.wb_data[p1->p1_sai_b.wb_len - 1] ^= 1;
	net_pump(n);
	net_run(n, 300);		/* less than one retransmission */
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_int_equal(logged_notify(n, 1), 0);
	assert_true(sent_encrypted_info(n, 1));
	assert_int_equal(n->s[0].sent, 3);
	assert_int_equal(p1_entries(n->s[0].eng), 0);
	assert_int_equal(p1_entries(n->s[1].eng), 0);
	ike_engine_get_stats(n->s[0].eng, &st);
	assert_int_equal(st.st_p1_fail_init, 1);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		fputs(line, stderr);
		if (strstr(line, "peer 198.51.100.2[500] rejected Phase 1") !=
		    NULL && strstr(line, "INVALID-HASH-INFORMATION, check "
		    "the preshared key") != NULL)
			found = 1;
	}
	fclose(f);
	assert_true(found);
	net_free(n);
}

static void
no_common_proposal(void **state)
{
	struct peer_conf	 b = conf_b;
	struct net		*n;
	struct ike_stats	 st;

	b.xform = "auth_method preshared oakley_group 14 auth_alg sha256 "
	    "encr_alg 3des";
	n = net_new(&conf_a, &b, 0);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	assert_int_equal(logged_notify(n, 1), ISAKMP_N_NO_PROPOSAL_CHOSEN);
	net_run(n, 500);
	assert_int_equal(p1_entries(n->s[0].eng), 0);
	assert_int_equal(p1_entries(n->s[1].eng), 0);
	ike_engine_get_stats(n->s[0].eng, &st);
	assert_int_equal(st.st_p1_fail_init, 1);
	assert_int_equal(sa_count(&n->s[0]), 0);
	net_free(n);
}

static void
no_common_esp_proposal(void **state)
{
	struct peer_conf	 b = conf_b;
	struct net		*n;

	b.esp = "encr_algs 3des encr_auth_algs md5";
	n = net_new(&conf_a, &b, 0);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	/* Phase 1 is established, but no IPsec SA exists. */
	assert_int_equal(p1_count(n->s[0].eng), 1);
	assert_int_equal(p1_count(n->s[1].eng), 1);
	assert_int_equal(sa_count(&n->s[0]), 0);
	assert_int_equal(sa_count(&n->s[1]), 0);
	net_free(n);
}

static void
retransmit_lost_message(void **state)
{
	struct net	*n = net_new(&conf_a, &conf_b, 0);

	n->drop_from[0] = 1;		/* MM1 is lost */
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	assert_int_equal(n->s[1].sent, 0);
	net_run(n, 400);
	assert_int_equal(n->s[0].sent, 1);
	net_run(n, 200);		/* retry_timer_init is 500 ms */
	check_sa_pairs(n, 1);
	net_free(n);
}

static void
duplicate_request_gets_stored_reply(void **state)
{
	struct net	*n = net_new(&conf_a, &conf_b, 0);
	struct pkt	 p;
	unsigned int	 sent;

	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	/* Deliver MM1, then MM1 again: the second gets the same MM2. */
	assert_int_equal(n->nq, 1);
	p = n->q[0];
	p.data = malloc(p.len);
	memcpy(p.data, n->q[0].data, p.len);
	n->q[n->nq++] = p;
	n->drop_all[1] = 0;
	sent = n->s[1].sent;
	{
		struct ike_packet in;

		memset(&in, 0, sizeof(in));
		net_translate(n, &n->q[0], &in);
		in.pk_data = n->q[0].data;
		in.pk_len = n->q[0].len;
		ike_engine_input(n->s[1].eng, &in, n->now);
		ike_engine_input(n->s[1].eng, &in, n->now);
	}
	assert_int_equal(n->s[1].sent, sent + 2);
	assert_int_equal(n->log[n->nlog - 1].len, n->log[n->nlog - 2].len);
	assert_memory_equal(n->log[n->nlog - 1].data,
	    n->log[n->nlog - 2].data, n->log[n->nlog - 1].len);
	assert_int_equal(p1_entries(n->s[1].eng), 1);
	/* The exchange still completes with the duplicates around. */
	net_pump(n);
	check_sa_pairs(n, 1);
	net_free(n);
}

static void
peer_never_answers(void **state)
{
	struct net		*n = net_new(&conf_a, &conf_b, 0);
	struct ike_stats	 st;

	n->drop_all[0] = 1;
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	/* 3 retransmissions: 0.5 + 1 + 2 + 2 s, then give up. */
	net_run(n, 4000);
	assert_int_equal(p1_entries(n->s[0].eng), 1);
	net_run(n, 2000);
	assert_int_equal(n->s[0].sent, 4);
	assert_int_equal(p1_entries(n->s[0].eng), 0);
	ike_engine_get_stats(n->s[0].eng, &st);
	assert_int_equal(st.st_p1_timeout_init, 1);
	assert_int_equal(st.st_p1_fail_init, 1);
	assert_int_equal(sa_count(&n->s[0]), 0);
	net_free(n);
}

static void
several_quick_modes(void **state)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	struct net		*n;
	struct ike_stats	 st;

	a.two_policies = b.two_policies = 1;
	n = net_new(&a, &b, 0);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 2);
	ike_engine_get_stats(n->s[0].eng, &st);
	assert_int_equal(st.st_p1_total_init, 1);
	assert_int_equal(st.st_p2_installed, 2);
	assert_int_equal(ike_engine_child_count(n->s[1].eng), 2);
	net_free(n);
}

static void
delete_removes_sas(void **state)
{
	struct net	*n = net_new(&conf_a, &conf_b, 0);

	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	ike_engine_shutdown(n->s[0].eng, n->now);
	assert_int_equal(sa_count(&n->s[0]), 0);
	net_pump(n);
	assert_int_equal(sa_count(&n->s[1]), 0);
	assert_int_equal(ike_engine_child_count(n->s[1].eng), 0);
	net_run(n, 200);
	assert_int_equal(p1_entries(n->s[1].eng), 0);
	net_free(n);
}

static void
forged_delete_ignored(void **state)
{
	struct net		*n = net_new(&conf_a, &conf_b, 0);
	struct ike_packet	 in;
	size_t			 i;

	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	ike_engine_shutdown(n->s[0].eng, n->now);
	/* Flip one byte of each Delete: the HASH no longer verifies. */
	for (i = 0; i < n->nq; i++) {
		n->q[i].data[n->q[i].len - 1] ^= 0x01;
		memset(&in, 0, sizeof(in));
		net_translate(n, &n->q[i], &in);
		in.pk_data = n->q[i].data;
		in.pk_len = n->q[i].len;
		ike_engine_input(n->s[1].eng, &in, n->now);
	}
	assert_int_equal(sa_count(&n->s[1]), 2);
	assert_int_equal(p1_count(n->s[1].eng), 1);
	net_free(n);
}

/*
 * An error Notify about our Phase 1 authentication, protected by the
 * ISAKMP SA, deletes that SA on the responder.  It does so with no SPI
 * and with the ISAKMP SA's cookies as the SPI.
 */
static void
auth_notify_deletes_p1(void **state)
{
	static const uint16_t	 types[] = {
		ISAKMP_N_INVALID_CERTIFICATE, ISAKMP_N_AUTHENTICATION_FAILED,
		ISAKMP_N_INVALID_SIGNATURE, ISAKMP_N_CERTIFICATE_UNAVAILABLE,
	};
	uint8_t			 spi[2 * ISAKMP_COOKIE_LEN];
	struct ike_p1		*p1;
	struct net		*n;
	size_t			 i;

	for (i = 0; i < 2 * sizeof(types) / sizeof(types[0]); i++) {
		n = net_new(&conf_a, &conf_b, 0);
		assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer",
		    n->now), 0);
		net_pump(n);
		check_sa_pairs(n, 1);
		p1 = TAILQ_FIRST(&n->s[0].eng->e_p1s);
		memcpy(spi, p1->p1_icookie, ISAKMP_COOKIE_LEN);
		memcpy(spi + ISAKMP_COOKIE_LEN, p1->p1_rcookie,
		    ISAKMP_COOKIE_LEN);
		assert_int_equal(ike_info_send_notify(p1, types[i / 2],
		    ISAKMP_PROTO_ISAKMP, i % 2 ? spi : NULL,
		    i % 2 ? sizeof(spi) : 0), 0);
		net_pump(n);
		net_run(n, 200);
		assert_int_equal(p1_entries(n->s[1].eng), 0);
		assert_int_equal(sa_count(&n->s[1]), 0);
		net_free(n);
	}
}

/* The same Notify unencrypted is only logged: nothing is deleted. */
static void
clear_auth_notify_ignored(void **state)
{
	struct net		*n = net_new(&conf_a, &conf_b, 0);
	struct ike_packet	 pk;
	struct isakmp_hdr	 hdr;
	struct ike_p1		*p1;

	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	p1 = TAILQ_FIRST(&n->s[0].eng->e_p1s);
	memset(&hdr, 0, sizeof(hdr));
	memcpy(hdr.h_icookie, p1->p1_icookie, ISAKMP_COOKIE_LEN);
	memcpy(hdr.h_rcookie, p1->p1_rcookie, ISAKMP_COOKIE_LEN);
	memset(&pk, 0, sizeof(pk));
	pk.pk_local = p1->p1_local;
	pk.pk_remote = p1->p1_remote;
	assert_int_equal(ike_info_send_notify_clear(n->s[0].eng, &pk, &hdr,
	    ISAKMP_N_INVALID_CERTIFICATE), 0);
	assert_int_equal(n->nq, 1);
	net_pump(n);
	net_run(n, 200);
	assert_int_equal(p1_count(n->s[1].eng), 1);
	check_sa_pairs(n, 1);
	net_free(n);
}

static void
garbage_input_dropped(void **state)
{
	struct net		*n = net_new(&conf_a, &conf_b, 0);
	struct ike_packet	 in;
	struct ike_stats	 st;
	uint8_t			 junk[300];
	size_t			 i, len;

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	memset(&in, 0, sizeof(in));
	ss_set(&in.pk_local, "198.51.100.2", 500);
	ss_set(&in.pk_remote, "198.51.100.1", 500);
	in.pk_data = junk;
	in.pk_len = sizeof(junk);
	ike_engine_input(n->s[1].eng, &in, n->now);
	in.pk_len = 3;
	ike_engine_input(n->s[1].eng, &in, n->now);
	/* Every truncation of a real MM1. */
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	assert_int_equal(n->nq, 1);
	in.pk_data = n->q[0].data;
	for (len = 0; len < n->q[0].len; len++) {
		in.pk_len = len;
		ike_engine_input(n->s[1].eng, &in, n->now);
	}
	assert_int_equal(p1_entries(n->s[1].eng), 0);
	assert_int_equal(n->s[1].sent, 0);
	ike_engine_get_stats(n->s[1].eng, &st);
	assert_true(st.st_rx_dropped >= n->q[0].len);
	/* The real one still works afterwards. */
	net_pump(n);
	check_sa_pairs(n, 1);
	net_free(n);
}

static void
keylog_writes_tables(void **state)
{
	struct net	*n = net_new(&conf_a, &conf_b, 0);
	char		 path[256], line[512];
	FILE		*f;
	int		 ike = 0, esp = 0;
	struct stat	 sb;

	assert_int_equal(ike_engine_set_keylog(n->s[0].eng, n->dir), 0);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	snprintf(path, sizeof(path), "%s/ikev1_decryption_table", n->dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		/* 16 hex digits, a comma, a 128-bit key. */
		assert_int_equal(strlen(line), 16 + 1 + 32 + 1);
		assert_int_equal(line[16], ',');
		ike++;
	}
	fclose(f);
	snprintf(path, sizeof(path), "%s/esp_sa", n->dir);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		assert_non_null(strstr(line, "\"IPv4\",\"198.51.100."));
		assert_non_null(strstr(line, "\"AES-CBC [RFC3602]\""));
		assert_non_null(strstr(line, "\"HMAC-SHA-256-128 [RFC4868]\""));
		esp++;
	}
	fclose(f);
	assert_int_equal(ike, 1);
	assert_int_equal(esp, 2);
	net_free(n);
}

/*
 * In a shared folder such as /tmp, a link or a file that is open to
 * others, planted before in.iked writes, receives no keys.
 */
static void
keylog_refuses_planted_files(void **state)
{
	struct net	*n = net_new(&conf_a, &conf_b, 0);
	char		 path[256], target[256];
	struct stat	 sb;
	int		 fd;

	snprintf(target, sizeof(target), "%s/target", n->dir);
	fd = open(target, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/ikev1_decryption_table", n->dir);
	assert_int_equal(symlink(target, path), 0);
	snprintf(path, sizeof(path), "%s/esp_sa", n->dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(fchmod(fd, 0644), 0);
	close(fd);

	assert_int_equal(ike_engine_set_keylog(n->s[0].eng, n->dir), 0);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	assert_int_equal(stat(target, &sb), 0);
	assert_int_equal(sb.st_size, 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 0);
	unlink(target);
	net_free(n);
}

static void
transport_mode_behind_nat(void **state)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	struct net		*n;
	size_t			 k;

	a.local = "192.0.2.10";
	a.transport = b.transport = 1;
	b.remote = NAT_PUBLIC;
	n = net_new(&a, &b, 1);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	for (k = 0; k < sa_count(&n->s[1]); k++) {
		const struct kernel_sa *sa = kernel_none_sa_at(n->s[1].kern, k);

		assert_int_equal(sa->sa_mode, KERNEL_MODE_TRANSPORT);
		assert_int_equal(sa->sa_encap, 1);
		/* The responder protects the address it sees. */
		if (sa->sa_dir == KERNEL_DIR_IN)
			assert_true(ss_is(&sa->sa_sel.sel_src, NAT_PUBLIC));
	}
	net_free(n);
}

static const struct kernel_sa *
first_sa(const struct side *s, enum kernel_dir dir)
{
	size_t	k;

	for (k = 0; k < sa_count(s); k++)
		if (kernel_none_sa_at(s->kern, k)->sa_dir == dir)
			return (kernel_none_sa_at(s->kern, k));
	return (NULL);
}

/*
 * Every outbound SA of both sides has its inbound twin on the other side,
 * and each side has one: traffic can flow both ways.
 */
static void
check_outbound_valid(const struct net *n)
{
	size_t	k, nout;
	int	i;

	for (i = 0; i < 2; i++) {
		nout = 0;
		for (k = 0; k < sa_count(&n->s[i]); k++) {
			const struct kernel_sa *o =
			    kernel_none_sa_at(n->s[i].kern, k);

			if (o->sa_dir != KERNEL_DIR_OUT)
				continue;
			nout++;
			assert_non_null(sa_find(&n->s[1 - i], KERNEL_DIR_IN,
			    o->sa_id.id_spi));
		}
		assert_true(nout >= 1);
	}
}

/* Soft expiry on one side: make-before-break, checked every 100 ms. */
static void
rekey_without_gap(int side, int pfs)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	struct net		*n;
	uint32_t		 old_out, old_in;
	int			 i;

	a.pfs = b.pfs = pfs;
	n = net_new(&a, &b, 0);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	old_out = first_sa(&n->s[side], KERNEL_DIR_OUT)->sa_id.id_spi;
	old_in = first_sa(&n->s[side], KERNEL_DIR_IN)->sa_id.id_spi;
	assert_int_equal(kernel_none_expire(n->s[side].kern,
	    &first_sa(&n->s[side], KERNEL_DIR_OUT)->sa_id, 0,
	    KERNEL_EXPIRE_SECONDS), 0);
	net_pump(n);
	check_outbound_valid(n);
	/* New inbound SA at once, the new outbound one held back. */
	assert_int_equal(sa_count(&n->s[side]), 3);
	assert_int_equal(sa_count(&n->s[1 - side]), 4);
	for (i = 0; i < 80; i++) {
		net_run(n, 100);
		check_outbound_valid(n);
	}
	/* The old pair is gone on both sides, by the Delete. */
	check_sa_pairs(n, 1);
	assert_null(sa_find(&n->s[side], KERNEL_DIR_OUT, old_out));
	assert_null(sa_find(&n->s[side], KERNEL_DIR_IN, old_in));
	assert_null(sa_find(&n->s[1 - side], KERNEL_DIR_IN, old_out));
	assert_null(sa_find(&n->s[1 - side], KERNEL_DIR_OUT, old_in));
	assert_int_equal(ike_engine_child_count(n->s[0].eng), 1);
	assert_int_equal(ike_engine_child_count(n->s[1].eng), 1);
	assert_int_equal(p1_entries(n->s[0].eng), 1);
	net_free(n);
}

static void
rekey_by_initiator_no_gap(void **state)
{
	rekey_without_gap(0, 0);
}

static void
rekey_by_responder_no_gap(void **state)
{
	rekey_without_gap(1, 14);
}

static void
rekey_retried_after_timeout(void **state)
{
	struct net	*n = net_new(&conf_a, &conf_b, 0);

	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	/* The peer hears the new Quick Mode, but its answers are lost. */
	n->drop_all[1] = 1;
	assert_int_equal(kernel_none_expire(n->s[0].kern,
	    &first_sa(&n->s[0], KERNEL_DIR_OUT)->sa_id, 0,
	    KERNEL_EXPIRE_SECONDS), 0);
	net_run(n, 8000);
	assert_int_equal(ike_engine_child_count(n->s[0].eng), 1);
	/*
	 * The soft expiry comes once; the engine tries again by itself.  The
	 * timeout sent an R-U-THERE at once and repeats it after 5 s: that
	 * one is answered, and the Quick Mode that waited for it runs.
	 */
	n->drop_all[1] = 0;
	net_run(n, 4000);
	assert_int_equal(ike_engine_child_count(n->s[0].eng), 2);
	check_outbound_valid(n);
	net_run(n, 7000);
	check_sa_pairs(n, 1);
	net_free(n);
}

/*
 * Deliver datagrams until none is left, recording the public PFS value
 * of the unfinished Quick Mode of each side: the initiator's while it
 * waits for QM2, the responder's while it waits for QM3.  A finished
 * Quick Mode has freed its Diffie-Hellman key.
 */
static void
qm_pump_publics(struct net *n, struct wbuf *init_pub, struct wbuf *resp_pub)
{
	struct ike_p1	*p1;
	struct ike_qm	*qm;
	struct wbuf	*w;
	size_t		 rounds = 0;
	int		 i;

	for (;;) {
		for (i = 0; i < 2; i++)
			TAILQ_FOREACH(p1, &n->s[i].eng->e_p1s, p1_entry)
				TAILQ_FOREACH(qm, &p1->p1_qms, qm_entry) {
					if (qm->qm_dh == NULL)
						continue;
					w = qm->qm_initiator ? init_pub :
					    resp_pub;
					if (w->wb_len == 0)
						assert_int_equal(dh_key_public(
						    qm->qm_dh, w), 0);
				}
		if (n->nq == 0 || rounds++ >= 1000)
			break;
		net_pump_one(n);
	}
}

static void
pfs_rekey_fresh_dh(void **state)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	struct net		*n;
	struct ike_p1		*p1;
	struct ike_qm_done	*q1, *q2;
	struct wbuf		 i1, r1, i2, r2;
	const struct kernel_sa	*sa;
	uint8_t			 key1[KERNEL_KEY_MAX];
	size_t			 keylen;

	a.pfs = b.pfs = 14;
	n = net_new(&a, &b, 0);
	wbuf_init(&i1, 0);
	wbuf_init(&r1, 0);
	wbuf_init(&i2, 0);
	wbuf_init(&r2, 0);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	qm_pump_publics(n, &i1, &r1);
	sa = first_sa(&n->s[0], KERNEL_DIR_OUT);
	keylen = sa->sa_encr_keylen;
	memcpy(key1, sa->sa_encr_key, keylen);
	assert_int_equal(kernel_none_expire(n->s[0].kern, &sa->sa_id, 0,
	    KERNEL_EXPIRE_SECONDS), 0);
	qm_pump_publics(n, &i2, &r2);
	net_run(n, 1500);
	check_sa_pairs(n, 2);
	/* Each Quick Mode had its own key pair on both sides. */
	assert_int_not_equal(i1.wb_len, 0);
	assert_int_equal(i1.wb_len, i2.wb_len);
	assert_memory_not_equal(i1.wb_data, i2.wb_data, i1.wb_len);
	assert_int_not_equal(r1.wb_len, 0);
	assert_int_equal(r1.wb_len, r2.wb_len);
	assert_memory_not_equal(r1.wb_data, r2.wb_data, r1.wb_len);
	wbuf_free(&i1);
	wbuf_free(&r1);
	wbuf_free(&i2);
	wbuf_free(&r2);
	/*
	 * Both finished Quick Modes linger only as their last message (QM3
	 * here), without the exchange and its PFS material.
	 */
	p1 = TAILQ_FIRST(&n->s[0].eng->e_p1s);
	assert_null(TAILQ_FIRST(&p1->p1_qms));
	q1 = TAILQ_FIRST(&p1->p1_qm_done);
	assert_non_null(q1);
	q2 = TAILQ_NEXT(q1, qd_entry);
	assert_non_null(q2);
	assert_int_not_equal(q1->qd_msgid, q2->qd_msgid);
	assert_int_not_equal(q1->qd_rx_len, 0);
	assert_int_not_equal(q2->qd_reply_len, 0);
	/* The newest outbound SA has keys of its own. */
	net_run(n, 6000);
	check_sa_pairs(n, 1);
	sa = first_sa(&n->s[0], KERNEL_DIR_OUT);
	assert_memory_not_equal(sa->sa_encr_key, key1, keylen);
	net_free(n);
}

static void
responder_soft_lifetime_later(void **state)
{
	struct net		*n = net_new(&conf_a, &conf_b, 0);
	const struct kernel_lifetime *li, *lr;

	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	li = &first_sa(&n->s[0], KERNEL_DIR_OUT)->sa_lifetime;
	lr = &first_sa(&n->s[1], KERNEL_DIR_OUT)->sa_lifetime;
	assert_int_equal(li->lt_hard_seconds, 28800);
	assert_int_equal(li->lt_soft_seconds, 24000);
	assert_int_equal(lr->lt_hard_seconds, 28800);
	/* 30 to 60 % of the way from the soft to the hard lifetime. */
	assert_true(lr->lt_soft_seconds >= 24000 + 4800 * 30 / 100);
	assert_true(lr->lt_soft_seconds <= 24000 + 4800 * 60 / 100);
	net_free(n);
}

static void
idle_expiry_deletes(void **state)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	struct net		*n;
	const struct kernel_sa	*sa;

	a.globals = b.globals = "p2_idletime_secs 120";
	n = net_new(&a, &b, 0);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	sa = first_sa(&n->s[0], KERNEL_DIR_IN);
	assert_int_equal(sa->sa_lifetime.lt_idle_seconds, 120);
	assert_int_equal(kernel_none_expire(n->s[0].kern, &sa->sa_id, 1,
	    KERNEL_EXPIRE_IDLE), 0);
	net_pump(n);
	assert_int_equal(sa_count(&n->s[0]), 0);
	assert_int_equal(sa_count(&n->s[1]), 0);
	assert_int_equal(ike_engine_child_count(n->s[1].eng), 0);
	/* Phase 1 stays for the next Quick Mode. */
	assert_int_equal(p1_count(n->s[0].eng), 1);
	net_free(n);
}

static void
kbyte_limits_rekey_and_delete(void **state)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	struct net		*n;
	const struct kernel_sa	*sa;
	struct kernel_sa_id	 old, new_out;
	size_t			 k;

	a.globals = b.globals = "p2_lifetime_kb 1000";
	n = net_new(&a, &b, 0);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	sa = first_sa(&n->s[0], KERNEL_DIR_OUT);
	/* 1000 units of 1000 bytes are 976 of 1024 bytes. */
	assert_int_equal(sa->sa_lifetime.lt_hard_kbytes, 976);
	/* 90 % would leave less than IKE_SOFT_KB_MARGIN: a quarter instead. */
	assert_int_equal(sa->sa_lifetime.lt_soft_kbytes, 244);
	/* Inbound, the limit is rounded up: the peer stops sending first. */
	sa = first_sa(&n->s[0], KERNEL_DIR_IN);
	assert_int_equal(sa->sa_lifetime.lt_hard_kbytes, 977);
	sa = first_sa(&n->s[1], KERNEL_DIR_OUT);
	assert_true(sa->sa_lifetime.lt_soft_kbytes > 244);
	assert_true(sa->sa_lifetime.lt_soft_kbytes < 976);
	old = first_sa(&n->s[0], KERNEL_DIR_OUT)->sa_id;
	assert_int_equal(kernel_none_expire(n->s[0].kern, &old, 0,
	    KERNEL_EXPIRE_KBYTES), 0);
	net_pump(n);
	net_run(n, 1500);
	check_sa_pairs(n, 2);
	memset(&new_out, 0, sizeof(new_out));
	for (k = 0; k < sa_count(&n->s[0]); k++) {
		sa = kernel_none_sa_at(n->s[0].kern, k);
		if (sa->sa_dir == KERNEL_DIR_OUT &&
		    sa->sa_id.id_spi != old.id_spi)
			new_out = sa->sa_id;
	}
	assert_int_not_equal(new_out.id_spi, 0);
	/* The hard limit of the new pair removes it on both sides. */
	assert_int_equal(kernel_none_expire(n->s[0].kern, &new_out, 1,
	    KERNEL_EXPIRE_KBYTES), 0);
	net_pump(n);
	check_sa_pairs(n, 1);
	assert_null(sa_find(&n->s[1], KERNEL_DIR_IN, new_out.id_spi));
	net_free(n);
}

static void
p1_rekey_keeps_ipsec_sas(void **state)
{
	struct peer_conf	 a = conf_a;
	struct net		*n;
	struct ike_stats	 st;
	uint8_t			 icookie[ISAKMP_COOKIE_LEN];
	uint32_t		 spi;

	a.xform = "auth_method preshared oakley_group 14 auth_alg sha1 "
	    "encr_alg aes(128..128) p1_lifetime_secs 300";
	n = net_new(&a, &conf_b, 0);
	assert_int_equal(ike_engine_initiate(n->s[1].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	memcpy(icookie, TAILQ_FIRST(&n->s[1].eng->e_p1s)->p1_icookie,
	    sizeof(icookie));
	spi = first_sa(&n->s[0], KERNEL_DIR_OUT)->sa_id.id_spi;
	/*
	 * The responder cut the proposed 28800 s to its 300 s and sent a
	 * RESPONDER-LIFETIME half a second later, so the initiator renews at
	 * 90 %.
	 */
	assert_int_equal(TAILQ_FIRST(&n->s[0].eng->e_p1s)->p1_life_secs, 300);
	assert_int_equal(TAILQ_FIRST(&n->s[1].eng->e_p1s)->p1_life_secs,
	    28800);
	net_run(n, 1000);
	assert_int_equal(TAILQ_FIRST(&n->s[1].eng->e_p1s)->p1_life_secs, 300);
	net_run(n, 268000);
	assert_int_equal(p1_entries(n->s[1].eng), 1);
	assert_memory_equal(TAILQ_FIRST(&n->s[1].eng->e_p1s)->p1_icookie,
	    icookie, sizeof(icookie));
	net_run(n, 4000);
	/* A new ISAKMP SA replaced the old one before it expired. */
	assert_int_equal(p1_count(n->s[0].eng), 1);
	assert_int_equal(p1_count(n->s[1].eng), 1);
	assert_int_equal(p1_entries(n->s[0].eng), 1);
	assert_int_equal(p1_entries(n->s[1].eng), 1);
	assert_memory_not_equal(TAILQ_FIRST(&n->s[1].eng->e_p1s)->p1_icookie,
	    icookie, sizeof(icookie));
	ike_engine_get_stats(n->s[0].eng, &st);
	assert_int_equal(st.st_p1_total_init, 0);
	ike_engine_get_stats(n->s[1].eng, &st);
	assert_int_equal(st.st_p1_total_init, 2);
	/* The IPsec SAs are the same ones. */
	check_sa_pairs(n, 1);
	assert_int_equal(first_sa(&n->s[0], KERNEL_DIR_OUT)->sa_id.id_spi,
	    spi);
	/* The next Quick Mode runs over the new ISAKMP SA. */
	assert_int_equal(kernel_none_expire(n->s[0].kern,
	    &first_sa(&n->s[0], KERNEL_DIR_OUT)->sa_id, 0,
	    KERNEL_EXPIRE_SECONDS), 0);
	net_pump(n);
	net_run(n, 1500);
	check_sa_pairs(n, 2);
	net_free(n);
}

/*
 * A 10 s ISAKMP SA: its initiator starts the renewal 3 s before the end
 * rather than at 90 %, which would leave the Main Mode 1 s.
 */
static void
p1_short_life_renewed_early(void **state)
{
	struct peer_conf	 a = conf_a;
	struct net		*n;
	uint8_t			 icookie[ISAKMP_COOKIE_LEN];
	uint32_t		 spi;

	a.xform = "auth_method preshared oakley_group 14 auth_alg sha1 "
	    "encr_alg aes(128..128) p1_lifetime_secs 10";
	n = net_new(&a, &conf_b, 0);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	assert_int_equal(TAILQ_FIRST(&n->s[0].eng->e_p1s)->p1_life_secs, 10);
	memcpy(icookie, TAILQ_FIRST(&n->s[0].eng->e_p1s)->p1_icookie,
	    sizeof(icookie));
	spi = first_sa(&n->s[0], KERNEL_DIR_OUT)->sa_id.id_spi;
	net_run(n, 6800);
	assert_int_equal(p1_entries(n->s[0].eng), 1);
	assert_memory_equal(TAILQ_FIRST(&n->s[0].eng->e_p1s)->p1_icookie,
	    icookie, sizeof(icookie));
	net_run(n, 400);
	/* The replacement is up, the old ISAKMP SA stays 2 s longer. */
	assert_int_equal(p1_count(n->s[0].eng), 2);
	assert_int_equal(p1_count(n->s[1].eng), 2);
	net_run(n, 2000);
	assert_int_equal(p1_count(n->s[0].eng), 1);
	assert_int_equal(p1_count(n->s[1].eng), 1);
	assert_memory_not_equal(TAILQ_FIRST(&n->s[0].eng->e_p1s)->p1_icookie,
	    icookie, sizeof(icookie));
	check_sa_pairs(n, 1);
	assert_int_equal(first_sa(&n->s[0], KERNEL_DIR_OUT)->sa_id.id_spi,
	    spi);
	net_free(n);
}

/* Return whether side s made its newest IPsec SA pair under icookie. */
static int
newest_child_from(const struct side *s, const uint8_t *icookie)
{
	const struct ike_child	*ch;

	ch = TAILQ_LAST(&s->eng->e_children, ike_child_list);
	assert_non_null(ch);
	return (memcmp(ch->ch_icookie, icookie, ISAKMP_COOKIE_LEN) == 0);
}

/* Count the queued datagrams of exchange type xchg. */
static size_t
queued_exchanges(const struct net *n, uint8_t xchg)
{
	size_t	i, count = 0;

	for (i = 0; i < n->nq; i++)
		if (n->q[i].len > 18 && n->q[i].data[18] == xchg)
			count++;
	return (count);
}

/*
 * Start the renewal of an ISAKMP SA of 1000 s at 900 s, leaving its MM1
 * queued, then let the IPsec SAs reach their soft lifetime while that
 * Main Mode runs.  The responder would start its own renewal only after
 * 930 s.
 */
static struct net *
renewal_with_soft_expiry(uint8_t *icookie)
{
	struct peer_conf	 a = conf_a;
	struct net		*n;

	a.xform = "auth_method preshared oakley_group 14 auth_alg sha1 "
	    "encr_alg aes(128..128) p1_lifetime_secs 1000";
	n = net_new(&a, &conf_b, 0);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	memcpy(icookie, TAILQ_FIRST(&n->s[0].eng->e_p1s)->p1_icookie,
	    ISAKMP_COOKIE_LEN);
	net_run(n, 899900);
	assert_int_equal(n->nq, 0);
	n->now += 200;
	ike_engine_run_timers(n->s[0].eng, n->now);
	assert_int_equal(queued_exchanges(n, ISAKMP_EX_IDPROT), 1);
	assert_int_equal(kernel_none_expire(n->s[0].kern,
	    &first_sa(&n->s[0], KERNEL_DIR_OUT)->sa_id, 0,
	    KERNEL_EXPIRE_SECONDS), 0);
	return (n);
}

/*
 * A Quick Mode that starts while our Main Mode renews the ISAKMP SA
 * waits for it and runs on the new SA.  On the old one, strongSwan
 * would delete its IPsec SAs together with the old ISAKMP SA.
 */
static void
renewal_quick_mode_waits(void **state)
{
	struct net	*n;
	uint8_t		 icookie[ISAKMP_COOKIE_LEN];

	n = renewal_with_soft_expiry(icookie);
	assert_int_equal(queued_exchanges(n, ISAKMP_EX_QUICK), 0);
	net_pump(n);
	assert_int_equal(p1_count(n->s[0].eng), 2);
	assert_int_equal(ike_engine_child_count(n->s[0].eng), 2);
	assert_false(newest_child_from(&n->s[0], icookie));
	assert_true(newest_child_from(&n->s[0],
	    TAILQ_LAST(&n->s[0].eng->e_p1s, ike_p1_list)->p1_icookie));
	net_free(n);
}

/* When the renewal fails, the waiting Quick Mode runs on the old SA. */
static void
renewal_failed_quick_mode_runs(void **state)
{
	struct net		*n;
	struct ike_stats	 st;
	uint8_t			 icookie[ISAKMP_COOKIE_LEN];
	int			 i;

	n = renewal_with_soft_expiry(icookie);
	assert_int_equal(queued_exchanges(n, ISAKMP_EX_QUICK), 0);
	n->drop_all[0] = 1;
	net_pump(n);
	for (i = 0; i < 80; i++) {
		net_run(n, 100);
		ike_engine_get_stats(n->s[0].eng, &st);
		if (st.st_p1_fail_init > 0)
			break;
	}
	assert_int_equal(st.st_p1_fail_init, 1);
	assert_int_equal(p1_count(n->s[0].eng), 1);
	/* The QM1 sent at the failure was dropped too; its resend passes. */
	n->drop_all[0] = 0;
	net_run(n, 2000);
	assert_int_equal(ike_engine_child_count(n->s[0].eng), 2);
	assert_true(newest_child_from(&n->s[0], icookie));
	net_free(n);
}

/*
 * The same when the peer renews: our Quick Mode waits for the peer's
 * Main Mode once MM3 came, and runs on the new ISAKMP SA.
 */
static void
peer_renewal_quick_mode_waits(void **state)
{
	struct peer_conf	 b = conf_b;
	struct net		*n;
	struct ike_p1		*np1;
	int			 i;

	b.xform = "auth_method preshared oakley_group 14 auth_alg sha1 "
	    "encr_alg aes(128..128) p1_lifetime_secs 1000";
	n = net_new(&conf_a, &b, 0);
	assert_int_equal(ike_engine_initiate(n->s[1].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	net_run(n, 899900);
	assert_int_equal(n->nq, 0);
	n->now += 200;
	ike_engine_run_timers(n->s[1].eng, n->now);
	assert_int_equal(queued_exchanges(n, ISAKMP_EX_IDPROT), 1);
	/* Deliver up to MM3, after which our side sends MM4 and waits. */
	np1 = NULL;
	for (i = 0; i < 6 && n->nq > 0; i++) {
		net_deliver_one(n);
		np1 = TAILQ_LAST(&n->s[0].eng->e_p1s, ike_p1_list);
		if (np1->p1_state == IKE_P1_MM_R2)
			break;
	}
	assert_non_null(np1);
	assert_int_equal(np1->p1_state, IKE_P1_MM_R2);
	assert_int_equal(kernel_none_expire(n->s[0].kern,
	    &first_sa(&n->s[0], KERNEL_DIR_OUT)->sa_id, 0,
	    KERNEL_EXPIRE_SECONDS), 0);
	assert_int_equal(queued_exchanges(n, ISAKMP_EX_QUICK), 0);
	net_pump(n);
	assert_int_equal(np1->p1_state, IKE_P1_ESTABLISHED);
	assert_int_equal(ike_engine_child_count(n->s[0].eng), 2);
	assert_true(newest_child_from(&n->s[0], np1->p1_icookie));
	net_free(n);
}

static void
p1_not_renewed_without_sas(void **state)
{
	struct peer_conf	 a = conf_a;
	struct net		*n;
	struct ike_stats	 st;

	a.xform = "auth_method preshared oakley_group 14 auth_alg sha1 "
	    "encr_alg aes(128..128) p1_lifetime_secs 300";
	n = net_new(&a, &conf_b, 0);
	assert_int_equal(ike_engine_initiate(n->s[1].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	assert_int_equal(kernel_none_expire(n->s[0].kern,
	    &first_sa(&n->s[0], KERNEL_DIR_IN)->sa_id, 1,
	    KERNEL_EXPIRE_SECONDS), 0);
	net_pump(n);
	assert_int_equal(ike_engine_child_count(n->s[1].eng), 0);
	assert_int_equal(p1_count(n->s[1].eng), 1);
	/* Nothing needs Phase 1: it runs out without a replacement. */
	net_run(n, 302000);
	assert_int_equal(p1_entries(n->s[0].eng), 0);
	assert_int_equal(p1_entries(n->s[1].eng), 0);
	ike_engine_get_stats(n->s[1].eng, &st);
	assert_int_equal(st.st_p1_total_init, 1);
	net_free(n);
}

static const char dpd_globals[] = "dpd_interval 2\ndpd_retries 2";

static void
dpd_answered_keeps_sas(void **state)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	struct net		*n;
	unsigned int		 sent;

	a.globals = b.globals = dpd_globals;
	n = net_new(&a, &b, 0);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	sent = n->s[0].sent;
	/* No ESP arrives (the none backend counts none): probes go out. */
	net_run(n, 20000);
	assert_true(n->s[0].sent >= sent + 5);
	check_sa_pairs(n, 1);
	assert_int_equal(p1_count(n->s[0].eng), 1);
	assert_int_equal(p1_count(n->s[1].eng), 1);
	net_free(n);
}

static void
dpd_silent_peer_cleared(void **state)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	struct net		*n;

	a.globals = b.globals = dpd_globals;
	n = net_new(&a, &b, 0);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	n->drop_all[1] = 1;
	net_run(n, 5000);
	assert_int_equal(sa_count(&n->s[0]), 2);
	/* Probes at 2 s and 4 s unanswered: dead at 6 s. */
	net_run(n, 2000);
	assert_int_equal(sa_count(&n->s[0]), 0);
	assert_int_equal(ike_engine_child_count(n->s[0].eng), 0);
	assert_int_equal(p1_entries(n->s[0].eng), 0);
	net_free(n);
}

static void
dpd_off_sends_no_probe(void **state)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	struct net		*n;

	a.globals = "dpd_interval 0";
	b.globals = dpd_globals;
	n = net_new(&a, &b, 0);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	n->drop_all[1] = 1;
	net_run(n, 20000);
	/* Side 1 gave up on the silent side 0; side 0 never probed. */
	assert_int_equal(p1_count(n->s[0].eng), 1);
	assert_int_equal(sa_count(&n->s[0]), 2);
	assert_int_equal(p1_entries(n->s[1].eng), 0);
	net_free(n);
}

static void
dpd_ack_checked(void **state)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	struct isakmp_notify	 ack;
	struct net		*n;
	struct ike_p1		*p1;
	uint8_t			 spi[2 * ISAKMP_COOKIE_LEN], seq[4];

	a.globals = b.globals = "dpd_interval 2\ndpd_retries 5";
	n = net_new(&a, &b, 0);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	n->drop_all[1] = 1;
	net_run(n, 2500);
	p1 = TAILQ_FIRST(&n->s[0].eng->e_p1s);
	assert_int_equal(p1->p1_dpd_tries, 1);
	memcpy(spi, p1->p1_icookie, ISAKMP_COOKIE_LEN);
	memcpy(spi + ISAKMP_COOKIE_LEN, p1->p1_rcookie, ISAKMP_COOKIE_LEN);
	memset(&ack, 0, sizeof(ack));
	ack.n_proto = ISAKMP_PROTO_ISAKMP;
	ack.n_type = ISAKMP_N_R_U_THERE_ACK;
	ack.n_spi_size = sizeof(spi);
	ack.n_spi = spi;
	ack.n_data = seq;
	ack.n_len = sizeof(seq);
	/* A sequence number we never sent. */
	seq[0] = (uint8_t)((p1->p1_dpd_seq + 1) >> 24);
	seq[1] = (uint8_t)((p1->p1_dpd_seq + 1) >> 16);
	seq[2] = (uint8_t)((p1->p1_dpd_seq + 1) >> 8);
	seq[3] = (uint8_t)(p1->p1_dpd_seq + 1);
	ike_dpd_ack(p1, &ack);
	assert_int_equal(p1->p1_dpd_tries, 1);
	/* The right number with the wrong cookies. */
	seq[3]--;
	spi[0] ^= 1;
	ike_dpd_ack(p1, &ack);
	assert_int_equal(p1->p1_dpd_tries, 1);
	/* No sequence number at all. */
	spi[0] ^= 1;
	ack.n_len = 2;
	ike_dpd_ack(p1, &ack);
	assert_int_equal(p1->p1_dpd_tries, 1);
	ack.n_len = sizeof(seq);
	ike_dpd_ack(p1, &ack);
	assert_int_equal(p1->p1_dpd_tries, 0);
	assert_true(p1->p1_dpd_next >= n->now + 2000);
	net_free(n);
}

/* The tunnel's ACQUIRE, as side 0's kernel reports it. */
static void
acquire_tunnel(struct net *n)
{
	struct kernel_acquire	acq;

	memset(&acq, 0, sizeof(acq));
	ss_set(&acq.acq_packet.sel_src, "192.0.2.5", 0);
	ss_set(&acq.acq_packet.sel_dst, "203.0.113.7", 0);
	acq.acq_packet.sel_src_prefix = 32;
	acq.acq_packet.sel_dst_prefix = 32;
	acq.acq_policy = acq.acq_packet;
	ss_set(&acq.acq_src, "198.51.100.1", 0);
	ss_set(&acq.acq_dst, "198.51.100.2", 0);
	acq.acq_mode = KERNEL_MODE_TUNNEL;
	acq.acq_proto = KERNEL_PROTO_ESP;
	acq.acq_reqid = 1;
	ike_engine_acquire(n->s[0].eng, &acq, n->now);
}

/*
 * Side 1 loses all state, as after kill -9 and a restart: a new engine
 * and kernel, with SPIs that differ from side 0's.
 */
static void
peer_restart(struct net *n, const struct peer_conf *pc)
{
	struct side	*s = &n->s[1];
	uint32_t	 spi;
	int		 j;

	ike_engine_free(s->eng);
	kernel_close(s->kern);
	assert_int_equal(kernel_open(&s->kern, KERNEL_BACKEND_NONE, NULL,
	    &test_kernel_cb, s, NULL), 0);
	for (j = 0; j < 16; j++)
		assert_int_equal(kernel_get_spi(s->kern, NULL, NULL,
		    KERNEL_PROTO_ESP, 0, &spi), 0);
	s->eng = ike_engine_new(&test_host, s, s->kern);
	assert_non_null(s->eng);
	assert_int_equal(ike_engine_set_config(s->eng, make_config(n, 1, pc),
	    n->now), 0);
}

/*
 * Up a tunnel from side 0, let its IPsec SAs idle out so that only the
 * ISAKMP SA is left, and store that SA's initiator cookie.
 */
static struct net *
net_bare_p1(const struct peer_conf *a, const struct peer_conf *b,
    uint8_t *icookie)
{
	struct net	*n = net_new(a, b, 0);

	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	assert_int_equal(kernel_none_expire(n->s[0].kern,
	    &first_sa(&n->s[0], KERNEL_DIR_IN)->sa_id, 1,
	    KERNEL_EXPIRE_IDLE), 0);
	net_pump(n);
	assert_int_equal(sa_count(&n->s[0]), 0);
	assert_int_equal(p1_entries(n->s[0].eng), 1);
	memcpy(icookie, TAILQ_FIRST(&n->s[0].eng->e_p1s)->p1_icookie,
	    ISAKMP_COOKIE_LEN);
	return (n);
}

/* Messages of one exchange type that side 0 sent under an icookie. */
static unsigned int
sent_on_p1(const struct net *n, const uint8_t *icookie, uint8_t exchange)
{
	unsigned int	count = 0;
	size_t		i;

	for (i = 0; i < n->nlog; i++)
		if (n->log[i].from == 0 && n->log[i].len > ISAKMP_HDR_LEN &&
		    n->log[i].data[18] == exchange &&
		    memcmp(n->log[i].data, icookie, ISAKMP_COOKIE_LEN) == 0)
			count++;
	return (count);
}

/*
 * Without DPD, a Quick Mode that times out on an ISAKMP SA whose peer
 * lost its state makes that SA dead, and a new Main Mode carries the
 * Quick Mode.
 */
static void
dead_p1_found_by_qm_timeout(void **state)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	uint8_t			 old[ISAKMP_COOKIE_LEN];
	struct net		*n;
	unsigned int		 qm;

	a.globals = b.globals = "dpd_interval 0";
	n = net_bare_p1(&a, &b, old);
	qm = sent_on_p1(n, old, ISAKMP_EX_QUICK);
	peer_restart(n, &b);
	acquire_tunnel(n);
	net_pump(n);
	assert_int_equal(sent_on_p1(n, old, ISAKMP_EX_QUICK) - qm, 1);
	assert_int_equal(sa_count(&n->s[0]), 0);
	net_run(n, 12000);
	check_sa_pairs(n, 1);
	assert_int_equal(p1_entries(n->s[0].eng), 1);
	assert_memory_not_equal(TAILQ_FIRST(&n->s[0].eng->e_p1s)->p1_icookie,
	    old, ISAKMP_COOKIE_LEN);
	net_free(n);
}

/*
 * With DPD, a timed-out Quick Mode brings R-U-THERE first; the peer that
 * lost its state answers none, and a new Main Mode carries the Quick Mode.
 */
static void
dead_p1_found_by_dpd_after_qm(void **state)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	uint8_t			 old[ISAKMP_COOKIE_LEN];
	struct net		*n;
	unsigned int		 qm, info;

	a.globals = b.globals = "dpd_interval 10\ndpd_retries 2";
	n = net_bare_p1(&a, &b, old);
	qm = sent_on_p1(n, old, ISAKMP_EX_QUICK);
	info = sent_on_p1(n, old, ISAKMP_EX_INFO);
	peer_restart(n, &b);
	acquire_tunnel(n);
	net_run(n, 9000);
	assert_int_equal(sent_on_p1(n, old, ISAKMP_EX_QUICK) - qm, 4);
	assert_true(sent_on_p1(n, old, ISAKMP_EX_INFO) - info >= 1);
	assert_int_equal(sa_count(&n->s[0]), 0);
	net_run(n, 12000);
	check_sa_pairs(n, 1);
	assert_int_equal(sent_on_p1(n, old, ISAKMP_EX_INFO) - info, 2);
	assert_int_equal(p1_entries(n->s[0].eng), 1);
	assert_memory_not_equal(TAILQ_FIRST(&n->s[0].eng->e_p1s)->p1_icookie,
	    old, ISAKMP_COOKIE_LEN);
	net_free(n);
}

/*
 * An ISAKMP SA silent for longer than dpd_interval is probed before a
 * new Quick Mode uses it: no Quick Mode goes to the dead peer.
 */
static void
silent_p1_probed_before_qm(void **state)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	uint8_t			 old[ISAKMP_COOKIE_LEN];
	struct net		*n;
	unsigned int		 qm, info;

	a.globals = b.globals = dpd_globals;
	n = net_bare_p1(&a, &b, old);
	qm = sent_on_p1(n, old, ISAKMP_EX_QUICK);
	info = sent_on_p1(n, old, ISAKMP_EX_INFO);
	peer_restart(n, &b);
	net_run(n, 3000);
	acquire_tunnel(n);
	net_pump(n);
	assert_int_equal(sent_on_p1(n, old, ISAKMP_EX_INFO) - info, 1);
	net_run(n, 8000);
	check_sa_pairs(n, 1);
	assert_int_equal(sent_on_p1(n, old, ISAKMP_EX_QUICK) - qm, 0);
	assert_int_equal(p1_entries(n->s[0].eng), 1);
	net_free(n);
}

/* A silent ISAKMP SA whose peer answers R-U-THERE carries the Quick Mode. */
static void
silent_p1_alive_keeps_p1(void **state)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	uint8_t			 old[ISAKMP_COOKIE_LEN];
	struct net		*n;
	unsigned int		 qm;

	a.globals = b.globals = dpd_globals;
	n = net_bare_p1(&a, &b, old);
	qm = sent_on_p1(n, old, ISAKMP_EX_QUICK);
	net_run(n, 3000);
	acquire_tunnel(n);
	net_pump(n);
	check_sa_pairs(n, 1);
	assert_int_equal(sent_on_p1(n, old, ISAKMP_EX_QUICK) - qm, 2);
	assert_int_equal(p1_entries(n->s[0].eng), 1);
	assert_memory_equal(TAILQ_FIRST(&n->s[0].eng->e_p1s)->p1_icookie,
	    old, ISAKMP_COOKIE_LEN);
	net_free(n);
}

static void
admin_delete_p1(void **state)
{
	struct net	*n = net_new(&conf_a, &conf_b, 0);
	struct ike_p1	*p1;
	uint8_t		 icookie[ISAKMP_COOKIE_LEN], rcookie[ISAKMP_COOKIE_LEN];

	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	p1 = TAILQ_FIRST(&n->s[0].eng->e_p1s);
	memcpy(icookie, p1->p1_icookie, sizeof(icookie));
	memcpy(rcookie, p1->p1_rcookie, sizeof(rcookie));
	rcookie[0] ^= 1;
	assert_int_equal(ike_engine_delete_p1(n->s[0].eng, icookie, rcookie,
	    n->now), ERR_NOTFOUND);
	rcookie[0] ^= 1;
	assert_int_equal(ike_engine_delete_p1(n->s[0].eng, icookie, rcookie,
	    n->now), 0);
	net_pump(n);
	net_run(n, 200);
	/* No other ISAKMP SA takes over, so the IPsec SAs go as well. */
	assert_int_equal(sa_count(&n->s[0]), 0);
	assert_int_equal(sa_count(&n->s[1]), 0);
	assert_int_equal(p1_entries(n->s[0].eng), 0);
	assert_int_equal(p1_entries(n->s[1].eng), 0);
	net_free(n);
}

/* The last Informational (exchange type 5) that side sent. */
static const struct pkt *
last_info_from(const struct net *n, int side)
{
	size_t	i;

	for (i = n->nlog; i > 0; i--)
		if (n->log[i - 1].from == side && n->log[i - 1].len > 18 &&
		    n->log[i - 1].data[18] == ISAKMP_EX_INFO)
			return (&n->log[i - 1]);
	return (NULL);
}

static void
informational_replay_dropped(void **state)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	struct ike_packet	 in;
	const struct pkt	*p;
	struct ike_stats	 st;
	struct net		*n;
	unsigned int		 sent, dropped;

	a.globals = b.globals = "dpd_interval 2\ndpd_retries 5";
	n = net_new(&a, &b, 0);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	/* Side 0 probes, side 1 acknowledges. */
	net_run(n, 2500);
	p = last_info_from(n, 0);
	assert_non_null(p);
	sent = n->s[1].sent;
	ike_engine_get_stats(n->s[1].eng, &st);
	dropped = st.st_rx_dropped;
	memset(&in, 0, sizeof(in));
	in.pk_local = p->remote;
	in.pk_remote = p->local;
	in.pk_data = p->data;
	in.pk_len = p->len;
	ike_engine_input(n->s[1].eng, &in, n->now);
	/* The copy of the R-U-THERE gets no second acknowledgement. */
	assert_int_equal(n->s[1].sent, sent);
	ike_engine_get_stats(n->s[1].eng, &st);
	assert_int_equal(st.st_rx_dropped, dropped + 1);
	check_sa_pairs(n, 1);
	net_free(n);
}

static void
delete_from_responder(void **state)
{
	struct net	*n = net_new(&conf_a, &conf_b, 0);

	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	ike_engine_shutdown(n->s[1].eng, n->now);
	assert_int_equal(sa_count(&n->s[1]), 0);
	net_pump(n);
	assert_int_equal(sa_count(&n->s[0]), 0);
	assert_int_equal(ike_engine_child_count(n->s[0].eng), 0);
	net_run(n, 200);
	assert_int_equal(p1_entries(n->s[0].eng), 0);
	net_free(n);
}

static void
responder_lifetime_shortens(void **state)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	struct net		*n;

	a.p2_life = 7200;
	b.p2_life = 3600;
	n = net_new(&a, &b, 0);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	assert_int_equal(first_sa(&n->s[0], KERNEL_DIR_OUT)->sa_lifetime
	    .lt_hard_seconds, 3600);
	assert_int_equal(first_sa(&n->s[0], KERNEL_DIR_IN)->sa_lifetime
	    .lt_hard_seconds, 3600);
	assert_int_equal(first_sa(&n->s[1], KERNEL_DIR_OUT)->sa_lifetime
	    .lt_hard_seconds, 3600);
	assert_int_equal(first_sa(&n->s[0], KERNEL_DIR_OUT)->sa_lifetime
	    .lt_soft_seconds, 3240);
	net_free(n);
}

static void
acquire_starts_negotiation(void **state)
{
	struct net		*n = net_new(&conf_a, &conf_b, 0);
	struct kernel_acquire	 acq;
	const struct kernel_sa	*sa;

	memset(&acq, 0, sizeof(acq));
	ss_set(&acq.acq_packet.sel_src, "192.0.2.5", 0);
	ss_set(&acq.acq_packet.sel_dst, "203.0.113.7", 0);
	acq.acq_packet.sel_src_prefix = 32;
	acq.acq_packet.sel_dst_prefix = 32;
	acq.acq_policy = acq.acq_packet;
	ss_set(&acq.acq_src, "198.51.100.1", 0);
	ss_set(&acq.acq_dst, "198.51.100.2", 0);
	acq.acq_mode = KERNEL_MODE_TUNNEL;
	acq.acq_proto = KERNEL_PROTO_ESP;
	acq.acq_reqid = 1;
	ike_engine_acquire(n->s[0].eng, &acq, n->now);
	/* A second ACQUIRE while Phase 1 runs adds nothing. */
	ike_engine_acquire(n->s[0].eng, &acq, n->now);
	net_pump(n);
	check_sa_pairs(n, 1);
	sa = first_sa(&n->s[0], KERNEL_DIR_OUT);
	assert_true(ss_is(&sa->sa_sel.sel_src, "192.0.2.0"));
	assert_int_equal(sa->sa_sel.sel_src_prefix, 24);
	assert_true(ss_is(&sa->sa_sel.sel_dst, "203.0.113.0"));
	assert_int_equal(sa->sa_sel.sel_dst_prefix, 24);
	assert_int_equal(sa->sa_reqid, 1);
	net_free(n);
}

static void
reload_without_rule_deletes(void **state)
{
	struct peer_conf	 a = conf_a;
	struct net		*n = net_new(&conf_a, &conf_b, 0);

	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	a.label = "renamed";
	assert_int_equal(ike_engine_set_config(n->s[0].eng,
	    make_config(n, 0, &a), n->now), 0);
	net_pump(n);
	net_run(n, 200);
	assert_int_equal(p1_entries(n->s[0].eng), 0);
	assert_int_equal(p1_entries(n->s[1].eng), 0);
	/* Its IPsec SAs went too, with a Delete to the peer. */
	assert_int_equal(sa_count(&n->s[0]), 0);
	assert_int_equal(sa_count(&n->s[1]), 0);
	net_free(n);
}

/*
 * A reload of both sides between Main Mode messages keeps the Phase 1 in
 * progress and the Quick Mode queued behind it.
 */
static void
reload_during_mm_keeps_qm(void **state)
{
	struct net		*n = net_new(&conf_a, &conf_b, 0);
	struct kernel_acquire	 acq;

	memset(&acq, 0, sizeof(acq));
	ss_set(&acq.acq_packet.sel_src, "192.0.2.5", 0);
	ss_set(&acq.acq_packet.sel_dst, "203.0.113.7", 0);
	acq.acq_packet.sel_src_prefix = 32;
	acq.acq_packet.sel_dst_prefix = 32;
	acq.acq_policy = acq.acq_packet;
	ss_set(&acq.acq_src, "198.51.100.1", 0);
	ss_set(&acq.acq_dst, "198.51.100.2", 0);
	acq.acq_mode = KERNEL_MODE_TUNNEL;
	acq.acq_proto = KERNEL_PROTO_ESP;
	acq.acq_reqid = 1;
	ike_engine_acquire(n->s[0].eng, &acq, n->now);
	net_pump_one(n);	/* MM1 */
	net_pump_one(n);	/* MM2 */
	assert_int_equal(sa_count(&n->s[0]), 0);
	assert_int_equal(ike_engine_set_config(n->s[0].eng,
	    make_config(n, 0, &conf_a), n->now), 0);
	assert_int_equal(ike_engine_set_config(n->s[1].eng,
	    make_config(n, 1, &conf_b), n->now), 0);
	net_pump(n);
	check_sa_pairs(n, 1);
	assert_int_equal(p1_count(n->s[0].eng), 1);
	net_free(n);
}

/* A reload that changes the policy entry drops the queued Quick Mode. */
static void
reload_during_mm_drops_changed_qm(void **state)
{
	struct peer_conf	 a = conf_a;
	struct net		*n = net_new(&conf_a, &conf_b, 0);
	struct kernel_acquire	 acq;

	memset(&acq, 0, sizeof(acq));
	ss_set(&acq.acq_packet.sel_src, "192.0.2.5", 0);
	ss_set(&acq.acq_packet.sel_dst, "203.0.113.7", 0);
	acq.acq_packet.sel_src_prefix = 32;
	acq.acq_packet.sel_dst_prefix = 32;
	acq.acq_policy = acq.acq_packet;
	ss_set(&acq.acq_src, "198.51.100.1", 0);
	ss_set(&acq.acq_dst, "198.51.100.2", 0);
	acq.acq_mode = KERNEL_MODE_TUNNEL;
	acq.acq_proto = KERNEL_PROTO_ESP;
	acq.acq_reqid = 1;
	ike_engine_acquire(n->s[0].eng, &acq, n->now);
	net_pump_one(n);
	net_pump_one(n);
	a.esp = "encr_algs aes(256) encr_auth_algs hmac-sha256";
	assert_int_equal(ike_engine_set_config(n->s[0].eng,
	    make_config(n, 0, &a), n->now), 0);
	net_pump(n);
	/* Phase 1 completes, but no Quick Mode for the old entry follows. */
	assert_int_equal(p1_count(n->s[0].eng), 1);
	assert_int_equal(sa_count(&n->s[0]), 0);
	assert_int_equal(sa_count(&n->s[1]), 0);
	net_free(n);
}

/*
 * Reload side 1 with pc; returns whether its ISAKMP SA with side 0 was
 * deleted, and then checks that side 0 got the Delete.
 */
static int
reload_deletes_p1(const struct peer_conf *pc)
{
	struct net	*n = net_new(&conf_a, &conf_b, 0);
	int		 deleted;

	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	assert_int_equal(ike_engine_set_config(n->s[1].eng,
	    make_config(n, 1, pc), n->now), 0);
	net_pump(n);
	net_run(n, 200);
	deleted = p1_entries(n->s[1].eng) == 0;
	if (deleted) {
		assert_int_equal(p1_entries(n->s[0].eng), 0);
		assert_int_equal(sa_count(&n->s[0]), 0);
		assert_int_equal(sa_count(&n->s[1]), 0);
	} else
		check_sa_pairs(n, 1);
	net_free(n);
	return (deleted);
}

static void
reload_changed_psk_deletes_p1(void **state)
{
	struct peer_conf	b = conf_b;

	b.key = "another-psk-0123456789";
	assert_true(reload_deletes_p1(&b));
}

static void
reload_changed_method_deletes_p1(void **state)
{
	struct peer_conf	b = conf_b;

	b.xform = "auth_method rsa_sig oakley_group 14 auth_alg sha1 "
	    "encr_alg aes(128..128)";
	b.label = "to-peer\"\n local_id_type dn\n local_id \"CN=b\"\n "
	    "remote_id \"CN=a";
	assert_true(reload_deletes_p1(&b));
}

/* Trust settings matter to certificates only, not to a preshared key. */
static void
reload_same_auth_keeps_p1(void **state)
{
	struct peer_conf	b = conf_b;

	assert_false(reload_deletes_p1(&b));
	b.globals = "ignore_crls";
	assert_false(reload_deletes_p1(&b));
	b.globals = "dpd_interval 20";
	assert_false(reload_deletes_p1(&b));
}

static void
reload_adding_rule_keeps_sas(void **state)
{
	struct peer_conf	 a = conf_a;
	struct net		*n = net_new(&conf_a, &conf_b, 0);
	uint32_t		 spi_in, spi_out;

	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	spi_in = first_sa(&n->s[0], KERNEL_DIR_IN)->sa_id.id_spi;
	spi_out = first_sa(&n->s[0], KERNEL_DIR_OUT)->sa_id.id_spi;
	a.globals = "{ label \"other\" local_addr 198.51.100.1 "
	    "remote_addr 198.51.100.7 }";
	assert_int_equal(ike_engine_set_config(n->s[0].eng,
	    make_config(n, 0, &a), n->now), 0);
	net_pump(n);
	net_run(n, 200);
	/* The tunnel of the rule that stays is untouched. */
	check_sa_pairs(n, 1);
	assert_int_equal(first_sa(&n->s[0], KERNEL_DIR_IN)->sa_id.id_spi,
	    spi_in);
	assert_int_equal(first_sa(&n->s[0], KERNEL_DIR_OUT)->sa_id.id_spi,
	    spi_out);
	assert_int_equal(p1_count(n->s[0].eng), 1);
	assert_int_equal(p1_count(n->s[1].eng), 1);
	/* Its next rekey uses the policy entry of the new file. */
	assert_int_equal(kernel_none_expire(n->s[0].kern,
	    &first_sa(&n->s[0], KERNEL_DIR_OUT)->sa_id, 0,
	    KERNEL_EXPIRE_SECONDS), 0);
	net_pump(n);
	net_run(n, 1500);
	check_sa_pairs(n, 2);
	net_free(n);
}

/*
 * A reload that puts another entry of ipsecinit.conf before the tunnel's
 * deletes its pair, at the peer too: the SAs carry the reqid of the old
 * position, which now belongs to the other entry.
 */
static void
reload_moved_entry_deletes(void **state)
{
	struct peer_conf	 a = conf_a;
	struct net		*n = net_new(&conf_a, &conf_b, 0);
	size_t			 k;

	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	for (k = 0; k < sa_count(&n->s[0]); k++)
		assert_int_equal(kernel_none_sa_at(n->s[0].kern, k)->sa_reqid,
		    1);
	a.two_policies = 2;
	assert_int_equal(ike_engine_set_config(n->s[0].eng,
	    make_config(n, 0, &a), n->now), 0);
	net_pump(n);
	assert_int_equal(ike_engine_child_count(n->s[0].eng), 0);
	assert_int_equal(sa_count(&n->s[0]), 0);
	assert_int_equal(sa_count(&n->s[1]), 0);
	/* The ISAKMP SA stays for the next Quick Mode. */
	assert_int_equal(p1_count(n->s[0].eng), 1);
	net_free(n);
}

static void
quick_mode_retransmits(void **state)
{
	struct net	*n = net_new(&conf_a, &conf_b, 0);
	unsigned int	 sent_a, sent_b;
	size_t		 i, nlog;

	n->drop_nth[1] = 4;		/* MM2, MM4, MM6, then QM2 is lost */
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	assert_int_equal(sa_count(&n->s[0]), 0);
	assert_int_equal(p1_count(n->s[0].eng), 1);
	net_run(n, 600);
	/* QM1 again, the stored QM2 (or B's own retransmission), QM3. */
	check_sa_pairs(n, 1);
	sent_b = n->s[1].sent;
	assert_true(sent_b >= 5);
	/* Final messages are not answered: nothing bounces afterwards. */
	sent_a = n->s[0].sent;
	net_run(n, 5000);
	assert_int_equal(n->s[0].sent, sent_a);
	assert_int_equal(n->s[1].sent, sent_b);
	/*
	 * Every message once more: each request gets at most its stored
	 * reply, and replies to final messages do not bounce.
	 */
	nlog = n->nlog;
	for (i = 0; i < nlog; i++) {
		struct ike_packet	in;
		struct pkt		p = n->log[i];

		memset(&in, 0, sizeof(in));
		net_translate(n, &p, &in);
		in.pk_data = p.data;
		in.pk_len = p.len;
		ike_engine_input(n->s[1 - p.from].eng, &in, n->now);
		net_pump(n);
	}
	assert_true(n->s[0].sent - sent_a + n->s[1].sent - sent_b <= nlog);
	check_sa_pairs(n, 1);
	net_free(n);
}

/* MM1 of side 0 as the test sent it, with a new initiator cookie. */
static void
mm1_variant(struct net *n, uint32_t tag, uint8_t *buf, size_t *len)
{
	assert_true(n->nlog > 0);
	memcpy(buf, n->log[0].data, n->log[0].len);
	*len = n->log[0].len;
	memcpy(buf, &tag, sizeof(tag));
}

static void
half_open_bounded(void **state)
{
	struct net		*n = net_new(&conf_a, &conf_b, 0);
	struct ike_packet	 in;
	struct ike_stats	 st;
	uint8_t			 buf[2048];
	size_t			 len;
	uint32_t		 i;

	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	memset(&in, 0, sizeof(in));
	net_translate(n, &n->q[0], &in);
	n->drop_all[1] = 1;		/* the MM2 answers go nowhere */
	for (i = 1; i <= 1100; i++) {
		mm1_variant(n, i, buf, &len);
		in.pk_data = buf;
		in.pk_len = len;
		ike_engine_input(n->s[1].eng, &in, n->now);
	}
	assert_int_equal(p1_entries(n->s[1].eng), 1024);
	ike_engine_get_stats(n->s[1].eng, &st);
	assert_int_equal(st.st_p1_attempt_resp, 1024);
	assert_true(st.st_rx_dropped >= 1100 - 1024);
	/* Unfinished exchanges end after expire_timer (60 s here). */
	net_run(n, 61000);
	assert_int_equal(p1_entries(n->s[1].eng), 0);
	net_free(n);
}

static void
unexpected_payload_rejected(void **state)
{
	struct net		*n = net_new(&conf_a, &conf_b, 0);
	struct isakmp_builder	 b;
	struct isakmp_msg	 msg;
	struct isakmp_error	 err;
	struct ike_packet	 in;
	struct wbuf		 wb;
	static const uint8_t	 junk[20];
	size_t			 i;

	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	/* MM1 with a HASH payload added, which MM1 must not carry. */
	assert_int_equal(isakmp_msg_parse(n->q[0].data, n->q[0].len, &msg,
	    &err), 0);
	wbuf_init(&wb, 0);
	isakmp_build_init(&b, &wb, &msg.m_hdr);
	for (i = 0; i < msg.m_npayloads; i++)
		isakmp_build_payload(&b, &msg.m_payloads[i]);
	isakmp_build_data(&b, ISAKMP_PL_HASH, junk, sizeof(junk));
	assert_int_equal(isakmp_build_finish(&b), 0);
	isakmp_msg_free(&msg);
	memset(&in, 0, sizeof(in));
	net_translate(n, &n->q[0], &in);
	free(n->q[0].data);		/* only the altered MM1 arrives */
	n->nq = 0;
	in.pk_data = wb.wb_data;
	in.pk_len = wb.wb_len;
	ike_engine_input(n->s[1].eng, &in, n->now);
	wbuf_free(&wb);
	assert_int_equal(logged_notify(n, 1), ISAKMP_N_INVALID_PAYLOAD_TYPE);
	net_run(n, 100);
	assert_int_equal(p1_entries(n->s[1].eng), 0);
	net_free(n);
}

/* One attribute of a proposed transform set to a value, or left out. */
struct attr_case {
	const char	*name;
	uint16_t	 type;
	uint32_t	 value;
	int		 omit;
	int		 ok;		/* the transform is acceptable */
	const char	*reason;	/* logged as the reason, or NULL when
					   the algorithms do not match */
};

#define ATTR_CASE_NONE	0xffff

/* Add attribute type with value v unless the case changes it. */
static void
build_attr_case(struct isakmp_builder *b, enum isakmp_attr_class cls,
    const struct attr_case *c, uint16_t type, uint32_t v)
{
	if (c->type == type && c->omit)
		return;
	isakmp_build_attr(b, cls, type, c->type == type ? c->value : v);
}

/* An SA payload with one AES-128/SHA-1/PSK/group 14 Phase 1 transform. */
static void
build_p1_sa_case(struct isakmp_builder *b, const struct attr_case *c)
{
	enum isakmp_attr_class	cls = ISAKMP_ATTR_CLASS_P1;

	isakmp_build_sa_begin(b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	isakmp_build_proposal_begin(b, 1, ISAKMP_PROTO_ISAKMP, NULL, 0, 1);
	isakmp_build_transform_begin(b, 1, ISAKMP_XF_KEY_IKE);
	build_attr_case(b, cls, c, ISAKMP_P1_ENC, ISAKMP_ENC_AES_CBC);
	build_attr_case(b, cls, c, ISAKMP_P1_KEY_LENGTH, 128);
	build_attr_case(b, cls, c, ISAKMP_P1_HASH, ISAKMP_HASH_SHA);
	build_attr_case(b, cls, c, ISAKMP_P1_AUTH, ISAKMP_AUTH_PSK);
	build_attr_case(b, cls, c, ISAKMP_P1_GROUP_DESC, 14);
	build_attr_case(b, cls, c, ISAKMP_P1_LIFE_TYPE, ISAKMP_LIFE_SECONDS);
	build_attr_case(b, cls, c, ISAKMP_P1_LIFE_DURATION, 3600);
	isakmp_build_transform_end(b);
	isakmp_build_proposal_end(b);
	isakmp_build_sa_end(b);
}

static const struct attr_case p1_attr_cases[] = {
	{ "valid", ATTR_CASE_NONE, 0, 0, 1, NULL },
	{ "life 1 s", ISAKMP_P1_LIFE_DURATION, 1, 0, 0,
	    "Life Duration 1 s is below the minimum of 10 s; configure the "
	    "peer with a Phase 1 lifetime of at least 10 s" },
	{ "life 0", ISAKMP_P1_LIFE_DURATION, 0, 0, 0,
	    "Life-Duration 0 (must not be 0); change that attribute" },
	{ "life type 9", ISAKMP_P1_LIFE_TYPE, 9, 0, 0,
	    "Life-Type 9 (unknown life type); change that attribute" },
	{ "no life type", ISAKMP_P1_LIFE_TYPE, 0, 1, 0,
	    "Life-Duration 3600 (no Life Type before it); change" },
	{ "key length 0", ISAKMP_P1_KEY_LENGTH, 0, 0, 0,
	    "Key-Length 0 (must not be 0); change that attribute" },
	{ "key length 100", ISAKMP_P1_KEY_LENGTH, 100, 0, 0, NULL },
};

/*
 * Check the log of a rejected transform: the attribute value at fault
 * when the algorithms match, else what the peer offered and the rule
 * allows.
 */
static void
check_attr_case_log(int saved, const char *path, const struct attr_case *c,
    const char *what)
{
	if (c->reason != NULL) {
		assert_int_equal(qm_log_end(saved, path, what, c->reason), 1);
		assert_int_equal(qm_log_end(dup(2), path, "", "the peer "
		    "offered"), 0);
		assert_int_equal(qm_log_end(dup(2), path, "", "add a "
		    "matching p1_xform"), 0);
		return;
	}
	assert_int_equal(qm_log_end(saved, path, what, "not acceptable"), 0);
	assert_int_equal(qm_log_end(dup(2), path, "", "the peer offered"), 1);
}

/*
 * MM1 whose transform has an invalid attribute value gets
 * NO-PROPOSAL-CHOSEN and leaves no ISAKMP SA; the valid one gets MM2,
 * which echoes exactly the lifetime and key length used.
 */
static void
p1_invalid_attrs_rejected(void **state)
{
	struct isakmp_builder	 b;
	struct isakmp_msg	 msg, reply;
	struct isakmp_error	 err;
	struct ike_packet	 in;
	struct wbuf		 wb;
	struct net		*n;
	struct ike_p1		*p1;
	char			 path[256];
	size_t			 i, k;
	int			 saved;

	for (k = 0; k < sizeof(p1_attr_cases) / sizeof(p1_attr_cases[0]);
	    k++) {
		const struct attr_case *c = &p1_attr_cases[k];

		print_message("case %s\n", c->name);
		n = net_new(&conf_a, &conf_b, 0);
		saved = qm_log_begin(n, path, sizeof(path));
		assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer",
		    n->now), 0);
		assert_int_equal(isakmp_msg_parse(n->q[0].data, n->q[0].len,
		    &msg, &err), 0);
		wbuf_init(&wb, 0);
		isakmp_build_init(&b, &wb, &msg.m_hdr);
		for (i = 0; i < msg.m_npayloads; i++) {
			if (msg.m_payloads[i].pl_type == ISAKMP_PL_SA)
				build_p1_sa_case(&b, c);
			else
				isakmp_build_payload(&b, &msg.m_payloads[i]);
		}
		assert_int_equal(isakmp_build_finish(&b), 0);
		isakmp_msg_free(&msg);
		memset(&in, 0, sizeof(in));
		net_translate(n, &n->q[0], &in);
		free(n->q[0].data);
		n->nq = 0;
		in.pk_data = wb.wb_data;
		in.pk_len = wb.wb_len;
		ike_engine_input(n->s[1].eng, &in, n->now);
		wbuf_free(&wb);
		assert_int_equal(n->nq, 1);
		assert_int_equal(isakmp_msg_parse(n->q[0].data, n->q[0].len,
		    &reply, &err), 0);
		if (!c->ok) {
			check_attr_case_log(saved, path, c, "no acceptable "
			    "Phase 1 proposal");
			assert_int_equal(logged_notify(n, 1),
			    ISAKMP_N_NO_PROPOSAL_CHOSEN);
			assert_null(isakmp_msg_find(&reply, ISAKMP_PL_SA, 0));
			isakmp_msg_free(&reply);
			net_run(n, 100);
			assert_int_equal(p1_entries(n->s[1].eng), 0);
			net_free(n);
			continue;
		}
		(void)qm_log_end(saved, path, "", "");
		assert_non_null(isakmp_msg_find(&reply, ISAKMP_PL_SA, 0));
		isakmp_msg_free(&reply);
		p1 = TAILQ_FIRST(&n->s[1].eng->e_p1s);
		assert_non_null(p1);
		assert_int_equal(p1->p1_keybits, 128);
		assert_int_equal(p1->p1_life_secs, 3600);
		net_free(n);
	}
}

/* An ESP transform of AES-128/HMAC-SHA2-256 in tunnel mode. */
static void
build_p2_sa_case(struct isakmp_builder *b, const struct attr_case *c)
{
	enum isakmp_attr_class	cls = ISAKMP_ATTR_CLASS_P2;
	static const uint8_t	spi[4] = { 0x12, 0x34, 0x56, 0x78 };

	isakmp_build_sa_begin(b, ISAKMP_DOI_IPSEC, ISAKMP_SIT_IDENTITY_ONLY);
	isakmp_build_proposal_begin(b, 1, ISAKMP_PROTO_ESP, spi, 4, 1);
	isakmp_build_transform_begin(b, 1, ISAKMP_ESP_AES_CBC);
	build_attr_case(b, cls, c, ISAKMP_P2_LIFE_TYPE, ISAKMP_LIFE_SECONDS);
	build_attr_case(b, cls, c, ISAKMP_P2_LIFE_DURATION, 3600);
	build_attr_case(b, cls, c, ISAKMP_P2_ENCAP_MODE, ISAKMP_ENCAP_TUNNEL);
	build_attr_case(b, cls, c, ISAKMP_P2_AUTH_ALG,
	    ISAKMP_AUTH_ALG_HMAC_SHA2_256);
	build_attr_case(b, cls, c, ISAKMP_P2_KEY_LENGTH, 128);
	isakmp_build_transform_end(b);
	isakmp_build_proposal_end(b);
	isakmp_build_sa_end(b);
}

static const struct attr_case p2_attr_cases[] = {
	{ "valid", ATTR_CASE_NONE, 0, 0, 1, NULL },
	{ "life 0", ISAKMP_P2_LIFE_DURATION, 0, 0, 0,
	    "allows but is not acceptable: SA-Life-Duration 0 (must not be "
	    "0); change that attribute" },
	{ "life type 9", ISAKMP_P2_LIFE_TYPE, 9, 0, 0,
	    "allows but is not acceptable: SA-Life-Type 9 (unknown life "
	    "type); change that attribute" },
	{ "no life type", ISAKMP_P2_LIFE_TYPE, 0, 1, 0,
	    "allows but is not acceptable: SA-Life-Duration 3600 (no Life "
	    "Type before it); change" },
	/* AES needs a key length, so the algorithms do not match. */
	{ "key length 0", ISAKMP_P2_KEY_LENGTH, 0, 0, 0,
	    "the peer offered IPSEC_ESP ESP_AES auth HMAC-SHA2-256, Tunnel, "
	    "no PFS [not acceptable: Key-Length 0 (must not be 0)]" },
};

/*
 * Quick Mode: a responder rejects an ESP transform with an invalid
 * attribute value, and an initiator rejects it in QM2.
 */
static void
p2_invalid_attrs_rejected(void **state)
{
	const struct config_spd	*spd;
	struct isakmp_builder	 b;
	struct isakmp_msg	 msg;
	struct isakmp_error	 err;
	struct isakmp_hdr	 h;
	struct wbuf		 wb, out;
	struct ike_qm		 qm;
	struct net		*n = net_new(&conf_a, &conf_b, 0);
	char			 path[256];
	size_t			 k;
	int			 side, saved;

	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	for (k = 0; k < sizeof(p2_attr_cases) / sizeof(p2_attr_cases[0]);
	    k++) {
		const struct attr_case *c = &p2_attr_cases[k];

		print_message("case %s\n", c->name);
		memset(&h, 0, sizeof(h));
		h.h_major = ISAKMP_VERSION_MAJOR;
		h.h_exchange = ISAKMP_EX_QUICK;
		wbuf_init(&wb, 0);
		isakmp_build_init(&b, &wb, &h);
		build_p2_sa_case(&b, c);
		assert_int_equal(isakmp_build_finish(&b), 0);
		assert_int_equal(isakmp_msg_parse(wb.wb_data, wb.wb_len, &msg,
		    &err), 0);
		for (side = 0; side < 2; side++) {
			memset(&qm, 0, sizeof(qm));
			qm.qm_p1 = TAILQ_FIRST(&n->s[side].eng->e_p1s);
			qm.qm_tunnel = 1;
			qm.qm_spi_in = 0x1000;
			spd = &n->s[side].eng->e_cfg->cf_spds[0];
			wbuf_init(&out, 0);
			isakmp_build_init_body(&b, &out);
			saved = qm_log_begin(n, path, sizeof(path));
			if (side == 1)
				assert_int_equal(ike_prop_p2_select(&qm, spd,
				    &msg.m_payloads[0].pl_u.sa, &b) == 0,
				    c->ok);
			else
				assert_int_equal(ike_prop_p2_accept(&qm,
				    &msg.m_payloads[0].pl_u.sa) == 0, c->ok);
			if (c->reason != NULL)
				assert_int_equal(qm_log_end(saved, path,
				    "no acceptable Quick Mode proposal",
				    c->reason), 1);
			else
				(void)qm_log_end(saved, path, "", "");
			if (c->ok) {
				assert_int_equal(qm.qm_keybits, 128);
				assert_int_equal(qm.qm_life_secs, 3600);
			}
			wbuf_free(&out);
		}
		isakmp_msg_free(&msg);
		wbuf_free(&wb);
	}
	net_free(n);
}

static void
mutated_messages_change_nothing(void **state)
{
	struct net		*n = net_new(&conf_a, &conf_b, 0);
	struct ike_packet	 in;
	uint8_t			 buf[4096];
	uint32_t		 seed = 12345;
	size_t			 i, nlog, k, j;

	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	/*
	 * Every message of the exchange, with 1 to 4 bytes changed, 64
	 * times each.  Nothing may crash and the SAs must stay.
	 */
	nlog = n->nlog;
	n->drop_all[0] = n->drop_all[1] = 1;
	for (i = 0; i < nlog; i++) {
		struct pkt *p = &n->log[i];

		assert_true(p->len <= sizeof(buf));
		for (k = 0; k < 64; k++) {
			memcpy(buf, p->data, p->len);
			for (j = 0; j <= k % 4; j++) {
				seed = seed * 1103515245 + 12345;
				buf[(seed >> 8) % p->len] ^= (uint8_t)(seed >>
				    24 | 1);
			}
			memset(&in, 0, sizeof(in));
			net_translate(n, p, &in);
			in.pk_data = buf;
			in.pk_len = p->len - (k % 8 == 7 ? (seed >> 4) %
			    p->len : 0);
			ike_engine_input(n->s[1 - p->from].eng, &in, n->now);
		}
	}
	check_sa_pairs(n, 1);
	assert_int_equal(p1_count(n->s[0].eng), 1);
	assert_int_equal(p1_count(n->s[1].eng), 1);
	net_free(n);
}

static int
p1_info_copy(void *arg, const struct ike_p1_info *pi)
{
	*(struct ike_p1_info *)arg = *pi;
	return (1);
}

static void
p1_info_reports_sa(void **state)
{
	struct net		*n = net_new(&conf_a, &conf_b, 0);
	struct ike_p1_info	 pi;

	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	memset(&pi, 0, sizeof(pi));
	ike_engine_foreach_p1(n->s[1].eng, p1_info_copy, &pi);
	assert_string_equal(pi.pi_state, "ACTIVE");
	assert_string_equal(pi.pi_label, "to-peer");
	assert_int_equal(pi.pi_initiator, 0);
	assert_int_equal(pi.pi_encr, 7);
	assert_int_equal(pi.pi_keybits, 128);
	assert_int_equal(pi.pi_hash, 2);
	assert_int_equal(pi.pi_auth, 1);
	assert_int_equal(pi.pi_group, 14);
	assert_int_equal(pi.pi_life_secs, 28800);
	assert_int_equal(pi.pi_life_kb, 0);
	/* MM5, MM6 and the three Quick Mode messages at least. */
	assert_true(pi.pi_bytes >= 5 * 16);
	assert_int_equal(pi.pi_peer_dpd, 1);
	assert_int_equal(pi.pi_natt, 0);
	assert_int_equal(pi.pi_qm_created, 1);
	assert_true(ss_is(&pi.pi_remote, "198.51.100.1"));
	net_free(n);
}

static void
initial_contact_clears_stale(void **state)
{
	struct net		*n = net_new(&conf_a, &conf_b, 0);
	struct kernel		*old_kern;
	size_t			 k;

	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	/* Side 0 restarts and forgets everything, without Deletes. */
	ike_engine_free(n->s[0].eng);
	old_kern = n->s[0].kern;
	assert_int_equal(kernel_open(&n->s[0].kern, KERNEL_BACKEND_NONE,
	    NULL, &test_kernel_cb, &n->s[0], NULL), 0);
	for (k = 0; k < 64; k++) {
		uint32_t spi;

		assert_int_equal(kernel_get_spi(n->s[0].kern, NULL, NULL,
		    KERNEL_PROTO_ESP, 0, &spi), 0);
	}
	kernel_close(old_kern);
	n->s[0].eng = ike_engine_new(&test_host, &n->s[0], n->s[0].kern);
	assert_non_null(n->s[0].eng);
	assert_int_equal(ike_engine_set_config(n->s[0].eng,
	    make_config(n, 0, &conf_a), n->now), 0);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	net_run(n, 200);
	/* Side 1 dropped the old ISAKMP SA and the old IPsec SAs. */
	check_sa_pairs(n, 1);
	assert_int_equal(p1_entries(n->s[1].eng), 1);
	assert_int_equal(ike_engine_child_count(n->s[1].eng), 1);
	net_free(n);
}

static void
quick_mode_from_p1_responder(void **state)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	struct net		*n;
	struct kernel_acquire	 acq;
	struct ike_stats	 st;

	a.two_policies = b.two_policies = 1;
	n = net_new(&a, &b, 0);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 2);
	/* The Phase 1 responder starts a Quick Mode over the same SA. */
	memset(&acq, 0, sizeof(acq));
	ss_set(&acq.acq_packet.sel_src, "203.0.113.200", 0);
	ss_set(&acq.acq_packet.sel_dst, "192.0.2.200", 0);
	acq.acq_packet.sel_src_prefix = 32;
	acq.acq_packet.sel_dst_prefix = 32;
	acq.acq_packet.sel_proto = 6;
	acq.acq_policy = acq.acq_packet;
	ss_set(&acq.acq_src, "198.51.100.2", 0);
	ss_set(&acq.acq_dst, "198.51.100.1", 0);
	ike_engine_acquire(n->s[1].eng, &acq, n->now);
	net_pump(n);
	/* It replaces the pair of that entry: both exist for a while. */
	net_run(n, 1500);
	check_sa_pairs(n, 3);
	ike_engine_get_stats(n->s[1].eng, &st);
	assert_int_equal(st.st_p1_attempt_init, 0);
	assert_int_equal(st.st_p1_current_resp, 1);
	net_free(n);
}

/* Deliver a copy of logged datagram p to the other side, as sent. */
static void
deliver_copy(struct net *n, const struct pkt *p, const uint8_t *data,
    size_t len)
{
	struct ike_packet	 in;
	struct pkt		 q = *p;

	memset(&in, 0, sizeof(in));
	net_translate(n, &q, &in);
	in.pk_data = data;
	in.pk_len = len;
	ike_engine_input(n->s[1 - p->from].eng, &in, n->now);
}

/* The nth (0-based) logged Quick Mode message from side `from'. */
static const struct pkt *
logged_qm(const struct net *n, int from, int nth)
{
	size_t	i;

	for (i = 0; i < n->nlog; i++) {
		if (n->log[i].from != from || n->log[i].len < 28 ||
		    n->log[i].data[18] != ISAKMP_EX_QUICK)
			continue;
		if (nth-- == 0)
			return (&n->log[i]);
	}
	return (NULL);
}

/*
 * A copy of a finished Quick Mode's QM1, sent again from another NAT
 * port long after the exchange, is a replay: its Message ID stays used
 * for the life of the ISAKMP SA, so it gets no answer and does not move
 * the peer's address (RFC 3947 section 5.2.2).
 */
static void
replayed_qm1_moves_nothing(void **state)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	const struct pkt	*qm1;
	struct net		*n;
	unsigned int		 sent;
	size_t			 k;

	a.local = "192.0.2.10";
	a.inner_l = "192.0.2.128/25";
	b.remote = NAT_PUBLIC;
	b.inner_r = "192.0.2.128/25";
	n = net_new(&a, &b, 1);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	qm1 = logged_qm(n, 0, 0);
	assert_non_null(qm1);
	/* Long after the responder stopped keeping the exchange. */
	net_run(n, IKE_QM_LINGER_MS + 5000);
	n->nat_port4500 = 45000;
	sent = n->s[1].sent;
	deliver_copy(n, qm1, qm1->data, qm1->len);
	net_pump(n);
	assert_int_equal(n->s[1].sent, sent);
	check_sa_pairs(n, 1);
	for (k = 0; k < sa_count(&n->s[1]); k++) {
		const struct kernel_sa *sa = kernel_none_sa_at(n->s[1].kern, k);

		if (sa->sa_dir == KERNEL_DIR_OUT)
			assert_int_equal(ss_port(&sa->sa_id.id_dst),
			    NAT_PORT_4500);
	}
	net_free(n);
}

/* Whether the last datagram side `from' sent is a copy of p. */
static int
last_sent_is(const struct net *n, int from, const struct pkt *p)
{
	const struct pkt	*last;

	if (n->nlog == 0)
		return (0);
	last = &n->log[n->nlog - 1];
	return (last->from == from && last->len == p->len &&
	    memcmp(last->data, p->data, p->len) == 0);
}

/*
 * A finished Quick Mode lingers as its last message only: a repeated QM1
 * gets the stored QM2 and a repeated QM2 the stored QM3, an altered
 * repeat gets nothing, and the record goes after IKE_QM_LINGER_MS.
 */
static void
finished_qm_answers_repeat(void **state)
{
	struct net		*n = net_new(&conf_a, &conf_b, 0);
	const struct pkt	*qm1, *qm2, *qm3;
	struct ike_p1		*p1r, *p1i;
	uint8_t			 altered[2048];
	unsigned int		 sent;

	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	qm1 = logged_qm(n, 0, 0);
	qm2 = logged_qm(n, 1, 0);
	qm3 = logged_qm(n, 0, 1);
	assert_non_null(qm1);
	assert_non_null(qm2);
	assert_non_null(qm3);
	p1i = TAILQ_FIRST(&n->s[0].eng->e_p1s);
	p1r = TAILQ_FIRST(&n->s[1].eng->e_p1s);
	assert_null(TAILQ_FIRST(&p1r->p1_qms));
	assert_non_null(TAILQ_FIRST(&p1r->p1_qm_done));
	assert_null(TAILQ_FIRST(&p1i->p1_qms));
	assert_non_null(TAILQ_FIRST(&p1i->p1_qm_done));

	sent = n->s[1].sent;
	deliver_copy(n, qm1, qm1->data, qm1->len);
	assert_int_equal(n->s[1].sent, sent + 1);
	assert_true(last_sent_is(n, 1, qm2));

	sent = n->s[0].sent;
	deliver_copy(n, qm2, qm2->data, qm2->len);
	assert_int_equal(n->s[0].sent, sent + 1);
	assert_true(last_sent_is(n, 0, qm3));
	net_pump(n);
	check_sa_pairs(n, 1);

	assert_true(qm1->len <= sizeof(altered));
	memcpy(altered, qm1->data, qm1->len);
	altered[qm1->len - 1] ^= 0x01;
	sent = n->s[1].sent;
	deliver_copy(n, qm1, altered, qm1->len);
	assert_int_equal(n->s[1].sent, sent);

	net_run(n, IKE_QM_LINGER_MS + 1000);
	assert_null(TAILQ_FIRST(&p1r->p1_qm_done));
	assert_null(TAILQ_FIRST(&p1i->p1_qm_done));
	sent = n->s[1].sent;
	deliver_copy(n, qm1, qm1->data, qm1->len);
	assert_int_equal(n->s[1].sent, sent);
	check_sa_pairs(n, 1);
	net_free(n);
}

/*
 * Forged messages with the Message ID of a running Quick Mode (altered
 * copies of the real QM3) neither end the exchange nor advance its IV:
 * the real QM3 that follows still completes it.
 */
static void
forged_qm3_keeps_exchange(void **state)
{
	struct net		*n = net_new(&conf_a, &conf_b, 0);
	const struct pkt	*qm3;
	struct ike_p1_info	 pi;
	uint8_t			 forged[2048];
	size_t			 at[] = { 0, 1, 2 };
	size_t			 i;

	/* Side 0 sends MM1, MM3, MM5, QM1 and QM3: QM3 is lost. */
	n->drop_nth[0] = 5;
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	assert_int_equal(sa_count(&n->s[1]), 0);
	qm3 = logged_qm(n, 0, 1);
	assert_non_null(qm3);
	assert_true(qm3->len <= sizeof(forged));
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		memcpy(forged, qm3->data, qm3->len);
		if (at[i] == 0)
			forged[qm3->len - 1] ^= 0x01;	/* last block */
		else if (at[i] == 1)
			forged[28] ^= 0x80;		/* first block */
		else
			memset(forged + 28, 0x5a, qm3->len - 28);
		deliver_copy(n, qm3, forged, qm3->len);
		assert_int_equal(sa_count(&n->s[1]), 0);
	}
	deliver_copy(n, qm3, qm3->data, qm3->len);
	check_sa_pairs(n, 1);

	/* ikeadm dump p1 counts each forgery as a decryption or hash error. */
	memset(&pi, 0, sizeof(pi));
	ike_engine_foreach_p1(n->s[1].eng, p1_info_copy, &pi);
	assert_int_equal(pi.pi_rx_decrypt_errs + pi.pi_rx_hash_errs, 3);
	memset(&pi, 0, sizeof(pi));
	ike_engine_foreach_p1(n->s[0].eng, p1_info_copy, &pi);
	assert_int_equal(pi.pi_rx_decrypt_errs, 0);
	assert_int_equal(pi.pi_rx_hash_errs, 0);
	net_free(n);
}

/* Open Quick Modes of the first ISAKMP SA of eng. */
static size_t
open_qms(struct ike_engine *eng)
{
	struct ike_p1	*p1 = TAILQ_FIRST(&eng->e_p1s);
	struct ike_qm	*qm;
	size_t		 k = 0;

	assert_non_null(p1);
	TAILQ_FOREACH(qm, &p1->p1_qms, qm_entry)
		if (qm->qm_state != IKE_QM_DONE)
			k++;
	return (k);
}

/*
 * A peer that opens many Quick Modes at once gets IKE_QM_OPEN_MAX of
 * them; they end when the exchanges time out.
 */
static void
open_quick_modes_bounded(void **state)
{
	struct net	*n = net_new(&conf_a, &conf_b, 0);
	struct ike_p1	*p1;
	int		 i;

	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	p1 = TAILQ_FIRST(&n->s[0].eng->e_p1s);
	assert_non_null(p1);
	/* Side 1's QM2s are lost, so every exchange stays open there. */
	n->drop_all[1] = 1;
	for (i = 0; i < 3 * IKE_QM_OPEN_MAX; i++)
		assert_int_equal(ike_qm_initiate(p1, 0), 0);
	net_pump(n);
	assert_int_equal(open_qms(n->s[1].eng), IKE_QM_OPEN_MAX);
	/* retry_limit 3, so both sides give up within 6 s. */
	net_run(n, 8000);
	assert_int_equal(open_qms(n->s[1].eng), 0);
	assert_int_equal(open_qms(n->s[0].eng), 0);
	check_sa_pairs(n, 1);
	net_free(n);
}

/* Responder PFS policy: exactly p2_pfs, or none weaker than Phase 1. */
static void
pfs_group_enforced(void **state)
{
	static const struct {
		int	init_pfs, resp_pfs;
		size_t	pairs;
	} cases[] = {
		{ 5, 14, 0 },	/* weaker than required */
		{ 0, 14, 0 },	/* none although required */
		{ 15, 14, 0 },	/* stronger, but not the configured one */
		{ 14, 14, 1 },
		{ 2, 0, 0 },	/* weaker than the Phase 1 group 14 */
		{ 15, 0, 1 },
		{ 0, 0, 1 },
	};
	struct peer_conf	 a = conf_a, b = conf_b;
	struct net		*n;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a.pfs = cases[i].init_pfs;
		b.pfs = cases[i].resp_pfs;
		n = net_new(&a, &b, 0);
		assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer",
		    n->now), 0);
		net_pump(n);
		assert_int_equal(p1_count(n->s[1].eng), 1);
		if (cases[i].pairs == 0) {
			assert_int_equal(sa_count(&n->s[0]), 0);
			assert_int_equal(sa_count(&n->s[1]), 0);
		} else
			check_sa_pairs(n, cases[i].pairs);
		net_free(n);
	}
}

/* RFC 2408 2.5.3: an MM1 with an all-zero initiator cookie is dropped. */
static void
zero_initiator_cookie_dropped(void **state)
{
	struct net	*n = net_new(&conf_a, &conf_b, 0);
	struct pkt	*p;

	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	assert_int_equal(n->nq, 1);
	p = &n->q[0];
	memset(p->data, 0, ISAKMP_COOKIE_LEN);
	deliver_copy(n, p, p->data, p->len);
	assert_int_equal(p1_entries(n->s[1].eng), 0);
	assert_int_equal(n->s[1].sent, 0);
	net_free(n);
}

/*
 * An R-U-THERE replayed after many later Informationals still gets no
 * answer: Message IDs stay used for the life of the ISAKMP SA.
 */
static void
old_informational_replay_dropped(void **state)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	const struct pkt	*first = NULL;
	struct net		*n;
	unsigned int		 sent, probes = 0;
	size_t			 i;

	a.globals = b.globals = "dpd_interval 2\ndpd_retries 5";
	n = net_new(&a, &b, 0);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	net_run(n, 90000);
	for (i = 0; i < n->nlog; i++) {
		if (n->log[i].from != 0 || n->log[i].len < 28 ||
		    n->log[i].data[18] != ISAKMP_EX_INFO)
			continue;
		if (first == NULL)
			first = &n->log[i];
		probes++;
	}
	assert_non_null(first);
	/* More than any short window of recent IDs would keep. */
	assert_true(probes > 40);
	sent = n->s[1].sent;
	deliver_copy(n, first, first->data, first->len);
	assert_int_equal(n->s[1].sent, sent);
	check_sa_pairs(n, 1);
	net_free(n);
}

/* Deliver a copy of datagram p to side 1 with its first cookie byte set. */
static void
deliver_mm1_copy(struct net *n, struct pkt *p, uint8_t cookie)
{
	struct ike_packet	 in;
	uint8_t			*data = malloc(p->len);

	assert_non_null(data);
	memcpy(data, p->data, p->len);
	data[0] = cookie;
	memset(&in, 0, sizeof(in));
	net_translate(n, p, &in);
	in.pk_data = data;
	in.pk_len = p->len;
	ike_engine_input(n->s[1].eng, &in, n->now);
	free(data);
}

/*
 * max_half_open bounds the unfinished responder exchanges.  Beyond it a
 * new MM1 gets no answer and no entry, a repeated MM1 still gets its
 * stored MM2, and entries that time out make room again.
 */
static void
half_open_limit_enforced(void **state)
{
	struct peer_conf	 b = conf_b;
	struct net		*n;
	struct pkt		 mm1;
	unsigned int		 sent;
	int			 i;

	b.globals = "max_half_open 3";
	n = net_new(&conf_a, &b, 0);
	n->drop_all[0] = 1;
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	assert_int_equal(n->nlog, 1);
	mm1 = n->log[0];
	for (i = 1; i <= 5; i++)
		deliver_mm1_copy(n, &mm1, (uint8_t)i);
	assert_int_equal(n->s[1].eng->e_half_open, 3);
	assert_int_equal(p1_entries(n->s[1].eng), 3);
	assert_int_equal(n->s[1].sent, 3);

	sent = n->s[1].sent;
	deliver_mm1_copy(n, &mm1, 2);
	assert_int_equal(p1_entries(n->s[1].eng), 3);
	assert_int_equal(n->s[1].sent, sent + 1);

	/* retry_limit 3 from 0.5 s doubling to 2 s: gone after 6 s. */
	n->drop_all[1] = 1;
	net_run(n, 8000);
	assert_int_equal(n->s[1].eng->e_half_open, 0);
	n->drop_all[1] = 0;
	sent = n->s[1].sent;
	deliver_mm1_copy(n, &mm1, 9);
	assert_int_equal(n->s[1].eng->e_half_open, 1);
	assert_int_equal(n->s[1].sent, sent + 1);
	net_free(n);
}

/* Outbound SAs of one side. */
static size_t
out_sa_count(const struct side *s)
{
	size_t	k, nout = 0;

	for (k = 0; k < sa_count(s); k++)
		if (kernel_none_sa_at(s->kern, k)->sa_dir == KERNEL_DIR_OUT)
			nout++;
	return (nout);
}

/* The soft traffic limit leaves a margin below the hard one. */
static void
kbyte_soft_limit_margin(void **state)
{
	static const struct {
		const char	*globals;
		uint64_t	 soft;
	} cases[] = {
		{ "p2_lifetime_kb 300", 73 },
		{ "p2_lifetime_kb 4000", 2882 },
		{ "p2_lifetime_kb 100000", 87890 },
		{ "p2_lifetime_kb 4000\np2_softlife_kb 3900", 3900 },
	};
	struct peer_conf	 a = conf_a, b = conf_b;
	const struct kernel_sa	*sa;
	struct net		*n;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a.globals = b.globals = cases[i].globals;
		n = net_new(&a, &b, 0);
		assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer",
		    n->now), 0);
		net_pump(n);
		sa = first_sa(&n->s[0], KERNEL_DIR_OUT);
		assert_non_null(sa);
		assert_int_equal(sa->sa_lifetime.lt_soft_kbytes,
		    cases[i].soft);
		net_free(n);
	}
}

/*
 * A replaced pair that reaches its hard limit before the new outbound SA
 * was due hands over at once instead of leaving no outbound SA.
 */
static void
hard_expiry_before_switch(void **state)
{
	static const enum kernel_expire_reason reasons[] = {
		KERNEL_EXPIRE_SECONDS, KERNEL_EXPIRE_KBYTES,
	};
	struct peer_conf	 a = conf_a, b = conf_b;
	struct net		*n;
	struct kernel_sa_id	 old;
	size_t			 i;

	a.globals = b.globals = "p2_lifetime_kb 300";
	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		n = net_new(&a, &b, 0);
		assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer",
		    n->now), 0);
		net_pump(n);
		old = first_sa(&n->s[0], KERNEL_DIR_OUT)->sa_id;
		assert_int_equal(kernel_none_expire(n->s[0].kern, &old, 0,
		    reasons[i]), 0);
		net_pump(n);
		/* The switch waits IKE_REKEY_SWITCH_MS for QM3 to arrive. */
		assert_int_equal(out_sa_count(&n->s[0]), 1);
		assert_int_equal(first_sa(&n->s[0],
		    KERNEL_DIR_OUT)->sa_id.id_spi, old.id_spi);
		assert_int_equal(kernel_none_expire(n->s[0].kern, &old, 1,
		    reasons[i]), 0);
		net_pump(n);
		assert_int_equal(out_sa_count(&n->s[0]), 1);
		assert_int_not_equal(first_sa(&n->s[0],
		    KERNEL_DIR_OUT)->sa_id.id_spi, old.id_spi);
		check_outbound_valid(n);
		net_free(n);
	}
}

/* Send stderr to a file of the test's folder; returns the saved fd. */
static int
qm_log_begin(struct net *n, char *path, size_t len)
{
	int	saved;

	snprintf(path, len, "%s/stderr", n->dir);
	fflush(stderr);
	saved = dup(2);
	assert_non_null(freopen(path, "w", stderr));
	return (saved);
}

/* Restore stderr; count the lines of the file with both strings. */
static int
qm_log_end(int saved, const char *path, const char *s1, const char *s2)
{
	char	 line[2048];
	FILE	*f;
	int	 found = 0;

	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		fputs(line, stderr);
		if (strstr(line, s1) != NULL && strstr(line, s2) != NULL)
			found++;
	}
	fclose(f);
	return (found);
}

/*
 * The responder requires PFS group 2, the initiator proposes group 14.
 * The responder's NO-PROPOSAL-CHOSEN ends the initiator's Quick Mode at
 * once with a log line naming the group, and no new Quick Mode for the
 * policy starts before the back-off, which doubles after each rejection.
 */
static void
qm_rejected_backs_off(void **state)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	struct net		*n;
	char			 path[256];
	unsigned int		 sent;
	int			 saved;

	a.pfs = 14;
	b.pfs = 2;
	/* No R-U-THERE before the Quick Mode 31 s later. */
	a.globals = "dpd_interval 60";
	n = net_new(&a, &b, 0);
	saved = qm_log_begin(n, path, sizeof(path));
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	assert_int_equal(p1_count(n->s[0].eng), 1);
	assert_int_equal(open_qms(n->s[0].eng), 0);
	assert_int_equal(sa_count(&n->s[0]), 0);
	assert_int_equal(n->s[0].eng->e_nbackoff, 1);

	/* No retransmission of QM1: the exchange is over. */
	sent = n->s[0].sent;
	net_run(n, 5000);
	assert_int_equal(n->s[0].sent, sent);

	/* A new request within the back-off starts nothing. */
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	assert_int_equal(n->s[0].sent, sent);
	assert_int_equal(open_qms(n->s[0].eng), 0);

	/* After 30 s the next one goes out and is rejected again. */
	net_run(n, 26000);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	assert_int_equal(n->s[0].sent, sent + 1);
	assert_int_equal(open_qms(n->s[0].eng), 0);
	assert_int_equal(qm_log_end(saved, path, "rejected Quick Mode",
	    "with PFS group 14; check that the peer's ESP proposal has this "
	    "Diffie-Hellman group"), 2);
	n->s[0].eng->e_now = n->now;
	assert_true(ike_qm_backoff_left(n->s[0].eng, 0,
	    &TAILQ_FIRST(&n->s[0].eng->e_p1s)->p1_remote) > 30000);
	net_free(n);
}

/*
 * The responder has no policy for the initiator's traffic: its
 * INVALID-ID-INFORMATION ends the Quick Mode with a line that names the
 * traffic selectors.
 */
static void
qm_invalid_id_ends_exchange(void **state)
{
	struct peer_conf	 b = conf_b;
	struct net		*n;
	char			 path[256];
	unsigned int		 sent;
	int			 saved;

	b.inner_l = "203.0.113.128/25";
	n = net_new(&conf_a, &b, 0);
	saved = qm_log_begin(n, path, sizeof(path));
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	sent = n->s[0].sent;
	net_run(n, 3000);
	assert_int_equal(qm_log_end(saved, path, "rejected Quick Mode",
	    "INVALID-ID-INFORMATION: our proposal for the policy at"), 1);
	assert_int_equal(n->s[0].sent, sent);
	assert_int_equal(open_qms(n->s[0].eng), 0);
	assert_int_equal(n->s[0].eng->e_nbackoff, 1);
	assert_int_equal(sa_count(&n->s[0]), 0);
	net_free(n);
}

/*
 * Two Quick Modes at once, and the responder rejects the first: its
 * Notify carries the initiator's SPI, so that exactly that one ends and
 * the other completes.
 */
static void
qm_notify_spi_selects_exchange(void **state)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	struct net		*n;
	char			 path[256];
	int			 saved;

	a.two_policies = b.two_policies = 1;
	b.esp = "encr_algs 3des encr_auth_algs md5";
	n = net_new(&a, &b, 0);
	saved = qm_log_begin(n, path, sizeof(path));
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	assert_int_equal(qm_log_end(saved, path, "rejected Quick Mode",
	    "NO-PROPOSAL-CHOSEN"), 1);
	check_sa_pairs(n, 1);
	assert_int_equal(open_qms(n->s[0].eng), 0);
	assert_int_equal(n->s[0].eng->e_nbackoff, 1);
	net_free(n);
}

/*
 * A Quick Mode that succeeds resets the back-off of its policy entry,
 * and a reload forgets every back-off.
 */
static void
qm_backoff_reset(void **state)
{
	struct peer_conf	 a = conf_a, b = conf_b;
	struct net		*n;
	char			 path[256];
	int			 saved;

	a.pfs = 14;
	b.pfs = 2;
	/* No R-U-THERE before the Quick Mode 31 s later. */
	a.globals = "dpd_interval 60";
	n = net_new(&a, &b, 0);
	saved = qm_log_begin(n, path, sizeof(path));
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	(void)qm_log_end(saved, path, "", "");
	assert_int_equal(n->s[0].eng->e_nbackoff, 1);
	/* The responder now agrees; a reload clears the back-off. */
	b.pfs = 14;
	assert_int_equal(ike_engine_set_config(n->s[1].eng,
	    make_config(n, 1, &b), n->now), 0);
	assert_int_equal(ike_engine_set_config(n->s[0].eng,
	    make_config(n, 0, &a), n->now), 0);
	assert_int_equal(n->s[0].eng->e_nbackoff, 0);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	net_pump(n);
	check_sa_pairs(n, 1);
	assert_int_equal(n->s[0].eng->e_nbackoff, 0);
	net_free(n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mm_qm_from_initiator),
		cmocka_unit_test(mm_qm_from_responder_pfs),
		cmocka_unit_test(mm_qm_algorithms),
		cmocka_unit_test(mm_qm_curve25519),
		cmocka_unit_test(mm_qm_aes_gcm),
		cmocka_unit_test(mm_qm_aes_gcm_icv_mismatch),
		cmocka_unit_test(mm_qm_nat_traversal),
		cmocka_unit_test(nat_mapping_change_followed),
		cmocka_unit_test(wrong_psk_no_sa),
		cmocka_unit_test(rejected_mm5_notify_encrypted),
		cmocka_unit_test(notify_before_mm5_ends_exchange),
		cmocka_unit_test(no_common_proposal),
		cmocka_unit_test(no_common_esp_proposal),
		cmocka_unit_test(retransmit_lost_message),
		cmocka_unit_test(duplicate_request_gets_stored_reply),
		cmocka_unit_test(peer_never_answers),
		cmocka_unit_test(several_quick_modes),
		cmocka_unit_test(quick_mode_from_p1_responder),
		cmocka_unit_test(delete_removes_sas),
		cmocka_unit_test(forged_delete_ignored),
		cmocka_unit_test(auth_notify_deletes_p1),
		cmocka_unit_test(clear_auth_notify_ignored),
		cmocka_unit_test(garbage_input_dropped),
		cmocka_unit_test(keylog_writes_tables),
		cmocka_unit_test(keylog_refuses_planted_files),
		cmocka_unit_test(nat_responder_renewal_notice),
		cmocka_unit_test(transport_mode_behind_nat),
		cmocka_unit_test(rekey_by_initiator_no_gap),
		cmocka_unit_test(rekey_by_responder_no_gap),
		cmocka_unit_test(pfs_rekey_fresh_dh),
		cmocka_unit_test(rekey_retried_after_timeout),
		cmocka_unit_test(responder_soft_lifetime_later),
		cmocka_unit_test(idle_expiry_deletes),
		cmocka_unit_test(kbyte_limits_rekey_and_delete),
		cmocka_unit_test(p1_rekey_keeps_ipsec_sas),
		cmocka_unit_test(p1_short_life_renewed_early),
		cmocka_unit_test(p1_not_renewed_without_sas),
		cmocka_unit_test(renewal_quick_mode_waits),
		cmocka_unit_test(renewal_failed_quick_mode_runs),
		cmocka_unit_test(peer_renewal_quick_mode_waits),
		cmocka_unit_test(dpd_answered_keeps_sas),
		cmocka_unit_test(dpd_silent_peer_cleared),
		cmocka_unit_test(dpd_off_sends_no_probe),
		cmocka_unit_test(dpd_ack_checked),
		cmocka_unit_test(dead_p1_found_by_qm_timeout),
		cmocka_unit_test(dead_p1_found_by_dpd_after_qm),
		cmocka_unit_test(silent_p1_probed_before_qm),
		cmocka_unit_test(silent_p1_alive_keeps_p1),
		cmocka_unit_test(delete_from_responder),
		cmocka_unit_test(admin_delete_p1),
		cmocka_unit_test(informational_replay_dropped),
		cmocka_unit_test(reload_adding_rule_keeps_sas),
		cmocka_unit_test(reload_moved_entry_deletes),
		cmocka_unit_test(reload_changed_psk_deletes_p1),
		cmocka_unit_test(reload_changed_method_deletes_p1),
		cmocka_unit_test(reload_same_auth_keeps_p1),
		cmocka_unit_test(reload_during_mm_keeps_qm),
		cmocka_unit_test(reload_during_mm_drops_changed_qm),
		cmocka_unit_test(responder_lifetime_shortens),
		cmocka_unit_test(acquire_starts_negotiation),
		cmocka_unit_test(reload_without_rule_deletes),
		cmocka_unit_test(quick_mode_retransmits),
		cmocka_unit_test(half_open_bounded),
		cmocka_unit_test(unexpected_payload_rejected),
		cmocka_unit_test(p1_invalid_attrs_rejected),
		cmocka_unit_test(p2_invalid_attrs_rejected),
		cmocka_unit_test(mutated_messages_change_nothing),
		cmocka_unit_test(p1_info_reports_sa),
		cmocka_unit_test(initial_contact_clears_stale),
		cmocka_unit_test(replayed_qm1_moves_nothing),
		cmocka_unit_test(finished_qm_answers_repeat),
		cmocka_unit_test(forged_qm3_keeps_exchange),
		cmocka_unit_test(open_quick_modes_bounded),
		cmocka_unit_test(pfs_group_enforced),
		cmocka_unit_test(zero_initiator_cookie_dropped),
		cmocka_unit_test(old_informational_replay_dropped),
		cmocka_unit_test(half_open_limit_enforced),
		cmocka_unit_test(qm_rejected_backs_off),
		cmocka_unit_test(qm_backoff_reset),
		cmocka_unit_test(qm_invalid_id_ends_exchange),
		cmocka_unit_test(qm_notify_spi_selects_exchange),
		cmocka_unit_test(kbyte_soft_limit_margin),
		cmocka_unit_test(hard_expiry_before_switch),
	};
	int	 rc;

	log_init("test_engine", LOG_DEST_STDERR);
	/*
	 * With IKED_TEST_DH_THREADS set, Diffie-Hellman runs in that many
	 * threads, as in the daemon on a machine with several cores.
	 */
	if (getenv("IKED_TEST_DH_THREADS") != NULL &&
	    dh_pool_start((unsigned int)atoi(getenv("IKED_TEST_DH_THREADS")))
	    != 0)
		return (1);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	/* Stop the threads before exit() frees what OpenSSL shares. */
	crypto_shutdown();
	return (rc);
}
