# The briefing bot: python -m bot run, as an unprivileged user, state in /data.
#   docker build -t briefing-bot .
#   docker run --env-file .env -v briefing-data:/data briefing-bot
# A newsroom's own registry or mirror: --build-arg PYTHON_IMAGE=registry.example/python:3.11-slim
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install --no-cache-dir --prefix=/install .

FROM ${PYTHON_IMAGE}
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PTB_TIMEDELTA=1 \
    DATABASE_PATH=/data/bot.sqlite3 \
    SEEDS_DIR=/app/seeds \
    HEALTH_PORT=8080 \
    HEALTH_LISTEN=0.0.0.0
COPY --from=build /install /usr/local
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin bot \
    && mkdir -p /app/seeds /data && chown bot:bot /data
WORKDIR /app
COPY --chown=bot:bot seeds ./seeds
USER bot
VOLUME ["/data"]
# 8080: /healthz, /readyz, /metrics; 8443: the webhook listener when WEBHOOK_URL is set.
EXPOSE 8080 8443
# SIGTERM stops the bot within seconds (replies get 3 s, pushes in flight 4 s).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('HEALTH_PORT', '8080')}/healthz\", timeout=4)"]
ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]
