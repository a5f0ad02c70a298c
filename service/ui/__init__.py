"""Pages for editors: screen a submission, work through the review queue, look after model versions.

Server-rendered (Jinja2) by the service itself, in Bahasa Indonesia, with the same API keys and roles as the HTTP
API. `routes` holds the pages, `auth` the login cookie and CSRF checks, `present` the view helpers (highlighted
spans, wording of decisions and scores); the screening itself goes through the same code path as `/v1/screen`.
"""
