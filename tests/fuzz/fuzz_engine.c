/*
 * libFuzzer target for the IKEv1 engine at the exchange level.  Two
 * engines (preshared keys, Curve25519, none kernel backend, a clock owned
 * here) negotiate through memory up to a chosen point.  The input is then
 * taken as the plaintext payload chain of one message to one of them.
 * Messages after MM4 are encrypted here with the SA's own key and IV, so
 * they pass decryption and reach the payload handlers.  With the "fix
 * hash" flag, the HASH payload that leads the chain gets its correct
 * value, so Informational and Quick Mode handlers run as for an
 * authenticated peer.
 *
 * Input: byte 0 the state (enum fuzz_state), byte 1 flags (FUZZ_F_*),
 * byte 2 the first payload type, bytes 3-6 a message ID (new Quick Mode
 * and Informational), then the payload chain.
 *
 * Checks besides the sanitizers: a message without a correct HASH must
 * leave an established ISAKMP SA and its IPsec SAs as they were, and an
 * engine must still run its timers and shut down cleanly after any input.
 * Every debug category is on, so the message printers run too.  Set
 * FUZZ_ENGINE_LOG=1 to see the engines' log lines.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/diag.h"
#include "crypto/ikev1_kdf.h"
#include "crypto/prf.h"
#include "ike/ike.h"
#include "ike/ike_int.h"
#include "isakmp/msg.h"
#include "kernel/kernel.h"
#include "lib/log.h"
#include "lib/wbuf.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* States in which the input is delivered, with the side that receives it. */
enum fuzz_state {
	FUZZ_MM_R_AFTER_MM2,	/* responder, expects MM3 (clear) */
	FUZZ_MM_I_AFTER_MM1,	/* initiator, expects MM2 (clear) */
	FUZZ_MM_R_AFTER_MM4,	/* responder, expects MM5 (encrypted) */
	FUZZ_MM_I_AFTER_MM5,	/* initiator, expects MM6 (encrypted) */
	FUZZ_P1_INFO,		/* either side: an Informational */
	FUZZ_P1_NEW_QM,		/* either side: QM1 of a new Quick Mode */
	FUZZ_QM_R_AFTER_QM2,	/* Quick Mode responder, expects QM3 */
	FUZZ_QM_I_AFTER_QM1,	/* Quick Mode initiator, expects QM2 */
	FUZZ_NSTATES
};

#define FUZZ_F_FIX_HASH		0x01	/* give the leading HASH its value */
#define FUZZ_F_OTHER_SIDE	0x02	/* established states: the initiator */
#define FUZZ_F_RUN_TIMERS	0x04	/* then let 40 s of timers run */
#define FUZZ_HEADER_LEN		7	/* input bytes before the chain */
#define FUZZ_QUEUE_MAX		64

/* Messages of a full negotiation started by side 0, in order. */
#define FUZZ_MSG_MM1	1
#define FUZZ_MSG_QM1	7

struct fuzz_pkt {
	int			 from;
	struct sockaddr_storage	 local;
	struct sockaddr_storage	 remote;
	uint8_t			*data;
	size_t			 len;
};

struct fuzz_net;

struct fuzz_side {
	struct fuzz_net		*net;
	int			 idx;
	struct ike_engine	*eng;
	struct kernel		*kern;
};

struct fuzz_net {
	struct fuzz_side	 s[2];
	struct fuzz_pkt		 q[FUZZ_QUEUE_MAX];
	size_t			 nq;
	uint64_t		 now;
};

static const char *const fuzz_addr[2] = { "198.51.100.1", "198.51.100.2" };
static const char *const fuzz_inner[2] = { "192.0.2.0/24", "203.0.113.0/24" };
static const uint8_t fuzz_mm2_rcookie[ISAKMP_COOKIE_LEN] = {
	0x52, 0x43, 0x4b, 0x49, 0x45, 0x31, 0x32, 0x33
};

static int
fuzz_send(void *arg, const struct ike_packet *pk)
{
	struct fuzz_side	*s = arg;
	struct fuzz_net		*n = s->net;
	struct fuzz_pkt		*p;

	if (n->nq == FUZZ_QUEUE_MAX)
		return (0);
	p = &n->q[n->nq];
	if ((p->data = malloc(pk->pk_len)) == NULL)
		return (0);
	n->nq++;
	p->from = s->idx;
	p->local = pk->pk_local;
	p->remote = pk->pk_remote;
	memcpy(p->data, pk->pk_data, pk->pk_len);
	p->len = pk->pk_len;
	return (0);
}

