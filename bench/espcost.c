/*
 * espcost: the userspace CPU cost of one ESP packet in in.iked's data
 * plane, without sockets.  Each round encapsulates an IPv4 TCP packet of
 * the TUN device's MTU for an outbound tunnel-mode SA (esp_sa_encap) and
 * decapsulates it with the matching inbound SA (esp_sa_decap), which
 * checks the ICV, the padding, the replay window and the selector.
 *
 *   espcost [-n packets] [-s size]
 *
 * Output: one "espcost:" line of key=value pairs per cipher with the CPU
 * nanoseconds per packet of each direction.  Under valgrind
 * --tool=callgrind with -n set, the instruction counts of esp_sa_encap
 * and esp_sa_decap divided by the packet count are the instructions per
 * packet, which the machine's load does not change.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kernel/esp_sa.h"
#include "kernel/flow.h"
#include "lib/err.h"

#define COST_SIZE	1376	/* the TUN device's MTU */
#define COST_SECONDS	0.5
#define COST_HEADROOM	128

struct cost_case {
	const char	*cc_name;
	uint16_t	 cc_encr;
	size_t		 cc_encr_keylen;
	uint16_t	 cc_auth;
	size_t		 cc_auth_keylen;
};

static const struct cost_case cost_cases[] = {
	{ "aes-gcm-128", KERNEL_ENCR_AES_GCM_16, 20, KERNEL_AUTH_NONE, 0 },
	{ "aes-cbc-128-hmac-sha256", KERNEL_ENCR_AES_CBC, 16,
	    KERNEL_AUTH_HMAC_SHA2_256, 32 },
};

static double
cost_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

static void
cost_addr(struct sockaddr_storage *ss, const char *text)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	if (inet_pton(AF_INET, text, &sin->sin_addr) != 1)
		abort();
}

static void
cost_sa(struct kernel_sa *sa, const struct cost_case *cc, int dir,
    const uint8_t *key)
{
	memset(sa, 0, sizeof(*sa));
	sa->sa_dir = dir;
	cost_addr(&sa->sa_id.id_src, "198.51.100.1");
	cost_addr(&sa->sa_id.id_dst, "198.51.100.2");
	sa->sa_id.id_spi = 0x1000;
	sa->sa_id.id_proto = KERNEL_PROTO_ESP;
	sa->sa_mode = KERNEL_MODE_TUNNEL;
	sa->sa_encr = cc->cc_encr;
	sa->sa_encr_key = key;
	sa->sa_encr_keylen = cc->cc_encr_keylen;
	sa->sa_auth = cc->cc_auth;
	sa->sa_auth_key = key + 32;
	sa->sa_auth_keylen = cc->cc_auth_keylen;
	cost_addr(&sa->sa_sel.sel_src, "192.0.2.1");
	cost_addr(&sa->sa_sel.sel_dst, "203.0.113.1");
	sa->sa_sel.sel_src_prefix = 32;
	sa->sa_sel.sel_dst_prefix = 32;
}

/* An IPv4 TCP packet of size bytes from 192.0.2.1 to 203.0.113.1. */
static void
cost_packet(uint8_t *p, size_t size)
{
	memset(p, 0xa5, size);
	memset(p, 0, 40);
	p[0] = 0x45;
	p[2] = (uint8_t)(size >> 8);
	p[3] = (uint8_t)size;
	p[8] = 64;
	p[9] = IPPROTO_TCP;
	inet_pton(AF_INET, "192.0.2.1", p + 12);
	inet_pton(AF_INET, "203.0.113.1", p + 16);
	p[20] = 0x13;
	p[21] = 0x88;
	p[22] = 0x9c;
	p[23] = 0x40;
	p[32] = 0x50;
	p[33] = 0x10;
}

/* Packets per batch: each batch is encapsulated, then decapsulated. */
#define COST_BATCH	256
#define COST_SLOT	(COST_HEADROOM + COST_SIZE * 2)

