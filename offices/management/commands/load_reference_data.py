from django.core.management.base import BaseCommand

from offices.services import reference_data_load


class Command(BaseCommand):
    help = (
        "Load the regions, offices, indicators, counterparts and targets shipped with the "
        "project. Safe to run twice: nothing is duplicated."
    )

    def handle(self, *args, **options) -> None:
        result = reference_data_load()
        for model in sorted(set(result.created) | set(result.updated)):
            self.stdout.write(
                f"{model}: {result.created.get(model, 0)} created, "
                f"{result.updated.get(model, 0)} already present"
            )
        self.stdout.write(self.style.SUCCESS("Reference data is up to date."))
