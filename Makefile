# Animated study diagrams: `make render` builds everything, `make test` checks it.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
QUALITY ?= full
IDS ?=
PORT ?= 8000
RUNS ?= 3
TILE ?=
# Render on a Dask cluster (SCHEDULER=tcp://HOST:8786) and/or one shard of a CI matrix (SHARD=K/N).
SCHEDULER ?=
SHARD ?=

# System packages that Manim (Cairo/Pango), Graphviz, LaTeX and the encoder need.
APT_PACKAGES := libpango1.0-dev libcairo2-dev pkg-config ffmpeg graphviz \
	texlive-latex-base texlive-latex-recommended dvisvgm fonts-inter fonts-jetbrains-mono fonts-dejavu-core
# Extra system packages for the tests: Chromium for Playwright and Java for the Nu HTML checker (the browser tests),
# LibreOffice Impress without a GUI (the PowerPoint files must open in a real presentation program).
APT_TEST_PACKAGES := chromium default-jre-headless libreoffice-impress-nogui

.PHONY: help render slides print site serve lighthouse watch test test-fast lint validate schema docs bench clean sysdeps test-sysdeps deps node-deps

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

render: deps node-deps ## every stage: render the stale tiles in both themes (QUALITY=full|preview, JOBS=n, IDS="a b", SCHEDULER=tcp://HOST:8786, SHARD=K/N), then the slides, handouts and gallery
	$(BIN)/python -m render build -j $(JOBS) --quality $(QUALITY) $(if $(SCHEDULER),--scheduler $(SCHEDULER)) $(if $(SHARD),--shard $(SHARD)) $(IDS)

slides: deps node-deps ## reveal.js decks (whole and per layer) and PowerPoint files in build/slides, from the light render
	$(BIN)/python -m render render -j $(JOBS) --quality $(QUALITY) --no-site --theme light $(IDS)
	$(BIN)/python -m render slides

print: deps ## printable PDF handouts (A4, Letter) in build/print, from the light render
	$(BIN)/python -m render render -j $(JOBS) --quality $(QUALITY) --no-site --theme light $(IDS)
	$(BIN)/python -m render print

site: deps node-deps ## rebuild the gallery from what is rendered, with the flashcards' Review page and the study views (map, study order, night-before list)
	$(BIN)/python -m render site

lighthouse: site test-sysdeps ## Lighthouse (mobile, Debian's Chromium) on the built gallery as `make serve` serves it: the median of 3 runs on the index and on a tile's page (RUNS=n, TILE=id)
	$(BIN)/python -m render lighthouse --runs $(RUNS) $(if $(TILE),--tile $(TILE))

watch: deps ## live preview while authoring: save diagrams.yaml, see the tile at http://127.0.0.1:8765/ (IDS="a b", PORT=n)
	$(BIN)/python -m render watch --port $(if $(filter 8000,$(PORT)),8765,$(PORT)) $(IDS)

serve: site ## serve the gallery at http://127.0.0.1:8000/ with byte ranges so videos seek (PORT=n)
	$(BIN)/python -m render serve --port $(PORT)

validate: deps ## check diagrams.yaml and report every error
	$(BIN)/python -m render validate

docs: deps ## regenerate the README's tables of kinds, actions, functions and fits from the registries
	$(BIN)/python -m render docs

schema: deps ## regenerate diagrams.schema.json from the spec models
	$(BIN)/python -m render schema -o diagrams.schema.json

test: deps test-sysdeps node-deps ## run the test suite (renders every authored tile in preview quality)
	$(BIN)/python -m pytest -q

test-fast: deps ## the fast tier for the edit loop: every test that needs no Manim render or browser (under a minute)
	$(BIN)/python -m pytest -q -m "not render and not browser"

lint: deps ## code lint (ruff) and the visual lint of every authored tile (IDS="a b"; PNG=dir for debug images)
	$(BIN)/ruff check render scenes tests
	$(BIN)/python -m render lint $(if $(PNG),--png $(PNG)) $(IDS)

bench: deps ## measure the Manim CLI against the pipeline at full quality (IDS="a b"); writes build/bench.json
	$(BIN)/python -m render bench $(IDS)

clean: ## remove build outputs (keeps the .venv)
	rm -rf build

deps: sysdeps $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

sysdeps:
	@$(call ensure_apt,$(APT_PACKAGES))

test-sysdeps:
	@$(call ensure_apt,$(APT_TEST_PACKAGES))

# esbuild (the site stage's minifier), the libraries the site copies (ts-fsrs, svg-pan-zoom, reveal.js), and
# axe-core, the Nu HTML checker and Lighthouse for the tests, pinned in package-lock.json.
# --ignore-scripts: vnu-jar's install script would download a Java runtime; the system's is used.
node-deps: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { $(call ensure_apt,nodejs npm); }
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# Install missing Debian packages with apt-get when root; otherwise print the exact command.
define ensure_apt
missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
if [ -n "$$missing" ]; then \
  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
    echo "installing system packages:$$missing"; \
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
  else \
    echo "missing system packages; run: sudo apt-get install -y$$missing"; exit 1; \
  fi; \
fi
endef
