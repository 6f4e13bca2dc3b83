#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/addr.h"
#include "lib/err.h"

size_t
addr_len(int family)
{
	if (family == AF_INET)
		return (4);
	if (family == AF_INET6)
		return (16);
	return (0);
}

int
addr_parse_ip(const char *s, struct config_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->addr) == 1) {
		ip->family = AF_INET;
		return (0);
	}
	if (inet_pton(AF_INET6, s, ip->addr) == 1) {
		ip->family = AF_INET6;
		return (0);
	}
	return (ERR_MALFORMED);
}

int
addr_mask_plen(const struct config_ip *mask)
{
	size_t	len = addr_len(mask->family), i;
	int	plen = 0, bit, seen_zero = 0;

	for (i = 0; i < len; i++) {
		for (bit = 7; bit >= 0; bit--) {
			if (mask->addr[i] & (1 << bit)) {
				if (seen_zero)
					return (-1);
				plen++;
			} else
				seen_zero = 1;
		}
	}
	return (plen);
}

void
addr_prefix_range(struct config_range *r, const struct config_ip *ip,
    unsigned int plen)
{
	size_t		len = addr_len(ip->family), i;
	unsigned int	bits;
	uint8_t		mask;

	r->lo = *ip;
	r->hi = *ip;
	for (i = 0; i < len; i++) {
		bits = plen > i * 8 ? plen - i * 8 : 0;
		mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
		r->lo.addr[i] &= mask;
		r->hi.addr[i] |= (uint8_t)~mask;
	}
	r->kind = CONFIG_RANGE_PREFIX;
	r->plen = (uint8_t)plen;
}

static int
addr_parse_prefix(char *a, char *b, struct config_range *r, char *why,
    size_t whylen)
{
	struct config_ip	 ip, mask;
	unsigned long		 plen;
	char			*end;

	if (addr_parse_ip(a, &ip) != 0) {
		snprintf(why, whylen, "invalid address '%s'", a);
		return (ERR_MALFORMED);
	}
	if (strchr(b, '.') != NULL || strchr(b, ':') != NULL) {
		if (addr_parse_ip(b, &mask) != 0 ||
		    mask.family != ip.family ||
		    (plen = (unsigned long)addr_mask_plen(&mask)) >
		    addr_len(ip.family) * 8) {
			snprintf(why, whylen, "invalid mask '%s': expected a "
			    "contiguous mask such as 255.255.255.0", b);
			return (ERR_MALFORMED);
		}
	} else {
		plen = strtoul(b, &end, 10);
		if (b[0] < '0' || b[0] > '9' || *end != '\0' ||
		    plen > addr_len(ip.family) * 8) {
			snprintf(why, whylen, "invalid prefix length '%s': "
			    "expected 0 to %zu", b, addr_len(ip.family) * 8);
			return (ERR_MALFORMED);
		}
	}
	addr_prefix_range(r, &ip, (unsigned int)plen);
	return (0);
}

static int
addr_parse_pair(char *a, char *b, struct config_range *r, char *why,
    size_t whylen)
{
	if (addr_parse_ip(a, &r->lo) != 0) {
		snprintf(why, whylen, "invalid address '%s'", a);
		return (ERR_MALFORMED);
	}
	if (addr_parse_ip(b, &r->hi) != 0) {
		snprintf(why, whylen, "invalid address '%s'", b);
		return (ERR_MALFORMED);
	}
	if (r->lo.family != r->hi.family) {
		snprintf(why, whylen, "range %s-%s mixes IPv4 and IPv6", a, b);
		return (ERR_MALFORMED);
	}
	if (config_ip_cmp(&r->lo, &r->hi) > 0) {
		snprintf(why, whylen, "range %s-%s starts after it ends: "
		    "write the lower address first", a, b);
		return (ERR_MALFORMED);
	}
	r->kind = CONFIG_RANGE_RANGE;
	r->plen = 0;
	return (0);
}

int
addr_parse_range(const char *text, struct config_range *r, char *why,
    size_t whylen)
{
	char	 buf[128], *sep;
	int	 rc;

	memset(r, 0, sizeof(*r));
	if (strlen(text) >= sizeof(buf)) {
		snprintf(why, whylen, "invalid address '%.40s...': too long",
		    text);
		return (ERR_MALFORMED);
	}
	strcpy(buf, text);
	if ((sep = strchr(buf, '/')) != NULL) {
		*sep = '\0';
		rc = addr_parse_prefix(buf, sep + 1, r, why, whylen);
	} else if ((sep = strchr(buf, '-')) != NULL) {
		*sep = '\0';
		rc = addr_parse_pair(buf, sep + 1, r, why, whylen);
	} else if (addr_parse_ip(buf, &r->lo) == 0) {
		r->hi = r->lo;
		r->kind = CONFIG_RANGE_SINGLE;
		rc = 0;
	} else {
		snprintf(why, whylen, "invalid address '%s': expected an IPv4 "
		    "or IPv6 address, A/len, A/mask or A-B", buf);
		rc = ERR_MALFORMED;
	}
	return (rc);
}

void
addr_format_ip(const struct config_ip *ip, char *out, size_t outlen)
{
	if (inet_ntop(ip->family, ip->addr, out, (socklen_t)outlen) == NULL)
		snprintf(out, outlen, "<invalid>");
}

void
addr_format_range(const struct config_range *r, char *out, size_t outlen)
{
	char	lo[INET6_ADDRSTRLEN], hi[INET6_ADDRSTRLEN];

	addr_format_ip(&r->lo, lo, sizeof(lo));
	switch (r->kind) {
	case CONFIG_RANGE_PREFIX:
		snprintf(out, outlen, "%s/%u", lo, r->plen);
		break;
	case CONFIG_RANGE_RANGE:
		addr_format_ip(&r->hi, hi, sizeof(hi));
		snprintf(out, outlen, "%s - %s", lo, hi);
		break;
	default:
		snprintf(out, outlen, "%s", lo);
	}
}
