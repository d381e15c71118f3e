# Thin wrapper over scripts/setup + CMake presets. `make demo` and `make test`
# work on a fresh Debian machine: they install what is missing first.
JOBS ?= $(shell nproc)
BUILD := build/release
ARCP := $(BUILD)/tools/arcp/arcp

.PHONY: setup build demo test test-asan test-tsan lint format bench fuzz docs clean

setup:
	@scripts/setup

$(BUILD)/build.ninja:
	cmake --preset release

build: setup $(BUILD)/build.ninja
	cmake --build $(BUILD) -j$(JOBS)

demo: build
	$(ARCP) demo

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS) --timeout 300

# The asan and fuzz presets leave out UBSan's `function` check: clang 14
# cannot compile coroutines with it ("Cannot represent a difference across
# sections", llvm-project#49689).
test-asan: setup
	cmake --preset asan
	cmake --build build/asan -j$(JOBS)
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp ctest --test-dir build/asan --output-on-failure -j$(JOBS) --timeout 600

test-tsan: setup
	cmake --preset tsan
	cmake --build build/tsan -j$(JOBS)
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$(CURDIR)/tests/tsan.supp" ctest --test-dir build/tsan --output-on-failure -j$(JOBS) --timeout 600

lint: setup $(BUILD)/build.ninja
	scripts/lint

format:
	find include src tools tests bench examples -name '*.[ch]pp' | xargs clang-format -i

bench: build
	$(ARCP) bench --baseline
	$(BUILD)/bench/arcp_codec_bench

fuzz: setup
	scripts/fuzz

# API reference (HTML) of include/arcp/ in build/docs/html; fails on any doxygen warning.
docs: setup
	mkdir -p build/docs
	doxygen Doxyfile
	@echo "API reference: build/docs/html/index.html"

clean:
	rm -rf build
