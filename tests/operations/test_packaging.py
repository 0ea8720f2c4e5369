"""The wheel holds every file the app reads: pages, static files, migrations, data, search data.

What goes into the wheel is asked of setuptools itself (its build step over setup.cfg), so a new
kind of file that no ``package_data`` pattern names fails here rather than in an installation.
"""

from __future__ import annotations

from pathlib import Path

from setuptools.dist import Distribution

from matchmaker import config
from matchmaker.config import PACKAGE, PROJECT_ROOT, Settings
from matchmaker.services import pdf_document

PACKAGES = ("matchmaker", "search")
# Translation sources and notes for developers: the running app reads neither.
NOT_SHIPPED_SUFFIXES = {".po", ".md", ".pyc"}
NOT_SHIPPED_NAMES = {"README"}


def _wheel_files(monkeypatch) -> set[Path]:
    monkeypatch.chdir(PROJECT_ROOT)
    distribution = Distribution()
    distribution.parse_config_files()
    build = distribution.get_command_obj("build_py")
    build.ensure_finalized()
    files = {
        PROJECT_ROOT / source / name
        for _package, source, _target, names in build.data_files
        for name in names
    }
    for package in distribution.packages:
        files.update((PROJECT_ROOT / package.replace(".", "/")).glob("*.py"))
    return files


def _package_files() -> set[Path]:
    return {
        path
        for package in PACKAGES
        for path in (PROJECT_ROOT / package).rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.suffix not in NOT_SHIPPED_SUFFIXES
        and path.name not in NOT_SHIPPED_NAMES
    }


def test_every_file_of_the_packages_goes_into_the_wheel(monkeypatch):
    left_out = _package_files() - _wheel_files(monkeypatch)
    assert not left_out, sorted(str(path.relative_to(PROJECT_ROOT)) for path in left_out)


def test_the_app_reads_its_files_from_the_package(app):
    folders = {
        "templates": Path(app.root_path, app.template_folder),
        "static": Path(app.static_folder),
        "migrations": Path(app.extensions["migrate"].directory),
        "fonts": pdf_document.FONT_FILE.parent,
    }
    for name, folder in folders.items():
        assert folder.resolve().is_relative_to(PACKAGE), (name, folder)
        assert folder.is_dir(), (name, folder)
    assert (PACKAGE / "templates" / "directory" / "sitemap.xml").is_file()


def test_an_installed_package_keeps_its_instance_in_the_working_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("MATCHMAKER_INSTANCE_PATH", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(config, "IN_CHECKOUT", False)
    assert Settings().instance_path() == tmp_path / "instance"
    monkeypatch.setattr(config, "IN_CHECKOUT", True)
    assert Settings().instance_path() == PROJECT_ROOT / "instance"
