# Fixtures shared with the tests of the app's own views: the independent Open Badges tools
# (1EdTech validator), and the independent Verifiable Credentials verifier (Digital Bazaar's
# JavaScript stack) for our credentials, keys and status lists.
from .openbadges.conftest import run_in_validator_venv  # noqa: F401
from .vc.conftest import js_verify  # noqa: F401
