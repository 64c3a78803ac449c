#!/usr/bin/env bash
# Put `jixiao` on PATH: a two-line shim that runs this checkout's .venv/bin/jixiao.
# Where: $JIXIAO_BIN_DIR if set; else ~/.local/bin if it is on PATH; else /usr/local/bin if
# writable and on PATH; else ~/.local/bin (and say how to add it to PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET="$PWD/.venv/bin/jixiao"
MARK="# jixiao shim (scripts/shim.sh)"
on_path() { case ":$PATH:" in *":$1:"*) return 0;; *) return 1;; esac; }
if [ -n "${JIXIAO_BIN_DIR:-}" ]; then DIR="$JIXIAO_BIN_DIR"
elif on_path "$HOME/.local/bin"; then DIR="$HOME/.local/bin"
elif on_path /usr/local/bin && [ -w /usr/local/bin ]; then DIR=/usr/local/bin
else DIR="$HOME/.local/bin"
fi
mkdir -p "$DIR"
if [ -e "$DIR/jixiao" ] && ! grep -qF "$MARK" "$DIR/jixiao"; then
  echo "shim: $DIR/jixiao exists and is not ours; left alone. Use: . .venv/bin/activate" >&2
  exit 0
fi
printf '#!/bin/sh\n%s runs %s\nexec "%s" "$@"\n' "$MARK" "$TARGET" "$TARGET" > "$DIR/jixiao"
chmod +x "$DIR/jixiao"
if on_path "$DIR"; then
  echo "shim: jixiao is on PATH ($DIR/jixiao)"
else
  echo "shim: installed $DIR/jixiao; $DIR is not on PATH yet: open a new login shell," \
       "or export PATH=\"$DIR:\$PATH\", or . .venv/bin/activate"
fi
