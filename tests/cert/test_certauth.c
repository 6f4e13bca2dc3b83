/*
 * Main Mode signature authentication as the IKE engine uses it: the
 * local certificate, and a peer's CERT, ID and SIG payloads, against a
 * PKI that the openssl command builds at test time.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "certtest.h"
#include "crypto/x509/certauth.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/wbuf.h"

#define ROOT_DN		"C=US, O=Example Trust, CN=Example Root CA"
#define LEAF_DN		"C=US, O=Example, CN=gw.example.com"
#define SELF_DN		"C=US, O=Local, CN=local.example.com"

/* A stand-in for HASH_I. */
static const uint8_t	hash_i[20] = {
	0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98, 0xa9,
	0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f, 0x1e, 0x2d, 0x3c, 0x4b,
};

static const char	*pki;

struct fixture {
	char			 root[128];
	struct certstore	*cs;
	/* The peer's message. */
	struct wbuf		 der[3];
	const uint8_t		*ptrs[3];
	size_t			 lens[3];
	struct wbuf		 id;
	struct wbuf		 sig;
	struct certauth_peer	 p;
};

static void
pki_path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", pki, name);
}

static int
group_setup(void **state)
{
	log_init("test_certauth", LOG_DEST_STDERR);
	pki = certtest_make_pki();
	return (0);
}

static int
group_teardown(void **state)
{
	char	parent[128], *slash;

	snprintf(parent, sizeof(parent), "%s", pki);
	if ((slash = strrchr(parent, '/')) != NULL)
		*slash = '\0';
	certtest_rmdir(parent);
	return (0);
}

/*
 * Store: publickeys 0 = root CA (cert_root), 1 = a self-signed ECDSA
 * certificate with its key; crls of both CAs.
 */
static int
setup(void **state)
{
	struct certstore_trust	 t;
	struct fixture		*f;
	struct pkey		*key;
	struct cert		*self;
	struct wbuf		 pem, keypem;
	const char		*roots[] = { ROOT_DN };
	char			 dir[256], path[256], why[X509_WHY_SIZE];

	f = calloc(1, sizeof(*f));
	snprintf(f->root, sizeof(f->root), "%s", certtest_tmpdir());
	snprintf(dir, sizeof(dir), "%s/etc/inet/ike/publickeys", f->root);
	pki_path(path, sizeof(path), "root.pem");
	certtest_copy(path, dir, "0", 0644);
	self = certtest_self_signed(PKEY_EC, 256, SELF_DN, NULL, 0, &key);
	wbuf_init(&pem, 0);
	wbuf_init(&keypem, 1);
	assert_int_equal(cert_encode(self, X509_FORMAT_PEM, &pem), 0);
	assert_int_equal(pkey_encode_private(key, X509_FORMAT_PEM, &keypem),
	    0);
	certtest_write(dir, "1", pem.wb_data, pem.wb_len, 0644);
	snprintf(dir, sizeof(dir), "%s/etc/inet/secret/ike.privatekeys",
	    f->root);
	certtest_write(dir, "1", keypem.wb_data, keypem.wb_len, 0600);
	wbuf_free(&pem);
	wbuf_free(&keypem);
	cert_free(self);
	pkey_free(key);
	snprintf(dir, sizeof(dir), "%s/etc/inet/ike/crls", f->root);
	pki_path(path, sizeof(path), "root.crl");
	certtest_copy(path, dir, "0", 0644);
	pki_path(path, sizeof(path), "inter.crl");
	certtest_copy(path, dir, "1", 0644);
	assert_int_equal(certstore_load(&f->cs, f->root), 0);
	memset(&t, 0, sizeof(t));
	t.ct_roots = roots;
	t.ct_nroots = 1;
	assert_int_equal(certstore_set_trust(f->cs, &t, why, sizeof(why)), 0);
	*state = f;
	return (0);
}

static void
message_free(struct fixture *f)
{
	size_t	i;

	for (i = 0; i < 3; i++)
		wbuf_free(&f->der[i]);
	wbuf_free(&f->id);
	wbuf_free(&f->sig);
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	message_free(f);
	certstore_free(f->cs);
	certtest_rmdir(f->root);
	free(f);
	return (0);
}

