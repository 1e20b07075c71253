#!/usr/bin/env bash
# System libraries Qt needs to run offscreen (tests) and on an X11 desktop (`make run`), plus
# Xvfb and xwininfo for the test that starts the real app on the xcb platform.
# Installs only what is missing, only with apt and only as root; elsewhere it prints what to
# install and continues. Fast and silent when everything is present (it runs on every fresh
# `make`). Once PySide6 is in the venv, the xcb platform plugin itself is asked (`ldd`) which
# libraries it cannot find, so a new Qt release that needs one more library is covered.
set -u
VENV="${VENV:-.venv}"
need=()
add() { case " ${need[*]-} " in *" $1 "*) ;; *) need+=("$1") ;; esac; }
libs="$( (ldconfig -p || /sbin/ldconfig -p) 2>/dev/null)"  # /sbin is not on a user's PATH
have_lib() { grep -qF "$1 " <<<"$libs"; }

# Debian package for a shared-library soname: libxcb-icccm.so.4 -> libxcb-icccm4,
# libxkbcommon-x11.so.0 -> libxkbcommon-x11-0 (a dash when the name ends in a digit).
pkg_for() {
  case "$1" in
    libglib-2.0.so.*) echo libglib2.0-0; return ;;
    libGL.so.*) echo libgl1; return ;;
    libEGL.so.*) echo libegl1; return ;;
    libOpenGL.so.*) echo libopengl0; return ;;
    libGLX.so.*) echo libglx0; return ;;
  esac
  local base="${1%%.so.*}" ver="${1##*.so.}"
  ver="${ver%%.*}"
  base="$(tr '[:upper:]' '[:lower:]' <<<"$base")"
  case "$base" in *[0-9]) echo "$base-$ver" ;; *) echo "$base$ver" ;; esac
}

# Always needed (offscreen tests load these too).
for so in libEGL.so.1 libGL.so.1 libxkbcommon.so.0 libfontconfig.so.1 libdbus-1.so.3 \
          libglib-2.0.so.0 libfreetype.so.6; do
  have_lib "$so" || add "$(pkg_for "$so")"
done

# The xcb platform plugin: ask ldd when PySide6 is installed, else use the known list.
plugin="$(ls "$VENV"/lib/python3*/site-packages/PySide6/Qt/plugins/platforms/libqxcb.so \
          2>/dev/null | head -n 1)"
if [ -n "$plugin" ]; then
  qtlib="$(dirname "$plugin")/../../lib"
  for so in $( (ldd "$plugin"; ldd "$qtlib"/libQt6XcbQpa.so.* 2>/dev/null) \
               | awk '/not found/ {print $1}' | sort -u); do
    add "$(pkg_for "$so")"
  done
else
  for so in libxcb-icccm.so.4 libxcb-keysyms.so.1 libxcb-image.so.0 libxcb-render-util.so.0 \
            libxcb-xkb.so.1 libxkbcommon-x11.so.0 libxcb-shape.so.0 libxcb-randr.so.0 \
            libxcb-xinerama.so.0 libX11-xcb.so.1 libxcb-util.so.1; do
    have_lib "$so" || add "$(pkg_for "$so")"
  done
fi
# Loaded at run time with dlopen (Qt 6.5+), so ldd cannot see it.
have_lib libxcb-cursor.so.0 || add libxcb-cursor0

# The Xvfb test (tests/gui/test_xcb_startup.py) and window detection.
command -v Xvfb >/dev/null 2>&1 || add xvfb
command -v xwininfo >/dev/null 2>&1 || add x11-utils

[ ${#need[@]} -eq 0 ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing system packages for Qt: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
    || echo "warning: could not install: ${need[*]}" >&2
else
  echo "warning: Qt needs these system packages; install them with:" >&2
  echo "  sudo apt-get install ${need[*]}" >&2
fi
exit 0
