"""Every freelancer page and action: owners get in, freelancers get 403, anonymous users are
sent to the login page. Nothing changes for a refused request."""

import pytest
from django.urls import reverse

from freelancers.models import ClientReview, Freelancer
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(db):
    subject = factories.FreelancerFactory(name="Subject Sam")
    review = factories.ClientReviewFactory(freelancer=subject, verified=False)
    item = factories.PortfolioItemFactory(freelancer=subject, reviewed_at=None, assessment="")
    return subject, review, item


def get_urls(subject, review, item):
    return [
        reverse("freelancers:list"),
        reverse("freelancers:create"),
        reverse("freelancers:detail", args=[subject.pk]),
        reverse("freelancers:edit", args=[subject.pk]),
        reverse("freelancers:offboard", args=[subject.pk]),
    ]


def post_urls(subject, review, item):
    pk = subject.pk
    return [
        reverse("freelancers:create"),
        reverse("freelancers:edit", args=[pk]),
        reverse("freelancers:offboard", args=[pk]),
        reverse("freelancers:review_add", args=[pk]),
        reverse("freelancers:review_verify", args=[pk, review.pk]),
        reverse("freelancers:portfolio_add", args=[pk]),
        reverse("freelancers:portfolio_review", args=[pk, item.pk]),
        reverse("freelancers:vetting_start", args=[pk]),
        reverse("freelancers:vetting_approve", args=[pk]),
        reverse("freelancers:vetting_reject", args=[pk]),
    ]


def test_owner_sees_every_page(owner_client, target):
    for url in get_urls(*target):
        response = owner_client.get(url)
        assert response.status_code == 200, url
        assert b"breadcrumb" in response.content, url
        assert b"<title>" in response.content, url


def test_freelancer_gets_403_on_every_page_and_action(freelancer_client, target):
    for url in get_urls(*target):
        assert freelancer_client.get(url).status_code == 403, url
    for url in post_urls(*target):
        assert freelancer_client.post(url, {"confirm": "on"}).status_code == 403, url
    subject, review, _ = target
    subject.refresh_from_db()
    assert subject.vetting_status == Freelancer.Vetting.PENDING
    assert subject.status == Freelancer.Status.ACTIVE
    assert not ClientReview.objects.get(pk=review.pk).verified


def test_anonymous_is_sent_to_login(client, target):
    for url in get_urls(*target) + post_urls(*target):
        response = client.get(url) if url in get_urls(*target) else client.post(url)
        assert response.status_code == 302, url
        assert response.url.startswith("/accounts/login/"), url


def test_download_is_owner_only(client, freelancer_client, target, media_root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from freelancers.services import add_portfolio_item

    subject = target[0]
    item = add_portfolio_item(
        subject, title="Deck", file=SimpleUploadedFile("deck.pdf", b"%PDF-1.7\n%...")
    )
    url = reverse("freelancers:portfolio_download", args=[subject.pk, item.pk])
    assert freelancer_client.get(url).status_code == 403
    freelancer_client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_unknown_freelancer_and_mismatched_children_are_404(owner_client, target):
    subject, review, item = target
    other = factories.FreelancerFactory()
    assert owner_client.get(reverse("freelancers:detail", args=[999_999])).status_code == 404
    verify = reverse("freelancers:review_verify", args=[other.pk, review.pk])
    assert owner_client.post(verify).status_code == 404
    download = reverse("freelancers:portfolio_download", args=[other.pk, item.pk])
    assert owner_client.get(download).status_code == 404
    assert not ClientReview.objects.get(pk=review.pk).verified


def test_actions_refuse_get(owner_client, target):
    subject, review, item = target
    url = reverse("freelancers:vetting_approve", args=[subject.pk])
    assert owner_client.get(url).status_code == 405
