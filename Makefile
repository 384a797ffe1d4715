# hooklens - build, test, sanitize, fuzz. Everything builds into build/.
#   make          the CLI (build/hooklens) and every example
#   make run      the main job on the bundled default model
#   make test     the test suite; last line "N passed, N failed"
#   make asan     the same suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make test-cross  the suite built for another architecture and run under an emulator (see below)
#   make fuzz     libFuzzer targets (needs clang); FUZZ_SECONDS=60 per target with `make fuzz-run`

CC      ?= cc
CXX     ?= c++
CLANG   ?= clang
BUILD   := build
# -ffp-contract=off: no silent FMA contraction, so the scalar reference path is reproducible.
BASEFLAGS := -std=c11 -Wall -Wextra -Werror -Wshadow -Wvla -ffp-contract=off \
             -D_POSIX_C_SOURCE=200809L -pthread
# The library translation units get the strictest flags.
LIBFLAGS  := -Wstrict-prototypes -Wmissing-prototypes -Wdouble-promotion -pedantic
OPT     ?= -O2 -g
LDLIBS  := -lm -pthread

CLI_SRC   := $(wildcard tools/cli/*.c)
TEST_SRC  := $(filter-out tests/impl.c,$(wildcard tests/*.c))
EX_SRC    := $(wildcard examples/*.c)
EXAMPLES  := $(patsubst examples/%.c,$(BUILD)/examples/%,$(EX_SRC))
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
HDR       := hooklens.h

.PHONY: all run test asan test-cross fuzz fuzz-run fuzz-replay clean compile-tests
all: $(BUILD)/hooklens $(EXAMPLES)

$(BUILD)/obj/%.o: tools/cli/%.c $(HDR) tools/cli/cli.h
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(OPT) $(if $(filter impl.c,$(notdir $<)),$(LIBFLAGS)) -c $< -o $@

$(BUILD)/hooklens: $(patsubst tools/cli/%.c,$(BUILD)/obj/%.o,$(CLI_SRC))
	$(CC) $(OPT) -o $@ $^ $(LDLIBS)

$(BUILD)/examples/%: examples/%.c $(HDR)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(OPT) -o $@ $< $(LDLIBS)

# ---- tests -------------------------------------------------------------------------------
$(BUILD)/suites.h: $(TEST_SRC)
	@mkdir -p $(BUILD)
	@for f in $(sort $(filter tests/test_%.c,$(TEST_SRC))); do \
	    n=$${f#tests/test_}; echo "SUITE($${n%.c})"; done > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/tests_impl.o: tests/impl.c $(HDR)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(OPT) $(LIBFLAGS) -c $< -o $@

$(BUILD)/tests: $(TEST_SRC) $(wildcard tests/*.inc) $(BUILD)/obj/tests_impl.o tests/hl_test.h $(HDR) $(BUILD)/suites.h
	$(CC) $(BASEFLAGS) $(OPT) -I$(BUILD) -o $@ $(TEST_SRC) $(BUILD)/obj/tests_impl.o $(LDLIBS)

# The header must compile as C++ and as C99 too (stb, sokol).
$(BUILD)/compile_cpp.o: tests/compile/compile_cpp.cpp $(HDR)
	@mkdir -p $(BUILD)
	$(CXX) -std=c++11 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -c $< -o $@
$(BUILD)/compile_c99.o: tests/compile/compile_c99.c $(HDR)
	@mkdir -p $(BUILD)
	$(CC) -std=c99 -Wall -Wextra -Werror -pedantic -D_POSIX_C_SOURCE=200809L -c $< -o $@
$(BUILD)/compile_variants.o: tests/compile/compile_variants.c $(HDR)
	@mkdir -p $(BUILD)
	$(CC) -std=c11 -Wall -Wextra -Werror -pedantic -D_POSIX_C_SOURCE=200809L -c $< -o $@
compile-tests: $(BUILD)/compile_cpp.o $(BUILD)/compile_c99.o $(BUILD)/compile_variants.o

test: all compile-tests fuzz-replay $(BUILD)/tests
	./$(BUILD)/tests $(T)

# ---- sanitizers --------------------------------------------------------------------------
ASANFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
$(BUILD)/asan/tests: $(TEST_SRC) tests/impl.c tests/hl_test.h $(HDR) $(BUILD)/suites.h
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(ASANFLAGS) -I$(BUILD) -o $@ $(TEST_SRC) -x c tests/impl.c $(LDLIBS)

asan: all $(BUILD)/asan/tests
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ./$(BUILD)/asan/tests $(T)

# ---- another architecture under an emulator (not part of `make test`) ------------------------
# The suite cross-compiled and run by an emulator, e.g. the NEON kernels on an x86-64 machine
# (Debian: gcc-aarch64-linux-gnu and qemu-user):
#   make test-cross CROSS=aarch64-linux-gnu- EMU="qemu-aarch64 -L /usr/aarch64-linux-gnu"
CROSS ?= aarch64-linux-gnu-
EMU   ?= qemu-aarch64 -L /usr/aarch64-linux-gnu
$(BUILD)/cross/tests: $(TEST_SRC) tests/impl.c tests/hl_test.h $(HDR) $(BUILD)/suites.h
	@mkdir -p $(dir $@)
	$(CROSS)gcc $(BASEFLAGS) $(OPT) -I$(BUILD) -o $@ $(TEST_SRC) -x c tests/impl.c $(LDLIBS)
test-cross: all $(BUILD)/cross/tests
	$(EMU) ./$(BUILD)/cross/tests $(T)

# ---- fuzzing (clang + libFuzzer) ------------------------------------------------------------
FUZZERS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))
$(BUILD)/fuzz/%: tests/fuzz/%.c $(HDR)
	@mkdir -p $(dir $@)
	$(CLANG) -std=c11 -g -O1 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined -o $@ $< -lm -pthread
fuzz:
	@if command -v $(CLANG) >/dev/null 2>&1; then $(MAKE) $(FUZZERS); \
	else echo "make fuzz: clang not found (apt-get install clang); skipping"; fi
FUZZ_SECONDS ?= 60
fuzz-run: fuzz
	@for f in $(FUZZERS); do n=$$(basename $$f); mkdir -p $(BUILD)/corpus/$$n; \
	  echo "== $$n"; ./$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(BUILD)/corpus/$$n tests/fuzz/seeds/$$n 2>&1 | tail -n 12; done

# Replay every fuzz target's seeds and past crashers with gcc (no libFuzzer needed); part of `make test`.
REPLAYS := $(patsubst tests/fuzz/%.c,$(BUILD)/replay/%,$(FUZZ_SRC))
$(BUILD)/replay/%: tests/fuzz/%.c tests/fuzz/replay.c $(HDR)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -o $@ $< tests/fuzz/replay.c -lm -pthread
fuzz-replay: $(REPLAYS)
	@for f in $(REPLAYS); do n=$$(basename $$f); if [ -d tests/fuzz/seeds/$$n ]; then \
	  ./$$f tests/fuzz/seeds/$$n >/dev/null || { echo "fuzz replay failed: $$n"; exit 1; }; fi; done

# ---- helper blocks (each owner adds rules only inside its own block) ---------------------------
# >>tok
# Regenerates the Unicode tables inside hooklens.h (region >>unicode) from Debian's unicode-data
# package (apt-get install unicode-data): NFC data, \p{L} / \p{N} / White_Space ranges.
UCD_DIR ?= /usr/share/unicode
.PHONY: unicode-tables
$(BUILD)/gen_unicode: tools/gen_unicode.c
	@mkdir -p $(BUILD)
	$(CC) $(BASEFLAGS) $(LIBFLAGS) -O2 -o $@ $<
unicode-tables: $(BUILD)/gen_unicode
	./$(BUILD)/gen_unicode $(UCD_DIR) hooklens.h
# <<tok
# >>kern
# <<kern
# >>views
# make views-check: renders the HTML views of the bundled model in headless Chromium (Debian package
# chromium) and fails on any console message, when the page scripts did not run, or when the prompt's
# markup became live elements (only the page's own 2 script elements may exist). Not part of
# `make test`, which checks the pages' structure and escaping without a browser.
CHROMIUM     ?= chromium
VIEWS_PROMPT := Once upon a time, Lily said "<script>alert(1)</script>" & <b onclick=x>ran</b>.
.PHONY: views-check
views-check: $(BUILD)/hooklens
	@mkdir -p $(BUILD)/views
	./$(BUILD)/hooklens logprobs --prompt '$(VIEWS_PROMPT)' --html $(BUILD)/views/logprobs.html >/dev/null
	./$(BUILD)/hooklens attention --prompt '$(VIEWS_PROMPT)' --layer 2 --html $(BUILD)/views/attention.html >/dev/null
	@for p in 'logprobs.html#pos=1|<th>Rank</th>' 'attention.html#head=1|<option value="7">head 7</option>'; do \
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
# <<views
# >>convert
# <<convert

# ---- the main job -----------------------------------------------------------------------
# A greedy story from "Once upon a time", a test_prompt report and a run_with_cache table, on the
# bundled stories260K model (examples/stories260K), offline. MODEL=dir runs it on another model.
MODEL ?= examples/stories260K
run: $(BUILD)/examples/00_tour $(BUILD)/hooklens
	./$(BUILD)/examples/00_tour $(MODEL)

clean:
	rm -rf $(BUILD)