/*
 * Build the message of a peer with certificate NAME.pem and key
 * NAME.key: CERT payloads (the certificate, then the intermediate when
 * with_inter), an ID_DER_ASN1_DN identity and an ECDSA-256 signature.
 */
static void
message(struct fixture *f, const char *name, int with_inter)
{
	struct cert	*c;
	struct pkey	*k;
	char		 path[256], why[X509_WHY_SIZE];
	size_t		 i, n = with_inter ? 2 : 1;
	const char	*files[2] = { name, "inter" };

	for (i = 0; i < 3; i++)
		wbuf_init(&f->der[i], 0);
	wbuf_init(&f->id, 0);
	wbuf_init(&f->sig, 0);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s.pem", pki, files[i]);
		c = certtest_load_cert(path);
		assert_int_equal(cert_encode(c, X509_FORMAT_DER, &f->der[i]),
		    0);
		if (i == 0)
			assert_int_equal(cert_subject_der(c, &f->id), 0);
		cert_free(c);
		f->ptrs[i] = f->der[i].wb_data;
		f->lens[i] = f->der[i].wb_len;
	}
	snprintf(path, sizeof(path), "%s/%s.key", pki, name);
	k = certtest_load_key(path);
	assert_int_equal(sig_sign(k, SIG_ECDSA_256, hash_i, sizeof(hash_i),
	    &f->sig, why, sizeof(why)), 0);
	pkey_free(k);
	memset(&f->p, 0, sizeof(f->p));
	f->p.cp_certs = f->ptrs;
	f->p.cp_certlens = f->lens;
	f->p.cp_ncerts = n;
	f->p.cp_idtype = CERT_ID_DER_ASN1_DN;
	f->p.cp_id = f->id.wb_data;
	f->p.cp_idlen = f->id.wb_len;
	f->p.cp_method = SIG_ECDSA_256;
	f->p.cp_hash = hash_i;
	f->p.cp_hashlen = sizeof(hash_i);
	f->p.cp_sig = f->sig.wb_data;
	f->p.cp_siglen = f->sig.wb_len;
}

static struct certsel_list *
selectors(const char *sel)
{
	struct certsel_list	*l;
	char			 why[X509_WHY_SIZE];

	assert_int_equal(certsel_list_parse(&l, &sel, 1, why, sizeof(why)),
	    0);
	return (l);
}

/* Run certauth_verify_peer with remote_id sel; why gets the reason. */
static int
verify(struct fixture *f, const char *sel, char *why, size_t whysize)
{
	struct certsel_list	*l = selectors(sel);
	struct cert		*peer = NULL;
	char			 subject[256];
	int			 rc;

	why[0] = '\0';
	rc = certauth_verify_peer(f->cs, l, &f->p, 0, &peer, why, whysize);
	if (rc == 0) {
		assert_non_null(peer);
		assert_int_equal(cert_subject_text(peer, subject,
		    sizeof(subject)), 0);
		assert_string_equal(subject, LEAF_DN);
		cert_free(peer);
	} else
		assert_null(peer);
	certsel_list_free(l);
	return (rc);
}

static void
peer_with_chain_accepted(void **state)
{
	struct fixture	*f = *state;
	char		 why[X509_WHY_SIZE];

	message(f, "leaf", 1);
	assert_int_equal(certstore_count(f->cs), 2);
	if (verify(f, LEAF_DN, why, sizeof(why)) != 0)
		fail_msg("%s", why);
	/* Both received certificates are now in the cache. */
	assert_int_equal(certstore_count(f->cs), 4);
	assert_int_equal(verify(f, "", why, sizeof(why)), 0);
	assert_int_equal(certstore_count(f->cs), 4);
}

static void
peer_fqdn_and_address_ids(void **state)
{
	struct fixture	*f = *state;
	uint8_t		 v4[4];
	char		 why[X509_WHY_SIZE];

	message(f, "leaf", 1);
	f->p.cp_idtype = CERT_ID_FQDN;
	f->p.cp_id = (const uint8_t *)"gw.example.com";
	f->p.cp_idlen = 14;
	assert_int_equal(verify(f, "DNS=gw.example.com", why, sizeof(why)),
	    0);
	inet_pton(AF_INET, "192.0.2.1", v4);
	f->p.cp_idtype = CERT_ID_IPV4_ADDR;
	f->p.cp_id = v4;
	f->p.cp_idlen = 4;
	assert_int_equal(verify(f, "192.0.2.1", why, sizeof(why)), 0);
	v4[3] = 9;
	assert_int_equal(verify(f, "", why, sizeof(why)), ERR_AUTH);
	assert_non_null(strstr(why, "ID payload does not name certificate "
	    "\"" LEAF_DN "\": IP address identity 192.0.2.9"));
}

