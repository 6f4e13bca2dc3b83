/*
 * Main Mode with certificates between two IKE engines through memory:
 * RSA, DSS and ECDSA signatures both ways, self-signed certificates
 * named by cert_trust, a CA chain with an intermediate under cert_root,
 * and the rejections (revoked, expired, identity not in the certificate,
 * remote_id exclusion, a key that does not belong to its certificate).
 * Keys and certificates are made while the test runs.
 */
#include <sys/stat.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "certtest.h"
#include "config/config.h"
#include "config/diag.h"
#include "crypto/cipher.h"
#include "crypto/x509/certgen.h"
#include "crypto/rand.h"
#include "crypto/x509/certstore.h"
#include "crypto/x509/rsaenc.h"
#include "ike/ike.h"
#include "isakmp/msg.h"
#include "kernel/kernel.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/wbuf.h"

#define NPKT_MAX	64

static const char *const addr[2] = { "198.51.100.1", "198.51.100.2" };
static const char *const inner[2] = { "192.0.2.0/24", "203.0.113.0/24" };

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
	struct certstore	*cs;
	char			 root[200];
};

struct net {
	struct side	 s[2];
	struct pkt	 q[NPKT_MAX];
	size_t		 nq;
	struct pkt	 log[NPKT_MAX];
	size_t		 nlog;
	uint64_t	 now;
	/* Rewrite the first encrypted message from this side (or -1). */
	int		 tamper_from;
	uint8_t		 tamper_payload;	/* ISAKMP_PL_ID or _SIG */
	/* Both engines log into this file while the net exists. */
	char		 logpath[256];
	int		 saved_stderr;
};

/* What one side runs: its ike.config text and its certificate files. */
struct side_conf {
	const char	*globals;	/* cert_root, cert_trust... */
	const char	*xform;		/* p1_xform body */
	const char	*rule;		/* local_id_type, local_id, remote_id */
	const char	*pre_rule;	/* a rule before ours, or NULL */
};

/* The folder of this run, and the test PKI (made once). */
static char	test_dir[64];
static char	pki_dir[128];

static const char *
test_pki(void)
{
	if (pki_dir[0] == '\0')
		snprintf(pki_dir, sizeof(pki_dir), "%s", certtest_make_pki());
	return (pki_dir);
}

static int
host_send(void *arg, const struct ike_packet *pk)
{
	struct side	*s = arg;
	struct net	*n = s->net;
	struct pkt	*p;
	int		 i;

	for (i = 0; i < 2; i++) {
		if (i == 0 && n->nlog >= NPKT_MAX)
			continue;
		if (i == 1)
			assert_true(n->nq < NPKT_MAX);
		p = i == 0 ? &n->log[n->nlog++] : &n->q[n->nq++];
		p->from = s->idx;
		p->local = pk->pk_local;
		p->remote = pk->pk_remote;
		p->data = malloc(pk->pk_len);
		assert_non_null(p->data);
		memcpy(p->data, pk->pk_data, pk->pk_len);
		p->len = pk->pk_len;
	}
	return (0);
}

static void
host_timer(void *arg, uint64_t deadline)
{
}

static const struct ike_host test_host = {
	.ih_send = host_send,
	.ih_timer_changed = host_timer,
};

static const struct kernel_callbacks test_kernel_cb;

/*
 * Change the ID or the SIG payload of an encrypted MM6.  The key comes
 * from the sender's key log, and the IV is the last cipher block of MM5
 * (RFC 2409 appendix B).  One byte of the payload's data changes.
 */
static void
tamper_mm6(struct net *n, struct pkt *p)
{
	char			 path[300], line[256], *comma;
	uint8_t			 key[32], iv[16], *body;
	size_t			 keylen, blen, i;
	const struct pkt	*mm5 = NULL;
	struct isakmp_msg	 msg;
	struct isakmp_error	 err;
	const struct isakmp_payload *id;
	FILE			*f;

	for (i = 0; i < n->nlog; i++)
		if (n->log[i].from != p->from && n->log[i].len > ISAKMP_HDR_LEN &&
		    (n->log[i].data[19] & ISAKMP_FLAG_ENC))
			mm5 = &n->log[i];
	assert_non_null(mm5);
	memcpy(iv, mm5->data + mm5->len - 16, 16);
	snprintf(path, sizeof(path), "%s/keylog/ikev1_decryption_table",
	    n->s[p->from].root);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	comma = strchr(line, ',');
	assert_non_null(comma);
	comma[1 + strcspn(comma + 1, "\n")] = '\0';
	assert_int_equal(util_hex_decode(key, sizeof(key), comma + 1,
	    &keylen), 0);
	body = p->data + 28;
	blen = p->len - 28;
	assert_int_equal(cipher_decrypt(CIPHER_AES_CBC, key, keylen, iv,
	    body, blen, body, NULL), 0);
	memset(&msg, 0, sizeof(msg));
	assert_int_equal(isakmp_payloads_parse(&msg, p->data[16], body, blen,
	    28, ISAKMP_PARSE_PADDED, &err), 0);
	id = isakmp_msg_find(&msg, n->tamper_payload, 0);
	assert_non_null(id);
	if (n->tamper_payload == ISAKMP_PL_ID) {
		assert_true(id->pl_u.id.id_len > 0);
		/* "b.example.com" becomes "c.example.com". */
		body[id->pl_offset - 28 + 8]++;
	} else {
		assert_true(id->pl_u.data.len > 8);
		body[id->pl_offset - 28 + 4 + 8] ^= 0x01;
	}
	isakmp_msg_free(&msg);
	assert_int_equal(cipher_encrypt(CIPHER_AES_CBC, key, keylen, iv,
	    body, blen, body, NULL), 0);
	util_wipe(key, sizeof(key));
}

static void
net_pump(struct net *n)
{
	struct ike_packet	in;
	struct pkt		p;
	size_t			rounds = 0;

	while (n->nq > 0 && rounds++ < 200) {
		p = n->q[0];
		memmove(&n->q[0], &n->q[1], (n->nq - 1) * sizeof(n->q[0]));
		n->nq--;
		if (n->tamper_from == p.from && p.len > 28 &&
		    (p.data[19] & ISAKMP_FLAG_ENC)) {
			n->tamper_from = -1;
			tamper_mm6(n, &p);
		}
		memset(&in, 0, sizeof(in));
		in.pk_local = p.remote;
		in.pk_remote = p.local;
		in.pk_data = p.data;
		in.pk_len = p.len;
		ike_engine_input(n->s[1 - p.from].eng, &in, n->now);
		free(p.data);
	}
}

static void
write_text(const char *dir, const char *name, const char *text)
{
	certtest_write(dir, name, text, strlen(text), 0644);
}

static char *
store_dir(const struct side *s, const char *sub, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", s->root, sub);
	return (buf);
}

/* Put a certificate into publickeys (and its key) under slot. */
static void
side_add_cert(struct side *s, const char *slot, const struct cert *c,
    const struct pkey *k)
{
	struct wbuf	wb;
	char		dir[300];

	wbuf_init(&wb, 0);
	assert_int_equal(cert_encode(c, X509_FORMAT_PEM, &wb), 0);
	certtest_write(store_dir(s, "/etc/inet/ike/publickeys", dir,
	    sizeof(dir)), slot, wb.wb_data, wb.wb_len, 0644);
	wbuf_free(&wb);
	if (k == NULL)
		return;
	wbuf_init(&wb, 1);
	assert_int_equal(pkey_encode_private(k, X509_FORMAT_PEM, &wb), 0);
	certtest_write(store_dir(s, "/etc/inet/secret/ike.privatekeys", dir,
	    sizeof(dir)), slot, wb.wb_data, wb.wb_len, 0600);
	wbuf_free(&wb);
}

