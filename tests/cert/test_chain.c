/*
 * Certificate store and chain verification against a PKI that the
 * openssl command builds at test time (mkpki.sh): root CA, intermediate
 * CA, leaves, a revoked leaf, a leaf of an unknown CA, and CRLs.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "certtest.h"
#include "crypto/x509/certstore.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/wbuf.h"

#define ROOT_DN		"C=US, O=Example Trust, CN=Example Root CA"
#define SELF_DN		"C=US, O=Example, CN=self.example.com"

static char	pki[128];	/* output of mkpki.sh, made once */

struct fixture {
	char			 root[128];	/* store root of one test */
	char			 pub[256], keys[256], crls[256];
	struct certstore	*cs;
	struct cert		*self;		/* self-signed, slot 1 */
	struct pkey		*self_key;
};

static void
copy_file(const char *from, const char *dir, const char *name, int mode)
{
	uint8_t	*data;
	size_t	 len;

	certtest_read(from, &data, &len);
	certtest_write(dir, name, data, len, mode);
	free(data);
}

static void
pki_path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", pki, name);
}

static struct cert *
pki_cert(const char *name)
{
	char	path[256];

	pki_path(path, sizeof(path), name);
	return (certtest_load_cert(path));
}

static int
group_setup(void **state)
{
	char	cmd[512];
	const char	*src = getenv("IKED_SOURCE");

	log_init("test_chain", LOG_DEST_STDERR);
	snprintf(pki, sizeof(pki), "%s", certtest_tmpdir());
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/cert/mkpki.sh' '%s/pki'",
	    src != NULL ? src : "../..", pki);
	if (system(cmd) != 0)
		return (-1);
	strncat(pki, "/pki", sizeof(pki) - strlen(pki) - 1);
	return (0);
}

static int
group_teardown(void **state)
{
	char	*slash;

	if ((slash = strrchr(pki, '/')) != NULL)
		*slash = '\0';
	certtest_rmdir(pki);
	return (0);
}

/*
 * Store: publickeys 0 = root CA, 1 = a self-signed certificate with its
 * key; crls 0 = root CRL, 1 = intermediate CRL.
 */
static int
setup(void **state)
{
	struct fixture	*f;
	struct wbuf	 pem, keypem;
	char		 path[256];

	f = calloc(1, sizeof(*f));
	snprintf(f->root, sizeof(f->root), "%s", certtest_tmpdir());
	snprintf(f->pub, sizeof(f->pub), "%s/etc/inet/ike/publickeys",
	    f->root);
	snprintf(f->keys, sizeof(f->keys),
	    "%s/etc/inet/secret/ike.privatekeys", f->root);
	snprintf(f->crls, sizeof(f->crls), "%s/etc/inet/ike/crls", f->root);
	pki_path(path, sizeof(path), "root.pem");
	copy_file(path, f->pub, "0", 0644);
	pki_path(path, sizeof(path), "root.crl");
	copy_file(path, f->crls, "0", 0644);
	pki_path(path, sizeof(path), "inter.crl");
	copy_file(path, f->crls, "1", 0644);
	f->self = certtest_self_signed(PKEY_EC, 256, SELF_DN, NULL, 0,
	    &f->self_key);
	wbuf_init(&pem, 0);
	wbuf_init(&keypem, 1);
	assert_int_equal(cert_encode(f->self, X509_FORMAT_PEM, &pem), 0);
	assert_int_equal(pkey_encode_private(f->self_key, X509_FORMAT_PEM,
	    &keypem), 0);
	certtest_write(f->pub, "1", pem.wb_data, pem.wb_len, 0644);
	certtest_write(f->keys, "1", keypem.wb_data, keypem.wb_len, 0600);
	wbuf_free(&pem);
	wbuf_free(&keypem);
	assert_int_equal(certstore_load(&f->cs, f->root), 0);
	*state = f;
	return (0);
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	certstore_free(f->cs);
	cert_free(f->self);
	pkey_free(f->self_key);
	certtest_rmdir(f->root);
	free(f);
	return (0);
}

static void
set_trust(struct fixture *f, const char *root, const char *trust,
    int ignore_crls)
{
	struct certstore_trust	t;
	char			why[X509_WHY_SIZE];

	memset(&t, 0, sizeof(t));
	t.ct_roots = &root;
	t.ct_nroots = root != NULL;
	t.ct_trusted = &trust;
	t.ct_ntrusted = trust != NULL;
	t.ct_ignore_crls = ignore_crls;
	if (certstore_set_trust(f->cs, &t, why, sizeof(why)) != 0)
		fail_msg("certstore_set_trust: %s", why);
}

