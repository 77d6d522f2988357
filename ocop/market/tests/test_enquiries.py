"""Buyer enquiries: a buyer asks for a quote, the producer answers on the platform; scripts and
floods are turned away; nobody's e-mail or phone is shown to the other side."""

import re
import time
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.test import TestCase

from ocop.market import services
from ocop.market.models import Enquiry, EnquiryMessage

pytestmark = pytest.mark.django_db


def _form(records, **overrides):
    data = {
        "product": records.p_recognised.pk,
        "buyer_kind": "exporter",
        "buyer_organisation": "Công ty Xuất khẩu Sao Mai",
        "buyer_name": "Trần Minh Khoa",
        "buyer_email": "khoa@saomai.example",
        "destination": "Osaka",
        "quantity": "2000",
        "unit": "kg",
        "wanted_from": "2027-03-01",
        "wanted_until": "2027-05-31",
        "message": "Chúng tôi cần báo giá 2 tấn bánh tráng, đóng túi 500 g.",
        "contact_time": "",
        "started": services.form_started_token(time.time() - 30),
    }
    data.update(overrides)
    return data


@pytest.fixture
def contacts(records, owner_a):
    records.p.phone, records.p.email = "0909 123 456", "htx.phucan@example.vn"
    records.p.save()
    owner_a.email = "owner.a@example.vn"
    owner_a.save()
    return records


