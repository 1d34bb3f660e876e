from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from clinic.models.base import Shape


class Role(StrEnum):
    PATIENT = "patient"
    ADMIN = "admin"


class User(Shape):
    user_id: str = Field(description="The Cognito subject (sub)")
    email: str
    name: str | None = None
    image: str | None = None
    role: Role = Role.PATIENT
    created_at: int