static void
peer_remote_id_mismatch(void **state)
{
	struct fixture	*f = *state;
	char		 why[X509_WHY_SIZE];

	message(f, "leaf", 1);
	assert_int_equal(verify(f, "C=US, O=Example, CN=other.example.com",
	    why, sizeof(why)), ERR_AUTH);
	assert_string_equal(why, "certificate \"" LEAF_DN "\" does not match "
	    "the rule's remote_id");
	assert_int_equal(verify(f, "!DNS=gw.example.com", why, sizeof(why)),
	    ERR_AUTH);
	/* A rejected peer adds nothing to the cache. */
	assert_int_equal(certstore_count(f->cs), 2);
}

static void
peer_bad_signature(void **state)
{
	struct fixture	*f = *state;
	char		 why[X509_WHY_SIZE];

	message(f, "leaf", 1);
	f->sig.wb_data[5] ^= 0x40;
	assert_int_equal(verify(f, "", why, sizeof(why)), ERR_AUTH);
	assert_non_null(strstr(why, "ECDSA-256 signature does not match"));
	f->sig.wb_data[5] ^= 0x40;
	f->p.cp_siglen--;
	assert_int_equal(verify(f, "", why, sizeof(why)), ERR_AUTH);
	assert_non_null(strstr(why, "needs exactly 64"));
	f->p.cp_siglen++;
	f->p.cp_method = SIG_RSA;
	assert_int_equal(verify(f, "", why, sizeof(why)), ERR_AUTH);
	assert_non_null(strstr(why, "RSA signatures need a rsa key"));
}

static void
peer_untrusted_chains(void **state)
{
	struct fixture	*f = *state;
	char		 why[X509_WHY_SIZE];

	message(f, "leaf", 0);
	assert_int_equal(verify(f, "", why, sizeof(why)), ERR_AUTH);
	assert_non_null(strstr(why, "unknown issuer"));
	message_free(f);
	message(f, "revoked", 1);
	assert_int_equal(verify(f, "", why, sizeof(why)), ERR_AUTH);
	assert_non_null(strstr(why, "is revoked by the CRL of"));
	message_free(f);
	message(f, "stranger", 0);
	assert_int_equal(verify(f, "", why, sizeof(why)), ERR_AUTH);
	assert_non_null(strstr(why, "unknown issuer \"C=US, O=Other, "
	    "CN=Other Root CA\""));
}

static void
peer_certificate_from_store(void **state)
{
	struct fixture	*f = *state;
	char		 dir[256], path[256], why[X509_WHY_SIZE];

	message(f, "leaf", 1);
	f->p.cp_ncerts = 0;
	assert_int_equal(verify(f, "", why, sizeof(why)), ERR_AUTH);
	assert_non_null(strstr(why, "sent no certificate"));
	snprintf(dir, sizeof(dir), "%s/etc/inet/ike/publickeys", f->root);
	pki_path(path, sizeof(path), "leaf.pem");
	certtest_copy(path, dir, "5", 0644);
	pki_path(path, sizeof(path), "inter.pem");
	certtest_copy(path, dir, "6", 0644);
	assert_int_equal(certstore_reload(f->cs, why, sizeof(why)), 0);
	assert_int_equal(verify(f, LEAF_DN, why, sizeof(why)), 0);
}

static void
peer_malformed_cert_payloads(void **state)
{
	struct fixture	*f = *state;
	const uint8_t	*many[9];
	size_t		 lens[9], i;
	char		 why[X509_WHY_SIZE];

	message(f, "leaf", 1);
	f->lens[1] = 10;
	assert_int_equal(verify(f, "", why, sizeof(why)), ERR_MALFORMED);
	assert_non_null(strstr(why, "CERT payload 2: "));
	for (i = 0; i < 9; i++) {
		many[i] = f->ptrs[0];
		lens[i] = f->der[0].wb_len;
	}
	f->p.cp_certs = many;
	f->p.cp_certlens = lens;
	f->p.cp_ncerts = 9;
	assert_int_equal(verify(f, "", why, sizeof(why)), ERR_MALFORMED);
	assert_string_equal(why, "9 CERT payloads: at most 8 are accepted");
}

