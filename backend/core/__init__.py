"""Shared plumbing of the API and the site, used by every app: the error contract
(``errors``), request fields (``fields``), OpenAPI additions (``schema``), log redaction
(``logfilters``), the JSON depth limit (``jsonlimits``) and the PWA shell (``pwa``).
It imports no app."""
