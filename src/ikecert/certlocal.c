/*
 * ikecert certlocal: private keys in ROOT/etc/inet/secret/ike.privatekeys.
 * A key and its certificate share a slot: the file name in both
 * directories.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto/x509/cert.h"
#include "crypto/x509/certgen.h"
#include "crypto/x509/pkey.h"
#include "ikecert/ikecert.h"
#include "ikecert/store.h"
#include "lib/err.h"

#define CERTLOCAL_MAX_ALTS	32

struct certlocal_opts {
	char		 action;	/* 's', 'c' (-ks, -kc), 'l', 'a', 'e', 'r' */
	unsigned int	 bits;
	const char	*type;
	const char	*dn;
	const char	*alts[CERTLOCAL_MAX_ALTS];
	size_t		 nalts;
	const char	*start;
	const char	*end;
	const char	*format;
	int		 verbose;
};

static const struct {
	const char		*name;
	enum pkey_type		 key;
	enum certgen_digest	 digest;
	unsigned int		 ec_bits;
} certlocal_types[] = {
	{ "rsa-sha1", PKEY_RSA, CERTGEN_SHA1, 0 },
	{ "rsa-md5", PKEY_RSA, CERTGEN_MD5, 0 },
	{ "dsa-sha1", PKEY_DSA, CERTGEN_SHA1, 0 },
	{ "ecdsa-sha256", PKEY_EC, CERTGEN_SHA256, 256 },
	{ "ecdsa-sha384", PKEY_EC, CERTGEN_SHA384, 384 },
	{ "ecdsa-sha512", PKEY_EC, CERTGEN_SHA512, 521 },
};

static void
certlocal_usage(void)
{
	fprintf(stderr,
	    "Usage: ikecert certlocal -ks|-kc -m size -t type -D dname "
	    "[-A altname ...]\n"
	    "           [-S start] [-F end] [-f pem|ber]\n"
	    "       ikecert certlocal -l [-v] [slot]\n"
	    "       ikecert certlocal -a\n"
	    "       ikecert certlocal -e [-f pkcs8|pem] slot\n"
	    "       ikecert certlocal -r slot\n"
	    "  -m size   key size in bits: 512, 1024, 2048, 3072, 4096 "
	    "(RSA, DSA);\n"
	    "            256, 384, 521 (ECDSA)\n"
	    "  -t type   rsa-sha1, rsa-md5, dsa-sha1, ecdsa-sha256, "
	    "ecdsa-sha384,\n"
	    "            ecdsa-sha512\n"
	    "  -D dname  subject DN, e.g. \"C=US, O=Example, CN=gw\"\n"
	    "  -A alt    subjectAltName: IP=, DNS=, EMAIL=, URI=, DN=, RID=\n"
	    "  -S, -F    start and end of validity: +1y, -2d, "
	    "2027-01-31 ...\n"
	    "            (default: now, for 4 years)\n");
}

static int
certlocal_set_action(struct certlocal_opts *o, char action)
{
	if (o->action != '\0' && o->action != action) {
		certlocal_usage();
		return (ikecert_error("certlocal: give only one of -ks, -kc, "
		    "-l, -a, -e, -r"));
	}
	o->action = action;
	return (0);
}

static int
certlocal_parse_bits(struct certlocal_opts *o, const char *s)
{
	char	*end;
	long	 n;

	n = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || n <= 0 || n > 16384)
		return (ikecert_error("certlocal: invalid key size \"%s\" "
		    "for -m", s));
	o->bits = (unsigned int)n;
	return (0);
}

