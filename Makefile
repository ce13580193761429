# The two commands: `make demo` (set up and run everything on an embedded default)
# and `make test` (set up and run every check). `.ci/run` calls `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=
DEMO_ARGS ?=

# Debian packages the tests start for real (see docs/architecture.md).
DEB_PACKAGES := iproute2 faketime kamailio kamailio-tls-modules kamailio-utils-modules sip-tester gnome-keyring dbus dbus-x11 \
	pulseaudio pulseaudio-utils xvfb postgresql espeak-ng sox openssl imagemagick x11-utils \
	xdotool desktop-file-utils dunst trayer libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 \
	libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 \
	libxcb-xinerama0 libxcb-xkb1 libfontconfig1 libdbus-1-3 libpulse0 libpulse-mainloop-glib0 \
	fonts-dejavu-core msitools wixl osslsigncode appstream

.PHONY: demo test unit check lint typecheck deps venv clean installer dist

demo: deps venv
	$(BIN)/homeagent demo $(DEMO_ARGS)

# Every test, on one worker more than cores: the integration tests wait on real processes
# (a third of the cores idle with one worker per core); they use free ports and temp dirs,
# and the audio tests share one worker (see their xdist_group).
WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
test: deps venv lint typecheck
	set -o pipefail; $(BIN)/pytest -n $(WORKERS) --dist loadgroup $(PYTEST_ARGS)

# The fast loop: unit tests only (no real peers), in parallel.
unit: venv
	$(BIN)/pytest tests/unit -n auto -q $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check homeagent tests benchmarks installers
	$(BIN)/ruff format --check homeagent tests benchmarks installers

typecheck: venv
	$(BIN)/mypy homeagent installers

# Installs the Debian packages when run as root and something is missing; otherwise says
# what is missing and carries on (tests that need a missing part fail with a clear message).
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null \
		| grep -q 'install ok installed' || echo $$p; done); \
	if [ -z "$$missing" ]; then echo "Debian packages: all present"; \
	elif [ "$$(id -u)" = 0 ]; then echo "Installing: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends $$missing >/dev/null; \
	else echo "Not root; missing Debian packages: $$missing"; fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[server,test]'
	touch $@

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache

# The self-contained bundle, its SBOM and tarball, and the signed .deb, into dist/ (see
# docs/operations.md, "Building and deploying the Linux package"). SIGNING_KEY and
# TRUSTED_KEYS: the organisation's key pair; without them a throw-away DEMO key is
# generated (dist/demo-keys/: never deploy such a package). DIST_ARGS: e.g.
# --check-reproducible, --no-cache, --source-date-epoch N.
dist: venv
	nice -n 10 $(BIN)/python -m installers.dist --out dist \
		$(if $(SIGNING_KEY),--signing-key $(SIGNING_KEY)) \
		$(if $(TRUSTED_KEYS),--trusted-keys $(TRUSTED_KEYS)) \
		$(if $(PROFILE),--profile $(PROFILE)) $(DIST_ARGS)

# The former name of `make dist`.
installer: dist

# The signed apt repository the agent PCs update from (docs/operations.md, "Hosting the
# signed apt repository"): adds DEBS (none: only re-signs, e.g. before Valid-Until) to
# APT_REPO, signed with GPG_KEY from GPG_HOME (GPG_PASSPHRASE_FILE for a scheduled job).
# Publish APT_REPO on any static web server.
APT_REPO ?= dist/apt
DEB_PACKAGES += gnupg
APT_URL ?= https://apt.example.org/homeagent
GPG_HOME ?= $(HOME)/.gnupg
VALID_DAYS ?= 7
SUITE ?= stable
.PHONY: apt-repo
apt-repo: venv
	$(BIN)/python -m installers.apt_repo --out $(APT_REPO) $(if $(DEBS),--debs $(DEBS)) \
		--gpg-home $(GPG_HOME) $(if $(GPG_KEY),--gpg-key $(GPG_KEY)) --suite $(SUITE) \
		$(if $(GPG_PASSPHRASE_FILE),--passphrase-file $(GPG_PASSPHRASE_FILE)) \
		--valid-days $(VALID_DAYS) --url $(APT_URL)
