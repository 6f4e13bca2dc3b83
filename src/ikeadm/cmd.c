/*
 * The ikeadm commands: each takes the tokens after "command object",
 * builds requests, and prints the replies on stdout and status lines and
 * errors on stderr.  Handlers return 0 on success and 1 on failure.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/util.h"
#include "control/control.h"
#include "control/names.h"
#include "ikeadm/ikeadm.h"

/* Bytes of an argument that a message quotes, and the size of the quote. */
#define CMD_SHOW_MAX	40
#define CMD_SHOWN_SIZE	(CMD_SHOW_MAX + 32)

struct cmd_ctx {
	struct ikeadm_client	**client;
	const struct ikeadm_opts *opts;
	const char		 *cmd;
	const char		 *obj;
	char			**args;		/* tokens after the object */
	int			  nargs;
	struct control_msg	 *req;
	struct control_msg	 *rep;
};

struct cmd_entry {
	const char	*cmd;
	const char	*obj;
	int		(*fn)(struct cmd_ctx *);
};

static const struct {
	const char	*cmd;
	const char	*text;
} cmd_helps[] = {
	{ "get", "get debug|priv|stats|defaults\n"
	    "\tget p1 <local> <remote> | <initiator cookie> <responder cookie>\n"
	    "\tget rule <label>\n"
	    "\tget preshared <local> <remote> | "
	    "<loctype> <locid> <remtype> <remid>" },
	{ "set", "set debug <level> [<file>]\n\tset priv <level>" },
	{ "add", "add rule|preshared { <definition> } | <file>" },
	{ "del", "del p1|rule|preshared <id>" },
	{ "dump", "dump p1|rule|preshared|certcache|groups|encralgs|"
	    "authalgs" },
	{ "flush", "flush p1|certcache" },
	{ "read", "read rule|preshared [<file>]" },
	{ "write", "write rule|preshared <file>" },
	{ "token", "token login|logout <PKCS#11 token label>" },
	{ "help", "help [get|set|add|del|dump|flush|read|write|token|help]" },
	{ "exit", "exit | quit (interactive mode)" },
};

void
ikeadm_usage(FILE *f)
{
	fprintf(f, "Usage: ikeadm [ -jnp ] [ -R root ] [ -t seconds ] cmd obj "
	    "[cmd-specific options]\n");
	fprintf(f, "       ikeadm [ -hjnp ] [ -R root ] [ -t seconds ]  "
	    "(interactive)\n");
	fprintf(f, "       ikeadm help [cmd]\n");
}

void
ikeadm_help(FILE *f, const char *cmd)
{
	size_t	i;

	if (cmd == NULL)
		fprintf(f, "Valid commands are:\n");
	for (i = 0; i < UTIL_NELEM(cmd_helps); i++)
		if (cmd == NULL || strcmp(cmd, cmd_helps[i].cmd) == 0)
			fprintf(f, "\t%s\n", cmd_helps[i].text);
	if (cmd == NULL)
		fprintf(f, "Options: -n numeric output, -p print keys as XX, "
		    "-j JSON lines for get and dump,\n\t-R root: use "
		    "root/var/run/ike_door, -t seconds: wait at most that "
		    "long for in.iked (0 forever, default 10)\n");
}

static int
cmd_usage_error(struct cmd_ctx *c, const char *what)
{
	fprintf(stderr, "ikeadm: %s %s: %s\nUsage: ikeadm ", c->cmd, c->obj,
	    what);
	ikeadm_help(stderr, c->cmd);
	return (1);
}