static int
certlocal_opt(struct certlocal_opts *o, int ch)
{
	switch (ch) {
	case 'k':
		if (strcmp(optarg, "s") != 0 && strcmp(optarg, "c") != 0)
			return (ikecert_error("certlocal: -k%s: use -ks "
			    "(self-signed certificate) or -kc (request)",
			    optarg));
		return (certlocal_set_action(o, optarg[0]));
	case 'm':
		return (certlocal_parse_bits(o, optarg));
	case 't':
		o->type = optarg;
		return (0);
	case 'D':
		o->dn = optarg;
		return (0);
	case 'A':
		if (o->nalts == CERTLOCAL_MAX_ALTS)
			return (ikecert_error("certlocal: more than %d -A "
			    "options", CERTLOCAL_MAX_ALTS));
		o->alts[o->nalts++] = optarg;
		return (0);
	case 'S':
		o->start = optarg;
		return (0);
	case 'F':
		o->end = optarg;
		return (0);
	case 'f':
		o->format = optarg;
		return (0);
	case 'v':
		o->verbose = 1;
		return (0);
	case 'l':
	case 'a':
	case 'e':
	case 'r':
		return (certlocal_set_action(o, (char)ch));
	case 'p':
	case 'T':
	case 'U':
	case 'C':
	case 'L':
	case 'X':
		return (ikecert_no_pkcs11((char)ch));
	default:
		certlocal_usage();
		return (1);
	}
}

static int
certlocal_validity(const struct certlocal_opts *o, struct certgen_params *p)
{
	int64_t	now = (int64_t)time(NULL);

	p->cg_not_before = now;
	if (o->start != NULL && validity_parse(o->start, now,
	    &p->cg_not_before) != 0)
		return (ikecert_error("certlocal: invalid start time \"%s\" "
		    "for -S: use +1d, -2w, 2027-01-31 or 2027-01-31 12:00:00",
		    o->start));
	p->cg_not_after = validity_add_years(p->cg_not_before, 4);
	if (o->end != NULL && validity_parse(o->end, now,
	    &p->cg_not_after) != 0)
		return (ikecert_error("certlocal: invalid end time \"%s\" "
		    "for -F: use +1y, +6M, 2030-12-31 or 2030-12-31 23:59:59",
		    o->end));
	if (p->cg_not_after <= p->cg_not_before)
		return (ikecert_error("certlocal: the end of the validity "
		    "period (-F) must be after its start (-S)"));
	return (0);
}

/* Check -t, -m and -D and fill the parameters of a new key. */
static int
certlocal_gen_params(struct certlocal_opts *o, enum pkey_type *kt,
    struct certgen_params *p)
{
	size_t	i;

	if (o->type == NULL)
		return (ikecert_error("certlocal: -t type is required "
		    "(rsa-sha1, rsa-md5, dsa-sha1, ecdsa-sha256, ...)"));
	for (i = 0; i < sizeof(certlocal_types) / sizeof(certlocal_types[0]);
	    i++)
		if (strcmp(o->type, certlocal_types[i].name) == 0)
			break;
	if (i == sizeof(certlocal_types) / sizeof(certlocal_types[0]))
		return (ikecert_error("certlocal: invalid key type \"%s\" for "
		    "-t: use rsa-sha1, rsa-md5, dsa-sha1, ecdsa-sha256, "
		    "ecdsa-sha384 or ecdsa-sha512", o->type));
	*kt = certlocal_types[i].key;
	p->cg_digest = certlocal_types[i].digest;
	if (certlocal_types[i].ec_bits != 0 && o->bits == 0)
		o->bits = certlocal_types[i].ec_bits;
	if (o->bits == 0)
		return (ikecert_error("certlocal: -m size is required"));
	if (certlocal_types[i].ec_bits != 0 &&
	    o->bits != certlocal_types[i].ec_bits)
		return (ikecert_error("certlocal: -t %s needs -m %u",
		    o->type, certlocal_types[i].ec_bits));
	if (o->dn == NULL)
		return (ikecert_error("certlocal: -D dname is required"));
	p->cg_dn = o->dn;
	p->cg_altnames = o->alts;
	p->cg_naltnames = o->nalts;
	return (certlocal_validity(o, p));
}

static int
certlocal_format(const char *f, enum x509_format *fmt)
{
	if (f == NULL || strcmp(f, "pem") == 0)
		*fmt = X509_FORMAT_PEM;
	else if (strcmp(f, "ber") == 0 || strcmp(f, "der") == 0)
		*fmt = X509_FORMAT_DER;
	else
		return (ikecert_error("invalid format \"%s\" for -f: use pem "
		    "or ber", f));
	return (0);
}

