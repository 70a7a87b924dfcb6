# rdlsctl — see README.md. Targets:
#   make            native build/rdlsctl (validate, help) and the Windows build under winegcc
#   make check      every test: unit (ASan+UBSan), mingw-w64 -Werror compile, Wine integration, fuzz smoke
#   make demo       the main job: validate, plan, apply, plan, status, rollback, plan under Wine
#   make bench      benchmark figures (no assertions)
#   make fuzz       libFuzzer harnesses, FUZZ_SECONDS each (default 60)
# New sources are picked up by wildcard: src/*.c is the portable core, src/win32/*.c the
# Win32 backend, src/posix/*.c the native stand-ins, tests/unit/test_*.c one cmocka binary each.

CC       ?= cc
CLANG    ?= clang
WINEGCC  ?= /usr/lib/wine/winegcc
MINGW    ?= x86_64-w64-mingw32-gcc
B        := build

VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
# Warnings, one variable per toolchain. WARN: the program, its unit tests and the benchmark
# (cc, clang; also the unit tests under mingw-w64, with -Wno-format, see TEST_WFLAGS).
# WINE_WARN: WARN under winegcc, attribute warnings not made errors. MINGW_WARN: mingw-w64's
# compile of every Windows source (make mingw-check). BASE_WARN, where all of them start, is
# also what the test-only tools and the fuzz harnesses are built with.
BASE_WARN  := -Wall -Wextra -Werror
WARN       := $(BASE_WARN) -Wshadow -Wstrict-prototypes -Wformat=2 -Wvla
WINE_WARN  := $(WARN) -Wno-error=attributes
MINGW_WARN := $(BASE_WARN)
# Defines of every Windows build: WIN_DEFS for all of them, WINE_CFLAGS (below) for
# winegcc, MINGW_DEFS for mingw-w64's builds of the program.
WIN_DEFS   := -DUNICODE -D_UNICODE -D_WIN32_WINNT=0x0A00
MINGW_DEFS := $(WIN_DEFS) -D__USE_MINGW_ANSI_STDIO=1
CPPFLAGS := -Iinclude -Isrc -D_POSIX_C_SOURCE=200809L -DRDLS_VERSION=\"$(VERSION)\"
CFLAGS   ?= -O2 -g
STD      := -std=c11
SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LIBS     := -linih -lcrypto