static void
fuzz_timer(void *arg, uint64_t deadline)
{
}

static void
fuzz_expire(void *arg, const struct kernel_expire *exp)
{
	struct fuzz_side	*s = arg;

	ike_engine_expire(s->eng, exp, s->net->now);
}

static const struct kernel_callbacks fuzz_kernel_cb = {
	.kc_expire = fuzz_expire,
};

static const struct ike_host fuzz_host = {
	.ih_send = fuzz_send,
	.ih_timer_changed = fuzz_timer,
};

/* Build the configuration of side i from text, as the daemon would. */
static struct config *
fuzz_config(int i)
{
	char			 ike[1024], psk[512], pol[512];
	struct config_diag	 diag;
	struct config		*cf;
	int			 rc;

	snprintf(ike, sizeof(ike),
	    "retry_limit 2\nretry_timer_init 1\nretry_timer_max 2\n"
	    "expire_timer 30\np2_pfs 31\n"
	    "p1_xform { auth_method preshared oakley_group 31 auth_alg sha1 "
	    "encr_alg aes(128..128) }\n"
	    "{ label \"peer\" local_addr %s remote_addr %s }\n",
	    fuzz_addr[i], fuzz_addr[1 - i]);
	snprintf(psk, sizeof(psk),
	    "{ localidtype IP localid %s remoteidtype IP remoteid %s "
	    "key \"fuzz-psk-0123456789\" }\n", fuzz_addr[i], fuzz_addr[1 - i]);
	snprintf(pol, sizeof(pol),
	    "{ tsrc %s tdst %s laddr %s raddr %s } ipsec { encr_algs aes(128) "
	    "encr_auth_algs hmac-sha1 sa shared }\n", fuzz_addr[i],
	    fuzz_addr[1 - i], fuzz_inner[i], fuzz_inner[1 - i]);
	if ((cf = config_new()) == NULL)
		abort();
	diag_init(&diag);
	rc = config_parse_buf(cf, CONFIG_FILE_IKE, "ike.config", ike,
	    strlen(ike), &diag);
	if (rc == 0)
		rc = config_parse_buf(cf, CONFIG_FILE_PRESHARED,
		    "ike.preshared", psk, strlen(psk), &diag);
	if (rc == 0)
		rc = config_parse_buf(cf, CONFIG_FILE_IPSECINIT,
		    "ipsecinit.conf", pol, strlen(pol), &diag);
	if (rc == 0)
		rc = config_validate(cf, &diag);
	if (rc != 0 || diag_count(&diag) != 0) {
		fprintf(stderr, "fuzz_engine: the built-in configuration of "
		    "side %d is invalid\n", i);
		abort();
	}
	diag_free(&diag);
	return (cf);
}

static void
fuzz_net_init(struct fuzz_net *n)
{
	int	i;

	memset(n, 0, sizeof(*n));
	n->now = 1000;
	for (i = 0; i < 2; i++) {
		struct fuzz_side *s = &n->s[i];

		s->net = n;
		s->idx = i;
		if (kernel_open(&s->kern, KERNEL_BACKEND_NONE, NULL,
		    &fuzz_kernel_cb, s, NULL) != 0 ||
		    (s->eng = ike_engine_new(&fuzz_host, s, s->kern)) == NULL ||
		    ike_engine_set_config(s->eng, fuzz_config(i), n->now) != 0)
			abort();
	}
}

static void
fuzz_net_free(struct fuzz_net *n)
{
	size_t	i;
	int	j;

	for (j = 0; j < 2; j++) {
		ike_engine_shutdown(n->s[j].eng, n->now);
		ike_engine_free(n->s[j].eng);
		kernel_close(n->s[j].kern);
	}
	for (i = 0; i < n->nq; i++)
		free(n->q[i].data);
}

/* Deliver the oldest queued datagram; returns 0 when none is queued. */
static int
fuzz_deliver(struct fuzz_net *n)
{
	struct ike_packet	in;
	struct fuzz_pkt		p;

	if (n->nq == 0)
		return (0);
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
	return (1);
}

static void
fuzz_drop_queue(struct fuzz_net *n)
{
	while (n->nq > 0)
		free(n->q[--n->nq].data);
}

