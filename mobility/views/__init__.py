"""Pages of the mobility app. Thin: scope from ``permissions``, reads from ``selectors``, writes from ``services``.

One module per area, mounted by ``mobility/urls.py``: :mod:`~mobility.views.calls` (the home page
and the calls), :mod:`~mobility.views.applications`, :mod:`~mobility.views.carriers` (membership
requests), :mod:`~mobility.views.projects`, :mod:`~mobility.views.budgets` (actual amounts and
amendments), :mod:`~mobility.views.reports`; :mod:`~mobility.views.common` holds what they share.
"""
