#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/err.h"
#include "control/control.h"
#include "fake_ops.h"

static void
fake_addr(struct control_addr *a, const char *s, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->addr) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, a->addr) == 1)
		a->family = AF_INET6;
	a->port = port;
}

static void
fake_key(struct control_key *k, uint8_t first, uint16_t len, uint16_t bits)
{
	uint16_t	i;

	for (i = 0; i < len; i++)
		k->bytes[i] = (uint8_t)(first + i);
	k->len = len;
	k->bits = bits;
}

static void
fake_ident(struct control_ident *id, uint16_t type, const char *v)
{
	id->type = type;
	(void)snprintf(id->value, sizeof(id->value), "%s", v);
}

static void
fake_p1_init(struct fake_state *st)
{
	struct control_p1_info	*p = &st->p1[0];

	p->icookie = 0x1a2b3c4d5e6f7081ULL;
	p->rcookie = 0x92a3b4c5d6e7f809ULL;
	p->initiator = 1;
	p->xchg = CONTROL_XCHG_MAIN;
	p->state = CONTROL_P1_ACTIVE;
	p->xform = (struct control_xform){ 1, 7, 256, 0, 4, 14, 28800, 0 };
	p->p2_pfs = 14;
	fake_addr(&p->local, "192.0.2.10", 500);
	fake_addr(&p->remote, "198.51.100.20", 500);
	p->lifetime_secs = 28800;
	p->created = 1000000000;
	p->keyuses = 2;
	p->expires = 1000028800;
	p->p2_created = 2;
	p->rx_hash_errs = 1;
	fake_ident(&p->local_id, CONTROL_IDT_IPV4, "192.0.2.10");
	fake_ident(&p->remote_id, CONTROL_IDT_IPV4, "198.51.100.20");
	fake_key(&p->psk, 0x10, 16, 0);
	fake_key(&p->skeyid, 0x20, 20, 0);

	p = &st->p1[1];
	p->icookie = 0x1111111111111111ULL;
	p->rcookie = 0x2222222222222222ULL;
	p->initiator = 0;
	p->xchg = CONTROL_XCHG_MAIN;
	p->state = CONTROL_P1_SENT_KE;
	p->dpd = CONTROL_DPD_IN_PROGRESS;
	p->xform = (struct control_xform){ 3, 5, 0, 0, 2, 19, 3600, 0 };
	fake_addr(&p->local, "127.0.0.1", 4500);
	fake_addr(&p->remote, "127.0.0.1", 4500);
	p->lifetime_secs = 3600;
	p->created = 1000000000;
	p->expires = 1000003600;
	fake_ident(&p->local_id, CONTROL_IDT_DN, "C=US, O=Example, CN=hq");
	fake_ident(&p->remote_id, CONTROL_IDT_FQDN, "branch.example.com");
	st->np1 = 2;
}

