/*
 * libFuzzer target for the control protocol: the first byte picks the
 * privilege level of the in-memory daemon, the rest is one request
 * datagram.  Every input must yield a reply that decodes again, and no
 * key may leave below keymat.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/wbuf.h"
#include "control/control.h"
#include "control/server.h"
#include "../control/fake_ops.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_check_reply(const struct wbuf *out, uint32_t priv)
{
	static struct control_msg	rep;

	if (control_msg_decode(&rep, out->wb_data, out->wb_len) != 0)
		abort();
	if (priv < CONTROL_PRIV_KEYMAT &&
	    ((rep.item == CONTROL_ITEM_PSK && rep.u.psk.key.len != 0) ||
	    (rep.item == CONTROL_ITEM_P1 && (rep.u.p1.psk.len != 0 ||
	    rep.u.p1.skeyid.len != 0))))
		abort();
	control_msg_wipe(&rep);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fake_state	st;
	static struct control_msg	req;
	struct wbuf			out;

	if (size < 1)
		return (0);
	fake_state_init(&st);
	st.priv = data[0] % 3;
	(void)control_msg_decode(&req, data + 1, size - 1);
	wbuf_init(&out, 1);
	if (control_server_handle(&fake_ops, &st, data + 1, size - 1, -1,
	    &out) == 0)
		fuzz_check_reply(&out, data[0] % 3);
	wbuf_free(&out);
	return (0);
}
