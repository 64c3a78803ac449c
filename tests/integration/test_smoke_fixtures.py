from shared.eventstore import EventStore


def test_every_backend_starts_with_an_empty_migrated_store(db):
    with db.read() as conn:
        assert EventStore(conn).count() == 0
