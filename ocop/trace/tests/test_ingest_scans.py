"""Counting the scans nginx answered from its cache, from its scan log."""

import io
import time

import pytest
from django.core.management import call_command

from ocop.trace.models import ScanCount, ScanFlag

from .conftest import GTIN_P

pytestmark = pytest.mark.django_db


def test_the_log_is_counted_once_and_rotation_is_noticed(batch_p, tmp_path, settings):
    settings.OCOP_TRACE_SCAN_COUNTING = "log"
    log = tmp_path / "ocop-scans.log"
    now = time.time()
    log.write_text(
        f"{now:.3f} 307 /01/{GTIN_P}/10/L2511-01/21/1\n"
        f"{now:.3f} 307 /01/{GTIN_P}/10/L2511-01/21/2?17=261231\n"
        f"{now:.3f} 200 /01/{GTIN_P}/10/L2511-01?linkType=all\n"  # a linkset: not a shopper's scan
        f"{now:.3f} 307 /01/{GTIN_P}/10/L2511-01?linkType=gs1:pip\n"  # an application following a link
        f"{now:.3f} 400 /01/{GTIN_P}/21/1/10/L2511-01\n"
        f"{now:.3f} 307 /01/{GTIN_P}/10/L2511-01/21/99\n"  # never issued
        f"{now:.3f} 307 /01/{GTIN_P}/10/L25"  # still being written
    )
    call_command("trace_ingest_scans", str(log), stdout=(out := io.StringIO()))
    assert out.getvalue().strip() == "3 scans counted, 3 lines skipped."
    assert ScanCount.objects.get(batch=batch_p).count == 3
    assert ScanFlag.objects.get().code == f"/01/{GTIN_P}/10/L2511-01/21/99"
    with log.open("a") as handle:
        handle.write("11-01/21/3\n")
    call_command("trace_ingest_scans", str(log), stdout=(out := io.StringIO()))
    assert out.getvalue().strip() == "1 scans counted, 0 lines skipped."
    assert ScanCount.objects.get(batch=batch_p).count == 4
    rotated = tmp_path / "rotated.log"
    rotated.write_text(f"{now:.3f} 307 /01/{GTIN_P}/10/L2511-01/21/4\n")
    rotated.replace(log)  # logrotate: a new file under the old name
    call_command("trace_ingest_scans", str(log), stdout=(out := io.StringIO()))
    assert out.getvalue().strip() == "1 scans counted, 0 lines skipped."
    assert ScanCount.objects.get(batch=batch_p).count == 5


def test_behind_nginx_the_resolver_leaves_counting_to_the_log(client, batch_p, settings):
    from ocop.trace import scans

    settings.OCOP_TRACE_SCAN_COUNTING = "log"
    assert client.get(f"/01/{GTIN_P}/10/L2511-01/21/1").status_code == 307
    scans.RECORDER.flush()
    assert not ScanCount.objects.exists()
