/*
 * The daemon side of the ikeadm control socket.  The server listens on
 * an AF_UNIX SOCK_SEQPACKET socket, accepts only peers whose SO_PEERCRED
 * uid is 0 or the daemon's own, decodes every request, enforces the
 * privilege level and calls the daemon through struct control_ops.
 *
 * Callbacks return 0 or a negative enum err code, which becomes the error
 * reply (ERR_NOTFOUND: "No data returned"/"Could not find", ERR_EXISTS:
 * "Duplicate entry", ERR_CONFIG and ERR_INVAL: "Supplied data invalid",
 * ERR_SYSTEM: "System error" with errno).  A NULL callback makes its
 * command fail with "Unknown command".  File descriptors passed to a
 * callback are borrowed: the server closes them when the callback returns,
 * so a callback that keeps one (set_debug) must dup(2) it.
 *
 * Dump callbacks fill the item at position index (0 is the first) and set
 * *next to the index of the following item, or 0 when it is the last; they
 * return ERR_NOTFOUND when there is no item at index.
 */
#ifndef IKED_CONTROL_SERVER_H
#define IKED_CONTROL_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "control/control.h"

struct event_base;
struct wbuf;
struct control_server;

/*
 * The source of an add or read of rules or keys, and where the callback
 * puts the parser's messages ("file:line: message", one a line) when it
 * fails.  They go back to ikeadm in the error reply.
 */
struct control_load {
	int		 fd;		/* the text, or -1 */
	const char	*name;		/* the file's name from ikeadm, or
					   NULL when it gave none */
	char		*detail;	/* CONTROL_DETAIL_MAX bytes, "" */
	size_t		 detail_size;
};

struct control_ops {
	uint32_t (*get_debug)(void *arg);
	/* fd is the new debug log, or -1 to keep the current one. */
	int	(*set_debug)(void *arg, uint32_t level, int fd);
	uint32_t (*get_priv)(void *arg);
	/* Called only with level <= get_priv(): the server checks. */
	int	(*set_priv)(void *arg, uint32_t level);
	int	(*get_stats)(void *arg, struct control_stats *);
	int	(*get_defaults)(void *arg, struct control_defaults *builtin,
		    struct control_defaults *effective);

	/* id is CONTROL_ID_ADDRS or CONTROL_ID_COOKIES. */
	int	(*p1_get)(void *arg, const struct control_id *,
		    struct control_p1_info *);
	int	(*p1_del)(void *arg, const struct control_id *);
	int	(*p1_dump)(void *arg, uint32_t index,
		    struct control_p1_info *, uint32_t *next);
	int	(*p1_flush)(void *arg);

	int	(*rule_get)(void *arg, const char *label,
		    struct control_rule_info *);
	/* Parse rules in ike.config syntax from ld->fd and add them. */
	int	(*rule_add)(void *arg, struct control_load *ld);
	int	(*rule_del)(void *arg, const char *label);
	int	(*rule_dump)(void *arg, uint32_t index,
		    struct control_rule_info *, uint32_t *next);
	/* Replace every rule: from ld->fd, or the default file (fd -1). */
	int	(*rule_read)(void *arg, struct control_load *ld);
	/* Write the rules as ike.config text; ERR_NOTFOUND when none. */
	int	(*rule_write)(void *arg, int fd);

	/* id is CONTROL_ID_ADDRS or CONTROL_ID_IDENTS. */
	int	(*psk_get)(void *arg, const struct control_id *,
		    struct control_psk_info *);
	/* One entry (psk, ld->fd -1) or ike.preshared text (psk NULL). */
	int	(*psk_add)(void *arg, const struct control_psk_info *psk,
		    struct control_load *ld);
	int	(*psk_del)(void *arg, const struct control_id *);
	int	(*psk_dump)(void *arg, uint32_t index,
		    struct control_psk_info *, uint32_t *next);
	int	(*psk_read)(void *arg, struct control_load *ld);
	int	(*psk_write)(void *arg, int fd);

	int	(*certcache_dump)(void *arg, uint32_t index,
		    struct control_cert_info *, uint32_t *next);
	int	(*certcache_flush)(void *arg);
	/* Log the rule base at debug level (the hidden "dbg rbdump"). */
	int	(*rule_log)(void *arg);
};

/*
 * Check the directory and any old socket at path (both must belong to
 * root or to this process and not be writable by others), create the
 * socket with mode 0600 and serve it on base.  Errors are logged with the
 * path and the fix; returns 0, ERR_PERM, ERR_EXISTS (another daemon is
 * listening) or ERR_SYSTEM.
 */
int	control_server_open(const char *path, struct event_base *,
	    const struct control_ops *, void *arg, struct control_server **);

/* Close every connection and the socket, and unlink the socket. */
void	control_server_close(struct control_server *);

/*
 * Process one request datagram (with the descriptor that came with it,
 * or -1) and append the reply to out.  Always produces a reply, and always
 * closes fd.  Used by the socket code, the tests and the fuzzer.
 */
int	control_server_handle(const struct control_ops *, void *arg,
	    const uint8_t *req, size_t len, int fd, struct wbuf *out);

#endif /* IKED_CONTROL_SERVER_H */
