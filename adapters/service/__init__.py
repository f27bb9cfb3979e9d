"""The service (服务): the screening web pages for the general office and the HTTP API for the office system.

`create_app(Settings(...))` builds one engine and one register store per process; several worker processes over one
PostgreSQL is how it scales out. Who may do what is in `auth`, the shared screening path (which also writes the
decision log) in `screening`, the yearly audit as served in `audit`, the API in `api`; the pages' routes in `pages`,
their gates in `gates`, their forms in `forms`, their frame in `page_frame`, the checked workbooks in `checked_plans`.
"""
