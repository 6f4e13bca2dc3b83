/*
 * Helpers of the certificate tests: temporary directories, files, and
 * keys and certificates made at test time.
 */
#ifndef IKED_TEST_CERTTEST_H
#define IKED_TEST_CERTTEST_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/x509/cert.h"
#include "crypto/x509/pkey.h"

/* Make a temporary directory; the path is static storage. */
const char	*certtest_tmpdir(void);
/* rm -rf dir */
void	 certtest_rmdir(const char *);
/* Write a file (creating its directory) with the given mode. */
void	 certtest_write(const char *dir, const char *name, const void *,
	    size_t, int mode);
/* Read a whole file; the caller frees *data. */
void	 certtest_read(const char *path, uint8_t **data, size_t *len);
/* Parse a PEM or DER certificate file. */
struct cert	*certtest_load_cert(const char *path);
/* A new key and a self-signed certificate with the given DN and alts. */
struct cert	*certtest_self_signed(enum pkey_type, unsigned int bits,
	    const char *dn, const char *const *alts, size_t nalts,
	    struct pkey **key);

/*
 * Build the test PKI of mkpki.sh (root CA, intermediate CA, leaves,
 * CRLs) in a new temporary directory; returns its path, static storage.
 */
const char	*certtest_make_pki(void);
/* Copy a file into dir/name with the given mode. */
void	 certtest_copy(const char *from, const char *dir, const char *name,
	    int mode);
/* Parse a PEM or DER private key file. */
struct pkey	*certtest_load_key(const char *path);

#endif /* IKED_TEST_CERTTEST_H */
