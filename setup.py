"""pip's build step for greenwave: CMake builds the _greenwave extension (pyproject.toml has the
metadata). Environment:
  GREENWAVE_CMAKE_BUILD_DIR  an already configured CMake build directory to build in (and reuse)
                             instead of a fresh one under build-pip/ (the full engine takes minutes)
  GREENWAVE_CMAKE_ARGS       extra arguments for the CMake configure step of a fresh build
  GREENWAVE_BUILD_JOBS       parallel build jobs (default: the CPU count)
  GREENWAVE_PIP_BUILD_BASE   setuptools' scratch directory (default: build-pip/ in the source tree)
"""

import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent
# setuptools' own scratch space; /build*/ is git-ignored, and build/ is the developers' CMake tree.
PIP_BUILD = pathlib.Path(os.environ.get("GREENWAVE_PIP_BUILD_BASE", ROOT / "build-pip")).resolve()


def project_version() -> str:
    """The version in the top-level CMakeLists.txt's project() call (the one source of truth)."""
    text = (ROOT / "CMakeLists.txt").read_text()
    match = re.search(r"project\(greenwave\s+VERSION\s+([0-9.]+)", text)
    if match is None:
        sys.exit(f"setup.py: no 'project(greenwave VERSION x.y.z' in {ROOT / 'CMakeLists.txt'}")
    return match.group(1)


class CMakeBuild(build_ext):
    """Builds the greenwave_python and greenwave CMake targets and copies the compiled module into
    the wheel, and the programs (greenwave, greenwave-agents when LibTorch was found, the plot
    script they run) into greenwave/bin/, where the `greenwave` console command executes them."""

    def build_extension(self, ext: Extension) -> None:
        reuse = os.environ.get("GREENWAVE_CMAKE_BUILD_DIR")
        if reuse:
            build_dir = pathlib.Path(reuse).resolve()
            if not (build_dir / "CMakeCache.txt").is_file():
                sys.exit(f"setup.py: GREENWAVE_CMAKE_BUILD_DIR={reuse} is not a configured CMake build directory "
                         "(no CMakeCache.txt)")
        else:
            build_dir = PIP_BUILD / "cmake"
            if not (build_dir / "CMakeCache.txt").is_file():
                configure = ["cmake", "-S", str(ROOT), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release",
                             f"-DPython_EXECUTABLE={sys.executable}", "-DGREENWAVE_BUILD_TESTS=OFF"]
                if shutil.which("ninja"):
                    configure += ["-G", "Ninja"]
                configure += shlex.split(os.environ.get("GREENWAVE_CMAKE_ARGS", ""))
                subprocess.run(configure, check=True)
        jobs = os.environ.get("GREENWAVE_BUILD_JOBS", str(os.cpu_count() or 1))
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "greenwave_python", "greenwave", "-j", jobs],
                       check=True)
        built = build_dir / "python" / "greenwave" / ("_greenwave" + sysconfig.get_config_var("EXT_SUFFIX"))
        if not built.is_file():
            sys.exit(f"setup.py: the CMake build left no {built.name} in {built.parent} (is {build_dir} configured "
                     f"for this Python, {sys.executable}?)")
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built, target)
        # greenwave executes greenwave-agents from its own folder (/proc/self/exe), so both go to bin/.
        bin_dir = target.parent / "bin"
        bin_dir.mkdir(exist_ok=True)
        for name in ("greenwave", "greenwave-agents", "greenwave_plot.py"):
            program = build_dir / "tools" / name
            if program.is_file():
                shutil.copy2(program, bin_dir / name)
        if not (bin_dir / "greenwave").is_file():
            sys.exit(f"setup.py: the CMake build left no greenwave program in {build_dir / 'tools'}")


PIP_BUILD.mkdir(parents=True, exist_ok=True)
setup(
    version=project_version(),
    ext_modules=[Extension("greenwave._greenwave", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    options={"build": {"build_base": str(PIP_BUILD)}, "egg_info": {"egg_base": str(PIP_BUILD)}},
)
