"""Input formats for English: ISO first, as config/formats/en_GB/formats.py explains."""

from django.conf.locale.en.formats import *  # noqa: F403

from config.formats.en_GB.formats import (  # noqa: F401
    DATE_INPUT_FORMATS,
    DATETIME_INPUT_FORMATS,
    TIME_INPUT_FORMATS,
)