static void
local_certificate_found(void **state)
{
	struct fixture		*f = *state;
	struct certsel_list	*l;
	struct certstore_entry	 e;
	char			 why[X509_WHY_SIZE];

	l = selectors("");
	assert_int_equal(certauth_find_local(f->cs, l, SIG_ECDSA_256, &e, why,
	    sizeof(why)), 0);
	assert_string_equal(e.ce_slot, "1");
	assert_int_equal(certauth_find_local(f->cs, l, SIG_RSA, &e, why,
	    sizeof(why)), ERR_NOTFOUND);
	assert_string_equal(why, "1 certificate(s) with a private key match "
	    "local_id, but none has a key for RSA signatures");
	certsel_list_free(l);
	l = selectors(ROOT_DN);
	assert_int_equal(certauth_find_local(f->cs, l, SIG_ECDSA_256, &e, why,
	    sizeof(why)), ERR_NOTFOUND);
	assert_non_null(strstr(why, "no certificate with a private key "
	    "matches local_id"));
	certsel_list_free(l);
}

/*
 * Two ends with the same store: the local end signs with the key that
 * certauth_find_local() picks, and the other end, trusting that
 * self-signed certificate with cert_trust, authenticates it.
 */
static void
local_signature_verifies_at_peer(void **state)
{
	struct fixture		*f = *state;
	struct certstore_trust	 t;
	struct certsel_list	*local, *remote;
	struct certstore_entry	 e;
	struct certauth_peer	 p;
	struct wbuf		 der, id, sig;
	const uint8_t		*ptr;
	size_t			 len;
	const char		*trusted[] = { "SLOT=1" };
	char			 why[X509_WHY_SIZE];

	memset(&t, 0, sizeof(t));
	t.ct_trusted = trusted;
	t.ct_ntrusted = 1;
	assert_int_equal(certstore_set_trust(f->cs, &t, why, sizeof(why)), 0);
	local = selectors(SELF_DN);
	remote = selectors("CN=local.example.com, O=Local, C=US");
	assert_int_equal(certauth_find_local(f->cs, local, SIG_ECDSA_256, &e,
	    why, sizeof(why)), 0);
	wbuf_init(&der, 0);
	wbuf_init(&id, 0);
	wbuf_init(&sig, 0);
	assert_int_equal(cert_encode(e.ce_cert, X509_FORMAT_DER, &der), 0);
	assert_int_equal(cert_subject_der(e.ce_cert, &id), 0);
	assert_int_equal(sig_sign(e.ce_key, SIG_ECDSA_256, hash_i,
	    sizeof(hash_i), &sig, why, sizeof(why)), 0);
	ptr = der.wb_data;
	len = der.wb_len;
	memset(&p, 0, sizeof(p));
	p.cp_certs = &ptr;
	p.cp_certlens = &len;
	p.cp_ncerts = 1;
	p.cp_idtype = CERT_ID_DER_ASN1_DN;
	p.cp_id = id.wb_data;
	p.cp_idlen = id.wb_len;
	p.cp_method = SIG_ECDSA_256;
	p.cp_hash = hash_i;
	p.cp_hashlen = sizeof(hash_i);
	p.cp_sig = sig.wb_data;
	p.cp_siglen = sig.wb_len;
	if (certauth_verify_peer(f->cs, remote, &p, 0, NULL, why,
	    sizeof(why)) != 0)
		fail_msg("%s", why);
	wbuf_free(&der);
	wbuf_free(&id);
	wbuf_free(&sig);
	certsel_list_free(local);
	certsel_list_free(remote);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(peer_with_chain_accepted),
		T(peer_fqdn_and_address_ids),
		T(peer_remote_id_mismatch),
		T(peer_bad_signature),
		T(peer_untrusted_chains),
		T(peer_certificate_from_store),
		T(peer_malformed_cert_payloads),
		T(local_certificate_found),
		T(local_signature_verifies_at_peer),
	};

	return (cmocka_run_group_tests(tests, group_setup, group_teardown));
}
