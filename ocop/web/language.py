"""Which of the platform's two languages a page speaks (Vietnamese first, English second)."""

from django.utils import translation


def page_language(request) -> str:
    """ "en" when the request is in English, else "vi": the language of the texts a page picks
    from a record's two (name_vi / name_en, story_vi / story_en)."""
    return "en" if (getattr(request, "LANGUAGE_CODE", "") or "").startswith("en") else "vi"


def language_from_query(request) -> str:
    """A public page that a printed label links to may name its language in the address
    (``?lang=en``): a shopper's phone cannot be asked to change its settings. Activates it for
    the request; returns the request's language."""
    wanted = request.GET.get("lang")
    if wanted in ("vi", "en"):
        translation.activate(wanted)
        request.LANGUAGE_CODE = wanted
    return page_language(request)
