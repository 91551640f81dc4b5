"""What the edges share: how input is parsed and answers are presented, in which language, with which status.

The API (``quoteapi.api``), the staff console (``quoteapi.web``) and the
terminal commands (``quoteapi.cli``) are siblings that never import each other
(``.importlinter``); what more than one of them needs lives here, once:

- ``schemas/``: the marshmallow schemas that check every input (a request body,
  a console form, a price-list file) and serialise every answer; the OpenAPI
  description is generated from them;
- ``i18n.py``: the language of each request (``?lang=``, ``Accept-Language``)
  and the texts written in it;
- ``errors.py``: the HTTP status of each domain error;
- ``commands.py``: the use cases' commands built from loaded input, with what
  each edge reads from its own request (an idempotency key, the language)
  passed in as arguments;
- ``answers.py``: a JSON answer of data that is already plain.

Reading a request (headers, bodies, forms, tokens, sessions) stays in each edge.
"""