static int
cmd_usage_errorf(struct cmd_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
cmd_usage_errorf(struct cmd_ctx *c, const char *fmt, ...)
{
	va_list	ap;
	char	what[256];

	va_start(ap, fmt);
	(void)vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return (cmd_usage_error(c, what));
}

/*
 * Quote an argument for a message: at most CMD_SHOW_MAX bytes, each byte
 * that is not printable ASCII as '?', and a longer argument cut with "..."
 * and its length.
 */
static const char *
cmd_show(const char *arg, char *buf, size_t len)
{
	size_t	i, n = strlen(arg);
	char	text[CMD_SHOW_MAX + 1];

	for (i = 0; i < n && i < CMD_SHOW_MAX; i++)
		text[i] = arg[i] >= 0x20 && arg[i] < 0x7f ? arg[i] : '?';
	text[i] = '\0';
	if (n <= CMD_SHOW_MAX)
		(void)snprintf(buf, len, "'%s'", text);
	else
		(void)snprintf(buf, len, "'%s...' (%zu characters)", text, n);
	return (buf);
}

/*
 * Send the request in c->req with fd (closed here, as the daemon has its
 * own copy); returns 0 when a reply arrived.
 */
static int
cmd_call(struct cmd_ctx *c, int fd)
{
	int	rv;

	rv = -1;
	if (*c->client == NULL &&
	    ikeadm_client_open(c->opts->root, c->opts->timeout,
	    c->client) != 0)
		goto out;
	if (ikeadm_client_call(*c->client, c->req, fd, c->rep) == 0) {
		rv = 0;
		goto out;
	}
	/* Reconnect on the next command (the daemon may have restarted). */
	ikeadm_client_close(*c->client);
	*c->client = NULL;
out:
	if (fd >= 0)
		(void)close(fd);
	return (rv);
}

/*
 * The parser's "file:line: message" lines that came with an error, each as
 * an ikeadm message.  Control characters from the daemon are not printed
 * as they are, so that they cannot drive the terminal.
 */
static void
cmd_print_detail(const char *detail)
{
	const char	*p;

	for (p = detail; *p != '\0'; p++) {
		if (p == detail || p[-1] == '\n')
			fputs("ikeadm: ", stderr);
		if (*p == '\n' || *p == '\t' ||
		    ((unsigned char)*p >= 0x20 && *p != 0x7f))
			fputc(*p, stderr);
		else
			fputc('?', stderr);
	}
	if (p != detail && p[-1] != '\n')
		fputc('\n', stderr);
}

static void
cmd_print_error(struct cmd_ctx *c, const char *what)
{
	const struct control_msg	*r = c->rep;

	fprintf(stderr, "ikeadm: %s: %s", what, control_ecode_str(
	    (int)r->ecode));
	if (r->eerrno == EEXIST)
		fprintf(stderr, ": Duplicate entry");
	else if (r->eerrno != 0)
		fprintf(stderr, ": %s", strerror((int)r->eerrno));
	if (r->text[0] != '\0')
		fprintf(stderr, " (%s)", r->text);
	fputc('\n', stderr);
	cmd_print_detail(r->detail);
}

/*
 * Run c->req and check the reply.  Returns 0 on success, 1 on failure
 * (reported), 2 when the object was not found (not yet reported).
 */
static int
cmd_simple(struct cmd_ctx *c, int cmd, int fd, const char *what)
{
	c->req->cmd = (uint8_t)cmd;
	if (cmd_call(c, fd) != 0)
		return (1);
	if (c->rep->cmd != CONTROL_ERROR)
		return (0);
	if (c->rep->ecode == CONTROL_E_NO_OBJ)
		return (2);
	cmd_print_error(c, what);
	return (1);
}

static int
cmd_no_args(struct cmd_ctx *c)
{
	if (c->nargs != 0)
		return (cmd_usage_error(c, "too many arguments"));
	return (0);
}

/* get debug|priv|stats|defaults */

static int
cmd_get_global(struct cmd_ctx *c, int cmd)
{
	const struct ikeadm_opts	*o = c->opts;
	int				 rv;

	if (cmd_no_args(c) != 0)
		return (1);
	if ((rv = cmd_simple(c, cmd, -1, c->obj)) == 2) {
		cmd_print_error(c, c->obj);
		return (1);
	}
	if (rv != 0)
		return (rv);
	switch (cmd) {
	case CONTROL_GET_DBG:
		ikeadm_print_debug(stdout, o, c->rep->level);
		break;
	case CONTROL_GET_PRIV:
		ikeadm_print_priv(stdout, o, c->rep->level);
		break;
	case CONTROL_GET_STATS:
		ikeadm_print_stats(stdout, o, &c->rep->u.stats);
		break;
	default:
		ikeadm_print_defaults(stdout, o, &c->rep->u.defs.builtin,
		    &c->rep->u.defs.effective);
		break;
	}
	return (0);
}

static int
cmd_get_debug(struct cmd_ctx *c)
{
	return (cmd_get_global(c, CONTROL_GET_DBG));
}

static int
cmd_get_priv(struct cmd_ctx *c)
{
	return (cmd_get_global(c, CONTROL_GET_PRIV));
}

static int
cmd_get_stats(struct cmd_ctx *c)
{
	return (cmd_get_global(c, CONTROL_GET_STATS));
}

static int
cmd_get_defaults(struct cmd_ctx *c)
{
	return (cmd_get_global(c, CONTROL_GET_DEFS));
}

/* Object names in status lines. */
static const char *
cmd_obj_desc(const char *obj)
{
	if (strcmp(obj, "p1") == 0)
		return ("phase 1 SA");
	if (strcmp(obj, "rule") == 0)
		return ("policy rule");
	return ("preshared key");
}

static void
cmd_print_item(struct cmd_ctx *c)
{
	const struct control_msg	*r = c->rep;

	switch (r->item) {
	case CONTROL_ITEM_P1:
		ikeadm_print_p1(stdout, c->opts, &r->u.p1);
		break;
	case CONTROL_ITEM_RULE:
		ikeadm_print_rule(stdout, c->opts, &r->u.rule);
		break;
	case CONTROL_ITEM_PSK:
		ikeadm_print_psk(stdout, c->opts, &r->u.psk);
		break;
	case CONTROL_ITEM_CERT:
		ikeadm_print_cert(stdout, c->opts, &r->u.cert);
		break;
	default:
		break;
	}
}

/* One get or del with the id in c->req; returns 0, 1 or 2 (not found). */
static int
cmd_get_del_one(struct cmd_ctx *c, int cmd, int del)
{
	int	rv;

	rv = cmd_simple(c, cmd, -1, del ? "delete failed" : "get failed");
	if (rv != 0)
		return (rv);
	if (del)
		fprintf(stderr, "Successfully deleted selected %s.\n",
		    cmd_obj_desc(c->obj));
	else
		cmd_print_item(c);
	control_msg_wipe(c->rep);
	return (0);
}

/*
 * Run the operation once per (local, remote) address pair, because a host
 * name may resolve to several addresses.
 */
static int
cmd_each_pair(struct cmd_ctx *c, int cmd, int del, int single)
{
	struct control_addr	la[IKEADM_ADDRS_MAX], ra[IKEADM_ADDRS_MAX];
	int			nl, nr, i, j, rv, found = 0, failed = 0;

	if (ikeadm_addr_resolve(c->args[0], c->opts->numeric, la,
	    IKEADM_ADDRS_MAX, &nl) != 0 ||
	    ikeadm_addr_resolve(c->args[1], c->opts->numeric, ra,
	    IKEADM_ADDRS_MAX, &nr) != 0) {
		fprintf(stderr, "ikeadm: cannot resolve '%s' or '%s'%s\n",
		    c->args[0], c->args[1], c->opts->numeric ?
		    " (-n accepts only numeric addresses)" : "");
		return (1);
	}
	if (single && (nl != 1 || nr != 1)) {
		fprintf(stderr, "ikeadm: a preshared key address must "
		    "resolve to exactly one address\n");
		return (1);
	}
	c->req->id.kind = CONTROL_ID_ADDRS;
	for (i = 0; i < nl; i++) {
		for (j = 0; j < nr; j++) {
			c->req->id.local = la[i];
			c->req->id.remote = ra[j];
			rv = cmd_get_del_one(c, cmd, del);
			found += rv == 0;
			failed += rv == 1;
		}
	}
	if (found == 0 && failed == 0)
		fprintf(stderr, "Could not find requested %s.\n",
		    cmd_obj_desc(c->obj));
	return (found > 0 && failed == 0 ? 0 : 1);
}

static int
cmd_get_del_result(struct cmd_ctx *c, int rv)
{
	if (rv == 2) {
		fprintf(stderr, "Could not find requested %s.\n",
		    cmd_obj_desc(c->obj));
		return (1);
	}
	return (rv);
}

static int
cmd_p1(struct cmd_ctx *c, int del)
{
	struct control_id	*id = &c->req->id;
	char			 shown[CMD_SHOWN_SIZE];
	int			 cmd = del ? CONTROL_DEL_P1 : CONTROL_GET_P1;
	int			 i;

	if (c->nargs != 2)
		return (cmd_usage_error(c, "expected two addresses or two "
		    "cookies"));
	if (strncmp(c->args[0], "0x", 2) != 0 &&
	    strncmp(c->args[0], "0X", 2) != 0)
		return (cmd_each_pair(c, cmd, del, 0));
	for (i = 0; i < 2; i++)
		if (ikeadm_cookie_parse(c->args[i], i == 0 ? &id->icookie :
		    &id->rcookie) != 0)
			return (cmd_usage_errorf(c, "invalid %s cookie %s: "
			    "expected 0x followed by 1 to 16 hex digits",
			    i == 0 ? "initiator" : "responder",
			    cmd_show(c->args[i], shown, sizeof(shown))));
	id->kind = CONTROL_ID_COOKIES;
	return (cmd_get_del_result(c, cmd_get_del_one(c, cmd, del)));
}

static int
cmd_rule(struct cmd_ctx *c, int del)
{
	struct control_id	*id = &c->req->id;
	char			 shown[CMD_SHOWN_SIZE];

	if (c->nargs != 1)
		return (cmd_usage_error(c, "expected one rule label"));
	if (strlen(c->args[0]) >= sizeof(id->label))
		return (cmd_usage_errorf(c, "label %s is too long: the "
		    "maximum is %zu characters",
		    cmd_show(c->args[0], shown, sizeof(shown)),
		    sizeof(id->label) - 1));
	id->kind = CONTROL_ID_LABEL;
	(void)snprintf(id->label, sizeof(id->label), "%s", c->args[0]);
	return (cmd_get_del_result(c, cmd_get_del_one(c, del ?
	    CONTROL_DEL_RULE : CONTROL_GET_RULE, del)));
}

static int
cmd_psk(struct cmd_ctx *c, int del)
{
	struct control_id	*id = &c->req->id;
	struct control_range	 r;
	int			 cmd = del ? CONTROL_DEL_PS : CONTROL_GET_PS;

	if (c->nargs == 2)
		return (cmd_each_pair(c, cmd, del, 1));
	if (c->nargs != 4)
		return (cmd_usage_error(c, "expected two addresses or "
		    "<loctype> <locid> <remtype> <remid>"));
	if (ikeadm_ident_parse(c->args[0], c->args[1], &id->local_id,
	    &r) != 0 ||
	    ikeadm_ident_parse(c->args[2], c->args[3], &id->remote_id,
	    &r) != 0)
		return (cmd_usage_error(c, "unknown identity type or value "
		    "that does not match it"));
	id->kind = CONTROL_ID_IDENTS;
	return (cmd_get_del_result(c, cmd_get_del_one(c, cmd, del)));
}

static int
cmd_get_p1(struct cmd_ctx *c)
{
	return (cmd_p1(c, 0));
}

static int
cmd_del_p1(struct cmd_ctx *c)
{
	return (cmd_p1(c, 1));
}

static int
cmd_get_rule(struct cmd_ctx *c)
{
	return (cmd_rule(c, 0));
}

static int
cmd_del_rule(struct cmd_ctx *c)
{
	return (cmd_rule(c, 1));
}

static int
cmd_get_psk(struct cmd_ctx *c)
{
	return (cmd_psk(c, 0));
}

static int
cmd_del_psk(struct cmd_ctx *c)
{
	return (cmd_psk(c, 1));
}

/* set debug|priv */

/*
 * A level that starts with '+' or '-' changes the current one, which is
 * read from in.iked first: "set debug -op" turns off operational.
 */
static int
cmd_debug_change(struct cmd_ctx *c)
{
	char		shown[CMD_SHOWN_SIZE];
	uint32_t	current;
	int		rv;

	if ((rv = cmd_simple(c, CONTROL_GET_DBG, -1, "get debug failed")) != 0)
		return (rv == 2 ? (cmd_print_error(c, "get debug failed"), 1) :
		    rv);
	current = c->rep->level;
	memset(c->rep, 0, sizeof(*c->rep));
	if (control_debug_change(c->args[0], current, &c->req->level) != 0)
		return (cmd_usage_errorf(c, "invalid debug level change %s: "
		    "use keywords such as -op or +cert-key",
		    cmd_show(c->args[0], shown, sizeof(shown))));
	return (0);
}

static int
cmd_set_debug(struct cmd_ctx *c)
{
	char	shown[CMD_SHOWN_SIZE];
	int	fd = -1, rv;

	if (c->nargs < 1 || c->nargs > 2)
		return (cmd_usage_error(c, "expected a level and an optional "
		    "file"));
	if (c->args[0][0] == '+' || c->args[0][0] == '-') {
		if ((rv = cmd_debug_change(c)) != 0)
			return (rv);
	} else if (control_debug_parse(c->args[0], &c->req->level) != 0)
		return (cmd_usage_errorf(c, "invalid debug level %s: use a "
		    "number or 0x mask from 0 to 0x%x, or keywords such as "
		    "phase1+policy", cmd_show(c->args[0], shown,
		    sizeof(shown)), D_ALL));
	if (c->nargs == 2 && (fd = open(c->args[1], O_RDWR | O_APPEND |
	    O_CREAT | O_CLOEXEC, 0600)) < 0) {
		fprintf(stderr, "ikeadm: cannot open debug log %s: %s\n",
		    c->args[1], strerror(errno));
		return (1);
	}
	c->req->has_level = 1;
	if ((rv = cmd_simple(c, CONTROL_SET_DBG, fd, "set debug failed")) != 0)
		return (rv == 2 ? (cmd_print_error(c, "set debug failed"), 1) :
		    rv);
	ikeadm_print_set_debug(stdout, c->rep->old_level, c->rep->level);
	return (0);
}

static int
cmd_set_priv(struct cmd_ctx *c)
{
	char	shown[CMD_SHOWN_SIZE];
	int	rv;

	if (c->nargs != 1)
		return (cmd_usage_error(c, "expected one level"));
	if (control_priv_parse(c->args[0], &c->req->level) != 0)
		return (cmd_usage_errorf(c, "invalid privilege level %s: use "
		    "base, modkeys or keymat (or 0 to 2)",
		    cmd_show(c->args[0], shown, sizeof(shown))));
	c->req->has_level = 1;
	if ((rv = cmd_simple(c, CONTROL_SET_PRIV, -1, "set priv failed")) != 0)
		return (rv == 2 ? (cmd_print_error(c, "set priv failed"), 1) :
		    rv);
	ikeadm_print_set_priv(stdout, c->rep->old_level, c->rep->level);
	return (0);
}

/* dump, flush */

static const char *
cmd_dump_name(int cmd)
{
	switch (cmd) {
	case CONTROL_DUMP_P1S:		return ("phase 1 SA info");
	case CONTROL_DUMP_RULES:	return ("policy rules");
	case CONTROL_DUMP_PS:		return ("preshared keys");
	case CONTROL_DUMP_CERTCACHE:	return ("certcache");
	case CONTROL_DUMP_GROUPS:	return ("groups");
	case CONTROL_DUMP_ENCRALGS:	return ("encralgs");
	default:			return ("authalgs");
	}
}

static int
cmd_dump(struct cmd_ctx *c, int cmd)
{
	const struct ikeadm_opts	*o = c->opts;
	int				 alg, rv;

	if (cmd_no_args(c) != 0)
		return (1);
	alg = cmd == CONTROL_DUMP_GROUPS || cmd == CONTROL_DUMP_ENCRALGS ||
	    cmd == CONTROL_DUMP_AUTHALGS;
	c->req->has_cursor = 1;
	c->req->cursor = 0;
	do {
		rv = cmd_simple(c, cmd, -1, "dump failed");
		/*
		 * No object at the first cursor: the table is empty.  Later,
		 * the table shrank while it was dumped.
		 */
		if (rv == 2)
			break;
		if (rv != 0)
			return (1);
		if (alg && c->req->cursor == 0)
			ikeadm_print_alg_header(stdout, o, cmd);
		if (alg)
			ikeadm_print_alg(stdout, o, cmd, &c->rep->u.alg);
		else
			cmd_print_item(c);
		control_msg_wipe(c->rep);
		c->req->cursor = c->rep->cursor;
	} while (c->req->cursor != 0);
	if (!o->json)
		printf("\nCompleted dump of %s\n", cmd_dump_name(cmd));
	return (0);
}

static int
cmd_dump_entry(struct cmd_ctx *c, int cmd)
{
	return (cmd_dump(c, cmd));
}

static int
cmd_flush(struct cmd_ctx *c, int cmd)
{
	int	rv;

	if (cmd_no_args(c) != 0)
		return (1);
	if ((rv = cmd_simple(c, cmd, -1, "flush failed")) != 0)
		return (rv == 2 ? (cmd_print_error(c, "flush failed"), 1) :
		    rv);
	fprintf(stderr, "Successfully flushed %s.\n",
	    cmd == CONTROL_FLUSH_P1S ? "P1 SAs" : "cert cache");
	return (0);
}

/* add, read, write */

/* An unlinked, private temporary file under ROOT/var/run. */
static int
cmd_tmpfile(const char *root)
{
	char	dir[PATH_MAX], tmpl[PATH_MAX];
	int	fd;

	if (paths_join(dir, sizeof(dir), root, "/var/run") != 0)
		return (-1);
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR &&
	    errno != ENOENT))
		return (fd);
	if (snprintf(tmpl, sizeof(tmpl), "%s/ikeadm.XXXXXX", dir) >=
	    (int)sizeof(tmpl))
		return (-1);
	if ((fd = mkostemp(tmpl, O_CLOEXEC)) >= 0)
		(void)unlink(tmpl);
	return (fd);
}

