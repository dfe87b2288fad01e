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
from portal.models.crime import CATEGORIES, CrimeImport, StreetCrime, WardCrimeCount, WardPopulation
from portal.models.engagement import (
    AGREED_HOW,
    MEETING_TYPES,
    PRIORITY_STATUSES,
    Meeting,
    Priority,
    PriorityAction,
    PriorityReview,
    TeamUpdate,
)
from portal.models.pledge import Explanation, Indicator, Measure, PledgePoint, SurveyNeighbourhood
from portal.models.system import ContentChange, DataLoad, record_change
from portal.models.teams import DEMO, POLICE_UK, STAFF, Station, Team, TeamLink, TeamLocation, TeamMember

__all__ = [
    "AGREED_HOW",
    "CATEGORIES",
    "CITY",
    "CITY_OF_LONDON_BOROUGH",
    "CURRENT_GENERATION",
    "DEMO",
    "LEGACY_GENERATION",
    "MEETING_TYPES",
    "MET",
    "POLICE_UK",
    "PRIORITY_STATUSES",
    "STAFF",
    "Base",
    "Borough",
    "ContentChange",
    "CrimeImport",
    "DataLoad",
    "Explanation",
    "Force",
    "Indicator",
    "Measure",
    "Meeting",
    "PledgePoint",
    "Postcode",
    "Priority",
    "PriorityAction",
    "PriorityReview",
    "Station",
    "StreetCrime",
    "SurveyNeighbourhood",
    "Team",
    "TeamLink",
    "TeamLocation",
    "TeamMember",
    "TeamUpdate",
    "Ward",
    "WardCrimeCount",
    "WardNeighbour",
    "WardPopulation",
    "WardSuccession",
    "record_change",
]
