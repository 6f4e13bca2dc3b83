/*
 * The none backend: SAs and policies are recorded in memory and logged,
 * nothing reaches the kernel.  The IKE engine tests use it to see what
 * an exchange would install, and kernel_none_expire to simulate the end
 * of a lifetime.
 */
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/types.h>

#include "kernel/kernel_int.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/util.h"

#define NONE_MAX_ENTRIES	65536

struct kernel_none {
	struct kernel_sa_rec	**kn_sas;
	size_t			  kn_nsas;
	struct kernel_policy	 *kn_pols;
	size_t			  kn_npols;
	uint32_t		  kn_next_spi;
	int64_t			 *kn_add_times;	/* parallel to kn_sas */
};

static struct kernel_none *
kernel_none_state(const struct kernel *k)
{
	return (k->k_priv);
}

static int
kernel_none_open(struct kernel *k)
{
	struct kernel_none	*kn;

	if ((kn = calloc(1, sizeof(*kn))) == NULL)
		return (ERR_NOMEM);
	/* Predictable SPIs keep engine test logs comparable. */
	kn->kn_next_spi = 0x1000;
	k->k_priv = kn;
	return (0);
}

static void
kernel_none_remove_sa(struct kernel_none *kn, size_t i)
{
	kernel_sa_rec_wipe(kn->kn_sas[i]);
	free(kn->kn_sas[i]);
	memmove(&kn->kn_sas[i], &kn->kn_sas[i + 1],
	    (kn->kn_nsas - i - 1) * sizeof(kn->kn_sas[0]));
	memmove(&kn->kn_add_times[i], &kn->kn_add_times[i + 1],
	    (kn->kn_nsas - i - 1) * sizeof(kn->kn_add_times[0]));
	kn->kn_nsas--;
}

static int
kernel_none_flush(struct kernel *k)
{
	struct kernel_none	*kn = kernel_none_state(k);

	while (kn->kn_nsas > 0)
		kernel_none_remove_sa(kn, kn->kn_nsas - 1);
	kn->kn_npols = 0;
	log_debug(D_PFKEY, "none backend: flushed all SAs and policies");
	return (0);
}

static void
kernel_none_close(struct kernel *k)
{
	struct kernel_none	*kn = kernel_none_state(k);

	kernel_none_flush(k);
	free(kn->kn_sas);
	free(kn->kn_add_times);
	free(kn->kn_pols);
	free(kn);
	k->k_priv = NULL;
}

static ssize_t
kernel_none_find_sa(const struct kernel_none *kn, const struct kernel_sa_id *id)
{
	size_t	i;

	for (i = 0; i < kn->kn_nsas; i++) {
		if (kernel_sa_id_match(&kn->kn_sas[i]->r_sa.sa_id, id))
			return ((ssize_t)i);
	}
	return (-1);
}

static int
kernel_none_get_spi(struct kernel *k, const struct sockaddr *src,
    const struct sockaddr *dst, uint8_t proto, uint32_t reqid, uint32_t *spi)
{
	struct kernel_none	*kn = kernel_none_state(k);

	*spi = kn->kn_next_spi++;
	log_debug(D_PFKEY, "none backend: SPI 0x%08x reserved (reqid %u)",
	    *spi, reqid);
	return (0);
}

static int
kernel_none_grow_sas(struct kernel_none *kn)
{
	struct kernel_sa_rec	**sas;
	int64_t			 *times;

	if (kn->kn_nsas >= NONE_MAX_ENTRIES)
		return (ERR_TOOBIG);
	sas = reallocarray(kn->kn_sas, kn->kn_nsas + 1, sizeof(*sas));
	if (sas == NULL)
		return (ERR_NOMEM);
	kn->kn_sas = sas;
	times = reallocarray(kn->kn_add_times, kn->kn_nsas + 1,
	    sizeof(*times));
	if (times == NULL)
		return (ERR_NOMEM);
	kn->kn_add_times = times;
	return (0);
}

