"""What every app's pages and API share at the web's edge, written once.

* :mod:`ocop.web.feedback`: a form's or a service's refusal shown to the person (on the form, or
  as messages for the next page), and :func:`~ocop.web.feedback.act`, the small POST view's
  "run the service, say what happened" step.
* :mod:`ocop.web.confirm`: the page that asks before an irreversible step (no JavaScript needed),
  and whether the person confirmed.
* :mod:`ocop.web.paging`: one page of a list, for pages (Django's Paginator) and the API.
* :mod:`ocop.web.language`: which of the two languages a page speaks.
* :mod:`ocop.web.edge`: path converters and API types that turn odd ids, codes and text into
  404s and 422s before they reach a database.
* :mod:`ocop.web.middleware`: the Content-Security-Policy and the 503 of a busy database.

Domain rules stay in the apps' services and selectors; nothing here knows a model.
"""
