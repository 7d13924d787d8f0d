# autenticacao - one flat GNU Makefile.
#   make                 build/autenticacao.fcgi, build/autenticacao-admin
#   make deps            install the Debian packages the build and tests need
#                        (scripts/deps.sh)
#   make run             a working service on http://127.0.0.1:5000
#                        (scripts/run.sh)
#   make test            every test (unit, scripted CGI, end-to-end; see
#                        tests/README.md)
#   make test SANITIZE=1 the same under AddressSanitizer + UBSan
#   make bench           the service against its ceilings, measured side by
#                        side (bench/run.sh; report in bench/results/)
#   make profile         system calls, Redis round trips and instructions
#                        per request of each type (bench/profile.sh)
#   make fuzz            libFuzzer on the request path for FUZZ_TIME seconds
#                        (clang, into build-fuzz/; see tests/fuzz/run.sh)
#   make fuzz-scrypt     libFuzzer on the scrypt core against OpenSSL's
#   make test-valgrind   the scripted CGI tests under valgrind memcheck
#   make install         the programs, man pages and config under PREFIX
#                        (below; DESTDIR=/tmp/stage stages it)
#   make deb             the Debian package, in build-deb/ (scripts/deb.sh)
#
# Where make install puts things.  The config's path is compiled in, so
# build and install with the same values.  The Debian package
# (debian/rules) builds with PREFIX=/usr SYSCONFDIR=/etc
# CONFDIR=/etc/autenticacao.
#   SBINDIR     autenticacao-admin
#   LIBEXECDIR  the responder, autenticacao.fcgi (a web server or systemd
#               runs it, not a user: it is not on PATH)
#   SYSCONFDIR  the config is $(CONFDIR)/autenticacao.conf, CONFDIR being
#               $(SYSCONFDIR) unless set (the package's /etc/autenticacao,
#               a shared host's make CONFDIR=/home/USER/private,
#               conf/htaccess-shared-hosting)
#   MANDIR      autenticacao-admin.8, autenticacao.fcgi.8 and
#               autenticacao.conf.5, their paths rewritten to the above
PREFIX		?= /usr/local
SYSCONFDIR	?= $(PREFIX)/etc
SBINDIR		?= $(PREFIX)/sbin
LIBEXECDIR	?= $(PREFIX)/lib/autenticacao
MANDIR		?= $(PREFIX)/share/man
CONFDIR		?= $(SYSCONFDIR)
SANITIZE	?= 0
CC		?= cc
BUILD		?= build
FUZZ		?= 0
FUZZ_TIME	?= 60

# libxcrypt and apr-util check the password hashes of other systems
# (lib/foreign.c).  Debian's apr-util-1.pc also names libldap and liblber,
# which nothing here calls: --as-needed keeps them (and what they load) out
# of the programs.
PKGS		= fcgi json-c hiredis libsodium libxcrypt apr-util-1 libcrypto
PKG_CFLAGS	:= $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS	:= -Wl,--as-needed $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lscrypt \
		   -lunistring

# CPPFLAGS, CFLAGS and LDFLAGS from the environment or the command line
# (dpkg-buildflags under dpkg-buildpackage: -D_FORTIFY_SOURCE=2, the stack
# protector, -z relro -z now, ...) reach every compile and link.
CFLAGS		?= -O2 -g
# Warnings are errors for developers and CI (WERROR=1, the default).  A
# package rebuild with another compiler or other flags must not fail on a
# new warning: debian/rules builds with WERROR=0, which keeps every
# warning but as a warning.
WERROR		?= 1
WARNFLAGS	= -Wall -Wextra -Wshadow -Wformat=2 -Wwrite-strings \
		  -Wstrict-prototypes -Wmissing-prototypes -Wvla \
		  -Wno-missing-field-initializers
ifeq ($(WERROR),1)
WARNFLAGS	+= -Werror
endif
DEFS		= -D_GNU_SOURCE -DCFG_DEFAULT_PATH='"$(CONFDIR)/autenticacao.conf"'
ALL_CFLAGS	= -std=c11 $(WARNFLAGS) $(DEFS) -Ilib -I$(BUILD)/gen $(PKG_CFLAGS) \
		  $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS	= $(LDFLAGS)