static int
cmd_add_rule_block(struct cmd_ctx *c)
{
	int	fd, rv;

	if ((fd = cmd_tmpfile(c->opts->root)) < 0) {
		fprintf(stderr, "ikeadm: cannot create a temporary file in "
		    "%s/var/run: %s\n", c->opts->root, strerror(errno));
		return (-1);
	}
	if ((rv = ikeadm_rule_block_write(fd, c->args, c->nargs)) != 0 ||
	    lseek(fd, 0, SEEK_SET) != 0) {
		if (rv == ERR_INVAL)
			fprintf(stderr, "ikeadm: invalid rule definition: "
			    "expected { ... } with balanced braces\n");
		else
			fprintf(stderr, "ikeadm: cannot write the rule "
			    "definition to a temporary file: %s\n",
			    strerror(errno));
		(void)close(fd);
		return (-1);
	}
	return (fd);
}

/*
 * Open a file to send to the daemon, whose messages about it then name it
 * as given here (cut to the protocol's string limit).
 */
static int
cmd_open_file(struct cmd_ctx *c, const char *path)
{
	struct stat	st;
	int		fd;

	/* O_NONBLOCK: opening a FIFO would otherwise wait for a writer. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		fprintf(stderr, "ikeadm: cannot open %s: %s\n", path,
		    strerror(errno));
		return (fd);
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "ikeadm: %s is not a regular file (a FIFO, "
		    "device or folder): name a regular file\n", path);
		(void)close(fd);
		return (-1);
	}
	(void)snprintf(c->req->text, sizeof(c->req->text), "%s", path);
	return (fd);
}

static int
cmd_add(struct cmd_ctx *c, int psk)
{
	int	fd = -1, rv, cmd = psk ? CONTROL_NEW_PS : CONTROL_NEW_RULE;

	if (c->nargs < 1)
		return (cmd_usage_error(c, "expected { definition } or a "
		    "file"));
	if (strcmp(c->args[0], "{") != 0) {
		if (c->nargs != 1)
			return (cmd_usage_error(c, "expected one file"));
		if ((fd = cmd_open_file(c, c->args[0])) < 0)
			return (1);
	} else if (psk) {
		/* Keys on a command line would show in ps and history. */
		if (!c->opts->interactive) {
			fprintf(stderr, "ikeadm: Must be in interactive mode "
			    "to add key info.\n");
			return (1);
		}
		if (ikeadm_psk_block_parse(c->args, c->nargs,
		    &c->req->u.psk) != 0)
			return (1);
		c->req->item = CONTROL_ITEM_PSK;
	} else if ((fd = cmd_add_rule_block(c)) < 0) {
		return (1);
	}
	rv = cmd_simple(c, cmd, fd, psk ? "add preshared key failed" :
	    "add policy rule failed");
	control_msg_wipe(c->req);
	if (rv == 2)
		cmd_print_error(c, "add failed");
	if (rv != 0)
		return (1);
	fprintf(stderr, "Successfully created new %s.\n", cmd_obj_desc(c->obj));
	return (0);
}

