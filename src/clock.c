/* The time through the system interface, and UTC as text (include/rdls/clock.h). */
#include <stdio.h>

#include "rdls/clock.h"

int64_t rdls_clock_now(struct rdls_sys *sys)
{
	int64_t t = -1;
	rdls_err e;
	rdls_err_clear(&e);
	if (!sys->ops->clock_now || sys->ops->clock_now(sys->ctx, &t, &e) != 0 || t < 0)
		return -1;
	return t;
}

void rdls_utc_format(int64_t t, bool compact, char *buf, size_t n)
{
	if (t < 0) {
		snprintf(buf, n, "unknown");
		return;
	}
	int64_t days = t / 86400, rem = t % 86400;
	/* The proleptic Gregorian date of a day count (H. Hinnant's civil_from_days). */
	int64_t z = days + 719468;
	int64_t era = z / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2);
	snprintf(buf, n,
		 compact ? "%04lld%02lld%02lldT%02lld%02lld%02lldZ"
			 : "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ",
		 (long long)y, (long long)m, (long long)d, (long long)(rem / 3600),
		 (long long)(rem / 60 % 60), (long long)(rem % 60));
}