def _post(client, url, data, **extra):
    """Notices are sent once the transaction commits: run those callbacks as the request ends."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, data, **extra)


def _submit(client, records, **overrides):
    return _post(client, f"/catalogue/producers/{records.p.pk}/enquire/", _form(records, **overrides))


def test_a_buyer_asks_the_producer_answers_and_neither_sees_the_others_contacts(client, contacts, owner_a):
    records = contacts
    form = client.get(f"/catalogue/producers/{records.p.pk}/enquire/?product={records.p_recognised.pk}")
    assert form.status_code == 200 and 'name="started"' in form.content.decode()

    response = _submit(client, records)
    enquiry = Enquiry.objects.get()
    assert response.status_code == 302
    thread_url = response.url
    assert thread_url.startswith("/catalogue/enquiries/")
    assert (enquiry.producer, enquiry.product, enquiry.status) == (records.p, records.p_recognised, "open")
    assert list(enquiry.messages.values_list("side", flat=True)) == ["buyer"]

    # The buyer got their link; the producer's staff got a notice without the buyer's e-mail.
    to_buyer, to_producer = sorted(mail.outbox, key=lambda m: m.to[0])
    assert to_buyer.to == ["khoa@saomai.example"] and thread_url in to_buyer.body
    assert to_producer.to == ["owner.a@example.vn"]
    assert "khoa@saomai.example" not in to_producer.body + to_producer.subject
    assert f"/manage/market/enquiries/{enquiry.pk}/" in to_producer.body

    buyer_page = client.get(thread_url)
    assert buyer_page["Referrer-Policy"] == "no-referrer"
    text = buyer_page.content.decode()
    assert "2 tấn bánh tráng" in text
    for secret in ("0909 123 456", "htx.phucan@example.vn", "owner.a@example.vn"):
        assert secret not in text

    # The producer answers on the platform.
    client.force_login(owner_a)
    inbox = client.get("/manage/market/enquiries/").content.decode()
    assert "Công ty Xuất khẩu Sao Mai" in inbox
    staff_page = client.get(f"/manage/market/enquiries/{enquiry.pk}/").content.decode()
    assert "khoa@saomai.example" not in staff_page
    mail.outbox.clear()
    answered = _post(
        client,
        f"/manage/market/enquiries/{enquiry.pk}/",
        {"message": "Chào anh, HTX báo giá 45.000 đ/kg FOB Cát Lái."},
    )
    assert answered.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.status == "answered"
    assert [m.to for m in mail.outbox] == [["khoa@saomai.example"]] and thread_url in mail.outbox[0].body

    client.logout()
    assert "45.000 đ/kg" in client.get(thread_url).content.decode()
    # The buyer replies through the link.
    assert client.post(thread_url, {"message": "Cảm ơn, chúng tôi đồng ý đặt hàng."}).status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.status == "open" and enquiry.messages.count() == 3


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"contact_time": "9am"}, "Your message could not be sent."),
        ({"started": "now"}, "Your message could not be sent."),
        ({"started": "forged"}, "The form has expired"),
        ({"message": "Buy now http://a.example http://b.example www.c.example"}, "at most two links"),
    ],
    ids=["honeypot", "too-fast", "forged-time", "links"],
)
def test_scripts_are_turned_away_and_nothing_is_saved(client, records, overrides, message):
    if overrides.get("started") == "now":
        overrides = {"started": services.form_started_token(time.time())}
    response = _submit(client, records, **overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Enquiry.objects.exists() and not EnquiryMessage.objects.exists() and not mail.outbox


def test_one_address_may_send_only_so_many_enquiries_an_hour(client, records, settings):
    settings.OCOP_ENQUIRY_LIMIT_PER_HOUR = 3
    for index in range(3):
        assert _submit(client, records, buyer_email=f"b{index}@example.com").status_code == 302
    refused = _submit(client, records, buyer_email="b9@example.com")
    assert "Too many messages from here" in refused.content.decode()
    assert Enquiry.objects.count() == 3
    # Another address is not affected.
    other = client.post(
        f"/catalogue/producers/{records.p.pk}/enquire/", _form(records), REMOTE_ADDR="203.0.113.9"
    )
    assert other.status_code == 302


def test_a_producer_receives_only_so_many_enquiries_a_day_from_anyone(client, records, settings):
    settings.OCOP_ENQUIRY_LIMIT_PER_PRODUCER_PER_DAY = 2
    for index in range(2):
        sent = client.post(
            f"/catalogue/producers/{records.p.pk}/enquire/",
            _form(records, buyer_email=f"b{index}@example.com"),
            REMOTE_ADDR=f"203.0.113.{index + 1}",
        )
        assert sent.status_code == 302
    refused = client.post(
        f"/catalogue/producers/{records.p.pk}/enquire/",
        _form(records, buyer_email="b9@example.com"),
        REMOTE_ADDR="198.51.100.7",
    )
    assert "received many enquiries today" in refused.content.decode()
    assert Enquiry.objects.count() == 2


def test_the_address_counted_is_the_one_sign_in_throttling_reads(client, records, settings):
    """Behind a proxy every request comes from the proxy: ``OCOP_PROXY_COUNT`` says how many
    trusted proxies stand in front, and enquiries read the client's address as sign-in
    throttling does. What the client writes in X-Forwarded-For itself buys no new quota."""
    settings.OCOP_ENQUIRY_LIMIT_PER_HOUR = 1
    settings.OCOP_PROXY_COUNT = 1
    url = f"/catalogue/producers/{records.p.pk}/enquire/"
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    first = client.post(url, _form(records), HTTP_X_FORWARDED_FOR="203.0.113.1", **proxy)
    second = client.post(
        url, _form(records, buyer_email="x@example.com"), HTTP_X_FORWARDED_FOR="203.0.113.2", **proxy
    )
    assert (first.status_code, second.status_code) == (302, 302)  # two buyers, one proxy
    again = client.post(
        url,
        _form(records, buyer_email="y@example.com"),
        HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.1",  # a forged first entry, then the proxy's
        **proxy,
    )
    assert "Too many messages from here" in again.content.decode()
    assert Enquiry.objects.count() == 2


def test_links_that_are_not_issued_open_nothing(client, records):
    _submit(client, records)
    enquiry = Enquiry.objects.get()
    token = services.enquiry_token(enquiry)
    assert client.get(f"/catalogue/enquiries/{token}/").status_code == 200
    pk, rest = token.split(".", 1)
    assert client.get(f"/catalogue/enquiries/{int(pk) + 1}.{rest}/").status_code == 404
    assert client.get(f"/catalogue/enquiries/{token[:-2]}xx/").status_code == 404
    enquiry.key = "rotated"
    enquiry.save()
    assert client.get(f"/catalogue/enquiries/{token}/").status_code == 404


def test_other_producers_staff_and_officers_do_not_read_enquiries(client, records, owner_b, officer_a):
    _submit(client, records)
    enquiry = Enquiry.objects.get()
    for user in (owner_b, officer_a):
        client.force_login(user)
        assert client.get(f"/manage/market/enquiries/{enquiry.pk}/").status_code == 404
        assert "Sao Mai" not in client.get("/manage/market/enquiries/").content.decode()


def test_a_producer_without_accounts_does_not_take_enquiries(client, records):
    records.p.memberships.all().delete()
    page = client.get(f"/catalogue/producers/{records.p.pk}/enquire/").content.decode()
    assert "does not take enquiries on the platform yet" in page
    _submit(client, records)
    assert not Enquiry.objects.exists()


def test_a_closed_enquiry_takes_no_more_messages(client, records, owner_a):
    response = _submit(client, records)
    enquiry = Enquiry.objects.get()
    client.force_login(owner_a)
    assert client.post(f"/manage/market/enquiries/{enquiry.pk}/close/").status_code == 302
    client.logout()
    page = client.post(response.url, {"message": "Còn hàng không ạ? Chúng tôi cần gấp."})
    assert page.status_code == 200 and "This enquiry is closed." in page.content.decode()
    assert enquiry.messages.count() == 1


def test_an_unrecognised_products_producer_is_not_reachable(client, records, registry):
    hidden = registry.producer("HTX Chưa công nhận")
    registry.product(hidden, "Sản phẩm nháp", state=None)
    assert client.get(f"/catalogue/producers/{hidden.pk}/enquire/").status_code == 404
    assert client.get(f"/catalogue/producers/{hidden.pk}/").status_code == 404


def test_the_buyers_link_in_the_mail_is_the_thread(client, records):
    _submit(client, records)
    bodies = " ".join(m.body for m in mail.outbox)
    link = re.search(r"https?://\S+/catalogue/enquiries/\S+/", bodies).group(0)
    assert client.get(urlparse(link).path).status_code == 200


def test_buyers_details_are_forgotten_a_year_after_the_last_word(client, contacts, owner_a):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from ocop.accounts.models import AuditEvent

    old_link = _submit(client, contacts).url
    _submit(client, contacts, buyer_email="recent@example.com")
    old, new = Enquiry.objects.order_by("pk")
    Enquiry.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=400))
    call_command("enquiries-forget")
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.buyer_name, old.buyer_email) == ("", "")
    assert old.buyer_organisation == "Công ty Xuất khẩu Sao Mai" and old.messages.count() == 1
    assert new.buyer_email == "recent@example.com"
    event = AuditEvent.objects.get(action="enquiry.forget_buyers")
    assert event.data["count"] == 1 and "Trần Minh Khoa" not in str(event.data)
    # The conversation goes on: the buyer's link opens it, the producer answers, and no mail
    # goes to an address that is no more.
    assert client.get(old_link).status_code == 200
    client.force_login(owner_a)
    mail.outbox.clear()
    answered = _post(
        client, f"/manage/market/enquiries/{old.pk}/", {"message": "Vẫn còn hàng ạ, xin báo giá."}
    )
    assert answered.status_code == 302 and [m.to for m in mail.outbox] == []
    assert "Trần Minh Khoa" not in client.get(f"/manage/market/enquiries/{old.pk}/").content.decode()
    assert services.enquiries_forget_buyers() == 0  # nothing left to erase
