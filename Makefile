# Muurtje: `make run` starts the product, `make test` runs every test on SpatiaLite and PostGIS.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
WORKERS ?= 2
export SPATIALITE_LIBRARY_PATH ?= mod_spatialite

.PHONY: run test lint bench clean-db venv

$(BIN)/activate:
	@scripts/system-deps.sh run
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt $(BIN)/activate
	$(BIN)/pip install -q -r requirements.txt
	touch $@

venv: $(VENV)/.installed

run: venv
	@scripts/system-deps.sh run
	$(BIN)/flask --app wsgi setup
	@echo "Muurtje draait op http://127.0.0.1:$(PORT)"
	@echo "E-mail: $${SMTP_URL:-geen SMTP_URL, dus als .eml-bestanden in instance/mail/}"
	@scripts/serve.sh $(BIN) $(PORT) $(WORKERS)

test: venv
	@scripts/system-deps.sh test
	@scripts/start-postgres.sh
	MUURTJE_REQUIRE_ALL_DBS=1 $(BIN)/pytest -q -p no:cacheprovider -n 2 --dist loadgroup

lint: venv
	$(BIN)/ruff check app geo offline_sync tests bench

clean-db:
	rm -f instance/muurtje.sqlite instance/muurtje.sqlite-wal instance/muurtje.sqlite-shm
