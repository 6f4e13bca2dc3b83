/*
 * ikecert certrldb: certificate revocation lists in ROOT/etc/inet/ike/crls.
 * A certspec selects CRLs by issuer (a DN, SUBJECT= or ISSUER=) or slot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto/x509/certsel.h"
#include "crypto/x509/crl.h"
#include "ikecert/ikecert.h"
#include "ikecert/store.h"
#include "lib/err.h"

struct certrldb_sels {
	struct certsel	**sels;
	size_t		  n;
};

static void
certrldb_usage(void)
{
	fprintf(stderr,
	    "Usage: ikecert certrldb -a\n"
	    "       ikecert certrldb -l [-v] [certspec ...]\n"
	    "       ikecert certrldb -e [-f pem|ber] certspec ...\n"
	    "       ikecert certrldb -r certspec ...\n"
	    "  certspec: the issuer DN (or ISSUER=, SUBJECT=), or SLOT=n\n");
}

static int
certrldb_opt(struct store_opts *o, int ch)
{
	int	rc;

	if ((rc = store_opt(o, ch, "certrldb", certrldb_usage)) >= 0)
		return (rc);
	certrldb_usage();
	return (1);
}

static void
certrldb_sels_free(struct certrldb_sels *s)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		certsel_free(s->sels[i]);
	free(s->sels);
}

static int
certrldb_sels_parse(struct certrldb_sels *s, int argc, char **argv)
{
	char	why[X509_WHY_SIZE];
	int	i;

	s->n = 0;
	s->sels = NULL;
	if (argc == 0)
		return (0);
	if ((s->sels = calloc((size_t)argc, sizeof(*s->sels))) == NULL)
		return (ikecert_error("out of memory"));
	for (i = 0; i < argc; i++) {
		if (certsel_parse(&s->sels[i], argv[i], why, sizeof(why))) {
			certrldb_sels_free(s);
			return (ikecert_error("invalid certspec \"%s\": %s",
			    argv[i], why));
		}
		s->n++;
	}
	return (0);
}

/* Include/exclude semantics of certsel_list_match(), for CRLs. */
static int
certrldb_match(const struct certrldb_sels *s, const struct crl *crl,
    const char *slot)
{
	size_t	i;
	int	includes = 0, included = 0;

	if (s->n == 0)
		return (1);
	for (i = 0; i < s->n; i++) {
		if (certsel_is_exclude(s->sels[i])) {
			if (certsel_match_crl(s->sels[i], crl, slot))
				return (0);
			continue;
		}
		includes++;
		if (certsel_match_crl(s->sels[i], crl, slot))
			included = 1;
	}
	return (includes == 0 || included);
}

static void
certrldb_print(const char *slot, const struct crl *crl, int verbose)
{
	int64_t	this_update, next_update;
	char	buf[1024];

	printf("CRL Slot Name: %s\n", slot);
	if (crl_issuer_text(crl, buf, sizeof(buf)) == 0)
		printf("\tIssuer Name: <%s>\n", buf);
	if (!verbose)
		return;
	if (crl_dates(crl, &this_update, &next_update) == 0) {
		store_print_time("This Update: ", this_update);
		if (next_update != 0)
			store_print_time("Next Update: ", next_update);
	}
	printf("\tRevoked certificates: %zu\n", crl_revoked_count(crl));
}

static int
certrldb_output(const char *slot, const struct crl *crl,
    const struct store_opts *o)
{
	struct wbuf	out;
	int		rc = 0;

	wbuf_init(&out, 0);
	if (crl_encode(crl, store_format(o), &out) != 0 ||
	    slots_write_stdout(out.wb_data, out.wb_len) != 0)
		rc = ikecert_error("certrldb: cannot export slot %s", slot);
	wbuf_free(&out);
	return (rc);
}