/* Verify name (with the intermediate when send_inter) at now. */
static int
verify(struct fixture *f, const char *name, int send_inter, int64_t now,
    char *why, size_t whysize)
{
	struct cert	*peer, *inter;
	int		 rc;

	peer = pki_cert(name);
	inter = pki_cert("inter.pem");
	why[0] = '\0';
	rc = certstore_verify(f->cs, peer, &inter, send_inter ? 1 : 0, now,
	    why, whysize);
	cert_free(peer);
	cert_free(inter);
	return (rc);
}

static void
chain_leaf_accepted(void **state)
{
	struct fixture	*f = *state;
	char		 why[X509_WHY_SIZE];

	set_trust(f, ROOT_DN, NULL, 0);
	assert_int_equal(verify(f, "leaf.pem", 1, 0, why, sizeof(why)), 0);
}

static void
chain_intermediate_from_store(void **state)
{
	struct fixture	*f = *state;
	char		 why[X509_WHY_SIZE], path[256];

	pki_path(path, sizeof(path), "inter.pem");
	copy_file(path, f->pub, "2", 0644);
	assert_int_equal(certstore_reload(f->cs, why, sizeof(why)), 0);
	set_trust(f, ROOT_DN, NULL, 0);
	assert_int_equal(verify(f, "leaf.pem", 0, 0, why, sizeof(why)), 0);
}

static void
chain_missing_intermediate(void **state)
{
	struct fixture	*f = *state;
	char		 why[X509_WHY_SIZE];

	set_trust(f, ROOT_DN, NULL, 0);
	assert_int_equal(verify(f, "leaf.pem", 0, 0, why, sizeof(why)),
	    ERR_AUTH);
	assert_non_null(strstr(why, "unknown issuer \"C=US, O=Example "
	    "Trust, CN=Example Intermediate CA\""));
}

static void
chain_revoked_rejected(void **state)
{
	struct fixture	*f = *state;
	char		 why[X509_WHY_SIZE];

	set_trust(f, ROOT_DN, NULL, 0);
	assert_int_equal(verify(f, "revoked.pem", 1, 0, why, sizeof(why)),
	    ERR_AUTH);
	assert_non_null(strstr(why, "revoked by the CRL of \"C=US, "
	    "O=Example Trust, CN=Example Intermediate CA\""));
}

static void
chain_revoked_ignore_crls(void **state)
{
	struct fixture	*f = *state;
	char		 why[X509_WHY_SIZE];

	set_trust(f, ROOT_DN, NULL, 1);
	assert_int_equal(verify(f, "revoked.pem", 1, 0, why, sizeof(why)), 0);
}

static void
chain_missing_crl(void **state)
{
	struct fixture	*f = *state;
	char		 why[X509_WHY_SIZE], path[300];

	snprintf(path, sizeof(path), "%s/1", f->crls);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(certstore_reload(f->cs, why, sizeof(why)), 0);
	set_trust(f, ROOT_DN, NULL, 0);
	assert_int_equal(verify(f, "leaf.pem", 1, 0, why, sizeof(why)),
	    ERR_AUTH);
	assert_non_null(strstr(why, "no CRL of \"C=US, O=Example Trust, "
	    "CN=Example Intermediate CA\""));
	set_trust(f, ROOT_DN, NULL, 1);
	assert_int_equal(verify(f, "leaf.pem", 1, 0, why, sizeof(why)), 0);
}

static void
chain_expired(void **state)
{
	struct fixture	*f = *state;
	char		 why[X509_WHY_SIZE];
	int64_t		 later = (int64_t)time(NULL) + 400 * 86400;

	set_trust(f, ROOT_DN, NULL, 1);
	assert_int_equal(verify(f, "leaf.pem", 1, later, why, sizeof(why)),
	    ERR_AUTH);
	assert_non_null(strstr(why, "expired on "));
}

static void
chain_not_yet_valid(void **state)
{
	struct fixture	*f = *state;
	char		 why[X509_WHY_SIZE];
	int64_t		 earlier = (int64_t)time(NULL) - 2 * 86400;

	set_trust(f, ROOT_DN, NULL, 1);
	assert_int_equal(verify(f, "leaf.pem", 1, earlier, why, sizeof(why)),
	    ERR_AUTH);
	assert_non_null(strstr(why, "is not valid before "));
}

static void
chain_unknown_issuer(void **state)
{
	struct fixture	*f = *state;
	char		 why[X509_WHY_SIZE];

	set_trust(f, ROOT_DN, NULL, 0);
	assert_int_equal(verify(f, "stranger.pem", 0, 0, why, sizeof(why)),
	    ERR_AUTH);
	assert_non_null(strstr(why, "unknown issuer \"C=US, O=Other, "
	    "CN=Other Root CA\""));
}

