"""The Overview page: the inspection's facts, life cycle, readiness and Urgent Notification."""
