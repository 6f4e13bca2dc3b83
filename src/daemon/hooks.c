/*
 * The callbacks that join the IKE engine, the SA backend and the UDP
 * sockets: datagrams go from the sockets to the engine, the engine's
 * messages to the sockets, the backend's acquires and expiries to the
 * engine, and its ESP in UDP to the port 4500 sockets.
 */
#include <sys/time.h>
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "daemon/daemon.h"
#include "daemon/opts.h"
#include "daemon/udp.h"
#include "ike/ike.h"
#include "kernel/kernel.h"
#include "lib/err.h"
#include "lib/log.h"

static void
hooks_udp_ike(void *arg, const struct ike_packet *pkt)
{
	struct daemon	*d = arg;

	if (d->d_engine != NULL)
		ike_engine_input(d->d_engine, pkt, daemon_now_ms());
}

static void
hooks_udp_esp(void *arg, const struct sockaddr *local,
    const struct sockaddr *remote, const uint8_t *pkt, size_t len)
{
	struct daemon	*d = arg;

	kernel_esp_udp_input(d->d_kernel, local, remote, pkt, len);
}

/* IKE must never enter a tunnel; port 4500 also carries ESP in UDP. */
static int
hooks_udp_opened(void *arg, int fd, int family, uint16_t port)
{
	struct daemon	*d = arg;
	int		 rc;

	if ((rc = kernel_bypass_socket(d->d_kernel, fd, family)) != 0)
		return (rc);
	if (port == UDP_PORT_NATT)
		rc = kernel_enable_udp_decap(d->d_kernel, fd, family, port);
	return (rc);
}

static void
hooks_kernel_acquire(void *arg, const struct kernel_acquire *acq)
{
	struct daemon	*d = arg;

	if (d->d_engine != NULL)
		ike_engine_acquire(d->d_engine, acq, daemon_now_ms());
}

static void
hooks_kernel_expire(void *arg, const struct kernel_expire *exp)
{
	struct daemon	*d = arg;

	if (d->d_engine != NULL)
		ike_engine_expire(d->d_engine, exp, daemon_now_ms());
}

static void
hooks_kernel_send_udp_batch(void *arg,
    const struct kernel_udp_datagram *dgrams, size_t n)
{
	struct daemon	*d = arg;

	udp_send_natt_batch(d->d_udp, dgrams, n);
}

static int
hooks_kernel_send_udp(void *arg, const struct sockaddr *local,
    const struct sockaddr *remote, const uint8_t *pkt, size_t len)
{
	struct daemon	*d = arg;

	return (udp_send_natt(d->d_udp, local, remote, pkt, len));
}

static int
hooks_engine_send(void *arg, const struct ike_packet *pkt)
{
	struct daemon	*d = arg;

	return (udp_send_ike(d->d_udp, pkt));
}

/* A NAT keepalive is one 0xff byte (RFC 3948 section 2.3). */
static int
hooks_engine_send_keepalive(void *arg, const struct sockaddr_storage *local,
    const struct sockaddr_storage *remote)
{
	static const uint8_t	 keepalive = 0xff;
	struct daemon		*d = arg;

	return (udp_send_natt(d->d_udp, (const struct sockaddr *)local,
	    (const struct sockaddr *)remote, &keepalive, 1));
}

static void
hooks_engine_timer_changed(void *arg, uint64_t deadline_ms)
{
	hooks_timer_arm(arg, deadline_ms);
}

static void
hooks_timer_fire(evutil_socket_t fd, short what, void *arg)
{
	struct daemon	*d = arg;
	uint64_t	 next;

	next = ike_engine_run_timers(d->d_engine, daemon_now_ms());
	hooks_timer_arm(d, next);
}

