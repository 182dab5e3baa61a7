"""Domain events of courses. Apps above `courses` listen; `courses` never imports them.

`enrollments_completed` is sent after the transaction that completed the enrollments commits,
with `enrollment_ids` (a list). One completion sends a list of one; the completions committed
inside `courses.services.completions_announced_together()` (a cohort's results import, the
grid) are sent as one list, so a receiver can enqueue work in batches instead of one task per
learner. Receivers must only enqueue work (STYLE.md, rule 2).
"""

from django.dispatch import Signal

enrollments_completed = Signal()
