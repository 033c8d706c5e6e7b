# Release builds and Debian packages; included by the Makefile.
#
#   make dist          static binaries for every target in dist/
#   make deb           Debian packages for every target in dist/
#   make test-install  install, upgrade and remove the amd64 package (root)
#
# VERSION and DEB_VERSION may be given on the command line, e.g.
# make deb VERSION=1.4.0.

DIST        ?= dist
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT      ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
# Debian needs a version that starts with a digit and sorts by time:
# v1.4.0-3-gabc-dirty -> 1.4.0+3.gabc.dirty; an untagged tree ->
# 0.0.0+git<commit time>.<hash>.
DEB_VERSION ?= $(shell v=$$(echo '$(VERSION)' | sed 's/^v//'); \
	if echo "$$v" | grep -Eq '^[0-9]+\.[0-9]+'; then echo "$$v" | sed 's/-/+/; s/-/./g'; \
	else echo "0.0.0+git$$(git log -1 --format=%cd --date=format:%Y%m%d%H%M%S 2>/dev/null || echo 0).$$(echo "$$v" | tr -- - .)"; fi)
LDFLAGS     := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
# os/arch[/variant] for Go; the package architecture follows from it.
TARGETS     ?= linux/amd64 linux/arm64 linux/arm/v7


.PHONY: dist deb deb-amd64 deb-arm64 deb-armv7 test-install clean-dist

dist: ## static binaries for linux/amd64, arm64 and arm/v7 in dist/, version and commit stamped
	@mkdir -p $(DIST)
	@set -e; for t in $(TARGETS); do \
	  os=$${t%%/*}; rest=$${t#*/}; arch=$${rest%%/*}; variant=$${rest#$$arch}; variant=$${variant#/}; \
	  out=$(DIST)/posnode-$$os-$$arch$$variant; \
	  echo "build $$out ($(VERSION), $(COMMIT))"; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch GOARM=$${variant#v} \
	    $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $$out ./cmd/posnode; \
	done

deb: deb-amd64 deb-arm64 deb-armv7 ## Debian packages for every target in dist/ (nfpm)

# The package architecture is nfpm's name: amd64, arm64, arm7 (armhf).
deb-amd64: DEB_ARCH := amd64
deb-arm64: DEB_ARCH := arm64
deb-armv7: DEB_ARCH := arm7
deb-amd64 deb-arm64 deb-armv7: deb-%: dist
	@test -f docs/operations.md
	POSNODE_ARCH=$(DEB_ARCH) POSNODE_DEB_VERSION='$(DEB_VERSION)' \
	  POSNODE_BINARY=$(abspath $(DIST))/posnode-linux-$* \
	  $(GO) run -C build/mkdeb . -config $(CURDIR)/packaging/nfpm.yaml -root $(CURDIR) -out $(abspath $(DIST))

test-install: ## as root: install, upgrade and remove the amd64 package (packaging/test-install.sh)
	bash packaging/test-install.sh

clean-dist:
	rm -rf $(DIST)

# In CI, `make test` also installs, upgrades and removes the package when
# the machine allows it (root and dpkg). Never on a developer's machine:
# it changes the system.
ifneq ($(and $(CI),$(shell command -v dpkg 2>/dev/null),$(filter 0,$(shell id -u))),)
test: test-install
endif
