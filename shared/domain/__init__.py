"""The pure domain: templates, events and periods. Imports only the standard library."""
