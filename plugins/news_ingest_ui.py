"""The "News ingestion" page in the Airflow UI: days with run links, feed and harvest health.

A small FastAPI app mounted in the api-server at /news-ingest/ serves the page (and the same
data as JSON); an external view puts it in the UI's navigation, shown in an iframe. All the
work is in news_ingest.report_model (the data) and news_ingest.report (the page); imports
stay inside the handlers so that loading plugins in the scheduler or a task stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from airflow.plugins_manager import AirflowPlugin
from fastapi import Depends, FastAPI, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

if TYPE_CHECKING:
    from news_ingest.report_model import Report

URL_PREFIX = "/news-ingest"
DAG_ID = "news_nightly"
AWS_CONN = "aws_default"  # as dags/news_connections.py names it
ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="{color}" '
    'stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M4 4h13v16H6a2 2 0 '
    '0 1-2-2z"/><path d="M17 8h3v10a2 2 0 0 1-2 2"/><path d="M8 8h5M8 12h5M8 16h5"/></svg>'
)


async def _may_read_the_dag(request: Request) -> None:
    """Let through only users whom Airflow's auth manager allows to read news_nightly."""
    from airflow.api_fastapi.core_api.security import get_user, requires_access_dag
    from fastapi.security import HTTPAuthorizationCredentials
    from starlette.concurrency import run_in_threadpool

    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    bearer = HTTPAuthorizationCredentials(scheme=scheme, credentials=token) if token else None
    user = await get_user(request, None, bearer)  # the bearer token, else the UI's cookie
    await run_in_threadpool(requires_access_dag("GET", param_dag_id=DAG_ID), request, user)


Days = Annotated[int, Query(ge=1, le=3660, description="days shown, up to the newest")]
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


def _use_aws_connection() -> None:
    """Read an s3:// data root with aws_default's keys and endpoint, as the tasks do."""
    from airflow.models.connection import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    from news_ingest.store import S3Options, use_s3_options

    try:
        # The api-server reads secrets backends and the metadata DB itself (no task SDK).
        conn = Connection.get_connection_from_secrets(AWS_CONN)
    except AirflowNotFoundException:
        return  # the AWS_* variables, as pyarrow reads them
    use_s3_options(S3Options.of_connection(conn.login, conn.password, conn.extra_dejson))


def _report(days: int) -> Report:
    """The report over NEWS_DATA_ROOT's manifests."""
    from news_ingest.report_model import build_report
    from news_ingest.settings import Settings

    root = Settings.from_env().data_root
    if root.startswith("s3://"):
        _use_aws_connection()
    return build_report(root, days)


app = FastAPI(title="News ingestion", docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/", response_class=HTMLResponse, dependencies=[Depends(_may_read_the_dag)])
def page(days: Days = 90) -> HTMLResponse:
    """The page: summary, per-day charts, feed health and runs by day."""
    from news_ingest.report import CONTENT_SECURITY_POLICY, render_html

    return HTMLResponse(
        render_html(_report(days)),
        headers={
            **_HEADERS,
            "Content-Security-Policy": f"{CONTENT_SECURITY_POLICY}; frame-ancestors 'self'",
        },
    )


@app.get("/data.json", dependencies=[Depends(_may_read_the_dag)])
def data(days: Days = 90) -> JSONResponse:
    """The page's data as JSON."""
    from news_ingest.report_model import report_json

    return JSONResponse(report_json(_report(days)), headers=_HEADERS)


@app.get("/icon.svg")
def icon(dark: bool = False) -> Response:
    """The navigation entry's icon (light strokes for the dark theme)."""
    svg = ICON.format(color="#e2e8f0" if dark else "#4a5568")
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})


# The page in the UI's navigation, shown in an iframe at /plugin/news-ingestion. Its href is
# relative to the UI's base URL (no leading slash), so a deployment under a sub-path works.
NAV_ENTRY: dict[str, Any] = {
    "name": "News ingestion",
    "href": f"{URL_PREFIX.lstrip('/')}/",
    "url_route": "news-ingestion",
    "destination": "nav",
    "icon": f"{URL_PREFIX.lstrip('/')}/icon.svg",
    "icon_dark_mode": f"{URL_PREFIX.lstrip('/')}/icon.svg?dark=true",
    "nav_top_level": True,
}


class NewsIngestUIPlugin(AirflowPlugin):
    """Mounts the page's app in the api-server and adds it to the UI's navigation."""

    name = "news_ingest_ui"
    # Plain lists as AirflowPlugin declares them (a ClassVar would clash with its annotations).
    fastapi_apps = [{"app": app, "url_prefix": URL_PREFIX, "name": "News ingestion"}]  # noqa: RUF012
    external_views = [NAV_ENTRY]  # noqa: RUF012