static void
chain_untrusted_root(void **state)
{
	struct fixture	*f = *state;
	char		 why[X509_WHY_SIZE];

	/* The root is in the store but not named by cert_root. */
	set_trust(f, NULL, "SLOT=1", 0);
	assert_int_equal(verify(f, "leaf.pem", 1, 0, why, sizeof(why)),
	    ERR_AUTH);
	assert_non_null(strstr(why, "self-signed certificate \"" ROOT_DN
	    "\" is not trusted"));
}

static void
trust_self_signed(void **state)
{
	struct fixture	*f = *state;
	char		 why[X509_WHY_SIZE];

	set_trust(f, ROOT_DN, NULL, 0);
	assert_int_equal(certstore_verify(f->cs, f->self, NULL, 0, 0, why,
	    sizeof(why)), ERR_AUTH);
	assert_non_null(strstr(why, "self-signed certificate \"" SELF_DN
	    "\" is not trusted"));
	set_trust(f, ROOT_DN, SELF_DN, 0);
	assert_int_equal(certstore_verify(f->cs, f->self, NULL, 0, 0, why,
	    sizeof(why)), 0);
}

static void
trust_self_signed_expired(void **state)
{
	struct fixture	*f = *state;
	char		 why[X509_WHY_SIZE];
	int64_t		 now = (int64_t)time(NULL);

	set_trust(f, NULL, "SLOT=1", 0);
	assert_int_equal(certstore_verify(f->cs, f->self, NULL, 0,
	    now + 40 * 86400, why, sizeof(why)), ERR_AUTH);
	assert_non_null(strstr(why, "expired on "));
	assert_int_equal(certstore_verify(f->cs, f->self, NULL, 0,
	    now - 86400, why, sizeof(why)), ERR_AUTH);
	assert_non_null(strstr(why, "is not valid before "));
}

static void
trust_selector_matches_nothing(void **state)
{
	struct fixture		*f = *state;
	struct certstore_trust	 t;
	const char		*root = "C=US, O=Nobody, CN=Missing CA";
	char			 why[X509_WHY_SIZE];

	memset(&t, 0, sizeof(t));
	t.ct_roots = &root;
	t.ct_nroots = 1;
	assert_int_equal(certstore_set_trust(f->cs, &t, why, sizeof(why)),
	    ERR_CONFIG);
	assert_non_null(strstr(why, "matches no certificate"));
}

static void
store_entries(void **state)
{
	struct fixture		*f = *state;
	struct certstore_entry	 e;

	assert_int_equal(certstore_count(f->cs), 2);
	assert_int_equal(certstore_crl_count(f->cs), 2);
	assert_int_equal(certstore_nerrors(f->cs), 0);
	assert_int_equal(certstore_entry(f->cs, 0, &e), 0);
	assert_int_equal(e.ce_id, 1);
	assert_string_equal(e.ce_slot, "0");
	assert_null(e.ce_key);
	assert_int_equal(e.ce_origin, CERTSTORE_PUBLIC_ONLY);
	assert_int_equal(certstore_entry(f->cs, 1, &e), 0);
	assert_string_equal(e.ce_slot, "1");
	assert_non_null(e.ce_key);
	assert_int_equal(e.ce_origin, CERTSTORE_PRIVATE_KEY);
	assert_int_equal(certstore_entry(f->cs, 2, &e), ERR_NOTFOUND);
}

static void
store_find_local(void **state)
{
	struct fixture		*f = *state;
	struct certsel_list	*sels;
	struct certstore_entry	 e;
	const char		*any[] = { "" };
	const char		*root[] = { ROOT_DN };
	char			 why[X509_WHY_SIZE];

	assert_int_equal(certsel_list_parse(&sels, any, 1, why, sizeof(why)),
	    0);
	assert_int_equal(certstore_find(f->cs, sels, 1, &e), 0);
	assert_string_equal(e.ce_slot, "1");
	assert_int_equal(certstore_find(f->cs, sels, 0, &e), 0);
	assert_string_equal(e.ce_slot, "0");
	certsel_list_free(sels);
	assert_int_equal(certsel_list_parse(&sels, root, 1, why,
	    sizeof(why)), 0);
	assert_int_equal(certstore_find(f->cs, sels, 1, &e), ERR_NOTFOUND);
	certsel_list_free(sels);
}

static void
store_key_mode_rejected(void **state)
{
	struct fixture		*f = *state;
	struct certstore_entry	 e;
	char			 path[300], why[X509_WHY_SIZE];

	snprintf(path, sizeof(path), "%s/1", f->keys);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(certstore_reload(f->cs, why, sizeof(why)), 0);
	assert_int_equal(certstore_nerrors(f->cs), 1);
	assert_non_null(strstr(certstore_error(f->cs, 0), "chmod 600"));
	assert_non_null(strstr(certstore_error(f->cs, 0), "mode 0640"));
	assert_int_equal(certstore_entry(f->cs, 1, &e), 0);
	assert_null(e.ce_key);
}