/* Copy a file of the test PKI into one of the stores. */
static void
side_copy(struct side *s, const char *pki, const char *file,
    const char *sub, const char *slot)
{
	char	from[300], dir[300];

	snprintf(from, sizeof(from), "%s/%s", pki, file);
	certtest_copy(from, store_dir(s, sub, dir, sizeof(dir)), slot,
	    strstr(sub, "secret") != NULL ? 0600 : 0644);
}

static void
side_configure(struct net *n, int i, const struct side_conf *sc)
{
	struct side		*s = &n->s[i];
	struct certstore_trust	 t;
	struct config_paths	 paths;
	struct config_diag	 diag;
	struct config		*cfg = NULL;
	const struct config_globals *g;
	char			 text[2048], dir[300], cf[400], ip[400];
	char			 pre[400], why[X509_WHY_SIZE];
	size_t			 k;
	int			 rc;

	snprintf(text, sizeof(text),
	    "retry_limit 2\nretry_timer_init 0.5\nexpire_timer 30\n%s\n"
	    "p1_xform { %s }\n%s\n{\n label \"to-peer\"\n local_addr %s\n"
	    " remote_addr %s\n %s\n}\n", sc->globals, sc->xform,
	    sc->pre_rule ? sc->pre_rule : "", addr[i], addr[1 - i], sc->rule);
	write_text(store_dir(s, "/etc/inet/ike", dir, sizeof(dir)), "config",
	    text);
	snprintf(text, sizeof(text), "{\n localidtype IP\n localid %s\n"
	    " remoteidtype IP\n remoteid %s\n key \"test-psk-0123456789\"\n}\n",
	    addr[i], addr[1 - i]);
	certtest_write(dir, "ike.preshared", text, strlen(text), 0600);
	snprintf(text, sizeof(text), "{ tsrc %s tdst %s laddr %s raddr %s } "
	    "ipsec { encr_algs aes encr_auth_algs sha256 }\n", addr[i],
	    addr[1 - i], inner[i], inner[1 - i]);
	write_text(dir, "ipsecinit.conf", text);
	snprintf(cf, sizeof(cf), "%s/config", dir);
	snprintf(ip, sizeof(ip), "%s/ipsecinit.conf", dir);
	snprintf(pre, sizeof(pre), "%s/ike.preshared", dir);
	memset(&paths, 0, sizeof(paths));
	paths.cp_config = cf;
	paths.cp_preshared = pre;
	paths.cp_ipsecinit = ip;
	diag_init(&diag);
	rc = config_load(&cfg, &paths, &diag);
	for (k = 0; k < diag.cd_n; k++)
		print_message("config %d: %s\n", i, diag.cd_msgs[k]);
	diag_free(&diag);
	assert_int_equal(rc, 0);
	g = &cfg->cf_globals;
	assert_int_equal(certstore_load(&s->cs, s->root), 0);
	memset(&t, 0, sizeof(t));
	t.ct_roots = (const char *const *)g->cg_cert_root.items;
	t.ct_nroots = g->cg_cert_root.n;
	t.ct_trusted = (const char *const *)g->cg_cert_trust.items;
	t.ct_ntrusted = g->cg_cert_trust.n;
	t.ct_ignore_crls = g->cg_ignore_crls.val != 0;
	if (certstore_set_trust(s->cs, &t, why, sizeof(why)) != 0)
		fail_msg("side %d: %s", i, why);
	s->eng = ike_engine_new(&test_host, s, s->kern);
	assert_non_null(s->eng);
	ike_engine_set_certstore(s->eng, s->cs);
	snprintf(dir, sizeof(dir), "%s/keylog", s->root);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(ike_engine_set_keylog(s->eng, dir), 0);
	assert_int_equal(ike_engine_set_config(s->eng, cfg, n->now), 0);
}

static struct net *
net_new(void)
{
	struct net	*n = calloc(1, sizeof(*n));
	const char	*tmp = test_dir;
	static int	 seq;
	int		 i;

	assert_non_null(n);
	n->now = 1000;
	n->tamper_from = -1;
	seq++;
	for (i = 0; i < 2; i++) {
		n->s[i].net = n;
		n->s[i].idx = i;
		snprintf(n->s[i].root, sizeof(n->s[i].root), "%s/net%d/%d",
		    tmp, seq, i);
		assert_int_equal(kernel_open(&n->s[i].kern,
		    KERNEL_BACKEND_NONE, NULL, &test_kernel_cb, &n->s[i],
		    NULL), 0);
	}
	snprintf(n->logpath, sizeof(n->logpath), "%s/net%d.log", tmp, seq);
	n->saved_stderr = -1;
	return (n);
}

static void
net_start(struct net *n, const struct side_conf *a, const struct side_conf *b)
{
	side_configure(n, 0, a);
	side_configure(n, 1, b);
}

static void
net_free(struct net *n)
{
	size_t	i;
	int	j;

	for (j = 0; j < 2; j++) {
		ike_engine_free(n->s[j].eng);
		certstore_free(n->s[j].cs);
		kernel_close(n->s[j].kern);
	}
	for (i = 0; i < n->nq; i++)
		free(n->q[i].data);
	for (i = 0; i < n->nlog; i++)
		free(n->log[i].data);
	free(n);
}

/* Send what both engines log into n->logpath until capture_stop. */
static void
capture_start(struct net *n)
{
	fflush(stderr);
	n->saved_stderr = dup(2);
	assert_true(n->saved_stderr >= 0);
	assert_non_null(freopen(n->logpath, "w", stderr));
}

