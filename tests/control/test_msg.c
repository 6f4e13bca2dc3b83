/*
 * Control protocol: encode/decode round trips, malformed datagrams, and
 * request dispatch (validation, privilege, key filtering) against the
 * in-memory daemon.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/wbuf.h"
#include "control/control.h"
#include "control/names.h"
#include "control/server.h"
#include "fake_ops.h"

static struct control_msg *
msg_new(void)
{
	struct control_msg	*m = calloc(1, sizeof(*m));

	assert_non_null(m);
	return (m);
}

/* Encode a, decode into b, and check b equals a byte for byte. */
static void
roundtrip(const struct control_msg *a)
{
	struct control_msg	*b = msg_new();
	struct wbuf		 wb;

	wbuf_init(&wb, 1);
	assert_int_equal(control_msg_encode(a, &wb), 0);
	assert_true(wb.wb_len <= CONTROL_MSG_MAX);
	assert_int_equal(control_msg_decode(b, wb.wb_data, wb.wb_len), 0);
	assert_memory_equal(a, b, sizeof(*a));
	wbuf_free(&wb);
	free(b);
}

static void
msg_roundtrip_items(void **state)
{
	struct fake_state	*st = calloc(1, sizeof(*st));
	struct control_msg	*m = msg_new();

	assert_non_null(st);
	fake_state_init(st);
	m->cmd = CONTROL_DUMP_P1S;
	m->has_cursor = 1;
	m->cursor = 7;
	m->item = CONTROL_ITEM_P1;
	m->u.p1 = st->p1[0];
	roundtrip(m);

	memset(m, 0, sizeof(*m));
	m->cmd = CONTROL_GET_RULE;
	m->item = CONTROL_ITEM_RULE;
	m->u.rule = st->rules[0];
	roundtrip(m);
	m->u.rule = st->rules[1];
	roundtrip(m);

	memset(m, 0, sizeof(*m));
	m->cmd = CONTROL_NEW_PS;
	m->has_fd = 0;
	m->item = CONTROL_ITEM_PSK;
	m->u.psk = st->psks[1];
	roundtrip(m);

	memset(m, 0, sizeof(*m));
	m->cmd = CONTROL_GET_DEFS;
	m->item = CONTROL_ITEM_DEFS;
	m->u.defs.builtin.p1_lifetime_secs = 28800;
	m->u.defs.effective.natt_port = 4500;
	roundtrip(m);

	memset(m, 0, sizeof(*m));
	m->cmd = CONTROL_ERROR;
	m->ecode = CONTROL_E_SYS_ERR;
	m->eerrno = 17;
	(void)strcpy(m->text, "detail");
	roundtrip(m);

	memset(m, 0, sizeof(*m));
	m->cmd = CONTROL_SET_DBG;
	m->has_level = 1;
	m->level = 0x58;
	m->old_level = 0x4;
	m->has_fd = 1;
	roundtrip(m);

	memset(m, 0, sizeof(*m));
	m->cmd = CONTROL_DEL_PS;
	m->id.kind = CONTROL_ID_IDENTS;
	m->id.local_id.type = CONTROL_IDT_FQDN;
	(void)strcpy(m->id.local_id.value, "hq.example.com");
	m->id.icookie = 0x0102030405060708ULL;
	roundtrip(m);
	free(m);
	free(st);
}

static void
msg_roundtrip_full_rule(void **state)
{
	struct control_msg	*m = msg_new();
	uint32_t		 i;

	m->cmd = CONTROL_GET_RULE;
	m->item = CONTROL_ITEM_RULE;
	memset(m->u.rule.label, 'L', sizeof(m->u.rule.label) - 1);
	m->u.rule.nlocal = CONTROL_RANGES_MAX;
	m->u.rule.nremote = CONTROL_RANGES_MAX;
	m->u.rule.nlocal_ids = CONTROL_IDS_MAX;
	m->u.rule.nremote_ids = CONTROL_IDS_MAX;
	m->u.rule.nxforms = CONTROL_XFORMS_MAX;
	for (i = 0; i < CONTROL_IDS_MAX; i++) {
		memset(m->u.rule.local_ids[i].sel, 'a',
		    sizeof(m->u.rule.local_ids[i].sel) - 1);
		memset(m->u.rule.remote_ids[i].sel, 'b',
		    sizeof(m->u.rule.remote_ids[i].sel) - 1);
	}
	roundtrip(m);
	free(m);
}

