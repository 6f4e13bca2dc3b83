/*
 * The control socket: creation with safe ownership and modes, peer
 * authentication with SO_PEERCRED, and one request per datagram with at
 * most one SCM_RIGHTS descriptor.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "lib/err.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/wbuf.h"
#include "control/control.h"
#include "control/server.h"

#define SERVER_CONNS_MAX	16	/* concurrent ikeadm connections */
#define SERVER_FDS_MAX		4	/* descriptors read per datagram */

struct server_conn {
	LIST_ENTRY(server_conn)	 sc_entry;
	struct control_server	*sc_server;
	struct event		*sc_ev;
	int			 sc_fd;
	int			 sc_authorized;
	uid_t			 sc_uid;
	pid_t			 sc_pid;
};

struct control_server {
	const struct control_ops	*cs_ops;
	void				*cs_arg;
	struct event_base		*cs_base;
	struct event			*cs_ev;
	int				 cs_fd;
	char				 cs_path[PATH_MAX];
	LIST_HEAD(, server_conn)	 cs_conns;
	unsigned int			 cs_nconns;
	struct log_ratelimit		 cs_denied_rl;
	struct log_ratelimit		 cs_full_rl;
};

/* A path element that others could replace is as bad as a world socket. */
static int
server_check_owner(const char *what, const char *path, const struct stat *st)
{
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		log_err("control socket %s %s is owned by uid %u; it must "
		    "belong to root: fix its ownership", what, path,
		    (unsigned int)st->st_uid);
		return (ERR_PERM);
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		log_err("control socket %s %s has mode %04o, writable by "
		    "others: remove group and other write permission",
		    what, path, (unsigned int)(st->st_mode & 07777));
		return (ERR_PERM);
	}
	return (0);
}

static int
server_check_dir(const char *path)
{
	char		dir[PATH_MAX];
	struct stat	st;

	(void)snprintf(dir, sizeof(dir), "%s", path);
	if (lstat(dirname(dir), &st) != 0) {
		log_err("control socket directory %s: %s; create it (mode "
		    "0755, owned by root)", dir, strerror(errno));
		return (ERR_SYSTEM);
	}
	if (!S_ISDIR(st.st_mode)) {
		log_err("control socket directory %s is not a directory", dir);
		return (ERR_PERM);
	}
	return (server_check_owner("directory", dir, &st));
}

/*
 * Remove a socket left by a daemon that died, but never a live one and
 * never a file of another kind or owner.
 */
static int
server_remove_stale(const char *path)
{
	struct sockaddr_un	sun;
	struct stat		st;
	int			fd, rv;

	if (lstat(path, &st) != 0)
		return (errno == ENOENT ? 0 : ERR_SYSTEM);
	if (!S_ISSOCK(st.st_mode)) {
		log_err("%s exists and is not a socket; remove it before "
		    "starting in.iked", path);
		return (ERR_PERM);
	}
	if ((rv = server_check_owner("socket", path, &st)) != 0)
		return (rv);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	(void)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) < 0)
		return (ERR_SYSTEM);
	rv = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	(void)close(fd);
	if (rv == 0) {
		log_err("another in.iked is listening on %s; stop it first",
		    path);
		return (ERR_EXISTS);
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		log_err("cannot remove stale control socket %s: %s", path,
		    strerror(errno));
		return (ERR_SYSTEM);
	}
	return (0);
}

static int
server_bind(struct control_server *cs)
{
	struct sockaddr_un	sun;
	mode_t			old;
	int			rv;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(cs->cs_path) >= sizeof(sun.sun_path)) {
		log_err("control socket path %s is longer than %zu bytes; "
		    "use a shorter -R root", cs->cs_path,
		    sizeof(sun.sun_path) - 1);
		return (ERR_TOOBIG);
	}
	memcpy(sun.sun_path, cs->cs_path, strlen(cs->cs_path));
	cs->cs_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0);
	if (cs->cs_fd < 0)
		goto fail;
	/* The umask closes the window between bind and chmod. */
	old = umask(0177);
	rv = bind(cs->cs_fd, (struct sockaddr *)&sun, sizeof(sun));
	(void)umask(old);
	if (rv != 0 || chmod(cs->cs_path, 0600) != 0 ||
	    listen(cs->cs_fd, SERVER_CONNS_MAX) != 0)
		goto fail;
	return (0);
fail:
	log_err("control socket %s: %s", cs->cs_path, strerror(errno));
	return (ERR_SYSTEM);
}

static void
server_conn_free(struct server_conn *sc)
{
	LIST_REMOVE(sc, sc_entry);
	sc->sc_server->cs_nconns--;
	event_free(sc->sc_ev);
	(void)close(sc->sc_fd);
	free(sc);
}

