# Production image: gunicorn serves the app, the same image runs the Celery worker and beat.
# Only Debian packages, PyPI and the npm registry are used (the same sources as `make run`).

# --- stage 1: front-end libraries from the npm registry, copied into static/vendor ------------
FROM python:3.11-slim AS static
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY scripts/copy_vendor.mjs scripts/
RUN mkdir -p static && npm run --silent build

# --- stage 2: the application ------------------------------------------------------------------
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# WeasyPrint's native libraries, CJK fonts for PDFs, gettext for the catalogs, curl for health checks.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      fonts-wqy-microhei fonts-noto-cjk \
      gettext curl \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --create-home --home-dir /home/neiqiao --uid 1000 neiqiao
WORKDIR /app
COPY pyproject.toml requirements.lock ./
# pyproject's ranges, pinned by the lock used as a constraints file (see README, dependency policy).
RUN pip install -c requirements.lock .
COPY . .
COPY --from=static /src/static/vendor static/vendor
# Build-time only values: no database is touched by compilemessages or collectstatic.
RUN DEBUG=0 SECRET_KEY=build-only DATABASE_URL=postgres://build@127.0.0.1:1/build \
      python manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0 \
 && DEBUG=0 SECRET_KEY=build-only DATABASE_URL=postgres://build@127.0.0.1:1/build STATIC_ROOT=/app/staticfiles \
      python manage.py collectstatic --no-input -v 0 \
 && mkdir -p /app/var/media /app/var/trail \
 && chown -R neiqiao:neiqiao /app/var
ENV STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/app/var/media
USER neiqiao
EXPOSE 8000
CMD ["gunicorn", "neiqiao.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--access-logfile", "-"]
