"""``python manage.py seed_demo``: a demo network that shows every feature.

Idempotent: every row has a natural key (a user's name, a freelancer's e-mail, a task's title, a
payment's note on its assignment…) and is created only when missing, so running it twice leaves the
same rows. Rows that exist are left as they are, including their dates: re-running next month
does not shift who was approved before being assigned. Numbers come from ``random.Random(seed)``.

Built with direct, bulk writes (the demo has a history, with dates, that the services would stamp
"now"), except acknowledgements, which go through ``sops.services.acknowledge`` so that the hash
chain is the real one. One full risk scan runs at the end.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from freelancers.access import OWNERS_GROUP
from freelancers.models import ClientReview, Freelancer, PortfolioItem, Skill, VettingDecision
from sops.models import SOP, Acknowledgment, SOPVersion
from sops.services import acknowledge, publish_sop_version

from ...models import Assignment, OversightEntry, Payment, RiskFlag, Task
from ...scanning import scan

User = get_user_model()

DEMO_PASSWORDS = {
    "owner": "demo-owner-pass",
    "admin": "demo-admin-pass",
    "ana": "demo-ana-pass",
    "ben": "demo-ben-pass",
}

SKILLS = {
    "copywriting": "Copywriting",
    "bookkeeping": "Bookkeeping",
    "web-development": "Web development",
    "graphic-design": "Graphic design",
    "seo": "SEO",
    "video-editing": "Video editing",
    "translation": "Translation",
    "customer-support": "Customer support",
}

# Vetting states: approved (days ago), override (approved although a rule was unmet),
# in_review, pending, rejected.
APPROVED, OVERRIDE, IN_REVIEW, PENDING, REJECTED = (
    "approved",
    "override",
    "in_review",
    "pending",
    "rejected",
)


@dataclass(frozen=True)
class FreelancerSpec:
    key: str
    name: str
    skills: tuple[str, ...]
    vetting: str
    approved_days_ago: int | None = None
    status: str = Freelancer.Status.ACTIVE
    headline: str = ""


FREELANCERS = [
    FreelancerSpec("ana", "Ana Souza", ("copywriting", "translation"), APPROVED, 300,
                   headline="Copywriter and EN/PT translator"),
    FreelancerSpec("ben", "Ben Carter", ("web-development", "seo"), APPROVED, 250,
                   headline="Full-stack developer with an eye for search"),
    FreelancerSpec("chloe", "Chloé Martin", ("graphic-design",), APPROVED, 320,
                   headline="Brand and print designer"),
    FreelancerSpec("dev", "Dev Patel", ("web-development",), APPROVED, 200,
                   headline="Django and performance"),
    FreelancerSpec("emma", "Emma Schultz", ("bookkeeping",), APPROVED, 340,
                   headline="Bookkeeper for small businesses"),
    FreelancerSpec("farid", "Farid Haddad", ("video-editing", "graphic-design"), APPROVED, 150,
                   headline="Video editor and motion designer"),
    FreelancerSpec("grace", "Grace Okafor", ("customer-support",), APPROVED, 280,
                   headline="Customer support lead"),
    FreelancerSpec("hiro", "Hiro Tanaka", ("translation",), APPROVED, 190,
                   headline="Translator: German, French, Dutch, Italian"),
    FreelancerSpec("ines", "Inês Costa", ("seo", "copywriting"), APPROVED, 45,
                   headline="SEO strategist"),
    FreelancerSpec("jonas", "Jonas Weber", ("bookkeeping",), APPROVED, 120,
                   headline="Accountant, payroll and VAT"),
    FreelancerSpec("kofi", "Kofi Mensah", ("web-development",), APPROVED, 30,
                   headline="Front-end and accessibility"),
    FreelancerSpec("lena", "Lena Novak", ("customer-support", "translation"), OVERRIDE, 100,
                   headline="Multilingual support agent"),
    FreelancerSpec("mateo", "Mateo Rossi", ("video-editing",), APPROVED, 210,
                   status=Freelancer.Status.PAUSED, headline="Documentary editor (on a break)"),
    FreelancerSpec("nadia", "Nadia Ivanova", ("graphic-design",), APPROVED, 330,
                   status=Freelancer.Status.OFFBOARDED, headline="Illustrator"),
    FreelancerSpec("oscar", "Oscar Lind", ("seo",), IN_REVIEW, headline="SEO and analytics"),
    FreelancerSpec("priya", "Priya Shah", ("bookkeeping",), IN_REVIEW,
                   headline="Bookkeeping and payroll"),
    FreelancerSpec("quinn", "Quinn Murphy", ("copywriting",), IN_REVIEW,
                   headline="B2B copywriter"),
    FreelancerSpec("rosa", "Rosa Jiménez", ("customer-support",), IN_REVIEW,
                   headline="Support agent, Spanish and English"),
    FreelancerSpec("sam", "Sam Taylor", ("web-development",), PENDING,
                   headline="Junior developer"),
    FreelancerSpec("tara", "Tara Byrne", ("video-editing",), PENDING,
                   headline="Video editor"),
    FreelancerSpec("umar", "Umar Khan", ("translation",), PENDING,
                   headline="Translator: Urdu, Arabic, English"),
    FreelancerSpec("vera", "Vera Horvat", ("graphic-design",), REJECTED,
                   headline="Designer"),
    FreelancerSpec("will", "Will Evans", ("seo",), REJECTED, headline="Growth hacker"),
    FreelancerSpec("xenia", "Xenia Popescu", ("copywriting", "seo"), APPROVED, 60,
                   headline="Content writer"),
    FreelancerSpec("yusuf", "Yusuf Demir", ("web-development", "graphic-design"), APPROVED, 170,
                   headline="Designer who codes"),
]  # fmt: skip

# Verified reviews (ratings) and whether the portfolio item was reviewed, for those whose
# evidence is meant to tell a story; approved freelancers otherwise get 2–3 good reviews.
EVIDENCE = {
    "lena": {"verified": (5,), "unverified": (4,), "portfolio_reviewed": True},
    "oscar": {"verified": (4, 5), "unverified": (), "portfolio_reviewed": False},
    "priya": {"verified": (3, 4), "unverified": (5,), "portfolio_reviewed": True},
    "quinn": {"verified": (5,), "unverified": (4,), "portfolio_reviewed": False},
    "rosa": {"verified": (5, 5), "unverified": (), "portfolio_reviewed": True},
    "sam": {"verified": (), "unverified": (4,), "portfolio_reviewed": False},
    "tara": {"verified": (), "unverified": (), "portfolio_reviewed": None},
    "umar": {"verified": (), "unverified": (5,), "portfolio_reviewed": None},
    "vera": {"verified": (2, 3), "unverified": (), "portfolio_reviewed": True},
    "will": {"verified": (2,), "unverified": (3,), "portfolio_reviewed": False},
}

CLIENTS = [
    "Harbour Bakery", "Northwind Tools", "Lumen Dental", "Blue Fern Studio", "Kestrel Legal",
    "Oak & Ivy Interiors", "Pioneer Cycles", "Saltmarsh Hotel", "Tandem Physio", "Vela Travel",
]  # fmt: skip

# SOPs and their versions: (number, days ago, material, change note, body).
SOPS = {
    "working-with-us": {
        "title": "Working with us",
        "summary": "How we brief, communicate, invoice and hand over work.",
        "applies_to_all": True,
        "required_by": (),
        "versions": [
            (1, 330, True, "First version",
             "# Working with us\n\n1. Confirm the brief in writing within one working day.\n"
             "2. Send a short status note every Friday.\n"
             "3. Invoice by e-mail at each milestone.\n"),
            (2, 35, True, "Invoices now go through the portal; replies within one working day",
             "# Working with us\n\n1. Confirm the brief in writing within one working day.\n"
             "2. Send a short status note every Friday.\n"
             "3. Answer messages within one working day.\n"
             "4. Invoice through the portal at each milestone; e-mailed invoices are not paid.\n"),
        ],
    },
    "brand-voice": {
        "title": "Brand voice and style",
        "summary": "Tone, words we use and avoid, and the visual basics.",
        "applies_to_all": False,
        "required_by": ("copywriting", "graphic-design"),
        "versions": [
            (1, 300, True, "First version",
             "# Brand voice\n\n- Plain words, short sentences.\n- We say *clients*, never "
             "*customers*.\n- Logo: never stretched, never on busy photos.\n"),
            (2, 90, True, "New colour palette and accessibility rules",
             "# Brand voice\n\n- Plain words, short sentences.\n- We say *clients*, never "
             "*customers*.\n- Logo: never stretched, never on busy photos.\n"
             "- Colours: the 2026 palette only; text contrast at least 4.5:1.\n"),
            (3, 10, False, "Typo fix",
             "# Brand voice\n\n- Plain words, short sentences.\n- We say *clients*, never "
             "*customers*.\n- Logo: never stretched, never on busy photographs.\n"
             "- Colours: the 2026 palette only; text contrast at least 4.5:1.\n"),
        ],
    },
    "delivering-code": {
        "title": "Delivering code",
        "summary": "Repositories, reviews and releases.",
        "applies_to_all": False,
        "required_by": ("web-development",),
        "versions": [
            (1, 260, True, "First version",
             "# Delivering code\n\n1. Work in our repository, on a branch per task.\n"
             "2. Every change is reviewed before it is merged.\n"
             "3. No client data on personal machines.\n"),
        ],
    },
    "client-data": {
        "title": "Handling client data",
        "summary": "What you may store, where, and for how long.",
        "applies_to_all": False,
        "required_by": ("bookkeeping", "customer-support", "translation"),
        "versions": [
            (1, 200, True, "First version",
             "# Handling client data\n\n- Store client files only in the shared drive.\n"
             "- Delete local copies when the task ends.\n"
             "- Report a lost device within 24 hours.\n"),
        ],
    },
    "old-invoicing": {
        "title": "Invoicing (old process)",
        "summary": "Replaced by the portal; kept for the record.",
        "applies_to_all": False,
        "archived": True,
        "required_by": (),
        "versions": [
            (1, 360, True, "First version",
             "# Invoicing\n\nE-mail a PDF invoice to accounts@ at each milestone.\n"),
        ],
    },
}  # fmt: skip

# Who acknowledged which version (the demo's acknowledgements go through the real service, in
# time order, so the hash chain is the real one). Ben has not acknowledged "Working with us" v2.
ACKNOWLEDGEMENTS = {
    ("working-with-us", 1): ("ana", "ben", "chloe", "dev", "emma", "farid", "grace", "hiro",
                             "jonas", "mateo", "nadia", "yusuf"),
    ("working-with-us", 2): ("ana", "chloe", "dev", "emma", "farid", "grace", "hiro", "jonas",
                             "lena", "xenia", "yusuf"),
    ("brand-voice", 1): ("ana", "chloe", "nadia", "yusuf"),
    ("brand-voice", 2): ("ana", "chloe", "xenia", "yusuf"),
    ("delivering-code", 1): ("ben", "dev", "yusuf"),
    ("client-data", 1): ("ana", "emma", "grace", "hiro", "jonas", "lena"),
}  # fmt: skip

DONE, IN_PROGRESS, OPEN, CANCELLED = (
    Task.Status.DONE,
    Task.Status.IN_PROGRESS,
    Task.Status.OPEN,
    Task.Status.CANCELLED,
)


@dataclass(frozen=True)
class TaskSpec:
    title: str
    skill: str | None
    status: str
    days_ago: int
    team: tuple[str, ...] = ()  # primary first, then backups
    core: bool = False
    overrun: bool = False  # paid over budget and heavy oversight: savings far below estimate
    early: bool = False  # the primary was assigned before their vetting finished


TASKS = [
    # Copywriting
    TaskSpec("Homepage copy refresh", "copywriting", DONE, 330, ("ana",)),
    TaskSpec("Spring newsletter series", "copywriting", DONE, 270, ("ana",)),
    TaskSpec("Product descriptions for the autumn range", "copywriting", DONE, 150, ("ana",)),
    TaskSpec("Case study: Harbour Bakery", "copywriting", DONE, 40, ("xenia",)),
    TaskSpec("Blog: ten questions clients ask", "copywriting", IN_PROGRESS, 20, ("ana", "xenia")),
    TaskSpec("Brand story rewrite", "copywriting", IN_PROGRESS, 25, ("ana",), core=True),
    TaskSpec("Landing page for the webinar", "copywriting", OPEN, 5),
    # Bookkeeping
    TaskSpec("Q1 bookkeeping close", "bookkeeping", DONE, 300, ("emma",)),
    TaskSpec("Q2 bookkeeping close", "bookkeeping", DONE, 210, ("emma",)),
    TaskSpec("Q3 bookkeeping close", "bookkeeping", DONE, 110, ("jonas",)),
    TaskSpec("VAT return preparation", "bookkeeping", DONE, 70, ("emma",), overrun=True),
    TaskSpec("Q4 bookkeeping close", "bookkeeping", IN_PROGRESS, 15, ("emma", "jonas")),
    TaskSpec("Expense policy clean-up", "bookkeeping", IN_PROGRESS, 30, ("jonas",)),
    TaskSpec("Year-end payroll reconciliation", "bookkeeping", OPEN, 3, ("priya",)),
    # Web development
    TaskSpec("Booking form integration", "web-development", DONE, 240, ("ben",)),
    TaskSpec("Website speed optimisation", "web-development", DONE, 180, ("dev",), overrun=True),
    TaskSpec("Client portal prototype", "web-development", DONE, 90, ("dev", "yusuf")),
    TaskSpec("Checkout bug fixes", "web-development", DONE, 50, ("ben",)),
    TaskSpec("Website accessibility audit", "web-development", IN_PROGRESS, 60, ("kofi",),
             early=True),
    TaskSpec("Online shop migration", "web-development", IN_PROGRESS, 35, ("ben", "dev")),
    TaskSpec("Invoice PDF generator", "web-development", IN_PROGRESS, 10, ("sam",)),
    TaskSpec("Order management system", "web-development", IN_PROGRESS, 45, ("ben", "yusuf"),
             core=True),
    # Graphic design
    TaskSpec("Logo refresh", "graphic-design", DONE, 350, ("nadia",)),
    TaskSpec("Trade show banner", "graphic-design", DONE, 280, ("chloe",)),
    TaskSpec("Spring campaign visuals", "graphic-design", DONE, 230, ("nadia",)),
    TaskSpec("Menu card redesign", "graphic-design", DONE, 140, ("chloe", "farid")),
    TaskSpec("Social media templates", "graphic-design", DONE, 95, ("yusuf",)),
    TaskSpec("Annual report layout", "graphic-design", IN_PROGRESS, 28, ("chloe",)),
    TaskSpec("Packaging mock-ups", "graphic-design", IN_PROGRESS, 12, ("chloe", "yusuf")),
    TaskSpec("Icon set for the app", "graphic-design", OPEN, 2),
    # SEO
    TaskSpec("Keyword research for the services pages", "seo", DONE, 245, ("ben",)),
    TaskSpec("Local SEO set-up", "seo", DONE, 130, ("ben",)),
    TaskSpec("Technical SEO audit", "seo", DONE, 75, ("ben",)),
    TaskSpec("Backlink outreach campaign", "seo", IN_PROGRESS, 90, ("ines",), early=True),
    TaskSpec("Content gap analysis", "seo", IN_PROGRESS, 20, ("oscar",)),
    TaskSpec("Monthly SEO reporting", "seo", IN_PROGRESS, 40, ("xenia", "ines")),
    # Video editing
    TaskSpec("Product demo video", "video-editing", DONE, 290, ("mateo",)),
    TaskSpec("Customer testimonial edits", "video-editing", DONE, 200, ("mateo",)),
    TaskSpec("Event highlights reel", "video-editing", DONE, 100, ("farid",), overrun=True),
    TaskSpec("Explainer video: how booking works", "video-editing", IN_PROGRESS, 30, ("farid",)),
    TaskSpec("Tutorial video series", "video-editing", OPEN, 8),
    # Translation
    TaskSpec("Website translation: German", "translation", DONE, 310, ("ana",)),
    TaskSpec("Website translation: French", "translation", DONE, 250, ("ana",)),
    TaskSpec("Terms and conditions translation", "translation", DONE, 140, ("hiro",)),
    TaskSpec("Brochure translation: Spanish", "translation", DONE, 60, ("lena",)),
    TaskSpec("Help centre translation: Dutch", "translation", IN_PROGRESS, 22, ("hiro", "lena")),
    TaskSpec("App strings translation: Italian", "translation", IN_PROGRESS, 14, ("hiro",)),
    TaskSpec("Contract translation: Portuguese", "translation", OPEN, 4),
    # Customer support
    TaskSpec("Holiday season support cover", "customer-support", DONE, 335, ("grace",)),
    TaskSpec("Support inbox triage (spring)", "customer-support", DONE, 240, ("grace",)),
    TaskSpec("FAQ rewrite", "customer-support", DONE, 170, ("grace",)),
    TaskSpec("Support inbox triage (autumn)", "customer-support", DONE, 80, ("lena",)),
    TaskSpec("Live chat cover", "customer-support", IN_PROGRESS, 50, ("grace", "lena"),
             overrun=True),
    TaskSpec("Complaints handling", "customer-support", IN_PROGRESS, 18, ("grace",), core=True),
    # No single skill
    TaskSpec("Market research summary", None, IN_PROGRESS, 16, ("xenia",)),
    TaskSpec("Supplier price comparison", None, DONE, 120, ("jonas",)),
    TaskSpec("Customer survey analysis", None, DONE, 45, ("hiro",)),
    TaskSpec("Pricing strategy review", None, OPEN, 6, core=True),
    TaskSpec("Podcast launch", "video-editing", CANCELLED, 150, ("farid",)),
    TaskSpec("Print catalogue", "graphic-design", CANCELLED, 60),
]  # fmt: skip

# Typical outsourced price per skill (low, high) and the in-house premium (low, high).
PRICES = {
    "copywriting": (400, 1200),
    "bookkeeping": (300, 900),
    "web-development": (1500, 6000),
    "graphic-design": (500, 2500),
    "seo": (600, 1800),
    "video-editing": (800, 3000),
    "translation": (200, 900),
    "customer-support": (800, 2000),
    None: (300, 1000),
}
HOURLY_RATES = {
    "copywriting": 45, "bookkeeping": 40, "web-development": 75, "graphic-design": 55,
    "seo": 60, "video-editing": 55, "translation": 35, "customer-support": 30,
}  # fmt: skip
CENT = Decimal("0.01")


def money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


class Command(BaseCommand):
    help = (
        "Create (or complete) the demo network: freelancers in every vetting state, tasks, SOPs, "
        "payments, oversight time, logins, and the risk flags of a full scan. Idempotent."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--with-demo-passwords",
            action="store_true",
            help="Give the demo logins known passwords (always on when DEBUG is on).",
        )
        parser.add_argument("--seed", type=int, default=2024, help="Random seed (default 2024).")

    def handle(self, *args, with_demo_passwords: bool = False, seed: int = 2024, **options):
        self.seed = seed
        self.now = timezone.now().replace(microsecond=0)
        passwords = with_demo_passwords or settings.DEBUG
        before = self._counts()
        with transaction.atomic():
            users = self._users(passwords)
            skills = self._skills()
            freelancers = self._freelancers(skills, users)
            sops = self._sops(freelancers, users["owner"])
            self._tasks(skills, freelancers, sops, users["owner"])
        after = self._counts()
        # Scan only when rows were added: a second run then changes nothing, not even the log
        # of scan runs (the periodic scan and `manage.py scan_risks` keep an existing demo fresh).
        scanned = after != before
        if scanned:
            scan()
        self._report(before, after, scanned, passwords)

    def _rng(self, *key) -> random.Random:
        """One generator per row, so a row's numbers do not depend on which others exist."""
        seed = ":".join(map(str, (self.seed, *key)))
        # Demo numbers, not secrets.
        return random.Random(seed)  # noqa: S311  # nosec B311

    # --- Users ----------------------------------------------------------------------------

    def _users(self, passwords: bool) -> dict:
        owners = Group.objects.get(name=OWNERS_GROUP)
        specs = {
            "owner": {"first_name": "Olivia", "last_name": "Owner", "email": "owner@example.com"},
            "admin": {
                "first_name": "Site",
                "last_name": "Admin",
                "email": "admin@example.com",
                "is_staff": True,
                "is_superuser": True,
            },
            "ana": {"first_name": "Ana", "last_name": "Souza", "email": "ana@example.com"},
            "ben": {"first_name": "Ben", "last_name": "Carter", "email": "ben@example.com"},
        }
        users = {}
        for username, defaults in specs.items():
            user, created = User.objects.get_or_create(username=username, defaults=defaults)
            if passwords:
                user.set_password(DEMO_PASSWORDS[username])
                user.save(update_fields=["password"])
            elif created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            users[username] = user
        users["owner"].groups.add(owners)
        return users

    # --- Skills and freelancers -----------------------------------------------------------

    def _skills(self) -> dict[str, Skill]:
        existing = {s.slug: s for s in Skill.objects.filter(slug__in=SKILLS)}
        missing = [
            Skill(slug=slug, name=name) for slug, name in SKILLS.items() if slug not in existing
        ]
        Skill.objects.bulk_create(missing)
        return {s.slug: s for s in Skill.objects.filter(slug__in=SKILLS)}

    def _freelancers(self, skills: dict[str, Skill], users: dict) -> dict[str, Freelancer]:
        now, owner = self.now, users["owner"]
        emails = {spec.key: f"{spec.key}@freelancers.example.com" for spec in FREELANCERS}
        existing = {f.email: f for f in Freelancer.objects.filter(email__in=list(emails.values()))}
        new, reviews, items, decisions, skill_links = [], [], [], [], []
        for index, spec in enumerate(FREELANCERS):
            if emails[spec.key] in existing:
                continue
            rng = self._rng("freelancer", spec.key)
            rate = money(HOURLY_RATES[spec.skills[0]] + rng.randint(-10, 15))
            approved_at = (
                now - datetime.timedelta(days=spec.approved_days_ago, hours=rng.randint(1, 8))
                if spec.approved_days_ago
                else None
            )
            created_at = (
                approved_at - datetime.timedelta(days=rng.randint(20, 40))
                if approved_at
                else now - datetime.timedelta(days=rng.randint(5, 40))
            )
            vetting = {
                APPROVED: Freelancer.Vetting.APPROVED,
                OVERRIDE: Freelancer.Vetting.APPROVED,
                IN_REVIEW: Freelancer.Vetting.IN_REVIEW,
                PENDING: Freelancer.Vetting.PENDING,
                REJECTED: Freelancer.Vetting.REJECTED,
            }[spec.vetting]
            freelancer = Freelancer(
                name=spec.name,
                email=emails[spec.key],
                headline=spec.headline,
                hourly_rate=rate,
                status=spec.status,
                vetting_status=vetting,
                vetting_completed_at=approved_at,
                created_at=created_at,
                user=users.get(spec.key),
            )
            new.append((spec, freelancer))
            # Evidence: reviews before the decision, a portfolio item, and the decision log.
            evidence = EVIDENCE.get(
                spec.key,
                {
                    "verified": tuple(rng.choice((4, 5, 5)) for _ in range(rng.randint(2, 3))),
                    "unverified": (),
                    "portfolio_reviewed": True,
                },
            )
            for n, rating in enumerate(evidence["verified"] + evidence["unverified"]):
                reviews.append(
                    ClientReview(
                        freelancer=freelancer,
                        client_name=CLIENTS[(index + n * 3) % len(CLIENTS)],
                        client_contact="office@client.example.com",
                        rating=rating,
                        comment=rng.choice(
                            [
                                "Delivered on time and asked the right questions.",
                                "Good work; needed a second round of edits.",
                                "Excellent communication throughout.",
                                "Solid, but slow to answer e-mails.",
                            ]
                        ),
                        received_on=(created_at - datetime.timedelta(days=30 * (n + 1))).date(),
                        verified=n < len(evidence["verified"]),
                    )
                )
            if evidence["portfolio_reviewed"] is not None:
                reviewed = evidence["portfolio_reviewed"]
                items.append(
                    PortfolioItem(
                        freelancer=freelancer,
                        title=f"{spec.name.split()[0]}'s {SKILLS[spec.skills[0]].lower()} work",
                        url=f"https://portfolio.example.com/{spec.key}",
                        description="Selected work for previous clients.",
                        reviewed_at=created_at + datetime.timedelta(days=5) if reviewed else None,
                        reviewed_by=owner if reviewed else None,
                        assessment=(
                            (
                                "Clear, careful work."
                                if spec.vetting != REJECTED
                                else "Below our bar."
                            )
                            if reviewed
                            else ""
                        ),
                        created_at=created_at,
                    )
                )
            if spec.vetting != PENDING:
                started = created_at + datetime.timedelta(days=3)
                decisions.append(
                    VettingDecision(
                        freelancer=freelancer,
                        decision=VettingDecision.Decision.STARTED,
                        decided_by=owner,
                        decided_at=started,
                    )
                )
            if spec.vetting in (APPROVED, OVERRIDE):
                override = spec.vetting == OVERRIDE
                decisions.append(
                    VettingDecision(
                        freelancer=freelancer,
                        decision=VettingDecision.Decision.APPROVED,
                        decided_by=owner,
                        decided_at=approved_at,
                        override=override,
                        reason=(
                            "Worked with her at a previous agency; urgent support cover needed.\n"
                            "Unmet at approval: At least 2 verified client reviews (1 verified)"
                            if override
                            else ""
                        ),
                    )
                )
            if spec.vetting == REJECTED:
                decisions.append(
                    VettingDecision(
                        freelancer=freelancer,
                        decision=VettingDecision.Decision.REJECTED,
                        decided_by=owner,
                        decided_at=created_at + datetime.timedelta(days=10),
                        reason="Verified reviews below our bar; portfolio did not match the brief.",
                    )
                )
            skill_links.extend((freelancer, skills[slug]) for slug in spec.skills)

        Freelancer.objects.bulk_create([f for _, f in new])
        for obj in (*reviews, *items, *decisions):
            obj.freelancer_id = obj.freelancer.pk
        ClientReview.objects.bulk_create(reviews)
        PortfolioItem.objects.bulk_create(items)
        VettingDecision.objects.bulk_create(decisions)
        Through = Freelancer.skills.through
        Through.objects.bulk_create(
            [Through(freelancer_id=f.pk, skill_id=s.pk) for f, s in skill_links]
        )
        by_email = {f.email: f for f in Freelancer.objects.filter(email__in=list(emails.values()))}
        result = {key: by_email[email] for key, email in emails.items()}
        # The portal logins stay linked even if the rows were created by an older seed.
        for key in ("ana", "ben"):
            if result[key].user_id is None:
                result[key].user = users[key]
                result[key].save(update_fields=["user"])
        return result

    # --- SOPs and acknowledgements --------------------------------------------------------

    def _sops(self, freelancers: dict[str, Freelancer], owner) -> dict[str, SOP]:
        now = self.now
        sops = {}
        events = []  # (when, order, kind, payload): publications and acknowledgements in time order
        for slug, spec in SOPS.items():
            sop, _ = SOP.objects.get_or_create(
                slug=slug,
                defaults={
                    "title": spec["title"],
                    "summary": spec["summary"],
                    "applies_to_all": spec["applies_to_all"],
                    "archived": spec.get("archived", False),
                    "created_at": now - datetime.timedelta(days=spec["versions"][0][1] + 1),
                },
            )
            sops[slug] = sop
            for number, days_ago, material, note, body in spec["versions"]:
                published_at = now - datetime.timedelta(days=days_ago)
                events.append((published_at, 0, "publish", (sop, number, material, note, body)))
                ack_keys = ACKNOWLEDGEMENTS.get((slug, number), ())
                for position, key in enumerate(ack_keys):
                    # Each freelancer reads it a few days after publication (or after approval).
                    freelancer = freelancers[key]
                    start = max(published_at, freelancer.vetting_completed_at or published_at)
                    when = start + datetime.timedelta(days=1 + position % 9, hours=position)
                    when = min(when, now - datetime.timedelta(hours=1 + position))
                    events.append((when, 1, "ack", (freelancer, sop, number)))

        events.sort(key=lambda e: (e[0], e[1]))
        existing_versions = {
            (v.sop_id, v.number): v
            for v in SOPVersion.objects.filter(sop__in=sops.values()).select_related("sop")
        }
        acked = set(
            Acknowledgment.objects.filter(version__sop__in=sops.values()).values_list(
                "freelancer_id", "version__sop_id", "version__number"
            )
        )
        agents = ["Mozilla/5.0 (Macintosh)", "Mozilla/5.0 (Windows NT 10.0)", "Mozilla/5.0 (X11)"]
        for when, _, kind, payload in events:
            if kind == "publish":
                sop, number, material, note, body = payload
                if (sop.pk, number) in existing_versions:
                    continue
                version = publish_sop_version(
                    sop, body=body, change_note=note, by=owner, material=material
                )
                # The demo has a history: date the publication in the past.
                SOPVersion.objects.filter(pk=version.pk).update(published_at=when)
                existing_versions[(sop.pk, number)] = version
            else:
                freelancer, sop, number = payload
                if (freelancer.pk, sop.pk, number) in acked:
                    continue
                version = existing_versions[(sop.pk, number)]
                current = sop.current_version
                if current is None or current.pk != version.pk:
                    continue  # only the version to acknowledge can be acknowledged
                # acknowledge() stamps "now"; the demo's acknowledgements happened in the past.
                with mock.patch("django.utils.timezone.now", return_value=when):
                    acknowledge(
                        freelancer,
                        version,
                        ip_address=f"198.51.100.{freelancer.pk % 250 + 1}",
                        user_agent=agents[freelancer.pk % len(agents)],
                    )
                acked.add((freelancer.pk, sop.pk, number))
        return sops

    # --- Tasks, assignments, payments, oversight ------------------------------------------

    def _tasks(self, skills, freelancers, sops, owner) -> None:
        now = self.now
        existing = set(
            Task.objects.filter(title__in=[t.title for t in TASKS]).values_list("title", flat=True)
        )
        new_tasks, plans = [], []
        for spec in TASKS:
            if spec.title in existing:
                continue
            rng = self._rng("task", spec.title)
            low, high = PRICES[spec.skill]
            budget = money(rng.randint(low // 50, high // 50) * 50)
            premium = rng.uniform(1.05, 1.25) if spec.overrun else rng.uniform(1.4, 2.1)
            estimate = money(round(float(budget) * premium / 50) * 50)
            created_at = now - datetime.timedelta(days=spec.days_ago, hours=rng.randint(0, 8))
            duration = rng.randint(14, 45)
            task = Task(
                title=spec.title,
                description=f"{spec.title}. Brief, files and contacts are in the shared drive.",
                skill=skills.get(spec.skill) if spec.skill else None,
                is_core=spec.core,
                status=spec.status,
                budget=budget,
                in_house_estimate=estimate,
                due_on=(created_at + datetime.timedelta(days=duration)).date(),
                created_at=created_at,
            )
            new_tasks.append(task)
            plans.append((spec, task, duration))
        Task.objects.bulk_create(new_tasks)

        Required = Task.required_sops.through
        required = []
        for spec, task, _ in plans:
            required.extend(
                Required(task_id=task.pk, sop_id=sop.pk)
                for slug, sop in sops.items()
                if spec.skill in SOPS[slug]["required_by"]
            )
        Required.objects.bulk_create(required)

        assignments, money_plans = [], []
        for spec, task, duration in plans:
            finished = spec.status in (DONE, CANCELLED)
            for position, key in enumerate(spec.team):
                freelancer = freelancers[key]
                assigned_at = task.created_at + datetime.timedelta(days=1 + position)
                approved_at = freelancer.vetting_completed_at
                if approved_at and not spec.early and assigned_at <= approved_at:
                    assigned_at = approved_at + datetime.timedelta(days=1)
                ended_at = None
                if finished or freelancer.status == Freelancer.Status.OFFBOARDED:
                    ended_at = min(
                        assigned_at + datetime.timedelta(days=duration),
                        now - datetime.timedelta(days=1),
                    )
                    ended_at = max(ended_at, assigned_at)
                assignment = Assignment(
                    task=task,
                    freelancer=freelancer,
                    role=Assignment.Role.PRIMARY if position == 0 else Assignment.Role.BACKUP,
                    assigned_at=assigned_at,
                    ended_at=ended_at,
                )
                assignments.append(assignment)
                money_plans.append((spec, task, assignment, position))
        Assignment.objects.bulk_create(assignments)

        payments = []
        for spec, task, assignment, position in money_plans:
            payments.extend(self._payments_for(spec, task, assignment, position))
        Payment.objects.bulk_create(payments)

        entries = []
        for spec, task, duration in plans:
            entries.extend(self._oversight_for(spec, task, duration, owner))
        OversightEntry.objects.bulk_create(entries)

    def _payments_for(self, spec: TaskSpec, task: Task, assignment: Assignment, position: int):
        """Backups get a small retainer; primaries are paid in milestones up to (or past) budget."""
        rng = self._rng("payments", spec.title, position)
        start = assignment.assigned_at.date()
        end = (assignment.ended_at or self.now).date()
        span = max((end - start).days, 1)
        if position > 0:
            share = 0.1
        elif spec.status == DONE:
            share = rng.uniform(1.25, 1.45) if spec.overrun else rng.uniform(0.9, 1.05)
        elif spec.status == IN_PROGRESS:
            share = rng.uniform(0.9, 1.2) if spec.overrun else rng.uniform(0.3, 0.5)
        elif spec.status == CANCELLED:
            share = 0.2
        else:
            return []
        total = float(task.budget) * share
        if position > 0:
            parts = ["Backup retainer"]
        elif spec.status == DONE:
            parts = ["Deposit", "Milestone", "Final invoice"][: rng.randint(2, 3)]
            if len(parts) == 2:
                parts[1] = "Final invoice"
        elif spec.status == CANCELLED:
            parts = ["Cancellation fee"]
        else:
            parts = ["Deposit", "Milestone"] if spec.overrun else ["Deposit"]
        weights = [rng.uniform(0.6, 1.4) for _ in parts]
        paid = []
        for index, (note, weight) in enumerate(zip(parts, weights, strict=True)):
            amount = money(total * weight / sum(weights))
            # Work in progress was paid up front; finished work at each milestone and the end.
            step = index + 1 if spec.status == DONE else index
            day = start + datetime.timedelta(days=round(span * step / len(parts)))
            paid.append(
                Payment(
                    assignment=assignment,
                    amount=max(amount, CENT),
                    paid_on=min(day, self.now.date()),
                    note=note,
                )
            )
        return paid

    def _oversight_for(self, spec: TaskSpec, task: Task, duration: int, owner):
        """The owner's own time: briefings and reviews; much more of it on tasks that overran."""
        if not spec.team or spec.status == OPEN:
            return []
        rng = self._rng("oversight", spec.title)
        count = rng.randint(7, 10) if spec.overrun else rng.randint(2, 5)
        choices = (60, 90, 120, 150, 180) if spec.overrun else (15, 20, 30, 45, 60)
        labels = ("Briefing", "Check-in", "Review round", "Fixing a misunderstanding")
        start = task.created_at.date()
        last = min(start + datetime.timedelta(days=duration), self.now.date())
        span = max((last - start).days, 1)
        return [
            OversightEntry(
                task=task,
                minutes=rng.choice(choices),
                logged_on=start + datetime.timedelta(days=round(span * n / count)),
                note=f"{labels[0] if n == 0 else rng.choice(labels[1:])} #{n + 1}",
                logged_by=owner,
            )
            for n in range(count)
        ]

    # --- Scan and report ------------------------------------------------------------------

    @staticmethod
    def _counts() -> dict[str, int]:
        models = (
            User, Skill, Freelancer, ClientReview, PortfolioItem, VettingDecision, SOP,
            SOPVersion, Acknowledgment, Task, Assignment, Payment, OversightEntry,
        )  # fmt: skip
        return {str(model._meta.verbose_name_plural): model.objects.count() for model in models}

    def _report(self, before, after, scanned: bool, passwords: bool) -> None:
        created = {name: after[name] - before[name] for name in after}
        if any(created.values()):
            parts = ", ".join(f"{n} {name}" for name, n in created.items() if n)
            self.stdout.write(self.style.SUCCESS(f"Demo network created: {parts}."))
        else:
            self.stdout.write(self.style.SUCCESS("Demo network already complete: nothing added."))
        open_flags = (
            RiskFlag.objects.filter(resolved_at__isnull=True)
            .values_list("kind")
            .annotate(n=Count("id"))
            .order_by("kind")
        )
        kinds = ", ".join(f"{n} {kind}" for kind, n in open_flags) or "none"
        self.stdout.write(f"{'Risk scan done. ' if scanned else ''}Open flags: {kinds}.")

        if passwords:
            rows = [
                ("Owner", "owner", DEMO_PASSWORDS["owner"], "/"),
                ("Freelancer", "ana", DEMO_PASSWORDS["ana"], "/portal/"),
                ("Freelancer", "ben", DEMO_PASSWORDS["ben"], "/portal/"),
                ("Admin", "admin", DEMO_PASSWORDS["admin"], "/ and /admin/"),
            ]
            lines = ["Demo logins (at /accounts/login/)", ""]
            lines += [f"{role:<11} {user:<6} {pw:<16} -> {home}" for role, user, pw, home in rows]
            width = max(len(line) for line in lines)
            border = "+" + "-" * (width + 2) + "+"
            self.stdout.write(border)
            for line in lines:
                self.stdout.write(f"| {line:<{width}} |")
            self.stdout.write(border)
        else:
            self.stdout.write(
                "Logins owner, ana, ben and admin exist without a usable password. Set one with "
                "`python manage.py changepassword <username>`, or re-run with "
                "--with-demo-passwords on a development machine."
            )
