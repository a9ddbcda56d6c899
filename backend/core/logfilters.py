"""Keep secrets and health data out of the logs.

Nothing in Backtrack logs request bodies or health values on purpose; this filter is
the second line: it masks credentials in URLs, session tokens and passwords wherever a
library might print them (connection errors, debug dumps).
"""

from __future__ import annotations

import logging
import re

_PATTERNS = [
    # scheme://user:password@host
    (re.compile(r"(?P<keep>[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+(?=@)", re.IGNORECASE), r"\g<keep>***"),
    # X-Session-Token: abc / "session_token": "abc" / password=abc
    (
        re.compile(
            r"(?P<keep>(x-session-token|session_token|password|secret|csrftoken|sessionid)[\"']?\s*[:=]\s*[\"']?)[^\s\"',;&]+",
            re.IGNORECASE,
        ),
        r"\g<keep>***",
    ),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            # Render the traceback now, redacted, instead of letting the handler do it.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
