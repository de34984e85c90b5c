# Slipway's build: one non-recursive Makefile.
#   make             build ./slipway
#   make test        unit, conformance and end-to-end suites (last line: N passed, N failed)
#   make test-asan   the same suite under ASan+UBSan (objects in build-asan/)
#   make valgrind    the unit suites under valgrind's memcheck
#   make test-expr-diff  100,000 random expressions against GitHub's evaluator
#   make bench       the benchmarks (not timed tests)
#   make fuzz        libFuzzer targets in tests/fuzz (clang), FUZZ_TIME seconds each
#   make install PREFIX=/usr/local
#   make clean

BUILD ?= build
PREFIX ?= /usr/local
CC ?= cc
CFLAGS ?= -O2 -g

PKGS := yaml-0.1 libgit2 libpcre2-8 jansson sqlite3 libcrypto
# libarchive and libcurl are opened when first used (util/tarball.c,
# runner/engine.c): their headers, not a link
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) libarchive libcurl)
PKG_LIBS := $(shell pkg-config --libs $(PKGS)) -ldl -lm
CMOCKA_CFLAGS := $(shell pkg-config --cflags cmocka)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka)

ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif

GIT_VERSION := $(shell git describe --always --dirty 2>/dev/null)
WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-missing-field-initializers
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARNINGS) -I. $(PKG_CFLAGS) $(CFLAGS) $(SANFLAGS) \
	$(if $(GIT_VERSION),-DSLIPWAY_VERSION='"0.1.0-$(GIT_VERSION)"')
ALL_LDFLAGS := $(SANFLAGS) $(LDFLAGS)

LIB_SRC := $(sort $(wildcard util/*.c parser/*.c stages/*.c) \
	$(filter-out runner/main.c,$(wildcard runner/*.c)))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB := $(BUILD)/libslipway.a

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC := $(sort $(wildcard tests/tools/*.c bench/*.c))
TOOL_BIN := $(TOOL_SRC:%.c=$(BUILD)/%)
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
# Each fuzz target also builds as a unit suite that replays tests/fuzz/seeds.
FUZZ_REPLAY := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=$(BUILD)/tests/test_fuzz_%)
FUZZ_TIME ?= 60

ifeq ($(BUILD),build)
SLIPWAY := slipway
else
SLIPWAY := $(BUILD)/slipway
endif

.PHONY: all test test-asan test-expr-diff valgrind bench fuzz install clean check-build
all: $(SLIPWAY)

# Quiet by default; `make V=1` shows the full commands.
ifneq ($(V),1)
Q := @
QUIET_CC = @echo "  CC      $@";
QUIET_LINK = @echo "  LINK    $@";
QUIET_AR = @echo "  AR      $@";
endif

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	$(QUIET_AR)$(AR) rcs $@ $^

$(SLIPWAY): $(BUILD)/runner/main.o $(LIB)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) $(CMOCKA_CFLAGS) -MMD -MP -o $@ $< $(LIB) $(ALL_LDFLAGS) \
		$(PKG_LIBS) $(CMOCKA_LIBS)

$(TOOL_BIN): $(BUILD)/%: %.c $(LIB)
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) -MMD -MP -o $@ $< $(LIB) $(ALL_LDFLAGS) $(PKG_LIBS)

$(FUZZ_REPLAY): $(BUILD)/tests/test_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -o $@ $< tests/fuzz/replay.c $(LIB) $(ALL_LDFLAGS) $(PKG_LIBS)

# The dashboard's files are embedded with .incbin, which the compiler's
# dependency output does not see.
$(BUILD)/runner/serve_assets.o: $(wildcard runner/dashboard/*)

check-build: $(SLIPWAY) $(UNIT_BIN) $(TOOL_BIN) $(FUZZ_REPLAY)

test: check-build
	@SLIPWAY_BUILD=$(BUILD) SLIPWAY_BIN=$(SLIPWAY) tests/run-tests $(T)

test-asan:
	@LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
		$(MAKE) --no-print-directory BUILD=build-asan SAN=1 CFLAGS="-O1 -g" test

test-expr-diff: check-build
	@SLIPWAY_BUILD=$(BUILD) SLIPWAY_BIN=$(SLIPWAY) SLIPWAY_EXPR_DIFF_COUNT=$${SLIPWAY_EXPR_DIFF_COUNT:-100000} \
		tests/run-tests expr-diff

valgrind: check-build
	@SLIPWAY_BUILD=$(BUILD) SLIPWAY_BIN=$(SLIPWAY) SLIPWAY_VALGRIND=1 tests/run-tests unit $(T)

bench: check-build
	@SLIPWAY_BUILD=$(BUILD) SLIPWAY_BIN=$(SLIPWAY) bench/run $(B)

# libFuzzer (clang): each target runs FUZZ_TIME seconds from a copy of the seeds.
fuzz:
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang SAN=1 \
		CFLAGS="-O1 -g -fsanitize=fuzzer-no-link" build-fuzz/libslipway.a
	@set -e; for src in $(FUZZ_SRC); do t=$$(basename $$src .c); \
		clang $(ALL_CFLAGS) -fsanitize=fuzzer,address,undefined -o build-fuzz/$$t $$src \
			build-fuzz/libslipway.a $(PKG_LIBS); \
		mkdir -p build-fuzz/corpus-$$t; \
		build-fuzz/$$t -max_total_time=$(FUZZ_TIME) build-fuzz/corpus-$$t tests/fuzz/seeds; \
	done

install: $(SLIPWAY)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(SLIPWAY) $(DESTDIR)$(PREFIX)/bin/slipway

clean:
	rm -rf build build-asan build-fuzz slipway

-include $(LIB_OBJ:.o=.d) $(BUILD)/runner/main.d $(UNIT_BIN:=.d) $(TOOL_BIN:=.d) $(FUZZ_REPLAY:=.d)
