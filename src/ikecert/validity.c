/*
 * Validity times of ikecert -S and -F: relative offsets such as "+1y",
 * "-2d" or "+1y6M2w" (s, m, h, d, w, M, y), or absolute UTC dates.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ikecert/ikecert.h"
#include "lib/err.h"

/* Add n units to tm; calendar units go through timegm() normalisation. */
static int
validity_add(struct tm *tm, long n, char unit)
{
	switch (unit) {
	case 's':
		tm->tm_sec += (int)n;
		break;
	case 'm':
		tm->tm_min += (int)n;
		break;
	case 'h':
		tm->tm_hour += (int)n;
		break;
	case 'd':
		tm->tm_mday += (int)n;
		break;
	case 'w':
		tm->tm_mday += (int)(7 * n);
		break;
	case 'M':
		tm->tm_mon += (int)n;
		break;
	case 'y':
		tm->tm_year += (int)n;
		break;
	default:
		return (ERR_MALFORMED);
	}
	return (0);
}

static int
validity_relative(const char *s, int64_t now, int64_t *out)
{
	struct tm	 tm;
	time_t		 t = (time_t)now;
	char		*end;
	long		 n, sign = *s == '-' ? -1 : 1;

	if (gmtime_r(&t, &tm) == NULL)
		return (ERR_MALFORMED);
	s++;
	if (*s == '\0')
		return (ERR_MALFORMED);
	while (*s != '\0') {
		if (!isdigit((unsigned char)*s))
			return (ERR_MALFORMED);
		n = strtol(s, &end, 10);
		if (n > 100000 || *end == '\0')
			return (ERR_MALFORMED);
		if (validity_add(&tm, sign * n, *end) != 0)
			return (ERR_MALFORMED);
		s = end + 1;
	}
	*out = (int64_t)timegm(&tm);
	return (0);
}

static const char *const validity_formats[] = {
	"%Y-%m-%d %H:%M:%S",
	"%Y-%m-%dT%H:%M:%S",
	"%Y-%m-%d %H:%M",
	"%Y-%m-%d",
	"%m/%d/%Y %H:%M:%S",
	"%m/%d/%Y",
	"%b %d %Y %H:%M:%S",
	"%b %d %Y",
};

/*
 * strptime accepts any day from 1 to 31 and timegm would carry
 * 2027-02-30 into March, so the day must exist in its month.
 */
static int
validity_day_exists(const struct tm *tm)
{
	static const int	 days[12] = { 31, 28, 31, 30, 31, 30, 31, 31,
				    30, 31, 30, 31 };
	int			 year = tm->tm_year + 1900, max;

	if (tm->tm_mon < 0 || tm->tm_mon > 11)
		return (0);
	max = days[tm->tm_mon];
	if (tm->tm_mon == 1 && ((year % 4 == 0 && year % 100 != 0) ||
	    year % 400 == 0))
		max = 29;
	return (tm->tm_mday >= 1 && tm->tm_mday <= max);
}

int
validity_parse(const char *text, int64_t now, int64_t *out)
{
	struct tm	 tm;
	const char	*end;
	size_t		 i;

	if (text[0] == '+' || text[0] == '-')
		return (validity_relative(text, now, out));
	for (i = 0; i < sizeof(validity_formats) / sizeof(validity_formats[0]);
	    i++) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(text, validity_formats[i], &tm);
		if (end == NULL)
			continue;
		while (*end == ' ')
			end++;
		if (*end != '\0' && strcmp(end, "UTC") != 0 &&
		    strcmp(end, "GMT") != 0)
			continue;
		if (!validity_day_exists(&tm))
			return (ERR_MALFORMED);
		*out = (int64_t)timegm(&tm);
		return (0);
	}
	return (ERR_MALFORMED);
}

int64_t
validity_add_years(int64_t now, int years)
{
	struct tm	tm;
	time_t		t = (time_t)now;

	if (gmtime_r(&t, &tm) == NULL)
		return (now + (int64_t)years * 365 * 86400);
	tm.tm_year += years;
	return ((int64_t)timegm(&tm));
}
