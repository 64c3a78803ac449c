"""Pure renderers: a read model in, a document (str or bytes) out."""
