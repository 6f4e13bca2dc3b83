/*
 * ikecert certdb: certificates in ROOT/etc/inet/ike/publickeys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto/x509/cert.h"
#include "crypto/x509/certsel.h"
#include "crypto/x509/pkey.h"
#include "ikecert/ikecert.h"
#include "ikecert/store.h"
#include "lib/err.h"

static void
certdb_usage(void)
{
	fprintf(stderr,
	    "Usage: ikecert certdb -a\n"
	    "       ikecert certdb -l [-v] [certspec ...]\n"
	    "       ikecert certdb -e [-f pem|ber] certspec ...\n"
	    "       ikecert certdb -r certspec ...\n"
	    "  certspec: a subject DN, SUBJECT=, ISSUER=, SLOT=n, IP=, "
	    "DNS=, EMAIL=,\n"
	    "            URI=, DN=, RID=; a leading ! excludes\n");
}

static int
certdb_opt(struct store_opts *o, int ch)
{
	int	rc;

	if ((rc = store_opt(o, ch, "certdb", certdb_usage)) >= 0)
		return (rc);
	switch (ch) {
	case 'p':
	case 'T':
	case 'U':
	case 'C':
	case 'L':
		return (ikecert_no_pkcs11((char)ch));
	default:
		certdb_usage();
		return (1);
	}
}

static void
certdb_print_alts(const struct cert *c)
{
	static const struct {
		enum cert_alt	 alt;
		const char	*tag;
	} tags[] = {
		{ CERT_ALT_IP, "IP" }, { CERT_ALT_DNS, "DNS" },
		{ CERT_ALT_EMAIL, "EMAIL" }, { CERT_ALT_URI, "URI" },
		{ CERT_ALT_DN, "DN" }, { CERT_ALT_RID, "RID" },
	};
	char	buf[1024];
	size_t	i, j;

	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		for (j = 0; cert_altname(c, tags[i].alt, j, buf,
		    sizeof(buf)) == 0; j++)
			printf("\tSubjectAltName: %s=%s\n", tags[i].tag, buf);
}

static void
certdb_print_verbose(const struct cert *c)
{
	int64_t	nb, na;
	char	buf[1024];

	if (cert_issuer_text(c, buf, sizeof(buf)) == 0)
		printf("\tIssuer Name: <%s>\n", buf);
	if (cert_serial_text(c, buf, sizeof(buf)) == 0)
		printf("\tSerial Number: %s\n", buf);
	if (cert_validity(c, &nb, &na) == 0) {
		store_print_time("Not Valid Before: ", nb);
		store_print_time("Not Valid After:  ", na);
	}
	certdb_print_alts(c);
}

static void
certdb_print(const char *slot, const struct cert *c,
    const struct slots_dir *keys, int verbose)
{
	const struct pkey	*k = cert_public_key(c);
	const char		*kslot;
	char			 buf[1024];

	printf("Certificate Slot Name: %s   Key Type: %s\n", slot,
	    pkey_type_name(pkey_type(k)));
	if ((kslot = store_key_slot(keys, cert_public_key(c))) != NULL)
		printf("\t(Private key in certlocal slot %s)\n", kslot);
	if (cert_subject_text(c, buf, sizeof(buf)) == 0)
		printf("\tSubject Name: <%s>\n", buf);
	printf("\tKey Size: %u\n", pkey_bits(k));
	if (pkey_public_hash(k, buf, sizeof(buf)) == 0)
		printf("\tPublic key hash: %s\n", buf);
	if (verbose)
		certdb_print_verbose(c);
}

/*
 * Call fn for each certificate of the store that matches the certspecs
 * (all of them when there are none), until fn returns nonzero: -1 stops
 * with success, a positive value is the exit status of a failure.
 */
typedef int (*certdb_fn)(const struct ikecert_dirs *, const char *,
    const struct cert *, const struct store_opts *, void *);

static int
certdb_each(const struct ikecert_dirs *d, int argc, char **argv,
    const struct store_opts *o, certdb_fn fn, void *arg, int *nmatched)
{
	struct certsel_list	*sels = NULL;
	struct slots_dir	 pub;
	struct cert		*c;
	char			 why[X509_WHY_SIZE];
	size_t			 i;
	int			 rc = 0;

	*nmatched = 0;
	if (argc > 0 && certsel_list_parse(&sels, (const char *const *)argv,
	    (size_t)argc, why, sizeof(why)) != 0)
		return (ikecert_error("invalid certspec: %s", why));
	if (store_read(d->pubdir, 0, &pub) != 0) {
		certsel_list_free(sels);
		return (1);
	}
	for (i = 0; i < pub.sd_n && rc == 0; i++) {
		if (cert_parse(&c, pub.sd_files[i].sf_data.wb_data,
		    pub.sd_files[i].sf_data.wb_len, why, sizeof(why)) != 0) {
			fprintf(stderr, "ikecert: %s/%s: %s\n", d->pubdir,
			    pub.sd_files[i].sf_name, why);
			continue;
		}
		if (sels == NULL ||
		    certsel_list_match(sels, c, pub.sd_files[i].sf_name)) {
			(*nmatched)++;
			rc = fn(d, pub.sd_files[i].sf_name, c, o, arg);
		}
		cert_free(c);
	}
	slots_free(&pub);
	certsel_list_free(sels);
	return (rc < 0 ? 0 : rc);
}

