"""``hub import``: bring agencies' published archives into Hub.

Sources (a JSON Lines file, a WordPress site's REST API) turn what they read into
``ImportRecord``s; the runner imports each through ``hub.resolvers.article_import`` — the
pipeline behind the ``importArticle`` mutation, with its checks and idempotency — and saves its
position in the source after each one, so an interrupted run resumes where it stopped.
"""
