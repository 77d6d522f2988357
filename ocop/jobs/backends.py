"""A task backend for the embedded default: no broker, no worker process.

Each task runs in a daemon thread of the process that enqueued it, so a page can start an
import and poll its progress while it runs. It is for single-server installs on SQLite; with
PostgreSQL, set OCOP_TASKS_BACKEND=database and run ``ocop db_worker`` processes instead
(django-tasks-db), as many as needed.

Built on django-tasks' public interface only (:class:`BaseTaskBackend`, :class:`TaskResult`,
``Task.call`` and its signals): what a job did is stored on the job's row by
:mod:`ocop.jobs.runner`, so the task's own result is not kept (``supports_get_result`` is off,
as for the immediate backend).
"""

import threading
from dataclasses import replace

from django.db import connections
from django.utils import timezone
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import TaskError, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued, task_finished, task_started
from django_tasks.utils import get_exception_traceback, get_module_path, get_random_id


class ThreadBackend(BaseTaskBackend):
    supports_async_task = False
    supports_priority = True  # accepted, as the immediate backend does; every task starts at once

    def __init__(self, alias: str, params: dict):
        super().__init__(alias, params)
        self.worker_id = get_random_id()

    def enqueue(self, task, args, kwargs):
        self.validate_task(task)
        queued = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=timezone.now(),
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        task_enqueued.send(type(self), task_result=queued)
        threading.Thread(target=self._run, args=(queued,), name=f"ocop-task-{queued.id}", daemon=True).start()
        return queued

    def _run(self, queued: TaskResult) -> None:
        """Run the task in this thread, then close the thread's database connections."""
        now = timezone.now()
        running = replace(
            queued,
            status=TaskResultStatus.RUNNING,
            started_at=now,
            last_attempted_at=now,
            worker_ids=[self.worker_id],
        )
        task_started.send(type(self), task_result=running)
        try:
            running.task.call(*running.args, **running.kwargs)
        except BaseException as exc:  # the thread ends here whatever happened: say why
            error = TaskError(
                exception_class_path=get_module_path(type(exc)), traceback=get_exception_traceback(exc)
            )
            finished = replace(
                running, status=TaskResultStatus.FAILED, finished_at=timezone.now(), errors=[error]
            )
            task_finished.send(type(self), task_result=finished)
        else:
            finished = replace(running, status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now())
            task_finished.send(type(self), task_result=finished)
        finally:
            connections.close_all()
