/*
 * Growable output buffer for building messages.  A buffer marked secret
 * (keys, DH values, nonces used in key derivation) is wiped whenever its
 * storage is released or moved.  Writes past WBUF_MAX fail with ERR_TOOBIG
 * so that a bug cannot grow a message without bound.
 */
#ifndef IKED_WBUF_H
#define IKED_WBUF_H

#include <stddef.h>
#include <stdint.h>

#define WBUF_MAX	(1024 * 1024)

struct wbuf {
	uint8_t	*wb_data;
	size_t	 wb_len;
	size_t	 wb_cap;
	int	 wb_secret;
};

void	 wbuf_init(struct wbuf *, int);
void	 wbuf_free(struct wbuf *);
void	 wbuf_reset(struct wbuf *);
int	 wbuf_reserve(struct wbuf *, size_t);
int	 wbuf_put(struct wbuf *, const void *, size_t);
int	 wbuf_put_u8(struct wbuf *, uint8_t);
int	 wbuf_put_u16(struct wbuf *, uint16_t);
int	 wbuf_put_u32(struct wbuf *, uint32_t);
int	 wbuf_put_u64(struct wbuf *, uint64_t);
int	 wbuf_put_zero(struct wbuf *, size_t);
int	 wbuf_alloc(struct wbuf *, size_t, uint8_t **);
int	 wbuf_set_u16(struct wbuf *, size_t, uint16_t);
int	 wbuf_set_u32(struct wbuf *, size_t, uint32_t);
int	 wbuf_set_u8(struct wbuf *, size_t, uint8_t);
int	 wbuf_copy(struct wbuf *, const struct wbuf *);
void	 wbuf_trim(struct wbuf *);

#endif /* IKED_WBUF_H */