/* Restore stderr and copy the captured log to it for the test log. */
static void
capture_stop(struct net *n)
{
	char	line[1024];
	FILE	*f;

	fflush(stderr);
	dup2(n->saved_stderr, 2);
	close(n->saved_stderr);
	n->saved_stderr = -1;
	if ((f = fopen(n->logpath, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		fputs(line, stderr);
	fclose(f);
}

/*
 * The Notify type that side "to" logged as its peer's reason to reject
 * Phase 1, or 0.  After MM4 the Notify is encrypted, so its type shows
 * only in the log of the side that decrypted it: "rejected Phase 1"
 * while Main Mode runs, "reports" once the SA is established (MM6 sent).
 */
static int
rejected_notify(const struct net *n, int to)
{
	char		 line[1024], from[64], a[128], b[128];
	const char	*name;
	FILE		*f;
	int		 t, type = 0;

	snprintf(from, sizeof(from), "peer %s[500] ", addr[!to]);
	f = fopen(n->logpath, "r");
	assert_non_null(f);
	while (type == 0 && fgets(line, sizeof(line), f) != NULL) {
		if (strstr(line, from) == NULL)
			continue;
		for (t = 1; t <= ISAKMP_N_ERROR_MAX && type == 0; t++) {
			name = isakmp_notify_name((uint16_t)t);
			snprintf(a, sizeof(a), "rejected Phase 1 (");
			snprintf(b, sizeof(b), "\"): %s\n", name);
			if (strstr(line, a) != NULL && strstr(line, b) != NULL)
				type = t;
			snprintf(b, sizeof(b), "reports %s (rule", name);
			if (strstr(line, b) != NULL)
				type = t;
		}
	}
	fclose(f);
	return (type);
}

/* Whether a side sent an encrypted Informational. */
static int
sent_encrypted_info(const struct net *n, int from)
{
	size_t	i;

	for (i = 0; i < n->nlog; i++)
		if (n->log[i].from == from && n->log[i].len > ISAKMP_HDR_LEN &&
		    n->log[i].data[18] == ISAKMP_EX_INFO &&
		    (n->log[i].data[19] & ISAKMP_FLAG_ENC) != 0)
			return (1);
	return (0);
}

/* The Notify type of the first unencrypted Informational from a side. */
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

/* Whether a side sent an unencrypted message with a payload type. */
static int
logged_payload(const struct net *n, int from, uint8_t type)
{
	struct isakmp_msg	 msg;
	struct isakmp_error	 err;
	size_t			 i;
	int			 found = 0;

	for (i = 0; i < n->nlog && !found; i++) {
		if (n->log[i].from != from ||
		    isakmp_msg_parse(n->log[i].data, n->log[i].len, &msg,
		    &err) != 0)
			continue;
		found = isakmp_msg_find(&msg, type, 0) != NULL;
		isakmp_msg_free(&msg);
	}
	return (found);
}

struct p1_seen {
	unsigned int	 count;
	unsigned int	 auth;
	unsigned int	 local_idtype;
	unsigned int	 remote_idtype;
	char		 local_id[256];
	char		 remote_id[256];
	char		 label[64];
};

static int
p1_collect(void *arg, const struct ike_p1_info *pi)
{
	struct p1_seen	*ps = arg;

	ps->count++;
	ps->auth = pi->pi_auth;
	ps->local_idtype = pi->pi_local_idtype;
	ps->remote_idtype = pi->pi_remote_idtype;
	snprintf(ps->local_id, sizeof(ps->local_id), "%s", pi->pi_local_id);
	snprintf(ps->remote_id, sizeof(ps->remote_id), "%s",
	    pi->pi_remote_id);
	snprintf(ps->label, sizeof(ps->label), "%s", pi->pi_label);
	return (0);
}

static void
p1_get(const struct side *s, struct p1_seen *ps)
{
	memset(ps, 0, sizeof(*ps));
	ike_engine_foreach_p1(s->eng, p1_collect, ps);
}

/* Negotiate from side `from'; returns the IPsec SA pairs installed. */
static size_t
negotiate(struct net *n, int from)
{
	assert_int_equal(ike_engine_initiate(n->s[from].eng, "to-peer",
	    n->now), 0);
	net_pump(n);
	assert_int_equal(ike_engine_child_count(n->s[0].eng),
	    ike_engine_child_count(n->s[1].eng));
	return (ike_engine_child_count(n->s[0].eng));
}

static const char *const dn[2] = {
	"C=US, O=Example, CN=a.example.com",
	"C=US, O=Example, CN=b.example.com",
};

/* A self-signed certificate and key for each side; each trusts both. */
static void
self_signed_pair(struct net *n, enum pkey_type type, unsigned int bits)
{
	const char *const alts[2][3] = {
		{ "DNS=a.example.com", "IP=198.51.100.1", "EMAIL=a@example.com" },
		{ "DNS=b.example.com", "IP=198.51.100.2", "EMAIL=b@example.com" },
	};
	struct cert	*c[2];
	struct pkey	*k[2];
	int		 i;

	for (i = 0; i < 2; i++)
		c[i] = certtest_self_signed(type, bits, dn[i], alts[i], 3,
		    &k[i]);
	for (i = 0; i < 2; i++) {
		side_add_cert(&n->s[i], "mine", c[i], k[i]);
		side_add_cert(&n->s[i], "peer", c[1 - i], NULL);
	}
	for (i = 0; i < 2; i++) {
		cert_free(c[i]);
		pkey_free(k[i]);
	}
}

/* Globals and rule of a side with self-signed certificates. */
static void
self_signed_conf(int i, const char *xform, const char *idtype,
    struct side_conf *sc, char *g, size_t glen, char *r, size_t rlen)
{
	snprintf(g, glen, "cert_trust \"%s\"", dn[1 - i]);
	snprintf(r, rlen, "local_id_type %s\n local_id \"%s\"\n"
	    " remote_id \"%s\"", idtype, dn[i], dn[1 - i]);
	sc->globals = g;
	sc->xform = xform;
	sc->rule = r;
	sc->pre_rule = NULL;
}

static void
run_self_signed(enum pkey_type type, unsigned int bits, const char *xform,
    const char *idtype, unsigned int auth, unsigned int idwire)
{
	struct side_conf	 sc[2];
	struct p1_seen		 ps;
	char			 g[2][256], r[2][512];
	int			 from, i;

	for (from = 0; from < 2; from++) {
		struct net *n = net_new();

		self_signed_pair(n, type, bits);
		for (i = 0; i < 2; i++)
			self_signed_conf(i, xform, idtype, &sc[i], g[i],
			    sizeof(g[i]), r[i], sizeof(r[i]));
		net_start(n, &sc[0], &sc[1]);
		assert_int_equal(negotiate(n, from), 1);
		/* Each side asked for certificates in MM3 or MM4. */
		assert_true(logged_payload(n, 0, ISAKMP_PL_CR));
		assert_true(logged_payload(n, 1, ISAKMP_PL_CR));
		for (i = 0; i < 2; i++) {
			p1_get(&n->s[i], &ps);
			assert_int_equal(ps.count, 1);
			assert_int_equal(ps.auth, auth);
			assert_int_equal(ps.local_idtype, idwire);
			assert_int_equal(ps.remote_idtype, idwire);
			if (idwire == ISAKMP_ID_DER_ASN1_DN) {
				assert_string_equal(ps.local_id, dn[i]);
				assert_string_equal(ps.remote_id, dn[1 - i]);
			}
		}
		net_free(n);
	}
}

static void
rsa_self_signed(void **state)
{
	run_self_signed(PKEY_RSA, 2048, "auth_method rsa_sig oakley_group 14 "
	    "encr_alg aes auth_alg sha256", "dn", ISAKMP_AUTH_RSA_SIG,
	    ISAKMP_ID_DER_ASN1_DN);
}

static void
dss_self_signed(void **state)
{
	run_self_signed(PKEY_DSA, 2048, "auth_method dss_sig oakley_group 14 "
	    "encr_alg aes auth_alg sha1", "fqdn", ISAKMP_AUTH_DSS_SIG,
	    ISAKMP_ID_FQDN);
}

static void
ecdsa_self_signed(void **state)
{
	run_self_signed(PKEY_EC, 256, "auth_method ecdsa_p256 oakley_group 19 "
	    "encr_alg aes auth_alg sha256", "ip",
	    ISAKMP_AUTH_ECDSA_SHA256_P256, ISAKMP_ID_IPV4_ADDR);
}

static void
ecdsa384_self_signed(void **state)
{
	run_self_signed(PKEY_EC, 384, "auth_method ecdsa_p384 oakley_group 20 "
	    "encr_alg aes(256..256) auth_alg sha384", "dn",
	    ISAKMP_AUTH_ECDSA_SHA384_P384, ISAKMP_ID_DER_ASN1_DN);
}

static void
ecdsa521_self_signed(void **state)
{
	run_self_signed(PKEY_EC, 521, "auth_method ecdsa_p521 oakley_group 21 "
	    "encr_alg aes(256..256) auth_alg sha512", "user_fqdn",
	    ISAKMP_AUTH_ECDSA_SHA512_P521, ISAKMP_ID_USER_FQDN);
}

/*
 * Side 0 holds leaf0, side 1 leaf1 of the test PKI; both trust the root
 * CA by cert_root and hold the intermediate CA and both CRLs.
 */
static void
chain_pair(struct net *n, const char *pki, const char *leaf0,
    const char *leaf1)
{
	const char	*leaf[2] = { leaf0, leaf1 };
	char		 f[64];
	int		 i;

	for (i = 0; i < 2; i++) {
		side_copy(&n->s[i], pki, "root.pem", "/etc/inet/ike/publickeys",
		    "root");
		side_copy(&n->s[i], pki, "inter.pem",
		    "/etc/inet/ike/publickeys", "inter");
		side_copy(&n->s[i], pki, "root.crl", "/etc/inet/ike/crls",
		    "root");
		side_copy(&n->s[i], pki, "inter.crl", "/etc/inet/ike/crls",
		    "inter");
		snprintf(f, sizeof(f), "%s.pem", leaf[i]);
		side_copy(&n->s[i], pki, f, "/etc/inet/ike/publickeys",
		    "mine");
		snprintf(f, sizeof(f), "%s.key", leaf[i]);
		side_copy(&n->s[i], pki, f, "/etc/inet/secret/ike.privatekeys",
		    "mine");
	}
}

#define CHAIN_GLOBALS \
	"cert_root \"C=US, O=Example Trust, CN=Example Root CA\""
#define CHAIN_XFORM \
	"auth_method ecdsa_p256 oakley_group 14 encr_alg aes auth_alg sha256"

static const struct side_conf chain_conf[2] = {
	{ CHAIN_GLOBALS, CHAIN_XFORM,
	    "local_id_type dn\n local_id \"SLOT=mine\"\n"
	    " remote_id \"ISSUER=C=US, O=Example Trust, "
	    "CN=Example Intermediate CA\"", NULL },
	{ CHAIN_GLOBALS, CHAIN_XFORM,
	    "local_id_type dn\n local_id \"SLOT=mine\"\n"
	    " remote_id \"ISSUER=C=US, O=Example Trust, "
	    "CN=Example Intermediate CA\"", NULL },
};

static void
ca_chain(void **state)
{
	const char	*pki = test_pki();
	struct p1_seen	 ps;
	int		 from;

	for (from = 0; from < 2; from++) {
		struct net *n = net_new();

		chain_pair(n, pki, "leaf", "peer");
		net_start(n, &chain_conf[0], &chain_conf[1]);
		assert_int_equal(negotiate(n, from), 1);
		p1_get(&n->s[1], &ps);
		assert_string_equal(ps.remote_id,
		    "C=US, O=Example, CN=gw.example.com");
		p1_get(&n->s[0], &ps);
		assert_string_equal(ps.remote_id,
		    "C=US, O=Example, CN=peer.example.com");
		net_free(n);
	}
}

/*
 * Side 1 has no copy of the intermediate CA, so it must use the one that
 * side 0 sends after its own certificate.
 */
static void
intermediate_from_payload(void **state)
{
	const char	*pki = test_pki();
	struct net	*n = net_new();
	struct certstore_entry e;
	char		 cmd[400];
	size_t		 i, received = 0;

	chain_pair(n, pki, "leaf", "peer");
	snprintf(cmd, sizeof(cmd),
	    "rm -f '%s/etc/inet/ike/publickeys/inter'", n->s[1].root);
	assert_int_equal(system(cmd), 0);
	net_start(n, &chain_conf[0], &chain_conf[1]);
	assert_int_equal(negotiate(n, 0), 1);
	/* The leaf and the intermediate CA went into side 1's cache. */
	for (i = 0; certstore_entry(n->s[1].cs, i, &e) == 0; i++)
		if (e.ce_origin == CERTSTORE_FROM_PAYLOAD)
			received++;
	assert_int_equal(received, 2);
	net_free(n);
}

/* Side 0 presents a certificate that side 1 must refuse. */
static void
expect_rejected(struct net *n, int notify)
{
	struct ike_stats	st;

	capture_start(n);
	assert_int_equal(negotiate(n, 0), 0);
	capture_stop(n);
	ike_engine_get_stats(n->s[1].eng, &st);
	assert_int_equal(st.st_p1_current_resp, 0);
	assert_int_equal(st.st_p1_fail_resp, 1);
	/* Rejected after MM5: the Notify is encrypted and side 0 acts on it. */
	assert_true(sent_encrypted_info(n, 1));
	assert_int_equal(rejected_notify(n, 0), notify);
	ike_engine_get_stats(n->s[0].eng, &st);
	assert_int_equal(st.st_p1_current_init, 0);
	assert_int_equal(st.st_p1_fail_init, 1);
}

static void
revoked_rejected(void **state)
{
	const char	*pki = test_pki();
	struct net	*n = net_new();

	chain_pair(n, pki, "revoked", "peer");
	net_start(n, &chain_conf[0], &chain_conf[1]);
	expect_rejected(n, ISAKMP_N_INVALID_CERTIFICATE);
	net_free(n);
}

static void
expired_rejected(void **state)
{
	const char	*pki = test_pki();
	struct net	*n = net_new();

	chain_pair(n, pki, "expired", "peer");
	net_start(n, &chain_conf[0], &chain_conf[1]);
	expect_rejected(n, ISAKMP_N_INVALID_CERTIFICATE);
	net_free(n);
}

/* Without the CRLs a CA-issued certificate cannot be checked. */
static void
missing_crl_rejected(void **state)
{
	const char	*pki = test_pki();
	struct net	*n = net_new();
	char		 cmd[400];

	chain_pair(n, pki, "leaf", "peer");
	snprintf(cmd, sizeof(cmd), "rm -f '%s/etc/inet/ike/crls/inter'",
	    n->s[1].root);
	assert_int_equal(system(cmd), 0);
	net_start(n, &chain_conf[0], &chain_conf[1]);
	expect_rejected(n, ISAKMP_N_INVALID_CERTIFICATE);
	net_free(n);
}

static void
ignore_crls_accepts(void **state)
{
	const char		*pki = test_pki();
	struct net		*n = net_new();
	struct side_conf	 b = chain_conf[1];
	char			 cmd[400];

	chain_pair(n, pki, "leaf", "peer");
	snprintf(cmd, sizeof(cmd), "rm -f '%s/etc/inet/ike/crls/inter'",
	    n->s[1].root);
	assert_int_equal(system(cmd), 0);
	b.globals = CHAIN_GLOBALS "\nignore_crls";
	net_start(n, &chain_conf[0], &b);
	assert_int_equal(negotiate(n, 0), 1);
	net_free(n);
}

static void
remote_id_exclusion_rejected(void **state)
{
	const char		*pki = test_pki();
	struct net		*n = net_new();
	struct side_conf	 b = chain_conf[1];

	chain_pair(n, pki, "leaf", "peer");
	b.rule = "local_id_type dn\n local_id \"SLOT=mine\"\n"
	    " remote_id \"!DNS=gw.example.com\"\n remote_id \"\"";
	net_start(n, &chain_conf[0], &b);
	expect_rejected(n, ISAKMP_N_AUTHENTICATION_FAILED);
	net_free(n);
}

/* A self-signed certificate that cert_trust does not name. */
static void
untrusted_self_signed_rejected(void **state)
{
	struct side_conf	 sc[2];
	char			 g[2][256], r[2][512];
	struct net		*n = net_new();
	int			 i;

	self_signed_pair(n, PKEY_EC, 256);
	for (i = 0; i < 2; i++)
		self_signed_conf(i, CHAIN_XFORM, "dn", &sc[i], g[i],
		    sizeof(g[i]), r[i], sizeof(r[i]));
	/* Side 1 trusts only its own certificate. */
	snprintf(g[1], sizeof(g[1]), "cert_trust \"%s\"", dn[1]);
	net_start(n, &sc[0], &sc[1]);
	expect_rejected(n, ISAKMP_N_INVALID_CERTIFICATE);
	net_free(n);
}

/* An identity the certificate does not carry, signed or not. */
static void
id_not_in_certificate_rejected(void **state)
{
	struct side_conf	 sc[2];
	struct ike_stats	 st;
	char			 g[2][256], r[2][512];
	struct net		*n = net_new();
	int			 i;

	self_signed_pair(n, PKEY_EC, 256);
	for (i = 0; i < 2; i++)
		self_signed_conf(i, CHAIN_XFORM, "fqdn", &sc[i], g[i],
		    sizeof(g[i]), r[i], sizeof(r[i]));
	net_start(n, &sc[0], &sc[1]);
	/* Side 1 answers MM5 with MM6, whose ID the network changes. */
	n->tamper_from = 1;
	n->tamper_payload = ISAKMP_PL_ID;
	capture_start(n);
	assert_int_equal(negotiate(n, 0), 0);
	capture_stop(n);
	ike_engine_get_stats(n->s[0].eng, &st);
	assert_int_equal(st.st_p1_current_init, 0);
	assert_int_equal(st.st_p1_fail_init, 1);
	/*
	 * Side 0's Notify is encrypted, but side 1 cannot read it: the IV
	 * chains from the last block of MM6, which the network changed.
	 */
	assert_true(sent_encrypted_info(n, 0));
	assert_int_equal(rejected_notify(n, 1), 0);
	net_free(n);
}

/* A signature changed in transit does not verify. */
static void
altered_signature_rejected(void **state)
{
	struct side_conf	 sc[2];
	struct ike_stats	 st;
	char			 g[2][256], r[2][512];
	struct net		*n = net_new();
	int			 i;

	self_signed_pair(n, PKEY_RSA, 2048);
	for (i = 0; i < 2; i++)
		self_signed_conf(i, "auth_method rsa_sig oakley_group 14 "
		    "encr_alg aes auth_alg sha256", "dn", &sc[i], g[i],
		    sizeof(g[i]), r[i], sizeof(r[i]));
	net_start(n, &sc[0], &sc[1]);
	n->tamper_from = 1;
	n->tamper_payload = ISAKMP_PL_SIG;
	capture_start(n);
	assert_int_equal(negotiate(n, 0), 0);
	capture_stop(n);
	ike_engine_get_stats(n->s[0].eng, &st);
	assert_int_equal(st.st_p1_current_init, 0);
	assert_int_equal(st.st_p1_fail_init, 1);
	assert_true(sent_encrypted_info(n, 0));
	assert_int_equal(rejected_notify(n, 1), 0);
	net_free(n);
}

/* The private key of slot "mine" belongs to another certificate. */
static void
wrong_key_for_certificate(void **state)
{
	struct side_conf	 sc[2];
	struct ike_stats	 st;
	struct pkey		*other;
	struct wbuf		 wb;
	char			 g[2][256], r[2][512], dir[300];
	char			 why[X509_WHY_SIZE];
	struct net		*n = net_new();
	int			 i;

	self_signed_pair(n, PKEY_EC, 256);
	assert_int_equal(pkey_generate(&other, PKEY_EC, 256, why,
	    sizeof(why)), 0);
	wbuf_init(&wb, 1);
	assert_int_equal(pkey_encode_private(other, X509_FORMAT_PEM, &wb), 0);
	certtest_write(store_dir(&n->s[0], "/etc/inet/secret/ike.privatekeys",
	    dir, sizeof(dir)), "mine", wb.wb_data, wb.wb_len, 0600);
	wbuf_free(&wb);
	pkey_free(other);
	for (i = 0; i < 2; i++)
		self_signed_conf(i, CHAIN_XFORM, "dn", &sc[i], g[i],
		    sizeof(g[i]), r[i], sizeof(r[i]));
	net_start(n, &sc[0], &sc[1]);
	/* The store refused the key, so side 0 cannot sign. */
	assert_true(certstore_nerrors(n->s[0].cs) > 0);
	assert_non_null(strstr(certstore_error(n->s[0].cs, 0),
	    "does not belong"));
	assert_int_equal(negotiate(n, 0), 0);
	ike_engine_get_stats(n->s[0].eng, &st);
	assert_int_equal(st.st_p1_fail_init, 1);
	net_free(n);
}

/*
 * A preshared rule and a certificate rule for the same peer: the
 * responder takes the one that allows the offered method.
 */
static void
rule_chosen_by_method(void **state)
{
	struct side_conf	 sc[2];
	struct p1_seen		 ps;
	char			 g[2][256], r[2][1024];
	struct net		*n = net_new();
	int			 i;

	self_signed_pair(n, PKEY_RSA, 2048);
	for (i = 0; i < 2; i++)
		self_signed_conf(i, "auth_method rsa_sig oakley_group 14 "
		    "encr_alg aes auth_alg sha256", "dn", &sc[i], g[i],
		    sizeof(g[i]), r[i], sizeof(r[i]));
	/* Side 1: a preshared rule of the same addresses comes first. */
	snprintf(r[0], sizeof(r[0]), "{ label \"psk-first\" local_addr %s "
	    "remote_addr %s p1_xform { auth_method preshared oakley_group 14 "
	    "encr_alg aes auth_alg sha256 } }", addr[1], addr[0]);
	sc[1].pre_rule = r[0];
	sc[0].rule = "local_id_type dn\n local_id \"C=US, O=Example, "
	    "CN=a.example.com\"\n remote_id \"C=US, O=Example, "
	    "CN=b.example.com\"";
	net_start(n, &sc[0], &sc[1]);
	assert_int_equal(negotiate(n, 0), 1);
	p1_get(&n->s[1], &ps);
	assert_string_equal(ps.label, "to-peer");
	assert_int_equal(ps.auth, ISAKMP_AUTH_RSA_SIG);
	net_free(n);
}

/* A preshared rule never accepts a signature method. */
static void
preshared_rule_refuses_rsa(void **state)
{
	struct side_conf	 sc[2];
	char			 g[2][256], r[2][512];
	struct net		*n = net_new();
	int			 i;

	self_signed_pair(n, PKEY_RSA, 2048);
	for (i = 0; i < 2; i++)
		self_signed_conf(i, "auth_method rsa_sig oakley_group 14 "
		    "encr_alg aes auth_alg sha256", "dn", &sc[i], g[i],
		    sizeof(g[i]), r[i], sizeof(r[i]));
	sc[1].xform = "auth_method preshared oakley_group 14 encr_alg aes "
	    "auth_alg sha256";
	sc[1].rule = "";
	net_start(n, &sc[0], &sc[1]);
	assert_int_equal(negotiate(n, 0), 0);
	assert_int_equal(logged_notify(n, 1), ISAKMP_N_NO_PROPOSAL_CHOSEN);
	net_free(n);
}

/*
 * Main Mode with public key encryption, both methods, both roles, with
 * 2048- and 3072-bit self-signed RSA certificates in each other's
 * publickeys.  No CERT or CR payload is sent, and the SAs get installed.
 */
static void
run_pke(unsigned int bits, const char *method, unsigned int auth)
{
	struct side_conf	 sc[2];
	struct p1_seen		 ps;
	char			 g[2][256], r[2][512], xf[256];
	int			 from, i;

	snprintf(xf, sizeof(xf), "auth_method %s oakley_group 14 "
	    "encr_alg aes auth_alg sha256", method);
	for (from = 0; from < 2; from++) {
		struct net *n = net_new();

		self_signed_pair(n, PKEY_RSA, bits);
		for (i = 0; i < 2; i++)
			self_signed_conf(i, xf, "dn", &sc[i], g[i],
			    sizeof(g[i]), r[i], sizeof(r[i]));
		net_start(n, &sc[0], &sc[1]);
		assert_int_equal(negotiate(n, from), 1);
		for (i = 0; i < 2; i++) {
			assert_false(logged_payload(n, i, ISAKMP_PL_CR));
			assert_false(logged_payload(n, i, ISAKMP_PL_CERT));
			p1_get(&n->s[i], &ps);
			assert_int_equal(ps.count, 1);
			assert_int_equal(ps.auth, auth);
			assert_int_equal(ps.local_idtype, ISAKMP_ID_DER_ASN1_DN);
			assert_int_equal(ps.remote_idtype,
			    ISAKMP_ID_DER_ASN1_DN);
			assert_string_equal(ps.local_id, dn[i]);
			assert_string_equal(ps.remote_id, dn[1 - i]);
		}
		net_free(n);
	}
}

static void
pke_rsa2048(void **state)
{
	run_pke(2048, "rsa_encrypt", ISAKMP_AUTH_RSA_ENC);
}

static void
pke_rsa3072(void **state)
{
	run_pke(3072, "rsa_encrypt", ISAKMP_AUTH_RSA_ENC);
}

static void
pke_revised_rsa2048(void **state)
{
	run_pke(2048, "rsa_encrypt_rev", ISAKMP_AUTH_RSA_ENC_REV);
}

static void
pke_revised_rsa3072(void **state)
{
	run_pke(3072, "rsa_encrypt_rev", ISAKMP_AUTH_RSA_ENC_REV);
}

/* A new key and self-signed certificate for side idx's name. */
static struct cert *
pke_other_cert(int idx)
{
	const char *const alts[2][3] = {
		{ "DNS=a.example.com", "IP=198.51.100.1", "EMAIL=a@example.com" },
		{ "DNS=b.example.com", "IP=198.51.100.2", "EMAIL=b@example.com" },
	};
	struct pkey	*k;
	struct cert	*c;

	c = certtest_self_signed(PKEY_RSA, 2048, dn[idx], alts[idx], 3, &k);
	assert_non_null(c);
	pkey_free(k);
	return (c);
}

/* A started net where both sides run one public key encryption rule. */
static struct net *
pke_net(const char *method, struct side_conf *sc, char g[2][256],
    char r[2][512], char *xf, size_t xflen)
{
	struct net	*n = net_new();
	int		 i;

	snprintf(xf, xflen, "auth_method %s oakley_group 14 encr_alg aes "
	    "auth_alg sha256", method);
	self_signed_pair(n, PKEY_RSA, 2048);
	for (i = 0; i < 2; i++)
		self_signed_conf(i, xf, "dn", &sc[i], g[i], sizeof(g[0]),
		    r[i], sizeof(r[0]));
	return (n);
}

/*
 * The log lines of a capture without the parts that differ between any
 * two exchanges: the time is left out and the cookies are replaced.
 */
static void
pke_transcript(const struct net *n, char *out, size_t outsize)
{
	char	line[1024], *p, *q;
	FILE	*f;
	size_t	used = 0, i, run;

	out[0] = '\0';
	f = fopen(n->logpath, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		p = strstr(line, "test_cert_engine: ");
		p = p != NULL ? p + strlen("test_cert_engine: ") : line;
		/* Cookies: runs of 16 hex digits. */
		for (q = p; *q != '\0'; q++) {
			for (run = 0; isxdigit((unsigned char)q[run]); run++)
				;
			if (run == 16)
				for (i = 0; i < 16; i++)
					q[i] = 'C';
			if (run > 0)
				q += run - 1;
		}
		i = strlen(p);
		assert_true(used + i < outsize);
		memcpy(out + used, p, i + 1);
		used += i;
	}
	fclose(f);
}

/* Deliver the first queued datagram. */
static void
pke_deliver(struct net *n)
{
	struct ike_packet	in;
	struct pkt		p;

	assert_true(n->nq > 0);
	p = n->q[0];
	memmove(&n->q[0], &n->q[1], (n->nq - 1) * sizeof(n->q[0]));
	n->nq--;
	memset(&in, 0, sizeof(in));
	in.pk_local = p.remote;
	in.pk_remote = p.local;
	in.pk_data = p.data;
	in.pk_len = p.len;
	ike_engine_input(n->s[1 - p.from].eng, &in, n->now);
	free(p.data);
}

/*
 * Wrong keys: side 0 encrypts to a certificate of side 1's name whose key
 * side 1 does not have, or side 1 to one of side 0's name.  Either way
 * the exchange fails at side 1 with one and the same log line.
 */
static void
pke_wrong_key_same_line(void **state)
{
	static const char *const methods[] = { "rsa_encrypt",
	    "rsa_encrypt_rev" };
	struct side_conf	 sc[2];
	char			 g[2][256], r[2][512], xf[256];
	char			 t[2][8192];
	struct cert		*c;
	size_t			 m;
	int			 side;

	for (m = 0; m < 2; m++) {
		for (side = 0; side < 2; side++) {
			struct net *n = pke_net(methods[m], sc, g, r, xf,
			    sizeof(xf));

			/* side's copy of the peer's certificate is wrong. */
			c = pke_other_cert(1 - side);
			side_add_cert(&n->s[side], "peer", c, NULL);
			cert_free(c);
			net_start(n, &sc[0], &sc[1]);
			capture_start(n);
			assert_int_equal(negotiate(n, 0), 0);
			capture_stop(n);
			pke_transcript(n, t[side], sizeof(t[side]));
			assert_non_null(strstr(t[side], "authentication "
			    "failed for peer 198.51.100.1[500] (cookies "
			    "CCCCCCCCCCCCCCCC:CCCCCCCCCCCCCCCC, rule "
			    "\"to-peer\"): MM5 does not decrypt to valid "
			    "payloads, check that each side has the other's "
			    "current certificate in publickeys and its own "
			    "private key\n"));
			assert_int_equal(logged_notify(n, 1),
			    ISAKMP_N_PAYLOAD_MALFORMED);
			net_free(n);
		}
		assert_string_equal(t[0], t[1]);
	}
}

/* Kinds of nonce ciphertext in the oracle test. */
enum pke_ct {
	PKE_CT_FIRST_BYTE,	/* 0x01 instead of 0x00 */
	PKE_CT_BLOCK_TYPE,	/* block type 1 instead of 2 */
	PKE_CT_NO_SEPARATOR,
	PKE_CT_SHORT_PADDING,	/* 7 bytes of padding */
	PKE_CT_SHORT_NONCE,	/* valid padding, a 7-byte nonce */
	PKE_CT_FLIPPED,		/* a valid ciphertext, one bit changed */
	PKE_CT_RANDOM,
	PKE_CT_ZERO,
	PKE_CT_ABOVE_MODULUS,	/* all ones */
	PKE_CT_LEN_SHORT,	/* one byte short */
	PKE_CT_LEN_LONG,	/* one byte more */
	PKE_CT_MALFORMED,	/* the kinds above are malformed */
	PKE_CT_WRONG_VALUE = PKE_CT_MALFORMED,	/* well-formed, wrong nonce */
};

/* A nonce ciphertext of a kind, for a k-byte RSA key. */
static void
pke_ciphertext(const struct pkey *pub, enum pke_ct kind, struct wbuf *ct)
{
	uint8_t	em[512], v[20];
	size_t	k = pkey_bits(pub) / 8, i, sep = k - 21;

	wbuf_reset(ct);
	assert_true(k <= sizeof(em));
	assert_int_equal(rand_bytes(em, k), 0);
	for (i = 0; i < k; i++)
		if (em[i] == 0)
			em[i] = 0x5a;
	em[0] = 0;
	em[1] = 2;
	em[sep] = 0;
	switch (kind) {
	case PKE_CT_FIRST_BYTE:
		em[0] = 1;
		break;
	case PKE_CT_BLOCK_TYPE:
		em[1] = 1;
		break;
	case PKE_CT_NO_SEPARATOR:
		em[sep] = 0x77;
		break;
	case PKE_CT_SHORT_PADDING:
		em[sep] = 0x77;
		em[9] = 0;
		break;
	case PKE_CT_SHORT_NONCE:
		em[sep] = 0x77;
		em[k - 8] = 0;
		break;
	case PKE_CT_FLIPPED:
	case PKE_CT_WRONG_VALUE:
		assert_int_equal(rand_bytes(v, sizeof(v)), 0);
		assert_int_equal(rsaenc_encrypt(pub, v, sizeof(v), ct), 0);
		if (kind == PKE_CT_FLIPPED)
			ct->wb_data[k / 2] ^= 0x08;
		return;
	case PKE_CT_RANDOM:
	case PKE_CT_LEN_SHORT:
	case PKE_CT_LEN_LONG:
		assert_int_equal(rand_bytes(em, k), 0);
		assert_int_equal(wbuf_put(ct, em, kind == PKE_CT_LEN_SHORT ?
		    k - 1 : k), 0);
		if (kind == PKE_CT_LEN_LONG)
			assert_int_equal(wbuf_put_u8(ct, 0x42), 0);
		return;
	case PKE_CT_ZERO:
		memset(em, 0, k);
		assert_int_equal(wbuf_put(ct, em, k), 0);
		return;
	case PKE_CT_ABOVE_MODULUS:
		memset(em, 0xff, k);
		assert_int_equal(wbuf_put(ct, em, k), 0);
		return;
	}
	assert_int_equal(rsaenc_raw_public(pub, em, k, ct), 0);
}

/* MM3 as side 0 sent it, with the Nonce payload's body replaced. */
static void
pke_replace_nonce(struct pkt *p, const struct wbuf *ct)
{
	struct isakmp_builder	 b;
	struct isakmp_msg	 msg;
	struct isakmp_error	 err;
	struct wbuf		 wb;
	const struct isakmp_payload *pl;
	size_t			 i;

	memset(&msg, 0, sizeof(msg));
	assert_int_equal(isakmp_hdr_parse(p->data, p->len, &msg.m_hdr, &err),
	    0);
	assert_int_equal(isakmp_payloads_parse(&msg, msg.m_hdr.h_next,
	    p->data + ISAKMP_HDR_LEN, p->len - ISAKMP_HDR_LEN, ISAKMP_HDR_LEN,
	    ISAKMP_PARSE_ENCRYPTED_AUTH, &err), 0);
	assert_non_null(isakmp_msg_find(&msg, ISAKMP_PL_NONCE, 0));
	wbuf_init(&wb, 0);
	assert_int_equal(isakmp_build_init(&b, &wb, &msg.m_hdr), 0);
	for (i = 0; i < msg.m_npayloads; i++) {
		pl = &msg.m_payloads[i];
		if (pl->pl_type == ISAKMP_PL_NONCE)
			isakmp_build_data(&b, pl->pl_type, ct->wb_data,
			    ct->wb_len);
		else
			isakmp_build_data(&b, pl->pl_type, pl->pl_body,
			    pl->pl_body_len);
	}
	assert_int_equal(isakmp_build_finish(&b), 0);
	isakmp_msg_free(&msg);
	free(p->data);
	p->data = malloc(wb.wb_len);
	assert_non_null(p->data);
	memcpy(p->data, wb.wb_data, wb.wb_len);
	p->len = wb.wb_len;
	wbuf_free(&wb);
}

/*
 * One Main Mode whose MM3 carries the given nonce ciphertext: what side
 * 1 sent in answer (types and lengths) and what both sides logged.
 */
static void
pke_oracle_trial(struct net *n, const struct pkey *pub, enum pke_ct kind,
    char *out, size_t outsize)
{
	struct wbuf	ct;
	size_t		i, used;

	/* Start with an empty record of what was sent. */
	for (i = 0; i < n->nlog; i++)
		free(n->log[i].data);
	n->nlog = 0;
	capture_start(n);
	assert_int_equal(ike_engine_initiate(n->s[0].eng, "to-peer", n->now),
	    0);
	pke_deliver(n);			/* MM1 */
	pke_deliver(n);			/* MM2 */
	assert_int_equal(n->nq, 1);	/* MM3 */
	wbuf_init(&ct, 0);
	pke_ciphertext(pub, kind, &ct);
	pke_replace_nonce(&n->q[0], &ct);
	wbuf_free(&ct);
	while (n->nq > 0)		/* MM3, MM4, MM5, Notify */
		pke_deliver(n);
	capture_stop(n);
	pke_transcript(n, out, outsize);
	used = strlen(out);
	for (i = 0; i < n->nlog; i++) {
		if (n->log[i].from != 1)
			continue;
		snprintf(out + used, outsize - used, "sent %u flags %u len %zu\n",
		    n->log[i].data[18], n->log[i].data[19],
		    n->log[i].len);
		used = strlen(out);
	}
	/* Forget the failed exchanges before the next trial. */
	n->now += 1000;
	ike_engine_run_timers(n->s[0].eng, n->now);
	ike_engine_run_timers(n->s[1].eng, n->now);
}

/* Fail with the first line where two transcripts differ. */
static void
pke_fail_diff(const char *method, int kind, const char *got,
    const char *want)
{
	size_t	i = 0, line = 0;

	while (got[i] != '\0' && got[i] == want[i]) {
		if (got[i] == '\n')
			line = i + 1;
		i++;
	}
	fail_msg("%s, ciphertext kind %d differs from a wrong value at "
	    "\"%.160s\", expected \"%.160s\"", method, kind, got + line,
	    want + line);
}

/*
 * No padding oracle: malformed nonce ciphertexts (bad padding, wrong
 * length, random, not below the modulus) and well-formed ones of a
 * wrong nonce get the same answers and the same log lines.
 */
static void
pke_oracle(const char *method)
{
	struct side_conf	 sc[2];
	struct certstore_entry	 e;
	const struct pkey	*pub = NULL;
	char			 g[2][256], r[2][512], xf[256];
	char			*want, *got;
	struct net		*n;
	size_t			 i;
	int			 round, kind;

	n = pke_net(method, sc, g, r, xf, sizeof(xf));
	net_start(n, &sc[0], &sc[1]);
	for (i = 0; certstore_entry(n->s[0].cs, i, &e) == 0; i++)
		if (e.ce_slot != NULL && strcmp(e.ce_slot, "peer") == 0)
			pub = cert_public_key(e.ce_cert);
	assert_non_null(pub);
	want = calloc(1, 16384);
	got = calloc(1, 16384);
	assert_non_null(want);
	assert_non_null(got);
	pke_oracle_trial(n, pub, PKE_CT_WRONG_VALUE, want, 16384);
	assert_non_null(strstr(want, "MM5 does not decrypt to valid "
	    "payloads"));
	/* Side 1 answered MM3 with MM4 and MM5 with a Notify. */
	assert_non_null(strstr(want, "sent 2 flags 0 len"));
	assert_non_null(strstr(want, "sent 5 flags 0 len"));
	for (round = 0; round < 2; round++)
		for (kind = 0; kind <= PKE_CT_WRONG_VALUE; kind++) {
			pke_oracle_trial(n, pub, (enum pke_ct)kind, got,
			    16384);
			if (strcmp(got, want) != 0)
				pke_fail_diff(method, kind, got, want);
		}
	free(want);
	free(got);
	net_free(n);
}

static void
pke_no_padding_oracle(void **state)
{
	pke_oracle("rsa_encrypt");
}

static void
pke_revised_no_padding_oracle(void **state)
{
	pke_oracle("rsa_encrypt_rev");
}

/* Whether the captured log of n has a line with all the given parts. */
static int
log_has(const struct net *n, const char *a, const char *b)
{
	char	line[1024];
	FILE	*f;
	int	found = 0;

	f = fopen(n->logpath, "r");
	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, a) != NULL && strstr(line, b) != NULL;
	fclose(f);
	return (found);
}

/* Without the peer's certificate in publickeys, nothing is sent. */
static void
pke_missing_peer_certificate(void **state)
{
	struct side_conf	 sc[2];
	char			 g[2][256], r[2][512], xf[256], cmd[400];
	struct net		*n = pke_net("rsa_encrypt", sc, g, r, xf,
	    sizeof(xf));

	snprintf(cmd, sizeof(cmd),
	    "rm -f '%s/etc/inet/ike/publickeys/peer'", n->s[0].root);
	assert_int_equal(system(cmd), 0);
	/* cert_trust must name a certificate of the store. */
	sc[0].globals = "";
	net_start(n, &sc[0], &sc[1]);
	capture_start(n);
	assert_int_not_equal(ike_engine_initiate(n->s[0].eng, "to-peer",
	    n->now), 0);
	capture_stop(n);
	assert_int_equal(n->nlog, 0);
	assert_true(log_has(n, "rule \"to-peer\" uses rsa_encrypt but no "
	    "certificate for the peer 198.51.100.2[500] matching remote_id "
	    "\"C=US, O=Example, CN=b.example.com\" is in publickeys",
	    "import it with ikecert certdb -a"));
	net_free(n);
}

/*
 * Key separation: a signature rule before ours selects the same local
 * certificate, so the encryption rule refuses to run, and the other
 * way round.
 */
static void
pke_key_shared_with_signatures(void **state)
{
	static const char *const firsts[2] = { "rsa_sig", "rsa_encrypt" };
	struct side_conf	 sc[2];
	char			 g[2][256], r[2][512], xf[256], pre[512];
	char			 xf2[256];
	struct net		*n;
	int			 k;

	for (k = 0; k < 2; k++) {
		n = pke_net(k == 0 ? "rsa_encrypt" : "rsa_sig", sc, g, r, xf,
		    sizeof(xf));
		snprintf(xf2, sizeof(xf2), "auth_method %s oakley_group 14 "
		    "encr_alg aes auth_alg sha256", firsts[k]);
		snprintf(pre, sizeof(pre), "{\n label \"other\"\n local_addr "
		    "192.0.2.77\n remote_addr 192.0.2.78\n local_id_type dn\n"
		    " local_id \"%s\"\n remote_id \"%s\"\n p1_xform { %s }\n}",
		    dn[0], dn[1], xf2);
		sc[0].pre_rule = pre;
		net_start(n, &sc[0], &sc[1]);
		capture_start(n);
		(void)ike_engine_initiate(n->s[0].eng, "to-peer", n->now);
		net_pump(n);
		capture_stop(n);
		assert_int_equal(ike_engine_child_count(n->s[0].eng), 0);
		assert_true(log_has(n, "select the same local certificate",
		    "an RSA key that decrypts must not also sign"));
		net_free(n);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rsa_self_signed),
		cmocka_unit_test(dss_self_signed),
		cmocka_unit_test(ecdsa_self_signed),
		cmocka_unit_test(ecdsa384_self_signed),
		cmocka_unit_test(ecdsa521_self_signed),
		cmocka_unit_test(ca_chain),
		cmocka_unit_test(intermediate_from_payload),
		cmocka_unit_test(revoked_rejected),
		cmocka_unit_test(expired_rejected),
		cmocka_unit_test(missing_crl_rejected),
		cmocka_unit_test(ignore_crls_accepts),
		cmocka_unit_test(remote_id_exclusion_rejected),
		cmocka_unit_test(untrusted_self_signed_rejected),
		cmocka_unit_test(id_not_in_certificate_rejected),
		cmocka_unit_test(altered_signature_rejected),
		cmocka_unit_test(wrong_key_for_certificate),
		cmocka_unit_test(rule_chosen_by_method),
		cmocka_unit_test(preshared_rule_refuses_rsa),
		cmocka_unit_test(pke_rsa2048),
		cmocka_unit_test(pke_rsa3072),
		cmocka_unit_test(pke_revised_rsa2048),
		cmocka_unit_test(pke_revised_rsa3072),
		cmocka_unit_test(pke_wrong_key_same_line),
		cmocka_unit_test(pke_no_padding_oracle),
		cmocka_unit_test(pke_revised_no_padding_oracle),
		cmocka_unit_test(pke_missing_peer_certificate),
		cmocka_unit_test(pke_key_shared_with_signatures),
	};
	int	rc;

	log_init("test_cert_engine", LOG_DEST_STDERR);
	snprintf(test_dir, sizeof(test_dir), "%s", certtest_tmpdir());
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	certtest_rmdir(test_dir);
	if (pki_dir[0] != '\0') {
		*strrchr(pki_dir, '/') = '\0';
		certtest_rmdir(pki_dir);
	}
	return (rc);
}
