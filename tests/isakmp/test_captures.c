/*
 * Decode real ISAKMP captures: Main Mode and Quick Mode exchanges from
 * suricata-verify and tcpdump, a NAT-T float to port 4500, IKEv2
 * exchanges (which must be rejected by version), and fuzzer-made
 * malformed packets (which must be rejected without a sanitizer report).
 * The captures live outside the repository; without them the test is
 * skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "capture.h"
#include "isakmp/msg.h"
#include "isakmp/print.h"
#include "lib/err.h"
#include "lib/util.h"
#include "lib/wbuf.h"

#define MSG_MAX	64

static char	pcaps[4096];

/* Copies of the ISAKMP messages of one capture. */
struct capture_set {
	size_t		 n;
	size_t		 frame[MSG_MAX];
	uint16_t	 dport[MSG_MAX];
	uint8_t		*data[MSG_MAX];
	size_t		 len[MSG_MAX];
};

static int
set_add(void *arg, const struct capture_msg *m)
{
	struct capture_set	*s = arg;

	if (s->n == MSG_MAX)
		return (1);
	s->frame[s->n] = m->cm_frame;
	s->dport[s->n] = m->cm_dport;
	s->data[s->n] = malloc(m->cm_len + 1);
	assert_non_null(s->data[s->n]);
	memcpy(s->data[s->n], m->cm_data, m->cm_len);
	s->len[s->n] = m->cm_len;
	s->n++;
	return (0);
}

static void
set_load(struct capture_set *s, const char *name)
{
	char	path[4200];
	int	r;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "%s/%s", pcaps, name);
	r = capture_walk(path, set_add, s);
	assert_true(r >= 0);
	assert_int_equal((size_t)r, s->n);
}

static void
set_free(struct capture_set *s)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		free(s->data[i]);
}

static void
parse_msg(const struct capture_set *s, size_t i, struct isakmp_msg *msg)
{
	struct isakmp_error	err;
	int			r;

	r = isakmp_msg_parse(s->data[i], s->len[i], msg, &err);
	if (r != 0)
		fail_msg("frame %zu: %s", s->frame[i], err.ie_msg);
}

static void
assert_hex(const uint8_t *p, size_t len, const char *hex)
{
	char	buf[1024];

	assert_true(2 * len < sizeof(buf));
	util_hex_encode(buf, sizeof(buf), p, len);
	assert_string_equal(buf, hex);
}

/* Building the parsed message again gives the captured bytes. */
static void
assert_rebuild_same(const struct capture_set *s, size_t i,
    const struct isakmp_msg *msg)
{
	struct wbuf	wb;

	wbuf_init(&wb, 0);
	assert_int_equal(isakmp_msg_build(&wb, msg), 0);
	assert_int_equal(wb.wb_len, s->len[i]);
	assert_memory_equal(wb.wb_data, s->data[i], s->len[i]);
	wbuf_free(&wb);
}

static uint64_t
attr_value(const struct isakmp_transform *t, uint16_t type)
{
	const struct isakmp_attr	*a = isakmp_transform_attr(t, type);
	uint64_t			 v = 0;

	assert_non_null(a);
	assert_int_equal(isakmp_attr_get(a, &v), 0);
	return (v);
}

static const struct isakmp_transform *
first_transform(const struct isakmp_msg *msg)
{
	const struct isakmp_payload	*sa;

	sa = isakmp_msg_find(msg, ISAKMP_PL_SA, 0);
	assert_non_null(sa);
	assert_int_equal(sa->pl_u.sa.sa_doi, ISAKMP_DOI_IPSEC);
	assert_int_equal(sa->pl_u.sa.sa_situation, ISAKMP_SIT_IDENTITY_ONLY);
	assert_true(sa->pl_u.sa.sa_nproposals >= 1);
	assert_int_equal(sa->pl_u.sa.sa_proposals[0].p_proto,
	    ISAKMP_PROTO_ISAKMP);
	return (&sa->pl_u.sa.sa_proposals[0].p_transforms[0]);
}

struct lines {
	char	text[16384];
};

static void
collect_line(void *arg, const char *line)
{
	struct lines	*l = arg;

	strncat(l->text, line, sizeof(l->text) - strlen(l->text) - 2);
	strcat(l->text, "\n");
}

