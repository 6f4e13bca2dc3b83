/*
 * The certificate store: loading of the publickeys, ike.privatekeys and
 * crls directories, the certificate cache of ikeadm, and the
 * verification of a peer's certificate.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/x509/certstore.h"
#include "crypto/x509/x509_int.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/paths.h"

#define CERTSTORE_MAX_FILES	4096

/* Bits of ci_trusted. */
#define CERTSTORE_ROOT		0x1	/* named by cert_root */
#define CERTSTORE_TRUST		0x2	/* named by cert_trust */

struct certstore_item {
	char			*ci_slot;
	struct cert		*ci_cert;
	struct pkey		*ci_key;
	int			 ci_trusted;
	enum certstore_origin	 ci_origin;
};

struct certstore_crl {
	char			*cc_slot;
	struct crl		*cc_crl;
};

/* The contents read from disk; replaced as a whole on reload. */
struct certstore_data {
	struct certstore_item	*d_items;
	size_t			 d_nitems;
	struct certstore_crl	*d_crls;
	size_t			 d_ncrls;
	char			**d_errors;
	size_t			 d_nerrors;
};

struct certstore {
	char			*cs_root;
	struct certstore_data	 cs_data;
	char			**cs_roots;	/* cert_root selectors */
	size_t			 cs_nroots;
	char			**cs_trusted;	/* cert_trust selectors */
	size_t			 cs_ntrusted;
	int			 cs_ignore_crls;
};

static void
certstore_data_free(struct certstore_data *d)
{
	size_t	i;

	for (i = 0; i < d->d_nitems; i++) {
		free(d->d_items[i].ci_slot);
		cert_free(d->d_items[i].ci_cert);
		pkey_free(d->d_items[i].ci_key);
	}
	for (i = 0; i < d->d_ncrls; i++) {
		free(d->d_crls[i].cc_slot);
		crl_free(d->d_crls[i].cc_crl);
	}
	for (i = 0; i < d->d_nerrors; i++)
		free(d->d_errors[i]);
	free(d->d_items);
	free(d->d_crls);
	free(d->d_errors);
	memset(d, 0, sizeof(*d));
}

/* Record and log a message about a file that was skipped. */
static void
certstore_report(struct certstore_data *d, const char *path, const char *msg)
{
	char	**errs, *s;
	size_t	  len;

	log_err("%s: %s", path, msg);
	len = strlen(path) + strlen(msg) + 3;
	if ((s = malloc(len)) == NULL)
		return;
	snprintf(s, len, "%s: %s", path, msg);
	errs = realloc(d->d_errors, (d->d_nerrors + 1) * sizeof(*errs));
	if (errs == NULL) {
		free(s);
		return;
	}
	d->d_errors = errs;
	d->d_errors[d->d_nerrors++] = s;
}

/*
 * Read a whole file of at most X509_MAX_INPUT bytes.  For a private key
 * (secret set) the mode is checked first and the buffer is secret.
 */
static int
certstore_read_file(const char *path, int secret, struct wbuf *out,
    char *why, size_t whysize)
{
	struct stat	st;
	uint8_t		*dst;
	ssize_t		n;
	int		fd, rc = ERR_SYSTEM;

	wbuf_init(out, secret);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		x509_why(why, whysize, "cannot open: %s", strerror(errno));
		return (ERR_SYSTEM);
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		x509_why(why, whysize, "not a regular file");
		goto out;
	}
	if (secret && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		x509_why(why, whysize, "private key is accessible by group "
		    "or others (mode %04o); run chmod 600 on it",
		    (unsigned int)(st.st_mode & 07777));
		rc = ERR_PERM;
		goto out;
	}
	if (st.st_size <= 0 || st.st_size > X509_MAX_INPUT) {
		x509_why(why, whysize, "file of %lld bytes: expected 1 to %d",
		    (long long)st.st_size, X509_MAX_INPUT);
		rc = ERR_TOOBIG;
		goto out;
	}
	if ((rc = wbuf_alloc(out, (size_t)st.st_size, &dst)) != 0)
		goto out;
	n = read(fd, dst, (size_t)st.st_size);
	if (n != (ssize_t)st.st_size) {
		x509_why(why, whysize, "short read");
		rc = ERR_SYSTEM;
		goto out;
	}
	rc = 0;
