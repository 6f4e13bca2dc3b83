/*
 * Policies in the kernel (NEWPOLICY, UPDPOLICY, DELPOLICY).  An inbound
 * tunnel policy gets a FWD twin with the same selector and template,
 * because XFRM checks forwarded packets (a gateway's protected subnet)
 * against FWD policies only.
 */
#include <netinet/in.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "kernel/xfrm/xfrm.h"
#include "lib/err.h"

struct xfrm_pol *
xfrm_pol_find(struct kernel_xfrm *kx, enum kernel_dir dir,
    const struct kernel_selector *sel)
{
	struct xfrm_pol	*xp;

	TAILQ_FOREACH(xp, &kx->kx_pols, xp_entry) {
		if (xp->xp_pol.pol_dir == dir &&
		    kernel_selector_equal(&xp->xp_pol.pol_sel, sel))
			return (xp);
	}
	return (NULL);
}

const char *
xfrm_pol_dir_name(uint8_t dir)
{
	switch (dir) {
	case XFRM_POLICY_IN:
		return ("in");
	case XFRM_POLICY_FWD:
		return ("fwd");
	default:
		return ("out");
	}
}

static void
xfrm_pol_log_error(struct xfrm_nl *xn, const char *what,
    const struct kernel_policy *pol, uint8_t dir)
{
	char	src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], err[256];

	log_err("cannot %s %s policy %s/%u -> %s/%u (index %u): %s", what,
	    xfrm_pol_dir_name(dir),
	    kernel_addr_str(&pol->pol_sel.sel_src, src, sizeof(src)),
	    pol->pol_sel.sel_src_prefix,
	    kernel_addr_str(&pol->pol_sel.sel_dst, dst, sizeof(dst)),
	    pol->pol_sel.sel_dst_prefix, pol->pol_index,
	    xfrm_nl_error(xn, err, sizeof(err)));
}

static int
xfrm_pol_msg(struct nlmsghdr *nlh, const struct kernel_policy *pol,
    uint8_t dir, const struct xfrm_mark *mark)
{
	int	r;

	if ((r = xfrm_msg_policy(nlh, pol, dir)) == 0 && mark != NULL)
		mnl_attr_put(nlh, XFRMA_MARK, sizeof(*mark), mark);
	return (r);
}

/*
 * A policy with the same selector left in the kernel (by an earlier run
 * that did not exit cleanly) makes NEWPOLICY fail with EEXIST.
 */
int
xfrm_pol_install(struct xfrm_nl *xn, const struct kernel_policy *pol,
    uint8_t dir, const struct xfrm_mark *mark, int *replaced)
{
	uint8_t		 buf[XFRM_BUF_LEN];
	struct nlmsghdr	*nlh;
	int		 r;

	if (replaced != NULL)
		*replaced = 0;
	nlh = xfrm_nl_header(buf, XFRM_MSG_NEWPOLICY, 0);
	if ((r = xfrm_pol_msg(nlh, pol, dir, mark)) != 0)
		return (r);
	if (xfrm_nl_request(xn, nlh, NULL, NULL) == 0)
		return (0);
	if (xn->xn_errno == EEXIST) {
		log_warn("replacing a stale %s policy of index %u in the "
		    "kernel", xfrm_pol_dir_name(dir), pol->pol_index);
		nlh = xfrm_nl_header(buf, XFRM_MSG_UPDPOLICY, 0);
		if ((r = xfrm_pol_msg(nlh, pol, dir, mark)) != 0)
			return (r);
		if (xfrm_nl_request(xn, nlh, NULL, NULL) == 0) {
			if (replaced != NULL)
				*replaced = 1;
			return (0);
		}
	}
	xfrm_pol_log_error(xn, "install", pol, dir);
	return (xn->xn_errno == EPERM ? ERR_PERM : ERR_SYSTEM);
}

