/*
 * The debug file of "ikeadm set debug LEVEL FILE": a pipe that is not
 * read must not block the logger, and the lines it refused are counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/err.h"
#include "lib/log.h"

/* Far more than the 64 KB capacity of a Linux pipe by default. */
#define LOG_TEST_LINES	400
#define LOG_TEST_PAD	1000

/* Read everything in the pipe; returns the number of bytes. */
static size_t
log_test_drain(int fd, char *buf, size_t len)
{
	size_t	n = 0;
	ssize_t	r;

	while (n < len - 1 && (r = read(fd, buf + n, len - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	return (n);
}

static void
log_debug_fd_full_pipe(void **state)
{
	static char	buf[1 << 20];
	char		pad[LOG_TEST_PAD + 1];
	int		p[2], errfd, i;

	assert_int_equal(pipe(p), 0);
	assert_int_equal(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	memset(pad, 'x', LOG_TEST_PAD);
	pad[LOG_TEST_PAD] = '\0';

	/* Keep stderr, where every line also goes, out of the test output. */
	errfd = dup(STDERR_FILENO);
	assert_true(errfd >= 0);
	assert_non_null(freopen("/dev/null", "w", stderr));
	log_set_debug(D_ALL);
	assert_int_equal(log_set_debug_fd(p[1]), 0);
	assert_true((fcntl(p[1], F_GETFL) & O_NONBLOCK) != 0);

	/* A blocking write would hang here; SIGALRM then ends the test. */
	alarm(20);
	for (i = 0; i < LOG_TEST_LINES; i++)
		log_debug(D_P1, "line %d %s", i, pad);
	alarm(0);
	(void)fflush(stderr);
	assert_true(dup2(errfd, STDERR_FILENO) >= 0);
	(void)close(errfd);

	/* The pipe took the first lines and refused most of the rest. */
	assert_true(log_test_drain(p[0], buf, sizeof(buf)) <
	    LOG_TEST_LINES * LOG_TEST_PAD / 2);
	assert_non_null(strstr(buf, "line 0 "));
	log_debug(D_P1, "after the drain");
	assert_true(log_test_drain(p[0], buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "debug lines dropped: the debug file did "
	    "not take them"));
	assert_non_null(strstr(buf, "after the drain"));

	assert_int_equal(log_set_debug_fd(-1), 0);
	(void)close(p[0]);
}

static void
log_debug_fd_closed_descriptor(void **state)
{
	int	fd;

	/* A descriptor fcntl rejects is not kept. */
	fd = open("/dev/null", O_WRONLY);
	assert_true(fd >= 0);
	(void)close(fd);
	assert_int_equal(log_set_debug_fd(fd), ERR_SYSTEM);
	assert_int_equal(log_set_debug_fd(-1), 0);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(log_debug_fd_full_pipe),
		cmocka_unit_test(log_debug_fd_closed_descriptor),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
