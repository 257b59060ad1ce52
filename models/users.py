"""People who use the system, how they sign in, their sessions, and the joins of two citizen accounts into one."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.enums import IdentityProvider, Role

if TYPE_CHECKING:
    from models.agencies import Agency
    from models.handoff import Handoff


class User(Model):
    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    role = fields.CharEnumField(Role, max_length=20, db_index=True)
    agency: fields.ForeignKeyNullableRelation[Agency] = fields.ForeignKeyField(
        "models.Agency", related_name="staff", null=True, on_delete=fields.RESTRICT
    )
    agency_id: uuid.UUID | None
    username = fields.CharField(max_length=80, unique=True, null=True)
    password_hash = fields.CharField(max_length=200, null=True)
    full_name = fields.CharField(max_length=200, default="")
    phone = fields.CharField(max_length=20, null=True, db_index=True)
    is_active = fields.BooleanField(default=True)
    # Set when this citizen account was joined to another one (issue 9, services.accounts.joining): tokens issued to
    # it act for that account from then on.
    merged_into: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="merged_accounts", null=True, on_delete=fields.SET_NULL
    )
    merged_into_id: uuid.UUID | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "user"


class Identity(Model):
    """A way a citizen is known to an outside system (a Zalo user id, a verified phone number)."""

    id = fields.IntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="identities", on_delete=fields.CASCADE
    )
    user_id: uuid.UUID
    provider = fields.CharEnumField(IdentityProvider, max_length=20)
    # The Zalo OA/mini-app that issued a Zalo user id (its key in settings), since Zalo scopes user ids to an app;
    # empty for a phone number.
    app = fields.CharField(max_length=30, default="")
    subject = fields.CharField(max_length=128)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "identity"
        unique_together = (("provider", "app", "subject"),)


class AccountJoin(Model):
    """Two citizen accounts made one (services.accounts.joining), keeping the ids of every row that moved and the
    values copied onto the kept account, so that an administrator can split them apart again exactly."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    into: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="joins_kept", on_delete=fields.RESTRICT
    )
    into_id: uuid.UUID
    absorbed: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="joins_absorbed", on_delete=fields.RESTRICT
    )
    absorbed_id: uuid.UUID
    # The link whose redemption was confirmed; one join per link at most.
    handoff: fields.OneToOneNullableRelation[Handoff] = fields.OneToOneField(
        "models.Handoff", related_name="account_join", null=True, on_delete=fields.SET_NULL
    )
    handoff_id: uuid.UUID | None
    phone = fields.CharField(max_length=20)
    moved: dict = fields.JSONField()
    copied: dict = fields.JSONField()
    joined_at = fields.DatetimeField()
    split_at = fields.DatetimeField(null=True)
    split_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="joins_split", null=True, on_delete=fields.SET_NULL
    )
    split_by_id: uuid.UUID | None

    class Meta:
        table = "account_join"


class RefreshToken(Model):
    """One link of the rotation chain of a session. Only the hash of the opaque token is stored."""

    id = fields.UUIDField(primary_key=True, default=uuid.uuid4)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="refresh_tokens", on_delete=fields.CASCADE
    )
    user_id: uuid.UUID
    family = fields.UUIDField(db_index=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "refresh_token"


class OtpChallenge(Model):
    id = fields.IntField(primary_key=True)
    phone = fields.CharField(max_length=20, db_index=True)
    code_hash = fields.CharField(max_length=128)
    client_address = fields.CharField(max_length=64, default="", db_index=True)
    attempts = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    expires_at = fields.DatetimeField()
    consumed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "otp_challenge"