static int
cmd_add_rule(struct cmd_ctx *c)
{
	return (cmd_add(c, 0));
}

static int
cmd_add_psk(struct cmd_ctx *c)
{
	return (cmd_add(c, 1));
}

static int
cmd_read(struct cmd_ctx *c, int cmd)
{
	int	fd = -1, rv;

	if (c->nargs > 1)
		return (cmd_usage_error(c, "expected at most one file"));
	if (c->nargs == 1 && (fd = cmd_open_file(c, c->args[0])) < 0)
		return (1);
	if ((rv = cmd_simple(c, cmd, fd, "read failed")) == 2)
		cmd_print_error(c, "read failed");
	if (rv != 0)
		return (1);
	fprintf(stderr, "Completed read of %s configuration information.\n",
	    cmd_obj_desc(c->obj));
	return (0);
}

static int
cmd_write(struct cmd_ctx *c, int cmd)
{
	int	fd, rv;

	if (c->nargs != 1)
		return (cmd_usage_error(c, "expected one file"));
	/* O_EXCL: never overwrite, never follow a planted link. */
	fd = open(c->args[0], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, "ikeadm: cannot create %s: %s%s\n", c->args[0],
		    strerror(errno), errno == EEXIST ?
		    " (choose a new file name)" : "");
		return (1);
	}
	rv = cmd_simple(c, cmd, fd, "write failed");
	if (rv == 0) {
		fprintf(stderr, "Completed write of %s configuration "
		    "information.\n", cmd_obj_desc(c->obj));
		return (0);
	}
	(void)unlink(c->args[0]);
	if (rv == 2)
		fprintf(stderr, "No %s information to write.\n",
		    cmd_obj_desc(c->obj));
	return (1);
}

