/*
 * Request processing of the control server: validation, privilege checks
 * and the calls into the daemon.  Nothing here does socket I/O, so that
 * the tests and the fuzzer can drive it directly.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/wbuf.h"
#include "control/control.h"
#include "control/names.h"
#include "control/server.h"

struct dispatch {
	const struct control_ops	*ops;
	void				*arg;
	const struct control_msg	*req;
	struct control_msg		*rep;
	int				 fd;
	uint32_t			 priv;
	struct control_load		 load;
	char				 name[CONTROL_STR_MAX];
	char				 detail[CONTROL_DETAIL_MAX];
};

static int	dispatch_result(struct dispatch *, int);

/* Descriptor use of a command. */
enum dispatch_fd {
	FD_NONE = 0,
	FD_OPTIONAL,
	FD_REQUIRED,
};

static int
dispatch_fd_use(int cmd)
{
	switch (cmd) {
	case CONTROL_SET_DBG:
	case CONTROL_READ_RULES:
	case CONTROL_READ_PS:
	case CONTROL_NEW_PS:
		return (FD_OPTIONAL);
	case CONTROL_NEW_RULE:
	case CONTROL_WRITE_RULES:
	case CONTROL_WRITE_PS:
		return (FD_REQUIRED);
	default:
		return (FD_NONE);
	}
}

static int
dispatch_error(struct dispatch *d, uint32_t ecode, uint32_t eerrno,
    const char *text)
{
	struct control_msg	*rep = d->rep;

	control_msg_wipe(rep);
	memset(rep, 0, sizeof(*rep));
	rep->cmd = CONTROL_ERROR;
	rep->ecode = ecode;
	rep->eerrno = eerrno;
	if (text != NULL)
		(void)snprintf(rep->text, sizeof(rep->text), "%s", text);
	return (0);
}

/*
 * The source of an add or read.  The file name is only for messages; a
 * control character in it becomes '?', so that it cannot forge log lines.
 */
static struct control_load *
dispatch_load(struct dispatch *d)
{
	size_t	i;

	memset(&d->load, 0, sizeof(d->load));
	d->load.fd = d->fd;
	d->load.detail = d->detail;
	d->load.detail_size = sizeof(d->detail);
	d->detail[0] = '\0';
	if (d->fd >= 0 && d->req->text[0] != '\0') {
		(void)snprintf(d->name, sizeof(d->name), "%s", d->req->text);
		for (i = 0; d->name[i] != '\0'; i++)
			if ((unsigned char)d->name[i] < 0x20 ||
			    d->name[i] == 0x7f)
				d->name[i] = '?';
		d->load.name = d->name;
	}
	return (&d->load);
}

/* The result of an add or read, with the parser's messages on failure. */
static int
dispatch_load_result(struct dispatch *d, int rv)
{
	if (rv == 0)
		return (0);
	(void)dispatch_result(d, rv);
	(void)snprintf(d->rep->detail, sizeof(d->rep->detail), "%s",
	    d->detail);
	return (0);
}

static int
dispatch_result(struct dispatch *d, int rv)
{
	uint32_t	ecode, eerrno;

	if (rv == 0)
		return (0);
	control_err_to_ecode(rv, &ecode, &eerrno);
	return (dispatch_error(d, ecode, eerrno, NULL));
}

static void
dispatch_hide_p1_keys(struct control_p1_info *p1)
{
	util_wipe(&p1->psk, sizeof(p1->psk));
	util_wipe(&p1->skeyid, sizeof(p1->skeyid));
	util_wipe(&p1->skeyid_d, sizeof(p1->skeyid_d));
	util_wipe(&p1->skeyid_a, sizeof(p1->skeyid_a));
	util_wipe(&p1->skeyid_e, sizeof(p1->skeyid_e));
	util_wipe(&p1->enc_key, sizeof(p1->enc_key));
	util_wipe(&p1->iv, sizeof(p1->iv));
}

/* Keys leave the daemon only at privilege level keymat. */
static void
dispatch_filter_keys(struct dispatch *d)
{
	if (d->priv >= CONTROL_PRIV_KEYMAT)
		return;
	if (d->rep->item == CONTROL_ITEM_P1)
		dispatch_hide_p1_keys(&d->rep->u.p1);
	else if (d->rep->item == CONTROL_ITEM_PSK)
		util_wipe(&d->rep->u.psk.key, sizeof(d->rep->u.psk.key));
}

