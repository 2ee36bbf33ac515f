# Muurtje: `make run` starts the product, `make test` runs every test on SpatiaLite and PostGIS.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
WORKERS ?= 2
export SPATIALITE_LIBRARY_PATH ?= mod_spatialite

.PHONY: run test lint bench clean-db venv lock

$(BIN)/activate:
	@scripts/system-deps.sh run
	$(PYTHON) -m venv $(VENV)

# requirements*.txt pin every package with its hashes; pip refuses anything else (--require-hashes).
$(VENV)/.installed: requirements.txt $(BIN)/activate
	$(BIN)/pip install -q --require-hashes -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q --require-hashes -r requirements.txt -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

# Re-pin after editing requirements.in / requirements-dev.in (needs requirements-dev.txt installed).
lock: $(VENV)/.installed-dev
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --no-emit-index-url \
	  --no-emit-find-links -o requirements.txt requirements.in
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --no-emit-index-url \
	  --no-emit-find-links -o requirements-dev.txt requirements-dev.in

run: venv
	@scripts/system-deps.sh run
	$(BIN)/flask --app wsgi setup
	@echo "Muurtje draait op http://127.0.0.1:$(PORT)"
	@echo "E-mail: $${SMTP_URL:-geen SMTP_URL, dus als .eml-bestanden in instance/mail/}"
	@scripts/serve.sh $(BIN) $(PORT) $(WORKERS)

test: $(VENV)/.installed-dev
	@scripts/system-deps.sh test
	@scripts/start-postgres.sh
	@scripts/start-redis.sh
	MUURTJE_REQUIRE_ALL_DBS=1 $(BIN)/pytest -q -p no:cacheprovider -n 2 --dist loadgroup --durations=15

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check app geo offline_sync tests bench

clean-db:
	rm -f instance/muurtje.sqlite instance/muurtje.sqlite-wal instance/muurtje.sqlite-shm