out:
	close(fd);
	if (rc != 0)
		wbuf_free(out);
	return (rc);
}

static int
certstore_skip_name(const struct dirent *de)
{
	return (de->d_name[0] != '.');
}

/*
 * List the file names of a directory in sorted order.  A missing
 * directory is empty.
 */
static int
certstore_list(const char *dir, struct dirent ***names, int *n)
{
	*names = NULL;
	*n = scandir(dir, names, certstore_skip_name, alphasort);
	if (*n < 0) {
		*n = 0;
		return (errno == ENOENT || errno == ENOTDIR ? 0 : ERR_SYSTEM);
	}
	return (0);
}

static void
certstore_list_free(struct dirent **names, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int
certstore_path(char *out, size_t outsize, const char *dir, const char *name)
{
	int	n;

	n = snprintf(out, outsize, "%s/%s", dir, name);
	return (n < 0 || (size_t)n >= outsize ? ERR_TOOBIG : 0);
}

static int
certstore_add_item(struct certstore_data *d, const char *slot,
    struct cert *c, enum certstore_origin origin)
{
	struct certstore_item	*items, *it;

	items = realloc(d->d_items, (d->d_nitems + 1) * sizeof(*items));
	if (items == NULL)
		return (ERR_NOMEM);
	d->d_items = items;
	it = &items[d->d_nitems];
	memset(it, 0, sizeof(*it));
	if (slot != NULL && (it->ci_slot = strdup(slot)) == NULL)
		return (ERR_NOMEM);
	it->ci_cert = cert_ref(c);
	it->ci_origin = origin;
	d->d_nitems++;
	return (0);
}

static int
certstore_load_certs(struct certstore_data *d, const char *dir)
{
	struct dirent	**names;
	struct wbuf	  data;
	struct cert	 *c;
	char		  path[PATH_MAX], why[X509_WHY_SIZE];
	int		  n, i, rc;

	if ((rc = certstore_list(dir, &names, &n)) != 0)
		return (rc);
	for (i = 0; i < n && i < CERTSTORE_MAX_FILES; i++) {
		if (certstore_path(path, sizeof(path), dir,
		    names[i]->d_name) != 0)
			continue;
		if (certstore_read_file(path, 0, &data, why, sizeof(why)) != 0) {
			certstore_report(d, path, why);
			continue;
		}
		rc = cert_parse(&c, data.wb_data, data.wb_len, why,
		    sizeof(why));
		wbuf_free(&data);
		if (rc != 0) {
			certstore_report(d, path, why);
			continue;
		}
		rc = certstore_add_item(d, names[i]->d_name, c,
		    CERTSTORE_PUBLIC_ONLY);
		cert_free(c);
		if (rc != 0)
			break;
	}
	certstore_list_free(names, n);
	return (rc == ERR_NOMEM ? rc : 0);
}

static struct certstore_item *
certstore_item_by_slot(struct certstore_data *d, const char *slot)
{
	size_t	i;

	for (i = 0; i < d->d_nitems; i++)
		if (d->d_items[i].ci_slot != NULL &&
		    strcmp(d->d_items[i].ci_slot, slot) == 0)
			return (&d->d_items[i]);
	return (NULL);
}

/* Link one private key file to the certificate with its file name. */
static void
certstore_load_key(struct certstore_data *d, const char *path,
    const char *slot)
{
	struct certstore_item	*it;
	struct wbuf		 data;
	struct pkey		*k;
	char			 why[X509_WHY_SIZE];
	int			 rc;

	if (certstore_read_file(path, 1, &data, why, sizeof(why)) != 0) {
		certstore_report(d, path, why);
		return;
	}
	rc = pkey_parse_private(&k, data.wb_data, data.wb_len, why,
	    sizeof(why));
	wbuf_free(&data);
	if (rc != 0) {
		certstore_report(d, path, why);
		return;
	}
	if ((it = certstore_item_by_slot(d, slot)) == NULL)
		certstore_report(d, path, "private key has no certificate "
		    "with the same file name in the publickeys directory; "
		    "add it with ikecert certdb -a");
	else if (!pkey_public_equal(k, cert_public_key(it->ci_cert)))
		certstore_report(d, path, "private key does not belong to "
		    "the certificate with the same file name in the "
		    "publickeys directory");
	else {
		it->ci_key = pkey_ref(k);
		it->ci_origin = CERTSTORE_PRIVATE_KEY;
	}
	pkey_free(k);
}

static int
certstore_load_keys(struct certstore_data *d, const char *dir)
{
	struct dirent	**names;
	char		  path[PATH_MAX];
	int		  n, i, rc;

	if ((rc = certstore_list(dir, &names, &n)) != 0)
		return (rc);
	for (i = 0; i < n && i < CERTSTORE_MAX_FILES; i++) {
		if (certstore_path(path, sizeof(path), dir,
		    names[i]->d_name) != 0)
			continue;
		certstore_load_key(d, path, names[i]->d_name);
	}
	certstore_list_free(names, n);
	return (0);
}

static int
certstore_load_crls(struct certstore_data *d, const char *dir)
{
	struct certstore_crl	*crls;
	struct dirent		**names;
	struct wbuf		  data;
	struct crl		 *crl;
	char			  path[PATH_MAX], why[X509_WHY_SIZE];
	int			  n, i, rc;

	if ((rc = certstore_list(dir, &names, &n)) != 0)
		return (rc);
	for (i = 0; i < n && i < CERTSTORE_MAX_FILES; i++) {
		if (certstore_path(path, sizeof(path), dir,
		    names[i]->d_name) != 0)
			continue;
		if (certstore_read_file(path, 0, &data, why, sizeof(why)) != 0) {
			certstore_report(d, path, why);
			continue;
		}
		rc = crl_parse(&crl, data.wb_data, data.wb_len, why,
		    sizeof(why));
		wbuf_free(&data);
		if (rc != 0) {
			certstore_report(d, path, why);
			continue;
		}
		crls = realloc(d->d_crls, (d->d_ncrls + 1) * sizeof(*crls));
		if (crls == NULL ||
		    (crls[d->d_ncrls].cc_slot = strdup(names[i]->d_name)) ==
		    NULL) {
			if (crls != NULL)
				d->d_crls = crls;
			crl_free(crl);
			rc = ERR_NOMEM;
			break;
		}
		d->d_crls = crls;
		crls[d->d_ncrls++].cc_crl = crl;
	}
	certstore_list_free(names, n);
	return (rc == ERR_NOMEM ? rc : 0);
}

static int
certstore_read(const char *root, struct certstore_data *d)
{
	char	dir[PATH_MAX];
	int	rc;

	memset(d, 0, sizeof(*d));
	if ((rc = paths_join(dir, sizeof(dir), root, PATH_IKE_PUBLICKEYS)) ||
	    (rc = certstore_load_certs(d, dir)) != 0)
		goto fail;
	if ((rc = paths_join(dir, sizeof(dir), root, PATH_IKE_PRIVATEKEYS)) ||
	    (rc = certstore_load_keys(d, dir)) != 0)
		goto fail;
	if ((rc = paths_join(dir, sizeof(dir), root, PATH_IKE_CRLS)) ||
	    (rc = certstore_load_crls(d, dir)) != 0)
		goto fail;
	return (0);
fail:
	certstore_data_free(d);
	return (rc);
}

int
certstore_load(struct certstore **out, const char *root)
{
	struct certstore	*cs;
	int			 rc;

	*out = NULL;
	if ((cs = calloc(1, sizeof(*cs))) == NULL)
		return (ERR_NOMEM);
	if ((cs->cs_root = strdup(root == NULL ? "/" : root)) == NULL) {
		free(cs);
		return (ERR_NOMEM);
	}
	if ((rc = certstore_read(cs->cs_root, &cs->cs_data)) != 0) {
		certstore_free(cs);
		return (rc);
	}
	log_debug(D_CERT, "certificate store %s: %zu certificates, %zu CRLs",
	    cs->cs_root, cs->cs_data.d_nitems, cs->cs_data.d_ncrls);
	*out = cs;
	return (0);
}

static void
certstore_strv_free(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
certstore_free(struct certstore *cs)
{
	if (cs == NULL)
		return;
	certstore_data_free(&cs->cs_data);
	certstore_strv_free(cs->cs_roots, cs->cs_nroots);
	certstore_strv_free(cs->cs_trusted, cs->cs_ntrusted);
	free(cs->cs_root);
	free(cs);
}

size_t
certstore_nerrors(const struct certstore *cs)
{
	return (cs->cs_data.d_nerrors);
}

const char *
certstore_error(const struct certstore *cs, size_t i)
{
	return (i < cs->cs_data.d_nerrors ? cs->cs_data.d_errors[i] : NULL);
}

/*
 * Mark the entries matched by each selector as trusted.  Every selector
 * must match at least one certificate of the publickeys directory.
 */
static int
certstore_mark(struct certstore_data *d, char *const *sels, size_t n,
    int bit, const char *what, char *why, size_t whysize)
{
	struct certsel	*sel;
	size_t		 i, j, found;
	int		 rc;

	for (i = 0; i < n; i++) {
		if ((rc = certsel_parse(&sel, sels[i], why, whysize)) != 0) {
			x509_why(why, whysize, "%s \"%s\" is not a valid "
			    "certificate selector", what, sels[i]);
			return (ERR_CONFIG);
		}
		for (j = found = 0; j < d->d_nitems; j++) {
			if (d->d_items[j].ci_slot == NULL ||
			    !certsel_match(sel, d->d_items[j].ci_cert,
			    d->d_items[j].ci_slot))
				continue;
			d->d_items[j].ci_trusted |= bit;
			found++;
		}
		certsel_free(sel);
		if (found == 0) {
			x509_why(why, whysize, "%s \"%s\" matches no "
			    "certificate in the publickeys directory; add the "
			    "certificate with ikecert certdb -a", what,
			    sels[i]);
			return (ERR_CONFIG);
		}
	}
	return (0);
}

static int
certstore_apply_trust(struct certstore *cs, struct certstore_data *d,
    char *why, size_t whysize)
{
	size_t	i;
	int	rc;

	for (i = 0; i < d->d_nitems; i++)
		d->d_items[i].ci_trusted = 0;
	if ((rc = certstore_mark(d, cs->cs_roots, cs->cs_nroots,
	    CERTSTORE_ROOT, "cert_root", why, whysize)) != 0)
		return (rc);
	return (certstore_mark(d, cs->cs_trusted, cs->cs_ntrusted,
	    CERTSTORE_TRUST, "cert_trust", why, whysize));
}

static int
certstore_strv_copy(const char *const *from, size_t n, char ***to)
{
	size_t	i;

	*to = NULL;
	if (n == 0)
		return (0);
	if ((*to = calloc(n, sizeof(**to))) == NULL)
		return (ERR_NOMEM);
	for (i = 0; i < n; i++)
		if (((*to)[i] = strdup(from[i])) == NULL) {
			certstore_strv_free(*to, i);
			*to = NULL;
			return (ERR_NOMEM);
		}
	return (0);
}

static void
certstore_swap_trust(struct certstore *cs, char ***roots, size_t *nroots,
    char ***trusted, size_t *ntrusted)
{
	char	**v;
	size_t	  n;

	v = cs->cs_roots;
	cs->cs_roots = *roots;
	*roots = v;
	n = cs->cs_nroots;
	cs->cs_nroots = *nroots;
	*nroots = n;
	v = cs->cs_trusted;
	cs->cs_trusted = *trusted;
	*trusted = v;
	n = cs->cs_ntrusted;
	cs->cs_ntrusted = *ntrusted;
	*ntrusted = n;
}

int
certstore_set_trust(struct certstore *cs, const struct certstore_trust *t,
    char *why, size_t whysize)
{
	char	**roots, **trusted;
	size_t	  nroots = t->ct_nroots, ntrusted = t->ct_ntrusted;
	int	  rc;

	if (certstore_strv_copy(t->ct_roots, t->ct_nroots, &roots) != 0)
		return (ERR_NOMEM);
	if (certstore_strv_copy(t->ct_trusted, t->ct_ntrusted, &trusted)) {
		certstore_strv_free(roots, t->ct_nroots);
		return (ERR_NOMEM);
	}
	/* Swap in the new selectors; swap back when one matches nothing. */
	certstore_swap_trust(cs, &roots, &nroots, &trusted, &ntrusted);
	rc = certstore_apply_trust(cs, &cs->cs_data, why, whysize);
	if (rc != 0) {
		certstore_swap_trust(cs, &roots, &nroots, &trusted, &ntrusted);
		(void)certstore_apply_trust(cs, &cs->cs_data, NULL, 0);
	} else
		cs->cs_ignore_crls = t->ct_ignore_crls;
	certstore_strv_free(roots, nroots);
	certstore_strv_free(trusted, ntrusted);
	return (rc);
}

int
certstore_reload(struct certstore *cs, char *why, size_t whysize)
{
	struct certstore_data	d;
	int			rc;

	if ((rc = certstore_read(cs->cs_root, &d)) != 0) {
		x509_why(why, whysize, "cannot read the certificate "
		    "directories under %s: %s", cs->cs_root, err_str(rc));
		return (rc);
	}
	if ((rc = certstore_apply_trust(cs, &d, why, whysize)) != 0) {
		certstore_data_free(&d);
		return (rc);
	}
	certstore_data_free(&cs->cs_data);
	cs->cs_data = d;
	return (0);
}

size_t
certstore_count(const struct certstore *cs)
{
	return (cs->cs_data.d_nitems);
}

size_t
certstore_crl_count(const struct certstore *cs)
{
	return (cs->cs_data.d_ncrls);
}

int
certstore_entry(const struct certstore *cs, size_t index,
    struct certstore_entry *e)
{
	const struct certstore_item	*it;

	if (index >= cs->cs_data.d_nitems)
		return (ERR_NOTFOUND);
	it = &cs->cs_data.d_items[index];
	e->ce_id = (unsigned int)index + 1;
	e->ce_slot = it->ci_slot;
	e->ce_cert = it->ci_cert;
	e->ce_key = it->ci_key;
	e->ce_trusted = it->ci_trusted != 0;
	e->ce_origin = it->ci_origin;
	return (0);
}

const struct crl *
certstore_crl(const struct certstore *cs, size_t index, const char **slot)
{
	if (index >= cs->cs_data.d_ncrls)
		return (NULL);
	if (slot != NULL)
		*slot = cs->cs_data.d_crls[index].cc_slot;
	return (cs->cs_data.d_crls[index].cc_crl);
}

int
certstore_find(const struct certstore *cs, const struct certsel_list *sels,
    int need_key, struct certstore_entry *e)
{
	size_t	i;

	for (i = 0; certstore_entry(cs, i, e) == 0; i++) {
		if (need_key && e->ce_key == NULL)
			continue;
		if (certsel_list_match(sels, e->ce_cert, e->ce_slot))
			return (0);
	}
	return (ERR_NOTFOUND);
}

int
certstore_add_received(struct certstore *cs, struct cert *c)
{
	size_t	i;

	for (i = 0; i < cs->cs_data.d_nitems; i++)
		if (cert_equal(cs->cs_data.d_items[i].ci_cert, c))
			return (0);
	return (certstore_add_item(&cs->cs_data, NULL, c,
	    CERTSTORE_FROM_PAYLOAD));
}

static int
certstore_dump_entry(const struct certstore_entry *e, struct wbuf *out)
{
	char		 subject[1024], issuer[1024], line[2200];
	const char	*how;
	int		 n;

	if (cert_subject_text(e->ce_cert, subject, sizeof(subject)) != 0)
		strcpy(subject, "(name too long)");
	if (cert_issuer_text(e->ce_cert, issuer, sizeof(issuer)) != 0)
		strcpy(issuer, "(name too long)");
	switch (e->ce_origin) {
	case CERTSTORE_PRIVATE_KEY:
		how = "[Private key available]";
		break;
	case CERTSTORE_FROM_PAYLOAD:
		how = "[Obtained via certificate payload]";
		break;
	default:
		how = "[Public certificate only]";
		break;
	}
	n = snprintf(line, sizeof(line), "CERTIFICATE CACHE ID: %u\n"
	    "\tSubject Name: <%s>\n\t Issuer Name: <%s>\n%s\t\t%s\n",
	    e->ce_id, subject, issuer,
	    e->ce_trusted ? "\t\t[trusted certificate]\n" : "", how);
	if (n < 0 || (size_t)n >= sizeof(line))
		return (ERR_TOOBIG);
	return (wbuf_put(out, line, (size_t)n));
}

int
certstore_dump(const struct certstore *cs, struct wbuf *out)
{
	struct certstore_entry	e;
	size_t			i;
	int			rc;

	for (i = 0; certstore_entry(cs, i, &e) == 0; i++)
		if ((rc = certstore_dump_entry(&e, out)) != 0)
			return (rc);
	return (0);
}

/* Collect anchors, untrusted certificates and CRLs for trust_verify(). */
static int
certstore_stacks(const struct certstore *cs, struct cert *const *chain,
    size_t nchain, STACK_OF(X509) *anchors, STACK_OF(X509) *untrusted,
    STACK_OF(X509_CRL) *crls)
{
	const struct certstore_data	*d = &cs->cs_data;
	size_t				 i;

	for (i = 0; i < nchain; i++)
		if (!sk_X509_push(untrusted, chain[i]->c_x509))
			return (ERR_NOMEM);
	for (i = 0; i < d->d_nitems; i++) {
		if (d->d_items[i].ci_origin == CERTSTORE_FROM_PAYLOAD)
			continue;
		if (!sk_X509_push(d->d_items[i].ci_trusted ? anchors :
		    untrusted, d->d_items[i].ci_cert->c_x509))
			return (ERR_NOMEM);
	}
	for (i = 0; i < d->d_ncrls; i++)
		if (!sk_X509_CRL_push(crls, d->d_crls[i].cc_crl->cr_x509))
			return (ERR_NOMEM);
	return (0);
}

int
certstore_verify(const struct certstore *cs, const struct cert *peer,
    struct cert *const *chain, size_t nchain, int64_t now, char *why,
    size_t whysize)
{
	const struct certstore_data	*d = &cs->cs_data;
	STACK_OF(X509)			*anchors, *untrusted;
	STACK_OF(X509_CRL)		*crls;
	size_t				 i;
	int				 rc;

	/* A certificate named by cert_root or cert_trust is trusted as is. */
	for (i = 0; i < d->d_nitems; i++)
		if (d->d_items[i].ci_trusted &&
		    d->d_items[i].ci_origin != CERTSTORE_FROM_PAYLOAD &&
		    cert_equal(d->d_items[i].ci_cert, peer))
			return (trust_check_validity(peer->c_x509, now, why,
			    whysize));
	anchors = sk_X509_new_null();
	untrusted = sk_X509_new_null();
	crls = sk_X509_CRL_new_null();
	if (anchors == NULL || untrusted == NULL || crls == NULL ||
	    certstore_stacks(cs, chain, nchain, anchors, untrusted,
	    crls) != 0) {
		x509_why(why, whysize, "out of memory");
		rc = ERR_NOMEM;
		goto out;
	}
	rc = trust_verify(peer->c_x509, anchors, untrusted, crls,
	    !cs->cs_ignore_crls, now, why, whysize);
out:
	sk_X509_free(anchors);
	sk_X509_free(untrusted);
	sk_X509_CRL_free(crls);
	return (rc);
}
