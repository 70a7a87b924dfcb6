/*
 * samctl: drives the local account functions of netapi32 from a separate Wine process,
 * for the Wine tests. Run from a directory holding the netapi32 stand-in it exercises
 * the stand-in (tests/wine/fakesam); run elsewhere, Wine's own netapi32.
 *
 *   samctl useradd NAME [LEVEL]        NetUserAdd with USER_INFO_1 (password: a fixed test value)
 *   samctl useradd-nopw NAME           NetUserAdd with a NULL password
 *   samctl userdel NAME                NetUserDel
 *   samctl user NAME [LEVEL]           NetUserGetInfo (level 0, 1, 10 or 20)
 *   samctl setpw NAME                  NetUserSetInfo level 1003
 *   samctl groupadd NAME [LEVEL]       NetLocalGroupAdd (level 0 or 1)
 *   samctl groupdel NAME               NetLocalGroupDel
 *   samctl group NAME [LEVEL]          NetLocalGroupGetInfo
 *   samctl members GROUP [LEVEL [PREFMAXLEN]]  NetLocalGroupGetMembers, following the resume handle
 *   samctl addmember GROUP MEMBER...   NetLocalGroupAddMembers level 3 ("DOMAIN\name")
 *   samctl delmember GROUP MEMBER...   NetLocalGroupDelMembers level 3
 *   samctl addsid GROUP MEMBER         level 0: the SID of MEMBER taken from a level-2 listing
 *   samctl join                        NetGetJoinInformation
 *   samctl which                       the path of the netapi32.dll this process loaded
 *   samctl dump                        the whole database, sorted, one line an item:
 *                                        user NAME priv=P flags=HEX password=none|set|set:N
 *                                        group NAME
 *                                        member GROUP\USER
 *   samctl userline NAME               the "user" line of dump for NAME
 *
 * Prints "API status=N" then the data, one item a line; exits 0 when the call returned
 * NERR_Success, 1 when it returned anything else, 2 on a usage error. dump and userline
 * print only the data, report a call that failed on stderr ("NetUserEnum returned 5"),
 * and exit 1 only for "no such user" (userline: 2221 NERR_UserNotFound), else 2.
 *
 * dump reads through the APIs (NetUserEnum, NetUserGetInfo level 1, NetLocalGroupEnum,
 * NetLocalGroupGetMembers level 1), so it sees what rdlsctl would see from another process;
 * the password column comes from the stand-in's RdlsFakeSamPasswordState, since no
 * netapi32 function tells whether a password was set (on Windows: usri1_password_age).
 */
/* glibc hides u_short under -std=c11, which winsock.h (pulled in by windows.h) needs. */
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#include <lm.h>
#include <sddl.h>

#ifndef FILTER_NORMAL_ACCOUNT /* missing from Wine's lmaccess.h */
#define FILTER_NORMAL_ACCOUNT 0x0002
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

static char *u8(const WCHAR *w)
{
	static char buf[4][2048];
	static int slot;
	char *b = buf[slot++ & 3];
	if (!w)
		return strcpy(b, "(null)");
	if (!WideCharToMultiByte(CP_UTF8, 0, w, -1, b, 2048, NULL, NULL))
		strcpy(b, "?");
	return b;
}

static int report(const char *api, NET_API_STATUS st)
{
	printf("%s status=%lu\n", api, (unsigned long)st);
	return st == NERR_Success ? 0 : 1;
}

static void print_sid(const char *label, PSID sid)
{
	LPWSTR s = NULL;
	if (sid && ConvertSidToStringSidW(sid, &s)) {
		printf("%s=%s", label, u8(s));
		LocalFree(s);
	} else {
		printf("%s=?", label);
	}
}

/* --- dump ------------------------------------------------------------------------ */

typedef struct {
	char **v;
	size_t n;
} lines;

static int add_line(lines *l, const char *s)
{
	char **grown = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	char *copy = malloc(strlen(s) + 1);
	if (!grown || !copy) {
		free(copy);
		if (grown)
			l->v = grown;
		fprintf(stderr, "samctl: out of memory\n");
		return 2;
	}
	l->v = grown;
	l->v[l->n++] = strcpy(copy, s);
	return 0;
}

