/*
 * Start and stop the crypto module.  crypto_init() loads the OpenSSL
 * providers and fetches every digest, cipher and MAC once, because a
 * fetch per call is the slow path in OpenSSL 3.  Every other function
 * of the module calls crypto_init() itself when the program did not.
 * The daemon calls it at start so that a missing provider stops it
 * before any exchange.
 */
#ifndef IKED_CRYPTO_H
#define IKED_CRYPTO_H

/*
 * Load the "default" and "legacy" providers and fetch the algorithms.
 * A missing legacy provider is not an error: DES and Blowfish are then
 * reported as unsupported and a warning names what to install.
 * Returns 0, or ERR_CRYPTO when the default provider or a required
 * algorithm is missing.  Calling it again after success does nothing.
 */
int	 crypto_init(void);

/* Release everything crypto_init() fetched; crypto_init() may follow. */
void	 crypto_shutdown(void);

/* Returns 1 when the legacy provider (DES, Blowfish) is loaded. */
int	 crypto_legacy_available(void);

#endif /* IKED_CRYPTO_H */