static int
cmd_token(struct cmd_ctx *c, int cmd)
{
	char	shown[CMD_SHOWN_SIZE];
	int	rv;

	if (c->nargs != 1)
		return (cmd_usage_error(c, "expected one token label"));
	if (strlen(c->args[0]) > 32)
		return (cmd_usage_errorf(c, "token label %s is too long: a "
		    "PKCS#11 token label has at most 32 characters",
		    cmd_show(c->args[0], shown, sizeof(shown))));
	/* PKCS#11 labels are fixed 32-byte fields padded with spaces. */
	(void)snprintf(c->req->text, sizeof(c->req->text), "%-32s",
	    c->args[0]);
	if ((rv = cmd_simple(c, cmd, -1, "PKCS#11 operation failed")) == 2)
		cmd_print_error(c, "PKCS#11 operation failed");
	if (rv != 0)
		return (1);
	fprintf(stderr, "PKCS#11 operation successful\n");
	return (0);
}

static int
cmd_rbdump(struct cmd_ctx *c, int cmd)
{
	int	rv;

	if (cmd_no_args(c) != 0)
		return (1);
	if ((rv = cmd_simple(c, cmd, -1, "dbg rbdump failed")) == 2)
		cmd_print_error(c, "dbg rbdump failed");
	return (rv != 0);
}

