#!/usr/bin/env bash
# Makes sure /usr/bin/python3 has the Python packages the bridge and the flight monitor use.
# They come from Debian: on a Debian machine this installs them with apt-get (as root, or with
# sudo) and says what it runs; elsewhere it prints the equivalent pip command and stops.
set -euo pipefail

python=${STARWEAVE_PYTHON:-/usr/bin/python3}
packages="python3-msgpack python3-zmq python3-numpy python3-sklearn python3-pytest fonts-dejavu-core"

if [ -x "$python" ] && "$python" -c 'import msgpack, zmq, numpy, sklearn' 2>/dev/null; then
  exit 0
fi

if command -v apt-get >/dev/null 2>&1 && [ -f /etc/debian_version ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo="sudo"
    else
      echo "setup-python: run as root to install: apt-get install -y $packages" >&2
      exit 1
    fi
  fi
  echo "setup-python: $python lacks msgpack, zmq, numpy or sklearn; running:"
  echo "  $sudo apt-get update && $sudo apt-get install -y $packages"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends $packages
  exit 0
fi

cat >&2 <<MSG
setup-python: $python cannot import msgpack, zmq, numpy and sklearn, and this is not a Debian
machine, so nothing was installed. Install them for the interpreter you use, for example:
  python3 -m pip install msgpack pyzmq numpy scikit-learn pytest
then run with STARWEAVE_PYTHON set to that interpreter's path.
MSG
exit 1
