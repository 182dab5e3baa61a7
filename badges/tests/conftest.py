# The independent Open Badges tools' fixture, shared with the tests of the app's own views.
from .openbadges.conftest import run_in_validator_venv  # noqa: F401