static void
server_close_fds(int *fds, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		(void)close(fds[i]);
}

/* Receive one datagram and the descriptors that came with it. */
static ssize_t
server_recv(int fd, uint8_t *buf, size_t len, int *fds, size_t *nfds,
    int *flags)
{
	union {
		struct cmsghdr	hdr;
		uint8_t		buf[CMSG_SPACE(SERVER_FDS_MAX * sizeof(int))];
	} cbuf;
	struct msghdr	 msg;
	struct iovec	 iov = { buf, len };
	struct cmsghdr	*cmsg;
	ssize_t		 n;
	size_t		 k, j;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.buf;
	msg.msg_controllen = sizeof(cbuf.buf);
	*nfds = 0;
	n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return (n);
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg != NULL;
	    cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		k = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (j = 0; j < k && *nfds < SERVER_FDS_MAX; j++) {
			memcpy(&fds[*nfds], CMSG_DATA(cmsg) + j * sizeof(int),
			    sizeof(int));
			(*nfds)++;
		}
	}
	*flags = msg.msg_flags;
	return (n);
}

static int
server_reply_error(struct wbuf *out, uint32_t ecode, const char *text)
{
	struct control_msg	*m;
	int			 rv;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return (ERR_NOMEM);
	m->cmd = CONTROL_ERROR;
	m->ecode = ecode;
	(void)snprintf(m->text, sizeof(m->text), "%s", text);
	rv = control_msg_encode(m, out);
	free(m);
	return (rv);
}

/*
 * Whether the client closed its end, as ikeadm does when its -t timeout
 * passes, for example while in.iked was stopped.  Its request then still
 * waits in the socket, but no client reads the reply.
 */
static int
server_conn_closed(int fd)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLRDHUP };

	if (poll(&pfd, 1, 0) != 1)
		return (0);
	return ((pfd.revents & (POLLHUP | POLLRDHUP)) != 0);
}

