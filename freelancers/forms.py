"""Forms of the owner pages about freelancers. They validate input and keep what was typed; the
writes happen in ``freelancers.services``."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from .access import OWNERS_GROUP
from .models import ClientReview, Freelancer
from .validators import validate_portfolio_upload

ACCEPTED_UPLOADS = ".pdf,.png,.jpg,.jpeg,.webp,application/pdf,image/png,image/jpeg,image/webp"


class PortalLoginField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.get_username()} ({obj.email})" if obj.email else obj.get_username()


class FreelancerForm(forms.ModelForm):
    """Create and edit a profile. Vetting is not a field: it changes only through the vetting
    actions, so a posted ``vetting_status`` is ignored. Offboarding has its own action too."""

    hourly_rate = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
        label="Hourly rate",
        help_text="What they charge per hour, if they work by the hour.",
        error_messages={"min_value": "The hourly rate cannot be negative."},
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )

    class Meta:
        model = Freelancer
        fields = ["name", "email", "headline", "skills", "hourly_rate", "status", "user"]
        widgets = {"skills": forms.CheckboxSelectMultiple}
        labels = {"user": "Portal login", "headline": "Headline"}
        help_texts = {
            "headline": "One line on what they do best.",
            "skills": "The kinds of work they can take; approved freelancers form each skill's "
            "bench.",
            "user": "Optional: the login they use to see their work and acknowledge SOPs.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        self.fields["name"].widget.attrs.update({"autocomplete": "off", "autofocus": True})
        self.fields["skills"].queryset = self.fields["skills"].queryset.order_by("name")
        # Offboarding is an action with its own checks; only an offboarded freelancer can be
        # brought back from here.
        if instance.status != Freelancer.Status.OFFBOARDED:
            self.fields["status"].choices = [
                c for c in Freelancer.Status.choices if c[0] != Freelancer.Status.OFFBOARDED
            ]
        users = (
            get_user_model()
            .objects.filter(is_staff=False, is_superuser=False, is_active=True)
            .exclude(groups__name=OWNERS_GROUP)
        )
        free = Q(freelancer__isnull=True)
        if instance.pk:
            free |= Q(freelancer=instance)
        self.fields["user"] = PortalLoginField(
            queryset=users.filter(free).order_by("username"),
            required=False,
            empty_label="No portal login",
            label="Portal login",
            help_text=self.Meta.help_texts["user"],
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("name", css_class="col-md-6"), Column("email", css_class="col-md-6")),
            "headline",
            Row(
                Column("hourly_rate", css_class="col-sm-6"),
                Column("status", css_class="col-sm-6"),
            ),
            Field("skills", wrapper_class="skill-checkboxes"),
            "user",
        )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        others = Freelancer.objects.filter(email__iexact=email)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(
                "A freelancer with this email address already exists (addresses are compared "
                "without regard to upper and lower case)."
            )
        return email

    def profile_data(self) -> dict:
        """The cleaned values as keyword arguments of the profile services."""
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name != "skills"}
        return {"skills": list(self.cleaned_data["skills"]), **data}


class ReviewForm(forms.ModelForm):
    class Meta:
        model = ClientReview
        fields = ["client_name", "client_contact", "rating", "received_on", "comment"]
        labels = {"client_name": "Client", "received_on": "Received on"}
        help_texts = {"rating": ""}
        widgets = {
            "rating": forms.Select(
                choices=[("", "Choose…")] + [(n, f"{n} / 5") for n in range(5, 0, -1)]
            ),
            "received_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "comment": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].error_messages.update(
            {
                "min_value": "The rating goes from 1 to 5.",
                "max_value": "The rating goes from 1 to 5.",
                "required": "Choose a rating from 1 to 5.",
            }
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(
                Column("client_name", css_class="col-md-6"),
                Column("client_contact", css_class="col-md-6"),
            ),
            Row(
                Column("rating", css_class="col-sm-6"),
                Column("received_on", css_class="col-sm-6"),
            ),
            "comment",
        )

    def clean_received_on(self):
        received_on = self.cleaned_data["received_on"]
        if received_on and received_on > timezone.localdate():
            raise forms.ValidationError("A review cannot come from the future.")
        return received_on

    def review_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PortfolioItemForm(forms.Form):
    title = forms.CharField(max_length=160)
    url = forms.URLField(
        required=False,
        max_length=500,
        label="Link",
        assume_scheme="https",
        help_text="Where the work can be seen.",
    )
    file = forms.FileField(
        required=False,
        label="File",
        help_text="PDF, PNG, JPEG or WebP, at most 10 MB. Checked by content, not by name.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_UPLOADS}),
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            validate_portfolio_upload(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("url") and not cleaned.get("file") and not self.errors:
            raise forms.ValidationError("Give a link to the work, a file, or both.")
        return cleaned


class PortfolioReviewForm(forms.Form):
    assessment = forms.CharField(
        label="Your assessment",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Write what you concluded from the work."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ApproveForm(forms.Form):
    override_reason = forms.CharField(
        required=False,
        label="Why approve although rules are unmet?",
        help_text="Only needed when the checklist is not complete; it is kept in the log.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Why reject?",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the freelancer is rejected."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class OffboardForm(forms.Form):
    confirm = forms.BooleanField(
        label="Yes, offboard this freelancer",
        error_messages={"required": "Tick the box to confirm."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
