"""How portsim writes every file it writes: beside, checked, renamed.

One rule for every output of every command (results folders, ``--trace``, state files,
``--write-variant``, snapshots, the replications kept for ``--resume``):

- a file or folder is written under a temporary name beside its target (``.portsim-tmp-…``)
  and renamed into place only once complete, so a failed write leaves the previous file as it
  was and no half-written one; the temporary is removed on any failure;
- an existing file is replaced only when asked to (``force``, ``--force`` on the command line),
  never when it is an input of the same command (the scenario, its timetables, a state file,
  the event log read), whatever its name or the links leading to it;
- symbolic links are followed (the file a link names is written, the link stays) and hard links
  are kept (a file with several names is rewritten in place, so every name sees the new text);
- a folder is replaced only if everything in it, at every depth, is what portsim writes there
  (:class:`Tree`): ``--force`` never deletes a user's file.

Nothing here knows which command writes what: the callers name their own files as a
:class:`Tree` and their inputs as :class:`Inputs`.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from portsim.errors import PortsimError

#: Every temporary name portsim makes starts with this (files and folders, beside a target).
TEMPORARY = ".portsim-tmp-"
#: A folder being retired while a new one takes its place.
_RETIRED = ".portsim-old-"
_OURS = re.compile(r"^\.portsim-(tmp|old)-")
#: Foreign entries named in a refusal before the rest are counted.
_LISTED = 5


class OutputError(PortsimError):
    """An output that portsim refuses to write: it would replace or delete what it must not."""


# ----------------------------------------------------------------------------------- inputs

@dataclass(frozen=True)
class Inputs:
    """The files a command reads, which none of its outputs may replace or delete: known by
    their real path (links followed) and by their inode (a hard link is the same file)."""

    paths: frozenset[Path] = frozenset()
    files: frozenset[tuple[int, int]] = frozenset()

    @classmethod
    def of(cls, *paths: str | os.PathLike[str] | None) -> Inputs:
        """The inputs at ``paths`` (None and missing files are skipped)."""
        real: set[Path] = set()
        ids: set[tuple[int, int]] = set()
        for path in paths:
            if path is None:
                continue
            real.add(Path(os.path.realpath(path)))
            with contextlib.suppress(OSError):
                status = os.stat(path)
                ids.add((status.st_dev, status.st_ino))
        return cls(frozenset(real), frozenset(ids))

    def __or__(self, other: Inputs) -> Inputs:
        return Inputs(self.paths | other.paths, self.files | other.files)

    def holding(self, target: Path) -> Path | None:
        """The input that writing ``target`` (a real path) would change, if any."""
        if target in self.paths:
            return target
        try:
            status = os.stat(target)
        except OSError:
            return None
        if (status.st_dev, status.st_ino) in self.files:
            return target
        return None

    def inside(self, folder: Path) -> Path | None:
        """An input at ``folder`` (a real path) or below it, if any."""
        return next((path for path in sorted(self.paths) if path.is_relative_to(folder)), None)


NO_INPUTS = Inputs()


def _refuse_input(shown: str | os.PathLike[str], source: Path | None, what: str) -> None:
    if source is not None:
        raise OutputError(f"{shown}: {what} {source}, which this command reads; portsim never "
                          "writes over its own inputs: choose another name")


# ------------------------------------------------------------------------------ single files

def target_of(path: str | os.PathLike[str]) -> Path:
    """Where writing ``path`` lands: every symbolic link followed (a dangling one too, to the
    file it names), so that the link itself stays."""
    return Path(os.path.realpath(path))


def check_file(path: str | os.PathLike[str], *, force: bool, inputs: Inputs = NO_INPUTS,
               option: str = "--out") -> Path:
    """Refuse, before any work is done, a file that cannot or must not be written: a folder,
    something other than a regular file, an input, an existing file without ``force``. Makes
    the parent folder and proves it writable (an OSError: the machine refused). The target."""
    target = target_of(path)
    shown = f"{option} {path}" if option else str(path)
    if target.is_dir():
        raise OutputError(f"{shown}: is a folder; give a file name")
    _refuse_input(shown, inputs.holding(target), "is the input")
    if os.path.lexists(target):
        if not stat.S_ISREG(os.stat(target).st_mode):
            raise OutputError(f"{shown}: exists and is not a regular file")
        if not force:
            raise OutputError(f"{shown}: exists; use --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    tempfile.TemporaryFile(dir=target.parent).close()
    return target


@contextlib.contextmanager
def new_file(path: str | os.PathLike[str], *, replace: bool, inputs: Inputs = NO_INPUTS,
             expected: bytes | None = None, sync: bool = True) -> Iterator[Path]:
    """A temporary path beside ``path``'s target for the caller to write; on a clean exit it
    takes the target's place (see :func:`commit`), on any error it is removed.

    ``replace``: an existing file may be replaced. ``expected``: the bytes the file must still
    hold (it is being edited; refused if it changed since it was read).
    """
    target = target_of(path)
    _refuse_input(path, None if expected is not None else inputs.holding(target),
                  "is the input")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=TEMPORARY, suffix=f"-{target.name}",
                                    dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        if sync:
            _sync(temporary)
        commit(temporary, target, replace=replace, expected=expected, shown=path)
    finally:
        temporary.unlink(missing_ok=True)


def write_file(path: str | os.PathLike[str], data: bytes | str, *, replace: bool,
               inputs: Inputs = NO_INPUTS, expected: bytes | None = None,
               sync: bool = True) -> None:
    """Write ``data`` (text as UTF-8, exactly: no newline translation) to ``path`` through
    :func:`new_file`."""
    content = data.encode("utf-8") if isinstance(data, str) else data
    with new_file(path, replace=replace, inputs=inputs, expected=expected,
                  sync=sync) as temporary:
        temporary.write_bytes(content)


def commit(temporary: Path, target: Path, *, replace: bool, expected: bytes | None = None,
           shown: str | os.PathLike[str] | None = None) -> None:
    """Put the complete file ``temporary`` in ``target``'s place in one step."""
    shown = shown if shown is not None else target
    if expected is not None:
        try:
            now = target.read_bytes()
        except OSError:
            now = None
        if now != expected:
            raise OutputError(f"{shown}: changed since portsim read it; it was left as it is "
                              "now (run the command again to work on the new text)")
    try:
        status = os.stat(target)
    except FileNotFoundError:
        _create(temporary, target, shown)
        return
    if not replace:
        raise OutputError(f"{shown}: appeared while portsim was working; it was left as it "
                          "is (use --force to replace it)")
    os.chmod(temporary, stat.S_IMODE(status.st_mode))
    if status.st_nlink > 1:
        _rewrite_in_place(temporary, target)
    else:
        os.replace(temporary, target)