/* Process one datagram; returns -1 when the connection must close. */
static int
server_conn_request(struct server_conn *sc, const uint8_t *buf, ssize_t n,
    int *fds, size_t nfds, int flags, struct wbuf *out)
{
	struct control_server	*cs = sc->sc_server;

	if (!sc->sc_authorized) {
		server_close_fds(fds, nfds);
		(void)server_reply_error(out, CONTROL_E_NO_AUTH,
		    "only root may use the in.iked control socket");
		return (-1);
	}
	if (server_conn_closed(sc->sc_fd)) {
		server_close_fds(fds, nfds);
		log_info("control request from pid %ld dropped: ikeadm closed "
		    "the connection before in.iked read the request",
		    (long)sc->sc_pid);
		return (-1);
	}
	if ((flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 || nfds > 1) {
		server_close_fds(fds, nfds);
		(void)server_reply_error(out, CONTROL_E_REQ_INVALID,
		    "request too long or with more than one descriptor");
		return (0);
	}
	(void)control_server_handle(cs->cs_ops, cs->cs_arg, buf, (size_t)n,
	    nfds == 1 ? fds[0] : -1, out);
	return (0);
}

static void
server_conn_read(evutil_socket_t fd, short what, void *arg)
{
	struct server_conn	*sc = arg;
	struct wbuf		 out;
	uint8_t			*buf;
	int			 fds[SERVER_FDS_MAX], flags = 0, keep = -1;
	size_t			 nfds = 0;
	ssize_t			 n;

	wbuf_init(&out, 1);
	if ((buf = malloc(CONTROL_MSG_MAX)) == NULL)
		goto out;
	n = server_recv(fd, buf, CONTROL_MSG_MAX, fds, &nfds, &flags);
	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		keep = 0;
		goto out;
	}
	if (n <= 0) {
		server_close_fds(fds, nfds);
		goto out;
	}
	keep = server_conn_request(sc, buf, n, fds, nfds, flags, &out);
	if (out.wb_len > 0 && send(fd, out.wb_data, out.wb_len,
	    MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		log_debug(D_DOOR, "control reply to pid %ld not sent: %s",
		    (long)sc->sc_pid, strerror(errno));
		keep = -1;
	}
out:
	/* A request may carry a preshared key ("ikeadm add preshared"). */
	util_freezero(buf, CONTROL_MSG_MAX);
	wbuf_free(&out);
	if (keep < 0)
		server_conn_free(sc);
}

/*
 * Tell a client over the connection limit why it is refused, instead of
 * a bare reset that looks as if in.iked were not running.  Interactive
 * ikeadm sessions keep their connection open, so idle ones fill it.
 */
static void
server_reject_full(struct control_server *cs, int fd)
{
	struct wbuf	out;
	char		text[160];

	(void)snprintf(text, sizeof(text), "in.iked already has %d ikeadm "
	    "connections open, the maximum: quit an idle interactive "
	    "ikeadm, then try again", SERVER_CONNS_MAX);
	wbuf_init(&out, 0);
	if (server_reply_error(&out, CONTROL_E_SYS_ERR, text) == 0)
		(void)send(fd, out.wb_data, out.wb_len,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
	wbuf_free(&out);
	/*
	 * Closing with an unread request would reset the connection and
	 * discard the reply at the client: stop further requests first,
	 * then read and drop any that already arrived.
	 */
	(void)shutdown(fd, SHUT_RDWR);
	while (recv(fd, text, sizeof(text), MSG_DONTWAIT | MSG_TRUNC) > 0)
		continue;
	(void)close(fd);
	if (log_ratelimit_pass(&cs->cs_full_rl))
		log_warn("control connection refused: %d connections open, "
		    "the maximum", SERVER_CONNS_MAX);
}

static void
server_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct control_server	*cs = arg;
	struct server_conn	*sc;
	struct ucred		 cred;
	socklen_t		 clen = sizeof(cred);
	int			 fd;

	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (cs->cs_nconns >= SERVER_CONNS_MAX) {
		server_reject_full(cs, fd);
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0 ||
	    (sc = calloc(1, sizeof(*sc))) == NULL) {
		log_warn("control connection dropped: %s", strerror(errno));
		(void)close(fd);
		return;
	}
	sc->sc_server = cs;
	sc->sc_fd = fd;
	sc->sc_uid = cred.uid;
	sc->sc_pid = cred.pid;
	sc->sc_authorized = cred.uid == 0 || cred.uid == geteuid();
	if (!sc->sc_authorized && log_ratelimit_pass(&cs->cs_denied_rl))
		log_warn("control connection from uid %u pid %ld rejected: "
		    "only root may use ikeadm", (unsigned int)cred.uid,
		    (long)cred.pid);
	sc->sc_ev = event_new(cs->cs_base, fd, EV_READ | EV_PERSIST,
	    server_conn_read, sc);
	if (sc->sc_ev == NULL || event_add(sc->sc_ev, NULL) != 0) {
		if (sc->sc_ev != NULL)
			event_free(sc->sc_ev);
		(void)close(fd);
		free(sc);
		return;
	}
	LIST_INSERT_HEAD(&cs->cs_conns, sc, sc_entry);
	cs->cs_nconns++;
}

int
control_server_open(const char *path, struct event_base *base,
    const struct control_ops *ops, void *arg, struct control_server **out)
{
	struct control_server	*cs;
	int			 rv;

	*out = NULL;
	if ((cs = calloc(1, sizeof(*cs))) == NULL)
		return (ERR_NOMEM);
	cs->cs_ops = ops;
	cs->cs_arg = arg;
	cs->cs_base = base;
	cs->cs_fd = -1;
	cs->cs_denied_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(60, 5);
	cs->cs_full_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(60, 5);
	LIST_INIT(&cs->cs_conns);
	(void)snprintf(cs->cs_path, sizeof(cs->cs_path), "%s", path);
	if ((rv = server_check_dir(path)) != 0 ||
	    (rv = server_remove_stale(path)) != 0 ||
	    (rv = server_bind(cs)) != 0)
		goto out;
	cs->cs_ev = event_new(base, cs->cs_fd, EV_READ | EV_PERSIST,
	    server_accept, cs);
	if (cs->cs_ev == NULL || event_add(cs->cs_ev, NULL) != 0) {
		rv = ERR_NOMEM;
		goto out;
	}
	*out = cs;
out:
	if (rv != 0) {
		if (cs->cs_fd >= 0) {
			(void)close(cs->cs_fd);
			(void)unlink(cs->cs_path);
		}
		if (cs->cs_ev != NULL)
			event_free(cs->cs_ev);
		free(cs);
	}
	return (rv);
}

void
control_server_close(struct control_server *cs)
{
	if (cs == NULL)
		return;
	while (!LIST_EMPTY(&cs->cs_conns))
		server_conn_free(LIST_FIRST(&cs->cs_conns));
	event_free(cs->cs_ev);
	(void)close(cs->cs_fd);
	(void)unlink(cs->cs_path);
	log_ratelimit_forget(&cs->cs_denied_rl);
	log_ratelimit_forget(&cs->cs_full_rl);
	free(cs);
}
