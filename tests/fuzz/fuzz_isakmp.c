/*
 * libFuzzer target for the ISAKMP wire layer: the header parser, the
 * whole-message parser, the payload-chain parser used on decrypted
 * bodies, the debug printer, and the builder on whatever parsed.  A
 * message that parses must build again, the rebuilt bytes must parse,
 * and building those must give the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "isakmp/msg.h"
#include "isakmp/print.h"
#include "lib/wbuf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static size_t	printed;

/* Touch every printed byte, so the sanitizers see any bad string. */
static void
fuzz_line(void *arg, const char *line)
{
	printed += strlen(line);
}

/*
 * Build msg into a fresh buffer: the whole message, or with body set only
 * its payload chain, whose first type goes to *first.
 */
static void
fuzz_build(const struct isakmp_msg *msg, int body, struct wbuf *wb,
    uint8_t *first)
{
	struct isakmp_builder	b;
	size_t			i;

	wbuf_init(wb, 0);
	if (!body) {
		if (isakmp_msg_build(wb, msg) != 0)
			abort();
		return;
	}
	isakmp_build_init_body(&b, wb);
	for (i = 0; i < msg->m_npayloads; i++)
		isakmp_build_payload(&b, &msg->m_payloads[i]);
	if (isakmp_build_finish(&b) != 0)
		abort();
	*first = msg->m_npayloads > 0 ? b.b_first : ISAKMP_PL_NONE;
}

/* Parse the output of a build again and check the build is stable. */
static void
fuzz_rebuild(const struct isakmp_msg *msg, int body)
{
	struct isakmp_msg	again;
	struct isakmp_error	err;
	struct wbuf		wb1, wb2;
	uint8_t			first = 0, first2 = 0;
	int			r;

	fuzz_build(msg, body, &wb1, &first);
	memset(&again, 0, sizeof(again));
	if (body)
		r = isakmp_payloads_parse(&again, first, wb1.wb_data,
		    wb1.wb_len, ISAKMP_HDR_LEN, 0, &err);
	else
		r = isakmp_msg_parse(wb1.wb_data, wb1.wb_len, &again, &err);
	if (r != 0)
		abort();
	fuzz_build(&again, body, &wb2, &first2);
	if (wb1.wb_len != wb2.wb_len || first != first2)
		abort();
	if (wb1.wb_len > 0 && memcmp(wb1.wb_data, wb2.wb_data, wb1.wb_len))
		abort();
	isakmp_msg_free(&again);
	wbuf_free(&wb1);
	wbuf_free(&wb2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct isakmp_msg	msg;
	struct isakmp_hdr	h;
	struct isakmp_error	err;

	if (isakmp_hdr_parse(data, size, &h, &err) == 0)
		isakmp_print_hdr(&h, fuzz_line, NULL);
	if (isakmp_msg_parse(data, size, &msg, &err) == 0) {
		isakmp_print_msg(&msg, fuzz_line, NULL);
		fuzz_rebuild(&msg, 0);
		isakmp_msg_free(&msg);
	}
	/* The bytes after a header, as if they were a decrypted body. */
	if (size > ISAKMP_HDR_LEN) {
		memset(&msg, 0, sizeof(msg));
		if (isakmp_payloads_parse(&msg, data[16], data + ISAKMP_HDR_LEN,
		    size - ISAKMP_HDR_LEN, ISAKMP_HDR_LEN, ISAKMP_PARSE_PADDED,
		    &err) == 0) {
			isakmp_print_msg(&msg, fuzz_line, NULL);
			fuzz_rebuild(&msg, 1);
			isakmp_msg_free(&msg);
		}
	}
	return (0);
}