def _create(temporary: Path, target: Path, shown: str | os.PathLike[str]) -> None:
    """A new file: linked into place, which fails rather than replace a file that appeared
    meanwhile (a rename would replace it); renamed where the file system has no hard links."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)  # mkstemp's files are private (0600)
    try:
        os.link(temporary, target)
    except FileExistsError:
        raise OutputError(f"{shown}: appeared while portsim was working; it was left as it "
                          "is (use --force to replace it)") from None
    except OSError:  # no hard links here (FAT, some network file systems)
        if os.path.lexists(target):
            raise OutputError(f"{shown}: appeared while portsim was working; it was left as "
                              "it is (use --force to replace it)") from None
        os.replace(temporary, target)


def _rewrite_in_place(temporary: Path, target: Path) -> None:
    """Rewrite ``target``, a file with several names (hard links), in place so that every name
    sees the new text. Room for it is reserved first and the old text is kept beside it until
    the new one is complete: a failure (a full disk) puts the old text back."""
    handle, name = tempfile.mkstemp(prefix=_RETIRED, suffix=f"-{target.name}",
                                    dir=target.parent)
    os.close(handle)
    backup = Path(name)
    try:
        shutil.copyfile(target, backup)
        with target.open("r+b") as out:
            try:
                _copy_into(temporary, out)
            except BaseException:
                _copy_into(backup, out)
                raise
    finally:
        backup.unlink(missing_ok=True)


def _copy_into(source: Path, out: BinaryIO) -> None:
    """``source``'s bytes as the whole of the open file ``out``."""
    size = source.stat().st_size
    if size and hasattr(os, "posix_fallocate"):
        os.posix_fallocate(out.fileno(), 0, size)  # ENOSPC here, before a byte has changed
    out.seek(0)
    with source.open("rb") as data:
        shutil.copyfileobj(data, out)
    out.truncate(size)
    out.flush()
    os.fsync(out.fileno())