static void
put_hdr(uint8_t *b, uint8_t version, uint8_t cmd, uint32_t len)
{
	b[0] = version;
	b[1] = cmd;
	b[2] = 0;
	b[3] = 0;
	b[4] = (uint8_t)(len >> 24);
	b[5] = (uint8_t)(len >> 16);
	b[6] = (uint8_t)(len >> 8);
	b[7] = (uint8_t)len;
}

static void
msg_decode_rejects_bad_header(void **state)
{
	struct control_msg	*m = msg_new();
	uint8_t			 b[32];

	put_hdr(b, CONTROL_VERSION, CONTROL_GET_DBG, 8);
	assert_int_equal(control_msg_decode(m, b, 8), 0);
	assert_int_equal(control_msg_decode(m, b, 7), ERR_TRUNCATED);
	assert_int_equal(control_msg_decode(m, b, 0), ERR_TRUNCATED);
	put_hdr(b, 1, CONTROL_GET_DBG, 8);
	assert_int_equal(control_msg_decode(m, b, 8), ERR_MALFORMED);
	put_hdr(b, CONTROL_VERSION, CONTROL_ERROR + 1, 8);
	assert_int_equal(control_msg_decode(m, b, 8), ERR_MALFORMED);
	put_hdr(b, CONTROL_VERSION, CONTROL_GET_DBG, 9);
	assert_int_equal(control_msg_decode(m, b, 8), ERR_MALFORMED);
	put_hdr(b, CONTROL_VERSION, CONTROL_GET_DBG, 8);
	b[2] = 1;
	assert_int_equal(control_msg_decode(m, b, 8), ERR_MALFORMED);
	free(m);
}

/* Header plus one field: tag, length, value. */
static size_t
one_field(uint8_t *b, uint16_t tag, uint16_t len, const void *val,
    size_t vlen)
{
	put_hdr(b, CONTROL_VERSION, CONTROL_GET_RULE, (uint32_t)(12 + vlen));
	b[8] = (uint8_t)(tag >> 8);
	b[9] = (uint8_t)tag;
	b[10] = (uint8_t)(len >> 8);
	b[11] = (uint8_t)len;
	memcpy(b + 12, val, vlen);
	return (12 + vlen);
}

static void
msg_decode_rejects_bad_fields(void **state)
{
	struct control_msg	*m = msg_new();
	uint8_t			 b[1024], v[512];
	size_t			 n;

	memset(v, 'x', sizeof(v));
	/* Tag 1 is the cursor: 4 bytes, not 3 or 5. */
	n = one_field(b, 1, 3, v, 3);
	assert_int_equal(control_msg_decode(m, b, n), ERR_MALFORMED);
	n = one_field(b, 1, 4, v, 4);
	assert_int_equal(control_msg_decode(m, b, n), 0);
	assert_true(m->has_cursor);
	/* Length beyond the datagram. */
	n = one_field(b, 1, 8, v, 4);
	assert_int_equal(control_msg_decode(m, b, n), ERR_TRUNCATED);
	/* Unknown top-level tags. */
	n = one_field(b, 0, 4, v, 4);
	assert_int_equal(control_msg_decode(m, b, n), ERR_MALFORMED);
	n = one_field(b, 99, 4, v, 4);
	assert_int_equal(control_msg_decode(m, b, n), ERR_MALFORMED);
	/* Tag 6 is the text: at most CONTROL_STR_MAX - 1 bytes, no NUL. */
	n = one_field(b, 6, CONTROL_STR_MAX, v, CONTROL_STR_MAX);
	assert_int_equal(control_msg_decode(m, b, n), ERR_TOOBIG);
	n = one_field(b, 6, CONTROL_STR_MAX - 1, v, CONTROL_STR_MAX - 1);
	assert_int_equal(control_msg_decode(m, b, n), 0);
	v[3] = '\0';
	n = one_field(b, 6, 8, v, 8);
	assert_int_equal(control_msg_decode(m, b, n), ERR_MALFORMED);
	/* Tag 7 is the descriptor flag, which must be 1. */
	memset(v, 0, 4);
	n = one_field(b, 7, 4, v, 4);
	assert_int_equal(control_msg_decode(m, b, n), ERR_MALFORMED);
	/* A field twice. */
	n = one_field(b, 1, 4, v, 4);
	memcpy(b + n, b + 8, 8);
	put_hdr(b, CONTROL_VERSION, CONTROL_GET_RULE, (uint32_t)(n + 8));
	assert_int_equal(control_msg_decode(m, b, n + 8), ERR_MALFORMED);
	/* An id field with kind 0 (none). */
	{
		uint8_t	id[5] = { 0, 1, 0, 1, 0 };

		n = one_field(b, 8, 5, id, 5);
		assert_int_equal(control_msg_decode(m, b, n), ERR_MALFORMED);
	}
	free(m);
}

