#include <string.h>

#include "err.h"
#include "rbuf.h"

void
rbuf_init(struct rbuf *rb, const void *data, size_t len)
{
	rb->rb_data = data;
	rb->rb_len = data == NULL ? 0 : len;
	rb->rb_off = 0;
}

size_t
rbuf_left(const struct rbuf *rb)
{
	return (rb->rb_len - rb->rb_off);
}

size_t
rbuf_offset(const struct rbuf *rb)
{
	return (rb->rb_off);
}

/* Pointer to the next unread byte; valid for rbuf_left() bytes. */
const uint8_t *
rbuf_cur(const struct rbuf *rb)
{
	return (rb->rb_data + rb->rb_off);
}

int
rbuf_get_ptr(struct rbuf *rb, size_t n, const uint8_t **pp)
{
	if (n > rbuf_left(rb))
		return (ERR_TRUNCATED);
	*pp = rb->rb_data + rb->rb_off;
	rb->rb_off += n;
	return (0);
}

int
rbuf_get_bytes(struct rbuf *rb, void *out, size_t n)
{
	const uint8_t	*p;
	int		 r;

	if ((r = rbuf_get_ptr(rb, n, &p)) != 0)
		return (r);
	if (n > 0)
		memcpy(out, p, n);
	return (0);
}

int
rbuf_skip(struct rbuf *rb, size_t n)
{
	const uint8_t	*p;

	return (rbuf_get_ptr(rb, n, &p));
}

/* Split the next n bytes off into their own view, for a nested payload. */
int
rbuf_get_sub(struct rbuf *rb, size_t n, struct rbuf *sub)
{
	const uint8_t	*p;
	int		 r;

	if ((r = rbuf_get_ptr(rb, n, &p)) != 0)
		return (r);
	rbuf_init(sub, p, n);
	return (0);
}

int
rbuf_get_u8(struct rbuf *rb, uint8_t *v)
{
	const uint8_t	*p;
	int		 r;

	if ((r = rbuf_get_ptr(rb, 1, &p)) != 0)
		return (r);
	*v = p[0];
	return (0);
}

int
rbuf_get_u16(struct rbuf *rb, uint16_t *v)
{
	const uint8_t	*p;
	int		 r;

	if ((r = rbuf_get_ptr(rb, 2, &p)) != 0)
		return (r);
	*v = (uint16_t)(p[0] << 8 | p[1]);
	return (0);
}

int
rbuf_get_u32(struct rbuf *rb, uint32_t *v)
{
	const uint8_t	*p;
	int		 r;

	if ((r = rbuf_get_ptr(rb, 4, &p)) != 0)
		return (r);
	*v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
	return (0);
}

int
rbuf_get_u64(struct rbuf *rb, uint64_t *v)
{
	uint32_t	hi, lo;
	int		r;

	if (rbuf_left(rb) < 8)
		return (ERR_TRUNCATED);
	if ((r = rbuf_get_u32(rb, &hi)) != 0 ||
	    (r = rbuf_get_u32(rb, &lo)) != 0)
		return (r);
	*v = (uint64_t)hi << 32 | lo;
	return (0);
}

int
rbuf_peek_u8(const struct rbuf *rb, uint8_t *v)
{
	struct rbuf	copy = *rb;

	return (rbuf_get_u8(&copy, v));
}

int
rbuf_peek_u16(const struct rbuf *rb, uint16_t *v)
{
	struct rbuf	copy = *rb;

	return (rbuf_get_u16(&copy, v));
}
