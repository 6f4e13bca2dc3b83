/*
 * Internals shared by the kernel interface and its backends: the ops
 * table each backend fills, the handle, and SA record helpers.
 */
#ifndef IKED_KERNEL_INT_H
#define IKED_KERNEL_INT_H

#include "kernel/kernel.h"

struct kernel_ops {
	const char	*ko_name;
	int	(*ko_open)(struct kernel *);
	void	(*ko_close)(struct kernel *);
	void	(*ko_started)(struct kernel *);	/* may be NULL */
	int	(*ko_get_spi)(struct kernel *, const struct sockaddr *,
		    const struct sockaddr *, uint8_t, uint32_t, uint32_t *);
	int	(*ko_add_sa)(struct kernel *, const struct kernel_sa *);
	int	(*ko_update_sa)(struct kernel *,
		    const struct kernel_sa_update *);
	int	(*ko_delete_sa)(struct kernel *, const struct kernel_sa_id *);
	int	(*ko_query_sa)(struct kernel *, const struct kernel_sa_id *,
		    struct kernel_sa_stats *);
	int	(*ko_add_policy)(struct kernel *,
		    const struct kernel_policy *);
	int	(*ko_delete_policy)(struct kernel *,
		    const struct kernel_policy *);
	int	(*ko_flush)(struct kernel *);
	int	(*ko_bypass_socket)(struct kernel *, int, int);
	int	(*ko_enable_udp_decap)(struct kernel *, int, int, uint16_t);
	void	(*ko_esp_udp_input)(struct kernel *, const struct sockaddr *,
		    const struct sockaddr *, const uint8_t *, size_t);
};

struct kernel {
	const struct kernel_ops	*k_ops;
	enum kernel_backend	 k_backend;
	struct event_base	*k_base;
	struct kernel_callbacks	 k_cb;
	void			*k_arg;
	char			 k_tun_name[16];	/* IFNAMSIZ */
	uint32_t		 k_route_table;
	uint32_t		 k_fwmark;
	uint32_t		 k_rule_priority;
	void			*k_priv;	/* backend state */
};

/* An SA as given to add_sa, with its own wiped copy of the keys. */
struct kernel_sa_rec {
	struct kernel_sa	r_sa;
	uint8_t			r_encr_key[KERNEL_KEY_MAX];
	uint8_t			r_auth_key[KERNEL_KEY_MAX];
};

extern const struct kernel_ops	kernel_none_ops;
extern const struct kernel_ops	kernel_user_ops;

int	 kernel_sa_rec_init(struct kernel_sa_rec *, const struct kernel_sa *);
void	 kernel_sa_rec_wipe(struct kernel_sa_rec *);
int	 kernel_sa_id_match(const struct kernel_sa_id *,
	    const struct kernel_sa_id *);
int	 kernel_addr_equal(const struct sockaddr_storage *,
	    const struct sockaddr_storage *);
int	 kernel_selector_equal(const struct kernel_selector *,
	    const struct kernel_selector *);
const char	*kernel_addr_str(const struct sockaddr_storage *, char *,
		    size_t);

#endif /* IKED_KERNEL_INT_H */