static int
certlocal_store_key(const struct ikecert_dirs *d, const char *slot,
    const struct pkey *key)
{
	struct wbuf	pem;
	int		rc;

	wbuf_init(&pem, 1);
	if ((rc = pkey_encode_private(key, X509_FORMAT_PEM, &pem)) == 0)
		rc = slots_write(d->keydir, 0700, slot, pem.wb_data,
		    pem.wb_len, 0600);
	wbuf_free(&pem);
	if (rc != 0)
		return (ikecert_error("cannot write %s/%s: %s", d->keydir,
		    slot, err_str(rc)));
	return (0);
}

static int
certlocal_emit_cert(const struct ikecert_dirs *d, const char *slot,
    const struct pkey *key, const struct certgen_params *p,
    enum x509_format fmt)
{
	struct cert	*cert = NULL;
	struct wbuf	 pem, out;
	char		 why[X509_WHY_SIZE];
	int		 rc;

	wbuf_init(&pem, 0);
	wbuf_init(&out, 0);
	if ((rc = certgen_self_signed(key, p, &cert, why, sizeof(why))) != 0) {
		rc = ikecert_error("certlocal: %s", why);
		goto out;
	}
	if ((rc = cert_encode(cert, X509_FORMAT_PEM, &pem)) != 0 ||
	    (rc = slots_write(d->pubdir, 0755, slot, pem.wb_data,
	    pem.wb_len, 0644)) != 0) {
		rc = ikecert_error("cannot write %s/%s: %s", d->pubdir, slot,
		    err_str(rc));
		goto out;
	}
	fprintf(stderr, "Certificate added to certificate database "
	    "(slot %s).\n", slot);
	if (cert_encode(cert, fmt, &out) != 0 ||
	    slots_write_stdout(out.wb_data, out.wb_len) != 0)
		rc = ikecert_error("cannot write the certificate to "
		    "standard output");
out:
	cert_free(cert);
	wbuf_free(&pem);
	wbuf_free(&out);
	return (rc);
}

static int
certlocal_emit_request(const char *slot, const struct pkey *key,
    const struct certgen_params *p, enum x509_format fmt)
{
	struct wbuf	out;
	char		why[X509_WHY_SIZE];
	int		rc = 0;

	wbuf_init(&out, 0);
	if (certgen_request(key, p, fmt, &out, why, sizeof(why)) != 0)
		rc = ikecert_error("certlocal: %s", why);
	else if (slots_write_stdout(out.wb_data, out.wb_len) != 0)
		rc = ikecert_error("cannot write the request to standard "
		    "output");
	else
		fprintf(stderr, "Certificate request for the key in slot %s "
		    "written; add the signed certificate with ikecert "
		    "certdb -a.\n", slot);
	wbuf_free(&out);
	return (rc);
}

/* -ks and -kc: a new key pair, then a self-signed certificate or request. */
static int
certlocal_generate(const struct ikecert_dirs *d, struct certlocal_opts *o)
{
	const char		*dirs[] = { d->pubdir, d->keydir };
	struct certgen_params	 p;
	struct pkey		*key = NULL;
	enum x509_format	 fmt = X509_FORMAT_PEM;
	enum pkey_type		 kt = PKEY_NONE;
	char			 slot[32], why[X509_WHY_SIZE];
	int			 rc;

	memset(&p, 0, sizeof(p));
	if (certlocal_gen_params(o, &kt, &p) != 0 ||
	    certlocal_format(o->format, &fmt) != 0)
		return (1);
	/* Generating a large key takes seconds, so check -D and -A first. */
	if (certgen_params_check(&p, why, sizeof(why)) != 0)
		return (ikecert_error("certlocal: %s", why));
	if (slots_next_free(dirs, 2, slot, sizeof(slot)) != 0)
		return (ikecert_error("no free slot in %s", d->keydir));
	fprintf(stderr, "Creating private key.\n");
	if (pkey_generate(&key, kt, o->bits, why, sizeof(why)) != 0)
		return (ikecert_error("certlocal: %s", why));
	if ((rc = certlocal_store_key(d, slot, key)) != 0)
		goto out;
	if (o->action == 's')
		rc = certlocal_emit_cert(d, slot, key, &p, fmt);
	else
		rc = certlocal_emit_request(slot, key, &p, fmt);
	if (rc != 0)
		slots_remove(d->keydir, slot);
out:
	pkey_free(key);
	return (rc);
}