/* Run the timers of both engines for ms, delivering what they send. */
static void
fuzz_run(struct fuzz_net *n, uint64_t ms)
{
	uint64_t	end = n->now + ms;
	int		rounds;

	while (n->now < end) {
		n->now += 500;
		ike_engine_run_timers(n->s[0].eng, n->now);
		ike_engine_run_timers(n->s[1].eng, n->now);
		for (rounds = 0; rounds < 100 && fuzz_deliver(n); rounds++)
			continue;
	}
}

static struct ike_p1 *
fuzz_first_p1(struct fuzz_side *s)
{
	return (TAILQ_FIRST(&s->eng->e_p1s));
}

/*
 * Negotiate from side 0 until count datagrams were delivered (0: all),
 * then drop what is queued.  Returns -1 when the negotiation did not get
 * that far, which would be a bug in the engine.
 */
static int
fuzz_negotiate(struct fuzz_net *n, int count)
{
	int	i;

	if (ike_engine_initiate(n->s[0].eng, "peer", n->now) != 0)
		return (-1);
	for (i = 0; count == 0 || i < count; i++) {
		if (!fuzz_deliver(n))
			break;
	}
	fuzz_drop_queue(n);
	return (count == 0 || i == count ? 0 : -1);
}

/*
 * Write the HASH that st expects into a chain that starts with a HASH
 * payload at least as long as the PRF output, and set its length to that.
 */
static void
fuzz_fix_hash(enum fuzz_state st, struct ike_p1 *p1, struct ike_qm *qm,
    uint32_t msgid, uint8_t first, struct wbuf *body)
{
	struct wbuf	 h;
	size_t		 hl = prf_length(p1->p1_hash), off = 4 + hl;
	uint8_t		*b = body->wb_data;
	int		 rc;

	if (first != ISAKMP_PL_HASH || body->wb_len < off)
		return;
	b[2] = (uint8_t)(off >> 8);
	b[3] = (uint8_t)off;
	wbuf_init(&h, 0);
	switch (st) {
	case FUZZ_P1_INFO:
		rc = ikev1_info_hash(p1->p1_hash, p1->p1_skeyid_a.wb_data,
		    p1->p1_skeyid_a.wb_len, msgid, b + off,
		    body->wb_len - off, &h);
		break;
	case FUZZ_P1_NEW_QM:
		rc = ikev1_qm_hash1(p1->p1_hash, p1->p1_skeyid_a.wb_data,
		    p1->p1_skeyid_a.wb_len, msgid, b + off,
		    body->wb_len - off, &h);
		break;
	case FUZZ_QM_R_AFTER_QM2:
		rc = ikev1_qm_hash3(p1->p1_hash, p1->p1_skeyid_a.wb_data,
		    p1->p1_skeyid_a.wb_len, msgid, qm->qm_ni.wb_data,
		    qm->qm_ni.wb_len, qm->qm_nr.wb_data, qm->qm_nr.wb_len, &h);
		break;
	case FUZZ_QM_I_AFTER_QM1:
		rc = ikev1_qm_hash2(p1->p1_hash, p1->p1_skeyid_a.wb_data,
		    p1->p1_skeyid_a.wb_len, msgid, qm->qm_ni.wb_data,
		    qm->qm_ni.wb_len, b + off, body->wb_len - off, &h);
		break;
	default:
		rc = -1;
		break;
	}
	if (rc == 0 && h.wb_len == hl)
		memcpy(b + 4, h.wb_data, hl);
	wbuf_free(&h);
}

/* Send body to p1's engine as the peer would: encrypted with iv or clear. */
static void
fuzz_inject(struct fuzz_net *n, struct fuzz_side *to, struct ike_p1 *p1,
    uint8_t exchange, uint32_t msgid, uint8_t first, const uint8_t *iv,
    const struct wbuf *body)
{
	struct isakmp_hdr	 h;
	struct ike_packet	 pk;
	struct wbuf		 out;
	uint8_t			 ivc[CIPHER_MAX_BLOCK];
	int			 rc;

	wbuf_init(&out, 0);
	ike_hdr_fill(p1, &h, exchange, msgid, iv != NULL);
	h.h_next = first;
	/* An MM2 brings the responder cookie that the initiator lacks. */
	if (p1->p1_initiator && p1->p1_state == IKE_P1_MM_I1)
		memcpy(h.h_rcookie, fuzz_mm2_rcookie, ISAKMP_COOKIE_LEN);
	if (iv != NULL) {
		memcpy(ivc, iv, p1->p1_blocklen);
		rc = body->wb_len == 0 ? -1 :
		    ike_msg_encrypt(p1, &out, &h, body, ivc);
	} else {
		h.h_length = ISAKMP_HDR_LEN + body->wb_len;
		rc = isakmp_hdr_write(&out, &h);
		if (rc == 0)
			rc = wbuf_put(&out, body->wb_data, body->wb_len);
	}
	if (rc == 0) {
		memset(&pk, 0, sizeof(pk));
		pk.pk_local = p1->p1_local;
		pk.pk_remote = p1->p1_remote;
		pk.pk_data = out.wb_data;
		pk.pk_len = out.wb_len;
		ike_engine_input(to->eng, &pk, n->now);
	}
	wbuf_free(&out);
}

