"""The operator's account commands: ocop grant / revoke-grant, createsuperuser, ocop token."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ocop.accounts import gate
from ocop.accounts.models import ApiToken, AuditEvent, Grant


def run(*args, **kwargs) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **kwargs)
    return out.getvalue()


@pytest.fixture
def alice(db, django_user_model):
    return django_user_model.objects.create_user(username="alice", password="pw")


@pytest.mark.django_db
class TestGrant:
    def test_central_grant_reaches_everything_and_is_audited(self, alice):
        assert "granted" in run("grant", "alice", "central")
        assert gate.actor_of(alice).is_central
        event = AuditEvent.objects.get(action="account.grant_add")
        assert event.data == {"grant": Grant.objects.get(user=alice).pk, "role": "central"}
        assert event.object_id == str(alice.pk)

    def test_a_province_by_name_and_a_commune_by_code(self, alice, geo):
        run("grant", "alice", "province_officer", "--province", "tay ninh")
        run("grant", "alice", "commune_officer", "--commune", geo.b1.code)
        actor = gate.actor_of(alice)
        assert actor.province_ids == {geo.province_a.pk}
        assert actor.commune_ids == {geo.b1.pk}
        assert set(
            AuditEvent.objects.filter(action="account.grant_add").values_list("province_id", flat=True)
        ) == {
            geo.province_a.pk,
            geo.province_b.pk,
        }

    def test_a_commune_by_name_with_its_province(self, alice):
        run("grant", "alice", "commune_officer", "--commune", "Phường Ba Đình, Hà Nội")
        assert Grant.objects.get(user=alice).commune.code == "00004"

    def test_granting_twice_changes_nothing(self, alice):
        run("grant", "alice", "central")
        assert "already held" in run("grant", "alice", "central")
        assert Grant.objects.filter(user=alice).count() == 1
        assert AuditEvent.objects.filter(action="account.grant_add").count() == 1

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["nobody", "central"], "no account 'nobody'"),
            (["alice", "central", "--province", "80"], "covers the whole country"),
            (["alice", "province_officer"], "needs a province"),
            (["alice", "province_officer", "--commune", "00004"], "needs a province"),
            (["alice", "commune_officer", "--province", "80"], "needs a commune"),
            (["alice", "province_officer", "--province", "99"], "no current province with code '99'"),
            (["alice", "province_officer", "--province", "Xứ Sở Thần Tiên"], "is not the name of a province"),
            (
                ["alice", "province_officer", "--province", "Long An"],
                "before 1 July 2025, now in Tỉnh Tây Ninh",
            ),
            (["alice", "province_officer", "--province", "Phường Ba Đình, Hà Nội"], "names a commune"),
            (["alice", "commune_officer", "--commune", "Hà Nội"], "names no commune"),
            (["alice", "commune_officer", "--commune", "Xã Tân Tiến"], "Xã Tân Tiến"),
        ],
    )
    def test_refusals_say_why_and_grant_nothing(self, alice, args, message):
        with pytest.raises(CommandError, match=message):
            run("grant", *args)
        assert not Grant.objects.exists()
        assert not AuditEvent.objects.exists()

    def test_an_unknown_role_is_refused_by_the_parser(self, alice):
        with pytest.raises(CommandError, match="invalid choice: 'producer'"):
            run("grant", "alice", "producer")

    def test_province_and_commune_together_are_refused(self, alice):
        with pytest.raises(CommandError, match="not allowed with argument"):
            run("grant", "alice", "province_officer", "--province", "80", "--commune", "00004")

    def test_revoke_grant(self, alice, geo):
        run("grant", "alice", "province_officer", "--province", "80")
        run("grant", "alice", "central")
        assert "revoked" in run("revoke-grant", "alice", "province_officer", "--province", "Tây Ninh")
        assert list(Grant.objects.filter(user=alice).values_list("role", flat=True)) == ["central"]
        event = AuditEvent.objects.get(action="account.grant_remove")
        assert (event.province_id, event.object_id, event.data["role"]) == (
            geo.province_a.pk,
            str(alice.pk),
            "province_officer",
        )
        with pytest.raises(CommandError, match="holds no such grant"):
            run("revoke-grant", "alice", "province_officer", "--province", "80")
        with pytest.raises(CommandError, match="only role: deactivate the account instead"):
            run("revoke-grant", "alice", "central")
        assert Grant.objects.filter(user=alice).count() == 1


@pytest.mark.django_db
def test_createsuperuser_gives_the_central_grant(client, django_user_model):
    out = run("createsuperuser", "--username", "root", "--email", "root@example.org", "--no-input")
    root = django_user_model.objects.get(username="root")
    assert "root holds the central office's grant" in out
    assert list(root.grants.values_list("role", "province", "commune")) == [("central", None, None)]
    assert AuditEvent.objects.filter(action="account.grant_add", actor=None).count() == 1
    root.set_password("a long enough password")
    root.save()
    client.force_login(root)
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
class TestToken:
    def test_create_prints_the_key_once_and_it_authenticates(self, client, alice):
        raw = run("token", "create", "alice", "--name", "kế toán", "--expires", "30").strip()
        token = ApiToken.objects.get(user=alice)
        assert raw.startswith("ocop_") and token.key_hint == raw[:10] and raw not in token.key_hash
        assert 29 <= (token.expires_at - token.created_at).days <= 30
        assert AuditEvent.objects.filter(action="token.create", object_id=str(token.pk)).count() == 1
        assert (
            client.get(
                "/api/v1/jobs/00000000-0000-0000-0000-000000000000", HTTP_AUTHORIZATION=f"Bearer {raw}"
            ).status_code
            == 404
        )
        assert ApiToken.authenticate(raw) == alice

    def test_revoke_by_name_then_the_key_no_longer_works(self, alice):
        raw = run("token", "create", "alice", "--name", "sync").strip()
        assert "revoked" in run("token", "revoke", "sync", "--user", "alice")
        assert ApiToken.authenticate(raw) is None
        assert AuditEvent.objects.filter(action="token.revoke").count() == 1
        assert "already revoked" in run("token", "revoke", str(ApiToken.objects.get().pk))
        assert AuditEvent.objects.filter(action="token.revoke").count() == 1

    def test_an_ambiguous_name_asks_for_the_id(self, alice, django_user_model):
        django_user_model.objects.create_user(username="bob")
        run("token", "create", "alice", "--name", "sync")
        run("token", "create", "bob", "--name", "sync")
        with pytest.raises(CommandError, match="2 active tokens are named 'sync'"):
            run("token", "revoke", "sync")
        assert ApiToken.objects.active().count() == 2
        run("token", "revoke", "sync", "--user", "bob")
        assert list(ApiToken.objects.active().values_list("user__username", flat=True)) == ["alice"]

    def test_list_shows_state_never_the_key(self, alice):
        raw = run("token", "create", "alice", "--name", "one").strip()
        run("token", "create", "alice", "--name", "two")
        run("token", "revoke", "two")
        listing = run("token", "list", "alice")
        assert raw not in listing
        lines = sorted(line.split("\t")[2:5:2] for line in listing.splitlines())
        assert lines == [["one", "active"], ["two", lines[1][1]]] and lines[1][1].startswith("revoked ")

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["create", "nobody", "--name", "x"], "no account 'nobody'"),
            (["create", "alice", "--name", "  "], "1 to 80 printable characters"),
            (["create", "alice", "--name", "a\x00b"], "1 to 80 printable characters"),
            (["create", "alice", "--name", "x" * 81], "1 to 80 printable characters"),
            (["create", "alice", "--name", "x", "--expires", "0"], "give 1 to 3650 days"),
            (["create", "alice", "--name", "x", "--expires", "soon"], "not a number of days"),
            (["revoke", "404"], "no token '404'"),
            (["revoke", "a\x00b"], "no token"),
            (["list", "a\x00b"], "no account"),
        ],
    )
    def test_refusals(self, alice, args, message):
        with pytest.raises(CommandError, match=message):
            run("token", *args)
        assert not ApiToken.objects.exists()
