from django.core.management.base import BaseCommand, CommandError

from requests_app.system import APT_PACKAGES, missing_system_libraries


class Command(BaseCommand):
    help = "Check the system libraries PDF receipts need, and say how to install missing ones."

    def handle(self, *args, **options):
        missing = missing_system_libraries()
        if missing:
            raise CommandError(
                "PDF receipts need system libraries that are missing: "
                + ", ".join(missing)
                + f"\nInstall them with:\n    sudo apt-get install {APT_PACKAGES}"
            )
        self.stdout.write("System libraries: ok")
