"""Use cases: one module per capability, each a plain class whose constructor takes the
stores and services it needs, holding every step that spans more than one call (the
table, S3, the scheduler, Cognito, Expo). Routes and Lambda entry points call exactly
one method; how they are built and injected is described in `app/main.py`."""
