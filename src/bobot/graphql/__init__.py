"""The GraphQL API: thin resolvers that parse, authorise, call a service and shape results."""