static void
fake_rules_init(struct fake_state *st)
{
	struct control_rule_info	*r = &st->rules[0];

	(void)snprintf(r->label, sizeof(r->label), "hq-gw to branch-gw");
	r->cookie = 1;
	r->local_idtype = CONTROL_IDT_IP;
	r->xchg = CONTROL_XCHG_MAIN;
	r->p1_nonce_len = 20;
	r->p2_nonce_len = 20;
	r->p2_pfs = 14;
	r->p2_lifetime_secs = 3600;
	r->p2_softlife_secs = 3240;
	r->nlocal = 1;
	fake_addr(&r->local[0].lo, "192.0.2.10", 0);
	r->local[0].hi = r->local[0].lo;
	r->nremote = 1;
	fake_addr(&r->remote[0].lo, "203.0.113.200", 0);
	fake_addr(&r->remote[0].hi, "203.0.113.250", 0);
	r->nremote_ids = 2;
	(void)snprintf(r->remote_ids[0].sel, sizeof(r->remote_ids[0].sel),
	    "CN=branch");
	r->remote_ids[1].exclude = 1;
	(void)snprintf(r->remote_ids[1].sel, sizeof(r->remote_ids[1].sel),
	    "CN=revoked");
	r->nxforms = 1;
	r->xforms[0] = (struct control_xform){ 1, 7, 128, 256, 4, 14, 28800,
	    0 };

	r = &st->rules[1];
	(void)snprintf(r->label, sizeof(r->label), "lab");
	r->cookie = 2;
	r->local_idtype = CONTROL_IDT_DN;
	r->xchg = CONTROL_XCHG_MAIN;
	r->p1_nonce_len = 20;
	r->p2_nonce_len = 20;
	r->p2_lifetime_secs = 28800;
	r->p2_softlife_secs = 24000;
	r->nlocal = 1;
	fake_addr(&r->local[0].lo, "192.0.2.0", 0);
	r->local[0].lo.plen = 24;
	r->local[0].hi = r->local[0].lo;
	r->nremote = 1;
	fake_addr(&r->remote[0].lo, "2001:db8::1", 0);
	r->remote[0].hi = r->remote[0].lo;
	r->nlocal_ids = 1;
	(void)snprintf(r->local_ids[0].sel, sizeof(r->local_ids[0].sel),
	    "CN=hq");
	st->nrules = 2;
}

static void
fake_psks_init(struct fake_state *st)
{
	struct control_psk_info	*p = &st->psks[0];

	p->xchg = CONTROL_XCHG_MAIN;
	fake_ident(&p->local_id, CONTROL_IDT_IPV4, "192.0.2.10");
	fake_ident(&p->remote_id, CONTROL_IDT_IPV4, "198.51.100.20");
	fake_addr(&p->local.lo, "192.0.2.10", 0);
	p->local.hi = p->local.lo;
	fake_addr(&p->remote.lo, "198.51.100.20", 0);
	p->remote.hi = p->remote.lo;
	fake_key(&p->key, 0x9f, 16, 0);

	p = &st->psks[1];
	p->xchg = CONTROL_XCHG_BOTH;
	fake_ident(&p->local_id, CONTROL_IDT_FQDN, "hq.example.com");
	fake_ident(&p->remote_id, CONTROL_IDT_FQDN, "branch.example.com");
	fake_key(&p->key, 0xa0, 4, 28);
	st->npsks = 2;
}

void
fake_state_init(struct fake_state *st)
{
	memset(st, 0, sizeof(*st));
	st->debug = 0x58;
	st->debug_fd = -1;
	st->priv = CONTROL_PRIV_KEYMAT;
	fake_p1_init(st);
	fake_rules_init(st);
	fake_psks_init(st);
	st->ncerts = 1;
}

static uint32_t
fake_get_debug(void *arg)
{
	return (((struct fake_state *)arg)->debug);
}

/* A new log file gets a line, so that tests can see the fd arrived. */
static int
fake_set_debug(void *arg, uint32_t level, int fd)
{
	struct fake_state	*st = arg;
	static const char	 line[] = "fake in.iked debug log opened\n";

	if (fd >= 0) {
		if (write(fd, line, sizeof(line) - 1) < 0)
			return (ERR_SYSTEM);
	}
	st->debug = level;
	return (0);
}

static uint32_t
fake_get_priv(void *arg)
{
	return (((struct fake_state *)arg)->priv);
}

static int
fake_set_priv(void *arg, uint32_t level)
{
	((struct fake_state *)arg)->priv = level;
	return (0);
}

static int
fake_get_stats(void *arg, struct control_stats *s)
{
	s->cur_init = 1;
	s->cur_resp = 1;
	s->total_init = 21;
	s->total_resp = 27;
	s->att_init = 24;
	s->att_resp = 27;
	s->fail_init = 1;
	s->fail_init_noresp = 2;
	return (0);
}

