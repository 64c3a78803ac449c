"""Pure scoring: (template version, events) -> results. Standard library and shared.domain only."""
