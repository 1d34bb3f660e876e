"""Staff search of patients by the start of a name (`GET /admin/patients?name=`): the look-up items
of PatientNames follow every path that sets a name or a role, a page is one Query of them and one
BatchGetItem of the page's profiles whatever the number of patients, and every listed patient is
recorded as read (docs/decisions.md 63)."""

from __future__ import annotations

import pytest

from clinic import aws, settings
from clinic.repositories import audit_table, paging, users_table
from clinic.services import users
from tests.support.api import ADMIN_SUB, call
from tests.support.data import NOW_MS
from tests.support.events import EVENT_SUB, _load

SEARCH = "ListPatientsFunction"


def search(invoke, name, **query):
    return call(invoke, SEARCH, admin=True, query={"name": name, **query})


def found(invoke, name, **query):
    reply = search(invoke, name, **query)
    assert reply.status == 200, reply.body
    return [u["name"] for u in reply.body["items"]]


def patient(user_id, name, *, email=None, created_at=NOW_MS):
    """A patient signed up through the production path (what the sign-up trigger calls)."""
    assert users.create_profile(user_id, email or f"{user_id}@example.com", name=name)
    return user_id


def lookup_items(tables):
    return aws.dynamodb().scan(TableName=tables["PatientNamesTable"])["Items"]


@pytest.fixture
def staff(tables):
    users.create_profile(ADMIN_SUB, "staff@example.com", name="Carmen Reyes", role=users.Role.ADMIN)
    return ADMIN_SUB


@pytest.fixture
def clinic(staff):
    patient("p-ava", "Ava Patel")
    patient("p-ben", "Ben Okafor")
    patient("p-zoe", "ZOË Ó'Brien-Smith")
    patient("p-lin", "Lin Avery")
    return staff


# ------------------------------------------------------------------ what is found


@pytest.mark.parametrize(("typed", "names"), [
    ("pat", ["Ava Patel"]),  # the family name
    ("ava", ["Ava Patel"]),  # the given name ("Avery" starts with "av", not "ava")
    ("av", ["Ava Patel", "Lin Avery"]),  # in the order of the word found: ava, avery
    ("AVA", ["Ava Patel"]),  # case folded
    ("zoe", ["ZOË Ó'Brien-Smith"]),  # accents folded, both ways
    ("Zoë", ["ZOË Ó'Brien-Smith"]),
    ("obri", ["ZOË Ó'Brien-Smith"]),  # an apostrophe inside a word is dropped
    ("o'brien", ["ZOË Ó'Brien-Smith"]),
    ("smi", ["ZOË Ó'Brien-Smith"]),  # a hyphen separates words
    ("ava pat", ["Ava Patel"]),  # several words: each starts a word of the name
    ("pat ava", ["Ava Patel"]),
    ("ava ok", []),
    ("patels", []),
    ("xy", []),
])
def test_a_patient_is_found_by_the_start_of_a_given_or_family_name(invoke, clinic, typed, names):
    assert found(invoke, typed) == names


def test_staff_are_never_listed(invoke, clinic):
    assert found(invoke, "carmen") == [] and found(invoke, "rey") == []


def test_a_person_whose_words_share_a_start_is_listed_once(invoke, staff):
    patient("p-pat", "Pat Patterson")
    patient("p-ann", "Ann Annabel Anna")
    assert found(invoke, "pat") == ["Pat Patterson"]
    assert found(invoke, "patt") == ["Pat Patterson"]
    assert found(invoke, "an", limit=1) == ["Ann Annabel Anna"]
    assert found(invoke, "anna") == ["Ann Annabel Anna"]


# ------------------------------------------------------------------ every path that sets a name or a role


def test_sign_up_and_the_first_call_of_a_new_account_index_the_name(invoke, staff):
    event = _load("cognito/post_confirmation.json")
    attributes = event["request"]["userAttributes"]
    invoke("PostConfirmationFunction", {**event, "request": {**event["request"], "userAttributes": {
        **attributes, "name": "Nora Quist", "sub": "p-nora", "email": "nora@example.com"}}})
    assert found(invoke, "qui") == ["Nora Quist"]
    # GET /me of an account whose profile no trigger created: from the token's name claim
    reply = call(invoke, "GetProfileFunction")
    assert reply.status == 200 and reply.body["name"] == "Demo Patient"
    assert found(invoke, "dem") == ["Demo Patient"]


def test_a_renamed_patient_is_found_by_the_new_name_only(invoke, staff, tables):
    patient(EVENT_SUB, "Ava Patel")
    reply = call(invoke, "UpdateProfileFunction", body={"name": "Ava Kowalski"})
    assert reply.status == 200 and reply.body["name"] == "Ava Kowalski" and "nameIndex" not in reply.body
    assert found(invoke, "kow") == ["Ava Kowalski"] and found(invoke, "pat") == []
    assert found(invoke, "ava") == ["Ava Kowalski"]
    # A change of something else leaves the look-ups as they are
    before = lookup_items(tables)
    assert call(invoke, "UpdateProfileFunction", body={"appointmentReminders": False}).status == 200
    assert lookup_items(tables) == before


