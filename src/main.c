/* rdlsctl: the command table, option parsing and dispatch, nothing else. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdls/cli.h"
#include "rdls/diagnose.h"
#include "rdls/platform.h"
#include "rdls/report.h"

#ifndef RDLS_VERSION
#define RDLS_VERSION "0.0.0"
#endif

/* What a command needs and accepts; the dispatcher provides and checks it, once. */
enum {
	NEEDS_PROFILE = 1 << 0,  /* a PROFILE argument is required */
	OPT_PROFILE = 1 << 1,    /* a PROFILE argument is optional (diagnose) */
	OPT_JOURNAL_ARG = 1 << 2, /* an optional JOURNAL argument (rollback) */
	NEEDS_WINDOWS = 1 << 3,  /* observes or changes a Windows machine */
	ACCEPTS_HOST = 1 << 4,   /* --host NAME */
	DIAG_OPTS = 1 << 9,      /* diagnose's --check ID, --days N */
	CHANGES_SYSTEM = 1 << 5, /* --yes; asks first on a terminal */
	APPLY_OPTS = 1 << 6,     /* --dry-run, --journal FILE, --rotate, --plan FILE */
	PLAN_OUT = 1 << 7,       /* --out FILE (plan) */
	DRY_RUN_PLANS = 1 << 10, /* --dry-run runs the "plan" command instead (apply) */
};

struct command {
	const char *name;
	rdls_cmd_fn fn;
	unsigned flags;
	const char *usage;
	const char *summary;
	const char *help;
};

static const struct command commands[] = {
	{ "validate", cmd_validate, NEEDS_PROFILE, "validate PROFILE",
	  "check the profile; touches nothing",
	  "Reads PROFILE and reports every error with its file and line: unknown sections\n"
	  "or keys, bad values, invalid names, hosts whose Windows version cannot use the\n"
	  "profile's cal_version. Works on any platform. Exit 0 when valid, 1 when not.\n" },
	{ "plan", cmd_plan, NEEDS_PROFILE | NEEDS_WINDOWS | ACCEPTS_HOST | PLAN_OUT,
	  "plan PROFILE [--host NAME] [--out FILE]", "what apply would change on this host (read-only)",
	  "Observes this host through read-only calls and prints every change apply would\n"
	  "make: + create, ~ change, - remove, with the state before and after.\n"
	  "  --out FILE      also save the plan to the new file FILE (for review; apply it\n"
	  "                  with 'apply --plan FILE'): each step's observed and wanted state,\n"
	  "                  the host, the profile's SHA-256, sealed with a SHA-256; no secret\n"
	  "Exit 0 when the host is converged, 2 when changes are pending, 1 on error.\n" },
	{ "apply", cmd_apply,
	  NEEDS_PROFILE | NEEDS_WINDOWS | ACCEPTS_HOST | CHANGES_SYSTEM | APPLY_OPTS | DRY_RUN_PLANS,
	  "apply PROFILE [--host NAME] [--dry-run] [--journal FILE] [--yes] [--rotate]\n"
	  "       rdlsctl apply --plan FILE [--yes] [--journal FILE]",
	  "make this host match the profile",
	  "Shows the plan, asks for confirmation on a terminal (--yes skips the question;\n"
	  "without a terminal and without --yes it refuses with exit 3), then performs each\n"
	  "step after writing its prior state to the journal. If a step fails, the steps\n"
	  "already done are undone, newest first.\n"
	  "  --dry-run       exactly 'plan'\n"
	  "  --journal FILE  write the journal to FILE (default: %ProgramData%\\rdlsctl\\journal\\)\n"
	  "  --rotate        rewrite stored credentials even when unchanged\n"
	  "  --plan FILE     apply exactly the plan saved by 'plan --out FILE': refused (exit 1,\n"
	  "                  nothing changed) when the file was altered, is of a newer format or\n"
	  "                  for another computer, the profile changed, or any step's state\n"
	  "                  differs from what the plan was made from\n"
	  "Exit 0 on success, 1 on error (rolled back), 4 if the rollback was incomplete.\n" },
	{ "rollback", cmd_rollback, OPT_JOURNAL_ARG | NEEDS_WINDOWS | CHANGES_SYSTEM,
	  "rollback [JOURNAL] [--yes]", "undo an apply (default: the newest journal)",
	  "Undoes the steps recorded in JOURNAL, newest first, where the live state is still\n"
	  "what apply left; anything changed since is reported, not overwritten. Running it\n"
	  "twice is harmless. Exit 0 when everything was restored, 4 when something could\n"
	  "not be (the output says what), 1 on error.\n" },
	{ "status", cmd_status, NEEDS_PROFILE | NEEDS_WINDOWS | ACCEPTS_HOST,
	  "status PROFILE [--host NAME]", "verify the live state, as the licensing service sees it",
	  "Checks what the RD Licensing service itself relies on: the accounts group value\n"
	  "and its resolution to a local group, the peer account's membership, the peer\n"
	  "credentials in the NETWORK SERVICE context, publication or specified servers.\n"
	  "Exit 0 when everything holds, 2 when something does not.\n" },
	{ "diagnose", cmd_diagnose, OPT_PROFILE | NEEDS_WINDOWS | ACCEPTS_HOST | DIAG_OPTS,
	  "diagnose [PROFILE] [--host NAME] [--check ID] [--warn-available N] [--days N]",
	  "\"no license servers available\" checks, with remedies",
	  "Read-only checks from the troubleshooting document, each with its evidence,\n"
	  "cause and remedy: licensing mode, specified license servers (name, TCP 135),\n"
	  "the RD Licensing role, CAL versions, the accounts group value, peer credentials,\n"
	  "what Remote Desktop Services reports (Win32_TerminalServiceSetting). A check\n"
	  "whose source is missing is reported as not run. With PROFILE, also every\n"
	  "difference from the profile (as plan reports it); --host picks its section.\n"
	  "--check ID runs one check and the checks it depends on (docs/diagnose.md).\n"
	  "On a license server: activation, the installed CAL packs (version, type, how many\n"
	  "are left), the domain's Terminal Server License Servers group, the license server\n"
	  "security group policy. --warn-available N warns when N or fewer CALs of a kind are\n"
	  "left (default: 10% of its total).\n"
	  "The event log: what the licensing service and Remote Desktop Services logged;\n"
	  "--days N looks N days back (1 to 365, default 7).\n"
	  "Exit 0 when nothing needs action, 2 when a finding does, 1 on error.\n" },
};

