/*
 * The time, for the core: read through the system interface (clock_now), so that the
 * fake answers a fixed time and no test depends on the clock, and written as UTC
 * without the C library's gmtime (whose result is shared, mutable state).
 */
#ifndef RDLS_CLOCK_H
#define RDLS_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rdls/sys.h"

/* Seconds since 1970-01-01T00:00:00Z, or -1 when the interface cannot tell. */
int64_t rdls_clock_now(struct rdls_sys *sys);

/* t as "2024-07-03T12:00:00Z", or compact (file names) "20240703T120000Z"; "unknown"
 * for t < 0. */
void rdls_utc_format(int64_t t, bool compact, char *buf, size_t n);

#endif
