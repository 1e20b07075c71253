# Two commands on a fresh machine: `make run` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export QT_QPA_PLATFORM_TEST := offscreen

.PHONY: run test bench lint screenshots venv clean sysdeps package package-test

$(STAMP): pyproject.toml
	./scripts/sysdeps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dev]'
	./scripts/sysdeps.sh  # again: now ldd can ask Qt's xcb platform plugin what it lacks
	touch $(STAMP)

venv: $(STAMP)

sysdeps:
	./scripts/sysdeps.sh

run: $(STAMP)
	$(BIN)/hmip-desktop

test: $(STAMP)
	$(BIN)/lint-imports
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/run_all.py

lint: $(STAMP)
	$(BIN)/ruff check hmip_desktop tests bench
	$(BIN)/lint-imports

# The installable app: dist/hmip_desktop/ (hmip-desktop + hmip sharing _internal/) and
# dist/hmip_desktop-VERSION-linux-x86_64.tar.gz unpacking to hmip_desktop-VERSION/.
VERSION = $(shell $(BIN)/python -c 'import hmip_desktop; print(hmip_desktop.__version__)')
ARCHIVE = dist/hmip_desktop-$(VERSION)-linux-x86_64.tar.gz

package: $(STAMP)
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN build.spec
	tar -C dist --transform 's,^hmip_desktop,hmip_desktop-$(VERSION),' -czf $(ARCHIVE) hmip_desktop
	@du -sh dist/hmip_desktop $(ARCHIVE)

package-test: $(STAMP)
	$(BIN)/python frozen/smoke_test.py dist/hmip_desktop

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) build dist *.egg-info