static void
suricata_main_mode(void **state)
{
	const struct isakmp_transform	*t;
	const struct isakmp_payload	*pl;
	struct capture_set		 s;
	struct isakmp_msg		 msg;
	struct isakmp_hdr		 h;
	struct isakmp_error		 err;
	struct lines			*l;
	size_t				 i;

	set_load(&s, "suricata-verify/ikev1-isakmp-main-mode.pcap");
	assert_int_equal(s.n, 9);

	/* Message 1: the initiator's SA offer. */
	parse_msg(&s, 0, &msg);
	assert_hex(msg.m_hdr.h_icookie, 8, "e47a591fd057587f");
	assert_hex(msg.m_hdr.h_rcookie, 8, "0000000000000000");
	assert_int_equal(msg.m_hdr.h_exchange, ISAKMP_EX_IDPROT);
	t = first_transform(&msg);
	assert_int_equal(t->t_id, ISAKMP_XF_KEY_IKE);
	assert_int_equal(attr_value(t, ISAKMP_P1_ENC), ISAKMP_ENC_AES_CBC);
	assert_int_equal(attr_value(t, ISAKMP_P1_KEY_LENGTH), 128);
	assert_int_equal(attr_value(t, ISAKMP_P1_HASH), ISAKMP_HASH_SHA);
	assert_int_equal(attr_value(t, ISAKMP_P1_GROUP_DESC),
	    ISAKMP_GROUP_MODP_1024);
	assert_int_equal(attr_value(t, ISAKMP_P1_AUTH), ISAKMP_AUTH_PSK);
	assert_int_equal(attr_value(t, ISAKMP_P1_LIFE_TYPE),
	    ISAKMP_LIFE_SECONDS);
	assert_int_equal(attr_value(t, ISAKMP_P1_LIFE_DURATION), 86400);
	assert_int_equal(isakmp_msg_count(&msg, ISAKMP_PL_VID), 4);
	pl = isakmp_msg_find(&msg, ISAKMP_PL_VID, 0);
	assert_hex(pl->pl_u.data.data, pl->pl_u.data.len,
	    "4a131c81070358455c5728f20e95452f");	/* RFC 3947 */
	l = calloc(1, sizeof(*l));
	assert_non_null(l);
	isakmp_print_msg(&msg, collect_line, l);
	assert_non_null(strstr(l->text, "Initiator SPI: e47a591fd057587f\n"));
	assert_non_null(strstr(l->text, "IKE Attribute (t=4,l=2): "
	    "Group-Description: Alternate 1024-bit MODP group (2)\n"));
	assert_non_null(strstr(l->text,
	    "IKE Attribute (t=12,l=4): Life-Duration: 86400\n"));
	free(l);
	assert_rebuild_same(&s, 0, &msg);
	isakmp_msg_free(&msg);

	/* Message 2: the responder's choice and cookie. */
	parse_msg(&s, 1, &msg);
	assert_hex(msg.m_hdr.h_rcookie, 8, "a00b8ef0902bb8ec");
	assert_int_equal(attr_value(first_transform(&msg), ISAKMP_P1_ENC),
	    ISAKMP_ENC_AES_CBC);
	assert_rebuild_same(&s, 1, &msg);
	isakmp_msg_free(&msg);

	/* Messages 3 and 4: KE, nonces and RFC 3947 NAT-D. */
	parse_msg(&s, 2, &msg);
	pl = isakmp_msg_find(&msg, ISAKMP_PL_KE, 0);
	assert_int_equal(pl->pl_u.data.len, 128);	/* group 2 */
	pl = isakmp_msg_find(&msg, ISAKMP_PL_NONCE, 0);
	assert_hex(pl->pl_u.data.data, pl->pl_u.data.len,
	    "89d7c8fbf94b515b521d5d9589c2602021e1a709");
	assert_int_equal(isakmp_msg_count(&msg, ISAKMP_PL_NAT_D), 2);
	assert_int_equal(isakmp_msg_find(&msg, ISAKMP_PL_NAT_D, 0)
	    ->pl_u.data.len, 20);
	assert_rebuild_same(&s, 2, &msg);
	isakmp_msg_free(&msg);
	parse_msg(&s, 3, &msg);
	pl = isakmp_msg_find(&msg, ISAKMP_PL_NONCE, 0);
	assert_hex(pl->pl_u.data.data, pl->pl_u.data.len,
	    "15b688421ed5c3dd92d3b86e47a76f0d39cc09e0");
	assert_int_equal(isakmp_msg_count(&msg, ISAKMP_PL_NAT_D), 2);
	assert_rebuild_same(&s, 3, &msg);
	isakmp_msg_free(&msg);

	/* Messages 5 to 9 are encrypted: the header alone is parsed. */
	for (i = 4; i < s.n; i++) {
		assert_int_equal(isakmp_hdr_parse(s.data[i], s.len[i], &h,
		    &err), 0);
		assert_true(h.h_flags & ISAKMP_FLAG_ENC);
		assert_hex(h.h_icookie, 8, "e47a591fd057587f");
		assert_hex(h.h_rcookie, 8, "a00b8ef0902bb8ec");
		assert_int_equal(isakmp_msg_parse(s.data[i], s.len[i], &msg,
		    &err), ERR_UNSUPPORTED);
	}
	set_free(&s);
}

