"""Copy the licence texts of everything the packaged app bundles into one `licenses/` folder.

Run by build.spec after PyInstaller has collected the app (and usable on its own:
`python packaging/collect_licenses.py OUT_DIR`). Sources:

- every installed distribution in the runtime dependency closure of hmip_desktop (the `[test]`
  and `[dev]` extras are not bundled), with the licence files its wheel ships;
- Qt and PySide6 (LGPL-3.0; their wheels ship no licence file, so the texts are kept in
  frozen/licenses/), the Python interpreter (PSF), the PyInstaller bootloader, and the
  DejaVu fonts used by reports.

An INDEX.txt lists each bundled component with its version and declared licence.
"""

from __future__ import annotations

import re
import shutil
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
_LICENSE_NAME = re.compile(r"(LICEN[CS]E|COPYING|NOTICE|AUTHORS)", re.IGNORECASE)

QT_NOTICE = """Qt 6 and Qt for Python (PySide6, shiboken6) are used under the GNU Lesser General
Public License version 3 (LGPL-3.0-only); the texts are LGPL-3.0.txt and GPL-3.0.txt here.
Source code: https://download.qt.io/official_releases/ and
https://code.qt.io/cgit/pyside/pyside-setup.git/ (version {version}).
The app is built as one folder so that the Qt libraries (in _internal/PySide6/Qt/lib) can be
replaced with a modified build of the same version, as the LGPL requires.
"""


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_distributions(root: str = "hmip_desktop") -> list[metadata.Distribution]:
    """The installed distributions hmip_desktop needs at run time (no extras)."""
    from packaging.markers import Marker  # noqa: PLC0415 - build-time only

    seen: dict[str, metadata.Distribution] = {}

    def visit(name: str) -> None:
        key = _key(name)
        if key in seen:
            return
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            return
        seen[key] = dist
        for req in dist.requires or []:
            spec, _, marker = req.partition(";")
            if marker and not Marker(marker).evaluate({"extra": ""}):
                continue
            match = re.match(r"[A-Za-z0-9_.\-]+", spec.strip())
            if match:
                visit(match.group(0))

    visit(root)
    seen.pop(_key(root), None)
    return sorted(seen.values(), key=lambda d: _key(d.metadata["Name"]))


def _licence_label(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    label = meta.get("License-Expression") or meta.get("License") or ""
    if not label or len(label) > 80:
        classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or []
                       if c.startswith("License ::")]
        label = ", ".join(classifiers) or (label.splitlines()[0][:80] if label else "see files")
    return label


def _licence_files(dist: metadata.Distribution) -> list[Path]:
    files = []
    for f in dist.files or []:
        parts = Path(str(f)).parts
        in_meta = parts and parts[0].endswith(".dist-info")
        if in_meta and _LICENSE_NAME.search(parts[-1]) or (
                in_meta and len(parts) > 2 and parts[1] == "licenses"):
            path = Path(str(dist.locate_file(f)))
            if path.is_file():
                files.append(path)
    return files


def collect(out_dir: Path) -> list[str]:
    """Fill out_dir with licence texts and INDEX.txt; returns names without a licence file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    index = ["Third-party components bundled in the HMIP Inspection app", "",
             f"{'component':32} {'version':14} licence", ""]
    missing = []
    qt_version = "?"
    for dist in runtime_distributions():
        name, version = dist.metadata["Name"], dist.version
        files = _licence_files(dist)
        target = out_dir / _key(name)
        for path in files:
            target.mkdir(exist_ok=True)
            shutil.copyfile(path, target / path.name)
        if _key(name).startswith(("pyside6", "shiboken6")):
            qt_version = version
        elif not files:
            missing.append(name)
        index.append(f"{name:32} {version:14} {_licence_label(dist)}")
    # Components without a usable licence file in their wheel.
    qt_dir = out_dir / "qt-pyside6"
    qt_dir.mkdir(exist_ok=True)
    for text in ("LGPL-3.0.txt", "GPL-3.0.txt"):
        shutil.copyfile(HERE / "licenses" / text, qt_dir / text)
    (qt_dir / "NOTICE.txt").write_text(QT_NOTICE.format(version=qt_version), encoding="utf-8")
    python_licence = Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt"
    if python_licence.exists():
        (out_dir / "python").mkdir(exist_ok=True)
        shutil.copyfile(python_licence, out_dir / "python" / "LICENSE.txt")
    else:
        missing.append("python")
    index.append(f"{'Python':32} {sys.version.split()[0]:14} PSF-2.0")
    try:
        pyi = metadata.distribution("pyinstaller")
        (out_dir / "pyinstaller-bootloader").mkdir(exist_ok=True)
        for path in _licence_files(pyi):
            shutil.copyfile(path, out_dir / "pyinstaller-bootloader" / path.name)
        index.append(f"{'PyInstaller bootloader':32} {pyi.version:14} "
                     "GPL-2.0-or-later with the bootloader exception")
    except metadata.PackageNotFoundError:
        missing.append("pyinstaller")
    fonts = ROOT / "resources" / "fonts"
    for path in sorted(fonts.glob("LICENSE*")) if fonts.is_dir() else []:
        (out_dir / "fonts").mkdir(exist_ok=True)
        shutil.copyfile(path, out_dir / "fonts" / path.name)
        index.append(f"{'DejaVu fonts':32} {'':14} Bitstream Vera / DejaVu font licence")
    (out_dir / "INDEX.txt").write_text("\n".join(index) + "\n", encoding="utf-8")
    return missing


if __name__ == "__main__":
    lacking = collect(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "licenses")
    if lacking:
        print("no licence file shipped by: " + ", ".join(lacking))
