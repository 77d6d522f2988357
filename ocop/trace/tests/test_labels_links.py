"""Label sheets (PDF and SVG, N per page, the star mark only while valid) and product links."""

import io
import zipfile
from datetime import date

import pypdf
import pytest

from ocop.registry import services as registry
from ocop.trace import labels, printing, services
from ocop.trace.models import ProductLink

from .conftest import GTIN_P

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages]


def test_a_sheet_carries_codes_and_the_star_mark_while_valid(batch_p):
    content, name, content_type = printing.label_sheet(batch_p, range(1, 11), per_page=8)
    assert (name, content_type) == ("ocop-labels-L2511-01-1-10.pdf", "application/pdf")
    pages = pdf_text(content)
    assert len(pages) == 2  # 10 labels, 8 a page
    assert pages[0].count("OCOP ★★★★") == 8
    assert f"(01){GTIN_P}(10)L2511-01(21)1" in pages[0]
    assert f"(01){GTIN_P}(10)L2511-01(21)10" in pages[1]
    assert "Bánh tráng phơi sương" in pages[0].replace("  ", " ")


def test_no_star_mark_once_the_recognition_is_revoked(batch_p, records, officer_a):
    registry.recognition_revoke(
        user=officer_a, recognition=records.r_p, revoked_on=date.today(), reason="Vi phạm"
    )
    content, _name, _type = printing.label_sheet(batch_p, range(1, 4), per_page=24)
    (page,) = pdf_text(content)
    assert "★" not in page and "OCOP ★" not in page
    assert f"(01){GTIN_P}(10)L2511-01(21)3" in page


def test_svg_sheets_one_page_or_a_zip_of_pages(batch_p):
    content, name, content_type = printing.label_sheet(batch_p, range(1, 9), per_page=8, fmt="svg")
    assert (name, content_type) == ("ocop-labels-L2511-01-1-8.svg", "image/svg+xml")
    svg = content.decode()
    assert svg.count("<path d=") == 8 and svg.count("OCOP ★★★★") == 8
    content, name, content_type = printing.label_sheet(batch_p, range(1, 10), per_page=8, fmt="svg")
    assert (name, content_type) == ("ocop-labels-L2511-01-1-9.zip", "application/zip")
    assert zipfile.ZipFile(io.BytesIO(content)).namelist() == ["labels-001.svg", "labels-002.svg"]


def test_qr_codes_hold_the_digital_link(batch_p):
    import segno

    uri = services.label_uri(batch_p, 7)
    assert uri == f"https://ocop.example.vn/01/{GTIN_P}/10/L2511-01/21/7"
    runs, size = labels._modules(uri)
    assert size == len(segno.make(uri, error="m", micro=False).matrix)
    assert sum(length for _row, _col, length in runs) > size  # dark modules drawn