/*
 * Count the lines of tcpdump's -v output for one frame that contain
 * needle.  Frames start with a line "<spaces><number>  <date>".
 */
static int
tcpdump_count(const char *name, size_t frame, const char *needle)
{
	char	 path[4200], line[1024];
	FILE	*f;
	size_t	 cur = 0;
	int	 n = 0;

	snprintf(path, sizeof(path), "%s/%s", pcaps, name);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long	num;
		char		c;

		if (sscanf(line, " %lu %c", &num, &c) == 2 &&
		    line[0] == ' ' && c == '2')
			cur = num;
		else if (cur == frame && strstr(line, needle) != NULL)
			n++;
	}
	fclose(f);
	return (n);
}

static void
tcpdump_sa_setup(void **state)
{
	const struct isakmp_transform	*t;
	const struct isakmp_payload	*pl;
	struct capture_set		 s;
	struct isakmp_msg		 msg;
	struct isakmp_hdr		 h;
	struct isakmp_error		 err;
	size_t				 i;

	set_load(&s, "tcpdump/ISAKMP_sa_setup.pcap");
	assert_int_equal(s.n, 9);
	for (i = 0; i < 4; i++) {
		parse_msg(&s, i, &msg);
		/* Payload counts agree with tcpdump's decode. */
		assert_int_equal(isakmp_msg_count(&msg, ISAKMP_PL_VID),
		    tcpdump_count("tcpdump/isakmp5-v.out", s.frame[i],
		    "(vid:"));
		assert_int_equal(isakmp_msg_count(&msg, ISAKMP_PL_NAT_D_OLD),
		    tcpdump_count("tcpdump/isakmp5-v.out", s.frame[i],
		    "(pay15)"));
		assert_rebuild_same(&s, i, &msg);
		if (i < 2) {
			t = first_transform(&msg);
			assert_int_equal(attr_value(t, ISAKMP_P1_ENC),
			    ISAKMP_ENC_AES_CBC);
			assert_int_equal(attr_value(t, ISAKMP_P1_KEY_LENGTH),
			    128);
			assert_int_equal(attr_value(t, ISAKMP_P1_HASH),
			    ISAKMP_HASH_SHA);
			assert_int_equal(attr_value(t, ISAKMP_P1_GROUP_DESC),
			    ISAKMP_GROUP_MODP_768);
			assert_int_equal(attr_value(t, ISAKMP_P1_AUTH),
			    ISAKMP_AUTH_PSK);
			assert_int_equal(attr_value(t,
			    ISAKMP_P1_LIFE_DURATION), 86400);
		} else {
			pl = isakmp_msg_find(&msg, ISAKMP_PL_KE, 0);
			assert_int_equal(pl->pl_u.data.len, 96);
			pl = isakmp_msg_find(&msg, ISAKMP_PL_NONCE, 0);
			assert_int_equal(pl->pl_u.data.len, 20);
			/* Draft NAT-D payloads, type 15, two per message. */
			assert_int_equal(isakmp_msg_count(&msg,
			    ISAKMP_PL_NAT_D_OLD), 2);
		}
		isakmp_msg_free(&msg);
	}
	for (i = 4; i < s.n; i++) {
		assert_int_equal(isakmp_hdr_parse(s.data[i], s.len[i], &h,
		    &err), 0);
		assert_true(h.h_flags & ISAKMP_FLAG_ENC);
		assert_int_equal(h.h_exchange, i < 6 ? ISAKMP_EX_IDPROT :
		    ISAKMP_EX_QUICK);
		assert_int_equal(h.h_msgid, i < 6 ? 0 : 0x0f2b7862);
	}
	set_free(&s);
}

