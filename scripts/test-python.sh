#!/usr/bin/env bash
# Runs the Python package's tests with the Debian interpreter that has msgpack, zmq, numpy and
# sklearn; extra arguments go to pytest.
set -uo pipefail

cd "$(dirname "$0")/.."
python="${STARWEAVE_PYTHON:-/usr/bin/python3}"

# .ci/run sets this variable because it runs pytest itself, with a junit report.
if [ "${STARWEAVE_SKIP_PYTHON_TESTS:-}" = 1 ]; then
  echo 'test:python: skipped because STARWEAVE_SKIP_PYTHON_TESTS=1'
  exit 0
fi

if [ ! -d python/tests ]; then
  echo 'test:python: no python/tests folder, so no Python tests to run'
  exit 0
fi

"$python" -m pytest python/tests -q "$@"
status=$?

# pytest exits with 5 when it collects nothing; an existing test folder with no test is an error.
if [ "$status" -eq 5 ]; then
  echo 'test:python: pytest collected no test in python/tests' >&2
  exit 1
fi
exit "$status"