/* -l, -e and -r over the CRLs matching the certspecs. */
static int
certrldb_run(const struct ikecert_dirs *d, const struct store_opts *o,
    int argc, char **argv)
{
	struct certrldb_sels	 sels;
	struct slots_dir	 dir;
	struct crl		*crl;
	char			 why[X509_WHY_SIZE];
	size_t			 i;
	int			 rc = 0, done = 0, matched = 0;

	if (certrldb_sels_parse(&sels, argc, argv) != 0)
		return (1);
	if (store_read(d->crldir, 0, &dir) != 0) {
		certrldb_sels_free(&sels);
		return (1);
	}
	for (i = 0; i < dir.sd_n && !done && rc == 0; i++) {
		if (crl_parse(&crl, dir.sd_files[i].sf_data.wb_data,
		    dir.sd_files[i].sf_data.wb_len, why, sizeof(why)) != 0) {
			fprintf(stderr, "ikecert: %s/%s: %s\n", d->crldir,
			    dir.sd_files[i].sf_name, why);
			continue;
		}
		if (certrldb_match(&sels, crl, dir.sd_files[i].sf_name)) {
			matched++;
			if (o->action == 'l')
				certrldb_print(dir.sd_files[i].sf_name, crl,
				    o->verbose);
			else if (o->action == 'e')
				rc = certrldb_output(dir.sd_files[i].sf_name,
				    crl, o);
			else if (slots_remove(d->crldir,
			    dir.sd_files[i].sf_name) != 0)
				rc = ikecert_error("certrldb: cannot remove "
				    "%s/%s", d->crldir,
				    dir.sd_files[i].sf_name);
			done = o->action != 'l';
		}
		crl_free(crl);
	}
	slots_free(&dir);
	certrldb_sels_free(&sels);
	if (rc == 0 && matched == 0 && argc > 0)
		rc = ikecert_error("certrldb: no CRL matches \"%s\"", argv[0]);
	return (rc);
}

static int
certrldb_add(const struct ikecert_dirs *d)
{
	const char		*dirs[] = { d->crldir };
	struct slots_dir	 dir;
	struct wbuf		 in, pem;
	struct crl		*crl, *old;
	char			 slot[32], why[X509_WHY_SIZE];
	size_t			 i;
	int			 rc;

	if (slots_read_stdin(&in, 0) != 0)
		return (ikecert_error("certrldb: cannot read the CRL from "
		    "standard input"));
	rc = crl_parse(&crl, in.wb_data, in.wb_len, why, sizeof(why));
	wbuf_free(&in);
	if (rc != 0)
		return (ikecert_error("certrldb: %s", why));
	if (store_read(d->crldir, 0, &dir) != 0) {
		crl_free(crl);
		return (1);
	}
	for (i = 0; i < dir.sd_n && rc == 0; i++) {
		if (crl_parse(&old, dir.sd_files[i].sf_data.wb_data,
		    dir.sd_files[i].sf_data.wb_len, NULL, 0) != 0)
			continue;
		if (crl_equal(old, crl))
			rc = ikecert_error("certrldb: this CRL is already in "
			    "slot %s", dir.sd_files[i].sf_name);
		crl_free(old);
	}
	slots_free(&dir);
	wbuf_init(&pem, 0);
	if (rc == 0 && slots_next_free(dirs, 1, slot, sizeof(slot)) != 0)
		rc = ikecert_error("no free slot in %s", d->crldir);
	if (rc == 0 && (crl_encode(crl, X509_FORMAT_PEM, &pem) != 0 ||
	    slots_write(d->crldir, 0755, slot, pem.wb_data, pem.wb_len,
	    0644) != 0))
		rc = ikecert_error("cannot write %s/%s", d->crldir, slot);
	if (rc == 0)
		fprintf(stderr, "CRL added to the CRL database (slot %s).\n",
		    slot);
	wbuf_free(&pem);
	crl_free(crl);
	return (rc);
}

int
certrldb_main(const struct ikecert_dirs *d, int argc, char **argv)
{
	struct store_opts	o;
	int			ch;

	memset(&o, 0, sizeof(o));
	while ((ch = getopt(argc, argv, "alerf:v")) != -1)
		if (certrldb_opt(&o, ch) != 0)
			return (1);
	argc -= optind;
	argv += optind;
	if (store_check_format(&o, "certrldb") != 0)
		return (1);
	if (o.action == 'a' && argc == 0)
		return (certrldb_add(d));
	if (o.action == 'l' || ((o.action == 'e' || o.action == 'r') &&
	    argc > 0))
		return (certrldb_run(d, &o, argc, argv));
	certrldb_usage();
	return (1);
}
