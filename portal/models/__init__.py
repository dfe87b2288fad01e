"""All models, imported here so Alembic and the app see one metadata."""

from portal.models.areas import (
    CITY,
    CITY_OF_LONDON_BOROUGH,
    CURRENT_GENERATION,
    LEGACY_GENERATION,
    MET,
    Borough,
    Force,
    Postcode,
    Ward,
    WardNeighbour,
    WardSuccession,
)
from portal.models.base import Base
from portal.models.system import ContentChange, DataLoad, record_change
from portal.models.teams import DEMO, POLICE_UK, STAFF, Station, Team, TeamLink, TeamLocation, TeamMember

__all__ = [
    "CITY",
    "CITY_OF_LONDON_BOROUGH",
    "CURRENT_GENERATION",
    "DEMO",
    "LEGACY_GENERATION",
    "MET",
    "POLICE_UK",
    "STAFF",
    "Base",
    "Borough",
    "ContentChange",
    "DataLoad",
    "Force",
    "Postcode",
    "Station",
    "Team",
    "TeamLink",
    "TeamLocation",
    "TeamMember",
    "Ward",
    "WardNeighbour",
    "WardSuccession",
    "record_change",
]