static int
dispatch_debug(struct dispatch *d)
{
	const struct control_ops	*ops = d->ops;
	int				 rv;

	d->rep->has_level = 1;
	if (d->req->cmd == CONTROL_GET_DBG) {
		d->rep->level = ops->get_debug(d->arg);
		return (0);
	}
	if (!d->req->has_level)
		return (dispatch_error(d, CONTROL_E_REQ_INVALID, 0,
		    "set debug request without a level"));
	if (d->req->level & ~(uint32_t)D_ALL)
		return (dispatch_error(d, CONTROL_E_DATA_INVALID, 0,
		    "debug level has bits outside 0x3ff"));
	d->rep->old_level = ops->get_debug(d->arg);
	if ((rv = ops->set_debug(d->arg, d->req->level, d->fd)) != 0)
		return (dispatch_result(d, rv));
	d->rep->level = ops->get_debug(d->arg);
	log_debug(D_DOOR, "debug level changed from 0x%x to 0x%x",
	    d->rep->old_level, d->rep->level);
	return (0);
}

static int
dispatch_priv(struct dispatch *d)
{
	int	rv;

	d->rep->has_level = 1;
	if (d->req->cmd == CONTROL_GET_PRIV) {
		d->rep->level = d->priv;
		return (0);
	}
	if (!d->req->has_level)
		return (dispatch_error(d, CONTROL_E_REQ_INVALID, 0,
		    "set priv request without a level"));
	if (d->req->level > CONTROL_PRIV_KEYMAT)
		return (dispatch_error(d, CONTROL_E_DATA_INVALID, 0,
		    "privilege level must be 0, 1 or 2"));
	/* The level can only go down; raising it needs a restart. */
	if (d->req->level > d->priv)
		return (dispatch_error(d, CONTROL_E_NO_PRIV, 0, NULL));
	if ((rv = d->ops->set_priv(d->arg, d->req->level)) != 0)
		return (dispatch_result(d, rv));
	d->rep->old_level = d->priv;
	d->rep->level = d->ops->get_priv(d->arg);
	log_debug(D_DOOR, "privilege level lowered from %s to %s",
	    control_priv_name((int)d->priv),
	    control_priv_name((int)d->rep->level));
	return (0);
}

static int
dispatch_algs(struct dispatch *d)
{
	uint32_t	next;
	int		rv;

	d->rep->item = CONTROL_ITEM_ALG;
	rv = control_algs_row(d->req->cmd, d->req->cursor, &d->rep->u.alg,
	    &next);
	if (rv != 0)
		return (dispatch_result(d, rv));
	d->rep->has_cursor = 1;
	d->rep->cursor = next;
	return (0);
}

static int
dispatch_dump(struct dispatch *d)
{
	const struct control_ops	*ops = d->ops;
	struct control_msg		*rep = d->rep;
	uint32_t			 i = d->req->cursor, next = 0;
	int				 rv;

	switch (d->req->cmd) {
	case CONTROL_DUMP_P1S:
		rep->item = CONTROL_ITEM_P1;
		rv = ops->p1_dump(d->arg, i, &rep->u.p1, &next);
		break;
	case CONTROL_DUMP_RULES:
		rep->item = CONTROL_ITEM_RULE;
		rv = ops->rule_dump(d->arg, i, &rep->u.rule, &next);
		break;
	case CONTROL_DUMP_PS:
		rep->item = CONTROL_ITEM_PSK;
		rv = ops->psk_dump(d->arg, i, &rep->u.psk, &next);
		break;
	default:
		rep->item = CONTROL_ITEM_CERT;
		rv = ops->certcache_dump(d->arg, i, &rep->u.cert, &next);
		break;
	}
	if (rv != 0)
		return (dispatch_result(d, rv));
	/* A cursor that does not advance would loop the client forever. */
	if (next != 0 && next <= i)
		next = 0;
	rep->has_cursor = 1;
	rep->cursor = next;
	dispatch_filter_keys(d);
	return (0);
}

static int
dispatch_check_id(struct dispatch *d, uint8_t k1, uint8_t k2)
{
	uint8_t	kind = d->req->id.kind;

	if (kind == CONTROL_ID_NONE)
		return (dispatch_error(d, CONTROL_E_NO_DESC, 0, NULL));
	if (kind != k1 && kind != k2)
		return (dispatch_error(d, CONTROL_E_ID_INVALID, 0, NULL));
	return (1);
}