ifeq ($(SANITIZE),1)
BUILD		:= build-san
ALL_CFLAGS	+= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=all
ALL_LDFLAGS	+= -fsanitize=address,undefined
endif
# The libFuzzer build (make fuzz): clang, coverage-instrumented objects.
ifeq ($(FUZZ),1)
BUILD		:= build-fuzz
CC		:= clang
ALL_CFLAGS	+= -fsanitize=fuzzer-no-link,address,undefined \
		   -fno-omit-frame-pointer -fno-sanitize-recover=all
ALL_LDFLAGS	+= -fsanitize=fuzzer,address,undefined
endif

LIB_OBJS	= $(BUILD)/err.o $(BUILD)/log.o $(BUILD)/addr.o $(BUILD)/cfg.o \
		  $(BUILD)/cors.o $(BUILD)/token.o $(BUILD)/scrypt.o \
		  $(BUILD)/passwd.o \
		  $(BUILD)/foreign.o \
		  $(BUILD)/store_conn.o $(BUILD)/store_user.o \
		  $(BUILD)/store_session.o $(BUILD)/store_limit.o $(BUILD)/lua.o \
		  $(BUILD)/text.o $(BUILD)/http.o $(BUILD)/reply.o \
		  $(BUILD)/regulation.o $(BUILD)/credentials.o $(BUILD)/session.o \
		  $(BUILD)/gate.o $(BUILD)/metrics.o $(BUILD)/serve.o
# The Redis scripts: every lib/lua/*.lua but the parts they include.
LUA_PARTS	= lib/lua/ring.lua lib/lua/session_fields.lua lib/lua/index.lua \
		  lib/lua/same.lua lib/lua/keys.lua