static const char common_help[] =
	"Common options:\n"
	"  --json       one JSON document on stdout, nothing else there\n"
	"  --quiet      only errors, warnings and the result\n"
	"  --verbose    more detail about each step\n"
	"  --no-color   no colour (colour is used only on a terminal anyway)\n"
	"  --host NAME  which [license_server]/[session_host] section applies\n"
	"               (default: this computer's NetBIOS name)\n";

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void print_usage(FILE *f)
{
	fputs("usage: rdlsctl COMMAND [OPTIONS]\n\n"
	      "Makes Remote Desktop license servers trust each other and points session hosts\n"
	      "at them, as Microsoft documents after the CVE-2024-38231 update.\n\nCommands:\n",
	      f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("  help       help [COMMAND]\n\n", f);
	fputs(common_help, f);
	fputs("\nExit codes: 0 success (nothing to change), 1 error, 2 changes or findings\n"
	      "pending, 3 usage error, 4 incomplete rollback.\n",
	      f);
}

static int cmd_help(const char *topic, FILE *out, FILE *err)
{
	if (!topic || strcmp(topic, "help") == 0) {
		print_usage(out);
		return RDLS_EXIT_OK;
	}
	const struct command *c = find_command(topic);
	if (!c) {
		const struct rdls_opts to = { .err = err };
		rdls_error(&to, "unknown command '%s' (see 'rdlsctl help')", topic);
		return RDLS_EXIT_USAGE;
	}
	fprintf(out, "usage: rdlsctl %s\n\n%s\n%s", c->usage, c->help, common_help);
	return RDLS_EXIT_OK;
}

/* The last usage error, for the --json document of its command. */
static char usage_text[1024];

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(usage_text, sizeof(usage_text), fmt, ap);
	va_end(ap);
	if (cmd)
		rdls_error(NULL, "%s (see 'rdlsctl help %s')", usage_text, cmd);
	else
		rdls_error(NULL, "%s (see 'rdlsctl help')", usage_text);
	return RDLS_EXIT_USAGE;
}

/* --json anywhere after the command: a usage error is then reported as its document too. */
static bool wants_json(int argc, char **argv)
{
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0)
			return true;
	return false;
}

