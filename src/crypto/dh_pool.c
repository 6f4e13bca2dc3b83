/*
 * Diffie-Hellman work in threads beside the event loop.  A key pair
 * does not depend on the peer, so the threads make key pairs ahead for
 * the groups in use and dh_key_generate() takes a ready one.  g^xy
 * depends on the peer's value: the event loop checks and imports that
 * value (dh_derive_start()), the threads compute g^xy while the reply
 * travels, and dh_derive_finish() collects it when the next message
 * needs the keys.  The event loop then spends its time on the protocol
 * and the other cores do the modular or elliptic curve arithmetic.
 *
 * Every key pair is handed out once and its user frees it, so each
 * exchange still has a fresh one (RFC 2409 section 5.5 for Quick Mode
 * with PFS).  The pool keeps at most DH_POOL_CAP key pairs per group and
 * fills a group only after a request for it.  dh_pool_stop() wipes what
 * is left.  The threads log nothing: a failure leaves a group empty or
 * returns the reason with the job, and the event loop logs it.
 */
#include <sys/queue.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto_int.h"
#include "crypto/dh.h"
#include "lib/wbuf.h"

#include <openssl/err.h>

#define DH_POOL_CAP	32
#define DH_POOL_GROUPS	32	/* at least dh_impl_count() */
#define DH_POOL_THREADS	8

struct dh_pool_group {
	struct dh_key	*pg_keys[DH_POOL_CAP];
	size_t		 pg_count;
	int		 pg_requested;	/* fill it */
	int		 pg_failed;	/* a thread could not make one */
};

enum dh_job_state {
	DH_JOB_QUEUED,
	DH_JOB_RUNNING,
	DH_JOB_DONE,
};

/* One g^xy to compute; the caller owns it, the pool only queues it. */
struct dh_job {
	TAILQ_ENTRY(dh_job)	 dj_entry;
	const struct dh_key	*dj_key;
	struct dh_peer		 dj_peer;
	struct wbuf		 dj_secret;
	const char		*dj_reason;
	int			 dj_rc;
	enum dh_job_state	 dj_state;
};

