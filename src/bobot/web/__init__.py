"""Customer pages: what signed links in emails open (:mod:`bobot.web.pages`)."""