LUA_SCRIPTS	= $(filter-out $(LUA_PARTS),$(wildcard lib/lua/*.lua))
LUA_GEN		= $(BUILD)/gen/lua.h $(BUILD)/gen/lua.c
UNIT_TESTS	= $(patsubst tests/unit/%.c,$(BUILD)/%,$(wildcard tests/unit/test_*.c))
PROGS		= $(BUILD)/autenticacao.fcgi $(BUILD)/autenticacao-admin

.PHONY: all deps run test test-ha test-valgrind unit bench profile fuzz fuzz-scrypt install deb clean
all: $(PROGS)

$(BUILD):
	@mkdir -p $(BUILD)

$(BUILD)/%.o: lib/%.c lib/*.h $(LUA_GEN) | $(BUILD)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The scrypt core at -O3 for every target (after CFLAGS, so it wins): its
# Salsa20/8 loops are the cost of a password check.  Generic code: the
# vector paths are chosen at run time (lib/scrypt.c), and -march=native
# made gcc 12's scalar core slower.
$(BUILD)/scrypt.o: lib/scrypt.c lib/scrypt.h lib/scrypt_avx.h | $(BUILD)
	$(CC) $(ALL_CFLAGS) -O3 -c -o $@ lib/scrypt.c

# lib/lua/*.lua compiled in as C strings (scripts/lua2c.sh), and expanded
# into $(BUILD)/gen/lua/ to run by hand with redis-cli --eval.
$(LUA_GEN) &: $(LUA_SCRIPTS) $(LUA_PARTS) scripts/lua2c.sh | $(BUILD)
	sh scripts/lua2c.sh $(BUILD)/gen $(LUA_SCRIPTS)

$(BUILD)/lua.o: $(LUA_GEN) lib/store_int.h lib/store.h
	$(CC) $(ALL_CFLAGS) -c -o $@ $(BUILD)/gen/lua.c

$(BUILD)/autenticacao.fcgi: cgi/autenticacao.c $(LIB_OBJS) lib/*.h
	$(CC) $(ALL_CFLAGS) -o $@ cgi/autenticacao.c $(LIB_OBJS) $(ALL_LDFLAGS) $(PKG_LIBS)

# What only autenticacao-admin links: the password prompt and the
# .htpasswd reader of import-htpasswd.
ADMIN_OBJS	= $(BUILD)/prompt.o $(BUILD)/htpasswd.o

$(BUILD)/autenticacao-admin: cgi/autenticacao-admin.c $(LIB_OBJS) $(ADMIN_OBJS) lib/*.h
	$(CC) $(ALL_CFLAGS) -o $@ cgi/autenticacao-admin.c $(LIB_OBJS) $(ADMIN_OBJS) $(ALL_LDFLAGS) $(PKG_LIBS)

# Unit tests may #include a lib/*.c to reach its statics; they link every
# other module, so the included one is filtered out of the object list.
$(BUILD)/test_%: tests/unit/test_%.c $(LIB_OBJS) lib/*.h tests/fake_io.h
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes -o $@ $< \
	    $(filter-out $(addprefix $(BUILD)/,$(shell sed -n 's/^#include "\.\.\/\.\.\/lib\/\(.*\)\.c"/\1.o/p' $<)),$(LIB_OBJS)) \
	    $(ALL_LDFLAGS) $(PKG_LIBS) -lcmocka

# Benchmark programs (make bench); never installed.
$(BUILD)/bench_%: bench/bench_%.c $(LIB_OBJS) lib/*.h
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJS) $(ALL_LDFLAGS) $(PKG_LIBS)

# The fuzz target: replayed on tests/fuzz/{corpus,regress} by the unit
# phase (any compiler), or linked with libFuzzer (FUZZ=1, clang).
$(BUILD)/fuzz_replay: tests/fuzz/replay.c tests/fuzz/fuzz_request.c $(LIB_OBJS) lib/*.h tests/fake_io.h
	$(CC) $(ALL_CFLAGS) -o $@ tests/fuzz/replay.c tests/fuzz/fuzz_request.c $(LIB_OBJS) $(ALL_LDFLAGS) $(PKG_LIBS)

$(BUILD)/fuzz_request: tests/fuzz/fuzz_request.c $(LIB_OBJS) lib/*.h tests/fake_io.h
	$(CC) $(ALL_CFLAGS) -o $@ tests/fuzz/fuzz_request.c $(LIB_OBJS) $(ALL_LDFLAGS) $(PKG_LIBS)

# The scrypt core against OpenSSL's (tests/fuzz/fuzz_scrypt.c includes
# lib/scrypt.c): replayed on tests/fuzz/corpus_scrypt by the unit phase,
# or linked with libFuzzer (make fuzz-scrypt).
$(BUILD)/fuzz_scrypt_replay: tests/fuzz/replay.c tests/fuzz/fuzz_scrypt.c lib/scrypt.c lib/scrypt.h lib/scrypt_avx.h | $(BUILD)
	$(CC) $(ALL_CFLAGS) -o $@ tests/fuzz/replay.c tests/fuzz/fuzz_scrypt.c $(ALL_LDFLAGS) -lcrypto

$(BUILD)/fuzz_scrypt: tests/fuzz/fuzz_scrypt.c lib/scrypt.c lib/scrypt.h lib/scrypt_avx.h | $(BUILD)
	$(CC) $(ALL_CFLAGS) -o $@ tests/fuzz/fuzz_scrypt.c $(ALL_LDFLAGS) -lcrypto

deps:
	@sh scripts/deps.sh

unit: $(PROGS) $(UNIT_TESTS) $(BUILD)/fuzz_replay $(BUILD)/fuzz_scrypt_replay

test: deps
	@$(MAKE) --no-print-directory unit
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) sh tests/run.sh

# Redis Sentinel failover under load (tests/ha/*.sh): real redis-server
# master and replica and three redis-sentinel on loopback, the responder
# behind lighttpd.  Not part of `make test`: it takes about a minute of
# failovers.  .ci/run runs it after the other passes.
test-ha: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) sh tests/run.sh tests/ha/*.sh

# The responder and autenticacao-admin of the tests/cgi/*.sh scripts run
# under memcheck (VALGRIND=1, tests/lib/cgi.sh), two scripts at a time.
# Built as for users: valgrind and AddressSanitizer do not mix.  memcheck costs
# about a CPU second per process, so four kinds of script are left to the
# ASan/UBSan pass (with LeakSanitizer): validation_*.sh (some 200 one-request runs, each refused
# by the JSON parser or the field rules before any Redis or scrypt work),
# bruteforce.sh (a hundred logins counting failures: its 429, X-Forwarded-For
# and IPv6 /64 paths are memchecked only on demand) and admin_race.sh
# (concurrent admin runs; admin.sh runs every command) and config.sh (the
# config parser, also under ASan in unit/test_cfg), and sessions_idle.sh
# and sessions_cap.sh (idle_ttl timers of a few seconds that memcheck's
# seconds per login outrun: memcheck counts instructions, and the scrypt
# core's scalar path runs more of them than libsodium's did; the same
# scripts run under memcheck in sessions_list.sh and sessions_end.sh, a
# login in login.sh, an eviction at the cap in metrics.sh).  Any script runs under memcheck with
# `VALGRIND=1 sh tests/run.sh tests/cgi/X.sh`.
VG_SKIPPED	= $(addprefix tests/cgi/,bruteforce.sh admin_race.sh config.sh \
		  sessions_idle.sh sessions_cap.sh) $(wildcard tests/cgi/validation_*.sh)
# The longest under memcheck first (http.sh, then admin.sh,
# refresh_session.sh and reuse_detection.sh: together about two thirds of
# the time), so that the two jobs end together; then any other.
VG_FIRST	= $(addprefix tests/cgi/,http.sh admin.sh refresh_session.sh \
		  reuse_detection.sh)
VG_SCRIPTS	= $(VG_FIRST) $(filter-out $(VG_FIRST) $(VG_SKIPPED), \
		  $(wildcard tests/cgi/*.sh))
test-valgrind: deps
ifeq ($(SANITIZE),1)
	$(error test-valgrind needs SANITIZE=0)
endif
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) SANITIZE=0 VALGRIND=1 JOBS=$${JOBS:-2} sh tests/run.sh $(VG_SCRIPTS)

run: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) sh scripts/run.sh

bench:
	@sh scripts/deps.sh bench
	@$(MAKE) --no-print-directory all $(patsubst bench/%.c,$(BUILD)/%,$(wildcard bench/bench_*.c))
	@BUILD=$(BUILD) bash bench/run.sh

profile:
	@sh scripts/deps.sh bench
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) bash bench/profile.sh

fuzz:
	@sh scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory FUZZ=1 build-fuzz/fuzz_request
	@FUZZ_TIME=$(FUZZ_TIME) sh tests/fuzz/run.sh build-fuzz/fuzz_request

fuzz-scrypt:
	@sh scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory FUZZ=1 build-fuzz/fuzz_scrypt
	@FUZZ_TIME=$(FUZZ_TIME) sh tests/fuzz/run.sh build-fuzz/fuzz_scrypt

# The man pages name the default paths (PREFIX=/usr/local); installed,
# they name the ones of this install.
MAN_PATHS	= -e 's|/usr/local/etc/autenticacao\.conf|$(CONFDIR)/autenticacao.conf|g' \
		  -e 's|/usr/local/lib/autenticacao/|$(LIBEXECDIR)/|g' \
		  -e 's|/usr/local/sbin/|$(SBINDIR)/|g'
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBEXECDIR) \
	    $(DESTDIR)$(CONFDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(BUILD)/autenticacao-admin $(DESTDIR)$(SBINDIR)/
	install -m 0755 $(BUILD)/autenticacao.fcgi $(DESTDIR)$(LIBEXECDIR)/
	for m in autenticacao.fcgi.8 autenticacao-admin.8 autenticacao.conf.5; do \
		sed $(MAN_PATHS) man/$$m >$(DESTDIR)$(MANDIR)/man$${m##*.}/$$m && \
		chmod 0644 $(DESTDIR)$(MANDIR)/man$${m##*.}/$$m || exit 1; \
	done
	test -e $(DESTDIR)$(CONFDIR)/autenticacao.conf || \
	    install -m 0640 conf/autenticacao.conf $(DESTDIR)$(CONFDIR)/autenticacao.conf

# The Debian package (debian/), built with dpkg-buildpackage -b -us -uc on
# a copy of the tree; the .deb, .buildinfo and .changes land in build-deb/.
deb:
	@sh scripts/deb.sh

# The man pages under mandoc -Tlint at level warning: any message fails.
.PHONY: lint-man
lint-man:
	@out=$$(mandoc -Tlint -W warning man/* 2>&1); rc=$$?; \
	if [ -n "$$out" ] || [ $$rc -ne 0 ]; then \
		printf '%s\n' "$$out" >&2; exit 1; \
	fi

clean:
	rm -rf build build-san build-fuzz build-deb
