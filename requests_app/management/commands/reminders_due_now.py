from django.core.management.base import BaseCommand, CommandError

from requests_app.choices import Status
from requests_app.models import DeletionRequest
from requests_app.services.outbox import reminder_due_now


class Command(BaseCommand):
    help = (
        "Make a request's next pending reminder due now, so that the worker sends it at once: "
        "to watch a reminder arrive in the development outbox (/dev/outbox/)."
    )

    def add_arguments(self, parser):
        parser.add_argument("reference", help="the request's reference, e.g. LO-7K2M-9QXD (shown on its page)")

    def handle(self, *args, reference: str, **options):
        reference = reference.strip().upper()
        request = DeletionRequest.objects.filter(reference=reference).first()
        if request is None:
            raise CommandError(f"No request has the reference {reference}.")
        if request.status == Status.ERASED:
            raise CommandError(f"{reference} was erased: it gets no more email.")
        was = reminder_due_now(request=request)
        if was is None:
            hint = (
                " Reminders start once the address is confirmed: open the confirmation email in the outbox."
                if request.email_confirmed_at is None
                else " Its reminders were sent, cancelled or turned off."
            )
            raise CommandError(f"{reference} has no pending reminder.{hint}")
        self.stdout.write(
            f'The reminder "{was.get_kind_display()}" of {reference} (due {was.due_at:%Y-%m-%d %H:%M} UTC) '
            "is due now: a running worker sends it within seconds, the sweep within a minute."
        )