def test_printing_from_the_page_issues_serials(
    client, batch_p, owner_a, django_capture_on_commit_callbacks, settings
):
    client.force_login(owner_a)
    response = client.post(
        f"/trace/batches/{batch_p.pk}/labels/", {"count": 3, "per_page": 24, "format": "pdf"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ocop-labels-L2511-01-11-13.pdf"'
    assert "(21)13" in pdf_text(b"".join(response.streaming_content))[0]
    settings.OCOP_TRACE_LABELS_INLINE_MAX = 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/trace/batches/{batch_p.pk}/labels/", {"count": 5, "per_page": 8, "format": "svg"}
        )
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    job_page = client.get(response["Location"]).content.decode()
    assert "5 labels are ready" in job_page and "Serial numbers 14 to 18" in job_page
    batch_p.refresh_from_db()
    assert batch_p.labels_issued == 18


# ---------------------------------------------------------------------------------------------
# Links
# ---------------------------------------------------------------------------------------------


def test_the_owner_and_officers_change_a_products_links(
    client, gtins, owner_a, officer_a, owner_b, officer_b
):
    from django.core.exceptions import PermissionDenied

    product = gtins.p_recognised
    link = services.link_add(
        user=owner_a,
        product=product,
        link_type="gs1:recipeInfo",
        href="https://example.vn/cong-thuc",
        title="Công thức",
        language="vi",
    )
    services.link_add(
        user=officer_a,
        product=product,
        link_type="gs1:hasRetailers",
        href="https://postmart.vn/",
        title="Postmart",
    )
    for outsider in (owner_b, officer_b):
        with pytest.raises(PermissionDenied):
            services.link_add(
                user=outsider, product=product, link_type="gs1:pip", href="https://evil.example/", title="x"
            )
    client.force_login(owner_b)
    assert client.post(f"/trace/links/{link.pk}/remove/").status_code == 404
    assert ProductLink.objects.count() == 2
    client.force_login(officer_a)
    assert client.post(f"/trace/links/{link.pk}/remove/").status_code == 302
    assert list(ProductLink.objects.values_list("link_type", flat=True)) == ["gs1:hasRetailers"]


def test_added_links_appear_in_the_linkset_in_their_language(client, gtins, owner_a):
    product = gtins.p_recognised
    services.link_add(
        user=owner_a,
        product=product,
        link_type="gs1:recipeInfo",
        href="https://example.vn/vi",
        title="Công thức",
        language="vi",
    )
    services.link_add(
        user=owner_a,
        product=product,
        link_type="gs1:recipeInfo",
        href="https://example.vn/en",
        title="Recipes",
        language="en",
    )
    entry = client.get(f"/01/{GTIN_P}?linkType=all", HTTP_ACCEPT_LANGUAGE="en").json()["linkset"][0]
    assert entry["https://gs1.org/voc/recipeInfo"] == [
        {"href": "https://example.vn/en", "title": "Recipes", "type": "text/html", "hreflang": ["en"]}
    ]
    assert (
        client.get(f"/01/{GTIN_P}?linkType=gs1:recipeInfo", HTTP_ACCEPT_LANGUAGE="vi")["Location"]
        == "https://example.vn/vi?linkType=gs1:recipeInfo"
    )


def test_the_links_page(client, gtins, owner_a):
    client.force_login(owner_a)
    page = client.get(f"/trace/products/{gtins.p_recognised.pk}/links/")
    assert page.status_code == 200
    assert f"https://ocop.example.vn/01/{GTIN_P}?linkType=linkset" in page.content.decode()
    response = client.post(
        f"/trace/products/{gtins.p_recognised.pk}/links/",
        {
            "link_type": "gs1:socialMedia",
            "href": "https://facebook.com/htx",
            "title": "Facebook",
            "language": "",
        },
    )
    assert response.status_code == 302
    assert ProductLink.objects.get().title == "Facebook"


@pytest.mark.parametrize("per_page", [8, 24, 65])
def test_every_code_keeps_its_quiet_zone_and_its_text_inside_the_label(batch_p, per_page):
    """A QR code needs four modules of blank margin on every side to scan; no text may enter it,
    and nothing may spill into the next label."""
    import re

    import segno

    content, _name, _type = printing.label_sheet(batch_p, range(1, 3), per_page=per_page, fmt="svg")
    svg = content.decode()
    for group in re.findall(r"<g>(.*?)</g>", svg, re.S):
        cell = dict(
            zip(
                "xywh",
                map(
                    float,
                    re.search(
                        r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', group
                    ).groups(),
                ),
                strict=True,
            )
        )
        xs, ys = [], []
        for x, y, width, height in re.findall(r"M([\d.]+) ([\d.]+)h([\d.]+)v([\d.]+)", group):
            xs += [float(x), float(x) + float(width)]
            ys += [float(y), float(y) + float(height)]
        uri = services.label_uri(batch_p, int(re.search(r"\(21\)(\d+)", group).group(1)))
        size = len(segno.make(uri, error="m", micro=False).matrix)
        module = (max(xs) - min(xs)) / size
        quiet = 4 * module - 0.01
        left, top, right, bottom = min(xs), min(ys), max(xs), max(ys)
        assert left - cell["x"] >= quiet and top - cell["y"] >= quiet
        for x, y, font in re.findall(r'<text x="([\d.]+)" y="([\d.]+)" font-size="([\d.]+)"', group):
            x, y, font = float(x), float(y), float(font)
            beside, under = x >= right + quiet, y - font >= bottom + quiet
            assert beside or under, (x, y)
            assert y <= cell["y"] + cell["h"]  # the text stays in its label
