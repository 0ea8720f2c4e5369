"""The wheel holds every file the app reads: the packages' modules and data, and the checkout's
pages, static files and migrations, which setup.cfg maps into the package at build time.

What goes into the wheel is asked of setuptools itself (its build step over setup.cfg), so a new
package or kind of file that setup.cfg does not name fails here rather than in an installation.
"""

from __future__ import annotations

from pathlib import Path

from setuptools.dist import Distribution

from matchmaker import config
from matchmaker.config import PACKAGE, PROJECT_ROOT, Settings, project_folder
from matchmaker.services import pdf_document

SHIPPED_FOLDERS = ("matchmaker", "search", "templates", "static", "migrations")
# Translation sources and notes for developers: the running app reads neither.
NOT_SHIPPED_SUFFIXES = {".po", ".md", ".pyc"}
NOT_SHIPPED_NAMES = {"README"}


def _wheel_files(monkeypatch) -> dict[Path, str]:
    """Each file setuptools puts into the wheel, by its place in the checkout: its wheel path."""
    monkeypatch.chdir(PROJECT_ROOT)
    distribution = Distribution()
    distribution.parse_config_files()
    build = distribution.get_command_obj("build_py")
    build.ensure_finalized()
    files = {
        PROJECT_ROOT / source / name: Path(target, name).relative_to(build.build_lib).as_posix()
        for _package, source, target, names in build.data_files
        for name in names
    }
    for package in distribution.packages:
        for module in (PROJECT_ROOT / build.get_package_dir(package)).glob("*.py"):
            files[module] = f"{package.replace('.', '/')}/{module.name}"
    return files


def _checkout_files() -> set[Path]:
    return {
        path
        for folder in SHIPPED_FOLDERS
        for path in (PROJECT_ROOT / folder).rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.suffix not in NOT_SHIPPED_SUFFIXES
        and path.name not in NOT_SHIPPED_NAMES
    }


def test_every_file_the_app_reads_goes_into_the_wheel(monkeypatch):
    left_out = _checkout_files() - set(_wheel_files(monkeypatch))
    assert not left_out, sorted(str(path.relative_to(PROJECT_ROOT)) for path in left_out)


def test_the_wheel_puts_pages_static_files_and_migrations_where_an_installed_app_looks(
    monkeypatch,
):
    in_wheel = _wheel_files(monkeypatch)
    monkeypatch.setattr(config, "IN_CHECKOUT", False)
    for folder, sample in (
        ("templates", "directory/sitemap.xml"),
        ("static", "fonts/NotoSansSC-Subset-Regular.ttf"),
        ("migrations", "env.py"),
    ):
        installed = project_folder(folder) / sample
        assert (
            installed.relative_to(PACKAGE.parent).as_posix()
            == in_wheel[PROJECT_ROOT / folder / sample]
        ), folder


def test_a_checkout_reads_its_files_beside_the_package(app):
    folders = {
        "templates": Path(app.root_path, app.template_folder),
        "static": Path(app.static_folder),
        "migrations": Path(app.extensions["migrate"].directory),
    }
    for name, folder in folders.items():
        assert folder.resolve() == PROJECT_ROOT / name, (name, folder)
    assert pdf_document.FONT_FILE.parent == PROJECT_ROOT / "static" / "fonts"
    assert pdf_document.FONT_FILE.is_file()


def test_an_installed_package_keeps_its_instance_in_the_working_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("MATCHMAKER_INSTANCE_PATH", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(config, "IN_CHECKOUT", False)
    assert Settings().instance_path() == tmp_path / "instance"
    monkeypatch.setattr(config, "IN_CHECKOUT", True)
    assert Settings().instance_path() == PROJECT_ROOT / "instance"
