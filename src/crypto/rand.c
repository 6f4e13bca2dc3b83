#include <stddef.h>

#include <openssl/rand.h>

#include "crypto/crypto_int.h"
#include "crypto/rand.h"
#include "lib/err.h"
#include "lib/log.h"

int
rand_bytes(void *buf, size_t n)
{
	if (n == 0)
		return (0);
	if (crypto_ready() != 0)
		return (ERR_CRYPTO);
	if (RAND_bytes_ex(NULL, buf, n, 0) != 1) {
		crypto_log_errors("rand_bytes");
		log_err("the OpenSSL random generator failed; check that "
		    "getrandom(2) works in this environment");
		return (ERR_CRYPTO);
	}
	return (0);
}