static int failed(const char *api, NET_API_STATUS st)
{
	fprintf(stderr, "%s returned %lu\n", api, (unsigned long)st);
	return st == NERR_UserNotFound ? 1 : 2;
}

typedef NET_API_STATUS(WINAPI *pw_state_fn)(LPCWSTR, LPDWORD, LPDWORD);

/* The dump line of one user, into buf. */
static int user_line(const WCHAR *name, char *buf, size_t n)
{
	LPBYTE info = NULL;
	DWORD set = 0, changes = 0;
	char pw[32];
	NET_API_STATUS st;
	FARPROC f = GetProcAddress(GetModuleHandleW(L"netapi32.dll"), "RdlsFakeSamPasswordState");
	if (!f) {
		fprintf(stderr, "samctl: this netapi32 has no RdlsFakeSamPasswordState: not the stand-in\n");
		return 2;
	}
	st = NetUserGetInfo(NULL, name, 1, &info);
	if (st != NERR_Success)
		return failed("NetUserGetInfo", st);
	st = ((pw_state_fn)(void (*)(void))f)(name, &set, &changes);
	if (st != NERR_Success) {
		NetApiBufferFree(info);
		return failed("RdlsFakeSamPasswordState", st);
	}
	if (set && changes)
		snprintf(pw, sizeof(pw), "set:%lu", (unsigned long)changes);
	else
		snprintf(pw, sizeof(pw), "%s", set ? "set" : "none");
	snprintf(buf, n, "user %s priv=%lu flags=%08lx password=%s",
		 u8(((USER_INFO_1 *)info)->usri1_name), (unsigned long)((USER_INFO_1 *)info)->usri1_priv,
		 (unsigned long)((USER_INFO_1 *)info)->usri1_flags, pw);
	NetApiBufferFree(info);
	return 0;
}

static int dump_members(const WCHAR *group, lines *out)
{
	DWORD_PTR resume = 0;
	NET_API_STATUS st;
	char line[4096];
	do {
		LPBYTE buf = NULL;
		DWORD read = 0, total = 0;
		st = NetLocalGroupGetMembers(NULL, group, 1, &buf, MAX_PREFERRED_LENGTH, &read,
					     &total, &resume);
		if (st != NERR_Success && st != ERROR_MORE_DATA) {
			if (buf)
				NetApiBufferFree(buf);
			return failed("NetLocalGroupGetMembers", st);
		}
		for (DWORD i = 0; buf && i < read; i++) {
			snprintf(line, sizeof(line), "member %s\\%s", u8(group),
				 u8(((LOCALGROUP_MEMBERS_INFO_1 *)buf)[i].lgrmi1_name));
			if (add_line(out, line)) {
				NetApiBufferFree(buf);
				return 2;
			}
		}
		if (buf)
			NetApiBufferFree(buf);
	} while (st == ERROR_MORE_DATA);
	return 0;
}

