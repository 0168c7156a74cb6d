# LinkedOut: one image for web (gunicorn), the Celery workers (senders and sweeper) and Celery beat.
# Build: docker build -t linkedout .   Run: see docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VAR_DIR=/app/var

# The "runtime" packages of system-packages.txt (the one list, also read by
# .ci/run and `manage.py check_system`): Pango, HarfBuzz subsetting and Noto
# fonts for WeasyPrint's PDF receipts, gettext's msgfmt for compilemessages.
COPY system-packages.txt /tmp/
RUN packages="$(awk '/^[^#]/ && $2 == "runtime" {print $1}' /tmp/system-packages.txt)" \
    && test -n "$packages" \
    && apt-get update \
    && apt-get install -y --no-install-recommends $packages \
    && rm -rf /var/lib/apt/lists/* /tmp/system-packages.txt

# Unprivileged runtime user. The code stays owned by root (read-only for the
# app); only $VAR_DIR is writable (Celery beat's schedule file, embedded-mode
# broker/cache folders).
RUN groupadd --system app \
    && useradd --system --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first so code changes do not invalidate this layer.
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .

# Build-time only steps. settings.py refuses to load with DEBUG off unless
# SECRET_KEY is >= 32 chars, so a dummy key is set for THIS RUN line only (it
# is not an ENV, so it is not in the image's runtime environment); the real key
# comes from the container environment at run time. Likewise ALLOW_UNSENT_EMAIL:
# no email is sent while building, so the console default may load.
# - compilemessages: only when there are .po files (locale/ may be empty yet;
#   Django errors out when it finds no locale folder at all).
# - collectstatic: hashed + compressed files for whitenoise into $VAR_DIR/staticfiles.
# - the settings module creates the embedded broker folders under $VAR_DIR on
#   import; they are removed so the image ships only staticfiles.
RUN export SECRET_KEY="build-only-dummy-key-not-used-at-runtime-0123456789" \
           ALLOW_UNSENT_EMAIL=1 \
    && if find . -path ./var -prune -o -name '*.po' -print | grep -q .; then \
           python manage.py compilemessages --ignore=var --ignore=.venv; \
       else \
           echo "compilemessages: no .po files yet, skipped"; \
       fi \
    && python manage.py collectstatic --noinput \
    && rm -rf "$VAR_DIR/broker" "$VAR_DIR/cache" \
    && chown app:app "$VAR_DIR"

USER app

EXPOSE 8000

# No access-log path or query: private links are /r/<token>/ URLs and the token
# IS the credential for a request, so the request line (%(r)s), path (%(U)s),
# query (%(q)s) and Referer (%(f)s) must never reach the logs. Client IP and
# User-Agent are left out too (personal data we do not need).
# --no-control-socket: gunicorn >= 25.1 otherwise tries to create
# $HOME/.gunicorn/gunicorn.ctl, and /app (app's home) is read-only for app.
CMD ["gunicorn", "config.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--workers", "3", \
     "--no-control-socket", \
     "--access-logfile", "-", \
     "--access-logformat", "%(t)s \"%(m)s\" %(s)s %(b)s %(M)sms"]
