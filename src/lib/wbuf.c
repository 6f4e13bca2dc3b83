#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "util.h"
#include "wbuf.h"

void
wbuf_init(struct wbuf *wb, int secret)
{
	wb->wb_data = NULL;
	wb->wb_len = 0;
	wb->wb_cap = 0;
	wb->wb_secret = secret;
}

void
wbuf_free(struct wbuf *wb)
{
	if (wb->wb_secret)
		util_freezero(wb->wb_data, wb->wb_cap);
	else
		free(wb->wb_data);
	wb->wb_data = NULL;
	wb->wb_len = 0;
	wb->wb_cap = 0;
}

/* Empty the buffer but keep its storage; secret contents are wiped. */
void
wbuf_reset(struct wbuf *wb)
{
	if (wb->wb_secret)
		util_wipe(wb->wb_data, wb->wb_len);
	wb->wb_len = 0;
}

/*
 * Make room for n more bytes.  A secret buffer is never grown with
 * realloc, because realloc may leave the old copy in freed memory.
 */
int
wbuf_reserve(struct wbuf *wb, size_t n)
{
	size_t	 need, cap;
	uint8_t	*p;

	if (n > WBUF_MAX - wb->wb_len)
		return (ERR_TOOBIG);
	need = wb->wb_len + n;
	if (need <= wb->wb_cap)
		return (0);
	cap = wb->wb_cap == 0 ? 64 : wb->wb_cap;
	while (cap < need)
		cap *= 2;
	if (cap > WBUF_MAX)
		cap = WBUF_MAX;
	if (wb->wb_secret) {
		if ((p = malloc(cap)) == NULL)
			return (ERR_NOMEM);
		if (wb->wb_len > 0)
			memcpy(p, wb->wb_data, wb->wb_len);
		util_freezero(wb->wb_data, wb->wb_cap);
	} else if ((p = realloc(wb->wb_data, cap)) == NULL)
		return (ERR_NOMEM);
	wb->wb_data = p;
	wb->wb_cap = cap;
	return (0);
}

/* Append n bytes and return a pointer to them for the caller to fill. */
int
wbuf_alloc(struct wbuf *wb, size_t n, uint8_t **pp)
{
	int	r;

	if ((r = wbuf_reserve(wb, n)) != 0)
		return (r);
	/* An empty buffer has no storage yet, and NULL + 0 is undefined. */
	*pp = wb->wb_data != NULL ? wb->wb_data + wb->wb_len : NULL;
	wb->wb_len += n;
	return (0);
}

int
wbuf_put(struct wbuf *wb, const void *data, size_t n)
{
	uint8_t	*p;
	int	 r;

	if ((r = wbuf_alloc(wb, n, &p)) != 0)
		return (r);
	if (n > 0)
		memcpy(p, data, n);
	return (0);
}

int
wbuf_put_zero(struct wbuf *wb, size_t n)
{
	uint8_t	*p;
	int	 r;

	if ((r = wbuf_alloc(wb, n, &p)) != 0)
		return (r);
	if (n > 0)
		memset(p, 0, n);
	return (0);
}

int
wbuf_put_u8(struct wbuf *wb, uint8_t v)
{
	return (wbuf_put(wb, &v, 1));
}

int
wbuf_put_u16(struct wbuf *wb, uint16_t v)
{
	uint8_t	b[2] = { v >> 8, v & 0xff };

	return (wbuf_put(wb, b, sizeof(b)));
}

int
wbuf_put_u32(struct wbuf *wb, uint32_t v)
{
	uint8_t	b[4] = { v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff,
		    v & 0xff };

	return (wbuf_put(wb, b, sizeof(b)));
}

int
wbuf_put_u64(struct wbuf *wb, uint64_t v)
{
	int	r;

	if ((r = wbuf_reserve(wb, 8)) != 0)
		return (r);
	(void)wbuf_put_u32(wb, (uint32_t)(v >> 32));
	return (wbuf_put_u32(wb, (uint32_t)v));
}

/* Overwrite already written bytes, e.g. a length known only at the end. */
int
wbuf_set_u8(struct wbuf *wb, size_t off, uint8_t v)
{
	if (off >= wb->wb_len)
		return (ERR_INVAL);
	wb->wb_data[off] = v;
	return (0);
}

int
wbuf_set_u16(struct wbuf *wb, size_t off, uint16_t v)
{
	if (off > wb->wb_len || wb->wb_len - off < 2)
		return (ERR_INVAL);
	wb->wb_data[off] = v >> 8;
	wb->wb_data[off + 1] = v & 0xff;
	return (0);
}

int
wbuf_set_u32(struct wbuf *wb, size_t off, uint32_t v)
{
	if (off > wb->wb_len || wb->wb_len - off < 4)
		return (ERR_INVAL);
	wb->wb_data[off] = v >> 24;
	wb->wb_data[off + 1] = (v >> 16) & 0xff;
	wb->wb_data[off + 2] = (v >> 8) & 0xff;
	wb->wb_data[off + 3] = v & 0xff;
	return (0);
}

/*
 * Shrink the storage to the contents, for a buffer that is kept long
 * but no longer grows; an empty buffer loses its storage.  Without
 * memory the buffer stays as it is.
 */
void
wbuf_trim(struct wbuf *wb)
{
	uint8_t	*p;

	if (wb->wb_cap == wb->wb_len)
		return;
	if (wb->wb_len == 0) {
		wbuf_free(wb);
		return;
	}
	if ((p = malloc(wb->wb_len)) == NULL)
		return;
	memcpy(p, wb->wb_data, wb->wb_len);
	if (wb->wb_secret)
		util_freezero(wb->wb_data, wb->wb_cap);
	else
		free(wb->wb_data);
	wb->wb_data = p;
	wb->wb_cap = wb->wb_len;
}

/* Replace the contents of dst with those of src. */
int
wbuf_copy(struct wbuf *dst, const struct wbuf *src)
{
	wbuf_reset(dst);
	return (wbuf_put(dst, src->wb_data, src->wb_len));
}
