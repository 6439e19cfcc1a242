"""Portfolio uploads: checked by content, size-limited, stored under a generated name, and
served only to owners as an attachment."""

import pathlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from freelancers.models import PortfolioItem
from freelancers.services import add_portfolio_item
from freelancers.validators import validate_portfolio_upload
from tests import factories

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 16
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 24
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
LIMIT = 10 * 1024 * 1024


@pytest.fixture
def nina():
    return factories.FreelancerFactory(name="Nina")


def post_upload(client, freelancer, name, content, content_type="image/png", **extra):
    data = {"portfolio-title": "Work", "portfolio-url": "", "portfolio-description": ""}
    data.update(extra)
    data["portfolio-file"] = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(reverse("freelancers:portfolio_add", args=[freelancer.pk]), data)


@pytest.mark.parametrize(
    ("content", "suffix"), [(PNG, ".png"), (PDF, ".pdf"), (JPEG, ".jpg"), (WEBP, ".webp")]
)
def test_accepted_formats_are_recognised_by_content(content, suffix):
    kind = validate_portfolio_upload(SimpleUploadedFile("anything.bin", content))
    assert kind.suffix == suffix


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("innocent.png", HTML, "Only PDF, PNG, JPEG or WebP"),
        ("logo.svg", SVG, "Only PDF, PNG, JPEG or WebP"),
        ("logo.png", SVG, "Only PDF, PNG, JPEG or WebP"),
        ("empty.pdf", b"", "file is empty."),
        ("big.pdf", b"%PDF-" + b"0" * (LIMIT - 4), "Files may be at most 10.0\xa0MB"),
    ],
    ids=["html-dressed-as-png", "svg", "svg-dressed-as-png", "zero-bytes", "one-byte-over"],
)
def test_bad_uploads_are_refused_with_a_message_and_nothing_saved(
    owner_client, nina, media_root, name, content, message
):
    response = post_upload(owner_client, nina, name, content)
    assert response.status_code == 200
    [error] = response.context["portfolio_form"].errors["file"]
    assert message in error
    assert not PortfolioItem.objects.exists()
    assert not any(pathlib.Path(media_root).rglob("*.*"))
    # The form stays open with what was typed.
    assert 'id="add-portfolio"' in response.content.decode()
    assert response.context["open_panel"] == "portfolio"


def test_validator_refuses_zero_bytes_by_itself():
    with pytest.raises(ValidationError, match="The file is empty."):
        validate_portfolio_upload(SimpleUploadedFile("empty.pdf", b""))


def test_exactly_the_limit_is_accepted(nina):
    content = b"%PDF-" + b"0" * (LIMIT - 5)
    assert len(content) == LIMIT
    item = add_portfolio_item(nina, title="Big", file=SimpleUploadedFile("big.pdf", content))
    assert item.file.size == LIMIT


def test_service_refuses_bad_content_even_without_the_form(nina):
    with pytest.raises(ValidationError) as caught:
        add_portfolio_item(nina, title="x", file=SimpleUploadedFile("x.png", HTML))
    assert "file" in caught.value.message_dict
    assert not PortfolioItem.objects.exists()


def test_upload_is_stored_under_a_generated_name_whatever_it_was_called(
    owner_client, nina, media_root
):
    response = post_upload(owner_client, nina, "../../../etc/evil name.png.exe", PDF)
    assert response.status_code == 302
    item = PortfolioItem.objects.get()
    stored = pathlib.PurePosixPath(item.file.name)
    assert stored.parent.as_posix() == "portfolio"
    assert stored.suffix == ".pdf"  # the detected type, not the claimed one
    assert len(stored.stem) == 32 and "evil" not in stored.name
    assert item.original_filename == "evil_name.png.exe"
    assert ".." not in item.original_filename and "/" not in item.original_filename
    files = [p for p in pathlib.Path(media_root).rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].resolve().is_relative_to(pathlib.Path(media_root))


def test_link_only_item_and_the_need_for_a_link_or_a_file(owner_client, nina):
    url = reverse("freelancers:portfolio_add", args=[nina.pk])
    response = owner_client.post(url, {"portfolio-title": "Site", "portfolio-url": ""})
    assert response.context["portfolio_form"].non_field_errors() == [
        "Give a link to the work, a file, or both."
    ]
    response = owner_client.post(
        url, {"portfolio-title": "Site", "portfolio-url": "https://example.com/site"}
    )
    assert response.status_code == 302
    assert PortfolioItem.objects.get().url == "https://example.com/site"


def test_download_is_an_attachment_with_nosniff(owner_client, nina):
    item = add_portfolio_item(nina, title="Deck", file=SimpleUploadedFile("../Sales deck.png", PNG))
    response = owner_client.get(reverse("freelancers:portfolio_download", args=[nina.pk, item.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="Sales_deck.png"' in response["Content-Disposition"]
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PNG


def test_download_name_takes_the_detected_type(owner_client, nina):
    item = add_portfolio_item(nina, title="Deck", file=SimpleUploadedFile("deck.html", PDF))
    response = owner_client.get(reverse("freelancers:portfolio_download", args=[nina.pk, item.pk]))
    assert 'filename="deck.pdf"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"


def test_page_links_to_the_download_view_never_to_media(owner_client, nina):
    item = add_portfolio_item(nina, title="Deck", file=SimpleUploadedFile("deck.pdf", PDF))
    html = owner_client.get(reverse("freelancers:detail", args=[nina.pk])).content.decode()
    assert reverse("freelancers:portfolio_download", args=[nina.pk, item.pk]) in html
    assert item.file.name not in html and "/media/" not in html


def test_missing_file_or_link_only_item_downloads_404(owner_client, nina):
    link = factories.PortfolioItemFactory(freelancer=nina)
    url = reverse("freelancers:portfolio_download", args=[nina.pk, link.pk])
    assert owner_client.get(url).status_code == 404
    item = add_portfolio_item(nina, title="Deck", file=SimpleUploadedFile("deck.pdf", PDF))
    item.file.storage.delete(item.file.name)
    url = reverse("freelancers:portfolio_download", args=[nina.pk, item.pk])
    assert owner_client.get(url).status_code == 404