/* Value of "--opt VALUE" or "--opt=VALUE"; NULL if argv[*i] is not opt. */
static const char *opt_value(int argc, char **argv, int *i, const char *opt, bool *missing)
{
	size_t n = strlen(opt);
	if (strncmp(argv[*i], opt, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

/* A decimal count 0..UINT32_MAX, digits only. */
static bool parse_count(const char *s, uint32_t *out)
{
	unsigned long long v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long long)(*s - '0');
		if (v > 0xFFFFFFFFull)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

static int parse(int argc, char **argv, const struct command **cmd, struct rdls_opts *o)
{
	const struct command *c = find_command(argv[1]);
	*cmd = c;
	if (!c)
		return usage_error(NULL, "unknown command '%s'", argv[1]);

	int positional = 0;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v;
		bool missing = false;
		if (strcmp(a, "--json") == 0)
			o->json = true;
		else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)
			o->quiet = true;
		else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0)
			o->verbose = true;
		else if (strcmp(a, "--no-color") == 0 || strcmp(a, "--no-colour") == 0)
			o->color = false;
		else if ((c->flags & CHANGES_SYSTEM) && (strcmp(a, "--yes") == 0 || strcmp(a, "-y") == 0))
			o->yes = true;
		else if ((c->flags & APPLY_OPTS) && strcmp(a, "--dry-run") == 0)
			o->dry_run = true;
		else if ((c->flags & APPLY_OPTS) && strcmp(a, "--rotate") == 0)
			o->rotate = true;
		else if ((c->flags & ACCEPTS_HOST) &&
			 ((v = opt_value(argc, argv, &i, "--host", &missing)) || missing)) {
			if (missing || !*v)
				return usage_error(c->name, "--host needs a computer name");
			o->host = v;
		} else if ((c->flags & DIAG_OPTS) &&
			   ((v = opt_value(argc, argv, &i, "--check", &missing)) || missing)) {
			if (missing || !*v)
				return usage_error(c->name, "--check needs a check id");
			if (!rdls_diagnose_check_known(v))
				return usage_error(c->name, "no check '%s' (docs/diagnose.md lists them)", v);
			o->check = v;
		} else if ((c->flags & DIAG_OPTS) &&
			   ((v = opt_value(argc, argv, &i, "--warn-available", &missing)) || missing)) {
			if (missing || !parse_count(v, &o->warn_available))
				return usage_error(c->name, "--warn-available needs a number of licenses "
							    "(0 to 4294967295), not '%s'",
						   missing ? "" : v);
			o->warn_available_set = true;
		} else if ((c->flags & DIAG_OPTS) &&
			   ((v = opt_value(argc, argv, &i, "--days", &missing)) || missing)) {
			uint32_t d = 0;
			if (missing || !*v)
				return usage_error(c->name, "--days needs a number of days (1 to 365)");
			if (!parse_count(v, &d) || d < 1 || d > RDLS_LOGEVT_DAYS_MAX)
				return usage_error(c->name, "--days '%s' is not a number from 1 to 365", v);
			o->days = (unsigned)d;
		} else if ((c->flags & APPLY_OPTS) &&
			   ((v = opt_value(argc, argv, &i, "--journal", &missing)) || missing)) {
			if (missing || !*v)
				return usage_error(c->name, "--journal needs a file name");
			o->journal = v;
		} else if ((c->flags & PLAN_OUT) &&
			   ((v = opt_value(argc, argv, &i, "--out", &missing)) || missing)) {
			if (missing || !*v)
				return usage_error(c->name, "--out needs a file name");
			o->plan_out = v;
		} else if ((c->flags & APPLY_OPTS) &&
			   ((v = opt_value(argc, argv, &i, "--plan", &missing)) || missing)) {
			if (missing || !*v)
				return usage_error(c->name, "--plan needs a file name");
			o->plan_file = v;
		} else if (a[0] == '-' && a[1] != '\0') {
			return usage_error(c->name, "unknown option '%s' for '%s'", a, c->name);
		} else if (positional == 0 && (c->flags & (NEEDS_PROFILE | OPT_PROFILE))) {
			o->profile = a;
			positional++;
		} else if (positional == 0 && (c->flags & OPT_JOURNAL_ARG)) {
			o->journal = a;
			positional++;
		} else {
			return usage_error(c->name, "unexpected argument '%s' for '%s'", a, c->name);
		}
	}
	/* A saved plan names its profile and host, and is exactly a plan: nothing to add. */
	if (o->plan_file && (o->profile || o->host || o->dry_run || o->rotate))
		return usage_error(c->name, "--plan FILE takes no %s: the saved plan decides",
				   o->profile ? "PROFILE" : o->host ? "--host" : o->dry_run ? "--dry-run"
				   : "--rotate");
	if ((c->flags & NEEDS_PROFILE) && !o->profile && !o->plan_file)
		return usage_error(c->name, "'%s' needs a PROFILE argument", c->name);
	return 0;
}