static int
dispatch_p1(struct dispatch *d)
{
	const struct control_ops	*ops = d->ops;
	int				 rv;

	if (d->req->cmd == CONTROL_FLUSH_P1S)
		return (dispatch_result(d, ops->p1_flush(d->arg)));
	if ((rv = dispatch_check_id(d, CONTROL_ID_ADDRS,
	    CONTROL_ID_COOKIES)) != 1)
		return (rv);
	if (d->req->cmd == CONTROL_DEL_P1)
		return (dispatch_result(d, ops->p1_del(d->arg, &d->req->id)));
	d->rep->item = CONTROL_ITEM_P1;
	rv = ops->p1_get(d->arg, &d->req->id, &d->rep->u.p1);
	dispatch_filter_keys(d);
	return (dispatch_result(d, rv));
}

static int
dispatch_rule(struct dispatch *d)
{
	const struct control_ops	*ops = d->ops;
	const struct control_msg	*req = d->req;
	int				 rv;

	switch (req->cmd) {
	case CONTROL_NEW_RULE:
		return (dispatch_load_result(d, ops->rule_add(d->arg,
		    dispatch_load(d))));
	case CONTROL_READ_RULES:
		return (dispatch_load_result(d, ops->rule_read(d->arg,
		    dispatch_load(d))));
	case CONTROL_WRITE_RULES:
		return (dispatch_result(d, ops->rule_write(d->arg, d->fd)));
	default:
		break;
	}
	if ((rv = dispatch_check_id(d, CONTROL_ID_LABEL,
	    CONTROL_ID_LABEL)) != 1)
		return (rv);
	if (req->cmd == CONTROL_DEL_RULE)
		return (dispatch_result(d, ops->rule_del(d->arg,
		    req->id.label)));
	d->rep->item = CONTROL_ITEM_RULE;
	return (dispatch_result(d, ops->rule_get(d->arg, req->id.label,
	    &d->rep->u.rule)));
}

static int
dispatch_psk_add(struct dispatch *d)
{
	const struct control_msg	*req = d->req;

	/* Exactly one source: a descriptor, or one entry in the request. */
	if ((d->fd >= 0) == (req->item == CONTROL_ITEM_PSK))
		return (dispatch_error(d, CONTROL_E_REQ_INVALID, 0,
		    "new preshared key needs either a file or one entry"));
	if (d->fd >= 0)
		return (dispatch_load_result(d, d->ops->psk_add(d->arg, NULL,
		    dispatch_load(d))));
	return (dispatch_load_result(d, d->ops->psk_add(d->arg, &req->u.psk,
	    dispatch_load(d))));
}

static int
dispatch_psk(struct dispatch *d)
{
	const struct control_ops	*ops = d->ops;
	const struct control_msg	*req = d->req;
	int				 rv;

	if (d->priv < CONTROL_PRIV_MODKEYS)
		return (dispatch_error(d, CONTROL_E_NO_PRIV, 0, NULL));
	switch (req->cmd) {
	case CONTROL_NEW_PS:
		return (dispatch_psk_add(d));
	case CONTROL_READ_PS:
		return (dispatch_load_result(d, ops->psk_read(d->arg,
		    dispatch_load(d))));
	case CONTROL_WRITE_PS:
		return (dispatch_result(d, ops->psk_write(d->arg, d->fd)));
	case CONTROL_DUMP_PS:
		return (dispatch_dump(d));
	default:
		break;
	}
	if ((rv = dispatch_check_id(d, CONTROL_ID_ADDRS,
	    CONTROL_ID_IDENTS)) != 1)
		return (rv);
	if (req->cmd == CONTROL_DEL_PS)
		return (dispatch_result(d, ops->psk_del(d->arg, &req->id)));
	d->rep->item = CONTROL_ITEM_PSK;
	rv = ops->psk_get(d->arg, &req->id, &d->rep->u.psk);
	dispatch_filter_keys(d);
	return (dispatch_result(d, rv));
}

static int
dispatch_defaults(struct dispatch *d)
{
	d->rep->item = CONTROL_ITEM_DEFS;
	return (dispatch_result(d, d->ops->get_defaults(d->arg,
	    &d->rep->u.defs.builtin, &d->rep->u.defs.effective)));
}