static void
msg_decode_rejects_long_list(void **state)
{
	struct control_msg	*m = msg_new();
	struct wbuf		 wb;

	/* Encode a full list, then raise the count past the limit. */
	m->cmd = CONTROL_GET_RULE;
	m->item = CONTROL_ITEM_RULE;
	m->u.rule.nxforms = CONTROL_XFORMS_MAX + 1;
	wbuf_init(&wb, 0);
	assert_int_equal(control_msg_encode(m, &wb), ERR_TOOBIG);
	wbuf_free(&wb);
	free(m);
}

/* Dispatch: one request through control_server_handle. */

struct dispatch_fixture {
	struct fake_state	st;
	struct control_msg	req;
	struct control_msg	rep;
};

static int
dispatch_setup(void **state)
{
	struct dispatch_fixture	*f = calloc(1, sizeof(*f));

	if (f == NULL)
		return (-1);
	fake_state_init(&f->st);
	*state = f;
	return (0);
}

static int
dispatch_teardown(void **state)
{
	free(*state);
	return (0);
}

static void
call_raw(struct dispatch_fixture *f, const uint8_t *b, size_t n, int fd)
{
	struct wbuf	wb;

	wbuf_init(&wb, 1);
	assert_int_equal(control_server_handle(&fake_ops, &f->st, b, n, fd,
	    &wb), 0);
	assert_int_equal(control_msg_decode(&f->rep, wb.wb_data, wb.wb_len),
	    0);
	wbuf_free(&wb);
}

static void
call(struct dispatch_fixture *f, int fd)
{
	struct wbuf	wb;

	wbuf_init(&wb, 1);
	f->req.has_fd = fd >= 0 ? 1 : f->req.has_fd;
	assert_int_equal(control_msg_encode(&f->req, &wb), 0);
	call_raw(f, wb.wb_data, wb.wb_len, fd);
	wbuf_free(&wb);
}

static void
expect_error(struct dispatch_fixture *f, uint32_t ecode)
{
	assert_int_equal(f->rep.cmd, CONTROL_ERROR);
	assert_int_equal(f->rep.ecode, ecode);
}

static int
devnull(void)
{
	int	fd = open("/dev/null", O_RDWR);

	assert_true(fd >= 0);
	return (fd);
}

static void
dispatch_malformed_gets_error(void **state)
{
	struct dispatch_fixture	*f = *state;
	uint8_t			 b[16];

	put_hdr(b, CONTROL_VERSION, CONTROL_GET_DBG, 8);
	call_raw(f, b, 4, -1);
	expect_error(f, CONTROL_E_REQ_INVALID);
	put_hdr(b, CONTROL_VERSION, CONTROL_GET_DBG, 12);
	call_raw(f, b, 8, -1);
	expect_error(f, CONTROL_E_REQ_INVALID);
	put_hdr(b, CONTROL_VERSION, 200, 8);
	call_raw(f, b, 8, -1);
	expect_error(f, CONTROL_E_REQ_INVALID);
	put_hdr(b, CONTROL_VERSION, CONTROL_ERROR, 8);
	call_raw(f, b, 8, -1);
	expect_error(f, CONTROL_E_CMD_INVALID);
	/* A descriptor that came with a malformed request is closed. */
	call_raw(f, b, 3, devnull());
	expect_error(f, CONTROL_E_REQ_INVALID);
}

