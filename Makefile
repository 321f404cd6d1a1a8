# Concierge: one entry point for developers and CI. See README.md.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install up down lint schemas test test-unit run bench bi clean images compose-up compose-down compose-test

$(STAMP): pyproject.toml bi/pyproject.toml
	@command -v python3 >/dev/null || (apt-get update -qq && apt-get install -y -qq python3)
	@python3 -m venv --help >/dev/null 2>&1 && python3 -c 'import ensurepip' 2>/dev/null \
		|| (apt-get update -qq && apt-get install -y -qq python3-venv)
	@# Debian's Chromium: the headless browser of the offline-docs test (tests/e2e/test_offline_docs.py)
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	@# Debian's WenQuanYi Micro Hei: the CJK font billing embeds in its printed PDFs
	@test -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc \
		|| (apt-get update -qq && apt-get install -y -qq fonts-wqy-microhei)
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]" -e ./bi
	touch $(STAMP)

install: $(STAMP)

up:
	deploy/local/up.sh >/dev/null

down:
	deploy/local/down.sh

lint: install
	$(VENV)/bin/ruff check --output-format concise .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy services/billing/capital_numerals.py services/billing/printables.py services/billing/letterhead.py services/billing/pdf.py services/gateway
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m contracts.schema_check check
	$(VENV)/bin/mypy contracts runtime bi services/*/domain.py services/billing/money.py services/billing/collection.py services/billing/phone_charges.py services/visitor/call_register.py services/visitor/desk_day.py services/visitor/vip_reception.py services/visitor/watchlist_alert.py services/visitor/luggage.py services/visitor/reception_standard.py services/visitor/building_notice.py services/visitor/laundry.py services/visitor/catering.py services/visitor/business_centre.py \
		services/workorder/patrol.py services/workorder/incident.py services/workorder/hygiene.py

schemas: install
	$(PY) -m contracts.schema_check export

test: install up
	source deploy/local/env.sh && $(PY) -m pytest $(PYTEST_ARGS)

test-unit: install
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

run: install up
	deploy/local/run.sh

# The BI kit (bi/README.md) over the local Kafka: rebuilds .local/concierge_bi.duckdb.
bi: install
	source deploy/local/env.sh && $(PY) -m bi --database .local/concierge_bi.duckdb sync

bench: install up
	source deploy/local/env.sh && $(PY) -m bench

# Containers (Docker Engine + Compose from Debian packages, installed when missing).
images: install
	deploy/images/ensure-docker.sh
	deploy/images/build.sh >/dev/null

compose-up: images
	deploy/compose/compose.sh up -d
	deploy/compose/wait-healthy.sh
	@echo "gateway: http://127.0.0.1:$${GATEWAY_HOST_PORT:-18000} (deploy/compose/compose.sh ps | logs | down)"

compose-down:
	deploy/compose/compose.sh down $(COMPOSE_DOWN_ARGS)

compose-test: install
	deploy/compose/test.sh

clean: down
	rm -rf .local $(VENV)
