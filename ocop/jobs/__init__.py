"""Background work: jobs people start (imports, exports, reports) and periodic maintenance.

The modules import one way, each only from those listed before it:

* ``choices``, ``kinds`` (the registered job kinds: handler and label) -- nothing of this app;
* ``models`` (jobs and the schedules of periodic work);
* ``runner`` (claim a job, run its handler, store its result or failure, recover lost jobs),
  ``selectors`` (the queue's figures for the central office's page);
* ``tasks`` (the one django-tasks task, calling the runner);
* ``services`` (``job_start`` queues that task; the public names other apps use);
* ``periodic`` (periodic work, from ``models``), ``backends`` (the thread backend, from
  django-tasks only), and the surfaces: ``views``, ``api``, ``admin``, management commands.

``tests/test_import_direction.py`` holds the order.
"""
