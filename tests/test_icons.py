"""The favicon and the app icons: where browsers look for them, and linked from every page."""

import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from PIL import Image

pytestmark = pytest.mark.django_db


def test_favicon_ico_answers_with_the_icon():
    response = Client().get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert Client().head("/favicon.ico").status_code == 200


@pytest.mark.parametrize("url", ["/", "/catalogue/", "/01/08934567000018"])
def test_pages_link_the_icons_and_the_manifest_and_each_file_exists(url):
    page = Client(HTTP_ACCEPT_LANGUAGE="vi").get(url).content.decode()
    links = dict(re.findall(r'<link rel="(icon|apple-touch-icon|manifest)" href="/static/([^"]+)"', page))
    assert set(links) == {"icon", "apple-touch-icon", "manifest"}, url
    assert {Image.open(finders.find(links["apple-touch-icon"])).size} == {(180, 180)}
    manifest = json.loads(Path(finders.find(links["manifest"])).read_text(encoding="utf-8"))
    assert manifest["lang"] == "vi" and manifest["short_name"] == "OCOP"
    sizes = set()
    for icon in manifest["icons"]:
        # Icons are named relative to the manifest, in the same folder.
        path = links["manifest"].rsplit("/", 1)[0] + "/" + icon["src"]
        sizes.add(Image.open(finders.find(path)).size)
    assert sizes == {(192, 192), (512, 512)}
    ico = Image.open(finders.find("ocop/icons/favicon.ico"))
    assert {(16, 16), (32, 32), (48, 48)} <= set(ico.info["sizes"])
    assert Image.open(finders.find("ocop/icons/favicon-32.png")).size == (32, 32)
    assert finders.find("ocop/icons/favicon.svg").endswith(".svg")
