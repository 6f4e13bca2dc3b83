/*
 * Chain verification of a peer certificate with OpenSSL's X509_STORE:
 * trust anchors, intermediates, CRLs, and a reason string for every
 * failure a peer or an administrator can cause.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "crypto/x509/x509_int.h"
#include "lib/err.h"

static void
trust_name(const X509_NAME *name, char *out, size_t outsize)
{
	if (name == NULL || x509_name_text(name, out, outsize) != 0)
		snprintf(out, outsize, "(unknown)");
}

static void
trust_time(const ASN1_TIME *t, char *out, size_t outsize)
{
	int64_t	epoch;

	if (x509_time_epoch(t, &epoch) != 0)
		snprintf(out, outsize, "(invalid time)");
	else
		x509_time_text(epoch, out, outsize);
}

/* Describe why X509_verify_cert() failed, naming the certificate. */
static void
trust_explain(X509_STORE_CTX *ctx, char *why, size_t whysize)
{
	X509		*cur = X509_STORE_CTX_get_current_cert(ctx);
	int		 err = X509_STORE_CTX_get_error(ctx);
	char		 subj[512], iss[512], when[64];

	trust_name(cur ? X509_get_subject_name(cur) : NULL, subj,
	    sizeof(subj));
	trust_name(cur ? X509_get_issuer_name(cur) : NULL, iss, sizeof(iss));
	switch (err) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		trust_time(cur ? X509_get0_notAfter(cur) : NULL, when,
		    sizeof(when));
		x509_why(why, whysize, "certificate \"%s\" expired on %s",
		    subj, when);
		break;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		trust_time(cur ? X509_get0_notBefore(cur) : NULL, when,
		    sizeof(when));
		x509_why(why, whysize, "certificate \"%s\" is not valid "
		    "before %s", subj, when);
		break;
	case X509_V_ERR_CERT_REVOKED:
		x509_why(why, whysize, "certificate \"%s\" is revoked by the "
		    "CRL of \"%s\"", subj, iss);
		break;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		x509_why(why, whysize, "unknown issuer \"%s\" of certificate "
		    "\"%s\": add the CA certificate to the publickeys "
		    "directory and name it with cert_root", iss, subj);
		break;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		x509_why(why, whysize, "self-signed certificate \"%s\" is not "
		    "trusted: name it with cert_root or cert_trust", subj);
		break;
	case X509_V_ERR_UNABLE_TO_GET_CRL:
		x509_why(why, whysize, "no CRL of \"%s\" in the crls "
		    "directory to check certificate \"%s\": add one with "
		    "ikecert certrldb -a, or set ignore_crls", iss, subj);
		break;
	case X509_V_ERR_CRL_HAS_EXPIRED:
		x509_why(why, whysize, "the CRL of \"%s\" is out of date "
		    "(its nextUpdate has passed): add a current one", iss);
		break;
	case X509_V_ERR_CRL_NOT_YET_VALID:
		x509_why(why, whysize, "the CRL of \"%s\" is not valid yet",
		    iss);
		break;
	case X509_V_ERR_CRL_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
	case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
		x509_why(why, whysize, "the CRL of \"%s\" has an invalid "
		    "signature", iss);
		break;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
		x509_why(why, whysize, "the signature of certificate \"%s\" "
		    "does not verify with the key of \"%s\"", subj, iss);
		break;
	case X509_V_ERR_INVALID_CA:
		x509_why(why, whysize, "certificate \"%s\" signs other "
		    "certificates but is not a CA (basicConstraints)", subj);
		break;
	default:
		x509_why(why, whysize, "certificate \"%s\": %s", subj,
		    X509_verify_cert_error_string(err));
		break;
	}
}

static X509_STORE *
trust_store(STACK_OF(X509) *anchors, STACK_OF(X509_CRL) *crls,
    int check_crls)
{
	X509_STORE	*st;
	int		 i, ok = 1;

	if ((st = X509_STORE_new()) == NULL)
		return (NULL);
	for (i = 0; ok && i < sk_X509_num(anchors); i++)
		ok = X509_STORE_add_cert(st, sk_X509_value(anchors, i));
	for (i = 0; ok && check_crls && i < sk_X509_CRL_num(crls); i++)
		ok = X509_STORE_add_crl(st, sk_X509_CRL_value(crls, i));
	if (!ok) {
		X509_STORE_free(st);
		return (NULL);
	}
	return (st);
}

/*
 * Verify peer against the anchors (cert_root and cert_trust), with the
 * untrusted certificates as possible intermediates.  Anchors need not be
 * self-signed (partial chains), because cert_trust may name a CA-issued
 * certificate.  Returns 0 or ERR_AUTH with the reason.
 */
int
trust_verify(X509 *peer, STACK_OF(X509) *anchors, STACK_OF(X509) *untrusted,
    STACK_OF(X509_CRL) *crls, int check_crls, int64_t now, char *why,
    size_t whysize)
{
	X509_STORE	*st;
	X509_STORE_CTX	*ctx = NULL;
	unsigned long	 flags = X509_V_FLAG_PARTIAL_CHAIN;
	int		 rc = ERR_AUTH;

	if ((st = trust_store(anchors, crls, check_crls)) == NULL ||
	    (ctx = X509_STORE_CTX_new()) == NULL ||
	    !X509_STORE_CTX_init(ctx, st, peer, untrusted)) {
		x509_why_openssl(why, whysize, "preparing chain verification");
		goto out;
	}
	if (check_crls)
		flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
	X509_STORE_CTX_set_flags(ctx, flags);
	if (now != 0)
		X509_STORE_CTX_set_time(ctx, 0, (time_t)now);
	if (X509_verify_cert(ctx) == 1)
		rc = 0;
	else
		trust_explain(ctx, why, whysize);
out:
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	return (rc);
}

/* Check the validity period of one certificate at now (0: current time). */
int
trust_check_validity(X509 *x, int64_t now, char *why, size_t whysize)
{
	char	subj[512], when[64];
	time_t	t = now != 0 ? (time_t)now : time(NULL);

	trust_name(X509_get_subject_name(x), subj, sizeof(subj));
	if (X509_cmp_time(X509_get0_notBefore(x), &t) > 0) {
		trust_time(X509_get0_notBefore(x), when, sizeof(when));
		x509_why(why, whysize, "certificate \"%s\" is not valid "
		    "before %s", subj, when);
		return (ERR_AUTH);
	}
	if (X509_cmp_time(X509_get0_notAfter(x), &t) < 0) {
		trust_time(X509_get0_notAfter(x), when, sizeof(when));
		x509_why(why, whysize, "certificate \"%s\" expired on %s",
		    subj, when);
		return (ERR_AUTH);
	}
	return (0);
}
