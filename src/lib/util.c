#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "util.h"

/* Clear memory that held a secret; the compiler may not remove this. */
void
util_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		explicit_bzero(p, n);
}

void
util_freezero(void *p, size_t n)
{
	if (p == NULL)
		return;
	util_wipe(p, n);
	free(p);
}

/*
 * Compare two buffers in time that depends only on the length, so that
 * an attacker cannot learn how many leading bytes of a HASH or key match.
 * Returns 1 when equal, 0 otherwise.
 */
int
util_memeq_ct(const void *a, const void *b, size_t n)
{
	const volatile uint8_t	*pa = a, *pb = b;
	uint8_t			 diff = 0;
	size_t			 i;

	for (i = 0; i < n; i++)
		diff |= pa[i] ^ pb[i];
	return (diff == 0);
}

/*
 * Write lower-case hex of in[0..len) to out, NUL-terminated, truncating
 * at whole bytes when out is short.  Returns the number of digits written.
 */
size_t
util_hex_encode(char *out, size_t outlen, const uint8_t *in, size_t len)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	if (outlen == 0)
		return (0);
	for (i = 0; i < len && 2 * i + 2 < outlen; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * i] = '\0';
	return (2 * i);
}

static int
util_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/*
 * Decode an even number of hex digits into out (at most outlen bytes).
 * Returns 0 and sets *lenp, ERR_MALFORMED on a bad digit or odd length,
 * or ERR_TOOBIG when out is too small.
 */
int
util_hex_decode(uint8_t *out, size_t outlen, const char *hex, size_t *lenp)
{
	size_t	n = strlen(hex), i;
	int	hi, lo;

	if (n % 2 != 0)
		return (ERR_MALFORMED);
	if (n / 2 > outlen)
		return (ERR_TOOBIG);
	for (i = 0; i < n / 2; i++) {
		hi = util_hex_digit(hex[2 * i]);
		lo = util_hex_digit(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return (ERR_MALFORMED);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*lenp = n / 2;
	return (0);
}
