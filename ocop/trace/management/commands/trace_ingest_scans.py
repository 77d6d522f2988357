"""``ocop trace_ingest_scans LOG``: count the scans nginx answered from its cache.

Behind nginx with the resolver cached (``deploy/nginx-ocop.conf``), most scans never reach the
application, so the application does not count them (``OCOP_TRACE_SCAN_COUNTING=log``); nginx
writes each one to a log in the format ``$msec $status $request_uri`` and this command, run
every minute (cron or a systemd timer), counts the redirects (307: a shopper's scan) it has not
read yet. It remembers how far it read in ``LOG.offset`` and starts again from the top when the
log was rotated.
"""

import os
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.core.management.base import BaseCommand

from ocop.trace import digitallink as dl
from ocop.trace import scans
from ocop.trace.resolver import scan_path


class Command(BaseCommand):
    help = "Count the shoppers' scans recorded in nginx's scan log since the last run."

    def add_arguments(self, parser):
        parser.add_argument("log", help="The scan log (format: $msec $status $request_uri).")
        parser.add_argument("--from-start", action="store_true", help="Read the whole log again.")

    def handle(self, *args, **options):
        log = Path(options["log"])
        state = Path(f"{log}.offset")
        inode, offset = 0, 0
        if state.exists() and not options["from_start"]:
            inode, offset = (int(x) for x in state.read_text().split())
        stat = log.stat()
        if stat.st_ino != inode or stat.st_size < offset:
            offset = 0  # rotated or truncated
        counted = skipped = 0
        with log.open("rb") as handle:
            handle.seek(offset)
            for raw in handle:
                if not raw.endswith(b"\n"):
                    break  # a line nginx is still writing: next time
                offset += len(raw)
                parts = raw.decode("utf-8", "replace").split(" ", 2)
                if len(parts) != 3 or parts[1] != "307":
                    skipped += 1
                    continue
                try:
                    when = datetime.fromtimestamp(float(parts[0]), tz=UTC)
                    address = urlsplit(parts[2].strip())
                    if "linkType" in parse_qs(address.query):
                        raise ValueError("a link asked for by an application, not a shopper's scan")
                    scanned = scan_path(address.path, address.query)
                except (ValueError, dl.DigitalLinkError):
                    skipped += 1
                    continue
                if scanned.target.product_id is None:
                    skipped += 1
                    continue
                scans.RECORDER.scan(scanned.target, code=scanned.code, serial=scanned.serial, when=when)
                counted += 1
        scans.RECORDER.flush()
        state.write_text(f"{stat.st_ino} {offset}")
        os.chmod(state, 0o600)
        self.stdout.write(f"{counted} scans counted, {skipped} lines skipped.")