/* What an unauthenticated message must not change. */
struct fuzz_snapshot {
	uint8_t		 icookie[ISAKMP_COOKIE_LEN];
	uint8_t		 rcookie[ISAKMP_COOKIE_LEN];
	size_t		 sas;		/* kernel SAs of the receiving side */
};

static void
fuzz_snapshot_take(struct fuzz_snapshot *ss, const struct fuzz_side *to,
    const struct ike_p1 *p1)
{
	memcpy(ss->icookie, p1->p1_icookie, ISAKMP_COOKIE_LEN);
	memcpy(ss->rcookie, p1->p1_rcookie, ISAKMP_COOKIE_LEN);
	ss->sas = kernel_none_sa_count(to->kern);
}

static void
fuzz_snapshot_check(const struct fuzz_snapshot *ss, struct fuzz_side *to,
    const char *when)
{
	struct ike_p1	*p1;

	p1 = ike_p1_find(to->eng, ss->icookie, ss->rcookie, NULL);
	if (p1 == NULL || p1->p1_state != IKE_P1_ESTABLISHED) {
		fprintf(stderr, "fuzz_engine: a message without a valid HASH "
		    "removed the established ISAKMP SA (%s)\n", when);
		abort();
	}
	if (kernel_none_sa_count(to->kern) != ss->sas) {
		fprintf(stderr, "fuzz_engine: a message without a valid HASH "
		    "changed the IPsec SAs from %zu to %zu (%s)\n", ss->sas,
		    kernel_none_sa_count(to->kern), when);
		abort();
	}
}

/* Bring n to st and set the receiving side, its ISAKMP SA and Quick Mode. */
static int
fuzz_prepare(struct fuzz_net *n, enum fuzz_state st, int other,
    struct fuzz_side **to, struct ike_p1 **p1, struct ike_qm **qm)
{
	static const int	 counts[FUZZ_NSTATES] = {
		[FUZZ_MM_R_AFTER_MM2] = 2,
		[FUZZ_MM_I_AFTER_MM1] = FUZZ_MSG_MM1,
		[FUZZ_MM_R_AFTER_MM4] = 4,
		[FUZZ_MM_I_AFTER_MM5] = 5,
		[FUZZ_P1_INFO] = 0,
		[FUZZ_P1_NEW_QM] = 0,
		[FUZZ_QM_R_AFTER_QM2] = FUZZ_MSG_QM1,
		[FUZZ_QM_I_AFTER_QM1] = FUZZ_MSG_QM1,
	};
	int			 side;

	if (fuzz_negotiate(n, counts[st]) != 0)
		return (-1);
	switch (st) {
	case FUZZ_MM_R_AFTER_MM2:
	case FUZZ_MM_R_AFTER_MM4:
	case FUZZ_QM_R_AFTER_QM2:
		side = 1;
		break;
	case FUZZ_P1_INFO:
	case FUZZ_P1_NEW_QM:
		side = other ? 0 : 1;
		break;
	default:
		side = 0;
		break;
	}
	*to = &n->s[side];
	*p1 = fuzz_first_p1(*to);
	*qm = *p1 != NULL ? TAILQ_FIRST(&(*p1)->p1_qms) : NULL;
	if (*p1 == NULL)
		return (-1);
	if ((st == FUZZ_QM_R_AFTER_QM2 || st == FUZZ_QM_I_AFTER_QM1) &&
	    *qm == NULL)
		return (-1);
	return (0);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char	 quiet[] = "-close_fd_mask=2";
	static char	*args[64];
	int		 i;

