"""Domain events of courses. Apps above `courses` listen; `courses` never imports them.

`enrollment_completed` is sent after the transaction that completed the enrollment commits,
with `enrollment_id`. Receivers must only enqueue work (STYLE.md, rule 2).
"""

from django.dispatch import Signal

enrollment_completed = Signal()
