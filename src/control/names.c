/*
 * Names and keyword parsing shared by the control server and ikeadm:
 * error texts, privilege levels and debug categories.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/err.h"
#include "lib/log.h"
#include "lib/util.h"
#include "control/control.h"
#include "control/names.h"

static const char *const control_cmd_names[] = {
	"GET_DBG", "SET_DBG", "GET_PRIV", "SET_PRIV", "GET_STATS",
	"GET_P1", "DEL_P1", "DUMP_P1S", "FLUSH_P1S",
	"GET_RULE", "NEW_RULE", "DEL_RULE", "DUMP_RULES", "READ_RULES",
	"WRITE_RULES",
	"GET_PS", "NEW_PS", "DEL_PS", "DUMP_PS", "READ_PS", "WRITE_PS",
	"DBG_RBDUMP", "GET_DEFS",
	"SET_PIN", "DEL_PIN", "DUMP_CERTCACHE", "FLUSH_CERTCACHE",
	"DUMP_GROUPS", "DUMP_ENCRALGS", "DUMP_AUTHALGS",
	"ERROR",
};

const char *
control_cmd_name(int cmd)
{
	if (cmd < 0 || (size_t)cmd >= UTIL_NELEM(control_cmd_names))
		return ("UNKNOWN");
	return (control_cmd_names[cmd]);
}

static const char *const control_ecode_strs[] = {
	[CONTROL_E_NO_OBJ] = "No data returned",
	[CONTROL_E_NO_DESC] = "No destination provided",
	[CONTROL_E_ID_INVALID] = "Id info invalid",
	[CONTROL_E_LOC_INVALID] = "Destination invalid",
	[CONTROL_E_CMD_INVALID] = "Command invalid",
	[CONTROL_E_DATA_INVALID] = "Supplied data invalid",
	[CONTROL_E_CMD_NOTSUP] = "Unknown command",
	[CONTROL_E_REQ_INVALID] = "Request invalid",
	[CONTROL_E_NO_PRIV] = "Not allowed at current privilege level",
	[CONTROL_E_SYS_ERR] = "System error",
	[CONTROL_E_DUP_IGNORED] = "One or more duplicate entries ignored",
	[CONTROL_E_NO_AUTH] = "User not authorized",
	[CONTROL_E_NO_TOKEN] =
	    "PKCS#11 token login failed or no objects on device",
	[CONTROL_E_IN_PROGRESS] = "Duplicate operation already in progress",
	[CONTROL_E_NO_MEM] = "Insufficient memory",
};

const char *
control_ecode_str(int code)
{
	if (code <= 0 || (size_t)code >= UTIL_NELEM(control_ecode_strs))
		return ("Unknown error");
	return (control_ecode_strs[code]);
}

const char *
control_priv_desc(int level)
{
	switch (level) {
	case CONTROL_PRIV_BASE:
		return ("base privileges");
	case CONTROL_PRIV_MODKEYS:
		return ("access to preshared key information");
	case CONTROL_PRIV_KEYMAT:
		return ("access to keying material");
	default:
		return ("unknown privileges");
	}
}

static const char *const control_priv_names[] = {
	"base", "modkeys", "keymat",
};

const char *
control_priv_name(int level)
{
	if (level < 0 || (size_t)level >= UTIL_NELEM(control_priv_names))
		return ("unknown");
	return (control_priv_names[level]);
}

int
control_priv_parse(const char *s, uint32_t *out)
{
	size_t	i;

	for (i = 0; i < UTIL_NELEM(control_priv_names); i++) {
		if (strcasecmp(s, control_priv_names[i]) == 0 ||
		    (s[0] == (char)('0' + i) && s[1] == '\0')) {
			*out = (uint32_t)i;
			return (0);
		}
	}
	return (ERR_INVAL);
}

void
control_err_to_ecode(int rv, uint32_t *ecode, uint32_t *eerrno)
{
	*eerrno = 0;
	switch (rv) {
	case ERR_NOTFOUND:
		*ecode = CONTROL_E_NO_OBJ;
		break;
	case ERR_EXISTS:
		*ecode = CONTROL_E_SYS_ERR;
		*eerrno = EEXIST;
		break;
	case ERR_PERM:
		*ecode = CONTROL_E_NO_PRIV;
		break;
	case ERR_NOMEM:
		*ecode = CONTROL_E_NO_MEM;
		break;
	case ERR_UNSUPPORTED:
		*ecode = CONTROL_E_CMD_NOTSUP;
		break;
	case ERR_STATE:
		*ecode = CONTROL_E_IN_PROGRESS;
		break;
	case ERR_CONFIG:
	case ERR_MALFORMED:
	case ERR_INVAL:
	case ERR_TRUNCATED:
	case ERR_TOOBIG:
		*ecode = CONTROL_E_DATA_INVALID;
		break;
	case ERR_SYSTEM:
		*ecode = CONTROL_E_SYS_ERR;
		*eerrno = errno != 0 ? (uint32_t)errno : EIO;
		break;
	default:
		*ecode = CONTROL_E_SYS_ERR;
		*eerrno = EIO;
		break;
	}
}

/* Debug categories in bit order, with every keyword that names them. */
static const struct control_debug_cat control_debug_cats[] = {
	{ D_CERT, "cert", NULL, "Certificate management" },
	{ D_KEY, "key", NULL, "Key management" },
	{ D_OP, "op", NULL, "Operational" },
	{ D_P1, "p1", "phase1", "Phase 1 SA creation" },
	{ D_P2, "p2", "phase2", "Phase 2 SA creation" },
	{ D_PFKEY, "pfkey", NULL, "PF_KEY interface" },
	{ D_POL, "pol", "policy", "Policy management" },
	{ D_PROP, "prop", NULL, "Proposal construction" },
	{ D_DOOR, "door", NULL, "Door interface" },
	{ D_CONFIG, "config", NULL, "Config file processing" },
};

