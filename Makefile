# Local developer commands. Everything Python runs through uv against the locked .venv.

.PHONY: venv run token zip lint checkov test contract openapi bench clean

# uv from PATH, else the module pip installs (a pyenv shim may not exist yet).
UV ?= $(shell command -v uv 2>/dev/null || echo python3 -m uv)
UV_RUN := $(UV) run --frozen

# Terraform providers come from a local mirror when one is given (machines without
# registry access); unset, terraform downloads them as usual.
TF_PLUGIN_DIR ?= $(wildcard /opt/tf-plugins)
export TF_PLUGIN_DIR

venv:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --frozen --all-extras --quiet

# Emulator + Terraform + uvicorn on :8000; Ctrl-C stops what it started.
run: venv
	$(UV_RUN) python -m app.dev.run

# Prints only the access token: export TOKEN=$$(make -s token EMAIL=you@example.com)
token: venv
	@test -n "$(EMAIL)" || { echo "EMAIL is required: make token EMAIL=you@example.com" >&2; exit 2; }
	@$(UV_RUN) python -m app.dev.token "$(EMAIL)"

zip: venv
	$(UV_RUN) python -m app.dev.lambda_zip

lint: venv
	$(UV_RUN) ruff check .
	$(UV_RUN) ruff format --check .
	$(UV_RUN) mypy
	$(UV_RUN) lint-imports
	terraform fmt -check -recursive terraform

# Terraform policy scan; checkov lives in its own venv under build/tools (it pins a lot).
checkov: venv
	$(UV_RUN) python -m app.dev.checkov

# Lint first (fast), then the whole suite against its own emulator on a free port, with
# branch coverage printed at the end (no threshold; settings in pyproject.toml).
test: lint
	$(UV_RUN) pytest --cov --cov-report=term

# Schemathesis for a time budget in seconds (`make contract 600`, or SECONDS=600; default
# 600) against the app served on its own emulator and through that emulator's API
# Gateway: every phase including stateful, every check, two real users. `make test`
# runs a short pass. Figures: build/contract/{app,gateway}/summary.json.
SECONDS ?= 600
ifeq (contract,$(firstword $(MAKECMDGOALS)))
  CONTRACT_BUDGET := $(word 2,$(MAKECMDGOALS))
  ifneq ($(CONTRACT_BUDGET),)
    SECONDS := $(CONTRACT_BUDGET)
    # The budget is an argument, not a target.
    $(eval $(CONTRACT_BUDGET):;@:)
  endif
endif
contract: venv
	@case "$(SECONDS)" in ''|*[!0-9]*) echo "make contract: the budget is whole seconds, e.g. make contract 600" >&2; exit 2;; esac
	CONTRACT_SECONDS=$(SECONDS) $(UV_RUN) pytest tests/contract/test_schemathesis.py -q -s

# The OpenAPI document as a file for the app repos' client generators.
OPENAPI ?= build/openapi.json
openapi: venv
	@$(UV_RUN) python -m app.dev.openapi $(OPENAPI)

bench: venv
	$(UV_RUN) python -m benchmarks

clean:
	rm -rf build .emulator .mypy_cache .ruff_cache .pytest_cache .import_linter_cache .coverage
	find . -name __pycache__ -type d -not -path "./.venv/*" -prune -exec rm -rf {} +
