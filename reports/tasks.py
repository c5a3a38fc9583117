"""Background jobs of the reports app (Celery; eager under `make run` and in tests)."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def generate_published_report(report_id: int) -> None:
    services.report_generate(report_id=report_id)
