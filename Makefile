# The two commands of the README: `make demo` and `make test`.
VENV := .venv
STAMP := $(VENV)/.setup-done

.PHONY: setup demo test lint lock

$(STAMP): requirements.lock pyproject.toml scripts/setup.sh scripts/system_packages.sh
	scripts/setup.sh
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(VENV)/bin/kikimimi demo

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/python -m pytest -n 2 --dist loadfile

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports --no-cache

# Re-resolve the pinned set after editing dependencies in pyproject.toml.
lock: setup
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 --generate-hashes -o requirements.lock
