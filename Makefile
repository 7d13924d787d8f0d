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
#   make test-valgrind   the scripted CGI tests under valgrind memcheck
#   make install PREFIX=/usr/local

PREFIX		?= /usr/local
SYSCONFDIR	?= $(PREFIX)/etc
BINDIR		?= $(PREFIX)/bin
MANDIR		?= $(PREFIX)/share/man
SANITIZE	?= 0
CC		?= cc
BUILD		?= build
FUZZ		?= 0
FUZZ_TIME	?= 60

# libxcrypt and apr-util check the password hashes of other systems
# (lib/foreign.c).  Debian's apr-util-1.pc also names libldap and liblber,
# which nothing here calls: --as-needed keeps them (and what they load) out
# of the programs.
PKGS		= fcgi json-c hiredis libsodium libxcrypt apr-util-1
PKG_CFLAGS	:= $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS	:= -Wl,--as-needed $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lscrypt \
		   -lunistring

CFLAGS		?= -O2 -g
WARNFLAGS	= -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wwrite-strings \
		  -Wstrict-prototypes -Wmissing-prototypes -Wvla \
		  -Wno-missing-field-initializers
DEFS		= -D_GNU_SOURCE -DCFG_DEFAULT_PATH='"$(SYSCONFDIR)/autenticacao.conf"'
ALL_CFLAGS	= -std=c11 $(WARNFLAGS) $(DEFS) -Ilib -I$(BUILD)/gen $(PKG_CFLAGS) \
		  $(CFLAGS)
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
		  $(BUILD)/cors.o $(BUILD)/token.o $(BUILD)/passwd.o \
		  $(BUILD)/foreign.o \
		  $(BUILD)/store_conn.o $(BUILD)/store_user.o \
		  $(BUILD)/store_session.o $(BUILD)/store_limit.o $(BUILD)/lua.o \
		  $(BUILD)/text.o $(BUILD)/http.o $(BUILD)/reply.o \
		  $(BUILD)/regulation.o $(BUILD)/credentials.o $(BUILD)/session.o \
		  $(BUILD)/gate.o $(BUILD)/metrics.o $(BUILD)/serve.o
# The Redis scripts: every lib/lua/*.lua but the parts they include.
LUA_PARTS	= lib/lua/ring.lua lib/lua/session_fields.lua lib/lua/index.lua
LUA_SCRIPTS	= $(filter-out $(LUA_PARTS),$(wildcard lib/lua/*.lua))
LUA_GEN		= $(BUILD)/gen/lua.h $(BUILD)/gen/lua.c
UNIT_TESTS	= $(patsubst tests/unit/%.c,$(BUILD)/%,$(wildcard tests/unit/test_*.c))
PROGS		= $(BUILD)/autenticacao.fcgi $(BUILD)/autenticacao-admin

.PHONY: all deps run test test-valgrind unit bench profile fuzz install clean
all: $(PROGS)

$(BUILD):
	@mkdir -p $(BUILD)

$(BUILD)/%.o: lib/%.c lib/*.h $(LUA_GEN) | $(BUILD)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

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

# Benchmark programs (make bench); never installed.  bench_scrypt also
# times OpenSSL's scrypt.
$(BUILD)/bench_%: bench/bench_%.c $(LIB_OBJS) lib/*.h
	$(CC) $(ALL_CFLAGS) -o $@ $< $(LIB_OBJS) $(ALL_LDFLAGS) $(PKG_LIBS) -lcrypto

# The fuzz target: replayed on tests/fuzz/{corpus,regress} by the unit
# phase (any compiler), or linked with libFuzzer (FUZZ=1, clang).
$(BUILD)/fuzz_replay: tests/fuzz/replay.c tests/fuzz/fuzz_request.c $(LIB_OBJS) lib/*.h tests/fake_io.h
	$(CC) $(ALL_CFLAGS) -o $@ tests/fuzz/replay.c tests/fuzz/fuzz_request.c $(LIB_OBJS) $(ALL_LDFLAGS) $(PKG_LIBS)

$(BUILD)/fuzz_request: tests/fuzz/fuzz_request.c $(LIB_OBJS) lib/*.h tests/fake_io.h
	$(CC) $(ALL_CFLAGS) -o $@ tests/fuzz/fuzz_request.c $(LIB_OBJS) $(ALL_LDFLAGS) $(PKG_LIBS)

deps:
	@sh scripts/deps.sh

unit: $(PROGS) $(UNIT_TESTS) $(BUILD)/fuzz_replay

test: deps
	@$(MAKE) --no-print-directory unit
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) sh tests/run.sh

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
# (one-second idle timers that memcheck's second per process outruns;
# the same scripts run under memcheck in sessions_list.sh and
# sessions_end.sh).  Any script runs under memcheck with
# `VALGRIND=1 sh tests/run.sh tests/cgi/X.sh`.
VG_SKIPPED	= $(addprefix tests/cgi/,bruteforce.sh admin_race.sh config.sh \
		  sessions_idle.sh) $(wildcard tests/cgi/validation_*.sh)
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

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SYSCONFDIR) \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(BUILD)/autenticacao.fcgi $(BUILD)/autenticacao-admin $(DESTDIR)$(BINDIR)/
	install -m 0644 man/autenticacao.fcgi.8 man/autenticacao-admin.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 man/autenticacao.conf.5 $(DESTDIR)$(MANDIR)/man5/
	test -e $(DESTDIR)$(SYSCONFDIR)/autenticacao.conf || \
	    install -m 0640 conf/autenticacao.conf $(DESTDIR)$(SYSCONFDIR)/autenticacao.conf

# The man pages under mandoc -Tlint at level warning: any message fails.
.PHONY: lint-man
lint-man:
	@out=$$(mandoc -Tlint -W warning man/* 2>&1); rc=$$?; \
	if [ -n "$$out" ] || [ $$rc -ne 0 ]; then \
		printf '%s\n' "$$out" >&2; exit 1; \
	fi

clean:
	rm -rf build build-san build-fuzz
