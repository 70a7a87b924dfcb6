/*
 * One way to read and describe a registry value (rdls_regval, whose storage functions
 * sys.h declares): its type's name, its DWORD, whether it is a string, and the text every
 * command shows for it (plan's states, diagnose's evidence).
 */
#ifndef RDLS_REGVAL_H
#define RDLS_REGVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rdls/sys.h"

struct rdls_buf;

/* "REG_SZ", "REG_DWORD", ...; `unknown` (may be NULL) for a type without a name. */
const char *rdls_regval_type_name(uint32_t type, const char *unknown);
/* The little-endian 32-bit number at p (the four bytes of a REG_DWORD). */
uint32_t rdls_regval_le32(const unsigned char *p);
/* A present REG_DWORD of exactly four bytes: true, its number in *out. */
bool rdls_regval_dword(const rdls_regval *v, uint32_t *out);
/* A present REG_SZ or REG_EXPAND_SZ whose data ends with its NUL (data is a C string). */
bool rdls_regval_is_string(const rdls_regval *v);
/*
 * The value as rdlsctl shows it: "absent", "REG_SZ 'x'", "REG_DWORD 2",
 * "REG_MULTI_SZ 'a', 'b'", "REG_MULTI_SZ (empty list)", "REG_QWORD 7",
 * "REG_BINARY 00 ab", "type 42 (empty)". Strings go through rdls_buf_quote (control
 * characters, quotes and bytes that are not UTF-8 are escaped), so a planted value
 * cannot write to the terminal.
 */
void rdls_regval_describe(const rdls_regval *v, struct rdls_buf *b);
/* The same into buf (n > 0 bytes; cut short when longer, always NUL-terminated). */
void rdls_regval_describe_n(const rdls_regval *v, char *buf, size_t n);

#endif