static int
kernel_none_add_sa(struct kernel *k, const struct kernel_sa *sa)
{
	struct kernel_none	*kn = kernel_none_state(k);
	struct kernel_sa_rec	*rec = NULL;
	char			 src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	int			 r;

	if (kernel_none_find_sa(kn, &sa->sa_id) >= 0)
		return (ERR_EXISTS);
	if ((r = kernel_none_grow_sas(kn)) != 0)
		return (r);
	if ((rec = malloc(sizeof(*rec))) == NULL)
		return (ERR_NOMEM);
	if ((r = kernel_sa_rec_init(rec, sa)) != 0) {
		free(rec);
		return (r);
	}
	kn->kn_add_times[kn->kn_nsas] = time(NULL);
	kn->kn_sas[kn->kn_nsas++] = rec;
	log_debug(D_PFKEY, "none backend: %s SA 0x%08x %s -> %s, encr %u "
	    "auth %u, reqid %u", sa->sa_dir == KERNEL_DIR_IN ? "inbound" :
	    "outbound", sa->sa_id.id_spi,
	    kernel_addr_str(&sa->sa_id.id_src, src, sizeof(src)),
	    kernel_addr_str(&sa->sa_id.id_dst, dst, sizeof(dst)),
	    sa->sa_encr, sa->sa_auth, sa->sa_reqid);
	return (0);
}

static int
kernel_none_update_sa(struct kernel *k, const struct kernel_sa_update *su)
{
	struct kernel_none	*kn = kernel_none_state(k);
	struct kernel_sa	*sa;
	ssize_t			 i;

	if ((i = kernel_none_find_sa(kn, &su->su_id)) < 0)
		return (ERR_NOTFOUND);
	sa = &kn->kn_sas[i]->r_sa;
	sa->sa_id.id_src = su->su_new_src;
	sa->sa_id.id_dst = su->su_new_dst;
	sa->sa_encap = su->su_encap;
	log_debug(D_PFKEY, "none backend: SA 0x%08x updated",
	    sa->sa_id.id_spi);
	return (0);
}

static int
kernel_none_delete_sa(struct kernel *k, const struct kernel_sa_id *id)
{
	struct kernel_none	*kn = kernel_none_state(k);
	ssize_t			 i;

	if ((i = kernel_none_find_sa(kn, id)) < 0)
		return (ERR_NOTFOUND);
	kernel_none_remove_sa(kn, (size_t)i);
	log_debug(D_PFKEY, "none backend: SA 0x%08x deleted", id->id_spi);
	return (0);
}

static int
kernel_none_query_sa(struct kernel *k, const struct kernel_sa_id *id,
    struct kernel_sa_stats *st)
{
	struct kernel_none	*kn = kernel_none_state(k);
	ssize_t			 i;

	if ((i = kernel_none_find_sa(kn, id)) < 0)
		return (ERR_NOTFOUND);
	st->st_add_time = kn->kn_add_times[i];
	return (0);
}

static ssize_t
kernel_none_find_policy(const struct kernel_none *kn,
    const struct kernel_policy *pol)
{
	size_t	i;

	for (i = 0; i < kn->kn_npols; i++) {
		if (kn->kn_pols[i].pol_dir == pol->pol_dir &&
		    kernel_selector_equal(&kn->kn_pols[i].pol_sel,
		    &pol->pol_sel))
			return ((ssize_t)i);
	}
	return (-1);
}

static int
kernel_none_add_policy(struct kernel *k, const struct kernel_policy *pol)
{
	struct kernel_none	*kn = kernel_none_state(k);
	struct kernel_policy	*pols;

	if (kernel_none_find_policy(kn, pol) >= 0)
		return (ERR_EXISTS);
	if (kn->kn_npols >= NONE_MAX_ENTRIES)
		return (ERR_TOOBIG);
	pols = reallocarray(kn->kn_pols, kn->kn_npols + 1, sizeof(*pols));
	if (pols == NULL)
		return (ERR_NOMEM);
	kn->kn_pols = pols;
	kn->kn_pols[kn->kn_npols++] = *pol;
	log_debug(D_PFKEY, "none backend: policy added (reqid %u, index %u)",
	    pol->pol_reqid, pol->pol_index);
	return (0);
}