static void
dispatch_checks_cursor_and_fd(void **state)
{
	struct dispatch_fixture	*f = *state;

	f->req.cmd = CONTROL_DUMP_RULES;
	call(f, -1);
	expect_error(f, CONTROL_E_REQ_INVALID);
	f->req.has_cursor = 1;
	f->req.cursor = 5;
	call(f, -1);
	expect_error(f, CONTROL_E_NO_OBJ);
	f->req.cursor = 1;
	call(f, -1);
	assert_int_equal(f->rep.cmd, CONTROL_DUMP_RULES);
	assert_int_equal(f->rep.cursor, 0);
	assert_string_equal(f->rep.u.rule.label, "lab");

	memset(&f->req, 0, sizeof(f->req));
	f->req.cmd = CONTROL_GET_DBG;
	f->req.has_cursor = 1;
	call(f, -1);
	expect_error(f, CONTROL_E_REQ_INVALID);

	memset(&f->req, 0, sizeof(f->req));
	f->req.cmd = CONTROL_WRITE_RULES;
	call(f, -1);
	expect_error(f, CONTROL_E_REQ_INVALID);
	f->req.has_fd = 1;
	call(f, -1);
	expect_error(f, CONTROL_E_REQ_INVALID);

	memset(&f->req, 0, sizeof(f->req));
	f->req.cmd = CONTROL_GET_STATS;
	call(f, devnull());
	expect_error(f, CONTROL_E_REQ_INVALID);

	memset(&f->req, 0, sizeof(f->req));
	f->req.cmd = CONTROL_GET_STATS;
	f->req.item = CONTROL_ITEM_PSK;
	call(f, -1);
	expect_error(f, CONTROL_E_REQ_INVALID);
}

static void
dispatch_checks_ids(void **state)
{
	struct dispatch_fixture	*f = *state;

	f->req.cmd = CONTROL_GET_P1;
	call(f, -1);
	expect_error(f, CONTROL_E_NO_DESC);
	f->req.id.kind = CONTROL_ID_LABEL;
	call(f, -1);
	expect_error(f, CONTROL_E_ID_INVALID);
	f->req.id.kind = CONTROL_ID_COOKIES;
	f->req.id.icookie = 0x1a2b3c4d5e6f7081ULL;
	f->req.id.rcookie = 0x92a3b4c5d6e7f809ULL;
	call(f, -1);
	assert_int_equal(f->rep.cmd, CONTROL_GET_P1);
	assert_int_equal(f->rep.u.p1.xform.group, 14);
	f->req.id.rcookie = 1;
	call(f, -1);
	expect_error(f, CONTROL_E_NO_OBJ);
}

static void
dispatch_priv_only_lowers(void **state)
{
	struct dispatch_fixture	*f = *state;

	f->st.priv = CONTROL_PRIV_MODKEYS;
	f->req.cmd = CONTROL_SET_PRIV;
	f->req.has_level = 1;
	f->req.level = CONTROL_PRIV_KEYMAT;
	call(f, -1);
	expect_error(f, CONTROL_E_NO_PRIV);
	assert_int_equal(f->st.priv, CONTROL_PRIV_MODKEYS);
	f->req.level = 3;
	call(f, -1);
	expect_error(f, CONTROL_E_DATA_INVALID);
	f->req.level = CONTROL_PRIV_BASE;
	call(f, -1);
	assert_int_equal(f->rep.cmd, CONTROL_SET_PRIV);
	assert_int_equal(f->rep.old_level, CONTROL_PRIV_MODKEYS);
	assert_int_equal(f->rep.level, CONTROL_PRIV_BASE);
	assert_int_equal(f->st.priv, CONTROL_PRIV_BASE);

	/* Preshared entries need modkeys. */
	memset(&f->req, 0, sizeof(f->req));
	f->req.cmd = CONTROL_DUMP_PS;
	f->req.has_cursor = 1;
	call(f, -1);
	expect_error(f, CONTROL_E_NO_PRIV);
}

static void
dispatch_keys_only_at_keymat(void **state)
{
	struct dispatch_fixture	*f = *state;

	f->req.cmd = CONTROL_DUMP_PS;
	f->req.has_cursor = 1;
	call(f, -1);
	assert_int_equal(f->rep.u.psk.key.len, 16);
	assert_int_equal(f->rep.u.psk.key.bytes[0], 0x9f);

	f->st.priv = CONTROL_PRIV_MODKEYS;
	call(f, -1);
	assert_int_equal(f->rep.cmd, CONTROL_DUMP_PS);
	assert_int_equal(f->rep.u.psk.key.len, 0);
	assert_int_equal(f->rep.u.psk.key.bytes[0], 0);

	memset(&f->req, 0, sizeof(f->req));
	f->req.cmd = CONTROL_DUMP_P1S;
	f->req.has_cursor = 1;
	call(f, -1);
	assert_int_equal(f->rep.cmd, CONTROL_DUMP_P1S);
	assert_int_equal(f->rep.u.p1.psk.len, 0);
	assert_int_equal(f->rep.u.p1.skeyid.len, 0);
	f->st.priv = CONTROL_PRIV_KEYMAT;
	call(f, -1);
	assert_int_equal(f->rep.u.p1.skeyid.len, 20);
}

