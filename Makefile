# Local developer commands. Everything Python runs through uv against the locked .venv.

.PHONY: venv run token zip lint test bench clean

UV_RUN := uv run --frozen

venv:
	@command -v uv >/dev/null || python3 -m pip install --quiet uv
	@uv sync --frozen --all-extras --quiet

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
	terraform fmt -check -recursive terraform

test: venv
	$(UV_RUN) pytest

bench: venv
	$(UV_RUN) python -m benchmarks

clean:
	rm -rf build .emulator .mypy_cache .ruff_cache .pytest_cache
	find . -name __pycache__ -type d -not -path "./.venv/*" -prune -exec rm -rf {} +