static void
tcpdump_nat_t_float(void **state)
{
	const struct isakmp_transform	*t;
	struct capture_set		 s;
	struct isakmp_msg		 msg;
	struct isakmp_hdr		 h;
	struct isakmp_error		 err;
	size_t				 i, on4500 = 0;

	set_load(&s, "tcpdump/isakmp4500.pcap");
	/* 15 ISAKMP messages; ESP and the keepalive are skipped. */
	assert_int_equal(s.n, 15);
	parse_msg(&s, 0, &msg);
	t = first_transform(&msg);
	assert_int_equal(t->t_id, ISAKMP_XF_KEY_IKE);
	assert_int_equal(attr_value(t, ISAKMP_P1_ENC), ISAKMP_ENC_3DES_CBC);
	assert_int_equal(attr_value(t, ISAKMP_P1_AUTH), ISAKMP_AUTH_RSA_SIG);
	assert_int_equal(attr_value(t, ISAKMP_P1_LIFE_DURATION), 3600);
	assert_int_equal(attr_value(t, ISAKMP_P1_GROUP_DESC),
	    ISAKMP_GROUP_MODP_1536);
	assert_rebuild_same(&s, 0, &msg);
	isakmp_msg_free(&msg);
	for (i = 1; i < 4; i++) {
		parse_msg(&s, i, &msg);
		assert_rebuild_same(&s, i, &msg);
		if (i >= 2) {
			assert_int_equal(isakmp_msg_count(&msg,
			    ISAKMP_PL_NAT_D), 2);
			assert_non_null(isakmp_msg_find(&msg, ISAKMP_PL_KE,
			    0));
		}
		isakmp_msg_free(&msg);
	}
	/* After the float: non-ESP marker removed, bodies encrypted. */
	for (i = 4; i < s.n; i++) {
		assert_int_equal(s.dport[i], 4500);
		assert_int_equal(isakmp_hdr_parse(s.data[i], s.len[i], &h,
		    &err), 0);
		assert_true(h.h_flags & ISAKMP_FLAG_ENC);
		on4500++;
	}
	assert_int_equal(on4500, 11);
	set_free(&s);
}

/* A Life-Duration before its Life-Type, then a second pair. */
static void
suricata_repeated_life(void **state)
{
	const struct isakmp_transform	*t;
	struct capture_set		 s;
	struct isakmp_msg		 msg;

	set_load(&s, "suricata-verify/ikev1-duplicate-proposals.pcap");
	assert_int_equal(s.n, 1);
	parse_msg(&s, 0, &msg);
	t = first_transform(&msg);
	assert_int_equal(t->t_nattrs, 8);
	assert_int_equal(t->t_attrs[3].a_type, ISAKMP_P1_LIFE_DURATION);
	assert_int_equal(t->t_attrs[3].a_value, 86400);
	assert_int_equal(t->t_attrs[6].a_type, ISAKMP_P1_LIFE_TYPE);
	assert_int_equal(t->t_attrs[7].a_type, ISAKMP_P1_LIFE_DURATION);
	assert_int_equal(t->t_attrs[7].a_value, 65535);
	assert_rebuild_same(&s, 0, &msg);
	isakmp_msg_free(&msg);
	set_free(&s);
}

static void
ikev2_rejected(void **state)
{
	static const char	*files[] = {
		"tcpdump/ikev2four.pcap", "tcpdump/ikev2pI2.pcap",
		"tcpdump/ikev2-id-normal.pcap", "tcpdump/ikev2-id-short.pcap",
		"suricata-verify/IKEv2_SA_INIT_2-8-weak.pcap",
	};
	struct capture_set	 s;
	struct isakmp_msg	 msg;
	struct isakmp_error	 err;
	size_t			 f, i;

	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		set_load(&s, files[f]);
		assert_true(s.n > 0);
		for (i = 0; i < s.n; i++) {
			assert_int_equal(isakmp_msg_parse(s.data[i], s.len[i],
			    &msg, &err), ERR_UNSUPPORTED);
			assert_int_equal(err.ie_notify,
			    ISAKMP_N_INVALID_MAJOR_VERSION);
			assert_non_null(strstr(err.ie_msg,
			    "IKEv2 (version 2.0) is not supported"));
		}
		set_free(&s);
	}
}

/*
 * Parse a message every way the daemon could: whole, and its body as a
 * decrypted chain.  Print what parsed and build it again.
 */
