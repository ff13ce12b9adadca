"""The extension module and the package import from the build tree with Debian's Python."""

import greenwave


def test_version_matches_cli_format():
    parts = greenwave.__version__.split(".")
    assert len(parts) == 3 and all(p.isdigit() for p in parts)


def test_error_types_are_distinct_value_errors():
    assert issubclass(greenwave.ScenarioError, ValueError)
    assert issubclass(greenwave.ConfigError, ValueError)
    assert greenwave.ScenarioError is not greenwave.ConfigError
