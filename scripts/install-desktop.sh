#!/bin/sh
# Install the HMIP Inspection app into this user's desktop menu (Linux, no root needed):
# a .desktop entry, the icons, and the .hmip / .hmipbundle file types, so a double-click on
# an inspection file opens it and a double-click on a bundle opens its import preview.
#
# Run it from the unpacked app folder:   ./install-desktop.sh
# (or from a source checkout, where it points at .venv/bin/hmip-desktop).
# Remove again with:                     ./install-desktop.sh --uninstall
set -eu

here=$(cd "$(dirname "$0")" && pwd)
if [ -x "$here/hmip-desktop" ]; then            # the unpacked package
    exe="$here/hmip-desktop"
    res="$here/_internal/resources"
else                                             # scripts/ in a source checkout
    exe="$(cd "$here/.." && pwd)/.venv/bin/hmip-desktop"
    res="$(cd "$here/.." && pwd)/resources"
fi

data="${XDG_DATA_HOME:-$HOME/.local/share}"
apps="$data/applications"
mime="$data/mime"
icons="$data/icons/hicolor"

refresh() {
    if command -v update-mime-database >/dev/null 2>&1; then update-mime-database "$mime" || true; fi
    if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database "$apps" || true; fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1; then gtk-update-icon-cache -q -t "$icons" 2>/dev/null || true; fi
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -f "$apps/hmip-desktop.desktop" "$mime/packages/hmip-desktop.xml"
    for size in 16 32 48 64 128 256; do
        rm -f "$icons/${size}x${size}/apps/hmip-desktop.png" \
              "$icons/${size}x${size}/mimetypes/application-x-hmip.png" \
              "$icons/${size}x${size}/mimetypes/application-x-hmipbundle.png"
    done
    rm -f "$icons/scalable/apps/hmip-desktop.svg"
    refresh
    echo "Removed HMIP Inspection from the desktop menu (your data was not touched)."
    exit 0
fi

if [ ! -x "$exe" ]; then
    echo "install-desktop.sh: cannot find the app at $exe" >&2
    exit 2
fi
if [ ! -f "$res/desktop/hmip-desktop.desktop" ]; then
    echo "install-desktop.sh: cannot find the desktop files in $res/desktop" >&2
    exit 2
fi

mkdir -p "$apps" "$mime/packages" "$icons/scalable/apps"
exe_sed=$(printf '%s' "$exe" | sed 's/[#&\\]/\\&/g')  # a path with # or & stays whole
sed "s#@EXEC@#$exe_sed#g" "$res/desktop/hmip-desktop.desktop" > "$apps/hmip-desktop.desktop"
chmod 644 "$apps/hmip-desktop.desktop"
cp "$res/desktop/hmip-desktop-mime.xml" "$mime/packages/hmip-desktop.xml"
cp "$res/icons/hmip-desktop.svg" "$icons/scalable/apps/hmip-desktop.svg"
for size in 16 32 48 64 128 256; do
    mkdir -p "$icons/${size}x${size}/apps" "$icons/${size}x${size}/mimetypes"
    cp "$res/icons/hmip-desktop-$size.png" "$icons/${size}x${size}/apps/hmip-desktop.png"
    cp "$res/icons/hmip-desktop-$size.png" "$icons/${size}x${size}/mimetypes/application-x-hmip.png"
    cp "$res/icons/hmip-desktop-$size.png" "$icons/${size}x${size}/mimetypes/application-x-hmipbundle.png"
done
refresh
if command -v xdg-mime >/dev/null 2>&1; then
    xdg-mime default hmip-desktop.desktop application/x-hmip application/x-hmipbundle || true
fi
echo "Installed: HMIP Inspection is in your applications menu, and .hmip / .hmipbundle files"
echo "open with it. The app runs from $(dirname "$exe"); keep that folder where it is."