static void
parse_any_way(const uint8_t *p, size_t len)
{
	struct isakmp_msg	msg;
	struct isakmp_error	err;
	struct lines		*l;
	struct wbuf		wb;
	int			r;

	l = calloc(1, sizeof(*l));
	assert_non_null(l);
	wbuf_init(&wb, 0);
	r = isakmp_msg_parse(p, len, &msg, &err);
	if (r != 0)
		assert_true(strlen(err.ie_msg) > 0);
	else {
		isakmp_print_msg(&msg, collect_line, l);
		assert_int_equal(isakmp_msg_build(&wb, &msg), 0);
		isakmp_msg_free(&msg);
	}
	if (len > ISAKMP_HDR_LEN) {
		memset(&msg, 0, sizeof(msg));
		r = isakmp_payloads_parse(&msg, p[16], p + ISAKMP_HDR_LEN,
		    len - ISAKMP_HDR_LEN, ISAKMP_HDR_LEN, ISAKMP_PARSE_PADDED,
		    &err);
		if (r == 0) {
			isakmp_print_msg(&msg, collect_line, l);
			isakmp_msg_free(&msg);
		} else
			assert_true(strlen(err.ie_msg) > 0);
	}
	wbuf_free(&wb);
	free(l);
}

static void
malformed_rejected(void **state)
{
	char		 dir[4200];
	struct dirent	*de;
	DIR		*d;
	struct capture_set s;
	size_t		 i, files = 0, msgs = 0;

	snprintf(dir, sizeof(dir), "%s/tcpdump/malformed", pcaps);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		char	name[512];

		if (strstr(de->d_name, ".pcap") == NULL)
			continue;
		snprintf(name, sizeof(name), "tcpdump/malformed/%s",
		    de->d_name);
		set_load(&s, name);
		for (i = 0; i < s.n; i++)
			parse_any_way(s.data[i], s.len[i]);
		msgs += s.n;
		files++;
		set_free(&s);
	}
	closedir(d);
	assert_int_equal(files, 12);
	assert_true(msgs >= 8);
}

/* Every message of every capture, through every parser entry point. */
static void
all_captures_robust(void **state)
{
	static const char	*files[] = {
		"suricata-verify/ikev1-isakmp-main-mode.pcap",
		"suricata-verify/ikev1-duplicate-proposals.pcap",
		"suricata-verify/IKEv2_SA_INIT_2-8-weak.pcap",
		"tcpdump/ISAKMP_sa_setup.pcap", "tcpdump/isakmp4500.pcap",
		"tcpdump/ikev2four.pcap", "tcpdump/ikev2pI2.pcap",
		"tcpdump/espudp1.pcap",
	};
	struct capture_set	 s;
	size_t			 f, i, cut;

	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		set_load(&s, files[f]);
		for (i = 0; i < s.n; i++) {
			parse_any_way(s.data[i], s.len[i]);
			/* Every truncation of the message is rejected. */
			for (cut = 0; cut < s.len[i]; cut += 7)
				parse_any_way(s.data[i], cut);
		}
		set_free(&s);
	}
}

/* Copy line without leading blanks and with runs of spaces made one. */
static void
squeeze(char *out, size_t outlen, const char *line)
{
	size_t	n = 0;

	while (*line == ' ')
		line++;
	for (; *line != '\0' && *line != '\n' && n + 1 < outlen; line++) {
		if (*line == ' ' && n > 0 && out[n - 1] == ' ')
			continue;
		out[n++] = *line;
	}
	out[n] = '\0';
}

/* tshark's lines for one frame, squeezed, from the ISAKMP tree on. */
static char *
tshark_lines(const char *name, size_t frame)
{
	char	 cmd[4400], line[4096], sq[4096], *all;
	size_t	 len = 0, cap = 1 << 16;
	FILE	*p;
	int	 on = 0;

	snprintf(cmd, sizeof(cmd), "tshark -r '%s/%s' -V -Y "
	    "'frame.number==%zu' 2>/dev/null", pcaps, name, frame);
	p = popen(cmd, "r");
	assert_non_null(p);
	all = calloc(1, cap);
	assert_non_null(all);
	all[len++] = '\n';
	while (fgets(line, sizeof(line), p) != NULL) {
		if (strncmp(line, "Internet Security Association", 29) == 0)
			on = 1;
		squeeze(sq, sizeof(sq), line);
		if (!on || len + strlen(sq) + 2 >= cap)
			continue;
		len += (size_t)sprintf(all + len, "%s\n", sq);
	}
	pclose(p);
	return (all);
}

/*
 * Whether tshark printed our line: the same, or the same but for the
 * value number we add to attribute lines, the vendor name we give a VID,
 * or the end of a hex string tshark cuts with an ellipsis.
 */
