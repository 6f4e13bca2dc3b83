#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "certtest.h"
#include "crypto/x509/certgen.h"
#include "lib/err.h"

const char *
certtest_tmpdir(void)
{
	static char	path[64];

	snprintf(path, sizeof(path), "/tmp/iked-cert-XXXXXX");
	assert_non_null(mkdtemp(path));
	return (path);
}

void
certtest_rmdir(const char *dir)
{
	char	cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

void
certtest_write(const char *dir, const char *name, const void *data,
    size_t len, int mode)
{
	char	 path[512], cmd[600];
	FILE	*f;

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, (mode_t)mode), 0);
}

void
certtest_read(const char *path, uint8_t **data, size_t *len)
{
	FILE	*f;
	long	 n;

	assert_non_null(f = fopen(path, "r"));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	assert_non_null(*data = malloc((size_t)n));
	assert_int_equal(fread(*data, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
}

struct cert *
certtest_load_cert(const char *path)
{
	struct cert	*c;
	uint8_t		*data;
	size_t		 len;
	char		 why[X509_WHY_SIZE];

	certtest_read(path, &data, &len);
	assert_int_equal(cert_parse(&c, data, len, why, sizeof(why)), 0);
	free(data);
	return (c);
}

const char *
certtest_make_pki(void)
{
	static char	 pki[128];
	const char	*src = getenv("IKED_SOURCE");
	char		 cmd[512];

	snprintf(pki, sizeof(pki), "%s/pki", certtest_tmpdir());
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/cert/mkpki.sh' '%s'",
	    src != NULL ? src : "../..", pki);
	assert_int_equal(system(cmd), 0);
	return (pki);
}

void
certtest_copy(const char *from, const char *dir, const char *name, int mode)
{
	uint8_t	*data;
	size_t	 len;

	certtest_read(from, &data, &len);
	certtest_write(dir, name, data, len, mode);
	free(data);
}

struct pkey *
certtest_load_key(const char *path)
{
	struct pkey	*k;
	uint8_t		*data;
	size_t		 len;
	char		 why[X509_WHY_SIZE];

	certtest_read(path, &data, &len);
	assert_int_equal(pkey_parse_private(&k, data, len, why, sizeof(why)),
	    0);
	free(data);
	return (k);
}

struct cert *
certtest_self_signed(enum pkey_type type, unsigned int bits, const char *dn,
    const char *const *alts, size_t nalts, struct pkey **keyp)
{
	struct certgen_params	 p;
	struct pkey		*key;
	struct cert		*c;
	char			 why[X509_WHY_SIZE];

	assert_int_equal(pkey_generate(&key, type, bits, why, sizeof(why)),
	    0);
	memset(&p, 0, sizeof(p));
	p.cg_dn = dn;
	p.cg_altnames = alts;
	p.cg_naltnames = nalts;
	p.cg_not_before = (int64_t)time(NULL) - 60;
	p.cg_not_after = p.cg_not_before + 86400 * 30;
	p.cg_digest = type == PKEY_EC ? CERTGEN_SHA256 : CERTGEN_SHA1;
	if (certgen_self_signed(key, &p, &c, why, sizeof(why)) != 0)
		fail_msg("certgen_self_signed: %s", why);
	if (keyp != NULL)
		*keyp = key;
	else
		pkey_free(key);
	return (c);
}