/* Print the slot of the certificate in pub whose key matches key. */
static const char *
certlocal_cert_slot(const struct slots_dir *pub, const struct pkey *key)
{
	struct cert	*c;
	const char	*slot = NULL;
	size_t		 i;

	for (i = 0; i < pub->sd_n && slot == NULL; i++) {
		if (cert_parse(&c, pub->sd_files[i].sf_data.wb_data,
		    pub->sd_files[i].sf_data.wb_len, NULL, 0) != 0)
			continue;
		if (pkey_public_equal(cert_public_key(c), key))
			slot = pub->sd_files[i].sf_name;
		cert_free(c);
	}
	return (slot);
}

static void
certlocal_print(const struct slots_file *f, const struct pkey *key,
    const struct slots_dir *pub, int verbose)
{
	const char	*cslot;
	char		 hash[40];

	if (pkey_public_hash(key, hash, sizeof(hash)) != 0)
		strcpy(hash, "?");
	printf("Local ID Slot Name: %s   Key Type: %s\n", f->sf_name,
	    pkey_type_name(pkey_type(key)));
	printf("\tKey Size: %u\n", pkey_bits(key));
	printf("\tPublic key hash: %s\n", hash);
	if (!verbose)
		return;
	cslot = certlocal_cert_slot(pub, key);
	if (cslot == NULL)
		printf("\t(No certificate in certdb)\n");
	else if (strcmp(cslot, f->sf_name) == 0)
		printf("\t(Certificate in certdb slot %s)\n", cslot);
	else
		printf("\t(Certificate in certdb slot %s: rename one file so "
		    "that the slots match)\n", cslot);
	if ((f->sf_mode & 077) != 0)
		printf("\t(Mode %04o: run chmod 600 on this key)\n",
		    f->sf_mode);
}

static int
certlocal_list(const struct ikecert_dirs *d, struct certlocal_opts *o,
    int argc, char **argv)
{
	struct slots_dir	 keys, pub;
	struct pkey		*key;
	size_t			 i;
	int			 shown = 0, rc = 0;

	if (store_read(d->keydir, 1, &keys) != 0)
		return (1);
	if (store_read(d->pubdir, 0, &pub) != 0) {
		slots_free(&keys);
		return (1);
	}
	for (i = 0; i < keys.sd_n; i++) {
		if (argc > 0 && strcmp(argv[0], keys.sd_files[i].sf_name) != 0)
			continue;
		if (pkey_parse_private(&key, keys.sd_files[i].sf_data.wb_data,
		    keys.sd_files[i].sf_data.wb_len, NULL, 0) != 0) {
			fprintf(stderr, "ikecert: %s/%s: not a private key\n",
			    d->keydir, keys.sd_files[i].sf_name);
			continue;
		}
		certlocal_print(&keys.sd_files[i], key, &pub, o->verbose);
		pkey_free(key);
		shown++;
	}
	if (argc > 0 && shown == 0)
		rc = ikecert_error("certlocal: no private key in slot %s",
		    argv[0]);
	slots_free(&keys);
	slots_free(&pub);
	return (rc);
}

/* The slot for an imported key: its certificate's, or the next free. */
static int
certlocal_import_slot(const struct ikecert_dirs *d, const struct pkey *key,
    char *slot, size_t slotsize)
{
	const char		*dirs[] = { d->pubdir, d->keydir };
	struct slots_dir	 keys, pub;
	const char		*cslot, *kslot;
	int			 rc = 0;

	if (store_read(d->keydir, 1, &keys) != 0)
		return (1);
	if ((kslot = store_key_slot(&keys, key)) != NULL)
		rc = ikecert_error("certlocal: this key is already in slot %s",
		    kslot);
	slots_free(&keys);
	if (rc != 0)
		return (rc);
	if (store_read(d->pubdir, 0, &pub) != 0)
		return (1);
	if ((cslot = certlocal_cert_slot(&pub, key)) != NULL)
		snprintf(slot, slotsize, "%s", cslot);
	else if (slots_next_free(dirs, 2, slot, slotsize) != 0)
		rc = ikecert_error("no free slot in %s", d->keydir);
	slots_free(&pub);
	return (rc);
}