static void
store_key_without_cert(void **state)
{
	struct fixture	*f = *state;
	struct wbuf	 keypem;
	char		 why[X509_WHY_SIZE];

	wbuf_init(&keypem, 1);
	assert_int_equal(pkey_encode_private(f->self_key, X509_FORMAT_PEM,
	    &keypem), 0);
	certtest_write(f->keys, "7", keypem.wb_data, keypem.wb_len, 0600);
	/* Slot 0 is the root CA: a key that does not belong to it. */
	certtest_write(f->keys, "0", keypem.wb_data, keypem.wb_len, 0600);
	wbuf_free(&keypem);
	assert_int_equal(certstore_reload(f->cs, why, sizeof(why)), 0);
	assert_int_equal(certstore_nerrors(f->cs), 2);
	assert_non_null(strstr(certstore_error(f->cs, 0),
	    "does not belong to the certificate"));
	assert_non_null(strstr(certstore_error(f->cs, 1),
	    "has no certificate with the same file name"));
}

static void
store_bad_files_skipped(void **state)
{
	struct fixture	*f = *state;
	char		 why[X509_WHY_SIZE];

	certtest_write(f->pub, "5", "junk\n", 5, 0644);
	certtest_write(f->crls, "5", "\x30\x03\x02\x01", 4, 0644);
	assert_int_equal(certstore_reload(f->cs, why, sizeof(why)), 0);
	assert_int_equal(certstore_count(f->cs), 2);
	assert_int_equal(certstore_crl_count(f->cs), 2);
	assert_int_equal(certstore_nerrors(f->cs), 2);
}

static void
store_dump_certcache(void **state)
{
	struct fixture	*f = *state;
	struct cert	*leaf;
	struct wbuf	 out;
	const char	*want =
	    "CERTIFICATE CACHE ID: 1\n"
	    "\tSubject Name: <" ROOT_DN ">\n"
	    "\t Issuer Name: <" ROOT_DN ">\n"
	    "\t\t[trusted certificate]\n"
	    "\t\t[Public certificate only]\n"
	    "CERTIFICATE CACHE ID: 2\n"
	    "\tSubject Name: <" SELF_DN ">\n"
	    "\t Issuer Name: <" SELF_DN ">\n"
	    "\t\t[Private key available]\n"
	    "CERTIFICATE CACHE ID: 3\n"
	    "\tSubject Name: <C=US, O=Example, CN=gw.example.com>\n"
	    "\t Issuer Name: <C=US, O=Example Trust, "
	    "CN=Example Intermediate CA>\n"
	    "\t\t[Obtained via certificate payload]\n";
	char		 why[X509_WHY_SIZE];

	set_trust(f, ROOT_DN, NULL, 0);
	leaf = pki_cert("leaf.pem");
	assert_int_equal(certstore_add_received(f->cs, leaf), 0);
	assert_int_equal(certstore_add_received(f->cs, leaf), 0);
	cert_free(leaf);
	wbuf_init(&out, 0);
	assert_int_equal(certstore_dump(f->cs, &out), 0);
	assert_int_equal(wbuf_put_u8(&out, 0), 0);
	assert_string_equal((char *)out.wb_data, want);
	wbuf_free(&out);
	/* A reload drops received certificates and keeps the trust. */
	assert_int_equal(certstore_reload(f->cs, why, sizeof(why)), 0);
	assert_int_equal(certstore_count(f->cs), 2);
	wbuf_init(&out, 0);
	assert_int_equal(certstore_dump(f->cs, &out), 0);
	assert_int_equal(wbuf_put_u8(&out, 0), 0);
	assert_non_null(strstr((char *)out.wb_data, "[trusted certificate]"));
	wbuf_free(&out);
}

static void
store_missing_root_dir(void **state)
{
	struct certstore	*cs;

	assert_int_equal(certstore_load(&cs, "/nonexistent-iked-root"), 0);
	assert_int_equal(certstore_count(cs), 0);
	certstore_free(cs);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(chain_leaf_accepted),
		T(chain_intermediate_from_store),
		T(chain_missing_intermediate),
		T(chain_revoked_rejected),
		T(chain_revoked_ignore_crls),
		T(chain_missing_crl),
		T(chain_expired),
		T(chain_not_yet_valid),
		T(chain_unknown_issuer),
		T(chain_untrusted_root),
		T(trust_self_signed),
		T(trust_self_signed_expired),
		T(trust_selector_matches_nothing),
		T(store_entries),
		T(store_find_local),
		T(store_key_mode_rejected),
		T(store_key_without_cert),
		T(store_bad_files_skipped),
		T(store_dump_certcache),
		T(store_missing_root_dir),
	};

	return (cmocka_run_group_tests(tests, group_setup, group_teardown));
}
