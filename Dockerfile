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

ENV AIRFLOW__CORE__LOAD_EXAMPLES=False \
    NEWS_FEEDS=/opt/airflow/news_ingest/include/config/feeds.yaml \
    NEWS_SEEDS_DIR=/opt/airflow/seeds \
    NEWS_DATA_ROOT=/opt/airflow/data
