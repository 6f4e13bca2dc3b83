/*
 * Debug printer: one line per field, named as Wireshark's ISAKMP
 * dissector names it, indented four spaces per nesting level.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "isakmp/print.h"
#include "lib/util.h"

#define LINE_MAX_LEN	640
#define HEX_MAX		256	/* bytes of a field printed before "..." */

struct isakmp_printer {
	isakmp_print_fn	*fn;
	void		*arg;
	int		 depth;
};

static void __attribute__((format(printf, 2, 3)))
isakmp_line(struct isakmp_printer *pr, const char *fmt, ...)
{
	char	line[LINE_MAX_LEN];
	int	n, indent = pr->depth * 4;
	va_list	ap;

	if (indent > 32)
		indent = 32;
	memset(line, ' ', (size_t)indent);
	va_start(ap, fmt);
	n = vsnprintf(line + indent, sizeof(line) - (size_t)indent, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	pr->fn(pr->arg, line);
}

static void
isakmp_line_hex(struct isakmp_printer *pr, const char *label,
    const uint8_t *p, size_t len)
{
	char	hex[2 * HEX_MAX + 1];
	size_t	n = len > HEX_MAX ? HEX_MAX : len;

	util_hex_encode(hex, sizeof(hex), p, n);
	isakmp_line(pr, "%s: %s%s", label, hex, len > n ? "..." : "");
}

/*
 * A name sent by the peer, with bytes outside printable ASCII written as
 * \xNN so that a peer cannot forge log lines.
 */
static void
isakmp_line_text(struct isakmp_printer *pr, const char *label,
    const uint8_t *p, size_t len)
{
	char	text[512];
	size_t	i, n = 0;

	for (i = 0; i < len && n + 5 <= sizeof(text); i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
			text[n++] = (char)p[i];
		else
			n += (size_t)snprintf(text + n, sizeof(text) - n,
			    "\\x%02x", p[i]);
	}
	text[n] = '\0';
	isakmp_line(pr, "%s: %s%s", label, text, i < len ? "..." : "");
}

static void
isakmp_line_next(struct isakmp_printer *pr, uint8_t next, uint16_t length)
{
	isakmp_line(pr, "Next payload: %s (%u)", isakmp_payload_name(next),
	    next);
	isakmp_line(pr, "Payload length: %u", length);
}

void
isakmp_print_hdr(const struct isakmp_hdr *h, isakmp_print_fn *fn, void *arg)
{
	struct isakmp_printer	pr = { fn, arg, 0 };

	isakmp_line_hex(&pr, "Initiator SPI", h->h_icookie,
	    ISAKMP_COOKIE_LEN);
	isakmp_line_hex(&pr, "Responder SPI", h->h_rcookie,
	    ISAKMP_COOKIE_LEN);
	isakmp_line(&pr, "Next payload: %s (%u)",
	    isakmp_payload_name(h->h_next), h->h_next);
	isakmp_line(&pr, "Version: %u.%u", h->h_major, h->h_minor);
	isakmp_line(&pr, "Exchange type: %s (%u)",
	    isakmp_exchange_name(h->h_exchange), h->h_exchange);
	isakmp_line(&pr, "Flags: 0x%02x", h->h_flags);
	pr.depth++;
	isakmp_line(&pr, ".... ...%c = Encryption: %s",
	    h->h_flags & ISAKMP_FLAG_ENC ? '1' : '0',
	    h->h_flags & ISAKMP_FLAG_ENC ? "Encrypted" : "Not encrypted");
	isakmp_line(&pr, ".... ..%c. = Commit: %s",
	    h->h_flags & ISAKMP_FLAG_COMMIT ? '1' : '0',
	    h->h_flags & ISAKMP_FLAG_COMMIT ? "Commit" : "No commit");
	isakmp_line(&pr, ".... .%c.. = Authentication: %s",
	    h->h_flags & ISAKMP_FLAG_AUTH_ONLY ? '1' : '0',
	    h->h_flags & ISAKMP_FLAG_AUTH_ONLY ? "Authentication" :
	    "No authentication");
	pr.depth--;
	isakmp_line(&pr, "Message ID: 0x%08x", h->h_msgid);
	isakmp_line(&pr, "Length: %u", h->h_length);
}

static void
isakmp_print_attr(struct isakmp_printer *pr, enum isakmp_attr_class cls,
    const struct isakmp_attr *a)
{
	const char	*kind = cls == ISAKMP_ATTR_CLASS_P1 ? "IKE" : "IPsec";
	const char	*name = isakmp_attr_name(cls, a->a_type);
	const char	*vname;
	unsigned	 len = a->a_tv ? 2 : a->a_len;
	char		 label[128];

	snprintf(label, sizeof(label), "%s Attribute (t=%u,l=%u): %s", kind,
	    a->a_type, len, name);
	if (!a->a_has_value) {
		isakmp_line_hex(pr, label, a->a_data, a->a_len);
		return;
	}
	vname = isakmp_attr_value_name(cls, a->a_type, a->a_value);
	if (vname != NULL)
		isakmp_line(pr, "%s: %s (%llu)", label, vname,
		    (unsigned long long)a->a_value);
	else
		isakmp_line(pr, "%s: %llu", label,
		    (unsigned long long)a->a_value);
}

static void
isakmp_print_transform(struct isakmp_printer *pr, uint8_t proto,
    const struct isakmp_transform *t, int last)
{
	size_t	i;

	isakmp_line(pr, "Payload: Transform (3) # %u", t->t_num);
	pr->depth++;
	isakmp_line_next(pr, last ? ISAKMP_PL_NONE : ISAKMP_PL_T,
	    (uint16_t)t->t_rawlen);
	isakmp_line(pr, "Transform number: %u", t->t_num);
	isakmp_line(pr, "Transform ID: %s (%u)",
	    isakmp_transform_id_name(proto, t->t_id), t->t_id);
	for (i = 0; i < t->t_nattrs; i++)
		isakmp_print_attr(pr, isakmp_proto_attr_class(proto),
		    &t->t_attrs[i]);
	pr->depth--;
}

static void
isakmp_print_proposal(struct isakmp_printer *pr,
    const struct isakmp_proposal *p, int last)
{
	size_t	i;

	isakmp_line(pr, "Payload: Proposal (2) # %u", p->p_num);
	pr->depth++;
	isakmp_line_next(pr, last ? ISAKMP_PL_NONE : ISAKMP_PL_P,
	    p->p_length);
	isakmp_line(pr, "Proposal number: %u", p->p_num);
	isakmp_line(pr, "Protocol ID: %s (%u)", isakmp_proto_name(p->p_proto),
	    p->p_proto);
	isakmp_line(pr, "SPI Size: %u", p->p_spi_size);
	if (p->p_spi_size > 0)
		isakmp_line_hex(pr, "SPI", p->p_spi, p->p_spi_size);
	isakmp_line(pr, "Proposal transforms: %zu", p->p_ntransforms);
	for (i = 0; i < p->p_ntransforms; i++)
		isakmp_print_transform(pr, p->p_proto, &p->p_transforms[i],
		    i + 1 == p->p_ntransforms);
	pr->depth--;
}

static void
isakmp_print_sa(struct isakmp_printer *pr, const struct isakmp_sa *sa)
{
	size_t	i;

	isakmp_line(pr, "Domain of interpretation: %s (%u)",
	    isakmp_doi_name(sa->sa_doi), sa->sa_doi);
	isakmp_line(pr, "Situation: %08x", sa->sa_situation);
	for (i = 0; i < sa->sa_nproposals; i++)
		isakmp_print_proposal(pr, &sa->sa_proposals[i],
		    i + 1 == sa->sa_nproposals);
}

/* The address types as text, the others as hex (or text for names). */
static void
isakmp_print_id_data(struct isakmp_printer *pr, const struct isakmp_id *id)
{
	char	a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	uint8_t	raw[32];
	int	af = AF_INET;
	size_t	half;

	switch (id->id_type) {
	case ISAKMP_ID_FQDN:
	case ISAKMP_ID_USER_FQDN:
		isakmp_line_text(pr, "Identification Data", id->id_data,
		    id->id_len);
		return;
	case ISAKMP_ID_IPV6_ADDR:
	case ISAKMP_ID_IPV6_ADDR_SUBNET:
	case ISAKMP_ID_IPV6_ADDR_RANGE:
		af = AF_INET6;
		/* FALLTHROUGH */
	case ISAKMP_ID_IPV4_ADDR:
	case ISAKMP_ID_IPV4_ADDR_SUBNET:
	case ISAKMP_ID_IPV4_ADDR_RANGE:
		break;
	default:
		isakmp_line_hex(pr, "Identification Data", id->id_data,
		    id->id_len);
		return;
	}
	if (id->id_len > sizeof(raw))
		return;
	memcpy(raw, id->id_data, id->id_len);
	half = af == AF_INET ? 4 : 16;
	inet_ntop(af, raw, a, sizeof(a));
	if (id->id_len < 2 * half) {
		isakmp_line(pr, "Identification Data: %s", a);
		return;
	}
	inet_ntop(af, raw + half, b, sizeof(b));
	isakmp_line(pr, "Identification Data: %s%s%s", a,
	    id->id_type == ISAKMP_ID_IPV4_ADDR_SUBNET ||
	    id->id_type == ISAKMP_ID_IPV6_ADDR_SUBNET ? "/" : "-", b);
}

static void
isakmp_print_id(struct isakmp_printer *pr, const struct isakmp_payload *pl)
{
	const struct isakmp_id	*id = &pl->pl_u.id;

	isakmp_line(pr, "ID type: %s (%u)", isakmp_id_type_name(id->id_type),
	    id->id_type);
	if (pl->pl_type == ISAKMP_PL_ID) {
		isakmp_line(pr, "Protocol ID: %u", id->id_proto);
		isakmp_line(pr, "Port: %u", id->id_port);
	}
	isakmp_print_id_data(pr, id);
}

static void
isakmp_print_notify(struct isakmp_printer *pr, const struct isakmp_notify *n)
{
	isakmp_line(pr, "Domain of interpretation: %s (%u)",
	    isakmp_doi_name(n->n_doi), n->n_doi);
	isakmp_line(pr, "Protocol ID: %s (%u)", isakmp_proto_name(n->n_proto),
	    n->n_proto);
	isakmp_line(pr, "SPI Size: %u", n->n_spi_size);
	isakmp_line(pr, "Notify Message Type: %s (%u)",
	    isakmp_notify_name(n->n_type), n->n_type);
	if (n->n_spi_size > 0)
		isakmp_line_hex(pr, "SPI", n->n_spi, n->n_spi_size);
	if (n->n_len > 0)
		isakmp_line_hex(pr, "Notification DATA", n->n_data, n->n_len);
}

static void
isakmp_print_delete(struct isakmp_printer *pr, const struct isakmp_delete *d)
{
	size_t	i;

	isakmp_line(pr, "Domain of interpretation: %s (%u)",
	    isakmp_doi_name(d->d_doi), d->d_doi);
	isakmp_line(pr, "Protocol ID: %s (%u)", isakmp_proto_name(d->d_proto),
	    d->d_proto);
	isakmp_line(pr, "SPI Size: %u", d->d_spi_size);
	isakmp_line(pr, "Number of SPIs: %u", d->d_nspi);
	for (i = 0; i < d->d_nspi; i++)
		isakmp_line_hex(pr, "Delete SPI",
		    &d->d_spis[i * d->d_spi_size], d->d_spi_size);
}

static const char *
isakmp_data_label(uint8_t type)
{
	switch (type) {
	case ISAKMP_PL_KE:	return ("Key Exchange Data");
	case ISAKMP_PL_HASH:	return ("Hash DATA");
	case ISAKMP_PL_SIG:	return ("Signature DATA");
	case ISAKMP_PL_NONCE:	return ("Nonce DATA");
	case ISAKMP_PL_VID:	return ("Vendor ID");
	}
	return ("HASH of the address and port");	/* NAT-D */
}

static void
isakmp_print_body(struct isakmp_printer *pr, const struct isakmp_payload *pl)
{
	const struct isakmp_cert	*c = &pl->pl_u.cert;

	switch (pl->pl_type) {
	case ISAKMP_PL_SA:
		isakmp_print_sa(pr, &pl->pl_u.sa);
		return;
	case ISAKMP_PL_ID:
	case ISAKMP_PL_NAT_OA:
	case ISAKMP_PL_NAT_OA_DRAFT:
		isakmp_print_id(pr, pl);
		return;
	case ISAKMP_PL_CERT:
	case ISAKMP_PL_CR:
		isakmp_line(pr, "Certificate %s: %s (%u)",
		    pl->pl_type == ISAKMP_PL_CERT ? "Encoding" : "Type",
		    isakmp_cert_encoding_name(c->c_encoding), c->c_encoding);
		if (c->c_len > 0)
			isakmp_line_hex(pr, pl->pl_type == ISAKMP_PL_CERT ?
			    "Certificate Data" : "Certificate Authority Data",
			    c->c_data, c->c_len);
		return;
	case ISAKMP_PL_N:
		isakmp_print_notify(pr, &pl->pl_u.n);
		return;
	case ISAKMP_PL_D:
		isakmp_print_delete(pr, &pl->pl_u.d);
		return;
	}
	isakmp_line_hex(pr, isakmp_data_label(pl->pl_type), pl->pl_u.data.data,
	    pl->pl_u.data.len);
}

static void
isakmp_print_payload_at(struct isakmp_printer *pr,
    const struct isakmp_payload *pl)
{
	const char	*vendor = NULL;

	if (pl->pl_type == ISAKMP_PL_VID)
		vendor = isakmp_vendor_name(pl->pl_u.data.data,
		    pl->pl_u.data.len);
	if (vendor != NULL)
		isakmp_line(pr, "Payload: %s (%u) : %s",
		    isakmp_payload_name(pl->pl_type), pl->pl_type, vendor);
	else
		isakmp_line(pr, "Payload: %s (%u)",
		    isakmp_payload_name(pl->pl_type), pl->pl_type);
	pr->depth++;
	isakmp_line_next(pr, pl->pl_next, pl->pl_length);
	isakmp_print_body(pr, pl);
	pr->depth--;
}

void
isakmp_print_payload(const struct isakmp_payload *pl, isakmp_print_fn *fn,
    void *arg)
{
	struct isakmp_printer	pr = { fn, arg, 0 };

	isakmp_print_payload_at(&pr, pl);
}

void
isakmp_print_msg(const struct isakmp_msg *msg, isakmp_print_fn *fn,
    void *arg)
{
	struct isakmp_printer	pr = { fn, arg, 0 };
	size_t			i;

	if (msg->m_hdr.h_length != 0)
		isakmp_print_hdr(&msg->m_hdr, fn, arg);
	for (i = 0; i < msg->m_npayloads; i++)
		isakmp_print_payload_at(&pr, &msg->m_payloads[i]);
	if (msg->m_padding > 0)
		isakmp_line(&pr, "Padding: %zu bytes", msg->m_padding);
}
