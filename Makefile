# SPDX-License-Identifier: GPL-2.0
#
# cmwq entry points; README.md explains them. The module build itself is
# described by ./Kbuild, which kbuild reads instead of this file.
#
#   make [modules]   build the modules for KDIR (default: the plain test kernel)
#   make kdir        print the plain test kernel's build directory
#   make run         boot cmwq and the example driver, show what they print
#   make check       everything: builds, W=1, sparse, checkpatch, KUnit on
#                    plain and debug kernels, runner self-tests, and Debian's
#                    four stock kernels (6.1, 6.1-rt, 6.12, 6.12-rt): W=1
#                    build, example driver and API smoke in QEMU on each
#   make check-all   make check with the W=1 builds, KUnit boots and runner
#                    self-tests on the 6.12 test kernels too (plain-6.12,
#                    debug-6.12, rtdebug-6.12), and the make install / DKMS
#                    package flow for real
#                    (tests/dkms/run.sh: root, installs and purges cmwq-dkms)
#   make bench       boot with bench/cmwq_bench.ko, then bench/cmwq_bench_taskq.ko
#                    (the Solaris taskqs) and bench/cmwq_bench_netbsd.ko
#                    (NetBSD's thread pools), print their cmwq-bench: lines;
#                    CMWQ_PARAMS=timing=1 loads cmwq.ko with every queue timed
#   make bench-reap  boot with bench/cmwq_bench_reap.ko: 256 works sleeping
#                    20 ms queued at once on one CPU, on the kernel's
#                    workqueue then on cmwq, how fast each pool creates
#                    workers, and its idle workers sampled for 310 s after
#                    the burst (about 6 minutes); prints its
#                    cmwq-bench-reap: lines (KUnit test kernels only);
#                    REAP_PARAMS=works=1024,cmwq_first=1 for other shapes
#   make stress      CPUs going down and up under load for STRESS_SECONDS
#                    (default 300) with exact accounting (bench/cmwq_stress.ko)
#   make torture     every entry point at random under CPU hotplug and failing
#                    worker creation for TORTURE_SECONDS (default 300), exact
#                    accounting (bench/cmwq_torture.ko); KERNEL=debug for
#                    lockdep, KASAN and debug objects
#   make vm-test EXTRA_MODULES="path/to/driver.ko ..." [KERNEL=plain|debug|stock]
#                    boot cmwq.ko then the given modules, parse their KUnit suites;
#                    KERNEL= (here and for bench, stress, torture) takes any
#                    test kernel scripts/kernel.sh --list names, or a stock one
#                    --list-stock names (stock, stock-6.1-rt, stock-6.12, stock-6.12-rt)
#   make test-runner run only the verdict self-tests (tests/verdict) and the
#                    runner self-tests (tests/runner/cases)
#   make install     install cmwq.ko, its headers and Module.symvers for the
#                    running kernel, KERNELRELEASE=<release> or KDIR=<dir>,
#                    under DESTDIR (scripts/install.sh says where)
#   make dkms        build the cmwq-dkms Debian package (scripts/dkms-deb.sh)
#   make deps        install the Debian packages all this needs (as root)
#   make clean       remove .build/ (the cached kernels stay in ~/.cache/cmwq)

KDIR ?= $(shell scripts/kernel.sh --dir plain)
KERNEL ?= plain
EXTRA_MODULES ?=
STRESS_SECONDS ?= 300
TORTURE_SECONDS ?= 300
CMWQ_PARAMS ?=
REAP_PARAMS ?=

.PHONY: modules kdir run check check-all bench bench-reap stress torture vm-test test-runner deps clean
.PHONY: install dkms dkms-modules

# `make install` has no test kernel for default: the kernel is the one
# asked for (KDIR or KERNELRELEASE), else the running one.
INSTALL_KDIR := $(if $(filter command line environment,$(origin KDIR)),$(KDIR))

modules:
	@echo "modules built in $$(scripts/build.sh $(KDIR))"

kdir:
	@echo $(KDIR)

run:
	@scripts/run.sh

check:
	@scripts/check.sh

check-all:
	@CMWQ_KERNELS="$$(scripts/kernel.sh --list)" CMWQ_DKMS=1 scripts/check.sh

bench:
	@scripts/vm-test.sh --kernel $(KERNEL) --cpus 2 --show '^cmwq-bench:' \
		$(if $(CMWQ_PARAMS),cmwq/cmwq.ko:$(CMWQ_PARAMS)) bench/cmwq_bench.ko \
		bench/cmwq_bench_taskq.ko bench/cmwq_bench_netbsd.ko

bench-reap:
	@scripts/vm-test.sh --kernel $(KERNEL) --cpus 2 --show '^cmwq-bench-reap:' \
		--timeout 900 bench/cmwq_bench_reap.ko$(if $(REAP_PARAMS),:$(REAP_PARAMS))

stress:
	@scripts/vm-test.sh --kernel $(KERNEL) --show 'cmwq' \
		--timeout $$(( $(STRESS_SECONDS) + 300 )) \
		bench/cmwq_stress.ko:seconds=$(STRESS_SECONDS)

torture:
	@scripts/vm-test.sh --kernel $(KERNEL) --show 'cmwq' \
		--expect 'cmwq-torture: PASS' \
		--timeout $$(( $(TORTURE_SECONDS) + 600 )) \
		bench/cmwq_torture.ko:seconds=$(TORTURE_SECONDS)

vm-test:
	@scripts/vm-test.sh --kernel $(KERNEL) $(EXTRA_MODULES)

test-runner:
	@scripts/deps.sh
	@scripts/test-verdict.sh
	@scripts/test-runner.sh

deps:
	@scripts/deps.sh

install:
	+@scripts/install.sh $(INSTALL_KDIR)

dkms:
	@scripts/dkms-deb.sh

# The build dkms.conf runs: build.sh as everywhere, its output directory
# then linked where dkms.conf's BUILT_MODULE_LOCATION points.
dkms-modules:
	+@b=$$(scripts/build.sh $(KDIR)) && ln -sfn "$$b" .build/dkms

clean:
	rm -rf .build
