"""greenwave: train and evaluate traffic-signal control agents (Python front end).

The heavy lifting happens in the C++ engine (the ``_greenwave`` extension module); this
package adds the Gymnasium- and PettingZoo-style facades. See docs/python.md.
"""

from ._greenwave import ActionError, ConfigError, ScenarioError, __version__

__all__ = ["ActionError", "ConfigError", "ScenarioError", "__version__"]
