"""Log records as operators read them: a timestamp, level, logger, request id and message.

``logging_config(settings)`` is a ``logging.config.dictConfig`` dictionary for the whole
process (the application's ``hub.*`` loggers and uvicorn's), passed to uvicorn so that every
worker process applies it too. ``HUB_LOG_FORMAT=text`` writes one readable line per record;
``json`` one JSON object per line (``time``, ``level``, ``logger``, ``message``,
``request_id``, ``exception``; uvicorn's access lines also ``client``, ``method``, ``path``,
``status``). Times are UTC, ISO 8601 with milliseconds.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import orjson

from hub.request_id import current_request_id
from hub.settings import LogFormat, LogLevel, Settings

TRACE = 5  # uvicorn's level below DEBUG
LEVELS = {
    LogLevel.CRITICAL: logging.CRITICAL,
    LogLevel.ERROR: logging.ERROR,
    LogLevel.WARNING: logging.WARNING,
    LogLevel.INFO: logging.INFO,
    LogLevel.DEBUG: logging.DEBUG,
    LogLevel.TRACE: TRACE,
}
ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")  # uvicorn.access args


def timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class RequestIdFilter(logging.Filter):
    """Stamps each record with the request id of the request it was logged in (``-``
    outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        return True


class TextFormatter(logging.Formatter):
    """``2024-02-14T01:02:03.456Z INFO hub.graphql [5f1c…] message``."""

    def format(self, record: logging.LogRecord) -> str:
        line = (
            f"{timestamp(record)} {record.levelname} {record.name} "
            f"[{getattr(record, 'request_id', '-')}] {record.getMessage()}"
        )
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "-")
        if request_id != "-":
            entry["request_id"] = request_id
        if record.name == "uvicorn.access" and isinstance(record.args, tuple):
            entry.update(zip(ACCESS_FIELDS, record.args, strict=False))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


FORMATTERS: dict[LogFormat, type[logging.Formatter]] = {
    LogFormat.TEXT: TextFormatter,
    LogFormat.JSON: JsonFormatter,
}


def logging_config(settings: Settings) -> dict[str, Any]:
    level = LEVELS[settings.log_level]
    formatter = FORMATTERS[settings.log_format]
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "hub",
        "filters": ["request_id"],
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": f"{__name__}.RequestIdFilter"}},
        "formatters": {"hub": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}},
        "handlers": {
            "default": handler,
            "access": {**handler, "stream": "ext://sys.stdout"},
        },
        "loggers": {
            # uvicorn's own loggers keep their handlers off the root (no double lines)
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": ["access"], "level": level, "propagate": False},
        },
        "root": {"handlers": ["default"], "level": level},
    }


def configure(settings: Settings) -> None:
    """Apply :func:`logging_config` to this process (commands other than ``serve``)."""
    import logging.config

    logging.addLevelName(TRACE, "TRACE")
    logging.config.dictConfig(logging_config(settings))
