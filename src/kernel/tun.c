#include <sys/ioctl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kernel/tun.h"
#include "lib/err.h"
#include "lib/log.h"

#define TUN_CLONE_DEVICE	"/dev/net/tun"

int
tun_open(const char *name, int *fdp, unsigned int *ifindex)
{
	struct ifreq	ifr;
	int		fd, saved;

	*fdp = -1;
	if ((fd = open(TUN_CLONE_DEVICE, O_RDWR | O_CLOEXEC | O_NONBLOCK)) ==
	    -1) {
		log_err("cannot open %s: %s; the userspace backend needs TUN "
		    "support and CAP_NET_ADMIN", TUN_CLONE_DEVICE,
		    strerror(errno));
		return (ERR_SYSTEM);
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) == -1) {
		saved = errno;
		log_err("cannot create TUN device %s: %s; is another in.iked "
		    "using it?", name, strerror(saved));
		goto fail;
	}
	if ((*ifindex = if_nametoindex(ifr.ifr_name)) == 0) {
		saved = errno;
		log_err("TUN device %s has no interface index: %s", name,
		    strerror(saved));
		goto fail;
	}
	*fdp = fd;
	return (0);
fail:
	close(fd);
	errno = saved;
	return (ERR_SYSTEM);
}

int
tun_offload(int fd)
{
	struct ifreq	ifr;
	int		size = sizeof(struct virtio_net_hdr);
	unsigned int	offload = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 |
			    TUN_F_TSO_ECN;

	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) == -1 ||
	    !(ifr.ifr_flags & IFF_VNET_HDR))
		return (ERR_UNSUPPORTED);
	/* The kernel's default size; it rejects only smaller ones. */
	(void)ioctl(fd, TUNSETVNETHDRSZ, &size);
	/* ethtool -K can turn them off again; packets then come one by one. */
	if (ioctl(fd, TUNSETOFFLOAD, offload) == -1)
		log_warn("cannot turn on TSO and checksum offloads on the TUN "
		    "device: %s; ESP throughput will be lower",
		    strerror(errno));
	return (0);
}
