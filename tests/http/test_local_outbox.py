"""Locally, sign-in emails open the page the runner serves, and the runner lists them at its
outbox page (GET /local/outbox) as well as on its console."""

from __future__ import annotations

import re
from html import unescape

import pytest
import requests

from tests.http.test_local_sign_in import ask_for_link, link_token, new_address

pytestmark = pytest.mark.http


def test_a_sign_in_email_is_listed_at_the_outbox_with_a_link_to_the_runners_page(api, local_stack_state):
    email = new_address()
    assert ask_for_link(api, email).status_code == 202
    token = link_token(local_stack_state, email)

    page = requests.get(f"{local_stack_state.api_url}/local/outbox", timeout=10)

    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    links = [unescape(link) for link in re.findall(r'href="([^"]+)"', page.text)]
    assert f"{local_stack_state.api_url}/app/#token={token}&email={email}" in links
    assert f"{local_stack_state.api_url}/app/#token={token}" in local_stack_state.log_path.read_text()


def test_the_outbox_only_lists(local_stack_state):
    answer = requests.post(f"{local_stack_state.api_url}/local/outbox", timeout=10)
    assert answer.status_code == 405