/* The callback a command needs, or NULL when the daemon lacks it. */
static const void *
dispatch_callback(const struct control_ops *ops, int cmd)
{
	switch (cmd) {
	case CONTROL_GET_DBG:		return ((const void *)ops->get_debug);
	case CONTROL_SET_DBG:
		if (ops->get_debug == NULL)
			return (NULL);
		return ((const void *)ops->set_debug);
	case CONTROL_GET_PRIV:
	case CONTROL_SET_PRIV:		return ((const void *)ops->set_priv);
	case CONTROL_GET_STATS:		return ((const void *)ops->get_stats);
	case CONTROL_GET_P1:		return ((const void *)ops->p1_get);
	case CONTROL_DEL_P1:		return ((const void *)ops->p1_del);
	case CONTROL_DUMP_P1S:		return ((const void *)ops->p1_dump);
	case CONTROL_FLUSH_P1S:		return ((const void *)ops->p1_flush);
	case CONTROL_GET_RULE:		return ((const void *)ops->rule_get);
	case CONTROL_NEW_RULE:		return ((const void *)ops->rule_add);
	case CONTROL_DEL_RULE:		return ((const void *)ops->rule_del);
	case CONTROL_DUMP_RULES:	return ((const void *)ops->rule_dump);
	case CONTROL_READ_RULES:	return ((const void *)ops->rule_read);
	case CONTROL_WRITE_RULES:	return ((const void *)ops->rule_write);
	case CONTROL_GET_PS:		return ((const void *)ops->psk_get);
	case CONTROL_NEW_PS:		return ((const void *)ops->psk_add);
	case CONTROL_DEL_PS:		return ((const void *)ops->psk_del);
	case CONTROL_DUMP_PS:		return ((const void *)ops->psk_dump);
	case CONTROL_READ_PS:		return ((const void *)ops->psk_read);
	case CONTROL_WRITE_PS:		return ((const void *)ops->psk_write);
	case CONTROL_DBG_RBDUMP:	return ((const void *)ops->rule_log);
	case CONTROL_GET_DEFS:		return ((const void *)ops->get_defaults);
	case CONTROL_DUMP_CERTCACHE:
		return ((const void *)ops->certcache_dump);
	case CONTROL_FLUSH_CERTCACHE:
		return ((const void *)ops->certcache_flush);
	default:			return (NULL);
	}
}

static int
dispatch_cmd(struct dispatch *d)
{
	int	cmd = d->req->cmd;

	switch (cmd) {
	case CONTROL_GET_DBG:
	case CONTROL_SET_DBG:
		return (dispatch_debug(d));
	case CONTROL_GET_PRIV:
	case CONTROL_SET_PRIV:
		return (dispatch_priv(d));
	case CONTROL_GET_STATS:
		d->rep->item = CONTROL_ITEM_STATS;
		return (dispatch_result(d, d->ops->get_stats(d->arg,
		    &d->rep->u.stats)));
	case CONTROL_GET_P1:
	case CONTROL_DEL_P1:
	case CONTROL_FLUSH_P1S:
		return (dispatch_p1(d));
	case CONTROL_DUMP_P1S:
	case CONTROL_DUMP_RULES:
	case CONTROL_DUMP_CERTCACHE:
		return (dispatch_dump(d));
	case CONTROL_GET_RULE:
	case CONTROL_NEW_RULE:
	case CONTROL_DEL_RULE:
	case CONTROL_READ_RULES:
	case CONTROL_WRITE_RULES:
		return (dispatch_rule(d));
	case CONTROL_DBG_RBDUMP:
		return (dispatch_result(d, d->ops->rule_log(d->arg)));
	case CONTROL_GET_DEFS:
		return (dispatch_defaults(d));
	case CONTROL_FLUSH_CERTCACHE:
		return (dispatch_result(d, d->ops->certcache_flush(d->arg)));
	default:
		return (dispatch_psk(d));
	}
}

static int
dispatch_is_dump(int cmd)
{
	return (cmd == CONTROL_DUMP_P1S || cmd == CONTROL_DUMP_RULES ||
	    cmd == CONTROL_DUMP_PS || cmd == CONTROL_DUMP_CERTCACHE ||
	    cmd == CONTROL_DUMP_GROUPS || cmd == CONTROL_DUMP_ENCRALGS ||
	    cmd == CONTROL_DUMP_AUTHALGS);
}