struct cmd_coded {
	const char	*cmd;
	const char	*obj;
	int		(*fn)(struct cmd_ctx *, int);
	int		 code;
};

static const struct cmd_entry cmd_table[] = {
	{ "get", "debug", cmd_get_debug },
	{ "get", "priv", cmd_get_priv },
	{ "get", "stats", cmd_get_stats },
	{ "get", "defaults", cmd_get_defaults },
	{ "get", "p1", cmd_get_p1 },
	{ "get", "rule", cmd_get_rule },
	{ "get", "preshared", cmd_get_psk },
	{ "set", "debug", cmd_set_debug },
	{ "set", "priv", cmd_set_priv },
	{ "add", "rule", cmd_add_rule },
	{ "add", "preshared", cmd_add_psk },
	{ "del", "p1", cmd_del_p1 },
	{ "del", "rule", cmd_del_rule },
	{ "del", "preshared", cmd_del_psk },
};

static const struct cmd_coded cmd_coded_table[] = {
	{ "dump", "p1", cmd_dump_entry, CONTROL_DUMP_P1S },
	{ "dump", "rule", cmd_dump_entry, CONTROL_DUMP_RULES },
	{ "dump", "preshared", cmd_dump_entry, CONTROL_DUMP_PS },
	{ "dump", "certcache", cmd_dump_entry, CONTROL_DUMP_CERTCACHE },
	{ "dump", "groups", cmd_dump_entry, CONTROL_DUMP_GROUPS },
	{ "dump", "encralgs", cmd_dump_entry, CONTROL_DUMP_ENCRALGS },
	{ "dump", "authalgs", cmd_dump_entry, CONTROL_DUMP_AUTHALGS },
	{ "flush", "p1", cmd_flush, CONTROL_FLUSH_P1S },
	{ "flush", "certcache", cmd_flush, CONTROL_FLUSH_CERTCACHE },
	{ "read", "rule", cmd_read, CONTROL_READ_RULES },
	{ "read", "preshared", cmd_read, CONTROL_READ_PS },
	{ "write", "rule", cmd_write, CONTROL_WRITE_RULES },
	{ "write", "preshared", cmd_write, CONTROL_WRITE_PS },
	{ "token", "login", cmd_token, CONTROL_SET_PIN },
	{ "token", "logout", cmd_token, CONTROL_DEL_PIN },
	{ "dbg", "rbdump", cmd_rbdump, CONTROL_DBG_RBDUMP },
};

