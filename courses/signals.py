"""Domain events of courses. Apps above `courses` listen; `courses` never imports them.

`enrollments_completed` is sent after the transaction that completed the enrollments commits,
with `enrollment_ids` (a list). One completion sends a list of one; the completions committed
inside `courses.services.completions_announced_together()` (a cohort's results import, the
grid) are sent as one list, so a receiver can enqueue work in batches instead of one task per
learner. Receivers must only enqueue work (STYLE.md, rule 2).

`enrollment_move_checked` is sent, inside the transaction and before anything is written, when
the LEADS team moves a learner to another offering (`courses.services.enrollment_move`), with
`enrollment`. A receiver returns a sentence saying why the move is refused, or None; it reads
and writes nothing else. This is how an app above `courses` refuses a move it must (badges: a
learner whose badge is issued keeps it in the offering it names).
"""

from django.dispatch import Signal

enrollments_completed = Signal()
enrollment_move_checked = Signal()
