/*
 * Key material of an established ISAKMP SA for "ikeadm dump p1" at the
 * keymat privilege level.  The keys are lent to a callback, so that no
 * copy outlives the call unless the caller makes one (into a buffer that
 * it wipes).
 */
#include <string.h>

#include "ike/ike.h"
#include "ike/ike_int.h"
#include "lib/err.h"

static void
ike_keys_view(struct ike_key_view *kv, const struct wbuf *wb)
{
	kv->kv_data = wb->wb_data;
	kv->kv_len = wb->wb_len;
}

int
ike_engine_p1_keys(struct ike_engine *eng, const uint8_t *icookie,
    const uint8_t *rcookie,
    int (*fn)(void *arg, const struct ike_p1_keys *), void *arg)
{
	struct ike_p1		*p1;
	struct ike_p1_keys	 keys;

	p1 = ike_p1_find(eng, icookie, rcookie, NULL);
	if (p1 == NULL || p1->p1_state == IKE_P1_DEAD)
		return (ERR_NOTFOUND);
	/* Before the last Main Mode message some keys do not exist yet. */
	if (p1->p1_state != IKE_P1_ESTABLISHED)
		return (ERR_STATE);
	memset(&keys, 0, sizeof(keys));
	ike_keys_view(&keys.pk_skeyid, &p1->p1_skeyid);
	ike_keys_view(&keys.pk_skeyid_d, &p1->p1_skeyid_d);
	ike_keys_view(&keys.pk_skeyid_a, &p1->p1_skeyid_a);
	ike_keys_view(&keys.pk_skeyid_e, &p1->p1_skeyid_e);
	ike_keys_view(&keys.pk_enc_key, &p1->p1_key);
	keys.pk_iv.kv_data = p1->p1_iv;
	keys.pk_iv.kv_len = p1->p1_blocklen;
	return (fn(arg, &keys));
}