@pytest.fixture
def user_pool(tables, monkeypatch):
    idp = aws.client("cognito-idp")
    pool_id = idp.create_user_pool(PoolName="test", UsernameAttributes=["email"])["UserPool"]["Id"]
    idp.create_group(UserPoolId=pool_id, GroupName="admin")
    monkeypatch.setenv("USER_POOL_ID", pool_id)
    settings.reset()
    yield idp, pool_id
    monkeypatch.delenv("USER_POOL_ID")
    settings.reset()


def pool_user(idp, pool_id, email):
    created = idp.admin_create_user(UserPoolId=pool_id, Username=email, MessageAction="SUPPRESS",
                                    UserAttributes=[{"Name": "email", "Value": email}])
    return next(a["Value"] for a in created["User"]["Attributes"] if a["Name"] == "sub")


def test_a_promoted_patient_leaves_the_search_and_a_demoted_one_comes_back(invoke, staff, user_pool):
    idp, pool_id = user_pool
    sub = patient(pool_user(idp, pool_id, "ava@example.com"), "Ava Patel", email="ava@example.com")
    promoted = call(invoke, "SetUserRoleFunction", admin=True, path={"userId": sub}, body={"role": "admin"})
    assert promoted.status == 200 and found(invoke, "pat") == []
    demoted = call(invoke, "SetUserRoleFunction", admin=True, path={"userId": sub}, body={"role": "patient"})
    assert demoted.status == 200 and found(invoke, "pat") == ["Ava Patel"]


def test_a_deleted_account_is_gone_from_the_search_with_its_look_ups(invoke, staff, user_pool, tables):
    patient(EVENT_SUB, "Ava Patel")
    patient("p-other", "Ava Stone")
    assert call(invoke, "DeleteMeFunction").status == 204
    assert found(invoke, "ava") == ["Ava Stone"]
    assert {item["userId"]["S"] for item in lookup_items(tables)} == {"p-other"}


def test_the_look_ups_are_exactly_those_of_current_patients_after_every_change(invoke, staff, user_pool, tables):
    idp, pool_id = user_pool
    sub = patient(pool_user(idp, pool_id, "ann@example.com"), "Ann Lee", email="ann@example.com")
    patient(EVENT_SUB, "Bo Diaz")
    call(invoke, "UpdateProfileFunction", body={"name": "Bo Diaz-Moreno"})
    call(invoke, "SetUserRoleFunction", admin=True, path={"userId": sub}, body={"role": "admin"})
    call(invoke, "SetUserRoleFunction", admin=True, path={"userId": sub}, body={"role": "patient"})
    users_table.put({**users_table.get(sub), "name": "Ann Lee-Park"})  # a whole-item write (seed data)
    entries = sorted(item["entry"]["S"] for item in lookup_items(tables))
    assert entries == sorted([f"ann#{sub}", f"lee#{sub}", f"park#{sub}", f"bo#{EVENT_SUB}",
                              f"diaz#{EVENT_SUB}", f"moreno#{EVENT_SUB}"])


# ------------------------------------------------------------------ pages and cursors


@pytest.fixture
def many(staff):
    given = ["Ada", "Bea", "Cal", "Dov", "Eli", "Fay", "Gus"]
    for n, name in enumerate(given):
        patient(f"p-{n}", f"{name} Pat{'abcdefg'[n]}son")
    patient("p-other", "Ada Moss")
    return [f"{name} Pat{'abcdefg'[n]}son" for n, name in enumerate(given)]


def test_pages_follow_the_cursor_and_list_every_match_once(invoke, many):
    seen, cursor = [], None
    for _ in range(4):
        reply = search(invoke, "pat", limit=3, **({"cursor": cursor} if cursor else {}))
        assert reply.status == 200 and len(reply.body["items"]) <= 3
        seen += [u["name"] for u in reply.body["items"]]
        cursor = reply.body["nextCursor"]
        if cursor is None:
            break
    assert seen == many and cursor is None


