"""``ocop demo``: migrate, build a national demo dataset once, print the logins, serve.

OCOP_ENV=development ocop demo              # build (first time) and serve on 127.0.0.1:8000
OCOP_ENV=development ocop demo --no-serve   # just build
OCOP_ENV=development ocop demo --reset      # start again from an empty database
"""

import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from ocop.demo import services
from ocop.registry.choices import ProducerType, ProductGroup


class Command(BaseCommand):
    help = (
        "Build a plausible, deterministic national demo dataset (about 10,000 producers and 18,000 "
        "products in all 34 provinces, with recognitions since 2019) and start the development server."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-serve", action="store_true", help="Build the data, do not start the server."
        )
        parser.add_argument("--port", type=int, default=8000, help="Port to serve on (default 8000).")
        parser.add_argument("--addr", default="127.0.0.1", help="Address to serve on (default 127.0.0.1).")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Start from an empty database: deletes the SQLite file in the data directory "
            "(any other database only with --force).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="With --reset on a database other than the data directory's SQLite file: empty every "
            "table. Also allows running with OCOP_ENV=production.",
        )
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Size relative to the real programme (default 1.0)."
        )
        parser.add_argument(
            "--seed", type=int, default=services.DEFAULT_SEED, help="Random seed (default 2025)."
        )

    def handle(self, *args, **options):
        scale, force = options["scale"], options["force"]
        if not 0 < scale <= 5:
            raise CommandError("--scale must be above 0 and at most 5.")
        if settings.OCOP_ENV == "production" and not force:
            raise CommandError(
                "Dữ liệu mẫu là dữ liệu bịa, không dành cho máy chủ thật. / The demo writes invented data "
                "and is not meant for a production server: run it with OCOP_ENV=development "
                "(or add --force if you really mean it)."
            )
        addr, port = options["addr"], options["port"]
        host = f"[{addr}]" if ":" in addr else addr
        # Certificates' QR codes and labels point at the address the demo serves on, unless the
        # environment names the public address (settings.OCOP_PUBLIC_URL, decided there otherwise).
        if not os.environ.get("OCOP_PUBLIC_URL"):
            shown = "127.0.0.1" if addr in ("0.0.0.0", "::") else host
            settings.OCOP_PUBLIC_URL = f"http://{shown}:{port}"
        started = time.monotonic()
        flush = self._reset(force) if options["reset"] else False
        call_command("migrate", interactive=False, verbosity=0)
        if flush:
            call_command("flush", interactive=False, verbosity=0)
        migrated = time.monotonic()

        marker = services.demo_marker()
        if marker is not None:
            self.stdout.write(
                f"Dữ liệu mẫu đã có sẵn ({marker.version}); dùng --reset để tạo lại.\n"
                f"Demo data already loaded ({marker.version}); use --reset to build it again."
            )
        else:
            try:
                summary = services.demo_build(seed=options["seed"], scale=scale)
            except ValueError as exc:
                raise CommandError(
                    f"{exc} Dùng --reset để bắt đầu từ cơ sở dữ liệu trống. / Use --reset to start from an "
                    "empty database."
                ) from None
            built = time.monotonic()
            self._print_summary(summary, seed=options["seed"], scale=scale)
            self.stdout.write(
                f"Thời gian / Time: migrate + địa giới / geography {migrated - started:.1f} s, "
                f"tạo dữ liệu / generation {built - migrated:.1f} s, tổng / total {built - started:.1f} s"
            )
        self._print_logins(f"http://{host}:{port}/", serving=not options["no_serve"])
        if not options["no_serve"]:
            # No autoreloader: it would run this whole command again in a child process.
            call_command("runserver", f"{host}:{port}", use_reloader=False, use_ipv6=":" in addr)

    # --- reset --------------------------------------------------------------------------------

    def _reset(self, force: bool) -> bool:
        """Delete the data directory's SQLite file; return True when the caller must instead
        flush the database after migrating (another database, with --force)."""
        connection = connections["default"]
        if connection.vendor == "sqlite" and not connection.is_in_memory_db():
            path = Path(connection.settings_dict["NAME"]).resolve()
            if path.parent == Path(settings.DATA_DIR).resolve():
                connection.close()
                for suffix in ("", "-wal", "-shm", "-journal"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
                self.stdout.write(f"Đã xóa / Deleted {path}")
                return False
        if not force:
            name = connection.settings_dict.get("NAME")
            raise CommandError(
                f"--reset chỉ xóa tệp SQLite trong thư mục dữ liệu ({settings.DATA_DIR}); cơ sở dữ liệu này "
                f"({connection.vendor}: {name}) thì không, trừ khi thêm --force (xóa sạch mọi bảng).\n"
                f"--reset only deletes the SQLite file in the data directory ({settings.DATA_DIR}); this "
                f"database ({connection.vendor}: {name}) is left alone unless you add --force, which "
                "empties every table."
            )
        self.stdout.write(
            f"Xóa sạch mọi bảng / Emptying every table of {connection.settings_dict.get('NAME')}"
        )
        return True

    # --- output -------------------------------------------------------------------------------

    def _print_summary(self, s: dict, *, seed: int, scale: float) -> None:
        write = self.stdout.write
        today = s["today"].strftime("%d/%m/%Y")
        kinds = " · ".join(
            f"{ProducerType(kind).label} {s['producers_by_kind'][kind]:,}" for kind in ProducerType.values
        )
        groups = " · ".join(
            f"{ProductGroup(group).label} {s['products_by_group'][group]:,}" for group in ProductGroup.values
        )
        stars = s["valid_by_stars"]
        by_status = s["products_by_status"]
        recognitions = s["recognitions_by_status"]
        write(self.style.SUCCESS(f"Đã tạo dữ liệu mẫu / Demo data built (seed {seed}, scale {scale:g})"))
        write(
            f"  Chủ thể / Producers:     {s['producers']:,} ({kinds}); "
            f"{s['legacy_addresses']:,} với địa chỉ trước 1/7/2025 / with pre-reform addresses"
        )
        write(
            f"  Sản phẩm / Products:     {s['products']:,} ({groups}); GTIN {s['with_gtin']:,}, "
            f"tên tiếng Anh / English name {s['with_name_en']:,}"
        )
        write(
            f"  Quyết định công nhận / Recognitions: {s['recognitions']:,} (còn hiệu lực / valid "
            f"{recognitions['valid']:,} · đã thay thế / superseded {recognitions['superseded']:,} · "
            f"hết hạn / expired {recognitions['expired']:,} · thu hồi / revoked {recognitions['revoked']:,})"
        )
        write(
            f"  Sản phẩm từng đạt ≥3★ / Products ever rated ≥3★: {s['products_recognised']:,}; "
            f"5★: {s['five_star_products']:,}"
        )
        write(
            f"  Ngày {today} / On {today}: còn hiệu lực / valid {by_status['valid']:,} "
            f"(3★ {stars[3]:,} · 4★ {stars[4]:,} · 5★ {stars[5]:,}), "
            f"hết hạn / expired {by_status['expired']:,}, bị thu hồi / revoked {by_status['revoked']:,}"
        )
        series = "; ".join(
            f"{day:%d/%m/%Y} {count:,} (cả nước / national {national:,})"
            for day, national, count in s["series"]
        )
        if series:
            write(f"  Sản phẩm còn hiệu lực theo thời gian / Valid products over time: {series}")
        for figures in s.get("extensions", {}).values():
            for label, value in figures.items():
                write(f"  {label}: {value:,}" if isinstance(value, int) else f"  {label}: {value}")

    def _print_logins(self, url: str, *, serving: bool) -> None:
        write = self.stdout.write
        logins = services.demo_logins()
        rule = "=" * 110
        write(rule)
        if serving:
            write(f" Dữ liệu mẫu OCOP — mở / OCOP demo — open:  {url}")
        else:
            write(f" Dữ liệu mẫu OCOP / OCOP demo data. Chạy máy chủ / To serve it: ocop demo  ->  {url}")
        write(f" Mật khẩu của mọi tài khoản / Password of every account:  {services.PASSWORD}")
        write(rule)
        write(f" {'Tên đăng nhập':<14} {'Vai trò / Role':<62} Phạm vi / Jurisdiction")
        write(f" {'Username':<14}")
        write("-" * 110)
        for login in logins:
            role = f"{login.role_vi} / {login.role_en}"
            where = (
                login.where_vi if login.where_vi == login.where_en else f"{login.where_vi} / {login.where_en}"
            )
            write(f" {login.username:<14} {role:<62} {where}")
        write(rule)
