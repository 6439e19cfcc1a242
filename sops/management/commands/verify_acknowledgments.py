"""Re-compute the acknowledgement hash chain and name every record that does not match."""

from django.core.management.base import BaseCommand, CommandError

from sops.selectors import verify_acknowledgment_chain


class Command(BaseCommand):
    help = (
        "Check every SOP acknowledgement: the chain of hashes, each record's own hash and the "
        "hash of the text it acknowledged. Exits 1 naming every bad record, 0 when all is well."
    )

    def handle(self, *args, **options) -> None:
        report = verify_acknowledgment_chain()
        if report.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{report.checked} acknowledgement{'s' if report.checked != 1 else ''} "
                    "verified: the chain is intact."
                )
            )
            return
        for problem in report.problems:
            self.stderr.write(str(problem))
        raise CommandError(
            f"{len(report.problems)} of {report.checked} acknowledgements fail verification.",
            returncode=1,
        )