/* Checks that do not depend on the daemon; returns 1 to go on. */
static int
dispatch_validate(struct dispatch *d)
{
	const struct control_msg	*req = d->req;
	int				 use = dispatch_fd_use(req->cmd);

	if (req->cmd == CONTROL_ERROR)
		return (dispatch_error(d, CONTROL_E_CMD_INVALID, 0,
		    "ERROR is a reply, not a request"));
	if (req->has_fd != (d->fd >= 0))
		return (dispatch_error(d, CONTROL_E_REQ_INVALID, 0, d->fd < 0 ?
		    "request announces a file descriptor but none came" :
		    "file descriptor without the request flag"));
	if ((use == FD_NONE && d->fd >= 0) || (use == FD_REQUIRED &&
	    d->fd < 0))
		return (dispatch_error(d, CONTROL_E_REQ_INVALID, 0,
		    d->fd < 0 ? "request needs a file descriptor" :
		    "request takes no file descriptor"));
	if (dispatch_is_dump(req->cmd) != req->has_cursor)
		return (dispatch_error(d, CONTROL_E_REQ_INVALID, 0,
		    req->has_cursor ? "cursor on a request that is no dump" :
		    "dump request without a cursor"));
	if (req->item != CONTROL_ITEM_NONE && !(req->cmd == CONTROL_NEW_PS &&
	    req->item == CONTROL_ITEM_PSK))
		return (dispatch_error(d, CONTROL_E_REQ_INVALID, 0,
		    "request carries an unexpected item"));
	return (1);
}

static int
dispatch_run(struct dispatch *d)
{
	int	cmd = d->req->cmd, rv;

	if ((rv = dispatch_validate(d)) != 1)
		return (rv);
	d->rep->cmd = (uint8_t)cmd;
	switch (cmd) {
	case CONTROL_SET_PIN:
	case CONTROL_DEL_PIN:
		return (dispatch_error(d, CONTROL_E_CMD_NOTSUP, ENOTSUP,
		    "PKCS#11 tokens are not supported; keep private keys "
		    "in files under /etc/inet/secret/ike.privatekeys"));
	case CONTROL_DUMP_GROUPS:
	case CONTROL_DUMP_ENCRALGS:
	case CONTROL_DUMP_AUTHALGS:
		return (dispatch_algs(d));
	default:
		break;
	}
	if (dispatch_callback(d->ops, cmd) == NULL ||
	    d->ops->get_priv == NULL)
		return (dispatch_error(d, CONTROL_E_CMD_NOTSUP, 0,
		    "in.iked does not implement this command yet"));
	d->priv = d->ops->get_priv(d->arg);
	return (dispatch_cmd(d));
}

/*
 * Encode the reply.  An item the daemon filled beyond a protocol limit
 * (a list longer than CONTROL_RANGES_MAX, say) becomes an error reply
 * instead of a partial datagram.
 */
static int
dispatch_encode(struct dispatch *d, struct wbuf *out)
{
	size_t	start = out->wb_len;
	int	rv;

	if ((rv = control_msg_encode(d->rep, out)) == 0)
		return (0);
	log_warn("control reply %s not sent: %s; the item exceeds the "
	    "protocol limits", control_cmd_name(d->rep->cmd), err_str(rv));
	out->wb_len = start;
	(void)dispatch_error(d, CONTROL_E_SYS_ERR, EMSGSIZE,
	    "reply exceeds the control protocol limits");
	return (control_msg_encode(d->rep, out));
}

int
control_server_handle(const struct control_ops *ops, void *arg,
    const uint8_t *data, size_t len, int fd, struct wbuf *out)
{
	struct control_msg	*req = NULL, *rep = NULL;
	struct dispatch		 d;
	int			 rv = ERR_NOMEM;

	memset(&d, 0, sizeof(d));
	if ((req = calloc(1, sizeof(*req))) == NULL ||
	    (rep = calloc(1, sizeof(*rep))) == NULL)
		goto out;
	d.ops = ops;
	d.arg = arg;
	d.req = req;
	d.rep = rep;
	d.fd = fd;
	if ((rv = control_msg_decode(req, data, len)) != 0) {
		log_debug(D_DOOR, "control request of %zu bytes rejected: %s",
		    len, err_str(rv));
		(void)dispatch_error(&d, CONTROL_E_REQ_INVALID, 0,
		    "malformed request: check that ikeadm and in.iked "
		    "are the same version");
	} else {
		log_debug(D_DOOR, "control request %s",
		    control_cmd_name(req->cmd));
		(void)dispatch_run(&d);
	}
	rv = dispatch_encode(&d, out);
out:
	if (fd >= 0)
		(void)close(fd);
	if (req != NULL) {
		control_msg_wipe(req);
		free(req);
	}
	if (rep != NULL) {
		control_msg_wipe(rep);
		free(rep);
	}
	return (rv);
}
