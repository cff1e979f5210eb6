"""Events: the event object, expressions, subscriptions and the event hub."""
