"""The people's web app (SPEC §7.6): one origin for signing in, recording, self-assessing,
signing, reviewing and reading the documents. It composes the services' application layers
(the same command handlers as the APIs, the same read models); it has no write path of its own."""