static int
cmd_known(const char *cmd)
{
	size_t	i;

	for (i = 0; i < UTIL_NELEM(cmd_table); i++)
		if (strcmp(cmd, cmd_table[i].cmd) == 0)
			return (1);
	for (i = 0; i < UTIL_NELEM(cmd_coded_table); i++)
		if (strcmp(cmd, cmd_coded_table[i].cmd) == 0)
			return (1);
	return (0);
}

static int
cmd_dispatch(struct cmd_ctx *c)
{
	size_t	i;

	for (i = 0; i < UTIL_NELEM(cmd_table); i++)
		if (strcmp(c->cmd, cmd_table[i].cmd) == 0 &&
		    strcmp(c->obj, cmd_table[i].obj) == 0)
			return (cmd_table[i].fn(c));
	for (i = 0; i < UTIL_NELEM(cmd_coded_table); i++)
		if (strcmp(c->cmd, cmd_coded_table[i].cmd) == 0 &&
		    strcmp(c->obj, cmd_coded_table[i].obj) == 0)
			return (cmd_coded_table[i].fn(c,
			    cmd_coded_table[i].code));
	fprintf(stderr, "ikeadm: Unrecognized object '%s'\n", c->obj);
	ikeadm_usage(stderr);
	return (1);
}

static int
cmd_unrecognized(const char *cmd)
{
	fprintf(stderr, "ikeadm: Unrecognized command '%s'\n", cmd);
	ikeadm_usage(stderr);
	return (1);
}