static int
certdb_list_one(const struct ikecert_dirs *d, const char *slot,
    const struct cert *c, const struct store_opts *o, void *arg)
{
	certdb_print(slot, c, arg, o->verbose);
	return (0);
}

static int
certdb_export_one(const struct ikecert_dirs *d, const char *slot,
    const struct cert *c, const struct store_opts *o, void *arg)
{
	struct wbuf	out;
	int		rc;

	wbuf_init(&out, 0);
	if (cert_encode(c, store_format(o), &out) != 0 ||
	    slots_write_stdout(out.wb_data, out.wb_len) != 0)
		rc = ikecert_error("certdb: cannot export slot %s", slot);
	else
		rc = -1;	/* only the first match */
	wbuf_free(&out);
	return (rc);
}

static int
certdb_remove_one(const struct ikecert_dirs *d, const char *slot,
    const struct cert *c, const struct store_opts *o, void *arg)
{
	if (slots_remove(d->pubdir, slot) != 0)
		return (ikecert_error("certdb: cannot remove %s/%s",
		    d->pubdir, slot));
	return (-1);
}

/* The slot for a new certificate: its key's slot, or the next free. */
static int
certdb_add_slot(const struct ikecert_dirs *d, const struct cert *c,
    char *slot, size_t slotsize)
{
	const char		*dirs[] = { d->pubdir, d->keydir };
	struct slots_dir	 keys;
	const char		*kslot;
	char			 path[PATH_MAX];
	int			 rc = 0;

	if (store_read(d->keydir, 1, &keys) != 0)
		return (1);
	kslot = store_key_slot(&keys, cert_public_key(c));
	if (kslot != NULL &&
	    snprintf(path, sizeof(path), "%s/%s", d->pubdir, kslot) <
	    (int)sizeof(path) && access(path, F_OK) != 0)
		snprintf(slot, slotsize, "%s", kslot);
	else if (slots_next_free(dirs, 2, slot, slotsize) != 0)
		rc = ikecert_error("no free slot in %s", d->pubdir);
	slots_free(&keys);
	return (rc);
}

static int
certdb_find_equal(const struct ikecert_dirs *d, const char *slot,
    const struct cert *c, const struct store_opts *o, void *arg)
{
	if (!cert_equal(c, arg))
		return (0);
	return (ikecert_error("certdb: this certificate is already in slot "
	    "%s", slot));
}

static int
certdb_add(const struct ikecert_dirs *d, const struct store_opts *o)
{
	struct wbuf	 in, pem;
	struct cert	*c;
	char		 slot[256], why[X509_WHY_SIZE];
	int		 n, rc;

	if (slots_read_stdin(&in, 0) != 0)
		return (ikecert_error("certdb: cannot read the certificate "
		    "from standard input"));
	rc = cert_parse(&c, in.wb_data, in.wb_len, why, sizeof(why));
	wbuf_free(&in);
	if (rc != 0)
		return (ikecert_error("certdb: %s", why));
	wbuf_init(&pem, 0);
	if ((rc = certdb_each(d, 0, NULL, o, certdb_find_equal, c, &n)) != 0 ||
	    (rc = certdb_add_slot(d, c, slot, sizeof(slot))) != 0)
		goto out;
	if (cert_encode(c, X509_FORMAT_PEM, &pem) != 0 ||
	    slots_write(d->pubdir, 0755, slot, pem.wb_data, pem.wb_len,
	    0644) != 0) {
		rc = ikecert_error("cannot write %s/%s", d->pubdir, slot);
		goto out;
	}
	fprintf(stderr, "Certificate added to certificate database "
	    "(slot %s).\n", slot);
out:
	wbuf_free(&pem);
	cert_free(c);
	return (rc);
}

static int
certdb_run(const struct ikecert_dirs *d, const struct store_opts *o,
    int argc, char **argv)
{
	struct slots_dir	keys;
	int			n, rc;

	switch (o->action) {
	case 'l':
		if (slots_read(d->keydir, 1, &keys) != 0)
			memset(&keys, 0, sizeof(keys));
		rc = certdb_each(d, argc, argv, o, certdb_list_one, &keys, &n);
		slots_free(&keys);
		break;
	case 'e':
		rc = certdb_each(d, argc, argv, o, certdb_export_one, NULL, &n);
		break;
	case 'r':
		rc = certdb_each(d, argc, argv, o, certdb_remove_one, NULL, &n);
		break;
	default:
		return (1);
	}
	if (rc == 0 && n == 0 && argc > 0)
		rc = ikecert_error("certdb: no certificate matches \"%s\"",
		    argv[0]);
	return (rc);
}

int
certdb_main(const struct ikecert_dirs *d, int argc, char **argv)
{
	struct store_opts	o;
	int			ch;

	memset(&o, 0, sizeof(o));
	while ((ch = getopt(argc, argv, "alerf:vpT:U:C:L:")) != -1)
		if (certdb_opt(&o, ch) != 0)
			return (1);
	argc -= optind;
	argv += optind;
	if (store_check_format(&o, "certdb") != 0)
		return (1);
	if (o.action == 'a' && argc == 0)
		return (certdb_add(d, &o));
	if (o.action == 'l' || ((o.action == 'e' || o.action == 'r') &&
	    argc > 0))
		return (certdb_run(d, &o, argc, argv));
	certdb_usage();
	return (1);
}
