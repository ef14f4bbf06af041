"""The Slack bot: a door onto the same GraphQL schema as the API.

Every command, button and menu runs a named operation from ``operations/*.graphql`` through
the shared schema in-process (:mod:`bobot.slack.runner`) as the Slack user; Block Kit is built
by pure functions from the results (:mod:`bobot.slack.blocks`). Messages the bot posts on its
own (alerts, their updates, the digest) leave through the outbox: :mod:`bobot.slack.routing`
turns recorded events into deliveries and :mod:`bobot.slack.transport` sends them.
"""
