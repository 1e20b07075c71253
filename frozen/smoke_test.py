"""Smoke test of the frozen app (`make package-test`): run the packaged executables on a fresh
data directory and fail, naming what is missing, when a hidden import, data file or Qt plugin
did not make it into the package.

    python frozen/smoke_test.py [dist/hmip_desktop]

Steps: the package's files (migrations, frameworks, fonts, icons, licences, Qt plugins and
libraries the app uses; nothing it must not ship), `--version` of both executables,
`--self-check`, `hmip new`, `note add`, `search`, `report pdf` and `report docx` (when this
build has them) read back with `doc add`, the action plan out and in, and the GUI with FILE
`--quit-when-ready` offscreen. The keyring is not used: keys go through the passphrase key
file (HMIP_KEY_SOURCE=passphrase, HMIP_PASSPHRASE), HMIP_HOME is a temp dir.
Only the standard library is used, so the test also runs where no venv exists.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIST = ROOT / "dist" / "hmip_desktop"
EXE = ".exe" if sys.platform == "win32" else ""
PASSPHRASE = "frozen smoke test passphrase"
TIMEOUT = 180

# What the package must hold (relative to _internal/; globs). Platform-neutral where possible.
REQUIRED = {
    "migrations": ["hmip_desktop/storage/migrations/env.py",
                   "hmip_desktop/storage/migrations/versions/*.py"],
    "framework schema": ["resources/frameworks/framework.schema.json"],
    "establishment types": ["resources/frameworks/establishment_types.json"],
    "shipped frameworks": ["resources/frameworks/shipped/*"],
    "urgent notification process": ["resources/process/urgent_notification.json"],
    "report fonts": ["resources/fonts/DejaVuSans.ttf", "resources/fonts/DejaVuSans-Bold.ttf"],
    "icons": ["resources/icons/hmip-desktop.svg", "resources/icons/hmip-desktop-256.png"],
    "desktop entry": ["resources/desktop/hmip-desktop.desktop",
                      "resources/desktop/hmip-desktop-mime.xml"],
    "keyring metadata (backends by entry point)": ["keyring-*.dist-info/entry_points.txt"],
    "reportlab data": ["reportlab/fonts/*"],
    "SQLCipher": ["sqlcipher3/_sqlite3*"],
    "libsodium (revision signatures)": ["nacl/_sodium*", "_cffi_backend*"],
    "build info": ["hmip_build_info.json"],
    "Qt platform plugins": ["PySide6/Qt/plugins/platforms/*offscreen*"],
    "Qt image formats": ["PySide6/Qt/plugins/imageformats/*svg*",
                         "PySide6/Qt/plugins/imageformats/*jpeg*"],
    "QtPdf": ["PySide6/Qt*Pdf*"],
    "QtCharts": ["PySide6/Qt*Charts*"],
}
LINUX_REQUIRED = {
    "Qt platform plugin xcb": ["PySide6/Qt/plugins/platforms/libqxcb.so"],
    "Qt platform plugin wayland": ["PySide6/Qt/plugins/platforms/libqwayland*.so"],
}
# Python modules loaded by name at run time (inside the executables' PYZ archive).
REQUIRED_MODULES = ["sqlalchemy.dialects.sqlite.pysqlcipher", "sqlcipher3.dbapi2", "alembic",
                    "pyrage", "keyring.backends.SecretService", "keyring.backends.Windows",
                    "keyring.backends.macOS", "keyring.backends.kwallet",
                    "hmip_desktop.cli.main", "hmip_desktop.storage.tables",
                    "hmip_desktop.ui.main_window", "reportlab.pdfgen.canvas", "docx", "openpyxl",
                    "jsonschema", "pypdf", "charset_normalizer", "nacl.bindings"]
LINUX_MODULES = ["secretstorage", "jeepney"]
WINDOWS_MODULES = ["win32ctypes.core"]
FORBIDDEN_MODULES = ["keyrings", "keyrings.alt", "tkinter", "PySide6.QtWebEngineCore",
                     "PySide6.QtQml", "PySide6.QtMultimedia"]
# What must never be shipped (relative to _internal/).
FORBIDDEN = {
    "plaintext keyrings (keyrings.alt)": ["keyrings", "keyrings.alt*"],
    "QtWebEngine": ["PySide6/Qt/lib/*WebEngine*", "PySide6/Qt*WebEngine*",
                    "PySide6/Qt/resources/qtwebengine*"],
    "QtQml / QtQuick": ["PySide6/Qt/lib/*Qml*", "PySide6/Qt/lib/*Quick*", "PySide6/Qt/qml",
                        "PySide6/QtQml*", "PySide6/QtQuick*"],
    "Qt3D": ["PySide6/Qt/lib/*3D*", "PySide6/Qt3D*"],
    "Qt Multimedia": ["PySide6/Qt/lib/*Multimedia*", "PySide6/QtMultimedia*",
                      "PySide6/Qt/plugins/multimedia"],
    "Qt translations": ["PySide6/Qt/translations"],
    "tkinter": ["tkinter", "_tkinter*", "tcl*", "tk*"],
}
SIZE_BUDGET_MB = 450

# Frozen-app failures that name what is missing.
_MISSING = [
    (re.compile(r"No module named '([^']+)'"), "hidden import"),
    (re.compile(r"ModuleNotFoundError: (.+)"), "hidden import"),
    (re.compile(r"(?:FileNotFoundError|No such file or directory)[^\n]*?'([^']+)'"),
     "data file"),
    (re.compile(r'Qt platform plugin "([^"]+)"'), "Qt platform plugin"),
    (re.compile(r"Cannot load library ([^:\s]+)"), "Qt library or plugin"),
    (re.compile(r"(lib[\w.+-]+\.so[\d.]*): cannot open shared object file"), "shared library"),
    (re.compile(r"No backend[^\n]*|NoKeyringError[^\n]*"), "keyring backend"),
]


class SmokeFailure(Exception):
    """A step failed; the message names the step and what is missing."""


def _internal(dist: Path) -> Path:
    inner = dist / "_internal"
    return inner if inner.is_dir() else dist


def check_files(dist: Path) -> list[str]:
    """Problems with the package's contents (missing or forbidden files, size)."""
    problems = []
    inner = _internal(dist)
    required = dict(REQUIRED)
    if sys.platform.startswith("linux"):
        required.update(LINUX_REQUIRED)
    for what, patterns in required.items():
        for pattern in patterns:
            if not list(inner.glob(pattern)):
                problems.append(f"missing {what}: _internal/{pattern}")
    for what, patterns in FORBIDDEN.items():
        for pattern in patterns:
            found = list(inner.glob(pattern))
            if found:
                problems.append(f"must not ship {what}: {found[0].relative_to(dist)}")
    for name in (f"hmip-desktop{EXE}", f"hmip{EXE}"):
        if not (dist / name).is_file():
            problems.append(f"missing executable: {name}")
    if not (dist / "licenses" / "INDEX.txt").is_file():
        problems.append("missing licences: licenses/INDEX.txt")
    elif not (dist / "licenses" / "qt-pyside6" / "LGPL-3.0.txt").is_file():
        problems.append("missing licence: licenses/qt-pyside6/LGPL-3.0.txt")
    if not list((dist / "licenses" / "fonts").glob("LICENSE*")):
        problems.append("missing font licence: licenses/fonts/LICENSE*")
    size_mb = folder_size(dist) / 1e6
    if size_mb > SIZE_BUDGET_MB:
        problems.append(f"package is {size_mb:.0f} MB, over the {SIZE_BUDGET_MB} MB budget")
    return problems


