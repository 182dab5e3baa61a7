from accounts.side_effects import email_task


@email_task
def send_transition_emails(transition_id):
    from .notifications import transition_notify

    return transition_notify(transition_id=transition_id)