static int
tshark_has(const char *all, const char *ours)
{
	char		 want[4200];
	const char	*p, *cut = NULL;
	size_t		 n;

	snprintf(want, sizeof(want), "\n%s\n", ours);
	if (strstr(all, want) != NULL)
		return (1);
	if (strstr(ours, "Attribute (t=") != NULL)
		cut = strrchr(ours, ' ');	/* before " (7)" */
	else if (strncmp(ours, "Payload: Vendor ID", 18) == 0 &&
	    (cut = strstr(ours, " : ")) == NULL)
		cut = ours + strlen(ours);
	if (cut != NULL) {
		n = (size_t)(cut - ours);
		snprintf(want, sizeof(want), "\n%.*s", (int)n, ours);
		return (strstr(all, want) != NULL);
	}
	/* tshark ends a long hex string with U+2026 after some digits. */
	for (p = strstr(all, "\xe2\x80\xa6\n"); p != NULL;
	    p = strstr(p + 1, "\xe2\x80\xa6\n")) {
		const char	*start = p;

		while (start > all && start[-1] != '\n')
			start--;
		n = (size_t)(p - start);
		if (n > 20 && strncmp(start, ours, n) == 0)
			return (1);
	}
	return (0);
}

struct frame_check {
	const char	*all;
	const char	*file;
	size_t		 frame;
	int		 missing;
};

static void
check_line(void *arg, const char *line)
{
	struct frame_check	*fc = arg;
	char			 sq[4096];

	squeeze(sq, sizeof(sq), line);
	if (tshark_has(fc->all, sq))
		return;
	fprintf(stderr, "%s frame %zu: tshark has no line \"%s\"\n",
	    fc->file, fc->frame, sq);
	fc->missing++;
}

/* Every line the printer writes is one tshark -V writes too. */
static void
printer_matches_tshark(void **state)
{
	static const struct {
		const char	*file;
		size_t		 first, last;
	} cases[] = {
		{ "suricata-verify/ikev1-isakmp-main-mode.pcap", 1, 9 },
		{ "tcpdump/isakmp4500.pcap", 3, 7 },
		{ "tcpdump/ISAKMP_sa_setup.pcap", 1, 2 },
	};
	struct capture_set	 s;
	struct frame_check	 fc;
	struct isakmp_msg	 msg;
	struct isakmp_error	 err;
	size_t			 c, i;
	int			 checked = 0;

	if (system("command -v tshark >/dev/null 2>&1") != 0)
		skip();
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		set_load(&s, cases[c].file);
		for (i = 0; i < s.n; i++) {
			if (s.frame[i] < cases[c].first ||
			    s.frame[i] > cases[c].last)
				continue;
			memset(&fc, 0, sizeof(fc));
			fc.file = cases[c].file;
			fc.frame = s.frame[i];
			fc.all = tshark_lines(fc.file, fc.frame);
			if (isakmp_msg_parse(s.data[i], s.len[i], &msg,
			    &err) == 0) {
				isakmp_print_msg(&msg, check_line, &fc);
				isakmp_msg_free(&msg);
			} else {
				assert_int_equal(isakmp_hdr_parse(s.data[i],
				    s.len[i], &msg.m_hdr, &err), 0);
				isakmp_print_hdr(&msg.m_hdr, check_line, &fc);
			}
			free((char *)fc.all);
			assert_int_equal(fc.missing, 0);
			checked++;
		}
		set_free(&s);
	}
	assert_int_equal(checked, 16);
}

static int
vectors_present(void)
{
	const char	*v = getenv("IKED_VECTORS");
	struct stat	 st;

	if (v == NULL || *v == '\0')
		v = "../shared/vectors";
	snprintf(pcaps, sizeof(pcaps), "%s/pcaps", v);
	return (stat(pcaps, &st) == 0 && S_ISDIR(st.st_mode));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(suricata_main_mode),
		cmocka_unit_test(tcpdump_sa_setup),
		cmocka_unit_test(tcpdump_nat_t_float),
		cmocka_unit_test(suricata_repeated_life),
		cmocka_unit_test(ikev2_rejected),
		cmocka_unit_test(malformed_rejected),
		cmocka_unit_test(all_captures_robust),
		cmocka_unit_test(printer_matches_tshark),
	};

	if (!vectors_present()) {
		printf("skipped: no captures in %s (set IKED_VECTORS)\n",
		    pcaps);
		return (77);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
