#!/bin/sh
# Serve the image's app over plain HTTP (compose, local runs) instead of the Lambda
# runtime interface: `--entrypoint /usr/local/bin/kefir-serve`. KEFIR_ENV_FILE names a
# file of KEY=value settings to load first (compose: what Terraform applied).
set -eu
if [ -n "${KEFIR_ENV_FILE:-}" ]; then
  set -a
  # shellcheck disable=SC1090
  . "$KEFIR_ENV_FILE"
  set +a
fi
cd "${LAMBDA_TASK_ROOT:-/var/task}"
exec python3 -m uvicorn app.main:create_app --factory \
  --host "${HOST:-0.0.0.0}" --port "${PORT:-8000}" --no-access-log "$@"
