# Sourced by scripts/demo and scripts/test: find Python 3.12+, make .venv, install the locked stack.
# Set OCOP_PYTHON=/path/to/python3.12 to choose the interpreter yourself.

set -eu
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${OCOP_VENV:-$ROOT/.venv}"

python_ok() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
    if [ -n "${OCOP_PYTHON:-}" ]; then
        if python_ok "$OCOP_PYTHON"; then echo "$OCOP_PYTHON"; return 0; fi
        echo "OCOP_PYTHON=$OCOP_PYTHON is not a Python 3.12 or newer." >&2
        return 1
    fi
    for candidate in python3.14 python3.13 python3.12 python3 python; do
        if command -v "$candidate" >/dev/null 2>&1 && python_ok "$(command -v "$candidate")"; then
            command -v "$candidate"; return 0
        fi
    done
    # pyenv installs that are not on PATH (no shims): look in its versions directory.
    root="${PYENV_ROOT:-$HOME/.pyenv}"
    if command -v pyenv >/dev/null 2>&1; then root="$(pyenv root)"; fi
    for candidate in $(ls -d "$root"/versions/3.1[2-9]* 2>/dev/null | sort -rV); do
        if python_ok "$candidate/bin/python3"; then echo "$candidate/bin/python3"; return 0; fi
    done
    return 1
}

if [ -x "$VENV/bin/python" ] && python_ok "$VENV/bin/python"; then
    PY="$VENV/bin/python"
else
    if ! BASE_PY="$(find_python)"; then
        cat >&2 <<'MSG'
ocop needs Python 3.12 or newer, and none was found.
Install one (https://www.python.org/downloads/, or your system's python3.12 package,
or `pyenv install 3.12`), then run this command again; or point to it with
    OCOP_PYTHON=/path/to/python3.12 <this command>
MSG
        exit 2
    fi
    echo "Using $BASE_PY ($("$BASE_PY" --version 2>&1)) to create $VENV"
    rm -rf "$VENV"
    "$BASE_PY" -m venv "$VENV"
    PY="$VENV/bin/python"
fi

# Install the locked dependencies when the lock file or pyproject changed since the last install.
# The caller sets OCOP_LOCK: requirements.lock to run, requirements-dev.lock to test.
LOCK="$ROOT/${OCOP_LOCK:-requirements.lock}"
STAMP="$VENV/.ocop-installed"
WANT="$(cat "$LOCK" "$ROOT/pyproject.toml" | "$PY" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
    echo "Installing dependencies into $VENV ..."
    if ! "$PY" -m uv --version >/dev/null 2>&1; then
        "$PY" -m pip install --quiet --disable-pip-version-check uv || true
    fi
    if "$PY" -m uv --version >/dev/null 2>&1; then
        UV_PYTHON_DOWNLOADS=never "$PY" -m uv pip install --quiet --python "$PY" -r "$LOCK"
        UV_PYTHON_DOWNLOADS=never "$PY" -m uv pip install --quiet --python "$PY" --no-deps -e "$ROOT"
    else
        "$PY" -m pip install --quiet --disable-pip-version-check -r "$LOCK"
        "$PY" -m pip install --quiet --disable-pip-version-check --no-deps -e "$ROOT"
    fi
    echo "$WANT" > "$STAMP"
fi
export PATH="$VENV/bin:$PATH"