/* A file with text for the fake parser, open for reading. */
static int
text_fd(const char *text)
{
	FILE	*f = tmpfile();
	int	 fd;

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fflush(f), 0);
	fd = dup(fileno(f));
	(void)fclose(f);
	assert_true(fd >= 0);
	(void)lseek(fd, 0, SEEK_SET);
	return (fd);
}

/*
 * A failed add carries the parser's messages back, naming the file by
 * the name in the request; control characters in that name do not reach
 * the messages.
 */
static void
dispatch_load_detail(void **state)
{
	struct dispatch_fixture	*f = *state;

	f->req.cmd = CONTROL_NEW_RULE;
	(void)strcpy(f->req.text, "/etc/x\n.conf");
	call(f, text_fd("{ label \"lab\" }\n"));
	expect_error(f, CONTROL_E_SYS_ERR);
	assert_string_equal(f->rep.detail,
	    "/etc/x?.conf:1: duplicate label \"lab\"\n");

	/* Success has no detail; nor has an error of another command. */
	call(f, text_fd("{ label \"other\" }\n"));
	assert_int_equal(f->rep.cmd, CONTROL_NEW_RULE);
	assert_string_equal(f->rep.detail, "");
}

/* The detail field: up to CONTROL_DETAIL_MAX - 1 bytes, no NUL. */
static void
msg_detail_field(void **state)
{
	struct control_msg	*m = msg_new();
	static uint8_t		 b[CONTROL_DETAIL_MAX + 16];
	static uint8_t		 v[CONTROL_DETAIL_MAX];
	size_t			 n;

	memset(v, 'x', sizeof(v));
	n = one_field(b, 17, CONTROL_DETAIL_MAX, v, CONTROL_DETAIL_MAX);
	assert_int_equal(control_msg_decode(m, b, n), ERR_TOOBIG);
	n = one_field(b, 17, CONTROL_DETAIL_MAX - 1, v,
	    CONTROL_DETAIL_MAX - 1);
	assert_int_equal(control_msg_decode(m, b, n), 0);
	assert_int_equal(strlen(m->detail), CONTROL_DETAIL_MAX - 1);
	v[3] = '\0';
	n = one_field(b, 17, 8, v, 8);
	assert_int_equal(control_msg_decode(m, b, n), ERR_MALFORMED);

	memset(m, 0, sizeof(*m));
	m->cmd = CONTROL_ERROR;
	m->ecode = CONTROL_E_DATA_INVALID;
	memset(m->detail, 'y', sizeof(m->detail) - 1);
	roundtrip(m);
	free(m);
}

static void
dispatch_new_ps_needs_one_source(void **state)
{
	struct dispatch_fixture	*f = *state;

	f->req.cmd = CONTROL_NEW_PS;
	call(f, -1);
	expect_error(f, CONTROL_E_REQ_INVALID);
	f->req.item = CONTROL_ITEM_PSK;
	f->req.u.psk = f->st.psks[1];
	call(f, devnull());
	expect_error(f, CONTROL_E_REQ_INVALID);
	f->req.has_fd = 0;
	call(f, -1);
	assert_int_equal(f->rep.cmd, CONTROL_NEW_PS);
	assert_int_equal(f->st.npsks, 3);
}

static void
dispatch_token_and_algs(void **state)
{
	struct dispatch_fixture	*f = *state;
	struct control_ops	 none;
	struct wbuf		 wb;

	f->req.cmd = CONTROL_SET_PIN;
	call(f, -1);
	expect_error(f, CONTROL_E_CMD_NOTSUP);
	assert_non_null(strstr(f->rep.text, "PKCS#11"));

	f->req.cmd = CONTROL_DUMP_ENCRALGS;
	f->req.has_cursor = 1;
	call(f, -1);
	assert_int_equal(f->rep.cmd, CONTROL_DUMP_ENCRALGS);
	assert_int_equal(f->rep.u.alg.value, 1);
	assert_int_equal(f->rep.cursor, 1);

	/* A daemon without callbacks returns "Unknown command". */
	memset(&none, 0, sizeof(none));
	memset(&f->req, 0, sizeof(f->req));
	f->req.cmd = CONTROL_GET_STATS;
	wbuf_init(&wb, 0);
	assert_int_equal(control_msg_encode(&f->req, &wb), 0);
	{
		struct wbuf	out;

		wbuf_init(&out, 0);
		assert_int_equal(control_server_handle(&none, NULL,
		    wb.wb_data, wb.wb_len, -1, &out), 0);
		assert_int_equal(control_msg_decode(&f->rep, out.wb_data,
		    out.wb_len), 0);
		wbuf_free(&out);
	}
	wbuf_free(&wb);
	expect_error(f, CONTROL_E_CMD_NOTSUP);
}

