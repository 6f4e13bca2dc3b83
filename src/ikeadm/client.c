/*
 * The client end of the control socket: one connection per ikeadm run,
 * one datagram per request and reply, an optional descriptor passed with
 * SCM_RIGHTS.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/paths.h"
#include "lib/util.h"
#include "lib/wbuf.h"
#include "control/control.h"
#include "ikeadm/ikeadm.h"

struct ikeadm_client {
	int		fd;
	unsigned int	timeout;	/* seconds, 0 for none */
	char		path[PATH_MAX];
};

/* Whether a request only reads state, so a late reply changes nothing. */
static int
client_cmd_reads_only(uint8_t cmd)
{
	switch (cmd) {
	case CONTROL_GET_DBG:
	case CONTROL_GET_PRIV:
	case CONTROL_GET_STATS:
	case CONTROL_GET_P1:
	case CONTROL_DUMP_P1S:
	case CONTROL_GET_RULE:
	case CONTROL_DUMP_RULES:
	case CONTROL_GET_PS:
	case CONTROL_DUMP_PS:
	case CONTROL_GET_DEFS:
	case CONTROL_DUMP_CERTCACHE:
	case CONTROL_DUMP_GROUPS:
	case CONTROL_DUMP_ENCRALGS:
	case CONTROL_DUMP_AUTHALGS:
		return (1);
	default:
		return (0);
	}
}

/*
 * Report a timeout.  req is the request sent, or NULL when the
 * connection itself timed out and nothing was sent.
 */
static void
client_timed_out(const struct ikeadm_client *c, const struct control_msg *req)
{
	fprintf(stderr, "ikeadm: in.iked did not reply within %u second%s "
	    "on %s: check that in.iked is running and not stopped (state T "
	    "in ps) or busy; use -t to wait longer\n", c->timeout,
	    c->timeout == 1 ? "" : "s", c->path);
	if (req == NULL)
		return;
	if (client_cmd_reads_only(req->cmd))
		fprintf(stderr, "ikeadm: the request %s only reads, so it "
		    "changes nothing\n", control_cmd_name(req->cmd));
	else
		fprintf(stderr, "ikeadm: the request %s may still be carried "
		    "out when in.iked resumes: check the result before you "
		    "repeat it\n", control_cmd_name(req->cmd));
}

/* connect(2) on a Unix socket waits up to SO_SNDTIMEO, recv SO_RCVTIMEO. */
static int
client_set_timeout(int fd, unsigned int seconds)
{
	struct timeval	tv;

	if (seconds == 0)
		return (0);
	tv.tv_sec = (time_t)seconds;
	tv.tv_usec = 0;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0)
		return (-1);
	return (0);
}

static int
client_is_timeout(int saved)
{
	return (saved == EAGAIN || saved == EWOULDBLOCK ||
	    saved == EINPROGRESS);
}

static void
client_unreachable(const char *path, int saved)
{
	fprintf(stderr, "ikeadm: Unable to communicate with in.iked\n");
	/* The socket is mode 0600: only its owner may connect. */
	if (saved == EACCES || saved == EPERM)
		fprintf(stderr, "ikeadm: %s: %s; ikeadm must run as root "
		    "(or as the user in.iked runs as)\n", path,
		    strerror(saved));
	else
		fprintf(stderr, "ikeadm: %s: %s; check that in.iked is "
		    "running (with the same -R root)\n", path,
		    strerror(saved));
}

int
ikeadm_client_open(const char *root, unsigned int timeout,
    struct ikeadm_client **out)
{
	struct ikeadm_client	*c;
	struct sockaddr_un	 sun;
	int			 rv = ERR_SYSTEM;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (ERR_NOMEM);
	c->fd = -1;
	c->timeout = timeout;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (paths_join(c->path, sizeof(c->path), root, PATH_IKE_DOOR) != 0 ||
	    strlen(c->path) >= sizeof(sun.sun_path)) {
		client_unreachable(c->path, ENAMETOOLONG);
		goto out;
	}
	memcpy(sun.sun_path, c->path, strlen(c->path));
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || client_set_timeout(c->fd, timeout) != 0) {
		client_unreachable(c->path, errno);
		goto out;
	}
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		if (client_is_timeout(errno))
			client_timed_out(c, NULL);
		else
			client_unreachable(c->path, errno);
		goto out;
	}
	*out = c;
	rv = 0;
out:
	if (rv != 0)
		ikeadm_client_close(c);
	return (rv);
}

void
ikeadm_client_close(struct ikeadm_client *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0)
		(void)close(c->fd);
	free(c);
}

static int
client_send(int sock, const struct wbuf *wb, int fd)
{
	union {
		struct cmsghdr	hdr;
		uint8_t		buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct msghdr	 msg;
	struct iovec	 iov = { wb->wb_data, wb->wb_len };
	struct cmsghdr	*cmsg;

	memset(&msg, 0, sizeof(msg));
	memset(&cbuf, 0, sizeof(cbuf));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd >= 0) {
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof(cbuf.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	return (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0);
}

int
ikeadm_client_call(struct ikeadm_client *c, const struct control_msg *req,
    int fd, struct control_msg *rep)
{
	struct control_msg	 m;
	struct wbuf		 wb;
	uint8_t			*buf = NULL;
	ssize_t			 n;
	int			 rv, saved;

	wbuf_init(&wb, 1);
	m = *req;
	m.has_fd = fd >= 0;
	if ((rv = control_msg_encode(&m, &wb)) != 0) {
		fprintf(stderr, "ikeadm: request too large: %s\n",
		    err_str(rv));
		goto out;
	}
	rv = ERR_SYSTEM;
	if ((buf = malloc(CONTROL_MSG_MAX)) == NULL)
		goto out;
	/* A rejected peer's request may fail to send; read the reason. */
	saved = client_send(c->fd, &wb, fd) != 0 ? errno : 0;
	n = recv(c->fd, buf, CONTROL_MSG_MAX, 0);
	if (n < 0 && client_is_timeout(errno)) {
		client_timed_out(c, req);
		rv = ERR_TIMEOUT;
		goto out;
	}
	if (n <= 0) {
		client_unreachable(c->path, n < 0 ? errno : saved != 0 ?
		    saved : ECONNRESET);
		goto out;
	}
	if ((rv = control_msg_decode(rep, buf, (size_t)n)) != 0) {
		fprintf(stderr, "ikeadm: malformed reply from in.iked (%s); "
		    "check that ikeadm and in.iked are the same version\n",
		    err_str(rv));
		goto out;
	}
	if (rep->cmd != req->cmd && rep->cmd != CONTROL_ERROR) {
		fprintf(stderr, "ikeadm: in.iked replied %s to request %s\n",
		    control_cmd_name(rep->cmd), control_cmd_name(req->cmd));
		rv = ERR_MALFORMED;
	}
out:
	control_msg_wipe(&m);
	wbuf_free(&wb);
	if (buf != NULL) {
		util_wipe(buf, CONTROL_MSG_MAX);
		free(buf);
	}
	return (rv);
}
