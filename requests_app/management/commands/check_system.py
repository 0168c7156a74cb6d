from django.core.management.base import BaseCommand, CommandError

from requests_app.system import apt_packages, missing_system_libraries


class Command(BaseCommand):
    help = "Check the system libraries PDF receipts need, and say how to install missing ones."

    def handle(self, *args, **options):
        missing = missing_system_libraries()
        if missing:
            raise CommandError(
                "PDF receipts need system libraries that are missing: "
                + ", ".join(missing)
                + "\nInstall them with:\n    sudo apt-get install "
                + " ".join(apt_packages("runtime"))
            )
        self.stdout.write("System libraries: ok")
