"""Operators see counts, states and dates; never names, addresses or letters."""

from django.contrib import admin
from django_ratelimit.decorators import ratelimit

from .models import DeletionRequest, ReceiptFingerprint, Reminder, RequestEvent

PERSONAL_FIELDS = [
    "full_name", "first_name", "last_name", "postal_address", "particular_situation",
    "email", "email_digest", "profile_url", "specific_urls", "linkedin_case_number",
]  # fmt: skip


class ReadOnlyAdmin(admin.ModelAdmin):
    """Changes go through the services (and the user's private link), so
    the admin can look but not edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RequestEventInline(admin.TabularInline):
    model = RequestEvent
    fields = ["kind", "at", "on_date"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class ReminderInline(admin.TabularInline):
    model = Reminder
    fields = ["kind", "due_at", "state", "attempts", "last_error", "sent_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(DeletionRequest)
class DeletionRequestAdmin(ReadOnlyAdmin):
    list_display = ["reference", "status", "regime_code", "country", "created_at", "submitted_on", "reminders_enabled"]
    list_filter = ["status", "regime_code", "reminders_enabled", "country"]
    search_fields = ["reference"]
    date_hierarchy = "created_at"
    exclude = [*PERSONAL_FIELDS, "creation_key", "fingerprint_salt"]
    inlines = [RequestEventInline, ReminderInline]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["request", "kind", "state", "due_at", "attempts", "last_error"]
    list_filter = ["state", "kind"]
    date_hierarchy = "due_at"


@admin.register(ReceiptFingerprint)
class ReceiptFingerprintAdmin(ReadOnlyAdmin):
    list_display = ["reference", "fingerprint", "issued_at"]
    search_fields = ["reference"]


# Password guessing: ten tries an hour per visitor's address (the visitor's
# own behind the proxy, settings.TRUSTED_PROXY_COUNT); the next POST gets the
# 429 page, "Too many attempts". Not per account name: anyone could then lock
# the operator out.
ADMIN_LOGIN_RATE = "10/h"
admin.site.login = ratelimit(group="admin-login", key="ip", rate=ADMIN_LOGIN_RATE, method="POST", block=True)(
    admin.site.login
)
