"""The `phananh` command: the same settings and services as the server."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.cli import main
from core.errors import Conflict, InvalidInput
from models.enums import Role
from models.users import User
from services.accounts.users import create_staff_user
from tests.helpers.servers import REPO


def test_export_schema_prints_the_committed_contract(capsys: pytest.CaptureFixture[str]) -> None:
    main(["export-schema"])
    assert capsys.readouterr().out == (REPO / "schema.graphql").read_text(encoding="utf-8")


async def test_create_staff_user_stores_a_hashed_password() -> None:
    user = await create_staff_user(
        username="Officer.Lan", password="correct horse battery", role=Role.OFFICER, agency_code="PC08"
    )
    stored = await User.get(id=user.id).prefetch_related("agency")
    assert stored.username == "officer.lan"
    assert stored.agency is not None
    assert stored.agency.code == "PC08"
    assert (stored.password_hash or "").startswith("$argon2id$")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"username": "x"}, "username"),
        ({"password": "short"}, "password"),
        ({"role": Role.CITIZEN}, "role"),
        ({"agency_code": None}, "agency"),
        ({"agency_code": "NO-SUCH-AGENCY"}, "agency"),
        ({"role": Role.ADMIN}, "agency"),
    ],
)
async def test_create_staff_user_refuses_bad_input(kwargs: dict[str, object], field: str) -> None:
    values: dict[str, object] = {
        "username": "officer.minh",
        "password": "correct horse battery",
        "role": Role.OFFICER,
        "agency_code": "PC08",
        **kwargs,
    }
    with pytest.raises(InvalidInput) as error:
        await create_staff_user(**values)  # type: ignore[arg-type]
    assert error.value.extensions["field"] == field
    assert await User.all().count() == 0


async def test_a_taken_username_is_a_conflict() -> None:
    await create_staff_user(username="chief", password="correct horse battery", role=Role.ADMIN, agency_code=None)
    with pytest.raises(Conflict):
        await create_staff_user(username="CHIEF", password="another long one", role=Role.ADMIN, agency_code=None)


def test_cli_help_lists_every_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("serve", "migrate", "seed", "create-user", "export-schema", "rebuild-statistics"):
        assert command in out
