def posted(request, *, files=False):
    """The request's POST (or FILES) data for binding a form, or None on GET.

    `request.POST or None` would leave a form unbound when an empty form is posted, so it would
    be shown again with no error instead of saying which fields are required.
    """
    if request.method != "POST":
        return None
    return request.FILES if files else request.POST
