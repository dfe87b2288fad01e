from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select

from portal import migrate
from portal.models import Base, Force

TABLES = {"borough", "data_load", "force", "postcode", "team", "ward"}


def test_upgrade_downgrade_upgrade(empty_db):
    engine = empty_db.engine
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert set(inspect(engine).get_table_names()) >= TABLES
    migrate.downgrade(engine, "base")
    assert migrate.current_revision(engine) is None
    assert not TABLES & set(inspect(engine).get_table_names())
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_forces_are_reference_data(empty_db):
    with empty_db.sessions() as session:
        forces = {f.id: f.name for f in session.scalars(select(Force))}
    assert forces == {
        "metropolitan": "Metropolitan Police Service",
        "city-of-london": "City of London Police",
    }


def test_models_and_migrations_agree(empty_db):
    with empty_db.engine.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    assert diff == [], f"the models differ from the migrations; write a migration: {diff}"
