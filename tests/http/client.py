"""The HTTP suite's client: a base URL and tokens, from the local runner or a deployed stack."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests


@dataclass
class Api:
    base_url: str
    patient_token: str
    other_patient_token: str
    admin_token: str

    def request(self, method: str, path: str, *, token: str | None = None, headers: dict[str, str] | None = None,
                **kwargs: Any) -> requests.Response:
        all_headers = dict(headers or {})
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        return requests.request(method, self.base_url + path, headers=all_headers, timeout=30, **kwargs)

    def get(self, path: str, *, token: str | None = None, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, token=token, **kwargs)

    def as_patient(self, path: str, **kwargs: Any) -> requests.Response:
        return self.get(path, token=self.patient_token, **kwargs)
