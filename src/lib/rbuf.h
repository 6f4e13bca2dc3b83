/*
 * Bounds-checked reader for untrusted bytes (network, control socket,
 * files, kernel replies).  A reader is a view: it never owns or copies the
 * bytes it reads.  Every accessor checks the remaining length first and
 * returns ERR_TRUNCATED without moving the cursor when it is short.
 * Integers are big-endian (network order).
 */
#ifndef IKED_RBUF_H
#define IKED_RBUF_H

#include <stddef.h>
#include <stdint.h>

struct rbuf {
	const uint8_t	*rb_data;
	size_t		 rb_len;	/* bytes in the view */
	size_t		 rb_off;	/* cursor, always <= rb_len */
};

void	 rbuf_init(struct rbuf *, const void *, size_t);
size_t	 rbuf_left(const struct rbuf *);
size_t	 rbuf_offset(const struct rbuf *);
int	 rbuf_get_u8(struct rbuf *, uint8_t *);
int	 rbuf_get_u16(struct rbuf *, uint16_t *);
int	 rbuf_get_u32(struct rbuf *, uint32_t *);
int	 rbuf_get_u64(struct rbuf *, uint64_t *);
int	 rbuf_peek_u8(const struct rbuf *, uint8_t *);
int	 rbuf_peek_u16(const struct rbuf *, uint16_t *);
int	 rbuf_get_bytes(struct rbuf *, void *, size_t);
int	 rbuf_get_ptr(struct rbuf *, size_t, const uint8_t **);
int	 rbuf_get_sub(struct rbuf *, size_t, struct rbuf *);
int	 rbuf_skip(struct rbuf *, size_t);
const uint8_t	*rbuf_cur(const struct rbuf *);

#endif /* IKED_RBUF_H */
