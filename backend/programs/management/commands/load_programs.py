from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backend.programs.catalog import CONTENT_DIR, ContentError, read_catalog
from backend.programs.flare import read_flare_plan
from backend.programs.services import catalog_load


class Command(BaseCommand):
    help = "Load the program catalog from its content files (idempotent: re-running changes nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--content-dir", type=Path, default=CONTENT_DIR)

    def handle(self, *args, content_dir: Path, **options) -> None:
        try:
            catalog = read_catalog(content_dir)
            read_flare_plan(content_dir)  # served beside the catalog: refused with it
        except ContentError as exc:
            raise CommandError(f"Program content is invalid: {exc}") from exc
        report = catalog_load(catalog=catalog)
        verbosity = options.get("verbosity", 1)
        if verbosity == 0:
            return
        for label, names in (
            ("created", report.created),
            ("updated", report.updated),
            ("retired", report.retired),
        ):
            for name in names:
                self.stdout.write(f"{label}: {name}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Programs loaded: {len(catalog.programs)} programs, {len(catalog.exercises)} exercises; "
                f"{len(report.created)} created, {len(report.updated)} updated, "
                f"{len(report.retired)} retired, {report.unchanged} unchanged."
            )
        )
