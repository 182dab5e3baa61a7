"""Input formats for British English, the centre's language (LANGUAGE_CODE "en-gb").

The first input format is the one a form widget renders a value in. Django's own en_GB module
renders dates as 31/12/2026, which an HTML ``<input type="date">`` cannot read: it shows the
field empty, and saving the form then erases the date (issue 13). Browsers send and read ISO
8601, so ISO comes first; the British forms stay accepted for people who type into plain text
inputs (the Django admin's). Display formats (DATE_FORMAT, used by templates) are Django's.
"""

from django.conf.locale.en_GB.formats import *  # noqa: F403

# <input type="date"> and <input type="datetime-local"> (HTML §2.3.5.1 and §2.3.5.5).
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S"]
