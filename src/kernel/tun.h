/* TUN device of the userspace ESP data plane. */
#ifndef IKED_TUN_H
#define IKED_TUN_H

/*
 * Create (or attach to) the TUN device name in layer-3 mode without the
 * packet information header, non-blocking, with a virtio-net header
 * (struct virtio_net_hdr) before each packet read or written.  Returns 0
 * with the file descriptor and interface index, or ERR_SYSTEM with errno
 * set.
 */
int	 tun_open(const char *name, int *fd, unsigned int *ifindex);

/*
 * Let the kernel hand the device TCP segments of up to 64 KB (TSO) and
 * packets without their transport checksum.  Returns 0 when fd has
 * virtio-net headers (the offloads may still be off, with a warning),
 * ERR_UNSUPPORTED when it has none.
 */
int	 tun_offload(int fd);

#endif /* IKED_TUN_H */
