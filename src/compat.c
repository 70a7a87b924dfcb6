/*
 * The version compatibility tables of the troubleshooting document ("Cannot
 * connect to RDS because there are no RD Licensing servers available to issue
 * licenses", section "Make sure that the versions of your RDS CALs, RD Session
 * Hosts, and RD License Servers are compatible"), cell for cell.
 *
 * The document's rows stop at 2019 and its columns at the RDS 2019 CAL; its
 * first row is "2008, 2008 R2", so RDLS_OS_2008 and RDLS_OS_2008R2 carry the
 * same cells. rdlsctl extends both tables to 2022 and 2025 (marked "ext" below)
 * by the rule every documented cell follows:
 *   - a session host needs a CAL of at least its own version;
 *   - a license server issues CALs up to its own version.
 * rdls_compat_documented() tells the two kinds of cell apart, so that
 * messages can say which one they rely on.
 */
#include "rdls/model.h"

#define Y true
#define N false

/* Columns: 2008r2, 2012, 2016, 2019 | ext: 2022, 2025 */
static const bool session_host[RDLS_OS_COUNT][RDLS_CAL_COUNT] = {
	[RDLS_OS_2008]   = { Y, Y, Y, Y, /* ext */ Y, Y },
	[RDLS_OS_2008R2] = { Y, Y, Y, Y, /* ext */ Y, Y },
	[RDLS_OS_2012]   = { N, Y, Y, Y, /* ext */ Y, Y },
	[RDLS_OS_2012R2] = { N, Y, Y, Y, /* ext */ Y, Y },
	[RDLS_OS_2016]   = { N, N, Y, Y, /* ext */ Y, Y },
	[RDLS_OS_2019]   = { N, N, N, Y, /* ext */ Y, Y },
	/* ext: rows not in the document */
	[RDLS_OS_2022]   = { N, N, N, N, Y, Y },
	[RDLS_OS_2025]   = { N, N, N, N, N, Y },
};

/* Columns: 2008r2, 2012, 2016, 2019 | ext: 2022, 2025 */
static const bool license_server[RDLS_OS_COUNT][RDLS_CAL_COUNT] = {
	[RDLS_OS_2008]   = { Y, N, N, N, /* ext */ N, N },
	[RDLS_OS_2008R2] = { Y, N, N, N, /* ext */ N, N },
	[RDLS_OS_2012]   = { Y, Y, N, N, /* ext */ N, N },
	[RDLS_OS_2012R2] = { Y, Y, N, N, /* ext */ N, N },
	[RDLS_OS_2016]   = { Y, Y, Y, N, /* ext */ N, N },
	[RDLS_OS_2019]   = { Y, Y, Y, Y, /* ext */ N, N },
	/* ext: rows not in the document */
	[RDLS_OS_2022]   = { Y, Y, Y, Y, Y, N },
	[RDLS_OS_2025]   = { Y, Y, Y, Y, Y, Y },
};

#undef Y
#undef N

static bool in_range(enum rdls_os os, enum rdls_cal cal)
{
	return (unsigned)os < RDLS_OS_COUNT && (unsigned)cal < RDLS_CAL_COUNT;
}

bool rdls_compat_session_host(enum rdls_os sh, enum rdls_cal cal)
{
	return in_range(sh, cal) && session_host[sh][cal];
}

bool rdls_compat_license_server(enum rdls_os ls, enum rdls_cal cal)
{
	return in_range(ls, cal) && license_server[ls][cal];
}

bool rdls_compat_documented(enum rdls_os os, enum rdls_cal cal)
{
	return in_range(os, cal) && os <= RDLS_OS_2019 && cal <= RDLS_CAL_2019;
}

enum rdls_cal rdls_cal_of_os(enum rdls_os os)
{
	switch (os) {
	case RDLS_OS_2008:
	case RDLS_OS_2008R2: return RDLS_CAL_2008R2;
	case RDLS_OS_2012:
	case RDLS_OS_2012R2: return RDLS_CAL_2012;
	case RDLS_OS_2016: return RDLS_CAL_2016;
	case RDLS_OS_2019: return RDLS_CAL_2019;
	case RDLS_OS_2022: return RDLS_CAL_2022;
	case RDLS_OS_2025:
	case RDLS_OS_COUNT: break;
	}
	return RDLS_CAL_2025;
}