int main(int argc_in, char **argv_in)
{
	int argc = 0, rc;
	char **argv = NULL;
	char why[128];

	/* Before anything can load a DLL: also the NETWORK SERVICE helper below. */
	int hardened = rdls_platform_harden(why, sizeof(why));
	rc = rdls_platform_helper_main(argc_in, argv_in);
	if (rc >= 0)
		return rc;
	unsigned console = rdls_platform_console_init();
	if (hardened != 0)
		rdls_warning(NULL, "DLLs may load from outside System32: %s", why);
	if (rdls_platform_args(argc_in, argv_in, &argc, &argv) != 0) {
		rdls_error(NULL, "cannot read the command line as Unicode");
		rdls_platform_console_restore(console);
		return RDLS_EXIT_ERROR;
	}

	struct rdls_opts o = {
		.in = stdin,
		.out = stdout,
		.err = stderr,
		.stdin_is_tty = rdls_platform_isatty(stdin),
		.color = rdls_platform_isatty(stdout) && !getenv("NO_COLOR"),
	};

	if (argc < 2) {
		print_usage(stderr);
		rc = RDLS_EXIT_USAGE;
		goto out;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("rdlsctl %s (%s build)\n", RDLS_VERSION,
		       rdls_platform_is_windows() ? "Windows" : "native, validate only");
		rc = RDLS_EXIT_OK;
		goto out;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		if (argc > 3) {
			rc = usage_error("help", "help takes at most one COMMAND");
			goto out;
		}
		rc = cmd_help(argc > 2 ? argv[2] : NULL, stdout, stderr);
		goto out;
	}

	const struct command *c = NULL;
	rc = parse(argc, argv, &c, &o);
	if (rc != 0) {
		/* A known command with --json still prints its document; an unknown one has none. */
		if (c && wants_json(argc, argv)) {
			o.json = true;
			o.command = c->name;
			rdls_report_failure_json(&o, o.host, NULL, usage_text, rc);
		}
		goto out;
	}
	o.command = c->name;
	const struct command *run = c; /* the row whose function runs */
	if ((c->flags & DRY_RUN_PLANS) && o.dry_run && find_command("plan")) {
		run = find_command("plan"); /* apply --dry-run is exactly plan */
		o.command = run->name;
	}

	const struct rdls_report_env failed = { .host = o.host, .profile = o.profile,
						.exit_code = RDLS_EXIT_ERROR };
	if ((c->flags & NEEDS_WINDOWS) && !rdls_platform_is_windows()) {
		rc = rdls_report_fail(&o, &failed,
				      "'%s' needs Windows: it reads the local account database, the "
				      "registry and the NETWORK SERVICE credential store. This native "
				      "build only validates profiles; run build/win/rdlsctl.exe "
				      "(scripts/rdlsctl-wine under Wine) or rdlsctl.exe on the server",
				      c->name);
		goto out;
	}

	struct rdls_sys sys;
	rdls_err err;
	rdls_err_clear(&err);
	if (rdls_platform_sys_new(&sys, &err) != 0) {
		rdls_errmsg em;
		rc = rdls_report_fail(&o, &failed, "cannot start: %s", rdls_errmsg_of(&err, &em));
		goto out;
	}
	if (c->flags & NEEDS_WINDOWS) {
		struct rdls_warner w = rdls_cli_warner(&o);
		rdls_trust_check_exe(&sys, &w);
	}
	rc = run->fn(&o, &sys);
	rdls_platform_sys_free(&sys);
out:
	fflush(stdout);
	fflush(stderr);
	rdls_platform_console_restore(console);
	rdls_platform_args_free(argc, argv);
	return rc;
}
