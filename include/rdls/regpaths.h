/*
 * Every registry key rdlsctl reads or writes, under HKLM, in one place. The
 * documentation of each (who writes it, who reads it) is docs/diagnose.md for the
 * keys diagnose reads and src/writable.c for the ones apply may write.
 */
#ifndef RDLS_REGPATHS_H
#define RDLS_REGPATHS_H

/* The licensing service's parameters: its accounts group and SpecifiedLicenseServers. */
#define RDLS_KEY_LICENSING "SYSTEM\\CurrentControlSet\\Services\\TermServLicensing\\Parameters"
/* The Remote Desktop Services policy key: LicenseServers and LicensingMode. */
#define RDLS_KEY_TS_POLICY "SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services"
/*
 * The same policy key as Registry.pol names it. PReg files spell it "Software\..." (as
 * gpedit.msc writes them) and rdlsctl keeps an existing file's bytes, so this spelling is
 * what a wanted Registry.pol holds; the registry itself ignores the case.
 */
#define RDLS_GPO_POLICY_KEY "Software\\Policies\\Microsoft\\Windows NT\\Terminal Services"

/* What a Connection Broker deployment sets for its session hosts. */
#define RDLS_KEY_TS_BROKER_LS \
	"SYSTEM\\CurrentControlSet\\Services\\TermService\\Parameters\\LicenseServers"
/* Remote Desktop Services' own settings (grace period, local licensing mode). */
#define RDLS_KEY_RCM "SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM"
#define RDLS_KEY_RCM_LICENSING \
	"SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\RCM\\Licensing Core"

/* The LSA's settings: DisableDomainCreds (may domain-password credentials be stored). */
#define RDLS_KEY_LSA "SYSTEM\\CurrentControlSet\\Control\\Lsa"

/* The event source rdlsctl registers (src/win32/eventlog.c). */
#define RDLS_KEY_EVENT_SOURCE "SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\rdlsctl"

#endif