const struct control_debug_cat *
control_debug_cats_get(size_t *n)
{
	*n = UTIL_NELEM(control_debug_cats);
	return (control_debug_cats);
}

static int
control_debug_keyword(const char *s, size_t len, uint32_t *bits)
{
	const struct control_debug_cat	*c;
	size_t				 i;

	if (len == 3 && strncasecmp(s, "all", 3) == 0) {
		*bits = D_ALL;
		return (0);
	}
	for (i = 0; i < UTIL_NELEM(control_debug_cats); i++) {
		c = &control_debug_cats[i];
		if ((strlen(c->name) == len &&
		    strncasecmp(s, c->name, len) == 0) ||
		    (c->alias != NULL && strlen(c->alias) == len &&
		    strncasecmp(s, c->alias, len) == 0)) {
			*bits = c->bit;
			return (0);
		}
	}
	return (ERR_INVAL);
}

static int
control_debug_number(const char *s, uint32_t *out)
{
	unsigned long	v;
	char		*end;
	int		base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno != 0 || *end != '\0' || end == s || v > UINT32_MAX)
		return (ERR_INVAL);
	if (v & ~(unsigned long)D_ALL)
		return (ERR_INVAL);
	*out = (uint32_t)v;
	return (0);
}

/* Apply keywords joined by "+" (add) and "-" (remove) to level. */
static int
control_debug_expr(const char *s, char op, uint32_t level, uint32_t *out)
{
	uint32_t	bits;
	size_t		len;

	for (;;) {
		len = strcspn(s, "+-");
		if (len == 0 ||
		    control_debug_keyword(s, len, &bits) != 0)
			return (ERR_INVAL);
		if (op == '+')
			level |= bits;
		else
			level &= ~bits;
		s += len;
		if (*s == '\0')
			break;
		op = *s++;
	}
	*out = level;
	return (0);
}

/*
 * Parse a debug level: a number (decimal, or hex with 0x) or keywords
 * joined by "+" (add) and "-" (remove), the first one added.
 */
int
control_debug_parse(const char *s, uint32_t *out)
{
	if (s[0] >= '0' && s[0] <= '9')
		return (control_debug_number(s, out));
	return (control_debug_expr(s, '+', 0, out));
}

int
control_debug_change(const char *s, uint32_t current, uint32_t *out)
{
	if (s[0] != '+' && s[0] != '-')
		return (ERR_INVAL);
	return (control_debug_expr(s + 1, s[0], current, out));
}
