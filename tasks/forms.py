"""Forms of the owner's task and flag pages. They validate input; the services in
``tasks.services`` do the writing."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils import timezone

from freelancers.models import Freelancer
from sops.models import SOP

from .models import Assignment, Task
from .selectors import Candidates

NEGATIVE_MONEY = "Enter an amount of zero or more: money cannot be negative."
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def past_date_field(label: str, *, future: str) -> forms.DateField:
    """A date that has happened: today by default, refused (with ``future``) when ahead."""

    def not_in_the_future(value):
        if value > timezone.localdate():
            raise forms.ValidationError(future)

    return forms.DateField(
        label=label,
        widget=DATE_INPUT,
        initial=timezone.localdate,
        validators=[not_in_the_future],
        error_messages={"invalid": "Enter a real date (YYYY-MM-DD)."},
    )


def money_field(
    label: str, help_text: str = "", *, minimum: str = "0", message: str = NEGATIVE_MONEY
):
    return forms.DecimalField(
        label=label,
        min_value=Decimal(minimum),
        max_digits=12,
        decimal_places=2,
        help_text=help_text,
        error_messages={"min_value": message},
        widget=forms.NumberInput(attrs={"step": "0.01", "min": minimum, "inputmode": "decimal"}),
    )


class TaskForm(forms.ModelForm):
    """Create or edit a task. Money never goes below zero; SOPs are ticked, archived ones hidden."""

    budget = money_field("Budget", "The agreed outsourced price.")
    in_house_estimate = money_field("In-house estimate", "What the same work would cost in-house.")
    due_on = forms.DateField(
        label="Due date",
        required=False,
        widget=DATE_INPUT,
        error_messages={"invalid": "Enter a real date (YYYY-MM-DD)."},
    )

    class Meta:
        model = Task
        fields = [
            "title",
            "description",
            "skill",
            "is_core",
            "status",
            "budget",
            "in_house_estimate",
            "due_on",
            "required_sops",
        ]
        labels = {"is_core": "Core task", "required_sops": "Required SOPs"}
        help_texts = {
            "required_sops": "Freelancers on this task must acknowledge these procedures.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "required_sops": forms.CheckboxSelectMultiple,
        }
        error_messages = {"title": {"required": "Give the task a title."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skill"].empty_label = "— no particular skill —"
        chosen = self.instance.required_sops.all() if self.instance.pk else SOP.objects.none()
        self.fields["required_sops"].queryset = (
            SOP.objects.filter(archived=False) | SOP.objects.filter(pk__in=chosen.values("pk"))
        ).order_by("title")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "title",
            "description",
            Row(Column("skill", css_class="col-sm-6"), Column("status", css_class="col-sm-6")),
            "is_core",
            Row(
                Column("budget", css_class="col-sm-4"),
                Column("in_house_estimate", css_class="col-sm-4"),
                Column("due_on", css_class="col-sm-4"),
            ),
            "required_sops",
        )

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("Give the task a title.")
        return title

    def service_fields(self) -> dict:
        """The cleaned fields as ``create_task``/``update_task`` take them."""
        data = dict(self.cleaned_data)
        data.pop("required_sops", None)
        return data


class FreelancerChoiceField(forms.ModelChoiceField):
    """Labels each candidate with vetting status and load, so the picker warns at a glance."""

    def label_from_instance(self, obj: Freelancer) -> str:
        vetting = (
            "approved"
            if obj.is_approved
            else f"NOT VETTED ({obj.get_vetting_status_display().lower()})"
        )
        load = getattr(obj, "active_tasks", None)
        busy = f" · {load} live task{'s' if load != 1 else ''}" if load is not None else ""
        return f"{obj.name} — {vetting}{busy}"


class AssignmentForm(forms.Form):
    """Add a primary or a backup to a task.

    An unvetted freelancer or a core task needs a second, confirmed submit: the owner may go ahead,
    and the scan queued after commit raises the flag that keeps the decision visible.
    """

    freelancer = FreelancerChoiceField(
        queryset=Freelancer.objects.none(),
        empty_label="Choose a freelancer…",
        error_messages={
            "invalid_choice": "Choose an active freelancer: paused or offboarded ones take no work."
        },
    )
    role = forms.ChoiceField(choices=Assignment.Role.choices, initial=Assignment.Role.BACKUP)
    confirm = forms.BooleanField(
        required=False, label="I understand the risk and want to assign anyway."
    )

    def __init__(self, *args, task: Task, candidates: Candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.task = task
        self.candidates = candidates
        field = self.fields["freelancer"]
        # Anyone active validates, so that picking someone already on the task gets the clear
        # "already works on this task" message below rather than "not a valid choice".
        field.queryset = Freelancer.objects.filter(status=Freelancer.Status.ACTIVE)
        field.choices = self._grouped_choices()
        self.warnings: list[str] = []

    def _grouped_choices(self):
        """Optgroups: candidates with the task's skill first, then everyone else active."""
        label = self.fields["freelancer"].label_from_instance
        people = self.candidates.freelancers
        with_skill = [(c.pk, label(c)) for c in people if c.has_skill]
        others = [(c.pk, label(c)) for c in people if not c.has_skill]
        choices: list = [("", "Choose a freelancer…")]
        if self.task.skill_id:
            choices.append((f"With {self.task.skill.name}", with_skill or [("", "— nobody —")]))
            choices.append(("Other active freelancers", others))
        else:
            choices.extend(others)
        return choices

    def clean(self):
        cleaned = super().clean()
        freelancer = cleaned.get("freelancer")
        if freelancer is None:
            return cleaned
        if self.task.assignments.filter(freelancer=freelancer, ended_at__isnull=True).exists():
            self.add_error("freelancer", f"{freelancer.name} already works on this task.")
            return cleaned
        if not freelancer.is_approved:
            self.warnings.append(
                f"{freelancer.name} has not passed vetting "
                f"({freelancer.get_vetting_status_display().lower()}). Assigning now raises an "
                "“assigned before vetting” flag."
            )
        if self.task.is_core:
            self.warnings.append(
                "This is a core task: it should stay in-house. Assigning it raises a "
                "“core task outsourced” flag."
            )
        if self.warnings and not cleaned.get("confirm"):
            self.add_error("confirm", "Tick this box to assign anyway.")
        return cleaned

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.warnings)


class PaymentForm(forms.Form):
    """Money paid for one assignment."""

    amount = money_field("Amount", minimum="0.01", message="Enter an amount greater than zero.")
    paid_on = past_date_field("Paid on", future="A payment cannot be dated in the future.")
    note = forms.CharField(max_length=200, required=False)


class OversightForm(forms.Form):
    """The owner's own time on a task."""

    minutes = forms.IntegerField(
        label="Minutes",
        min_value=1,
        max_value=24 * 60,
        error_messages={
            "min_value": "Enter at least one minute.",
            "max_value": "Enter at most 1,440 minutes (one day) per entry.",
        },
        widget=forms.NumberInput(attrs={"min": 1, "step": 1, "inputmode": "numeric"}),
    )
    logged_on = past_date_field("On", future="Time cannot be logged in the future.")
    note = forms.CharField(max_length=200, required=False)


class DismissFlagForm(forms.Form):
    """Dismissing a flag is a decision: it needs a note saying why."""

    note = forms.CharField(
        label="Why dismiss this flag?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Write a note saying why you dismiss this flag."},
    )