static int
kernel_none_delete_policy(struct kernel *k, const struct kernel_policy *pol)
{
	struct kernel_none	*kn = kernel_none_state(k);
	ssize_t			 i;

	if ((i = kernel_none_find_policy(kn, pol)) < 0)
		return (ERR_NOTFOUND);
	memmove(&kn->kn_pols[i], &kn->kn_pols[i + 1],
	    (kn->kn_npols - (size_t)i - 1) * sizeof(kn->kn_pols[0]));
	kn->kn_npols--;
	log_debug(D_PFKEY, "none backend: policy deleted (reqid %u)",
	    pol->pol_reqid);
	return (0);
}

static int
kernel_none_bypass_socket(struct kernel *k, int fd, int family)
{
	return (0);
}

static int
kernel_none_enable_udp_decap(struct kernel *k, int fd, int family,
    uint16_t port)
{
	return (0);
}

static void
kernel_none_esp_udp_input(struct kernel *k, const struct sockaddr *local,
    const struct sockaddr *remote, const uint8_t *pkt, size_t len)
{
	log_debug(D_PFKEY, "none backend: ESP-in-UDP packet of %zu bytes "
	    "ignored", len);
}

const struct kernel_ops kernel_none_ops = {
	.ko_name = "none",
	.ko_open = kernel_none_open,
	.ko_close = kernel_none_close,
	.ko_get_spi = kernel_none_get_spi,
	.ko_add_sa = kernel_none_add_sa,
	.ko_update_sa = kernel_none_update_sa,
	.ko_delete_sa = kernel_none_delete_sa,
	.ko_query_sa = kernel_none_query_sa,
	.ko_add_policy = kernel_none_add_policy,
	.ko_delete_policy = kernel_none_delete_policy,
	.ko_flush = kernel_none_flush,
	.ko_bypass_socket = kernel_none_bypass_socket,
	.ko_enable_udp_decap = kernel_none_enable_udp_decap,
	.ko_esp_udp_input = kernel_none_esp_udp_input,
};

size_t
kernel_none_sa_count(const struct kernel *k)
{
	if (k->k_ops != &kernel_none_ops)
		return (0);
	return (kernel_none_state(k)->kn_nsas);
}

const struct kernel_sa *
kernel_none_sa_at(const struct kernel *k, size_t i)
{
	if (i >= kernel_none_sa_count(k))
		return (NULL);
	return (&kernel_none_state(k)->kn_sas[i]->r_sa);
}

size_t
kernel_none_policy_count(const struct kernel *k)
{
	if (k->k_ops != &kernel_none_ops)
		return (0);
	return (kernel_none_state(k)->kn_npols);
}

const struct kernel_policy *
kernel_none_policy_at(const struct kernel *k, size_t i)
{
	if (i >= kernel_none_policy_count(k))
		return (NULL);
	return (&kernel_none_state(k)->kn_pols[i]);
}

int
kernel_none_expire(struct kernel *k, const struct kernel_sa_id *id, int hard,
    enum kernel_expire_reason reason)
{
	struct kernel_none	*kn;
	struct kernel_expire	 exp;
	ssize_t			 i;

	if (k->k_ops != &kernel_none_ops)
		return (ERR_STATE);
	kn = kernel_none_state(k);
	if ((i = kernel_none_find_sa(kn, id)) < 0)
		return (ERR_NOTFOUND);
	memset(&exp, 0, sizeof(exp));
	exp.exp_id = kn->kn_sas[i]->r_sa.sa_id;
	exp.exp_dir = kn->kn_sas[i]->r_sa.sa_dir;
	exp.exp_reqid = kn->kn_sas[i]->r_sa.sa_reqid;
	exp.exp_hard = hard ? 1 : 0;
	exp.exp_reason = reason;
	exp.exp_stats.st_add_time = kn->kn_add_times[i];
	/* As in a real backend, a hard expiry removes the SA first. */
	if (hard)
		kernel_none_remove_sa(kn, (size_t)i);
	if (k->k_cb.kc_expire != NULL)
		k->k_cb.kc_expire(k->k_arg, &exp);
	return (0);
}