static int
cost_batch(struct esp_sa *tx, struct esp_sa *rx, const uint8_t *pkt,
    const struct flow *fl, uint8_t *slots, size_t count, double *t_enc,
    double *t_dec)
{
	static size_t	 lens[COST_BATCH];
	struct flow	 got;
	uint8_t		 src[4], dst[4], *inner;
	size_t		 i, plen;
	double		 t0, t1;
	int		 r;

	inet_pton(AF_INET, "198.51.100.1", src);
	inet_pton(AF_INET, "198.51.100.2", dst);
	t0 = cost_now();
	for (i = 0; i < count; i++) {
		if ((r = esp_sa_encap(tx, pkt, fl, slots + i * COST_SLOT +
		    COST_HEADROOM, COST_SLOT - COST_HEADROOM, &lens[i],
		    &plen)) != 0)
			return (r);
	}
	t1 = cost_now();
	for (i = 0; i < count; i++) {
		if ((r = esp_sa_decap(rx, AF_INET, src, dst, slots +
		    i * COST_SLOT + COST_HEADROOM, lens[i], &inner,
		    &got)) != 0)
			return (r);
	}
	*t_enc += t1 - t0;
	*t_dec += cost_now() - t1;
	return (0);
}

static int
cost_run(const struct cost_case *cc, size_t size, unsigned long fixed)
{
	static uint8_t		 pkt[COST_SIZE * 2];
	uint8_t			 key[64], *slots;
	struct kernel_sa	 sa;
	struct esp_sa		 tx, rx;
	struct flow		 fl;
	double			 t_enc = 0, t_dec = 0;
	unsigned long		 n = 0, count;
	int			 r;

	if ((slots = malloc(COST_BATCH * COST_SLOT)) == NULL)
		return (ERR_NOMEM);
	memset(key, 0x3c, sizeof(key));
	cost_sa(&sa, cc, KERNEL_DIR_OUT, key);
	if ((r = esp_sa_init(&tx, &sa)) != 0) {
		free(slots);
		return (r);
	}
	sa.sa_dir = KERNEL_DIR_IN;
	sa.sa_replay_window = 64;
	if ((r = esp_sa_init(&rx, &sa)) != 0) {
		esp_sa_clear(&tx);
		free(slots);
		return (r);
	}
	cost_packet(pkt, size);
	if ((r = flow_parse(&fl, pkt, size)) != 0)
		goto out;
	while (fixed != 0 ? n < fixed : t_enc + t_dec < COST_SECONDS) {
		count = COST_BATCH;
		if (fixed != 0 && fixed - n < count)
			count = fixed - n;
		if ((r = cost_batch(&tx, &rx, pkt, &fl, slots, count, &t_enc,
		    &t_dec)) != 0)
			goto out;
		n += count;
	}
	printf("espcost: cipher=%s size=%zu packets=%lu encap_ns=%.0f "
	    "decap_ns=%.0f\n", cc->cc_name, size, n, t_enc * 1e9 / (double)n,
	    t_dec * 1e9 / (double)n);
out:
	esp_sa_clear(&tx);
	esp_sa_clear(&rx);
	free(slots);
	return (r);
}

int
main(int argc, char **argv)
{
	unsigned long	fixed = 0;
	size_t		size = COST_SIZE, i;
	int		ch, r;

	while ((ch = getopt(argc, argv, "n:s:")) != -1) {
		switch (ch) {
		case 'n':
			fixed = strtoul(optarg, NULL, 10);
			break;
		case 's':
			size = strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: espcost [-n packets] "
			    "[-s size]\n");
			return (2);
		}
	}
	if (size < 40 || size > COST_SIZE * 2) {
		fprintf(stderr, "espcost: invalid size %zu: use 40 to %d "
		    "bytes\n", size, COST_SIZE * 2);
		return (2);
	}
	for (i = 0; i < sizeof(cost_cases) / sizeof(cost_cases[0]); i++) {
		if ((r = cost_run(&cost_cases[i], size, fixed)) != 0) {
			fprintf(stderr, "espcost: %s failed: %s\n",
			    cost_cases[i].cc_name, err_str(r));
			return (1);
		}
	}
	return (0);
}
