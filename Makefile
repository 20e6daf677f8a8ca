# The two commands a user needs: `make demo` and `make test`. Both install what they need on a fresh
# Debian machine (apt: NumPy, pytest, venv, libpython for pythonnet, pkg-config) and build everything.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

PYTHON      ?= /usr/bin/python3
BUILD       := build
NATIVE_DIR  := $(BUILD)/native
LIBRARY     := $(NATIVE_DIR)/libdepthwise_interop.so
# Kernel variants for wider instruction sets, loaded at run time by the library when the CPU has them.
VARIANTS    := avx2 avx512
VARIANT_LIBRARIES := $(foreach v,$(VARIANTS),$(NATIVE_DIR)/libdepthwise_interop_$(v).so)
PREFIX      := $(abspath $(BUILD)/prefix)
VENV        := .venv
VENV_PYTHON := $(VENV)/bin/python
VERSION     := $(shell sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
HEADER      := csharp/DepthwiseInterop.Native/include/depthwise_interop.h
NATIVE_SOURCES := $(shell find csharp/DepthwiseInterop csharp/DepthwiseInterop.Native csharp/DepthwiseInterop.Native.Kernels \( -name '*.cs' -o -name '*.csproj' -o -name '*.h' \) -not -path '*/obj/*' -not -path '*/bin/*') Directory.Build.props
APT_PACKAGES := python3-numpy python3-pytest python3-venv libpython3-dev pkg-config gcc g++
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

.PHONY: all deps native stage python demo test test-dotnet test-python test-c test-fixtures test-tiers clean

all: native python

# System packages, installed only when something is missing.
deps: $(BUILD)/deps.stamp
$(BUILD)/deps.stamp:
	@mkdir -p $(BUILD)
	@if ! $(PYTHON) -c 'import numpy, pytest, venv, ensurepip' 2>/dev/null \
	    || ! command -v pkg-config >/dev/null || ! command -v g++ >/dev/null \
	    || [ ! -e "$$($(PYTHON) -c 'import sysconfig as s; print(s.get_config_var("LIBDIR") + "/" + s.get_config_var("INSTSONAME"))' 2>/dev/null)" ]; then \
	  echo "Installing $(APT_PACKAGES) with apt-get"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi
	@touch $@

# The NativeAOT library. Any trim/AOT warning fails the build (IlcTreatWarningsAsErrors).
native: $(LIBRARY)
$(LIBRARY): $(NATIVE_SOURCES)
	@mkdir -p $(NATIVE_DIR)
	dotnet publish csharp/DepthwiseInterop.Native -c Release -r linux-x64 -o $(NATIVE_DIR) -warnaserror | tee $(BUILD)/publish.log
	dotnet publish csharp/DepthwiseInterop.Native.Kernels/Avx2 -c Release -r linux-x64 -o $(NATIVE_DIR) -warnaserror | tee -a $(BUILD)/publish.log
	dotnet publish csharp/DepthwiseInterop.Native.Kernels/Avx512 -c Release -r linux-x64 -o $(NATIVE_DIR) -warnaserror | tee -a $(BUILD)/publish.log
	@! grep -E 'warning (IL|CS)' $(BUILD)/publish.log
	ln -sf libdepthwise_interop.so $(NATIVE_DIR)/libdepthwise_interop.so.1
	@touch $@

# A staging install for C consumers: header, versioned library with its symlink, pkg-config file.
stage: $(PREFIX)/lib/pkgconfig/depthwise_interop.pc
$(PREFIX)/lib/pkgconfig/depthwise_interop.pc: $(LIBRARY) $(HEADER) csharp/DepthwiseInterop.Native/depthwise_interop.pc.in
	@mkdir -p $(PREFIX)/include $(PREFIX)/lib/pkgconfig
	install -m 644 $(HEADER) $(PREFIX)/include/
	install -m 755 $(LIBRARY) $(PREFIX)/lib/libdepthwise_interop.so.1
	install -m 755 $(VARIANT_LIBRARIES) $(PREFIX)/lib/
	ln -sf libdepthwise_interop.so.1 $(PREFIX)/lib/libdepthwise_interop.so
	sed -e 's:@PREFIX@:$(PREFIX):' -e 's:@VERSION@:$(VERSION):' csharp/DepthwiseInterop.Native/depthwise_interop.pc.in > $@

# A virtual environment that sees Debian's NumPy and pytest, with the package installed in editable mode.
python: $(VENV)/installed.stamp
$(VENV)/installed.stamp: $(BUILD)/deps.stamp $(LIBRARY) pyproject.toml python/build_backend/depthwise_interop_build.py
	[ -x $(VENV_PYTHON) ] || $(PYTHON) -m venv --system-site-packages $(VENV)
	DEPTHWISE_INTEROP_PREBUILT_LIBRARY=$(abspath $(LIBRARY)) $(VENV_PYTHON) -m pip install --quiet --no-index --no-build-isolation -e .
	@touch $@

demo: python
	$(VENV_PYTHON) examples/demo.py

test: test-dotnet test-python test-c test-fixtures test-tiers
	@echo "All test suites passed."

test-dotnet: $(BUILD)/deps.stamp $(LIBRARY)
	PYTHONNET_PYDLL="$$($(PYTHON) -c 'import sysconfig as s; print(s.get_config_var("LIBDIR") + "/" + s.get_config_var("INSTSONAME"))')" \
	DEPTHWISE_INTEROP_LIBRARY=$(abspath $(LIBRARY)) DEPTHWISE_INTEROP_PYTHON_PATH=$(abspath python) \
	  dotnet test tests/DepthwiseInterop.Tests --logger "console;verbosity=minimal"

test-python: python stage
	$(VENV_PYTHON) -m pytest -q tests/python
	$(VENV_PYTHON) -m depthwise_interop.conformance --report $(BUILD)/conformance-report.md | tail -n 1

test-c: stage
	bash tests/c/run.sh $(PREFIX)

# A long run of the C ABI fuzzer (tests/c/fuzz_abi.c; `make test` runs 10,000 iterations with a fixed seed):
# FUZZ_ITERATIONS iterations, seeded from the clock unless FUZZ_SEED is set; the seed is printed.
FUZZ_ITERATIONS ?= 1000000
FUZZ_SEED ?= time
.PHONY: fuzz
fuzz: stage
	FUZZ_ITERATIONS=$(FUZZ_ITERATIONS) FUZZ_SEED=$(FUZZ_SEED) bash tests/c/fuzz.sh $(PREFIX)

# Every narrower instruction-set tier, forced with the cap: the values suites again through each.
test-tiers: python stage
	for isa in avx2 sse2 scalar; do \
	  echo "== tier $$isa"; \
	  DEPTHWISE_INTEROP_MAX_ISA=$$isa $(VENV_PYTHON) -m pytest -q -p no:cacheprovider tests/python/test_cpu_info.py \
	    tests/python/test_conformance.py tests/python/test_nn_depthwise.py tests/python/test_nn_conv2d.py tests/python/test_arrays.py; \
	  DEPTHWISE_INTEROP_MAX_ISA=$$isa bash tests/c/run.sh $(PREFIX); \
	done

# The committed fixtures must be what their generators write, byte for byte (tfjs: a regenerated sample).
test-fixtures: $(BUILD)/deps.stamp
	cd conformance/generator && npm ci --no-audit --no-fund --loglevel=error && node generate.mjs --check ../fixtures
	$(PYTHON) conformance/transcribe/build_tensorflow_fixtures.py --check
	$(PYTHON) conformance/derive/derive_fixtures.py --check
	$(PYTHON) conformance/derive/derive_half.py --check
	$(PYTHON) conformance/derive/verify_derived.py conformance/fixtures/derived_float16.json conformance/fixtures/derived_bfloat16.json

# Benchmarks: this library (C ABI and managed API) against ONNX Runtime in one BenchmarkDotNet run (depthwise_conv2d,
# conv2d and separable_conv2d; "half": float16 and bfloat16 against float32 through the C ABI; "first-calls": the
# managed API's first calls in fresh processes), then the same ratio targets timed side by side in one process
# (--paired: paired.json, a few minutes), the Python per-call overhead, then docs/benchmarks.md and
# docs/benchmarks-ratios.png.
# BENCH_PRESET=quick for a faster pipeline check; BENCH_OPS=conv2d,half runs some of the ops (the report then
# has only their sections: the full default is what docs/benchmarks.md should come from);
# DEPTHWISE_BENCH_SHAPES='7x7,pw1x1' narrows the layers of every op (substrings of the row labels);
# BENCH_ARGS go to BenchmarkDotNet; PAIRED_ARGS to the paired run (default --rounds 31 --burst-ms 10).
# `make bench-paired` reruns only the side-by-side part into the same folder (keeping the BenchmarkDotNet
# results there, if any) and regenerates the page.
BENCH_PRESET ?= standard
BENCH_OPS    ?= depthwise,conv2d,separable,half,first-calls
BENCH_ARGS   ?=
# The quick preset's paired run: a pipeline check, not a measurement (7 rounds of 5 ms bursts instead of 31 of 10).
PAIRED_ARGS  ?= $(if $(filter quick,$(BENCH_PRESET)),--rounds 7 --burst-ms 5)
BENCH_DIR    := $(BUILD)/benchmarks
BENCH_RUN    := DEPTHWISE_INTEROP_LIBRARY=$(abspath $(LIBRARY)) dotnet run -c Release --project csharp/DepthwiseInterop.Benchmarks --
BENCH_REPORT := $(PYTHON) tools/benchmarks/report.py --results $(BENCH_DIR) --out docs/benchmarks.md --chart docs/benchmarks-ratios.png
.PHONY: bench bench-paired
bench: $(LIBRARY) python
	start=$$(date +%s); \
	rm -rf $(BENCH_DIR); mkdir -p $(BENCH_DIR); \
	$(BENCH_RUN) --preset $(BENCH_PRESET) --ops $(BENCH_OPS) --artifacts $(abspath $(BENCH_DIR)) $(BENCH_ARGS); \
	$(BENCH_RUN) --paired --ops $(BENCH_OPS) --artifacts $(abspath $(BENCH_DIR)) $(PAIRED_ARGS); \
	DEPTHWISE_INTEROP_LIBRARY=$(abspath $(LIBRARY)) $(VENV_PYTHON) tools/benchmarks/python_overhead.py --json $(BENCH_DIR)/python_overhead.json; \
	$(BENCH_REPORT) --total-seconds $$(( $$(date +%s) - start ))

bench-paired: $(LIBRARY)
	mkdir -p $(BENCH_DIR)
	$(BENCH_RUN) --paired --ops $(BENCH_OPS) --artifacts $(abspath $(BENCH_DIR)) $(PAIRED_ARGS)
	$(BENCH_REPORT)

clean:
	rm -rf $(BUILD) $(VENV) python/depthwise_interop/libdepthwise_interop.so
	find . -name bin -o -name obj -prune -type d | grep -E '/(bin|obj)$$' | xargs rm -rf