static int by_bytes(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmd_dump(void)
{
	lines out = { NULL, 0 };
	DWORD_PTR gresume = 0;
	DWORD uresume = 0;
	NET_API_STATUS st;
	char line[4096];
	int rc = 0;

	if (!GetProcAddress(GetModuleHandleW(L"netapi32.dll"), "RdlsFakeSamPasswordState")) {
		fprintf(stderr, "samctl: this netapi32 has no RdlsFakeSamPasswordState: not the stand-in\n");
		return 2;
	}
	do {
		LPBYTE buf = NULL;
		DWORD read = 0, total = 0;
		st = NetUserEnum(NULL, 0, FILTER_NORMAL_ACCOUNT, &buf, MAX_PREFERRED_LENGTH, &read,
				 &total, &uresume);
		if (st != NERR_Success && st != ERROR_MORE_DATA)
			rc = failed("NetUserEnum", st);
		for (DWORD i = 0; !rc && buf && i < read; i++)
			rc = user_line(((USER_INFO_0 *)buf)[i].usri0_name, line, sizeof(line)) ||
					     add_line(&out, line)
				     ? 2
				     : 0;
		if (buf)
			NetApiBufferFree(buf);
	} while (!rc && st == ERROR_MORE_DATA);
	do {
		LPBYTE buf = NULL;
		DWORD read = 0, total = 0;
		if (rc)
			break;
		st = NetLocalGroupEnum(NULL, 0, &buf, MAX_PREFERRED_LENGTH, &read, &total, &gresume);
		if (st != NERR_Success && st != ERROR_MORE_DATA)
			rc = failed("NetLocalGroupEnum", st);
		for (DWORD i = 0; !rc && buf && i < read; i++) {
			const WCHAR *g = ((LOCALGROUP_INFO_0 *)buf)[i].lgrpi0_name;
			snprintf(line, sizeof(line), "group %s", u8(g));
			rc = add_line(&out, line) || dump_members(g, &out) ? 2 : 0;
		}
		if (buf)
			NetApiBufferFree(buf);
	} while (!rc && st == ERROR_MORE_DATA);
	if (!rc && out.n)
		qsort(out.v, out.n, sizeof(*out.v), by_bytes);
	for (size_t i = 0; i < out.n; i++) {
		if (!rc)
			printf("%s\n", out.v[i]);
		free(out.v[i]);
	}
	free(out.v);
	return rc;
}

static int usage(void)
{
	fprintf(stderr, "usage: samctl COMMAND ARGS (see tests/wine/probes/samctl.c)\n");
	return 2;
}

static int cmd_members(WCHAR *group, DWORD level, DWORD prefmax)
{
	DWORD_PTR resume = 0;
	NET_API_STATUS st;
	int calls = 0;
	do {
		LPBYTE buf = NULL;
		DWORD read = 0, total = 0;
		st = NetLocalGroupGetMembers(NULL, group, level, &buf, prefmax, &read, &total,
					     &resume);
		calls++;
		printf("NetLocalGroupGetMembers status=%lu read=%lu total=%lu\n", (unsigned long)st,
		       (unsigned long)read, (unsigned long)total);
		if (st != NERR_Success && st != ERROR_MORE_DATA) {
			if (buf)
				NetApiBufferFree(buf);
			return 1;
		}
		for (DWORD i = 0; buf && i < read; i++) {
			switch (level) {
			case 0:
				print_sid("sid", ((LOCALGROUP_MEMBERS_INFO_0 *)buf)[i].lgrmi0_sid);
				printf("\n");
				break;
			case 1: {
				LOCALGROUP_MEMBERS_INFO_1 *m = &((LOCALGROUP_MEMBERS_INFO_1 *)buf)[i];
				printf("name=%s use=%d ", u8(m->lgrmi1_name), (int)m->lgrmi1_sidusage);
				print_sid("sid", m->lgrmi1_sid);
				printf("\n");
				break;
			}
			case 2: {
				LOCALGROUP_MEMBERS_INFO_2 *m = &((LOCALGROUP_MEMBERS_INFO_2 *)buf)[i];
				printf("member=%s use=%d ", u8(m->lgrmi2_domainandname),
				       (int)m->lgrmi2_sidusage);
				print_sid("sid", m->lgrmi2_sid);
				printf("\n");
				break;
			}
			default:
				printf("member=%s\n",
				       u8(((LOCALGROUP_MEMBERS_INFO_3 *)buf)[i].lgrmi3_domainandname));
				break;
			}
		}
		if (buf)
			NetApiBufferFree(buf);
	} while (st == ERROR_MORE_DATA && calls < 1000);
	return 0;
}

/* Level 0 needs the member's SID: take it from a level-2 listing of any group. */
static int cmd_addsid(WCHAR *group, WCHAR *member)
{
	LPBYTE buf = NULL;
	DWORD read = 0, total = 0;
	NET_API_STATUS st;
	LOCALGROUP_MEMBERS_INFO_0 m = { NULL };
	WCHAR *from = w16(getenv("SAMCTL_SID_FROM") ? getenv("SAMCTL_SID_FROM") : "");

	st = NetLocalGroupGetMembers(NULL, from, 2, &buf, MAX_PREFERRED_LENGTH, &read, &total,
				     NULL);
	for (DWORD i = 0; st == NERR_Success && i < read; i++) {
		LOCALGROUP_MEMBERS_INFO_2 *e = &((LOCALGROUP_MEMBERS_INFO_2 *)buf)[i];
		if (CompareStringOrdinal(e->lgrmi2_domainandname, -1, member, -1, TRUE) ==
		    CSTR_EQUAL)
			m.lgrmi0_sid = e->lgrmi2_sid;
	}
	if (!m.lgrmi0_sid) {
		fprintf(stderr, "samctl: no SID for '%s' in group SAMCTL_SID_FROM\n", u8(member));
		return 2;
	}
	st = NetLocalGroupAddMembers(NULL, group, 0, (LPBYTE)&m, 1);
	NetApiBufferFree(buf);
	return report("NetLocalGroupAddMembers", st);
}

int main(int argc, char **argv)
{
	const char *cmd;
	WCHAR *a1;
	/* A fixed, obviously-test password: the secret scans look for other values. */
	WCHAR pw[] = L"samctl-Test-Pw1";

	if (argc < 2)
		return usage();
	cmd = argv[1];
	if (!strcmp(cmd, "which")) {
		WCHAR path[MAX_PATH];
		HMODULE h = GetModuleHandleW(L"netapi32.dll");
		if (!h || !GetModuleFileNameW(h, path, MAX_PATH))
			return 1;
		printf("%s\n", u8(path));
		return 0;
	}
	if (!strcmp(cmd, "join")) {
		LPWSTR name = NULL;
		NETSETUP_JOIN_STATUS type = NetSetupUnknownStatus;
		NET_API_STATUS st = NetGetJoinInformation(NULL, &name, &type);
		int rc = report("NetGetJoinInformation", st);
		if (st == NERR_Success) {
			printf("name=%s type=%d\n", u8(name), (int)type);
			NetApiBufferFree(name);
		}
		return rc;
	}
	if (!strcmp(cmd, "dump"))
		return cmd_dump();
	if (argc < 3)
		return usage();
	a1 = w16(argv[2]);
	if (!strcmp(cmd, "userline")) {
		char line[4096];
		int rc = user_line(a1, line, sizeof(line));
		if (rc)
			return rc;
		printf("%s\n", line);
		return 0;
	}

	if (!strcmp(cmd, "useradd") || !strcmp(cmd, "useradd-nopw")) {
		USER_INFO_1 ui = { 0 };
		DWORD perr = 0xdeadbeef;
		NET_API_STATUS st;
		ui.usri1_name = a1;
		ui.usri1_password = strcmp(cmd, "useradd") ? NULL : pw;
		ui.usri1_priv = argc > 3 ? (DWORD)strtoul(argv[3], NULL, 10) : USER_PRIV_USER;
		ui.usri1_flags = UF_SCRIPT | UF_DONT_EXPIRE_PASSWD | UF_PASSWD_CANT_CHANGE;
		st = NetUserAdd(NULL, 1, (LPBYTE)&ui, &perr);
		printf("NetUserAdd status=%lu parm_err=%lu\n", (unsigned long)st, (unsigned long)perr);
		return st == NERR_Success ? 0 : 1;
	}
	if (!strcmp(cmd, "userdel"))
		return report("NetUserDel", NetUserDel(NULL, a1));
	if (!strcmp(cmd, "setpw")) {
		/* Wine's netapi32 has no NetUserSetInfo at all: look it up at run time. */
		typedef NET_API_STATUS(WINAPI * set_info_fn)(LPCWSTR, LPCWSTR, DWORD, LPBYTE, LPDWORD);
		USER_INFO_1003 ui = { pw };
		DWORD perr = 0;
		FARPROC f = GetProcAddress(GetModuleHandleW(L"netapi32.dll"), "NetUserSetInfo");
		if (!f)
			return report("NetUserSetInfo(missing)", ERROR_PROC_NOT_FOUND);
		return report("NetUserSetInfo",
			      ((set_info_fn)(void (*)(void))f)(NULL, a1, 1003, (LPBYTE)&ui, &perr));
	}
	if (!strcmp(cmd, "user")) {
		DWORD level = argc > 3 ? (DWORD)strtoul(argv[3], NULL, 10) : 1;
		LPBYTE buf = NULL;
		NET_API_STATUS st = NetUserGetInfo(NULL, a1, level, &buf);
		int rc = report("NetUserGetInfo", st);
		if (st == NERR_Success && level == 0)
			printf("name=%s\n", u8(((USER_INFO_0 *)buf)->usri0_name));
		if (st == NERR_Success && level == 1) {
			USER_INFO_1 *u = (USER_INFO_1 *)buf;
			printf("name=%s priv=%lu flags=0x%lx password=%s comment=%s\n",
			       u8(u->usri1_name), (unsigned long)u->usri1_priv,
			       (unsigned long)u->usri1_flags,
			       u->usri1_password ? "returned" : "not-returned", u8(u->usri1_comment));
		}
		if (st == NERR_Success && level == 20)
			printf("name=%s rid=%lu\n", u8(((USER_INFO_20 *)buf)->usri20_name),
			       (unsigned long)((USER_INFO_20 *)buf)->usri20_user_id);
		if (buf)
			NetApiBufferFree(buf);
		return rc;
	}
	if (!strcmp(cmd, "groupadd")) {
		DWORD level = argc > 3 ? (DWORD)strtoul(argv[3], NULL, 10) : 1;
		LOCALGROUP_INFO_1 gi = { a1, (LPWSTR)L"samctl test group" };
		DWORD perr = 0xdeadbeef;
		NET_API_STATUS st = NetLocalGroupAdd(NULL, level, (LPBYTE)&gi, &perr);
		printf("NetLocalGroupAdd status=%lu parm_err=%lu\n", (unsigned long)st,
		       (unsigned long)perr);
		return st == NERR_Success ? 0 : 1;
	}
	if (!strcmp(cmd, "groupdel"))
		return report("NetLocalGroupDel", NetLocalGroupDel(NULL, a1));
	if (!strcmp(cmd, "group")) {
		DWORD level = argc > 3 ? (DWORD)strtoul(argv[3], NULL, 10) : 1;
		LPBYTE buf = NULL;
		NET_API_STATUS st = NetLocalGroupGetInfo(NULL, a1, level, &buf);
		int rc = report("NetLocalGroupGetInfo", st);
		if (st == NERR_Success && level == 1)
			printf("name=%s comment=%s\n", u8(((LOCALGROUP_INFO_1 *)buf)->lgrpi1_name),
			       u8(((LOCALGROUP_INFO_1 *)buf)->lgrpi1_comment));
		if (st == NERR_Success && level == 0)
			printf("name=%s\n", u8(((LOCALGROUP_INFO_0 *)buf)->lgrpi0_name));
		if (buf)
			NetApiBufferFree(buf);
		return rc;
	}
	if (!strcmp(cmd, "members")) {
		DWORD level = argc > 3 ? (DWORD)strtoul(argv[3], NULL, 10) : 3;
		DWORD prefmax = argc > 4 ? (DWORD)strtoul(argv[4], NULL, 10) : MAX_PREFERRED_LENGTH;
		return cmd_members(a1, level, prefmax);
	}
	if (!strcmp(cmd, "addmember") || !strcmp(cmd, "delmember")) {
		int n = argc - 3;
		LOCALGROUP_MEMBERS_INFO_3 *m;
		NET_API_STATUS st;
		if (n < 1)
			return usage();
		m = calloc((size_t)n, sizeof *m);
		if (!m)
			return 2;
		for (int i = 0; i < n; i++)
			m[i].lgrmi3_domainandname = w16(argv[3 + i]);
		if (!strcmp(cmd, "addmember"))
			st = NetLocalGroupAddMembers(NULL, a1, 3, (LPBYTE)m, (DWORD)n);
		else
			st = NetLocalGroupDelMembers(NULL, a1, 3, (LPBYTE)m, (DWORD)n);
		return report(!strcmp(cmd, "addmember") ? "NetLocalGroupAddMembers"
							: "NetLocalGroupDelMembers",
			      st);
	}
	if (!strcmp(cmd, "addsid") && argc > 3)
		return cmd_addsid(a1, w16(argv[3]));
	return usage();
}
