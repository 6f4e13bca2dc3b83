/*
 * The XFRM backend of the kernel SA interface: IPsec SAs and policies in
 * the Linux kernel through XFRM netlink (linux/xfrm.h), for kernels with
 * ESP (esp4/esp6 modules).
 *
 * Opening fails with ERR_UNSUPPORTED when the kernel rejects ESP SAs
 * (kernel_xfrm_probe).  Everything the handle installs (SAs, SPI
 * reservations, policies) is recorded, so kernel_flush and kernel_close
 * remove exactly that and leave other users' SAs alone.
 *
 * Acquires and expiries come from the XFRMNLGRP_ACQUIRE and
 * XFRMNLGRP_EXPIRE multicast groups through the handle's event base.
 * Only those about our own policies and SAs reach the callbacks.
 */
#ifndef IKED_KERNEL_XFRM_H
#define IKED_KERNEL_XFRM_H

#include "kernel/kernel_int.h"

extern const struct kernel_ops	kernel_xfrm_ops;

/*
 * Decide whether the running kernel can install ESP SAs: add and delete
 * a short-lived ESP SA to 192.0.2.0 (an unused documentation address).
 * Returns 1 when it can, 0 when not, and logs the reason either way.
 */
int	 kernel_xfrm_probe(void);

#endif /* IKED_KERNEL_XFRM_H */