CORE_SRC  := $(sort $(filter-out src/main.c,$(wildcard src/*.c)))
POSIX_SRC := $(sort $(wildcard src/posix/*.c))
WIN_SRC   := $(sort $(wildcard src/win32/*.c))
UNIT_SUP  := $(sort $(filter-out tests/unit/test_%.c,$(wildcard tests/unit/*.c)))
# The fake system computes PBKDF2 with the native build's OpenSSL wrapper.
FAKE_SUP  := src/posix/crypto.c
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
# A mingw-w64 CC (MSYS2: make unit CC=gcc SAN=) writes test_x.exe for -o test_x.
EXE       := $(if $(findstring mingw,$(shell $(CC) -dumpmachine 2>/dev/null)),.exe)
UNIT_BIN  := $(patsubst tests/unit/%.c,$(B)/test/%$(EXE),$(UNIT_SRC))
HDRS      := $(wildcard include/rdls/*.h src/*.h src/win32/*.h tests/unit/*.h)

.SECONDARY:
.PHONY: all native win check unit mingw-check mingw wine-check wine-tools fuzz-smoke fuzz bench demo clean yaml-lint
.PHONY: ansible-lint
all: native win
native: $(B)/rdlsctl

# --- native release build ---------------------------------------------------------
$(B)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/rdlsctl: $(patsubst %.c,$(B)/obj/%.o,src/main.c $(CORE_SRC) $(POSIX_SRC))
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

# --- unit tests: core + fake system, under AddressSanitizer and UBSan --------------
# mingw-w64's gcc checks a format(printf) attribute as MS printf (no %zu):
# cmocka.h declares print_error so, and fail_msg("...%zu...") goes through it. The
# test sources therefore build without format checks there (TEST_WFLAGS); their own
# printf calls are mingw's C99 printf (_POSIX_C_SOURCE), and Linux checks them all.
# The core keeps full format checking everywhere.
TEST_WFLAGS := $(if $(EXE),-Wno-format)
$(B)/asan/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(if $(filter tests/%,$<),$(TEST_WFLAGS)) $(CPPFLAGS) -Itests/unit -DRDLS_TESTING \
	  -O1 -g $(SAN) -c -o $@ $<

ASAN_CORE := $(patsubst %.c,$(B)/asan/%.o,$(CORE_SRC) $(UNIT_SUP) $(FAKE_SUP))

$(B)/test/%$(EXE): $(B)/asan/tests/unit/%.o $(ASAN_CORE)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) -o $@ $^ $(LIBS) -lcmocka

unit: $(UNIT_BIN)
	@tests/run-unit.sh $(UNIT_BIN)

# --- Windows build with winegcc (runs under Wine) ---------------------------------
WINE_CFLAGS := -fshort-wchar $(WIN_DEFS) -DWINVER=0x0A00 -DWIN32_LEAN_AND_MEAN
WIN_LIBS    := -linih -lnetapi32 -ladvapi32 -lole32 -loleaut32 -luuid -lwbemuuid -lws2_32 -lshell32 -luser32 -lbcrypt \
	       -lwevtapi

$(B)/win/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(WINEGCC) $(STD) $(WINE_WARN) $(CPPFLAGS) $(WINE_CFLAGS) -O1 -g -c -o $@ $<

# The event log's message table (src/win32/rdlsctl_msg.mc) is linked into the program, which
# is its own EventMessageFile (src/win32/eventlog.c): Wine's wmc + wrc here, mingw-w64's
# windmc + windres for the PE builds below. wmc writes its .bin into the current directory.
WMC ?= $(firstword $(wildcard /usr/bin/wmc /usr/lib/wine/wmc) wmc)
WRC ?= $(firstword $(wildcard /usr/bin/wrc /usr/lib/wine/wrc) wrc)
MSG_MC  := src/win32/rdlsctl_msg.mc
WIN_RES := $(B)/win/msg/rdlsctl_msg.res
$(WIN_RES): $(MSG_MC)
	@mkdir -p $(dir $@)
	cd $(dir $@) && $(WMC) -U -H rdlsctl_msg.h -o rdlsctl_msg.rc $(CURDIR)/$(MSG_MC) && \
	  $(WRC) -o rdlsctl_msg.res rdlsctl_msg.rc

win: $(B)/win/rdlsctl.exe
$(B)/win/rdlsctl.exe: $(patsubst %.c,$(B)/win/obj/%.o,src/main.c $(CORE_SRC) $(WIN_SRC)) $(WIN_RES)
	$(WINEGCC) -mconsole -o $@ $^ $(WIN_LIBS)

# --- every Windows source against the real SDK headers of mingw-w64 ---------------
# Debian has no mingw-w64 inih, so the check borrows the (identical) native header.
# On MSYS2: make mingw INIH_H=/mingw64/include/ini.h (README "Building on Windows").
INIH_H ?= /usr/include/ini.h
$(B)/mingw-inc/ini.h:
	@mkdir -p $(dir $@)
	cp $(INIH_H) $@

$(B)/mingw/%.o: %.c $(HDRS) $(B)/mingw-inc/ini.h
	@mkdir -p $(dir $@)
	$(MINGW) $(STD) $(MINGW_WARN) $(CPPFLAGS) -I$(B)/mingw-inc $(MINGW_DEFS) -O2 -c -o $@ $<

# The unit tests as well (make unit CC=gcc SAN= builds and runs them on MSYS2, see
# .github/workflows/windows.yml), with cmocka.h borrowed like ini.h (MSYS2:
# CMOCKA_H=/mingw64/include/cmocka.h) and without format checks (TEST_WFLAGS above).
CMOCKA_H ?= /usr/include/cmocka.h
$(B)/mingw-inc/cmocka.h:
	@mkdir -p $(dir $@)
	cp $(CMOCKA_H) $@

$(B)/mingw/tests/%.o: tests/%.c $(HDRS) $(B)/mingw-inc/ini.h $(B)/mingw-inc/cmocka.h
	@mkdir -p $(dir $@)
	$(MINGW) $(STD) $(WARN) -Wno-format $(CPPFLAGS) -Itests/unit -I$(B)/mingw-inc -DRDLS_TESTING \
	  $(WIN_DEFS) -O2 -c -o $@ $<

# The message table as a COFF object (windmc, windres: named after $(MINGW), so MSYS2's
# MINGW=gcc finds windmc and windres); mingw-check counts it as one of its objects.
WINDMC  ?= $(patsubst %gcc,%windmc,$(MINGW))
WINDRES ?= $(patsubst %gcc,%windres,$(MINGW))
MINGW_MSG := $(B)/mingw/msg/rdlsctl_msg.o
$(MINGW_MSG): $(MSG_MC)
	@mkdir -p $(dir $@)
	$(WINDMC) -U -h $(dir $@) -r $(dir $@) $(MSG_MC)
	$(WINDRES) -i $(dir $@)rdlsctl_msg.rc -o $@
MINGW_OBJ := $(patsubst %.c,$(B)/mingw/%.o,src/main.c $(CORE_SRC) $(WIN_SRC)) $(MINGW_MSG)
MINGW_TEST_OBJ := $(patsubst %.c,$(B)/mingw/%.o,$(UNIT_SUP) $(UNIT_SRC))
# The Wine tests' probes (PROBE_SRC, below): Windows programs too, so against the SDK as well.
MINGW_PROBE_OBJ = $(patsubst tests/wine/probes/%.c,$(B)/mingw-probes/%.o,$(PROBE_SRC))
$(B)/mingw-probes/%.o: tests/wine/probes/%.c tests/wine/probes/probe.h
	@mkdir -p $(dir $@)
	$(MINGW) $(STD) $(MINGW_WARN) $(MINGW_DEFS) -O2 -c -o $@ $<
mingw-check:
	@MINGW=$(MINGW) scripts/mingw-check.sh $(MINGW_OBJ) $(MINGW_TEST_OBJ) $(MINGW_PROBE_OBJ)

# The native Windows program, linked with mingw-w64 (needs a mingw-w64 libinih: MSYS2).
# Static: the credential helper runs from a private copy of the .exe alone, as NETWORK
# SERVICE, so it must need no DLL but the system's.
MINGW_LIBS := -linih -lnetapi32 -ladvapi32 -lole32 -loleaut32 -luuid -lwbemuuid -lbcrypt \
	      -lshell32 -luser32 -lws2_32 -lwevtapi
mingw: $(B)/mingw/rdlsctl.exe
$(B)/mingw/rdlsctl.exe: $(MINGW_OBJ)
	$(MINGW) -static -o $@ $^ $(MINGW_LIBS)

# --- integration tests under Wine ------------------------------------------------
# Test-only tools: the netapi32 stand-in (a PE DLL, mingw-w64; Wine's local accounts are
# stubs) and the probes of tests/wine/probes/ (tests/wine/README.md, "Probes"): Windows
# programs built with winegcc, one rule, that read the machine through its APIs from a
# process of their own (TOOL_LIBS: what each imports), and tcplisten, a native listener.
PROBE_SRC  := $(sort $(filter-out tests/wine/probes/tcplisten.c,$(wildcard tests/wine/probes/*.c)))
WINE_TOOLS := $(B)/wine-tools/netapi32.dll $(patsubst tests/wine/probes/%.c,$(B)/wine-tools/%.exe.so,$(PROBE_SRC)) \
              $(B)/wine-tools/tcplisten

$(B)/wine-tools/netapi32.dll: tests/wine/fakesam/netapi32.c tests/wine/fakesam/netapi32.def
	@mkdir -p $(dir $@)
	$(MINGW) $(STD) $(BASE_WARN) -O2 $(WIN_DEFS) -shared -static-libgcc -o $@ $^

$(B)/wine-tools/samctl.exe.so: TOOL_LIBS := -lnetapi32 -ladvapi32
$(B)/wine-tools/%.exe.so: tests/wine/probes/%.c tests/wine/probes/probe.h
	@mkdir -p $(dir $@)
	$(WINEGCC) $(STD) $(WINE_WARN) $(WINE_CFLAGS) -O1 -mconsole \
	  -o $(B)/wine-tools/$*.exe $< $(or $(TOOL_LIBS),-ladvapi32)
$(B)/wine-tools/tcplisten: tests/wine/probes/tcplisten.c
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) -O1 -o $@ $<

# The credential helper's test driver: cred.c and helper_*.c with a main of their own, also
# the helper service's executable in tests/wine/t_credhelper.sh.
HELPERTEST_SRC := tests/wine/helpertest.c src/win32/cred.c src/win32/helper_client.c src/win32/helper_service.c \
		  src/win32/helper_proto.c src/win32/helper_copy.c src/win32/status.c \
		  src/win32/utf.c src/win32/host.c src/win32/fileacl.c src/err.c src/secret.c \
		  src/trust.c src/clock.c
WINE_TOOLS += $(if $(wildcard tests/wine/helpertest.c),$(B)/wine-tools/helpertest.exe.so)
$(B)/wine-tools/helpertest.exe.so: $(HELPERTEST_SRC) $(HDRS)
	@mkdir -p $(dir $@)
	$(WINEGCC) $(STD) $(WINE_WARN) -Iinclude -Isrc $(WINE_CFLAGS) -O1 -g -mconsole \
	  -o $(B)/wine-tools/helpertest.exe $(HELPERTEST_SRC) -ladvapi32 -lbcrypt -lnetapi32 -lshell32 -lole32

# diagnose's Wine tests: the program with cmd_diagnose.c built -DRDLS_TESTING, whose only
# difference is RDLS_TEST_RPC_PORT (points the TCP 135 probe at a loopback listener the
# test starts). The release build (build/win) never has it.
WIN_OBJ := $(patsubst %.c,$(B)/win/obj/%.o,src/main.c $(CORE_SRC) $(WIN_SRC))
$(B)/win-testing/cmd_diagnose.o: src/cmd_diagnose.c $(HDRS)
	@mkdir -p $(dir $@)
	$(WINEGCC) $(STD) $(WINE_WARN) $(CPPFLAGS) $(WINE_CFLAGS) -DRDLS_TESTING -O1 -g -c -o $@ $<
$(B)/win-testing/rdlsctl.exe: $(filter-out $(B)/win/obj/src/cmd_diagnose.o,$(WIN_OBJ)) $(B)/win-testing/cmd_diagnose.o $(WIN_RES)
	$(WINEGCC) -mconsole -o $@ $^ $(WIN_LIBS)
WINE_TOOLS += $(B)/win-testing/rdlsctl.exe

# Crash at every step (tests/wine/t_crash_matrix.sh): the same program with every source
# that holds the test-only crash switch built -DRDLS_CRASHPOINTS (RDLS_CRASH_AT=k:point ends
# the process there). The release build (build/win) never has it; the test checks that.
# CRASH_SRC names exactly the sources with an #if ... RDLS_CRASHPOINTS: exec.c and
# cmd_apply.c (the crash points of apply), helper_client.c (RDLS_HELPER_HOLD). A source that
# gains one must be added here; t_crash_matrix.sh and t_helper_copy.sh fail when the crash
# build lacks RDLS_CRASH_AT or RDLS_HELPER_HOLD.
CRASH_SRC := src/cmd_apply.c src/exec.c src/win32/helper_client.c
$(B)/win-crash/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(WINEGCC) $(STD) $(WINE_WARN) $(CPPFLAGS) $(WINE_CFLAGS) -DRDLS_CRASHPOINTS -O1 -g -c -o $@ $<
$(B)/win-crash/rdlsctl.exe: $(filter-out $(patsubst %.c,$(B)/win/obj/%.o,$(CRASH_SRC)),$(WIN_OBJ)) \
			    $(patsubst %.c,$(B)/win-crash/obj/%.o,$(CRASH_SRC)) $(WIN_RES)
	$(WINEGCC) -mconsole -o $@ $^ $(WIN_LIBS)
WINE_TOOLS += $(B)/win-crash/rdlsctl.exe

# The Win32 backend's probe (tests/wine/t_w32probe.sh): its operations one process each,
# built with winegcc and with mingw-w64 (a PE that runs under Wine too). In a directory of
# its own: beside build/wine-tools/netapi32.dll, Wine would load the stand-in into it.
W32PROBE_SRC := tests/wine/w32probe.c $(WIN_SRC) src/err.c src/regval.c src/buf.c src/util.c src/secret.c src/cred_check.c src/lswmi.c \
		src/trust.c src/clock.c
$(B)/w32probe/w32probe.exe.so: $(W32PROBE_SRC) $(HDRS) $(WIN_RES)
	@mkdir -p $(dir $@)
	$(WINEGCC) $(STD) $(WINE_WARN) $(CPPFLAGS) $(WINE_CFLAGS) -O1 -g -mconsole \
	  -o $(B)/w32probe/w32probe.exe $(W32PROBE_SRC) $(WIN_RES) $(WIN_LIBS)
$(B)/w32probe/w32probe-mingw.exe: $(W32PROBE_SRC) $(HDRS) $(B)/mingw-inc/ini.h $(MINGW_MSG)
	@mkdir -p $(dir $@)
	$(MINGW) $(STD) $(MINGW_WARN) $(CPPFLAGS) -I$(B)/mingw-inc $(MINGW_DEFS) -O2 -static-libgcc \
	  -o $@ $(W32PROBE_SRC) $(MINGW_MSG) $(filter-out -linih,$(MINGW_LIBS))
WINE_TOOLS += $(B)/w32probe/w32probe.exe.so $(B)/w32probe/w32probe-mingw.exe

wine-tools: $(WINE_TOOLS)

wine-check: win wine-tools
	@tests/wine/run.sh

# --- YAML: the GitHub workflows (and .yamllint itself) with Debian's yamllint, strict ---
# One line on stdout, "yaml: N passed, M failed"; yamllint's findings go to stderr.
YAML_FILES := $(sort $(wildcard .github/workflows/*.yml .github/workflows/*.yaml)) .yamllint
# contrib/ansible's YAML too, with the same rules (ansible-lint's yaml rule agrees with them).
YAML_FILES += $(sort $(shell find contrib/ansible -name '*.yml' 2>/dev/null)) $(wildcard contrib/ansible/.ansible-lint)
yaml-lint:
	@command -v yamllint >/dev/null 2>&1 || { echo "yaml: 0 passed, 1 failed (yamllint not installed: scripts/install-deps.sh)"; exit 1; }; \
	p=0; f=0; for y in $(YAML_FILES); do \
	  if out=$$(yamllint -s -c .yamllint "$$y" 2>&1); then p=$$((p + 1)); \
	  else f=$$((f + 1)); printf '%s\n' "$$out" >&2; fi; \
	done; echo "yaml: $$p passed, $$f failed"; [ "$$f" -eq 0 ]

# --- Ansible: contrib/ansible (role rdlsctl, example playbook), offline ---------------
# One line on stdout, "ansible: N passed, M failed"; the tools' output goes to stderr.
# Checks: ansible-lint of the role and playbooks (production profile, offline:
# contrib/ansible/.ansible-lint), --syntax-check of each playbook, the result fixtures
# against docs/schema, and tests/test_result.yml (the role's reading of rdlsctl's exit
# codes and JSON, on localhost). ansible.windows comes from Debian's ansible package.
ANSIBLE_DIR       := contrib/ansible
ANSIBLE_PLAYBOOKS := site.yml tests/test_result.yml
ansible-lint:
	@command -v ansible-lint >/dev/null 2>&1 && command -v ansible-playbook >/dev/null 2>&1 || \
	  { echo "ansible: 0 passed, 1 failed (ansible or ansible-lint not installed: scripts/install-deps.sh)"; exit 1; }; \
	p=0; f=0; \
	run() { name=$$1; shift; \
	  if out=$$(cd $(ANSIBLE_DIR) && "$$@" 2>&1); then p=$$((p + 1)); \
	  else f=$$((f + 1)); printf '%s\n%s\n' "ansible: FAILED: $$name" "$$out" >&2; fi; }; \
	run "ansible-lint" ansible-lint --offline --nocolor -q -c .ansible-lint roles/rdlsctl $(ANSIBLE_PLAYBOOKS) inventory.yml; \
	for pb in $(ANSIBLE_PLAYBOOKS); do run "syntax-check $$pb" ansible-playbook --syntax-check "$$pb"; done; \
	run "fixtures match docs/schema" sh -c 'for j in tests/fixtures/*.json; do b=$${j##*/}; b=$${b%.json}; \
	  case $$b in *_format4) continue ;; esac; \
	  /usr/bin/python3 ../../tests/json-validate.py "$${b%%_*}" "$$j" || { echo "$$j"; exit 1; }; done'; \
	run "tests/test_result.yml" ansible-playbook tests/test_result.yml; \
	echo "ansible: $$p passed, $$f failed"; [ "$$f" -eq 0 ]

# --- fuzzing -----------------------------------------------------------------------
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 60
$(B)/fuzz/%: tests/fuzz/%.c $(CORE_SRC) $(FAKE_SUP) $(HDRS)
	@mkdir -p $(dir $@)
	$(CLANG) $(STD) $(BASE_WARN) $(CPPFLAGS) -Itests/unit -DRDLS_TESTING -O1 -g \
	  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	  -o $@ $< $(CORE_SRC) $(UNIT_SUP) $(FAKE_SUP) $(LIBS)
fuzz-smoke: $(FUZZ_BIN)
	@tests/fuzz/run.sh 10 $(FUZZ_BIN)
fuzz: $(FUZZ_BIN)
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

# --- the whole test suite ------------------------------------------------------------
check:
	@scripts/check.sh

bench: native $(B)/bench/bench
	@scripts/bench.sh

# The benchmark: the core and the fake system, optimised, no sanitizers.
$(B)/bench/bench: tests/bench/bench.c $(CORE_SRC) $(UNIT_SUP) $(FAKE_SUP) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(STD) $(WARN) $(CPPFLAGS) -Itests/unit -O2 -g -o $@ tests/bench/bench.c $(CORE_SRC) $(UNIT_SUP) $(FAKE_SUP) $(LIBS)

demo: win wine-tools
	@scripts/demo.sh

clean:
	rm -rf $(B)