	/*
	 * The engines log every exchange to stderr.  libFuzzer's
	 * -close_fd_mask=2 discards that but keeps its own output and the
	 * sanitizer reports.  libFuzzer reads its flags after this returns.
	 */
	/* Debug output runs the message printers on every input. */
	log_set_debug(D_ALL);
	if (getenv("FUZZ_ENGINE_LOG") != NULL || *argc >= 63)
		return (0);
	for (i = 0; i < *argc; i++)
		args[i] = (*argv)[i];
	args[i++] = quiet;
	args[i] = NULL;
	*argc = i;
	*argv = args;
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_net		 n;
	struct fuzz_snapshot	 ss;
	struct fuzz_side	*to;
	struct ike_p1		*p1;
	struct ike_qm		*qm;
	struct wbuf		 body, ivb;
	enum fuzz_state		 st;
	uint32_t		 msgid;
	uint8_t			 flags, first, exchange = ISAKMP_EX_IDPROT;
	int			 keyed;

	if (size < FUZZ_HEADER_LEN || size > FUZZ_HEADER_LEN + 8192)
		return (0);
	st = (enum fuzz_state)(data[0] % FUZZ_NSTATES);
	flags = data[1];
	first = data[2];
	msgid = (uint32_t)data[3] << 24 | (uint32_t)data[4] << 16 |
	    (uint32_t)data[5] << 8 | data[6];
	fuzz_net_init(&n);
	if (fuzz_prepare(&n, st, flags & FUZZ_F_OTHER_SIDE, &to, &p1,
	    &qm) != 0) {
		fprintf(stderr, "fuzz_engine: the negotiation did not reach "
		    "state %d\n", (int)st);
		abort();
	}
	keyed = st >= FUZZ_P1_INFO;
	if (keyed)
		fuzz_snapshot_take(&ss, to, p1);
	wbuf_init(&body, 0);
	wbuf_init(&ivb, 0);
	if (wbuf_put(&body, data + FUZZ_HEADER_LEN,
	    size - FUZZ_HEADER_LEN) != 0)
		abort();
	switch (st) {
	case FUZZ_MM_I_AFTER_MM1:
	case FUZZ_MM_R_AFTER_MM2:
		fuzz_inject(&n, to, p1, exchange, 0, first, NULL, &body);
		break;
	case FUZZ_MM_R_AFTER_MM4:
	case FUZZ_MM_I_AFTER_MM5:
		fuzz_inject(&n, to, p1, exchange, 0, first, p1->p1_iv, &body);
		break;
	case FUZZ_P1_INFO:
	case FUZZ_P1_NEW_QM:
		exchange = st == FUZZ_P1_INFO ? ISAKMP_EX_INFO :
		    ISAKMP_EX_QUICK;
		if (ikev1_phase2_iv(p1->p1_hash, p1->p1_last_block,
		    p1->p1_blocklen, msgid, &ivb) != 0)
			abort();
		if (flags & FUZZ_F_FIX_HASH)
			fuzz_fix_hash(st, p1, NULL, msgid, first, &body);
		fuzz_inject(&n, to, p1, exchange, msgid, first, ivb.wb_data,
		    &body);
		break;
	case FUZZ_QM_R_AFTER_QM2:
	case FUZZ_QM_I_AFTER_QM1:
		msgid = qm->qm_msgid;
		if (flags & FUZZ_F_FIX_HASH)
			fuzz_fix_hash(st, p1, qm, msgid, first, &body);
		fuzz_inject(&n, to, p1, ISAKMP_EX_QUICK, msgid, first,
		    qm->qm_iv, &body);
		break;
	default:
		abort();
	}
	/* Whatever the input was, p1 and qm may be gone now. */
	if (keyed && !(flags & FUZZ_F_FIX_HASH))
		fuzz_snapshot_check(&ss, to, "after the message");
	if (flags & FUZZ_F_RUN_TIMERS) {
		fuzz_run(&n, 40000);
		if (keyed && !(flags & FUZZ_F_FIX_HASH) &&
		    st != FUZZ_QM_R_AFTER_QM2 && st != FUZZ_QM_I_AFTER_QM1)
			fuzz_snapshot_check(&ss, to, "after 40 s of timers");
	}
	wbuf_free(&ivb);
	wbuf_free(&body);
	fuzz_net_free(&n);
	return (0);
}
