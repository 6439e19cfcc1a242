"""``python manage.py scan_risks``: run the risk scan in-process and print what it did, per kind."""

from django.core.management.base import BaseCommand

from tasks.models import RiskFlag
from tasks.scanning import scan


class Command(BaseCommand):
    help = (
        "Make the open risk flags match the rules (the whole network, or --task ids) and print, "
        "per kind, how many flags were raised, are open and were cleared."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--task",
            type=int,
            action="append",
            dest="task_ids",
            metavar="ID",
            help="scan only this task (repeat for several); default: the whole network",
        )

    def handle(self, *args, task_ids=None, **options):
        result = scan(task_ids=task_ids)
        labels = dict(RiskFlag.Kind.choices)
        width = max(len(label) for label in labels.values())
        self.stdout.write(f"{'kind':<{width}}  {'raised':>7}  {'open':>7}  {'cleared':>7}")
        self.stdout.write(f"{'-' * width}  {'-' * 7}  {'-' * 7}  {'-' * 7}")
        totals = {"raised": 0, "open": 0, "cleared": 0}
        for kind, label in labels.items():
            row = result.counts.get(kind, {})
            for key in totals:
                totals[key] += row.get(key, 0)
            self.stdout.write(
                f"{label:<{width}}  {row.get('raised', 0):>7}  {row.get('open', 0):>7}  "
                f"{row.get('cleared', 0):>7}"
            )
        self.stdout.write(f"{'-' * width}  {'-' * 7}  {'-' * 7}  {'-' * 7}")
        self.stdout.write(
            f"{'total':<{width}}  {totals['raised']:>7}  {totals['open']:>7}  "
            f"{totals['cleared']:>7}"
        )
        scope = "the whole network" if task_ids is None else f"{len(task_ids)} task(s)"
        self.stdout.write(
            self.style.SUCCESS(
                f"Scanned {scope} ({result.tasks_scanned} tasks) in {result.seconds:.2f} s; "
                f"{result.refreshed} flags still hold."
            )
        )