def _sync(path: Path) -> None:
    """Make ``path``'s data durable before it is renamed into place."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# ---------------------------------------------------------------------------------- folders

@dataclass(frozen=True)
class Tree:
    """What portsim writes in a folder: files and sub-folders by name or pattern, each
    sub-folder with a tree of its own. Temporaries (``.portsim-tmp-…``) count as its own."""

    files: frozenset[str] = frozenset()
    file_patterns: tuple[re.Pattern[str], ...] = ()
    folders: Mapping[str, Tree] = field(default_factory=dict)
    folder_patterns: tuple[tuple[re.Pattern[str], Tree], ...] = ()

    def own_file(self, name: str) -> bool:
        return (name in self.files or bool(_OURS.match(name))
                or any(pattern.match(name) for pattern in self.file_patterns))

    def own_folder(self, name: str) -> Tree | None:
        if name in self.folders:
            return self.folders[name]
        return next((tree for pattern, tree in self.folder_patterns if pattern.match(name)),
                    None)

    def __or__(self, other: Tree) -> Tree:
        folders = dict(self.folders)
        for name, tree in other.folders.items():
            folders[name] = folders[name] | tree if name in folders else tree
        return Tree(self.files | other.files, self.file_patterns + other.file_patterns,
                    folders, self.folder_patterns + other.folder_patterns)


def foreign(folder: Path, tree: Tree) -> list[str]:
    """Everything under ``folder``, at every depth, that portsim does not write there
    (relative paths, sorted; a link or a device is never its own): none if it is missing."""
    found: list[str] = []
    stack = [(folder, tree, "")]
    while stack:
        where, own, prefix = stack.pop()
        try:
            entries = list(os.scandir(where))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            inner = own.own_folder(entry.name)
            if entry.is_dir(follow_symlinks=False) and inner is not None:
                stack.append((Path(entry.path), inner, f"{prefix}{entry.name}/"))
            elif not (entry.is_file(follow_symlinks=False) and own.own_file(entry.name)):
                found.append(prefix + entry.name)
    return sorted(found)


def refuse_foreign(out: Path, tree: Tree) -> None:
    """Refuse a folder holding anything portsim did not write (naming the first few)."""
    found = foreign(out, tree)
    if found:
        listed = ", ".join(found[:_LISTED])
        if len(found) > _LISTED:
            listed += f" and {len(found) - _LISTED} more"
        target = f" (a link to {out.resolve()})" if out.is_symlink() else ""
        raise OutputError(
            f"{out}{target}: the output folder holds files portsim did not write ({listed}); "
            "results are written only to a new or empty folder or over an earlier run's "
            "results, and --force never deletes other files: choose another --out")


def check_folder(out: Path, tree: Tree, *, force: bool, inputs: Inputs = NO_INPUTS,
                 kept: frozenset[str] = frozenset()) -> None:
    """Refuse, before any work is done, to overwrite results without ``force``, and to replace
    (even with ``force``) a folder holding anything portsim did not write or any input of the
    command. ``kept`` entries (``.partial``) are judged by the caller.

    A symbolic link is judged by the folder it points to, since that is what would be replaced.
    """
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder")
    if not out.is_dir():
        return
    refuse_foreign(out, tree)
    _refuse_input(out, inputs.inside(target_of(out)), "holds")  # under a name of portsim's
    if not force and {entry.name for entry in out.iterdir()} - kept:
        raise OutputError(f"{out}: output folder already holds results; use --force to "
                          "replace them")


def write_folder(out: Path, tree: Tree, writer: Callable[[Path], None], *, force: bool,
                 inputs: Inputs = NO_INPUTS) -> None:
    """Let ``writer`` fill a temporary folder beside ``out``, then put it in ``out``'s place in
    one step; the folder it replaces is checked again first, and only its own files are
    deleted."""
    check_folder(out, tree, force=force, inputs=inputs)
    target = target_of(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=TEMPORARY, suffix=f"-{target.name}",
                                    dir=target.parent))
    # mkdtemp makes the folder private (0700); results are meant to be shared like any folder.
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)
    try:
        writer(staging)
        check_folder(out, tree, force=True, inputs=inputs)  # nothing foreign came meanwhile
        if not target.exists():
            os.replace(staging, target)
            return
        retired = Path(tempfile.mkdtemp(prefix=_RETIRED, suffix=f"-{target.name}",
                                        dir=target.parent))
        os.replace(target, retired / target.name)
        os.replace(staging, target)
        left = remove_own(retired / target.name, tree)
        if left:
            raise OutputError(f"{out}: written; files that appeared in the old folder while "
                              f"it was replaced are kept in {retired / target.name}: "
                              + ", ".join(left[:_LISTED]))
        retired.rmdir()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def remove_own(folder: Path, tree: Tree) -> list[str]:
    """Delete what portsim wrote under ``folder`` (by ``tree``), and the folder once empty;
    anything else stays. The relative paths that stayed (``.``: ``folder`` is a link, which
    is never followed)."""
    if folder.is_symlink():
        return ["."]
    left: list[str] = []
    for entry in sorted(os.scandir(folder), key=lambda entry: entry.name):
        inner = tree.own_folder(entry.name)
        if entry.is_dir(follow_symlinks=False) and inner is not None:
            left.extend(f"{entry.name}/{name}" for name in remove_own(Path(entry.path), inner))
        elif entry.is_file(follow_symlinks=False) and tree.own_file(entry.name):
            os.unlink(entry.path)
        else:
            left.append(entry.name)
    if not left:
        folder.rmdir()
    return left


__all__ = ["NO_INPUTS", "TEMPORARY", "Inputs", "OutputError", "Tree", "check_file",
           "check_folder", "commit", "foreign", "new_file", "refuse_foreign", "remove_own",
           "target_of", "write_file", "write_folder"]
