from django.core.management.base import BaseCommand, CommandError

from requests_app.system import apt_install_command, apt_packages, missing_packages, missing_system_libraries


class Command(BaseCommand):
    help = "Check the system packages LinkedOut needs to run, and say how to install missing ones."

    def handle(self, *args, **options):
        missing = missing_system_libraries()
        if missing:
            raise CommandError(
                "PDF receipts need system libraries that are missing: "
                + ", ".join(missing)
                + "\nInstall them with:\n    "
                + apt_install_command(apt_packages("runtime"))
            )
        # Without the fonts receipts still render, with boxes for some scripts.
        others = missing_packages("runtime")
        if others:
            self.stderr.write(
                "Some system packages are missing: "
                + ", ".join(others)
                + "\nInstall them with:\n    "
                + apt_install_command(others)
            )
        self.stdout.write("System libraries: ok")
