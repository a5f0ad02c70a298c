# Saring as a container: a thin wrapper over the scripts CI runs (scripts/setup.sh installs from requirements.lock,
# `saring train` makes the default model, `saring serve` runs it), so CI covers every step this file takes.
#   docker build -t saring .
#   docker run -p 8000:8000 -e SARING_API_KEYS="admin:$(openssl rand -hex 24)" saring
# With PostgreSQL and two workers: compose.yaml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    SARING_HOME=/var/lib/saring \
    SARING_HOST=0.0.0.0 \
    SARING_PORT=8000

RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/saring --shell /usr/sbin/nologin saring \
    && install -d -o saring -g saring /var/lib/saring

# The source and its venv belong to root: the service can read its code but not change it.
WORKDIR /opt/saring
COPY . .
RUN scripts/setup.sh postgres

# The default model, trained at build time from the bundled training data (about a minute), into the home.
USER saring
RUN .venv/bin/saring train

VOLUME ["/var/lib/saring"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/opt/saring/.venv/bin/python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"]
CMD ["/opt/saring/.venv/bin/saring", "serve"]
