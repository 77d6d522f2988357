"""Background job handlers of the registry: importing and exporting lists.

Thin: they read the job's parameters and call the importer or exporter. Registered with the
jobs app in RegistryConfig.ready.
"""

from django.core.files.base import ContentFile
from django.utils import translation

from ocop.accounts import gate
from ocop.accounts.choices import Action

from . import exporting, selectors
from .importing import run_import
from .models import Product


def import_list(job, progress) -> dict:
    params = job.params
    with translation.override(params.get("language") or "vi"):
        job.input_file.open("rb")
        try:
            content = job.input_file.read()
        finally:
            job.input_file.close()
        report = run_import(
            content,
            params.get("file_name") or job.input_file.name,
            user=job.owner,
            dry_run=params.get("dry_run", True),
            default_province=params.get("default_province", ""),
            progress=progress,
        )
        return report.as_dict()


def export_list(job, progress) -> dict:
    params = job.params
    language = params.get("language") or "vi"
    filters = selectors.ProductFilters(**params.get("filters", {}))
    products = gate.restrict(Product.objects.all(), job.owner, Action.CHANGE)
    products = exporting.export_queryset(selectors.filter_products(products, filters).order_by())
    total = products.count()
    progress(0, total, "")
    with translation.override(language):
        scope = params.get("scope") or ""
        if params.get("format") == "csv":
            content, suffix = (
                exporting.write_csv(products.iterator(chunk_size=2000), language=language, scope=scope),
                "csv",
            )
        else:
            content, suffix = (
                exporting.write_xlsx(
                    products.iterator(chunk_size=2000),
                    language=language,
                    scope=scope,
                    progress=lambda n: progress(n),
                ),
                "xlsx",
            )
    name = f"ocop-{params.get('slug') or 'registry'}.{suffix}"
    job.output_file.save(name, ContentFile(content), save=True)
    return {"products": total, "file": name}
