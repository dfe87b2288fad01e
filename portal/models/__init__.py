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
)
from portal.models.base import Base
from portal.models.system import DataLoad
from portal.models.teams import Team

__all__ = [
    "CITY",
    "CITY_OF_LONDON_BOROUGH",
    "CURRENT_GENERATION",
    "LEGACY_GENERATION",
    "MET",
    "Base",
    "Borough",
    "DataLoad",
    "Force",
    "Postcode",
    "Team",
    "Ward",
]