def bundled_modules(exe: Path) -> set[str] | None:
    """Module names in an executable's PYZ archive (None without PyInstaller to read it)."""
    try:
        from PyInstaller.archive.readers import CArchiveReader
    except ImportError:
        return None
    archive = CArchiveReader(str(exe))
    pyz = next(name for name in archive.toc if name.endswith(".pyz"))
    return set(archive.open_embedded_archive(pyz).toc)


def check_modules(dist: Path) -> list[str]:
    """Problems with the Python modules bundled into each executable."""
    problems = []
    required = list(REQUIRED_MODULES)
    if sys.platform.startswith("linux"):
        required += LINUX_MODULES
    elif sys.platform == "win32":
        required += WINDOWS_MODULES
    for name in (f"hmip-desktop{EXE}", f"hmip{EXE}"):
        modules = bundled_modules(dist / name) if (dist / name).is_file() else set()
        if modules is None:
            print("skip module list check (PyInstaller is not installed here)")
            return []
        problems += [f"missing hidden import in {name}: {m}" for m in required
                     if m not in modules]
        problems += [f"must not ship module in {name}: {m}" for m in FORBIDDEN_MODULES
                     if m in modules]
    return problems


def folder_size(folder: Path) -> int:
    """Bytes of all files under folder (symlinks not followed)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def name_missing(text: str, log: str = "") -> str:
    """'hidden import: foo' etc. for the first recognisable failure in output or log."""
    for source in (text, log):
        for pattern, kind in _MISSING:
            match = pattern.search(source)
            if match:
                found = match.group(1) if match.groups() else match.group(0)
                return f"{kind}: {found}"
    return ""


class Runner:
    """Runs the frozen executables with a fresh data directory and the passphrase path."""

    def __init__(self, dist: Path, work: Path) -> None:
        self.dist = dist
        self.work = work
        self.home = work / "home"
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("HMIP_", "QT_", "PYTHON"))}
        self.env.update(HMIP_HOME=str(self.home), HMIP_KEY_SOURCE="passphrase",
                        HMIP_PASSPHRASE=PASSPHRASE, QT_QPA_PLATFORM="offscreen",
                        HMIP_AUTHOR_NAME="Smoke Test")

    def log_text(self) -> str:
        log = self.home / "logs" / "hmip.log"
        return log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""

    def run(self, step: str, exe: str, args: Sequence[str], *, ok_codes: tuple[int, ...] = (0,),
            expect: str | None = None) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.dist / f"{exe}{EXE}"), *args]
        started = time.monotonic()
        try:
            proc = subprocess.run(cmd, env=self.env, cwd=self.work, capture_output=True,
                                  text=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise SmokeFailure(f"{step}: no answer within {TIMEOUT} s") from None
        took = time.monotonic() - started
        output = proc.stdout + proc.stderr
        if proc.returncode not in ok_codes or (expect and expect not in output):
            missing = name_missing(output, self.log_text())
            why = f"missing {missing}" if missing else f"exit {proc.returncode}"
            tail = "\n".join(output.strip().splitlines()[-15:])
            raise SmokeFailure(f"{step}: {why}\n  $ {' '.join(cmd)}\n{tail}")
        print(f"ok   {step} ({took:.1f} s)")
        return proc


def smoke(dist: Path) -> None:
    """All steps; raises SmokeFailure at the first failure."""
    problems = check_files(dist) + check_modules(dist)
    if problems:
        raise SmokeFailure("package contents:\n  " + "\n  ".join(problems))
    print(f"ok   package contents ({folder_size(dist) / 1e6:.0f} MB)")
    with tempfile.TemporaryDirectory(prefix="hmip-smoke-") as tmp:
        r = Runner(dist, Path(tmp))
        insp = Path(tmp) / "smoke.hmip"
        r.run("hmip --version", "hmip", ["--version"], expect="hmip ")
        r.run("hmip-desktop --version", "hmip-desktop", ["--version"], expect="hmip-desktop ")
        r.run("hmip-desktop --self-check", "hmip-desktop", ["--self-check"],
              expect="[ok] migrations")
        check = r.run("hmip self-check", "hmip", ["self-check"], expect="[ok] SQLCipher")
        if "[FAIL" in check.stdout or "[fail" in check.stdout:
            raise SmokeFailure("self-check reports a failure:\n" + check.stdout)
        r.run("hmip new", "hmip", ["new", str(insp), "--establishment", "HMP Smoketest",
                                   "--type", "mens_prison", "--start", "2026-11-16",
                                   "--end", "2026-11-27"], expect="created")
        body = Path(tmp) / "note.txt"
        body.write_text("Night visit to the segregation unit: cells clean, bells answered.\n",
                        encoding="utf-8")
        r.run("hmip note add", "hmip", ["note", "add", str(insp), "--source", "observation",
                                        "--title", "Night visit", "--body-file", str(body),
                                        "--expectation", "1"])
        r.run("hmip search", "hmip", ["search", str(insp), "segregation"],
              expect="Night visit")
        pdf_help = subprocess.run([str(dist / f"hmip{EXE}"), "report", "pdf", "--help"],
                                  env=r.env, cwd=tmp, capture_output=True, text=True,
                                  timeout=TIMEOUT)
        if pdf_help.returncode == 0:
            out = Path(tmp) / "report.pdf"
            r.run("hmip report pdf", "hmip", ["report", "pdf", str(insp), "--out", str(out)])
            if not out.is_file() or not out.read_bytes().startswith(b"%PDF"):
                raise SmokeFailure("hmip report pdf: no PDF was written")
            # The DOCX writer reads python-docx's templates from the package's files.
            docx = Path(tmp) / "report.docx"
            r.run("hmip report docx", "hmip", ["report", "docx", str(insp), "--out", str(docx)])
            if not is_docx(docx):
                raise SmokeFailure("hmip report docx: no DOCX was written")
            # Reading them back as documents (pypdf, python-docx), and the action plan's
            # workbook out and in (openpyxl).
            r.run("hmip doc add (PDF, DOCX)", "hmip", ["doc", "add", str(insp), str(out),
                                                        str(docx)])
            plan = Path(tmp) / "plan.xlsx"
            r.run("hmip report action-plan", "hmip",
                  ["report", "action-plan", str(insp), "--out", str(plan)])
            r.run("hmip report action-plan-import", "hmip",
                  ["report", "action-plan-import", str(insp), str(plan)], expect="stored")
        else:
            print("skip report pdf: not available in this build")
        ready = r.run("GUI FILE --quit-when-ready (offscreen)", "hmip-desktop",
                      [str(insp), "--quit-when-ready"], expect="ready in")
        for line in ready.stdout.strip().splitlines():  # ready in …; editable in …
            print("     " + line)
        log = r.log_text()
        if "Traceback" in log:
            raise SmokeFailure("the app logged an unexpected error: "
                               + (name_missing(log) or log[log.index("Traceback"):][:800]))


def is_docx(path: Path) -> bool:
    """A Word document: a zip holding word/document.xml."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            return "word/document.xml" in z.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def main(argv: Sequence[str] | None = None) -> int:
    """Exit 0 when every step passes; 1 with the failing step and what is missing."""
    args = list(sys.argv[1:] if argv is None else argv)
    dist = Path(args[0]).resolve() if args else DEFAULT_DIST
    if not dist.is_dir():
        print(f"no packaged app at {dist}: run 'make package' first", file=sys.stderr)
        return 1
    try:
        smoke(dist)
    except SmokeFailure as exc:
        print(f"FAIL {exc}", file=sys.stderr)
        return 1
    print("frozen app smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
