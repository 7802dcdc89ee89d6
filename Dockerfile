# The API image. The database is external (HUB_DATABASE_URL), see docker-compose.yml.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    HUB_HOST=0.0.0.0 HUB_PORT=8000 HUB_DATA_DIR=/var/lib/hub

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY alembic ./alembic
COPY hub ./hub
RUN pip install --no-cache-dir -e . \
    && useradd --system --create-home --home-dir /var/lib/hub hub
USER hub

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/ready')"
CMD ["hub", "serve"]
