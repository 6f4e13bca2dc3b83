/*
 * Helpers shared by the files of src/crypto/x509: reason strings, DN
 * text, time conversion.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "crypto/x509/x509_int.h"
#include "lib/err.h"
#include "lib/wbuf.h"

void
x509_why(char *why, size_t whysize, const char *fmt, ...)
{
	va_list	ap;

	if (why == NULL || whysize == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whysize, fmt, ap);
	va_end(ap);
}

/* Describe a failed OpenSSL call, with the library's first error. */
void
x509_why_openssl(char *why, size_t whysize, const char *what)
{
	unsigned long	e;
	char		buf[160];

	e = ERR_get_error();
	if (e == 0)
		x509_why(why, whysize, "%s failed", what);
	else {
		ERR_error_string_n(e, buf, sizeof(buf));
		x509_why(why, whysize, "%s failed: %s", what, buf);
	}
	ERR_clear_error();
}

static int
x509_put(char *out, size_t outsize, size_t *pos, const char *s, size_t n)
{
	if (n >= outsize - *pos)
		return (ERR_TOOBIG);
	memcpy(out + *pos, s, n);
	*pos += n;
	out[*pos] = '\0';
	return (0);
}

/* Append one attribute value, escaping the characters of DN syntax. */
static int
x509_put_value(char *out, size_t outsize, size_t *pos,
    const unsigned char *v, int len)
{
	char	esc[4];
	int	i, rc;

	for (i = 0; i < len; i++) {
		if (v[i] < 0x20 || v[i] == 0x7f) {
			snprintf(esc, sizeof(esc), "\\%02X", v[i]);
			rc = x509_put(out, outsize, pos, esc, 3);
		} else if (strchr(",+;\\\"=<>", v[i]) != NULL) {
			esc[0] = '\\';
			esc[1] = (char)v[i];
			rc = x509_put(out, outsize, pos, esc, 2);
		} else
			rc = x509_put(out, outsize, pos, (const char *)&v[i],
			    1);
		if (rc != 0)
			return (rc);
	}
	return (0);
}

/*
 * Write a Name as "C=US, O=Example\, Inc., CN=gw": entries in encoded
 * order (most significant first), " + " between the parts of a
 * multi-valued RDN.
 */
int
x509_name_text(const X509_NAME *name, char *out, size_t outsize)
{
	const X509_NAME_ENTRY	*ne;
	unsigned char		*utf8 = NULL;
	const char		*key;
	char			 oid[80];
	size_t			 pos = 0;
	int			 i, n, len, set = -1, rc = 0;

	if (outsize == 0)
		return (ERR_TOOBIG);
	out[0] = '\0';
	n = X509_NAME_entry_count(name);
	for (i = 0; i < n; i++) {
		ne = X509_NAME_get_entry(name, i);
		if (i > 0)
			rc = x509_put(out, outsize, &pos,
			    X509_NAME_ENTRY_set(ne) == set ? " + " : ", ",
			    X509_NAME_ENTRY_set(ne) == set ? 3 : 2);
		set = X509_NAME_ENTRY_set(ne);
		if (rc != 0)
			goto out;
		key = OBJ_nid2sn(OBJ_obj2nid(X509_NAME_ENTRY_get_object(ne)));
		if (key == NULL || strcmp(key, "UNDEF") == 0) {
			OBJ_obj2txt(oid, sizeof(oid),
			    X509_NAME_ENTRY_get_object(ne), 1);
			key = oid;
		}
		if ((rc = x509_put(out, outsize, &pos, key, strlen(key))) != 0 ||
		    (rc = x509_put(out, outsize, &pos, "=", 1)) != 0)
			goto out;
		len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(ne));
		if (len < 0) {
			rc = ERR_MALFORMED;
			goto out;
		}
		rc = x509_put_value(out, outsize, &pos, utf8, len);
		OPENSSL_free(utf8);
		utf8 = NULL;
		if (rc != 0)
			goto out;
	}
out:
	return (rc);
}

/* Append the RDNs of from, last RDN first, to to. */
static int
x509_name_reverse(const X509_NAME *from, X509_NAME *to)
{
	const X509_NAME_ENTRY	*ne;
	int			 i, start, end, n, set;

	n = X509_NAME_entry_count(from);
	end = n;
	while (end > 0) {
		set = X509_NAME_ENTRY_set(X509_NAME_get_entry(from, end - 1));
		start = end - 1;
		while (start > 0 && X509_NAME_ENTRY_set(
		    X509_NAME_get_entry(from, start - 1)) == set)
			start--;
		for (i = start; i < end; i++) {
			ne = X509_NAME_get_entry(from, i);
			if (!X509_NAME_add_entry(to, ne, -1, i == start ? 0 : -1))
				return (ERR_NOMEM);
		}
		end = start;
	}
	return (0);
}

/*
 * Compare two Names in the canonical form of RFC 5280 7.1 (OpenSSL folds
 * case and whitespace), in the given order or with the RDNs of a
 * reversed, because DN strings are written in both orders.
 */
int
x509_name_equal(const X509_NAME *a, const X509_NAME *b)
{
	X509_NAME	*rev;
	int		 eq;

	if (X509_NAME_cmp(a, b) == 0)
		return (1);
	if (X509_NAME_entry_count(a) != X509_NAME_entry_count(b) ||
	    X509_NAME_entry_count(a) < 2)
		return (0);
	if ((rev = X509_NAME_new()) == NULL)
		return (0);
	eq = x509_name_reverse(a, rev) == 0 && X509_NAME_cmp(rev, b) == 0;
	X509_NAME_free(rev);
	return (eq);
}

int
x509_time_epoch(const ASN1_TIME *t, int64_t *out)
{
	struct tm	tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return (ERR_MALFORMED);
	*out = (int64_t)timegm(&tm);
	return (0);
}

/* Write a time as "2026-12-04 16:47:47 UTC". */
void
x509_time_text(int64_t t, char *out, size_t outsize)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, outsize, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(out, outsize, "%lld", (long long)t);
}

/*
 * DER of a certificate, key or CRL starts with a SEQUENCE tag.  Anything
 * else is read as PEM, which may have text before its BEGIN line.
 */
int
x509_is_pem(const uint8_t *data, size_t len)
{
	return (len > 0 && data[0] != 0x30);
}

/* Append the contents of a memory BIO to out. */
int
x509_bio_to_wbuf(BIO *bio, struct wbuf *out)
{
	char	*p;
	long	 n;

	n = BIO_get_mem_data(bio, &p);
	if (n < 0)
		return (ERR_CRYPTO);
	return (wbuf_put(out, p, (size_t)n));
}
