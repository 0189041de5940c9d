"""Objectives on the dashboards: where each scope stands against its target, and where the year is heading.

- :mod:`.progress`: the arithmetic (share of the target reached, projection at 31 December, gaps);
- :mod:`.selectors`: the objectives a page shows with their quarterly values, in one query;
- :mod:`.pages`: the tables, rankings (ties ex aequo), sums and charts the pages draw;
- :mod:`.services`, :mod:`.forms`,
  :mod:`.views`: the objectives page and setting objectives (an animator's split of its region's objective);
  the exports' sheet is :func:`dashboard.exports.objectives_dataset`.

The model is :class:`dashboard.models.objectives.Objective`; who reads and sets what is decided in
:mod:`dashboard.permissions`.
"""
