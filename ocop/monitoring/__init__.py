"""Programme monitoring: statistics, dashboards, targets and quarterly reports.

The modules import one way, each only from those listed before it, at module level (only
``apps.py`` imports inside ``ready()``, as Django requires):

* ``choices`` (codes, labels, a measure in words), ``progress`` and ``charts`` (pure cores);
* ``units`` (the unit a figure is about, its producers, who may see it), ``models``, ``maps``;
* ``selectors`` (the programme statistics: grouped counts of the registry);
* ``measures`` (what targets measure, read from those counts);
* ``figures`` (the rows behind every figure, a measure's included);
* ``dashboard`` (every figure of a dashboard, cached) and ``services`` (the writes);
* ``presenting`` (figures arranged for pages and as data, their links), ``forms``, ``demo``;
* ``reports`` (the quarterly workbook and PDF);
* the surfaces: ``views``, ``api``, ``tasks``, ``templatetags``, management commands; ``urls``.

``tests/test_import_direction.py`` holds the order.
"""
