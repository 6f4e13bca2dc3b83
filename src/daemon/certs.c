/*
 * The certificate store of the daemon: certificates, private keys and
 * CRLs under the root, with the trust settings of ike.config (cert_root,
 * cert_trust, ignore_crls).  The engine uses it for the signature
 * methods; the daemon owns it and reloads it in place on SIGHUP.
 */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "control/control.h"
#include "crypto/x509/certstore.h"
#include "daemon/daemon.h"
#include "ike/ike.h"
#include "lib/err.h"
#include "lib/log.h"

static void
certs_log_skipped(const struct certstore *cs)
{
	size_t	i;

	for (i = 0; i < certstore_nerrors(cs); i++)
		log_warn("%s", certstore_error(cs, i));
}

/* Apply the trust settings of cf; the error names the config file. */
static int
certs_trust(struct daemon *d, const struct config *cf)
{
	const struct config_globals	*g = &cf->cf_globals;
	struct certstore_trust		 t;
	char				 why[512];
	int				 rc;

	memset(&t, 0, sizeof(t));
	t.ct_roots = (const char *const *)g->cg_cert_root.items;
	t.ct_nroots = g->cg_cert_root.n;
	t.ct_trusted = (const char *const *)g->cg_cert_trust.items;
	t.ct_ntrusted = g->cg_cert_trust.n;
	t.ct_ignore_crls = g->cg_ignore_crls.val != 0;
	why[0] = '\0';
	if ((rc = certstore_set_trust(d->d_certs, &t, why, sizeof(why))) != 0)
		log_err("%s: cert_root or cert_trust: %s", d->d_config_path,
		    why[0] != '\0' ? why : err_str(rc));
	return (rc);
}

/* Load the store, apply the trust of cf and hand it to the engine. */
int
certs_open(struct daemon *d, const struct config *cf)
{
	int	rc;

	if ((rc = certstore_load(&d->d_certs, d->d_root)) != 0) {
		log_err("loading the certificates and keys under %s failed: "
		    "%s: check the folders etc/inet/ike/publickeys, "
		    "etc/inet/ike/crls and etc/inet/secret/ike.privatekeys",
		    d->d_root, err_str(rc));
		return (rc);
	}
	certs_log_skipped(d->d_certs);
	if ((rc = certs_trust(d, cf)) != 0)
		return (rc);
	ike_engine_set_certstore(d->d_engine, d->d_certs);
	log_info("certificates: %zu certificates, %zu CRLs",
	    certstore_count(d->d_certs), certstore_crl_count(d->d_certs));
	return (0);
}

/*
 * Read the store again for the configuration cf about to be installed.
 * When the new trust settings do not apply, those of the running
 * configuration are restored and the reload is rejected.
 */
int
certs_reload(struct daemon *d, const struct config *cf)
{
	char	why[512];
	int	rc;

	why[0] = '\0';
	if ((rc = certstore_reload(d->d_certs, why, sizeof(why))) != 0) {
		log_err("reading the certificates again failed: %s",
		    why[0] != '\0' ? why : err_str(rc));
		return (rc);
	}
	certs_log_skipped(d->d_certs);
	if ((rc = certs_trust(d, cf)) != 0) {
		if (d->d_config != NULL)
			(void)certs_trust(d, d->d_config);
		return (rc);
	}
	return (0);
}

void
certs_close(struct daemon *d)
{
	if (d->d_engine != NULL)
		ike_engine_set_certstore(d->d_engine, NULL);
	certstore_free(d->d_certs);
	d->d_certs = NULL;
}

/* "ikeadm dump certcache": one entry per call. */
int
certs_dump(struct daemon *d, uint32_t index, struct control_cert_info *out,
    uint32_t *next)
{
	struct certstore_entry	e;
	int			rc;

	if (d->d_certs == NULL)
		return (ERR_NOTFOUND);
	if ((rc = certstore_entry(d->d_certs, index, &e)) != 0)
		return (rc);
	memset(out, 0, sizeof(*out));
	out->id = e.ce_id;
	(void)cert_subject_text(e.ce_cert, out->subject, sizeof(out->subject));
	(void)cert_issuer_text(e.ce_cert, out->issuer, sizeof(out->issuer));
	out->trusted = e.ce_trusted ? 1 : 0;
	switch (e.ce_origin) {
	case CERTSTORE_PRIVATE_KEY:
		out->source = CONTROL_CERT_KEY;
		break;
	case CERTSTORE_FROM_PAYLOAD:
		out->source = CONTROL_CERT_PAYLOAD;
		break;
	default:
		out->source = CONTROL_CERT_PUBLIC;
		break;
	}
	*next = index + 1 < certstore_count(d->d_certs) ? index + 1 : 0;
	return (0);
}

/* "ikeadm flush certcache": read the store again, drop received ones. */
int
certs_flush(struct daemon *d)
{
	if (d->d_certs == NULL || d->d_config == NULL)
		return (ERR_NOTFOUND);
	return (certs_reload(d, d->d_config));
}