def test_a_cursor_continues_only_its_own_search(invoke, many):
    cursor = search(invoke, "pat", limit=2).body["nextCursor"]
    assert search(invoke, "PAT", limit=2, cursor=cursor).status == 200  # the same search, folded
    for other in ({"name": "ada"}, {"name": "pata"}):
        reply = call(invoke, SEARCH, admin=True, query={**other, "limit": 2, "cursor": cursor})
        assert reply.status == 400 and reply.body["error"]["details"][0]["field"] == "cursor"
    assert call(invoke, SEARCH, admin=True, query={"limit": 2, "cursor": cursor}).status == 400  # the listing
    listing = call(invoke, SEARCH, admin=True, query={"limit": 2}).body["nextCursor"]
    assert search(invoke, "pat", limit=2, cursor=listing).status == 400
    other_staff = call(invoke, SEARCH, admin=True, sub="a0d1e2f3-0000-4000-8000-00000000ad02",
                       query={"name": "pat", "limit": 2, "cursor": cursor})
    assert other_staff.status == 400


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize("query", [
    {"name": "pat", "email": "ava@example.com"},  # one of the two
    {"name": "p"},  # too short
    {"name": "p" * 65},  # too long
    {"name": "pa7"}, {"name": "p@t"}, {"name": "pat%"}, {"name": "pat_"}, {"name": "a b"}, {"name": "''"},
    {"name": "pat", "nickname": "x"},  # an unknown parameter
])
def test_bad_searches_are_a_400_in_the_error_shape_and_read_nothing(invoke, clinic, ddb_calls, query):
    ddb_calls.reset()
    reply = call(invoke, SEARCH, admin=True, query=query)
    assert reply.status == 400 and reply.error_code == "validation_error"
    assert set(reply.body["error"]) == {"code", "message", "details"}
    assert "Query" not in ddb_calls.operations and "BatchGetItem" not in ddb_calls.operations


def test_a_patient_may_not_search(invoke, clinic, ddb_calls):
    ddb_calls.reset()
    reply = call(invoke, SEARCH, query={"name": "pat"})
    assert reply.status == 403 and ddb_calls.total == 0


# ------------------------------------------------------------------ audit and cost


def test_every_listed_patient_is_recorded_as_read_by_the_staff_member(invoke, clinic):
    names = found(invoke, "av")
    assert names == ["Ava Patel", "Lin Avery"]
    for user_id in ("p-ava", "p-lin"):
        (record,) = audit_table.page(patient_id=user_id, actor_id=None, limit=10, after=None).items
        assert (record["actorId"], record["action"], record["resource"]) == (ADMIN_SUB, "read", "profile")
    assert audit_table.page(patient_id="p-ben", actor_id=None, limit=10, after=None).items == []


@pytest.mark.parametrize("patients", [45, 450])
def test_a_page_costs_one_query_and_one_batch_read_whatever_the_number_of_patients(invoke, staff, ddb_calls, patients):
    # Given every patient's family name starts with the letters searched (one look-up partition)
    for n in range(patients):
        users_table.put({"userId": f"p-{n:04d}", "email": f"p{n}@example.com", "role": "patient",
                         "createdAt": NOW_MS, "name": f"Ann Pat{'abcdefghij'[n % 10]}{'abcdefghij'[n // 10 % 10]}"
                                                          f"{'abcdefghij'[n // 100]}"})
    cursor = None
    for _page in range(2):  # the first page and the next
        ddb_calls.reset()
        reply = search(invoke, "pat", limit=20, **({"cursor": cursor} if cursor else {}))
        assert reply.status == 200 and len(reply.body["items"]) == 20 and reply.body["nextCursor"]
        # The account check (the staff member's item), one Query of the look-ups, one BatchGetItem
        # of the page's profiles, one BatchWriteItem of the 20 audit records
        assert dict(ddb_calls.operations) == {"GetItem": 1, "Query": 1, "BatchGetItem": 1, "BatchWriteItem": 1}
        assert ddb_calls.items_scanned <= 21  # the Query: a page and one more
        assert ddb_calls.read_units <= 1.0 + 0.5 + 20 * 0.5
        cursor = reply.body["nextCursor"]
    # Two words: the Query in the longest word's partition evaluates at most the read budget
    ddb_calls.reset()
    reply = search(invoke, "ann pat", limit=20)
    assert reply.status == 200 and len(reply.body["items"]) == 20
    assert ddb_calls.operations["Query"] == 1 and ddb_calls.items_scanned <= paging.FILTERED_READ_BUDGET


def test_a_rename_that_races_another_change_of_the_profile_reads_it_again(invoke, staff, tables, monkeypatch):
    # Given another change of the profile lands between the rename's read and its transaction
    patient(EVENT_SUB, "Ava Patel")
    read = users_table.get_consistent
    raced = []

    def read_then_race(user_id):
        item = read(user_id)
        if user_id == EVENT_SUB and not raced:
            raced.append(users_table.update_profile(EVENT_SUB, {"appointmentReminders": False}))
        return item

    monkeypatch.setattr(users_table, "get_consistent", read_then_race)
    # When the patient renames themselves
    reply = call(invoke, "UpdateProfileFunction", body={"name": "Ava Kowalski"})
    # Then the first transaction lost (its version was stale), the second one holds both changes
    assert reply.status == 200 and raced
    assert (reply.body["name"], reply.body["appointmentReminders"]) == ("Ava Kowalski", False)
    entries = sorted(item["entry"]["S"] for item in lookup_items(tables) if item["userId"]["S"] == EVENT_SUB)
    assert entries == [f"ava#{EVENT_SUB}", f"kowalski#{EVENT_SUB}"]
