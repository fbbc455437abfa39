# Production image: the official Airflow 3.3 image plus the locked dependencies and news_ingest.
FROM apache/airflow:3.3.2-python3.11

# requirements.lock is `uv export` of uv.lock (make lint checks they agree), with hashes.
COPY --chown=airflow:0 requirements.lock /opt/airflow/requirements.lock
RUN pip install --no-cache-dir --require-hashes -r /opt/airflow/requirements.lock

COPY --chown=airflow:0 pyproject.toml README.md /opt/airflow/news_ingest/
COPY --chown=airflow:0 include /opt/airflow/news_ingest/include
RUN pip install --no-cache-dir --no-deps /opt/airflow/news_ingest

COPY --chown=airflow:0 dags /opt/airflow/dags
COPY --chown=airflow:0 plugins /opt/airflow/plugins
COPY --chown=airflow:0 seeds /opt/airflow/seeds

# The default local data root, owned by airflow so that the news-data volume of
# docker-compose.yaml (created from it) is writable by the tasks. docker-compose.yaml relies
# on the base image's FAB auth manager, Celery, Redis and Postgres packages: fail the build,
# not the deployment, if installing the lock ever removed one (checked without importing
# Airflow, which would write a config with generated secrets into the image).
RUN mkdir -p /opt/airflow/data \
    && python -c "from importlib.metadata import version; [version(d) for d in ( \
        'apache-airflow-providers-fab', 'apache-airflow-providers-celery', \
        'apache-airflow-providers-postgres', 'psycopg2-binary', 'redis')]"

ENV AIRFLOW__CORE__LOAD_EXAMPLES=False \
    NEWS_FEEDS=/opt/airflow/news_ingest/include/config/feeds.yaml \
    NEWS_SEEDS_DIR=/opt/airflow/seeds \
    NEWS_DATA_ROOT=/opt/airflow/data \
    NEWS_CACHE_DIR=/opt/airflow/cache

# The geoparser's gazetteer is built once here, so no task spends its first 20 s on it
# (a NEWS_GAZETTEER dump mounted later is added on first use and cached beside it).
RUN python -c "from news_ingest.places import default_gazetteer; default_gazetteer()"
