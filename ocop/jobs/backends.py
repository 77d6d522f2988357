"""A task backend for the embedded default: no broker, no worker process.

Each task runs in a daemon thread of the process that enqueued it, so a page can start an
import and poll its progress while it runs. It is for single-server installs on SQLite; with
PostgreSQL, set OCOP_TASKS_BACKEND=database and run ``ocop db_worker`` processes instead
(django-tasks-db), as many as needed.
"""

import threading

from django.db import connections
from django_tasks.backends.immediate import ImmediateBackend


class ThreadBackend(ImmediateBackend):
    supports_async_task = False

    def _run(self, task_result):
        try:
            self._execute_task(task_result)
        finally:
            connections.close_all()

    def enqueue(self, task, args, kwargs):
        self.validate_task(task)
        # Build the result as the immediate backend does, but run it in a thread.
        from django_tasks.base import TaskResult, TaskResultStatus
        from django_tasks.utils import get_random_id

        task_result = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        threading.Thread(
            target=self._run, args=(task_result,), name=f"ocop-task-{task_result.id}", daemon=True
        ).start()
        return task_result
