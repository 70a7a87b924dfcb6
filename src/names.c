/*
 * The name rules of Windows (computer, user, group and DNS names): the profile's
 * loader asks them, and so may any module that meets a name, so apart from the loader.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rdls/model.h"

/* ---------------------------------------------------------------- name rules */

/* Unicode characters in valid UTF-8 (the reader has rejected anything else). */
static size_t u8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static const char *why(char *buf, size_t n, const char *fmt, ...)
#if defined(__MINGW32__)
	__attribute__((format(gnu_printf, 3, 4)))
#elif defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;
static const char *why(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return buf;
}

static bool is_ctrl(unsigned char c)
{
	return c < 0x20 || c == 0x7F;
}

/* The first character of s that is in `bad` or a control character, described. */
static const char *bad_char(const char *s, const char *bad, char *buf, size_t n)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (is_ctrl(*p))
			return why(buf, n, "contains a control character");
		if (strchr(bad, *p))
			return why(buf, n, "contains '%c'", *p);
	}
	return NULL;
}

const char *rdls_check_computer_name(const char *s, char *buf, size_t n)
{
	if (!*s)
		return why(buf, n, "empty");
	const char *w = bad_char(s, "\\/:*?\"<>|", buf, n);
	if (w)
		return w;
	if (strchr(s, ' '))
		return why(buf, n, "contains a space");
	if (s[0] == '.')
		return why(buf, n, "starts with a period");
	size_t len = u8_chars(s);
	if (len > 15)
		return why(buf, n, "more than 15 characters (%zu)", len);
	return NULL;
}

static const char *account_rules(const char *s, const char *bad, size_t max, char *buf,
				 size_t n)
{
	if (!*s)
		return why(buf, n, "empty");
	const char *w = bad_char(s, bad, buf, n);
	if (w)
		return w;
	size_t len = u8_chars(s);
	if (len > max)
		return why(buf, n, "more than %zu characters (%zu)", max, len);
	if (s[strlen(s) - 1] == '.')
		return why(buf, n, "ends with a period");
	if (strspn(s, ". ") == strlen(s))
		return why(buf, n, "consists only of periods and spaces");
	return NULL;
}

const char *rdls_check_user_name(const char *s, char *buf, size_t n)
{
	return account_rules(s, "\"/\\[]:;|=,+*?<>@", 20, buf, n);
}

const char *rdls_check_group_name(const char *s, char *buf, size_t n)
{
	return account_rules(s, "\"/\\[]:;|=,+*?<>", 256, buf, n);
}

static bool dns_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

const char *rdls_check_dns_name(const char *s, char *buf, size_t n)
{
	size_t len = strlen(s);
	if (len == 0)
		return why(buf, n, "empty");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '.' || dns_char(*p))
			continue;
		if (*p >= 0x80)
			return why(buf, n, "contains a non-ASCII character (write the xn-- form)");
		if (*p == ' ')
			return why(buf, n, "contains a space");
		if (is_ctrl(*p))
			return why(buf, n, "contains a control character");
		return why(buf, n, "contains '%c'", *p);
	}
	if (s[len - 1] == '.')
		return why(buf, n, "ends with a period");
	if (len > 253)
		return why(buf, n, "more than 253 characters (%zu)", len);
	const char *label = s;
	for (;;) {
		const char *dot = strchr(label, '.');
		size_t l = dot ? (size_t)(dot - label) : strlen(label);
		if (l == 0)
			return why(buf, n, "has an empty label (two periods in a row, or a "
					   "leading period)");
		char lab[63 + 1];
		size_t show = l < 63 ? l : 63;
		memcpy(lab, label, show);
		lab[show] = '\0';
		if (l > 63)
			return why(buf, n, "label '%s...' is longer than 63 characters", lab);
		if (label[0] == '-' || label[l - 1] == '-')
			return why(buf, n, "label '%s' starts or ends with a hyphen", lab);
		if (!dot)
			break;
		label = dot + 1;
	}
	return NULL;
}
