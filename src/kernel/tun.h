/* TUN device of the userspace ESP data plane. */
#ifndef IKED_TUN_H
#define IKED_TUN_H

/*
 * Create (or attach to) the TUN device name in layer-3 mode without the
 * packet information header, non-blocking.  Returns 0 with the file
 * descriptor and interface index, or ERR_SYSTEM with errno set.
 */
int	 tun_open(const char *name, int *fd, unsigned int *ifindex);

#endif /* IKED_TUN_H */