/* Arm the timer for deadline_ms (monotonic); 0 disarms it. */
void
hooks_timer_arm(struct daemon *d, uint64_t deadline_ms)
{
	struct timeval	tv;
	uint64_t	now, delay = 0;

	if (d->d_timer == NULL)
		return;
	if (deadline_ms == 0) {
		(void)evtimer_del(d->d_timer);
		return;
	}
	now = daemon_now_ms();
	if (deadline_ms > now)
		delay = deadline_ms - now;
	tv.tv_sec = (time_t)(delay / 1000);
	tv.tv_usec = (suseconds_t)(delay % 1000) * 1000;
	if (evtimer_add(d->d_timer, &tv) != 0)
		log_err("arming the engine timer failed: retransmissions and "
		    "lifetimes stop working");
}

static enum kernel_backend
hooks_backend(const struct iked_opts *opts)
{
	switch (opts->o_backend) {
	case OPTS_BACKEND_XFRM:
		return (KERNEL_BACKEND_XFRM);
	case OPTS_BACKEND_USERSPACE:
		return (KERNEL_BACKEND_USERSPACE);
	case OPTS_BACKEND_NONE:
		return (KERNEL_BACKEND_NONE);
	case OPTS_BACKEND_AUTO:
		break;
	}
	return (kernel_backend_default());
}

/*
 * Open the SA backend of -B.  Without -B, a kernel with ESP gets XFRM
 * and falls back to userspace ESP while XFRM is not available.
 */
/* The -B values other than b, for the advice after b failed. */
static const char *
hooks_other_backends(enum kernel_backend b)
{
	switch (b) {
	case KERNEL_BACKEND_XFRM:
		return ("userspace or none");
	case KERNEL_BACKEND_USERSPACE:
		return ("xfrm or none");
	default:
		return ("xfrm or userspace");
	}
}

int
hooks_kernel_open(struct daemon *d)
{
	static const struct kernel_callbacks	cb = {
		.kc_acquire = hooks_kernel_acquire,
		.kc_expire = hooks_kernel_expire,
		.kc_send_udp = hooks_kernel_send_udp,
		.kc_send_udp_batch = hooks_kernel_send_udp_batch,
	};
	enum kernel_backend	b = hooks_backend(d->d_opts);
	int			rc;

	rc = kernel_open(&d->d_kernel, b, d->d_base, &cb, d, NULL);
	if (rc == ERR_UNSUPPORTED && b == KERNEL_BACKEND_XFRM &&
	    d->d_opts->o_backend == OPTS_BACKEND_AUTO) {
		log_info("the kernel has ESP, but the XFRM backend is not "
		    "available: using userspace ESP instead");
		b = KERNEL_BACKEND_USERSPACE;
		rc = kernel_open(&d->d_kernel, b, d->d_base, &cb, d, NULL);
	}
	if (rc != 0) {
		log_err("opening the %s SA backend failed: %s: choose another "
		    "with -B %s", kernel_backend_name(b), err_str(rc),
		    hooks_other_backends(b));
		return (rc);
	}
	log_info("SA backend: %s", kernel_backend_name(b));
	return (0);
}

int
hooks_udp_new(struct daemon *d)
{
	static const struct udp_ops	ops = {
		.uo_ike = hooks_udp_ike,
		.uo_esp = hooks_udp_esp,
		.uo_opened = hooks_udp_opened,
	};

	if ((d->d_udp = udp_new(d->d_base, &ops, d)) == NULL)
		return (ERR_NOMEM);
	return (0);
}

int
hooks_engine_new(struct daemon *d)
{
	static const struct ike_host	host = {
		.ih_send = hooks_engine_send,
		.ih_timer_changed = hooks_engine_timer_changed,
		.ih_send_keepalive = hooks_engine_send_keepalive,
	};

	d->d_timer = evtimer_new(d->d_base, hooks_timer_fire, d);
	if (d->d_timer == NULL)
		return (ERR_NOMEM);
	d->d_engine = ike_engine_new(&host, d, d->d_kernel);
	if (d->d_engine == NULL)
		return (ERR_NOMEM);
	return (0);
}