/* "help [cmd]": the help of every command, or of a known one. */
static int
cmd_help(const char *cmd)
{
	size_t	i;

	for (i = 0; cmd != NULL && i < UTIL_NELEM(cmd_helps); i++)
		if (strcmp(cmd, cmd_helps[i].cmd) == 0)
			break;
	if (cmd != NULL && i == UTIL_NELEM(cmd_helps))
		return (cmd_unrecognized(cmd));
	ikeadm_help(stdout, cmd);
	return (0);
}

int
ikeadm_cmd_run(struct ikeadm_client **client, const struct ikeadm_opts *o,
    char **tok, int n)
{
	struct cmd_ctx	c;
	int		rv = 1;

	if (n == 0)
		return (0);
	if (strcmp(tok[0], "help") == 0)
		return (cmd_help(n > 1 ? tok[1] : NULL));
	if (!cmd_known(tok[0]))
		return (cmd_unrecognized(tok[0]));
	/* "cmd obj -- arg": "--" ends ikeadm's options, as before cmd. */
	if (n > 2 && strcmp(tok[2], "--") == 0) {
		memmove(&tok[2], &tok[3], (size_t)(n - 3) * sizeof(*tok));
		n--;
	}
	if (n < 2) {
		fprintf(stderr, "ikeadm: command '%s' needs an object\n"
		    "Usage: ikeadm ", tok[0]);
		ikeadm_help(stderr, tok[0]);
		return (1);
	}
	memset(&c, 0, sizeof(c));
	c.client = client;
	c.opts = o;
	c.cmd = tok[0];
	c.obj = tok[1];
	c.args = tok + 2;
	c.nargs = n - 2;
	if ((c.req = calloc(1, sizeof(*c.req))) == NULL ||
	    (c.rep = calloc(1, sizeof(*c.rep))) == NULL) {
		fprintf(stderr, "ikeadm: out of memory\n");
		goto out;
	}
	rv = cmd_dispatch(&c);
	(void)fflush(stdout);
out:
	if (c.req != NULL) {
		control_msg_wipe(c.req);
		free(c.req);
	}
	if (c.rep != NULL) {
		control_msg_wipe(c.rep);
		free(c.rep);
	}
	return (rv);
}