int
xfrm_pol_remove(struct xfrm_nl *xn, const struct kernel_policy *pol,
    uint8_t dir, const struct xfrm_mark *mark)
{
	uint8_t		 buf[XFRM_BUF_LEN];
	struct nlmsghdr	*nlh;

	nlh = xfrm_nl_header(buf, XFRM_MSG_DELPOLICY, 0);
	xfrm_msg_policy_id(nlh, pol, dir);
	if (mark != NULL)
		mnl_attr_put(nlh, XFRMA_MARK, sizeof(*mark), mark);
	if (xfrm_nl_request(xn, nlh, NULL, NULL) == 0 ||
	    xn->xn_errno == ENOENT)
		return (0);
	xfrm_pol_log_error(xn, "delete", pol, dir);
	return (ERR_SYSTEM);
}

static int
xfrm_pol_needs_fwd(const struct kernel_policy *pol)
{
	return (pol->pol_dir == KERNEL_DIR_IN &&
	    pol->pol_action == KERNEL_ACTION_IPSEC &&
	    pol->pol_mode == KERNEL_MODE_TUNNEL);
}

int
xfrm_pol_add(struct kernel *k, const struct kernel_policy *pol)
{
	struct kernel_xfrm	*kx = kernel_xfrm_state(k);
	struct xfrm_pol		*xp;
	uint8_t			 dir = xfrm_msg_dir(pol->pol_dir);
	int			 r;

	if (xfrm_pol_find(kx, pol->pol_dir, &pol->pol_sel) != NULL)
		return (ERR_EXISTS);
	if ((xp = calloc(1, sizeof(*xp))) == NULL)
		return (ERR_NOMEM);
	xp->xp_pol = *pol;
	if ((r = xfrm_pol_install(&kx->kx_nl, pol, dir, NULL, NULL)) != 0)
		goto out;
	if (xfrm_pol_needs_fwd(pol)) {
		if ((r = xfrm_pol_install(&kx->kx_nl, pol, XFRM_POLICY_FWD,
		    NULL, NULL)) != 0) {
			xfrm_pol_remove(&kx->kx_nl, pol, dir, NULL);
			goto out;
		}
		xp->xp_fwd = 1;
	}
	TAILQ_INSERT_TAIL(&kx->kx_pols, xp, xp_entry);
	log_debug(D_PFKEY, "%s policy %u added (reqid %u)",
	    xfrm_pol_dir_name(dir), pol->pol_index, pol->pol_reqid);
	xp = NULL;
out:
	free(xp);
	return (r);
}

static int
xfrm_pol_destroy(struct kernel_xfrm *kx, struct xfrm_pol *xp)
{
	const struct kernel_policy	*pol = &xp->xp_pol;
	int				 r;

	r = xfrm_pol_remove(&kx->kx_nl, pol, xfrm_msg_dir(pol->pol_dir),
	    NULL);
	if (xp->xp_fwd && xfrm_pol_remove(&kx->kx_nl, pol, XFRM_POLICY_FWD,
	    NULL) != 0)
		r = ERR_SYSTEM;
	TAILQ_REMOVE(&kx->kx_pols, xp, xp_entry);
	free(xp);
	return (r);
}

int
xfrm_pol_delete(struct kernel *k, const struct kernel_policy *pol)
{
	struct kernel_xfrm	*kx = kernel_xfrm_state(k);
	struct xfrm_pol		*xp;
	uint32_t		 index;
	int			 r;

	if ((xp = xfrm_pol_find(kx, pol->pol_dir, &pol->pol_sel)) == NULL)
		return (ERR_NOTFOUND);
	index = xp->xp_pol.pol_index;
	r = xfrm_pol_destroy(kx, xp);
	log_debug(D_PFKEY, "policy %u deleted", index);
	return (r);
}

void
xfrm_pol_flush(struct kernel_xfrm *kx)
{
	struct xfrm_pol	*xp;

	while ((xp = TAILQ_FIRST(&kx->kx_pols)) != NULL)
		(void)xfrm_pol_destroy(kx, xp);
}
