"""Reads about freelancers: the vetting checklist and the bench of each skill."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Avg, Count, Q, QuerySet

from .models import Freelancer, Skill


@dataclass(frozen=True)
class VettingRule:
    """One rule of the vetting checklist, as shown to the owner and named in VettingIncomplete."""

    code: str
    label: str
    met: bool
    detail: str


def vetting_checklist(freelancer: Freelancer) -> list[VettingRule]:
    """The vetting rules of settings and whether this freelancer meets each (two queries)."""
    reviews = freelancer.reviews.filter(verified=True).aggregate(n=Count("id"), avg=Avg("rating"))
    reviewed_items = freelancer.portfolio_items.filter(reviewed_at__isnull=False).count()
    min_reviews = settings.VETTING_MIN_REVIEWS
    min_rating = Decimal(settings.VETTING_MIN_AVERAGE_RATING)
    min_items = settings.VETTING_MIN_PORTFOLIO_ITEMS
    average = Decimal(str(reviews["avg"])).quantize(Decimal("0.01")) if reviews["avg"] else None
    return [
        VettingRule(
            code="reviews",
            label=f"At least {min_reviews} verified client reviews",
            met=reviews["n"] >= min_reviews,
            detail=f"{reviews['n']} verified",
        ),
        VettingRule(
            code="rating",
            label=f"Average verified rating of at least {min_rating}",
            met=average is not None and average >= min_rating,
            detail=f"average {average}" if average is not None else "no verified reviews",
        ),
        VettingRule(
            code="portfolio",
            label=f"At least {min_items} reviewed portfolio item{'s' if min_items != 1 else ''}",
            met=reviewed_items >= min_items,
            detail=f"{reviewed_items} reviewed",
        ),
    ]


def skills_with_bench() -> QuerySet[Skill]:
    """Every skill annotated with ``bench``: active, approved freelancers who have it."""
    return Skill.objects.annotate(
        bench=Count(
            "freelancers",
            filter=Q(
                freelancers__status=Freelancer.Status.ACTIVE,
                freelancers__vetting_status=Freelancer.Vetting.APPROVED,
            ),
        )
    ).order_by("name")
