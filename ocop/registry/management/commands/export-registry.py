"""ocop export-registry [-o FILE] [--format xlsx|csv] [--province CODE] [filters]"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from ocop.geo.models import Province
from ocop.registry import exporting, selectors
from ocop.registry.models import Product


class Command(BaseCommand):
    help = "Export the registry (one row per recognition) in the columns of the provinces' lists."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", default="", help="file to write (default: standard output)")
        parser.add_argument("--format", choices=["xlsx", "csv"], default="")
        parser.add_argument("--province", default="", help="current province code or name")
        parser.add_argument("--commune", default="", help="current commune code")
        parser.add_argument("--group", default="")
        parser.add_argument("--status", default="", choices=["", "valid", "expired", "revoked"])
        parser.add_argument("--language", choices=["vi", "en"], default="vi")

    def handle(self, *args, **options):
        output = options["output"]
        fmt = options["format"] or (Path(output).suffix.lstrip(".") if output else "csv")
        if fmt not in {"xlsx", "csv"}:
            raise CommandError(f"unknown format {fmt!r}: use xlsx or csv")
        if fmt == "xlsx" and not output:
            raise CommandError("an .xlsx export needs -o FILE")
        province_code, scope = "", "Việt Nam" if options["language"] == "vi" else "Viet Nam"
        if options["province"]:
            province = self._province(options["province"])
            province_code, scope = province.code, province.name
        filters = selectors.ProductFilters(
            province=province_code,
            commune=options["commune"],
            group=options["group"],
            status=options["status"],
        )
        products = exporting.export_queryset(
            selectors.filter_products(Product.objects.all(), filters).order_by()
        )
        with translation.override(options["language"]):
            rows = products.iterator(chunk_size=2000)
            if fmt == "csv":
                content = exporting.write_csv(rows, language=options["language"], scope=scope)
            else:
                content = exporting.write_xlsx(rows, language=options["language"], scope=scope)
        if output:
            Path(output).write_bytes(content)
            self.stderr.write(f"{output}: {products.count():,} products")
        else:
            sys.stdout.buffer.write(content)

    @staticmethod
    def _province(value: str) -> Province:
        from ocop.vntext import fold

        current = Province.objects.current()
        if value.isdigit():
            found = current.filter(code=value.zfill(2)).first()
        else:
            wanted = fold(value).removeprefix("tinh ").removeprefix("thanh pho ")
            found = next((p for p in current if fold(p.short_name) == wanted), None)
        if found is None:
            raise CommandError(f"no current province {value!r}")
        return found