static int
fake_get_defaults(void *arg, struct control_defaults *b,
    struct control_defaults *e)
{
	*b = (struct control_defaults){
		.p1_lifetime_secs = 28800, .p1_min_lifetime_secs = 10,
		.p1_nonce_len = 20, .p2_lifetime_secs = 28800,
		.p2_softlife_secs = 24000, .sys_p2_lifetime_secs = 28800,
		.sys_p2_softlife_secs = 24000, .p2_min_lifetime_secs = 60,
		.p2_min_softlife_secs = 54, .p2_min_delta_secs = 6,
		.p2_max_lifetime_secs = 86400, .p2_kb_per_sec = 1024,
		.p2_max_lifetime_kb = 4194304, .p2_nonce_len = 20,
		.max_certs = 16, .ike_port = 500, .natt_port = 4500,
	};
	*e = *b;
	e->p1_lifetime_secs = 14400;
	return (0);
}

static int
fake_addr_eq(const struct control_addr *a, const struct control_addr *b)
{
	return (a->family == b->family && memcmp(a->addr, b->addr, 16) == 0);
}

static int
fake_p1_find(struct fake_state *st, const struct control_id *id)
{
	uint32_t	i;

	for (i = 0; i < st->np1; i++) {
		if (id->kind == CONTROL_ID_COOKIES &&
		    st->p1[i].icookie == id->icookie &&
		    st->p1[i].rcookie == id->rcookie)
			return ((int)i);
		if (id->kind == CONTROL_ID_ADDRS &&
		    fake_addr_eq(&st->p1[i].local, &id->local) &&
		    fake_addr_eq(&st->p1[i].remote, &id->remote))
			return ((int)i);
	}
	return (-1);
}

static int
fake_p1_get(void *arg, const struct control_id *id,
    struct control_p1_info *out)
{
	struct fake_state	*st = arg;
	int			 i = fake_p1_find(st, id);

	if (i < 0)
		return (ERR_NOTFOUND);
	*out = st->p1[i];
	return (0);
}

static int
fake_p1_del(void *arg, const struct control_id *id)
{
	struct fake_state	*st = arg;
	int			 i = fake_p1_find(st, id);

	if (i < 0)
		return (ERR_NOTFOUND);
	st->p1[i] = st->p1[--st->np1];
	return (0);
}

static int
fake_p1_dump(void *arg, uint32_t index, struct control_p1_info *out,
    uint32_t *next)
{
	struct fake_state	*st = arg;

	if (index >= st->np1)
		return (ERR_NOTFOUND);
	*out = st->p1[index];
	*next = index + 1 < st->np1 ? index + 1 : 0;
	return (0);
}

static int
fake_p1_flush(void *arg)
{
	((struct fake_state *)arg)->np1 = 0;
	return (0);
}

static int
fake_rule_find(struct fake_state *st, const char *label)
{
	uint32_t	i;

	for (i = 0; i < st->nrules; i++)
		if (strcmp(st->rules[i].label, label) == 0)
			return ((int)i);
	return (-1);
}

static int
fake_rule_get(void *arg, const char *label, struct control_rule_info *out)
{
	struct fake_state	*st = arg;
	int			 i = fake_rule_find(st, label);

	if (i < 0)
		return (ERR_NOTFOUND);
	*out = st->rules[i];
	return (0);
}

/*
 * Stand-in for the config parser: every `label "X"' in the text adds a
 * rule X; text without a label is invalid.  A repeated label is reported
 * in ld->detail as the parser does, under the name ikeadm gave.
 */