static int
certlocal_import(const struct ikecert_dirs *d)
{
	struct wbuf	 in;
	struct pkey	*key;
	char		 slot[256], why[X509_WHY_SIZE];
	int		 rc;

	if (slots_read_stdin(&in, 1) != 0)
		return (ikecert_error("certlocal: cannot read the key from "
		    "standard input"));
	rc = pkey_parse_private(&key, in.wb_data, in.wb_len, why,
	    sizeof(why));
	wbuf_free(&in);
	if (rc != 0)
		return (ikecert_error("certlocal: %s", why));
	if ((rc = certlocal_import_slot(d, key, slot, sizeof(slot))) == 0 &&
	    (rc = certlocal_store_key(d, slot, key)) == 0)
		fprintf(stderr, "Private key imported to slot %s.\n", slot);
	pkey_free(key);
	return (rc);
}

static int
certlocal_export(const struct ikecert_dirs *d, const struct certlocal_opts *o,
    const char *slot)
{
	struct slots_dir	 keys;
	struct pkey		*key = NULL;
	struct wbuf		 out;
	enum x509_format	 fmt = X509_FORMAT_PEM;
	size_t			 i;
	int			 rc = 0;

	if (o->format != NULL && strcmp(o->format, "pkcs8") == 0)
		fmt = X509_FORMAT_DER;
	else if (o->format != NULL && strcmp(o->format, "pem") != 0)
		return (ikecert_error("certlocal: invalid format \"%s\" for "
		    "-f: use pkcs8 or pem", o->format));
	if (store_read(d->keydir, 1, &keys) != 0)
		return (1);
	for (i = 0; i < keys.sd_n && key == NULL; i++)
		if (strcmp(keys.sd_files[i].sf_name, slot) == 0 &&
		    pkey_parse_private(&key, keys.sd_files[i].sf_data.wb_data,
		    keys.sd_files[i].sf_data.wb_len, NULL, 0) != 0)
			rc = ikecert_error("certlocal: %s/%s is not a private "
			    "key", d->keydir, slot);
	slots_free(&keys);
	if (key == NULL)
		return (rc != 0 ? rc : ikecert_error("certlocal: no private "
		    "key in slot %s", slot));
	wbuf_init(&out, 1);
	if (pkey_encode_private(key, fmt, &out) != 0 ||
	    slots_write_stdout(out.wb_data, out.wb_len) != 0)
		rc = ikecert_error("certlocal: cannot export the key in "
		    "slot %s", slot);
	wbuf_free(&out);
	pkey_free(key);
	return (rc);
}

int
certlocal_main(const struct ikecert_dirs *d, int argc, char **argv)
{
	struct certlocal_opts	o;
	int			ch;

	memset(&o, 0, sizeof(o));
	while ((ch = getopt(argc, argv, "k:m:t:D:A:S:F:f:laervpT:U:C:L:X")) !=
	    -1)
		if (certlocal_opt(&o, ch) != 0)
			return (1);
	argc -= optind;
	argv += optind;
	switch (o.action) {
	case 's':
	case 'c':
		if (argc != 0)
			break;
		return (certlocal_generate(d, &o));
	case 'l':
		if (argc > 1)
			break;
		return (certlocal_list(d, &o, argc, argv));
	case 'a':
		if (argc != 0)
			break;
		return (certlocal_import(d));
	case 'e':
		if (argc != 1)
			break;
		return (certlocal_export(d, &o, argv[0]));
	case 'r':
		if (argc != 1)
			break;
		if (slots_remove(d->keydir, argv[0]) != 0)
			return (ikecert_error("certlocal: no private key in "
			    "slot %s", argv[0]));
		return (0);
	default:
		break;
	}
	certlocal_usage();
	return (1);
}
