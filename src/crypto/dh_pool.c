/*
 * Diffie-Hellman key pairs made ahead of need.  A key pair is half of
 * the cost of a Diffie-Hellman exchange, and it does not depend on the
 * peer, so one thread makes key pairs for the groups in use while the
 * event loop processes messages, and dh_key_generate() takes a ready one.
 * The event loop then spends its time on the peers' values (g^xy) and
 * the protocol, and a second core does the rest.
 *
 * Every key pair is handed out once and its user frees it, so each
 * exchange still has a fresh one (RFC 2409 section 5.5 for Quick Mode
 * with PFS).  The pool holds at most DH_POOL_CAP key pairs per group and
 * fills a group only after it was asked for; dh_pool_stop() wipes what
 * is left.  The thread logs nothing: a failure only leaves the group
 * empty, and the caller makes its key pair itself and logs the error.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto_int.h"
#include "crypto/dh.h"

#define DH_POOL_CAP	32
#define DH_POOL_GROUPS	32	/* at least dh_impl_count() */

struct dh_pool_group {
	struct dh_key	*pg_keys[DH_POOL_CAP];
	size_t		 pg_count;
	int		 pg_requested;	/* requested: fill it */
	int		 pg_failed;	/* the thread could not make one */
	EVP_PKEY_CTX	*pg_keygen;	/* the thread's own context */
};

static struct {
	pthread_mutex_t		 dp_lock;
	pthread_cond_t		 dp_cond;
	pthread_t		 dp_thread;
	int			 dp_running;
	int			 dp_stop;
	int			 dp_idle;	/* waits for a signal */
	uint64_t		 dp_ready;
	uint64_t		 dp_inline;
	struct dh_pool_group	 dp_groups[DH_POOL_GROUPS];
} dh_pool = {
	.dp_lock = PTHREAD_MUTEX_INITIALIZER,
	.dp_cond = PTHREAD_COND_INITIALIZER,
};

/* Return the group to fill next, or -1.  The caller holds dp_lock. */
static int
dh_pool_next(void)
{
	struct dh_pool_group	*pg;
	size_t			 i, n = dh_impl_count();

	for (i = 0; i < n; i++) {
		pg = &dh_pool.dp_groups[i];
		if (pg->pg_requested && !pg->pg_failed &&
		    pg->pg_count < DH_POOL_CAP)
			return ((int)i);
	}
	return (-1);
}

/* Make one key pair of group i outside the lock and put it in. */
static void
dh_pool_fill(size_t i)
{
	struct dh_pool_group	*pg = &dh_pool.dp_groups[i];
	struct dh_key		*key = NULL;
	int			 r;

	(void)pthread_mutex_unlock(&dh_pool.dp_lock);
	if (pg->pg_keygen == NULL)
		pg->pg_keygen = dh_keygen_new(i);
	r = dh_key_make(i, pg->pg_keygen, &key);
	(void)pthread_mutex_lock(&dh_pool.dp_lock);
	if (r != 0) {
		pg->pg_failed = 1;
		return;
	}
	if (dh_pool.dp_stop || pg->pg_count == DH_POOL_CAP) {
		dh_key_free(key);
		return;
	}
	pg->pg_keys[pg->pg_count++] = key;
}

static void *
dh_pool_main(void *arg)
{
	int	 i;

	(void)arg;
	(void)pthread_mutex_lock(&dh_pool.dp_lock);
	while (!dh_pool.dp_stop) {
		if ((i = dh_pool_next()) < 0) {
			dh_pool.dp_idle = 1;
			(void)pthread_cond_wait(&dh_pool.dp_cond,
			    &dh_pool.dp_lock);
		} else
			dh_pool_fill((size_t)i);
	}
	(void)pthread_mutex_unlock(&dh_pool.dp_lock);
	return (NULL);
}

int
dh_pool_start(void)
{
	sigset_t	 all, old;
	int		 r;

	if (dh_pool.dp_running)
		return (0);
	if (dh_impl_count() > DH_POOL_GROUPS)
		return (ERR_SYSTEM);
	dh_pool.dp_stop = 0;
	/* Signals stay with the event loop: the thread blocks them all. */
	(void)sigfillset(&all);
	(void)pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&dh_pool.dp_thread, NULL, dh_pool_main, NULL);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		errno = r;
		return (ERR_SYSTEM);
	}
	dh_pool.dp_running = 1;
	return (0);
}

int
dh_pool_take(size_t i, struct dh_key **keyp)
{
	struct dh_pool_group	*pg;
	int			 r = ERR_NOTFOUND;

	if (!dh_pool.dp_running || i >= DH_POOL_GROUPS)
		return (ERR_NOTFOUND);
	pg = &dh_pool.dp_groups[i];
	(void)pthread_mutex_lock(&dh_pool.dp_lock);
	if (pg->pg_count > 0) {
		*keyp = pg->pg_keys[--pg->pg_count];
		pg->pg_keys[pg->pg_count] = NULL;
		dh_pool.dp_ready++;
		r = 0;
	} else
		dh_pool.dp_inline++;
	pg->pg_requested = 1;
	/*
	 * Wake the thread only when it sleeps and the group is half empty.
	 * Each wake-up costs the event loop a system call.
	 */
	if (dh_pool.dp_idle && !pg->pg_failed &&
	    pg->pg_count <= DH_POOL_CAP / 2) {
		dh_pool.dp_idle = 0;
		(void)pthread_cond_signal(&dh_pool.dp_cond);
	}
	(void)pthread_mutex_unlock(&dh_pool.dp_lock);
	return (r);
}

void
dh_pool_counts(uint64_t *ready, uint64_t *inline_made)
{
	(void)pthread_mutex_lock(&dh_pool.dp_lock);
	*ready = dh_pool.dp_ready;
	*inline_made = dh_pool.dp_inline;
	(void)pthread_mutex_unlock(&dh_pool.dp_lock);
}

void
dh_pool_stop(void)
{
	struct dh_pool_group	*pg;
	size_t			 i, k;

	if (!dh_pool.dp_running)
		return;
	(void)pthread_mutex_lock(&dh_pool.dp_lock);
	dh_pool.dp_stop = 1;
	(void)pthread_cond_broadcast(&dh_pool.dp_cond);
	(void)pthread_mutex_unlock(&dh_pool.dp_lock);
	(void)pthread_join(dh_pool.dp_thread, NULL);
	dh_pool.dp_running = 0;
	for (i = 0; i < DH_POOL_GROUPS; i++) {
		pg = &dh_pool.dp_groups[i];
		for (k = 0; k < pg->pg_count; k++)
			dh_key_free(pg->pg_keys[k]);
		EVP_PKEY_CTX_free(pg->pg_keygen);
		memset(pg, 0, sizeof(*pg));
	}
}