static int
fake_rules_from_fd(struct fake_state *st, struct control_load *ld)
{
	char	text[4096], *p, *q;
	ssize_t	n;
	int	added = 0;

	n = read(ld->fd, text, sizeof(text) - 1);
	if (n < 0)
		return (ERR_SYSTEM);
	text[n] = '\0';
	for (p = text; (p = strstr(p, "label \"")) != NULL; p = q + 1) {
		p += 7;
		if ((q = strchr(p, '"')) == NULL)
			return (ERR_CONFIG);
		if (st->nrules >= FAKE_MAX)
			return (ERR_TOOBIG);
		*q = '\0';
		if (fake_rule_find(st, p) >= 0) {
			(void)snprintf(ld->detail, ld->detail_size,
			    "%s:1: duplicate label \"%s\"\n",
			    ld->name != NULL ? ld->name : "(no name)", p);
			return (ERR_EXISTS);
		}
		memset(&st->rules[st->nrules], 0, sizeof(st->rules[0]));
		(void)snprintf(st->rules[st->nrules].label,
		    sizeof(st->rules[0].label), "%s", p);
		st->rules[st->nrules].cookie = st->nrules + 1;
		st->nrules++;
		added++;
	}
	return (added > 0 ? 0 : ERR_CONFIG);
}

static int
fake_rule_add(void *arg, struct control_load *ld)
{
	return (fake_rules_from_fd(arg, ld));
}

static int
fake_rule_del(void *arg, const char *label)
{
	struct fake_state	*st = arg;
	int			 i = fake_rule_find(st, label);

	if (i < 0)
		return (ERR_NOTFOUND);
	st->rules[i] = st->rules[--st->nrules];
	return (0);
}

static int
fake_rule_dump(void *arg, uint32_t index, struct control_rule_info *out,
    uint32_t *next)
{
	struct fake_state	*st = arg;

	if (index >= st->nrules)
		return (ERR_NOTFOUND);
	*out = st->rules[index];
	*next = index + 1 < st->nrules ? index + 1 : 0;
	return (0);
}

static int
fake_rule_read(void *arg, struct control_load *ld)
{
	struct fake_state	*st = arg;

	if (ld->fd < 0) {
		fake_rules_init(st);
		return (0);
	}
	st->nrules = 0;
	return (fake_rules_from_fd(st, ld));
}

static int
fake_rule_write(void *arg, int fd)
{
	struct fake_state	*st = arg;
	uint32_t		 i;

	if (st->nrules == 0)
		return (ERR_NOTFOUND);
	for (i = 0; i < st->nrules; i++)
		if (dprintf(fd, "{ label \"%s\" }\n", st->rules[i].label) < 0)
			return (ERR_SYSTEM);
	return (0);
}

static int
fake_psk_find(struct fake_state *st, const struct control_id *id)
{
	uint32_t	i;

	for (i = 0; i < st->npsks; i++) {
		if (id->kind == CONTROL_ID_ADDRS &&
		    fake_addr_eq(&st->psks[i].local.lo, &id->local) &&
		    fake_addr_eq(&st->psks[i].remote.lo, &id->remote))
			return ((int)i);
		if (id->kind == CONTROL_ID_IDENTS &&
		    strcmp(st->psks[i].local_id.value,
		    id->local_id.value) == 0 &&
		    strcmp(st->psks[i].remote_id.value,
		    id->remote_id.value) == 0)
			return ((int)i);
	}
	return (-1);
}

static int
fake_psk_get(void *arg, const struct control_id *id,
    struct control_psk_info *out)
{
	struct fake_state	*st = arg;
	int			 i = fake_psk_find(st, id);

	if (i < 0)
		return (ERR_NOTFOUND);
	*out = st->psks[i];
	return (0);
}

static int
fake_psk_add(void *arg, const struct control_psk_info *psk,
    struct control_load *ld)
{
	struct fake_state	*st = arg;
	char			 text[CONTROL_STR_MAX];
	ssize_t			 n;

