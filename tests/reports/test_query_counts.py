"""The dashboard, the report and the exports cost the same number of queries at any size."""

import pytest

from tasks.models import ScanRun
from tests.reports.network import build_network

pytestmark = pytest.mark.django_db

# Every page a signed-in owner opens starts with: the session, the user, "is an owner?"
# (Owners group).
REQUEST = 3


def fetch(client, path: str):
    response = client.get(path)
    if response.streaming:  # the exports query while they stream
        b"".join(response.streaming_content)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("size", [2, 20])
def test_dashboard_queries_do_not_grow(owner_client, django_assert_num_queries, size):
    build_network(size)
    ScanRun.objects.create(
        scope="full", started_at="2025-01-01T00:00Z", finished_at="2025-01-01T00:01Z"
    )
    # REQUEST, then: the flags' version (latest scan and flag, dismissals); open flags by kind and
    # severity; skills with their bench; savings totals (12 months); spend per freelancer (HHI);
    # spend per month; SOP flags (freelancers, count, oldest); live core tasks with a
    # freelancer; vetting pipeline; last full scan; and the navigation's "is this user a
    # freelancer?".
    with django_assert_num_queries(REQUEST + 11):
        fetch(owner_client, "/")
    # Next time the two aggregates over all open flags come from the cache.
    with django_assert_num_queries(REQUEST + 9):
        fetch(owner_client, "/")


@pytest.mark.parametrize("size", [2, 20])
def test_report_queries_do_not_grow(owner_client, django_assert_num_queries, size):
    build_network(size)
    # REQUEST, then: totals; by month; spend per freelancer; by skill; the tasks not counted
    # (per status); the navigation's "is this user a freelancer?"; the overestimated tasks.
    with django_assert_num_queries(REQUEST + 7):
        response = fetch(owner_client, "/reports/")
    assert response.context["totals"].tasks > 0


@pytest.mark.parametrize("size", [2, 20])
@pytest.mark.parametrize("path", ["/reports/savings.csv", "/reports/spend.csv"])
def test_export_queries_do_not_grow(owner_client, django_assert_num_queries, size, path):
    build_network(size)
    # REQUEST, then one query: the tasks with their figures, or spend per freelancer.
    with django_assert_num_queries(REQUEST + 1):
        fetch(owner_client, path)