static struct {
	pthread_mutex_t		 dp_lock;
	pthread_cond_t		 dp_cond;	/* work for the threads */
	pthread_cond_t		 dp_done;	/* a job is done */
	pthread_t		 dp_threads[DH_POOL_THREADS];
	unsigned int		 dp_nthreads;
	unsigned int		 dp_idle;	/* threads waiting for work */
	int			 dp_stop;
	uint64_t		 dp_ready;
	uint64_t		 dp_inline;
	TAILQ_HEAD(, dh_job)	 dp_jobs;
	struct dh_pool_group	 dp_groups[DH_POOL_GROUPS];
} dh_pool = {
	.dp_lock = PTHREAD_MUTEX_INITIALIZER,
	.dp_cond = PTHREAD_COND_INITIALIZER,
	.dp_done = PTHREAD_COND_INITIALIZER,
	.dp_jobs = TAILQ_HEAD_INITIALIZER(dh_pool.dp_jobs),
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

/*
 * Make one key pair of group i outside the lock and put it in.  Each
 * thread keeps its own key generation contexts in keygen.
 */
static void
dh_pool_fill(size_t i, EVP_PKEY_CTX **keygen)
{
	struct dh_pool_group	*pg = &dh_pool.dp_groups[i];
	struct dh_key		*key = NULL;
	int			 r;

	(void)pthread_mutex_unlock(&dh_pool.dp_lock);
	if (keygen[i] == NULL)
		keygen[i] = dh_keygen_new(i);
	r = dh_key_make(i, keygen[i], &key);
	ERR_clear_error();
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

/* Compute a queued job outside the lock. */
static void
dh_pool_run(struct dh_job *job)
{
	TAILQ_REMOVE(&dh_pool.dp_jobs, job, dj_entry);
	job->dj_state = DH_JOB_RUNNING;
	(void)pthread_mutex_unlock(&dh_pool.dp_lock);
	job->dj_rc = dh_peer_compute(job->dj_key, &job->dj_peer,
	    &job->dj_secret, &job->dj_reason);
	ERR_clear_error();
	(void)pthread_mutex_lock(&dh_pool.dp_lock);
	job->dj_state = DH_JOB_DONE;
	(void)pthread_cond_broadcast(&dh_pool.dp_done);
}

/* A thread: jobs first, because a peer waits for them, then key pairs. */
static void *
dh_pool_main(void *arg)
{
	EVP_PKEY_CTX	*keygen[DH_POOL_GROUPS] = { NULL };
	struct dh_job	*job;
	size_t		 k;
	int		 i;

	(void)arg;
	(void)pthread_mutex_lock(&dh_pool.dp_lock);
	while (!dh_pool.dp_stop) {
		if ((job = TAILQ_FIRST(&dh_pool.dp_jobs)) != NULL)
			dh_pool_run(job);
		else if ((i = dh_pool_next()) >= 0)
			dh_pool_fill((size_t)i, keygen);
		else {
			dh_pool.dp_idle++;
			(void)pthread_cond_wait(&dh_pool.dp_cond,
			    &dh_pool.dp_lock);
			dh_pool.dp_idle--;
		}
	}
	(void)pthread_mutex_unlock(&dh_pool.dp_lock);
	for (k = 0; k < DH_POOL_GROUPS; k++)
		EVP_PKEY_CTX_free(keygen[k]);
	return (NULL);
}

int
dh_pool_start(unsigned int threads)
{
	sigset_t	 all, old;
	int		 r = 0;

	if (dh_pool.dp_nthreads > 0)
		return (0);
	if (dh_impl_count() > DH_POOL_GROUPS)
		return (ERR_SYSTEM);
	if (threads > DH_POOL_THREADS)
		threads = DH_POOL_THREADS;
	dh_pool.dp_stop = 0;
	/* Signals stay with the event loop: the threads block them all. */
	(void)sigfillset(&all);
	(void)pthread_sigmask(SIG_SETMASK, &all, &old);
	while (dh_pool.dp_nthreads < threads && r == 0) {
		r = pthread_create(&dh_pool.dp_threads[dh_pool.dp_nthreads],
		    NULL, dh_pool_main, NULL);
		if (r == 0)
			dh_pool.dp_nthreads++;
	}
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (dh_pool.dp_nthreads == 0) {
		errno = r;
		return (ERR_SYSTEM);
	}
	return (0);
}

int
dh_pool_take(size_t i, struct dh_key **keyp)
{
	struct dh_pool_group	*pg;
	int			 r = ERR_NOTFOUND;

	if (dh_pool.dp_nthreads == 0 || i >= DH_POOL_GROUPS)
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
	 * Wake a thread only when one sleeps and the group is half empty.
	 * Each wake-up costs the event loop a system call.
	 */
	if (dh_pool.dp_idle > 0 && !pg->pg_failed &&
	    pg->pg_count <= DH_POOL_CAP / 2)
		(void)pthread_cond_signal(&dh_pool.dp_cond);
	(void)pthread_mutex_unlock(&dh_pool.dp_lock);
	return (r);
}

/*
 * Handing g^xy to a thread and back costs the event loop about 10 us of
 * CPU on a loaded machine (an estimate from the benchmark's CPU time per
 * tunnel).  MODP and the ECP curves above 256 bits take far longer than
 * that, but ECP-256 and Curve25519 take 35 to 55 us (bench/cryptofloor),
 * so those stay in the event loop.  So do Curve25519 and Curve448
 * because of their low-order points: dh_peer_import() cannot see them,
 * only the all-zero result does (RFC 7748 section 6), and that error
 * belongs with the message that carried the value.
 */
static int
dh_pool_worth(const struct dh_key *key)
{
	const struct dh_group_info	*gi = dh_group_lookup(dh_key_group(key));

	return (gi->dg_type == DH_MODP || gi->dg_type == DH_MODP_SUBGROUP ||
	    (gi->dg_type == DH_ECP && gi->dg_strength > 128));
}

int
dh_derive_start(const struct dh_key *key, const uint8_t *peer, size_t len,
    struct dh_job **jobp)
{
	struct dh_job	*job;
	int		 r;

	*jobp = NULL;
	if (dh_pool.dp_nthreads == 0)
		return (ERR_NOTFOUND);
	if (!dh_pool_worth(key))
		return (ERR_NOTFOUND);
	if ((job = calloc(1, sizeof(*job))) == NULL)
		return (ERR_NOMEM);
	if ((r = dh_peer_import(key, peer, len, &job->dj_peer,
	    &job->dj_reason)) != 0) {
		ERR_clear_error();
		dh_peer_clear(&job->dj_peer);
		free(job);
		return (r);
	}
	job->dj_key = key;
	wbuf_init(&job->dj_secret, 1);
	(void)pthread_mutex_lock(&dh_pool.dp_lock);
	job->dj_state = DH_JOB_QUEUED;
	TAILQ_INSERT_TAIL(&dh_pool.dp_jobs, job, dj_entry);
	if (dh_pool.dp_idle > 0)
		(void)pthread_cond_signal(&dh_pool.dp_cond);
	(void)pthread_mutex_unlock(&dh_pool.dp_lock);
	*jobp = job;
	return (0);
}

/*
 * Take the job out of the threads' reach: unqueue it, or wait until the
 * thread that runs it is done.  Returns 1 when no thread computed it.
 */
static int
dh_pool_claim(struct dh_job *job)
{
	int	 queued = 0;

	(void)pthread_mutex_lock(&dh_pool.dp_lock);
	if (job->dj_state == DH_JOB_QUEUED) {
		TAILQ_REMOVE(&dh_pool.dp_jobs, job, dj_entry);
		queued = 1;
	}
	while (job->dj_state == DH_JOB_RUNNING)
		(void)pthread_cond_wait(&dh_pool.dp_done, &dh_pool.dp_lock);
	(void)pthread_mutex_unlock(&dh_pool.dp_lock);
	return (queued);
}

static void
dh_job_free(struct dh_job *job)
{
	dh_peer_clear(&job->dj_peer);
	wbuf_free(&job->dj_secret);
	free(job);
}

int
dh_derive_finish(struct dh_job *job, struct wbuf *secret,
    const char **reason)
{
	const char	*unused;
	int		 r;

	if (reason == NULL)
		reason = &unused;
	if (dh_pool_claim(job)) {
		job->dj_rc = dh_peer_compute(job->dj_key, &job->dj_peer,
		    &job->dj_secret, &job->dj_reason);
		if (job->dj_rc != 0)
			crypto_log_errors("dh_key_derive");
	}
	*reason = job->dj_reason;
	if ((r = job->dj_rc) == 0) {
		wbuf_reset(secret);
		r = wbuf_put(secret, job->dj_secret.wb_data,
		    job->dj_secret.wb_len);
	}
	dh_job_free(job);
	return (r);
}

void
dh_derive_cancel(struct dh_job *job)
{
	if (job == NULL)
		return;
	(void)dh_pool_claim(job);
	dh_job_free(job);
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
	unsigned int		 t;
	size_t			 i, k;

	if (dh_pool.dp_nthreads == 0)
		return;
	(void)pthread_mutex_lock(&dh_pool.dp_lock);
	dh_pool.dp_stop = 1;
	(void)pthread_cond_broadcast(&dh_pool.dp_cond);
	(void)pthread_mutex_unlock(&dh_pool.dp_lock);
	for (t = 0; t < dh_pool.dp_nthreads; t++)
		(void)pthread_join(dh_pool.dp_threads[t], NULL);
	dh_pool.dp_nthreads = 0;
	dh_pool.dp_idle = 0;
	for (i = 0; i < DH_POOL_GROUPS; i++) {
		pg = &dh_pool.dp_groups[i];
		for (k = 0; k < pg->pg_count; k++)
			dh_key_free(pg->pg_keys[k]);
		memset(pg, 0, sizeof(*pg));
	}
}