	if (st->npsks >= FAKE_MAX)
		return (ERR_TOOBIG);
	if (psk != NULL) {
		st->psks[st->npsks++] = *psk;
		return (0);
	}
	/* A file adds one FQDN entry named by its first word. */
	if ((n = read(ld->fd, text, sizeof(text) - 1)) <= 0)
		return (ERR_CONFIG);
	text[n] = '\0';
	text[strcspn(text, " \n")] = '\0';
	memset(&st->psks[st->npsks], 0, sizeof(st->psks[0]));
	fake_ident(&st->psks[st->npsks].local_id, CONTROL_IDT_FQDN, text);
	fake_ident(&st->psks[st->npsks].remote_id, CONTROL_IDT_FQDN, text);
	st->psks[st->npsks++].xchg = CONTROL_XCHG_MAIN;
	return (0);
}

static int
fake_psk_del(void *arg, const struct control_id *id)
{
	struct fake_state	*st = arg;
	int			 i = fake_psk_find(st, id);

	if (i < 0)
		return (ERR_NOTFOUND);
	st->psks[i] = st->psks[--st->npsks];
	return (0);
}

static int
fake_psk_dump(void *arg, uint32_t index, struct control_psk_info *out,
    uint32_t *next)
{
	struct fake_state	*st = arg;

	if (index >= st->npsks)
		return (ERR_NOTFOUND);
	*out = st->psks[index];
	*next = index + 1 < st->npsks ? index + 1 : 0;
	return (0);
}

static int
fake_psk_read(void *arg, struct control_load *ld)
{
	struct fake_state	*st = arg;

	st->npsks = 0;
	if (ld->fd < 0) {
		fake_psks_init(st);
		return (0);
	}
	return (fake_psk_add(arg, NULL, ld));
}

static int
fake_psk_write(void *arg, int fd)
{
	struct fake_state	*st = arg;
	uint32_t		 i;

	if (st->npsks == 0)
		return (ERR_NOTFOUND);
	for (i = 0; i < st->npsks; i++)
		if (dprintf(fd, "{ localid %s remoteid %s }\n",
		    st->psks[i].local_id.value,
		    st->psks[i].remote_id.value) < 0)
			return (ERR_SYSTEM);
	return (0);
}

static int
fake_certcache_dump(void *arg, uint32_t index, struct control_cert_info *c,
    uint32_t *next)
{
	struct fake_state	*st = arg;

	if (index >= st->ncerts)
		return (ERR_NOTFOUND);
	c->id = index + 1;
	(void)snprintf(c->subject, sizeof(c->subject),
	    "C=US, O=Example, CN=hq");
	(void)snprintf(c->issuer, sizeof(c->issuer), "C=US, O=Example, CN=ca");
	c->trusted = 1;
	c->source = CONTROL_CERT_KEY;
	*next = index + 1 < st->ncerts ? index + 1 : 0;
	return (0);
}

static int
fake_certcache_flush(void *arg)
{
	((struct fake_state *)arg)->ncerts = 0;
	return (0);
}

static int
fake_rule_log(void *arg)
{
	((struct fake_state *)arg)->rule_logs++;
	return (0);
}

const struct control_ops fake_ops = {
	.get_debug = fake_get_debug,
	.set_debug = fake_set_debug,
	.get_priv = fake_get_priv,
	.set_priv = fake_set_priv,
	.get_stats = fake_get_stats,
	.get_defaults = fake_get_defaults,
	.p1_get = fake_p1_get,
	.p1_del = fake_p1_del,
	.p1_dump = fake_p1_dump,
	.p1_flush = fake_p1_flush,
	.rule_get = fake_rule_get,
	.rule_add = fake_rule_add,
	.rule_del = fake_rule_del,
	.rule_dump = fake_rule_dump,
	.rule_read = fake_rule_read,
	.rule_write = fake_rule_write,
	.psk_get = fake_psk_get,
	.psk_add = fake_psk_add,
	.psk_del = fake_psk_del,
	.psk_dump = fake_psk_dump,
	.psk_read = fake_psk_read,
	.psk_write = fake_psk_write,
	.certcache_dump = fake_certcache_dump,
	.certcache_flush = fake_certcache_flush,
	.rule_log = fake_rule_log,
};
