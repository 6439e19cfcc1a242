"""Forms for the owners' SOP pages and the freelancers' acknowledgement."""

from django import forms
from django.utils.text import slugify

from .models import SOP, SOPVersion, sha256_text

# /sops/create/ is a page; an SOP with this slug could never be opened.
RESERVED_SLUGS = {"create"}
BODY_HELP = (
    "Markdown: # headings, 1. numbered steps, - bullets, **bold**, [links](https://…). "
    "Raw HTML and scripts are removed when the text is shown."
)


def normalise_newlines(text: str) -> str:
    """Browsers send CRLF from a textarea; store LF so the hash does not depend on the browser."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def preview_token(*parts: object) -> str:
    """The fingerprint of what a preview showed; publishing requires the same fingerprint."""
    return sha256_text("\x1f".join(str(part) for part in parts))


class PreviewedForm(forms.Form):
    """A form that must be previewed before it is saved: the token proves the preview was seen."""

    previewed = forms.CharField(required=False, widget=forms.HiddenInput)

    def token(self) -> str:  # pragma: no cover - defined by subclasses
        raise NotImplementedError

    def was_previewed(self) -> bool:
        return self.is_valid() and self.cleaned_data.get("previewed") == self.token()

    def with_preview_token(self) -> "PreviewedForm":
        """A copy of the bound form carrying the token of what is previewed now (and the values
        as cleaned, so that e.g. a slug made from the title shows in its field)."""
        data = self.data.copy()
        for name, value in self.cleaned_data.items():
            if isinstance(value, str):
                data[name] = value
        data["previewed"] = self.token()
        return type(self)(data, **self._extra_kwargs())

    def _extra_kwargs(self) -> dict:
        return {}


class SOPCreateForm(PreviewedForm):
    title = forms.CharField(max_length=160)
    slug = forms.SlugField(
        max_length=80,
        required=False,
        help_text="The SOP's web address, /sops/this-slug/. Left empty, it is made from the title.",
    )
    summary = forms.CharField(
        max_length=300, required=False, help_text="One sentence: what the procedure is for."
    )
    applies_to_all = forms.BooleanField(
        required=False,
        label="Applies to every freelancer",
        help_text="Everyone with an active assignment must acknowledge it, whatever the task.",
    )
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 16}), help_text=BODY_HELP)

    field_order = ["title", "slug", "summary", "applies_to_all", "body", "previewed"]

    def clean_slug(self) -> str:
        title = self.cleaned_data.get("title")
        slug = self.cleaned_data.get("slug") or slugify(title or "")[:80]
        if not slug and not title:
            return ""  # the title's own error says what to do
        if not slug:
            raise forms.ValidationError(
                "Give a slug of letters, digits and hyphens: the title has none to make one from."
            )
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(f"“{slug}” is a page of its own: choose another slug.")
        if SOP.objects.filter(slug=slug).exists():
            raise forms.ValidationError(
                f"An SOP already uses the address “{slug}”: choose another."
            )
        return slug

    def clean_title(self) -> str:
        return self.cleaned_data["title"].strip()

    def clean_body(self) -> str:
        body = normalise_newlines(self.cleaned_data["body"])
        if not body.strip():
            raise forms.ValidationError("An SOP needs some text.")
        return body

    def token(self) -> str:
        data = self.cleaned_data
        return preview_token(
            data["title"], data["slug"], data["summary"], data["applies_to_all"], data["body"]
        )


class SOPPublishForm(PreviewedForm):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 18}), help_text=BODY_HELP)
    change_note = forms.CharField(
        max_length=300,
        help_text="What changed, in a sentence freelancers will read before acknowledging.",
    )
    material = forms.BooleanField(
        required=False,
        initial=True,
        label="Material change: freelancers must acknowledge this version",
        help_text="Untick only for a typo fix or rewording that changes nobody's work.",
    )

    field_order = ["body", "change_note", "material", "previewed"]

    def __init__(self, *args, latest: SOPVersion | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.latest = latest

    def _extra_kwargs(self) -> dict:
        return {"latest": self.latest}

    def clean_body(self) -> str:
        body = normalise_newlines(self.cleaned_data["body"])
        if not body.strip():
            raise forms.ValidationError("A version needs some text.")
        # Compared as the page shows them: leading and trailing blank lines do not count.
        if self.latest is not None and body.strip() == normalise_newlines(self.latest.body).strip():
            raise forms.ValidationError(
                f"This text is the same as version {self.latest.number}: change it first."
            )
        return body

    def token(self) -> str:
        data = self.cleaned_data
        return preview_token(data["body"], data["change_note"], data["material"])


class DiffForm(forms.Form):
    """Pick two versions of one SOP to compare."""

    a = forms.TypedChoiceField(
        coerce=int, label="From version", widget=forms.Select(attrs={"class": "form-select"})
    )
    b = forms.TypedChoiceField(
        coerce=int, label="To version", widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args, numbers: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(n, f"Version {n}") for n in numbers]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices


class AcknowledgeForm(forms.Form):
    """The freelancer's explicit statement, and the hash of the text the page showed them."""

    confirm = forms.BooleanField(
        required=True,
        error_messages={"required": "Tick the box to confirm that you have read it."},
    )
    content_sha256 = forms.CharField(
        max_length=64, min_length=64, widget=forms.HiddenInput, required=True
    )

    def __init__(self, *args, version: SOPVersion, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "confirm"
        ].label = (
            f"I have read version {version.number} of “{version.sop.title}” and will follow it."
        )
        self.fields["content_sha256"].initial = sha256_text(version.body)
