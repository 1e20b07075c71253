"""Every expectation framework the app knows: shipped ones (read-only, resources/frameworks/
shipped) and the user's imports (JSON files in paths.user_frameworks_dir()).

Every file is validated against resources/frameworks/framework.schema.json and then by the
domain rules. An import never overwrites anything: when its (id, version) is taken, it gets
the version "<version>-imported-<n>" with the smallest free n. Nothing is written unless the
whole file is valid.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hmip_desktop import paths
from hmip_desktop.domain.errors import NotFoundError, UserError, ValidationError, echo
from hmip_desktop.domain.framework import EstablishmentType, Framework, in_force, recency_key
from hmip_desktop.domain.framework_build import CsvImportTarget, build_framework
from hmip_desktop.domain.framework_csv import ImportProblem, read_csv, write_csv
from hmip_desktop.domain.payload_rules import json_depth
from hmip_desktop.private_files import private_dir
from hmip_desktop.storage import establishment_types
from hmip_desktop.storage.json_file import read_json

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

log = logging.getLogger(__name__)

IMPORT_SUFFIX = "-imported-"


@dataclass(frozen=True)
class ImportPlan:
    """What importing a file would do: the framework to store (None if any problem), the
    existing framework it was merged into or compared with, and every problem found."""

    kind: str  # "csv" or "json"
    framework: Framework | None
    base: Framework | None
    requested_version: str | None
    problems: tuple[ImportProblem, ...]

    @property
    def ok(self) -> bool:
        """True when the file can be imported."""
        return self.framework is not None and not self.problems


# Input bounds (a shipped framework is about 300 KB and 7 levels deep).
MAX_FRAMEWORK_FILE_BYTES = 16 * 1024 * 1024
MAX_FRAMEWORK_DEPTH = 32
# List items and object keys in one framework file, counted before the schema is applied
# (jsonschema takes about as long per item as a small file takes whole). A framework of a
# few hundred expectations has a few thousand (the shipped ones: at most 700).
MAX_FRAMEWORK_ITEMS = 100_000
# Problems one import reports: a preview lists them, and a file of a million bad items would
# otherwise be a million messages (each built by jsonschema, then sorted).
MAX_IMPORT_PROBLEMS = 100


def _too_many_items(data: Any) -> str | None:
    """Why a parsed framework file is too large to validate, or None (iterative walk; the
    depth was bounded before parsing)."""
    items, stack = 0, [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            items += len(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            items += len(value)
            stack.extend(value)
        else:
            continue
        if items > MAX_FRAMEWORK_ITEMS:
            return (f"the framework holds more than {MAX_FRAMEWORK_ITEMS:,} values (limit: values "
                    "in one framework; a framework has a few thousand)")
    return None


def _capped(problems: Sequence[ImportProblem]) -> tuple[ImportProblem, ...]:
    """The first MAX_IMPORT_PROBLEMS problems, and a last line saying there are more."""
    if len(problems) <= MAX_IMPORT_PROBLEMS:
        return tuple(problems)
    more = ImportProblem(None, None, f"and more problems (only the first "
                         f"{MAX_IMPORT_PROBLEMS} are listed)")
    return (*problems[:MAX_IMPORT_PROBLEMS], more)


def _file_name(framework_id: str, version: str) -> str:
    """The JSON file name of one framework version."""
    return f"{framework_id}--{version}.json"


def _write_atomic(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write via a temporary file and a rename, so a crash never leaves half a file."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _schema_message(error: Any) -> str:
    """One short line for a schema violation: a text over its limit is named with the limit
    (not quoted: it may be megabytes); other messages quote the value: cut, and cleaned of
    control characters."""
    if error.validator == "maxLength" and isinstance(error.instance, str):
        return (f"text of {len(error.instance):,} characters is longer than the limit of "
                f"{error.validator_value:,}")
    return echo(error.message, 200)


def _stored_text(framework: Framework) -> str:
    """A framework as its JSON file holds it."""
    return json.dumps(framework.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _too_large_to_store(framework: Framework) -> str | None:
    """Why a framework cannot be stored, or None: its file would be larger than a framework
    file may be, and could then never be read back (user() skips such files)."""
    size = len(_stored_text(framework).encode("utf-8"))
    if size <= MAX_FRAMEWORK_FILE_BYTES:
        return None
    return (f"the framework would take {size:,} bytes as a file, more than a framework file "
            f"may (limit: {MAX_FRAMEWORK_FILE_BYTES:,} bytes); shorten its texts or split it")


class FrameworkRegistry:
    """Loads, validates, lists, imports and exports frameworks.

    Shipped frameworks are read once per registry; user frameworks are re-read on every call
    (a handful of small files) so the GUI and the command line always agree.
    """

    def __init__(
        self,
        shipped_dir: Path | None = None,
        user_dir: Path | None = None,
        schema_path: Path | None = None,
        types_path: Path | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._shipped_dir = shipped_dir or paths.resource_path("frameworks", "shipped")
        self._user_dir = user_dir
        self._schema_path = schema_path or paths.resource_path("frameworks",
                                                               "framework.schema.json")
        self._types_path = types_path or establishment_types.default_path()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._validator: Draft202012Validator | None = None
        self._shipped: list[Framework] | None = None
        self._types: list[EstablishmentType] | None = None
        self.load_problems: list[str] = []

    # ---- loading -----------------------------------------------------------------------

    @property
    def user_dir(self) -> Path:
        """Where imports are stored (HMIP_HOME is read on each call, via paths)."""
        if self._user_dir is not None:
            private_dir(self._user_dir)
            return self._user_dir
        return paths.user_frameworks_dir()

    def _schema_validator(self) -> Draft202012Validator:
        # jsonschema (~100 ms of imports) loads with the first validation, not with the
        # registry: the Overview's establishment-type label at start-up needs no validator.
        from jsonschema import Draft202012Validator, FormatChecker

        if self._validator is None:
            schema = json.loads(self._schema_path.read_text(encoding="utf-8"))
            self._validator = Draft202012Validator(schema, format_checker=FormatChecker())
        return self._validator

    def schema_problems(self, data: Any, limit: int = MAX_IMPORT_PROBLEMS
                        ) -> list[tuple[str, str]]:
        """Schema violations as (JSON path, message), in path order: the first `limit`
        found (jsonschema finds them lazily), and ("$", "and more ...") when there are more."""
        errors = list(itertools.islice(self._schema_validator().iter_errors(data), limit + 1))
        more = len(errors) > limit
        errors = sorted(errors[:limit], key=lambda e: [str(p) for p in e.absolute_path])
        found = [(e.json_path, _schema_message(e)) for e in errors]
        if more:
            found.append(("", f"and more problems (only the first {limit} are listed)"))
        return found

    def parse(self, data: Any, origin: str) -> Framework:
        """Validate a framework dict (size, schema, then domain rules); ValidationError names
        the JSON path of the first fault."""
        if too_large := _too_many_items(data):
            raise ValidationError(f"{origin}: {too_large}")
        problems = self.schema_problems(data)
        if problems:
            path, message = problems[0]
            raise ValidationError(f"{origin} does not match the framework schema at {path}: "
                                  f"{message}")
        return Framework.from_dict(data)

    def establishment_types(self) -> list[EstablishmentType]:
        """Every establishment type, in file order."""
        if self._types is None:
            self._types = [EstablishmentType.from_dict(t, f"$.establishment_types[{i}]")
                           for i, t in enumerate(establishment_types.raw_types(
                               self._types_path))]
        return list(self._types)

    def establishment_type(self, key: str) -> EstablishmentType:
        """One establishment type; NotFoundError lists the valid keys."""
        for kind in self.establishment_types():
            if kind.key == key:
                return kind
        valid = ", ".join(k.key for k in self.establishment_types())
        raise NotFoundError(f"unknown establishment type {key!r}; valid types: {valid}")

    def shipped(self) -> list[Framework]:
        """Frameworks delivered with the app. A broken shipped file is a bug, not user error."""
        if self._shipped is None:
            loaded = []
            for file in sorted(self._shipped_dir.glob("*.json")):
                try:
                    data = json.loads(file.read_text(encoding="utf-8"))
                    loaded.append(self.parse(data, file.name))
                except (ValueError, ValidationError) as exc:
                    raise RuntimeError(f"shipped framework {file.name} is invalid: {exc}") from exc
            self._shipped = loaded
        return list(self._shipped)

    def user(self) -> list[Framework]:
        """Frameworks the user imported; unreadable files are skipped and noted in
        `load_problems` so one bad file never hides the others."""
        self.load_problems = []
        taken = {f.ref for f in self.shipped()}
        found = []
        for file in sorted(self.user_dir.glob("*.json")):
            try:  # hand-copied or damaged: bounded as an import is, before parsing
                data = read_json(file, max_bytes=MAX_FRAMEWORK_FILE_BYTES,
                                 max_depth=MAX_FRAMEWORK_DEPTH)
                framework = self.parse(data, file.name)
            except (ValueError, ValidationError, OSError) as exc:
                self._note(f"skipped {file.name}: {exc}")
                continue
            if framework.ref in taken:
                self._note(f"skipped {file.name}: {framework.ref} already exists")
                continue
            taken.add(framework.ref)
            # Whatever a hand-copied file claims, only resources/ holds shipped frameworks.
            found.append(framework if framework.status == "imported"
                         else framework.replace(status="imported"))
        return found

    def _note(self, message: str) -> None:
        log.warning("user framework %s", message)
        self.load_problems.append(message)

    # ---- listing and lookup ------------------------------------------------------------

    def all(self) -> list[Framework]:
        """Every framework: by id, then newest version first."""
        everything = sorted(self.shipped() + self.user(), key=recency_key, reverse=True)
        return sorted(everything, key=lambda f: f.id)  # stable: keeps newest first per id

    def versions(self, framework_id: str) -> list[Framework]:
        """Every version of one framework id, newest first."""
        return [f for f in self.all() if f.id == framework_id]

    def get(self, framework_id: str, version: str | None = None) -> Framework:
        """One framework version (the newest when `version` is None); NotFoundError if none."""
        versions = self.versions(framework_id)
        if not versions:
            known = ", ".join(sorted({f.id for f in self.all()}))
            raise NotFoundError(f"no framework {framework_id!r}; known frameworks: {known}")
        if version is None:
            return versions[0]
        for framework in versions:
            if framework.version == version:
                return framework
        known = ", ".join(f.version for f in versions)
        raise NotFoundError(f"{framework_id!r} has no version {version!r}; versions: {known}")

    def for_type(self, establishment_type: str) -> list[Framework]:
        """Frameworks applying to one establishment type, newest first."""
        self.establishment_type(establishment_type)  # unknown key -> NotFoundError
        found = [f for f in self.all() if establishment_type in f.establishment_types]
        return sorted(found, key=recency_key, reverse=True)

    def newest_for_type(self, establishment_type: str) -> Framework:
        """The newest framework for an establishment type; NotFoundError if there is none."""
        found = self.for_type(establishment_type)
        if not found:
            raise NotFoundError(f"no framework applies to {establishment_type!r}")
        return found[0]

    def in_force_for_type(self, establishment_type: str, on: date | None = None) -> Framework:
        """The framework version in force for an establishment type on `on` (today when
        None): the latest to come into force by then, not simply the newest."""
        found = self.for_type(establishment_type)
        chosen = in_force(found, on or self._clock().date())
        if chosen is None:
            raise NotFoundError(f"no framework applies to {establishment_type!r}")
        return chosen

    def by_establishment_type(self) -> dict[str, list[Framework]]:
        """For every establishment type (file order), its frameworks newest first."""
        everything = sorted(self.all(), key=recency_key, reverse=True)
        return {t.key: [f for f in everything if t.key in f.establishment_types]
                for t in self.establishment_types()}

    def _stored_versions(self, framework_id: str) -> set[str]:
        """The versions of `framework_id` that have a file in the user folder, readable or
        not: an unreadable file (too large, damaged) still takes its name."""
        prefix = f"{framework_id}--"  # ids hold no "--", so the prefix names one id
        return {file.name[len(prefix):-len(".json")]
                for file in self.user_dir.glob(f"{prefix}*.json")}

    def free_version(self, framework_id: str, version: str) -> str:
        """`version` if (id, version) is free, else the first free "<version>-imported-<n>"."""
        taken = {f.version for f in self.versions(framework_id)}
        taken |= self._stored_versions(framework_id)
        if version not in taken:
            return version
        n = 1
        while f"{version}{IMPORT_SUFFIX}{n}" in taken:
            n += 1
        return f"{version}{IMPORT_SUFFIX}{n}"

    # ---- import and export -------------------------------------------------------------

    def plan_import(
        self,
        path: Path,
        *,
        framework_id: str | None = None,
        title: str | None = None,
        version: str | None = None,
        establishment_types: Sequence[str] | None = None,
    ) -> ImportPlan:
        """Check a CSV or JSON file and work out what importing it would store; content
        problems are collected (all of them), option mistakes raise UserError."""
        path = Path(path)
        kind = path.suffix.lower().lstrip(".")
        if kind not in ("csv", "json"):
            raise UserError(f"cannot import {path.name}: use a .csv or .json file")
        if path.is_dir():
            raise UserError(f"cannot import {path.name}: it is a folder, not a file")
        if not path.is_file():
            raise NotFoundError(f"file not found: {path.name}")
        types = tuple(dict.fromkeys(establishment_types or ()))
        for key in types:
            self.establishment_type(key)
        if path.stat().st_size > MAX_FRAMEWORK_FILE_BYTES:
            raise UserError(f"cannot import {path.name}: it is larger than "
                            f"{MAX_FRAMEWORK_FILE_BYTES // (1024 * 1024)} MiB (limit: framework "
                            "file size)")
        data = path.read_bytes()
        if kind == "csv":
            return self._plan_csv(data, framework_id, title, version, types)
        return self._plan_json(data, framework_id, title, version, types)

    def _now(self) -> str:
        return self._clock().replace(microsecond=0).isoformat()

    def _plan_csv(self, data: bytes, framework_id: str | None, title: str | None,
                  version: str | None, types: tuple[str, ...]) -> ImportPlan:
        if not framework_id:
            raise UserError("--id is required when importing a CSV file")
        existing = self.versions(framework_id)
        if existing:
            base = next((f for f in existing if f.version == version), existing[0])
            reference, merge = base, True
            types = types or base.establishment_types
            title = title or base.title
            version = version or base.version
        else:
            if not title:
                raise UserError(f"--title is required: there is no framework {framework_id!r} yet")
            if not types:
                raise UserError("--type is required for a new framework")
            reference, merge, base = self.newest_for_type(types[0]), False, None
            version = version or "1"
        content = read_csv(data)
        target = CsvImportTarget(framework_id, self.free_version(framework_id, version), title,
                                 types, self._now())
        built, build_problems = build_framework(content.rows, target, reference, merge=merge)
        problems = sorted([*content.problems, *build_problems], key=lambda p: p.row or 0)
        if not problems and built is not None:
            data = built.to_dict()
            if too_many := _too_many_items(data):  # bounded rows can still hold many values
                problems = [ImportProblem(None, None, too_many)]
            else:
                problems = [ImportProblem(None, p or None, m)
                            for p, m in self.schema_problems(data)]
        if not problems and built is not None and (too_large := _too_large_to_store(built)):
            problems = [ImportProblem(None, None, too_large)]
        framework = built if not problems else None
        return ImportPlan("csv", framework, base, version, _capped(problems))

    def _plan_json(self, data: bytes, framework_id: str | None, title: str | None,
                   version: str | None, types: tuple[str, ...]) -> ImportPlan:
        if json_depth(data) > MAX_FRAMEWORK_DEPTH:  # measured before parsing: no recursion
            problem = ImportProblem(None, None, "the JSON is nested too deeply (limit: depth "
                                    f"{MAX_FRAMEWORK_DEPTH})")
            return ImportPlan("json", None, None, version, (problem,))
        try:
            raw = json.loads(data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            problem = ImportProblem(None, None, "the file is not UTF-8 text")
            return ImportPlan("json", None, None, version, (problem,))
        except json.JSONDecodeError as exc:
            problem = ImportProblem(exc.lineno, None, f"not valid JSON: {exc.msg} "
                                    f"(line {exc.lineno}, column {exc.colno})")
            return ImportPlan("json", None, None, version, (problem,))
        if too_many := _too_many_items(raw):  # before the schema: see MAX_FRAMEWORK_ITEMS
            return ImportPlan("json", None, None, version,
                              (ImportProblem(None, None, too_many),))
        problems = [ImportProblem(None, p or None, m) for p, m in self.schema_problems(raw)]
        if problems:
            return ImportPlan("json", None, None, version, tuple(problems))
        try:
            parsed = Framework.from_dict(raw)
            framework_id = framework_id or parsed.id
            requested = version or parsed.version
            types = types or parsed.establishment_types
            framework = Framework.from_dict(parsed.replace(
                id=framework_id, title=title or parsed.title,
                version=self.free_version(framework_id, requested),
                establishment_types=types, status="imported",
                unverified_establishment_types=tuple(
                    t for t in parsed.unverified_establishment_types if t in types),
                imported_at=self._now(),
            ).to_dict())
        except ValidationError as exc:
            return ImportPlan("json", None, None, version, (ImportProblem(None, None, str(exc)),))
        if too_large := _too_large_to_store(framework):
            return ImportPlan("json", None, None, version, (ImportProblem(None, None, too_large),))
        existing = self.versions(framework_id)
        return ImportPlan("json", framework, existing[0] if existing else None, requested, ())

    def import_file(self, path: Path, **options: Any) -> Framework:
        """Import a CSV or JSON file as a new user framework version and return it.

        Raises ImportFormatError (CSV, with row and column) or ValidationError (JSON, naming
        the JSON path) for the first problem; nothing is written unless the file is valid.
        Options are those of plan_import().
        """
        plan = self.plan_import(path, **options)
        if plan.problems or plan.framework is None:
            first = plan.problems[0]
            if plan.kind == "json" and first.column:
                raise ValidationError(f"{Path(path).name} does not match the framework schema "
                                      f"at {first.column}: {first.message}")
            raise first.to_error()
        framework = plan.framework
        text = _stored_text(framework)
        if len(text.encode("utf-8")) > MAX_FRAMEWORK_FILE_BYTES:  # the plan checked; a guard
            raise UserError(_too_large_to_store(framework) or "the framework is too large")
        target = self.user_dir / _file_name(framework.id, framework.version)
        if target.exists():  # another process imported meanwhile; never overwrite
            raise UserError(f"{framework.ref} was imported meanwhile; try again")
        _write_atomic(target, text)
        log.info("imported framework %s from a %s file", framework.ref, plan.kind)
        return framework

    def export(self, framework_id: str, version: str | None, out_path: Path) -> Path:
        """Write one framework to `out_path` as JSON or CSV (chosen by the extension)."""
        framework = self.get(framework_id, version)
        out_path = Path(out_path)
        kind = out_path.suffix.lower()
        if kind not in (".json", ".csv"):
            raise UserError(f"cannot export to {out_path.name}: use a .json or .csv file name")
        if not out_path.parent.is_dir():
            raise NotFoundError(f"the folder to hold {out_path.name} does not exist")
        if kind == ".json":
            _write_atomic(out_path, _stored_text(framework))
        else:
            # A BOM makes Excel open the file as UTF-8; import accepts it either way.
            _write_atomic(out_path, write_csv(framework), encoding="utf-8-sig")
        return out_path

