"""The reports service's blueprints: thin views over queries and renderers."""