/* Walk one algorithm list by cursor; returns the rows seen. */
static int
algs_walk(int cmd, uint32_t want, struct control_alg_info *found)
{
	struct control_alg_info	a;
	uint32_t		i = 0, next;
	int			n = 0;

	do {
		assert_int_equal(control_algs_row(cmd, i, &a, &next), 0);
		assert_true(next == 0 || next == i + 1);
		if (a.value == want)
			*found = a;
		n++;
		i = next;
	} while (i != 0);
	assert_int_equal(control_algs_row(cmd, (uint32_t)n, &a, &next),
	    ERR_NOTFOUND);
	return (n);
}

static void
algs_from_crypto_module(void **state)
{
	struct control_alg_info	a;

	memset(&a, 0, sizeof(a));
	assert_true(algs_walk(CONTROL_DUMP_GROUPS, 14, &a) >= 4);
	assert_string_equal(a.name, "2048-bit MODP (group 14)");
	assert_true(a.strength > 0);
	memset(&a, 0, sizeof(a));
	assert_true(algs_walk(CONTROL_DUMP_ENCRALGS, 7, &a) >= 2);
	assert_string_equal(a.name, "aes-cbc");
	assert_int_equal(a.klen_min, 128);
	assert_int_equal(a.klen_max, 256);
	memset(&a, 0, sizeof(a));
	assert_int_equal(algs_walk(CONTROL_DUMP_AUTHALGS, 4, &a), 5);
	assert_string_equal(a.name, "hmac-sha256");
	assert_string_equal(control_encr_name(5), "3des-cbc");
	assert_string_equal(control_encr_name(99), "<unknown>");
	assert_string_equal(control_group_desc(19), "256-bit ECP (group 19)");
	assert_string_equal(control_group_desc(999), "<unknown>");
}

static void
dispatch_oversize_item_error(void **state)
{
	struct dispatch_fixture	*f = *state;

	f->st.rules[0].nlocal = CONTROL_RANGES_MAX + 1;
	f->req.cmd = CONTROL_GET_RULE;
	f->req.id.kind = CONTROL_ID_LABEL;
	(void)strcpy(f->req.id.label, "hq-gw to branch-gw");
	call(f, -1);
	expect_error(f, CONTROL_E_SYS_ERR);
	assert_int_equal(f->rep.eerrno, EMSGSIZE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(msg_roundtrip_items),
		cmocka_unit_test(msg_roundtrip_full_rule),
		cmocka_unit_test(msg_decode_rejects_bad_header),
		cmocka_unit_test(msg_decode_rejects_bad_fields),
		cmocka_unit_test(msg_decode_rejects_long_list),
		cmocka_unit_test(algs_from_crypto_module),
		cmocka_unit_test_setup_teardown(dispatch_malformed_gets_error,
		    dispatch_setup, dispatch_teardown),
		cmocka_unit_test_setup_teardown(dispatch_checks_cursor_and_fd,
		    dispatch_setup, dispatch_teardown),
		cmocka_unit_test_setup_teardown(dispatch_checks_ids,
		    dispatch_setup, dispatch_teardown),
		cmocka_unit_test_setup_teardown(dispatch_priv_only_lowers,
		    dispatch_setup, dispatch_teardown),
		cmocka_unit_test_setup_teardown(dispatch_keys_only_at_keymat,
		    dispatch_setup, dispatch_teardown),
		cmocka_unit_test_setup_teardown(
		    dispatch_new_ps_needs_one_source,
		    dispatch_setup, dispatch_teardown),
		cmocka_unit_test_setup_teardown(dispatch_load_detail,
		    dispatch_setup, dispatch_teardown),
		cmocka_unit_test(msg_detail_field),
		cmocka_unit_test_setup_teardown(dispatch_token_and_algs,
		    dispatch_setup, dispatch_teardown),
		cmocka_unit_test_setup_teardown(dispatch_oversize_item_error,
		    dispatch_setup, dispatch_teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
