"""Demo engagement: a seeded, labelled year of meetings, priorities ("You said, we did") and updates.

Called by `load_demo` (portal/demo.py) for the same teams it fills with demo members; every row it writes
is `is_demo`. Teams written by their staff, or taken from police.uk, never get invented content. Chadwell
Heath (E05014058) instead gets its two real beat surgeries of November 2011 from police.uk.

**Dates.** A demo calendar that was generated once for a fixed year would be all in the past a few months
later, and the site's "next meeting" would be empty. So the content is laid out around a *reference month*:
the month (Europe/London) in which the content is loaded (`today`, for tests). Twelve months before it get
past meetings with minutes and attendance, the reference month itself and the four after it get meetings
too, so a fresh `make run` always shows at least three months of upcoming meetings. The content is a pure
function of (seed, team, reference month): loading twice in the same month gives identical rows.
A meeting's own details (day, time, venue, type, the words of its minutes) come from a generator seeded
with (seed, team, calendar month), so March's meetings stay the same when the reference month moves on;
what depends on the reference month is only what is past or future (minutes, attendance, cancellations,
which priorities are current). Nothing here reads the clock except to pick the reference month.

Every generator is `random.Random` seeded with strings (never the global one), so the output does not
depend on the order teams are processed in, or on Python's hash seed.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from portal import paths
from portal.models import Meeting, Postcode, Priority, PriorityAction, TeamUpdate

LONDON = ZoneInfo("Europe/London")
PAST_MONTHS = 12  # months before the reference month, with minutes and attendance
AHEAD_MONTHS = 4  # months after it
CANCEL_RATE = 1 / 12
MISSED_MONTH_RATE = 0.05  # teams that miss one past month entirely, so compliance figures vary
OVERDUE_RATE = 0.10  # current priorities left past their review date
UID = "{team}-{day:%Y%m%d}-{n}@pledge-portal.example"
ONLINE_URL = "https://meet.pledge-portal.example/{team}-{day:%Y%m%d}"  # RFC 2606 reserved name
CHUNK = 500

DEMO_DIR = paths.CONTENT / "demo"
POLICE_UK_TEAM = "E05014058"  # Chadwell Heath
POLICE_UK_EVENTS = paths.CONTENT / "police_uk" / "chadwell_heath_2011" / "NeighbourhoodEvents.Multiple.json"
POLICE_UK_EVENT_MINUTES = 60  # police.uk events have a start only; we assume an hour


class TeamLike(Protocol):
    id: str
    name: str
    borough_code: str
    ward_name: str
    lat: float
    lng: float


# -- words ------------------------------------------------------------------------------------------------

SAINTS = ["Mary", "John", "Peter", "Andrew", "Michael", "Paul", "Luke", "Margaret", "George", "James", "Anne"]
ROAD_SUFFIXES = ["Road", "Avenue", "Street", "Lane", "Grove"]
PARK_SUFFIXES = ["Park", "Recreation Ground", "Fields"]

OUTDOOR_TYPES = ("street_briefing", "mobile_police_station")
CANCELLED_REASONS = [
    "The venue was not available on the night; sorry for the short notice.",
    "Officers were needed at a major incident in the borough.",
    "Cancelled because of a severe weather warning.",
    "Too few officers were on duty after a large public event in the borough.",
    "The building was closed for repairs.",
]
MAIN_TITLES = {
    "ward_panel": ["{ward} ward panel", "{ward} ward panel meeting"],
    "public_meeting": ["{ward} community meeting", "Meet your {ward} team", "{ward} public meeting"],
}
EXTRA_TITLES = {
    "street_briefing": ["Street briefing: {road}", "Street briefing at the {parade} shops"],
    "surgery": ["{ward} police surgery", "Drop-in surgery at {venue}"],
    "mobile_police_station": ["Mobile police station: {parade}", "Mobile police station outside {venue}"],
    "online": ["{ward} online meeting", "Online catch-up with the {ward} team"],
}
HOW_TO_JOIN = {
    "ward_panel": [
        "Open to everyone who lives or works in {ward}. No need to book: just come along.",
        "Everyone is welcome. To add an item to the agenda, e-mail the team a week before.",
    ],
    "public_meeting": [
        "Everyone is welcome; no need to book.",
        "Free and open to all. Come along for the whole meeting or just part of it.",
    ],
    "street_briefing": ["Find us at the spot above; we will be there for an hour, whatever the weather."],
    "surgery": ["Drop in at any time during the surgery; you can talk to an officer in private."],
    "mobile_police_station": ["Look for the police van. Drop in, no appointment needed."],
    "online": [
        "Join with the link on this page from a computer, tablet or phone. E-mail us for a dial-in number.",
    ],
}
BSL = " Tell us a week before if you would like a British Sign Language interpreter."
ACCESS_NOTES = {
    "station": [None, "Use the front counter entrance; staff will show you to the meeting room."],
    "library": [None, "Step-free entrance from the car park; accessible toilet."],
    "centre": [None, "The hall is on the ground floor, with an accessible toilet."],
    "church": [
        "Two steps at the main door; ask us and we will open the side door, which is level.",
        "The hall is behind the church, reached by a short gravel path.",
        None,
    ],
    "outdoor": ["Outdoors, on the pavement; no seating."],
}
MINUTES = {
    "ward_panel": [
        "{attendance} residents came, with two ward councillors. {sgt} reported on what the team had done "
        "about {issue} since the last panel.",
        "The panel looked at the latest crime figures for {ward} and the team's priorities. Residents "
        "raised {issue2}, and the team promised to report back at the next panel.",
        "{attendance} people came. The panel chair thanked the team for the extra patrols around {road}; "
        "residents asked for more visits to the {estate} in the evenings.",
    ],
    "public_meeting": [
        "{attendance} people came to meet the team. Most questions were about {issue}; {sgt} explained "
        "what the team is doing and how to report it.",
        "The team introduced {pcso}, who now covers {road}. Residents raised {issue2} and parking near "
        "the schools.",
        "{attendance} residents came. The council's community safety officer joined us to talk about "
        "{issue}.",
    ],
    "street_briefing": [
        "We spoke to {attendance} people on {road}. Most were worried about {issue}; several signed up to "
        "Neighbourhood Watch.",
        "{attendance} people stopped to talk. We handed out leaflets on {issue2} and took two reports.",
    ],
    "surgery": [
        "{attendance} people dropped in. We gave crime prevention advice and took one report about {issue}.",
        "A quiet surgery: {attendance} visitors, mostly asking about {issue2}.",
    ],
    "mobile_police_station": [
        "{attendance} people visited the van. We marked {bikes} bikes and gave advice about {issue}.",
        "{attendance} people stopped by; most wanted to talk about {issue2}.",
    ],
    "online": [
        "{attendance} people joined online. {sgt} answered questions about {issue} and the team's "
        "priorities.",
        "{attendance} residents joined the call; we went through the ward's crime figures and {issue2}.",
    ],
}
MINUTES_AGREED = " Residents agreed a new priority for the team: {title}."
SECOND_SENTENCE = [
    "",
    " The next meeting date was confirmed.",
    " Thank you to everyone who came along.",
    " Notes were sent to everyone on the ward panel's mailing list.",
]
ATTENDANCE = {
    "ward_panel": (8, 35),
    "public_meeting": (12, 60),
    "street_briefing": (5, 30),
    "surgery": (5, 15),
    "mobile_police_station": (8, 40),
    "online": (6, 30),
}


@dataclass(frozen=True)
class Issue:
    key: str
    category: str  # a police.uk crime category slug (portal.models.crime.CATEGORIES)
    place: str  # "road", "park", "estate" or "parade"
    title: str
    concern: str
    detail: str
    police: tuple[str, ...]
    partners: tuple[tuple[str, str], ...]  # (actor kind, what they did)
    results: tuple[str, ...]
    resolved: str
    unresolved: str


ISSUES = (
    Issue(
        "drugs",
        "drugs",
        "road",
        "Drug dealing near {place}",
        "that people are dealing drugs openly near {place}, mostly in the evenings",
        "Residents see the same cars and groups near {place} most evenings, and needles have been found in "
        "the alleys nearby.",
        (
            "We patrolled {place} at the times residents told us about, on {n} evenings.",
            "We stopped and searched {n} people near {place} under the Misuse of Drugs Act.",
            "We carried out a drugs warrant at an address near {place}.",
        ),
        (
            ("council", "The council cut back the bushes and fixed the lights in the alley by {place}."),
            ("council", "The council's CCTV team moved a camera to cover {place}."),
            ("housing", "The housing association changed the door entry codes in the blocks near {place}."),
        ),
        (
            "Two people were arrested for possession with intent to supply; one has been charged.",
            "Cannabis and cash were seized, and one person was arrested.",
            "Three people were dealt with for possession of cannabis.",
        ),
        "Reports of dealing near {place} fell from {a} in three months to {b}, and residents at the ward "
        "panel agreed the priority could close.",
        "Dealing moved away while we patrolled but came back. The panel chose other priorities; we still act "
        "on every report about {place}.",
    ),
    Issue(
        "speeding",
        "other-crime",
        "road",
        "Speeding on {place}",
        "that cars race along {place}, especially late at night and near the school",
        "Drivers use {place} as a cut-through and many go well over the 20 mph limit.",
        (
            "We ran speed checks on {place} with a speed gun on {n} mornings and evenings.",
            "We trained {n} residents for Community Roadwatch and ran checks with them on {place}.",
            "We sent warning letters to the keepers of cars seen speeding on {place}.",
        ),
        (
            ("tfl", "Transport for London put a temporary speed camera on {place} for two weeks."),
            ("council", "The council added speed humps and 20 mph signs on {place}."),
            (
                "watch",
                "Neighbourhood Watch members counted traffic on {place} to show when speeding happens.",
            ),
        ),
        (
            "{n} drivers were stopped; most were given fixed penalties and two were reported for court.",
            "Average speeds on {place} fell by about 5 mph after the checks.",
        ),
        "Speeds on {place} are down since the council's traffic calming, and residents agreed to close the "
        "priority.",
        "Speeding on {place} went down during our checks but not for good; the council is looking at "
        "permanent traffic calming.",
    ),
    Issue(
        "burglary",
        "burglary",
        "estate",
        "Burglaries on the {place}",
        "that several homes on the {place} were broken into over a few weeks",
        "Burglars are getting in through back doors and ground-floor windows, mostly in the early evening.",
        (
            "We visited every home near the burglaries on the {place} with crime prevention advice.",
            "We patrolled the {place} in the early evening on {n} days.",
            "We gave out {n} free property-marking kits and timer switches.",
        ),
        (
            ("housing", "The housing association fitted new locks to the back doors of the blocks."),
            ("watch", "Neighbourhood Watch set up a new scheme on the {place}."),
            ("council", "The council fixed broken street lights on the {place}."),
        ),
        (
            "One man was arrested and charged with three of the burglaries.",
            "Stolen jewellery was recovered and returned to its owners.",
        ),
        "Burglaries on the {place} fell from {a} to {b} in three months, and the panel agreed to close the "
        "priority.",
        "Burglaries on the {place} went down but did not stop; the panel agreed to keep them under review "
        "at every meeting instead.",
    ),
    Issue(
        "snatches",
        "theft-from-the-person",
        "road",
        "Moped-enabled phone snatches on {place}",
        "that people on mopeds are snatching phones from pedestrians on {place}",
        "Thieves on mopeds ride up on the pavement and grab phones from people walking or waiting at the "
        "bus stop.",
        (
            "We ran high-visibility patrols on {place} at the times of the snatches, on {n} days.",
            "We handed out leaflets about keeping phones out of sight on {place}.",
            "We worked with the Met's moped crime team to stop moped riders on {place}.",
        ),
        (
            ("council", "The council put up signs warning of phone snatches on {place}."),
            ("tfl", "Transport for London shared CCTV from the buses on {place}."),
        ),
        (
            "Two people were arrested and charged; the moped they used was seized.",
            "One young person was arrested and several phones were recovered.",
        ),
        "Snatches on {place} fell from {a} in three months to {b}; the panel agreed to close the priority.",
        "Snatches moved to nearby streets rather than stopping. The panel chose other priorities; the "
        "borough team is still working on it.",
    ),
    Issue(
        "offroad",
        "anti-social-behaviour",
        "park",
        "Off-road bikes in {place}",
        "that off-road motorbikes are being ridden dangerously across {place}",
        "Bikes tear across the grass and paths in {place}, mostly at weekends, putting children and dog "
        "walkers at risk.",
        (
            "We patrolled {place} on {n} weekends.",
            "We used drones and the off-road bike team to follow the riders from {place}.",
            "We seized a bike that was being ridden without insurance in {place}.",
        ),
        (
            ("council", "The council put in barriers at the entrances to {place}."),
            ("watch", "Neighbourhood Watch members reported where the bikes are kept."),
        ),
        (
            "Two bikes were seized and their riders reported for careless driving.",
            "One rider was arrested for riding while disqualified.",
        ),
        "Since the barriers went in, residents have reported no bikes in {place}; the priority was closed.",
        "Bikes still come to {place} now and then; the panel moved on to other priorities, and we still "
        "seize bikes when we can.",
    ),
    Issue(
        "vehicle",
        "vehicle-crime",
        "road",
        "Thefts from cars and vans on {place}",
        "that cars and vans on {place} are being broken into at night, and tools stolen",
        "Windows are smashed and tools taken from vans parked on {place} overnight.",
        (
            "We patrolled {place} at night on {n} occasions.",
            "We put notices on cars on {place} reminding owners not to leave things on show.",
            "We marked tools for {n} van owners at a street briefing.",
        ),
        (
            ("council", "The council fixed the broken street lights on {place}."),
            ("watch", "Neighbourhood Watch gave out steering locks at a discount."),
        ),
        ("One man was arrested with stolen tools in his car and has been charged.",),
        "Thefts from vehicles on {place} fell from {a} to {b} over three months; the priority was closed.",
        "The thefts went down for a while and then came back; the panel chose other priorities, and we "
        "still patrol {place} at night.",
    ),
    Issue(
        "shoplifting",
        "shoplifting",
        "parade",
        "Shoplifting at the {place} shops",
        "that shopkeepers on {place} are losing stock to the same group of shoplifters every week",
        "Shop staff on {place} say the same people steal most days and have become threatening.",
        (
            "We visited every shop on {place} and set up a radio link between them.",
            "We patrolled {place} when the shops were busiest on {n} days.",
        ),
        (
            ("council", "The council's business team helped the shops on {place} share CCTV."),
            ("council", "The council put in a new CCTV camera at {place}."),
        ),
        (
            "Two people were arrested and banned from the shops on {place} by the court.",
            "One prolific shoplifter was charged with twelve offences.",
        ),
        "Shops on {place} now report far fewer thefts; the priority was closed.",
        "Thefts from the {place} shops went down but did not stop; the panel moved on, and we still visit "
        "the shops each week.",
    ),
    Issue(
        "bikes",
        "bicycle-theft",
        "parade",
        "Bike thefts around {place}",
        "that bikes locked up around {place} are being stolen",
        "Bikes are being taken from the racks around {place} in broad daylight, cut locks left behind.",
        (
            "We marked {n} bikes at a mobile police station on {place}.",
            "We watched the racks on {place} with plain-clothes officers.",
        ),
        (
            ("council", "The council put in new, stronger bike stands on {place}."),
            ("tfl", "Transport for London added signs about locking bikes properly."),
        ),
        ("One man was caught with bolt cutters and arrested; two stolen bikes were returned.",),
        "Bike thefts around {place} fell from {a} to {b} in three months; the priority was closed.",
        "Thefts went down after the new stands but still happen; the panel chose other priorities.",
    ),
    Issue(
        "drinking",
        "anti-social-behaviour",
        "parade",
        "Street drinking on {place}",
        "that groups drinking on {place} make people feel unsafe walking past",
        "Groups gather outside the shops on {place} from the afternoon, with shouting and litter.",
        (
            "We patrolled {place} in the afternoons on {n} days and took alcohol from street drinkers.",
            "We referred {n} people to local support services for help with alcohol.",
        ),
        (
            ("council", "The council's outreach team offered support to people drinking on {place}."),
            ("council", "The council extended the alcohol control zone to cover {place}."),
        ),
        ("Two people were given community protection warnings.",),
        "Street drinking on {place} is much less common now; the panel agreed to close the priority.",
        "Drinking on {place} went down in winter and came back in spring; the panel chose other priorities "
        "for now.",
    ),
    Issue(
        "damage",
        "criminal-damage-arson",
        "park",
        "Graffiti and damage in {place}",
        "that the play area and benches in {place} keep being damaged and covered in graffiti",
        "The play area, benches and toilets in {place} have been damaged several times.",
        (
            "We patrolled {place} in the evenings on {n} days.",
            "We spoke to pupils at the nearby school about the damage in {place}.",
        ),
        (
            ("council", "The council cleaned the graffiti and repaired the benches in {place}."),
            ("watch", "Park volunteers agreed to report damage the same day."),
        ),
        ("Two young people were referred to the youth offending service and helped clean the park.",),
        "Damage in {place} has stopped since the clean-up; the priority was closed.",
        "Graffiti keeps coming back in {place}; the council cleans it quickly and the panel moved on.",
    ),
    Issue(
        "knives",
        "possession-of-weapons",
        "park",
        "Knife crime worries around {place}",
        "that young people are carrying knives around {place}",
        "Parents say their children feel they need to carry knives to be safe around {place}.",
        (
            "We searched {place} and the paths around it for hidden weapons with volunteers.",
            "We ran a knife-crime talk at the local school with {n} pupils.",
            "We patrolled {place} after school on {n} days.",
        ),
        (
            ("council", "The council's youth service opened a youth club evening near {place}."),
            ("housing", "The housing association cleared the bushes where knives had been hidden."),
        ),
        (
            "Two knives were found in the weapons sweep and taken away safely.",
            "One young man was arrested for carrying a knife and has been charged.",
        ),
        "No knives have been found or reported around {place} for three months; the priority was closed.",
        "Fears about knives remain; the panel passed the issue to the borough's youth violence team.",
    ),
    Issue(
        "robbery",
        "robbery",
        "road",
        "Robberies of young people after school on {place}",
        "that groups are robbing schoolchildren of phones and money on {place}",
        "Pupils walking home along {place} have been threatened and robbed of phones and cash.",
        (
            "We patrolled {place} at home time on {n} school days.",
            "We gave talks at the two nearby schools about staying safe on the way home.",
        ),
        (
            ("tfl", "Transport for London put extra staff at the bus stops on {place} after school."),
            ("council", "The council's youth workers joined us on {place} at home time."),
        ),
        ("Three teenagers were arrested; two have been charged with robbery.",),
        "Robberies on {place} fell from {a} to {b}; the schools and the panel agreed to close the priority.",
        "Robberies went down while we patrolled daily but rose again; the borough's robbery team has taken "
        "it on.",
    ),
    Issue(
        "groups",
        "anti-social-behaviour",
        "estate",
        "Groups gathering late at night on the {place}",
        "that groups gather in the stairwells of the {place} late at night, with noise and cannabis smoke",
        "Residents of the {place} are kept awake by groups in the stairwells and walkways.",
        (
            "We patrolled the {place} late at night on {n} occasions.",
            "We gave dispersal orders to groups on the {place} on {n} nights.",
        ),
        (
            ("housing", "The housing association fixed the broken doors so only residents can get in."),
            ("council", "The council's anti-social behaviour team wrote to the families involved."),
        ),
        ("Two young people agreed acceptable behaviour contracts with the council.",),
        "Since the doors were fixed, residents of the {place} report no more gatherings; the priority was "
        "closed.",
        "Gatherings on the {place} continue now and then; the housing association is leading on it.",
    ),
)
ISSUE_SHARE = {"road": 3, "park": 1, "estate": 1, "parade": 1}

YOU_SAID = {
    "meeting": [
        "residents at the ward panel told us {concern}",
        "people at our public meeting told us {concern}",
    ],
    "consultation": ["residents who answered our online consultation told us {concern}"],
    "survey": ["people we spoke to in our street survey told us {concern}"],
}
AGREED_NOTES = {
    "consultation": "Agreed after an online consultation with residents ({n} responses).",
    "survey": "Chosen by {n} residents in our street survey.",
}


@dataclass(frozen=True)
class UpdateTemplate:
    title: str
    body: tuple[str, ...]
    results: tuple[str, ...] = ()


UPDATES = (
    UpdateTemplate(
        "Weapons sweep in {park}",
        (
            "Officers and volunteers searched {park} and the paths around it for hidden weapons.",
            "Thank you to the residents who came along to help.",
            "If you know someone who carries a knife, tell Crimestoppers anonymously on 0800 555 111.",
        ),
        ("Two knives were found and taken away safely.", ""),
    ),
    UpdateTemplate(
        "Free bike marking at {venue}",
        (
            "We marked bikes for free at {venue}.",
            "A marked bike is harder to sell and easier to return to you if it is stolen.",
            "Look out for our next session on this page.",
        ),
    ),
    UpdateTemplate(
        "Dark evenings: keep burglars out",
        (
            "Burglaries go up when the clocks go back.",
            "Use timer switches, lock doors and windows even when you are in, and keep keys away from the "
            "letterbox.",
            "Ask us for a free home security visit.",
        ),
    ),
    UpdateTemplate(
        "Arrests after a drugs warrant on {road}",
        (
            "Acting on information from residents, we carried out a drugs warrant at an address on {road}.",
            "Thank you to everyone who reported what they saw: it made the difference.",
        ),
        (
            "Two people were arrested and charged with possession with intent to supply; drugs and cash "
            "were seized.",
            "One person was arrested and has been released on bail while we investigate.",
        ),
    ),
    UpdateTemplate(
        "Meet {pcso}",
        (
            "{pcso} is one of the team's PCSOs and now covers {road} and the {estate}.",
            "You will see {pcso_first} on foot most days; stop and say hello.",
        ),
    ),
    UpdateTemplate(
        "Watch out for phone and doorstep scams",
        (
            "Several older residents in {ward} have been called by fraudsters pretending to be the police or "
            "their bank.",
            "The police and your bank will never ask you to move money or hand over your card.",
            "If in doubt, hang up and call back on a number you trust.",
        ),
    ),
    UpdateTemplate(
        "Speed checks on {road}",
        (
            "We ran speed checks on {road} with residents from Community Roadwatch.",
            "Drivers who were speeding got a warning letter or a fine.",
        ),
        ("{n} drivers were stopped; {m} were given fixed penalties.", ""),
    ),
    UpdateTemplate(
        "Summer patrols in {park}",
        (
            "We are patrolling {park} more often over the summer holidays, on foot and by bike.",
            "Come and say hello, and tell us about anything that worries you.",
        ),
    ),
    UpdateTemplate(
        "Christmas shopping patrols on {parade}",
        (
            "We are on {parade} more often in the run-up to Christmas.",
            "Keep bags zipped, phones out of sight, and never leave presents on show in your car.",
        ),
    ),
    UpdateTemplate(
        "Catalytic converter thefts",
        (
            "Catalytic converters have been stolen from cars parked on {road}.",
            "Park in a garage or close to a wall if you can, and ask your garage about a marking kit.",
        ),
        ("One man was arrested with cutting tools in his van and has been charged.", ""),
    ),
    UpdateTemplate(
        "What you told us at the ward panel",
        (
            "Thank you to everyone who came to the {ward} ward panel.",
            "You told us your main worries, and the panel agreed the team's priorities for the next three "
            "months.",
            "You can see them, and what we have done about them, on this page.",
        ),
    ),
    UpdateTemplate(
        "Neighbourhood Watch on the {estate}",
        (
            "Residents have started a new Neighbourhood Watch scheme on the {estate}.",
            "Schemes help neighbours look out for each other and pass on information quickly.",
            "E-mail us if you would like to join or start one on your street.",
        ),
    ),
)
DRAFTS = (
    UpdateTemplate(
        "Next month's ward panel",
        ("The date and venue of the next {ward} ward panel will be here soon.",),
    ),
    UpdateTemplate(
        "Results of our survey",
        ("We are still counting the answers to our street survey on {road}; thank you for taking part.",),
    ),
)
PRIORITY_UPDATE = "You said, we did: {title}"


# -- dates ------------------------------------------------------------------------------------------------


def reference_month(today: date | None = None) -> date:
    """The first day of the month (London time) the content is laid out around."""
    today = today or datetime.now(LONDON).date()
    return today.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def nth_weekday(month: date, weekday: int, nth: int) -> date:
    """The nth (1-4) weekday (0 Monday) of `month`."""
    first = month.replace(day=1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def london_to_utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON).astimezone(UTC)


def _between(rng: random.Random, start: date, end: date) -> date:
    if end <= start:
        return start
    return start + timedelta(days=rng.randint(0, (end - start).days))


# -- the team's places -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    postcode: str | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class Venue:
    kind: str  # station, library, centre, church
    name: str
    address: str | None
    point: Point
    step_free: bool
    hearing_loop: bool
    access_notes: str | None


@dataclass
class Plan:
    """Choices made once per team, from the team's generator."""

    venues: list[Venue]
    usual: Venue
    places: dict[str, list[tuple[str, Point]]]  # kind -> [(name, point)]
    issues: list[Issue]
    officers: dict[str, list[str]]  # rank -> ["PC Ann Smith", …]
    panel_every: int
    panel_phase: int
    weekday: int
    nth: int
    start: tuple[int, int]
    missed_offset: int | None


def _officers(members: Sequence[dict], ward: str) -> dict[str, list[str]]:
    by_rank: dict[str, list[str]] = defaultdict(list)
    for m in sorted(members, key=lambda m: m.get("position", 0)):
        by_rank[m["rank"]].append(f"{m['rank']} {m['name']}")
    fallback = f"Officers from the {ward} team"
    return {rank: by_rank.get(rank) or [fallback] for rank in ("Sgt", "PC", "PCSO")}


def team_plan(
    rng: random.Random,
    team: TeamLike,
    base: dict | None,
    points: Sequence[Point],
    members: Sequence[dict],
    stems: Sequence[str],
    borough: str,
) -> Plan:
    centre = Point(None, team.lat, team.lng)
    base_point = Point(base.get("postcode"), base.get("latitude"), base.get("longitude")) if base else centre

    def point() -> Point:
        return rng.choice(points) if points else base_point

    ward = team.ward_name
    venues = []
    if base:
        venues.append(
            Venue(
                "station",
                base["name"],
                base.get("address"),
                base_point,
                True,
                rng.random() < 0.5,
                rng.choice(ACCESS_NOTES["station"]),
            )
        )
    saint = rng.choice(SAINTS)
    for kind, name in (
        ("library", f"{ward} Library"),
        ("centre", f"{ward} Community Centre"),
        ("church", f"St {saint}'s Church Hall"),
    ):
        step_free = rng.random() < (0.55 if kind == "church" else 0.95)
        notes = rng.choice(ACCESS_NOTES[kind]) if step_free else ACCESS_NOTES["church"][0]
        venues.append(Venue(kind, name, f"{ward}, {borough}", point(), step_free, rng.random() < 0.4, notes))
    usual = rng.choice(venues)

    names = rng.sample(list(stems), 6)
    places = {
        "road": [(f"{n} {rng.choice(ROAD_SUFFIXES)}", point()) for n in names[:3]],
        "park": [(f"{names[3]} {rng.choice(PARK_SUFFIXES)}", point())],
        "estate": [(f"{names[4]} estate", point())],
        "parade": [(f"{names[5]} Parade", point())],
    }
    return Plan(
        venues=venues,
        usual=usual,
        places=places,
        issues=rng.sample(ISSUES, 6),
        officers=_officers(members, ward),
        panel_every=rng.choice([1, 1, 3, 3, 3]),
        panel_phase=rng.randrange(3),
        weekday=rng.randrange(4),  # Monday to Thursday
        nth=rng.randint(1, 3),
        start=rng.choice([(18, 30), (19, 0)]),
        missed_offset=-rng.randint(2, PAST_MONTHS - 1) if rng.random() < MISSED_MONTH_RATE else None,
    )


def _first_lower(text: str) -> str:
    return text[:1].lower() + text[1:]


# -- meetings ---------------------------------------------------------------------------------------------


@dataclass
class MeetingDraft:
    row: dict
    offset: int  # months from the reference month
    day: date  # London date

    @property
    def held(self) -> bool:
        return self.row["status"] == "scheduled"


def _meeting(
    team: TeamLike,
    plan: Plan,
    rng: random.Random,
    kind: str,
    title: str,
    day: date,
    start: tuple[int, int],
    minutes_long: int,
    offset: int,
    words: dict,
) -> MeetingDraft:
    starts = london_to_utc(day, *start)
    row: dict = {
        "team_id": team.id,
        "type": kind,
        "title": title,
        "starts_at": starts,
        "ends_at": starts + timedelta(minutes=minutes_long),
        "venue_name": None,
        "venue_address": None,
        "venue_postcode": None,
        "latitude": None,
        "longitude": None,
        "online_url": None,
        "step_free": None,
        "hearing_loop": None,
        "bsl_on_request": rng.random() < 0.6,
        "access_notes": None,
        "status": "scheduled",
        "cancelled_reason": None,
        "minutes": None,
        "attendance": None,
        "is_demo": True,
    }
    if kind == "online":
        row["online_url"] = ONLINE_URL.format(team=team.id.lower(), day=day)
        row["access_notes"] = "Live captions are switched on."
    elif kind in OUTDOOR_TYPES and words.get("outdoor"):
        name, point = words["outdoor"]
        row.update(
            venue_name=name,
            venue_address=f"{team.ward_name}",
            venue_postcode=point.postcode,
            latitude=point.latitude,
            longitude=point.longitude,
            step_free=True,
            hearing_loop=False,
            access_notes=ACCESS_NOTES["outdoor"][0],
        )
    else:
        venue: Venue = words["venue"]
        row.update(
            venue_name=venue.name,
            venue_address=venue.address,
            venue_postcode=venue.point.postcode,
            latitude=venue.point.latitude,
            longitude=venue.point.longitude,
            step_free=venue.step_free,
            hearing_loop=venue.hearing_loop,
            access_notes=venue.access_notes,
        )
    join = rng.choice(HOW_TO_JOIN[kind]).format(ward=team.ward_name)
    row["how_to_join"] = join + (BSL if row["bsl_on_request"] else "")
    sgt, pc, pcso = plan.officers["Sgt"][0], plan.officers["PC"][0], plan.officers["PCSO"][-1]
    row["attendees"] = {
        "ward_panel": f"{sgt} and {pc}; ward councillors and the panel chair",
        "public_meeting": f"{sgt}, {pc} and {pcso}; ward councillors are invited",
        "street_briefing": f"{pc} and {pcso}",
        "surgery": pc,
        "mobile_police_station": f"{pcso}, with a crime prevention officer",
        "online": f"{sgt} and {pcso}",
    }[kind]
    # Drawn whatever the date, so the month's other draws do not depend on the reference month.
    low, high = ATTENDANCE[kind]
    attendance = rng.randint(low, high)
    minutes = rng.choice(MINUTES[kind]).format(attendance=attendance, bikes=rng.randint(4, 20), **words)
    minutes += rng.choice(SECOND_SENTENCE)
    if offset < 0:
        row["minutes"], row["attendance"] = minutes, attendance
    return MeetingDraft(row, offset, day)


def _cancel(draft: MeetingDraft, rng: random.Random) -> None:
    indoors = draft.row["venue_name"] and draft.row["type"] not in OUTDOOR_TYPES
    reasons = CANCELLED_REASONS if indoors else CANCELLED_REASONS[1:4]  # no venue to be unavailable
    draft.row.update(status="cancelled", cancelled_reason=rng.choice(reasons))
    draft.row.update(minutes=None, attendance=None)


def month_meetings(seed: int | str, team: TeamLike, plan: Plan, ref: date, offset: int) -> list[MeetingDraft]:
    month = add_months(ref, offset)
    rng = random.Random(f"{seed}:{team.id}:meetings:{month:%Y-%m}")  # noqa: S311 - demo content
    index = month.year * 12 + month.month
    ward = team.ward_name
    issues = [_first_lower(_issue_title(i, plan)) for i in plan.issues]
    words = {
        "ward": ward,
        "sgt": plan.officers["Sgt"][0],
        "pcso": plan.officers["PCSO"][-1],
        "road": rng.choice(plan.places["road"])[0],
        "estate": plan.places["estate"][0][0],
        "parade": plan.places["parade"][0][0],
        "issue": rng.choice(issues[:3]),
        "issue2": rng.choice(issues[3:]),
    }
    main_kind = "ward_panel" if plan.panel_every == 1 or index % 3 == plan.panel_phase else "public_meeting"
    main_venue = plan.usual if rng.random() < 0.75 else rng.choice(plan.venues)
    main_day = nth_weekday(month, plan.weekday, plan.nth)
    drafts = [
        _meeting(
            team,
            plan,
            rng,
            main_kind,
            rng.choice(MAIN_TITLES[main_kind]).format(ward=ward),
            main_day,
            plan.start,
            90 if plan.start == (18, 30) else 60,
            offset,
            {**words, "venue": main_venue},
        )
    ]
    extras = (1 if rng.random() < 0.5 else 0) + (1 if rng.random() < 0.15 else 0)
    used = {main_day}
    for _ in range(extras):
        kind = rng.choices(list(EXTRA_TITLES), weights=[35, 25, 20, 20])[0]
        venue = rng.choice([v for v in plan.venues if v.kind != "church"] or plan.venues)
        title = rng.choice(EXTRA_TITLES[kind])
        if "{venue}" in title:
            outdoor = (f"Outside {venue.name}", venue.point)
        elif "{parade}" in title:
            outdoor = (f"{words['parade']} shops", plan.places["parade"][0][1])
        else:
            outdoor = rng.choice(plan.places["road"])
        if kind == "online" or (kind == "street_briefing" and rng.random() < 0.3):
            day = nth_weekday(month, rng.randrange(4), rng.randint(1, 4))
            start, length = ((19, 0), 60) if kind == "online" else ((18, 30), 60)
        else:
            day = nth_weekday(month, 5, rng.randint(1, 4))  # a Saturday morning
            start, length = rng.choice([((10, 0), 60), ((10, 0), 120), ((10, 30), 90)])
        if day in used:
            continue
        used.add(day)
        title = title.format(ward=ward, road=outdoor[0], parade=words["parade"], venue=venue.name)
        road = words["parade"] if outdoor[0].endswith(" shops") else outdoor[0]
        extra_words = {**words, "venue": venue, "outdoor": outdoor, "road": road}
        drafts.append(_meeting(team, plan, rng, kind, title, day, start, length, offset, extra_words))

    cancel_rolls = [rng.random() for _ in drafts]
    replacement_day = main_day + timedelta(days=7 if main_day.day <= 14 else -7)
    if offset > 0:
        return drafts  # no cancellations announced yet
    if offset == plan.missed_offset:
        _cancel(drafts[0], rng)
        return drafts[:1]  # the one month this team did not meet
    for draft, roll in zip(drafts, cancel_rolls, strict=True):
        if roll < CANCEL_RATE:
            _cancel(draft, rng)
    if not any(d.held for d in drafts):
        again = _meeting(
            team,
            plan,
            rng,
            main_kind,
            drafts[0].row["title"] + " (rescheduled)",
            replacement_day,
            plan.start,
            90 if plan.start == (18, 30) else 60,
            offset,
            {**words, "venue": main_venue},
        )
        drafts.append(again)
    return drafts


def _issue_title(issue: Issue, plan: Plan) -> str:
    return issue.title.format(place=plan.places[issue.place][0][0])


# -- priorities -------------------------------------------------------------------------------------------


@dataclass
class PriorityDraft:
    row: dict
    meeting_uid: str | None
    actions: list[dict] = field(default_factory=list)


ACTORS = {
    "police": "Police",
    "council": "{borough} Council",
    "tfl": "Transport for London",
    "housing": "Local housing association",
    "watch": "Neighbourhood Watch",
}


def team_priorities(
    rng: random.Random, team: TeamLike, plan: Plan, meetings: list[MeetingDraft], ref: date, borough: str
) -> list[PriorityDraft]:
    count = rng.randint(3, 6)
    current = min(count, rng.randint(2, 3))
    agreeable = [
        m for m in meetings if m.held and m.offset < 0 and m.row["type"] in ("ward_panel", "public_meeting")
    ]
    last_day = ref - timedelta(days=1)
    drafts = []
    for i, issue in enumerate(plan.issues[:count]):
        is_current = i >= count - current
        overdue = is_current and rng.random() < OVERDUE_RATE
        if not is_current:
            months = range(-PAST_MONTHS, -5)
        elif overdue:
            months = range(-7, -3)
        else:
            months = range(-5, 0)
        month = rng.choice(months)
        how = rng.choices(["meeting", "consultation", "survey"], weights=[75, 15, 10])[0]
        candidates = [m for m in agreeable if m.offset == month]
        meeting = None
        if how == "meeting" and candidates:
            meeting = sorted(candidates, key=lambda m: (m.row["type"] != "ward_panel", m.day))[0]
            agreed_on = meeting.day
        else:
            how = "consultation" if how == "meeting" else how
            start = add_months(ref, month)
            agreed_on = _between(rng, start, add_months(start, 1) - timedelta(days=1))
        place, point = (
            plan.places[issue.place][0] if issue.place != "road" else rng.choice(plan.places["road"])
        )
        values = {"place": place, "n": rng.randint(3, 12), "a": rng.randint(8, 25), "borough": borough}
        values["b"] = rng.randint(1, values["a"] // 3)
        title = issue.title.format(**values)
        review_on = add_months(agreed_on, 3)
        reviewed_on = closed_on = outcome = None
        if not is_current:
            status = "resolved" if rng.random() < 0.7 else "closed_unresolved"
            closed_on = min(agreed_on + timedelta(days=rng.randint(85, 200)), last_day - timedelta(days=7))
            reviewed_on = closed_on
            outcome = (issue.resolved if status == "resolved" else issue.unresolved).format(**values)
        else:
            recent = agreed_on >= add_months(ref, -2)
            status = "open" if recent and rng.random() < 0.5 else "in_progress"
            if not overdue and review_on <= add_months(ref, 1):
                # Reviewed at a meeting in the last two months and kept for another three.
                later = [m for m in agreeable if m.offset >= -2 and m.day > agreed_on]
                reviewed_on = rng.choice(later).day if later else _between(rng, add_months(ref, -2), last_day)
                review_on = max(add_months(reviewed_on, 3), add_months(ref, 1) + timedelta(days=1))
        who = rng.choice(YOU_SAID["meeting" if meeting else how])
        raised = "You said: " + who.format(concern=issue.concern.format(**values)) + "."
        if meeting and meeting.row["minutes"]:
            meeting.row["minutes"] += MINUTES_AGREED.format(title=_first_lower(title))
        row = {
            "team_id": team.id,
            "title": title,
            "detail": issue.detail.format(**values),
            "raised": raised,
            "place": place,
            "latitude": point.latitude,
            "longitude": point.longitude,
            "category": issue.category,
            "agreed_on": agreed_on,
            "agreed_how": how,
            "agreed_note": AGREED_NOTES[how].format(n=rng.randint(40, 400)) if how in AGREED_NOTES else None,
            "review_on": review_on,
            "reviewed_on": reviewed_on,
            "status": status,
            "outcome": outcome,
            "closed_on": closed_on,
            "is_demo": True,
        }
        draft = PriorityDraft(row, meeting.row["uid"] if meeting else None)
        end = min(closed_on or last_day, last_day)
        pool = [("police", text) for text in issue.police] + list(issue.partners)
        first = ("police", rng.choice(issue.police))
        others = [p for p in pool if p != first]
        chosen = [first, *rng.sample(others, min(len(others), rng.randint(1, 4)))]
        days = sorted(_between(rng, agreed_on + timedelta(days=3), end) for _ in chosen)
        for (kind, text), day in zip(chosen, days, strict=True):
            values["n"] = rng.randint(3, 12)
            result = rng.choice(issue.results).format(**values) if rng.random() < 0.35 else None
            draft.actions.append(
                {
                    "acted_on": day,
                    "actor": ACTORS[kind].format(borough=borough),
                    "is_partner": kind != "police",
                    "description": text.format(**values),
                    "result": result,
                    "is_demo": True,
                }
            )
        drafts.append(draft)
    return drafts


# -- updates ----------------------------------------------------------------------------------------------


def team_updates(
    rng: random.Random, team: TeamLike, plan: Plan, priorities: list[PriorityDraft], ref: date
) -> list[dict]:
    words = {
        "ward": team.ward_name,
        "park": plan.places["park"][0][0],
        "road": plan.places["road"][0][0],
        "estate": plan.places["estate"][0][0],
        "parade": plan.places["parade"][0][0],
        "venue": plan.usual.name,
        "pcso": plan.officers["PCSO"][-1],
        "pcso_first": plan.officers["PCSO"][-1].split(" ")[1],
        "n": rng.randint(8, 30),
    }
    words["m"] = rng.randint(2, words["n"] // 2)
    published = rng.randint(4, 8)
    updates = []
    closed = [p for p in priorities if p.row["status"] == "resolved"]
    for p in closed[: rng.randint(0, min(2, len(closed)))]:
        done = " ".join(a["description"] for a in p.actions[:2])
        when = min(p.row["closed_on"] + timedelta(days=rng.randint(1, 6)), ref - timedelta(days=1))
        updates.append(
            (
                when,
                {
                    "title": PRIORITY_UPDATE.format(title=p.row["title"]),
                    "body": f"{p.row['raised']} {done} {p.row['outcome']}",
                    "results": next((a["result"] for a in p.actions if a["result"]), None),
                },
            )
        )
    for template in rng.sample(UPDATES, published - len(updates)):
        body = " ".join(
            template.body[: rng.randint(2, len(template.body))] if len(template.body) > 2 else template.body
        )
        results = rng.choice(template.results).format(**words) if template.results else ""
        month = add_months(ref, -rng.randint(1, PAST_MONTHS))
        day = _between(rng, month, add_months(month, 1) - timedelta(days=1))
        updates.append(
            (
                day,
                {
                    "title": template.title.format(**words),
                    "body": body.format(**words),
                    "results": results or None,
                },
            )
        )
    rows = []
    for day, values in sorted(updates, key=lambda u: u[0]):
        at = london_to_utc(day, rng.randint(9, 16), rng.choice([0, 15, 30, 45]))
        rows.append(
            {"team_id": team.id, **values, "status": "published", "published_at": at, "is_demo": True}
        )
    for template in rng.sample(DRAFTS, rng.choices([0, 1, 2], weights=[30, 45, 25])[0]):
        rows.append(
            {
                "team_id": team.id,
                "title": template.title.format(**words),
                "body": " ".join(template.body).format(**words),
                "results": None,
                "status": "draft",
                "published_at": None,
                "is_demo": True,
            }
        )
    return rows


# -- one team ---------------------------------------------------------------------------------------------


@dataclass
class TeamEngagement:
    meetings: list[dict]
    priorities: list[PriorityDraft]
    updates: list[dict]


def assign_uids(team_id: str, meetings: Iterable[dict]) -> list[dict]:
    """Sort by start and give each meeting its iCalendar UID: <team>-<yyyymmdd>-<n>@pledge-portal.example."""
    rows = sorted(meetings, key=lambda r: (r["starts_at"], r["type"], r["title"]))
    per_day: Counter[date] = Counter()
    for row in rows:
        day = row["starts_at"].astimezone(LONDON).date()
        per_day[day] += 1
        row["uid"] = UID.format(team=team_id, day=day, n=per_day[day])
    return rows


def team_engagement(
    seed: int | str,
    team: TeamLike,
    *,
    ref: date,
    base: dict | None,
    points: Sequence[Point],
    members: Sequence[dict],
    stems: Sequence[str],
    borough: str,
) -> TeamEngagement:
    """Everything for one team, as rows: a pure function of its arguments."""
    rng = random.Random(f"{seed}:{team.id}:engagement")  # noqa: S311 - demo content, not security
    plan = team_plan(rng, team, base, points, members, stems, borough)
    drafts = [
        d
        for offset in range(-PAST_MONTHS, AHEAD_MONTHS + 1)
        for d in month_meetings(seed, team, plan, ref, offset)
    ]
    assign_uids(team.id, [d.row for d in drafts])
    rng = random.Random(f"{seed}:{team.id}:priorities:{ref:%Y-%m}")  # noqa: S311 - demo content
    priorities = team_priorities(rng, team, plan, drafts, ref, borough)
    updates = team_updates(rng, team, plan, priorities, ref)
    meetings = sorted((d.row for d in drafts), key=lambda r: r["uid"])
    return TeamEngagement(meetings, priorities, updates)


# -- Chadwell Heath's real events --------------------------------------------------------------------------


def police_uk_meetings(path: Path = POLICE_UK_EVENTS, team_id: str = POLICE_UK_TEAM) -> list[dict]:
    """The team's real 2011 beat surgeries: title and address as published, London time stored as UTC.

    The events' descriptions ("desc1") and website (example.com) are placeholders from the carrier
    project and are left out; the API gives no end time, so we assume an hour.
    """
    rows = []
    for event in json.loads(path.read_text(encoding="utf-8-sig")):
        local = datetime.fromisoformat(event["start_date"]).replace(tzinfo=LONDON)
        starts = local.astimezone(UTC)
        name, _, address = (event.get("address") or "").partition(",")
        rows.append(
            {
                "team_id": team_id,
                "type": "surgery",
                "title": " ".join(event["title"].split()),
                "starts_at": starts,
                "ends_at": starts + timedelta(minutes=POLICE_UK_EVENT_MINUTES),
                "venue_name": name.strip() or None,
                "venue_address": address.strip() or None,
                "venue_postcode": None,
                "latitude": None,
                "longitude": None,
                "online_url": None,
                "step_free": None,
                "hearing_loop": None,
                "bsl_on_request": False,
                "access_notes": None,
                "attendees": None,
                "how_to_join": None,
                "status": "scheduled",
                "cancelled_reason": None,
                "minutes": None,
                "attendance": None,
                "is_demo": False,
            }
        )
    return assign_uids(team_id, rows)


# -- the loader -------------------------------------------------------------------------------------------


@dataclass
class EngagementCounts:
    teams: int = 0
    meetings: int = 0
    upcoming: int = 0
    cancelled: int = 0
    teams_missing_a_month: int = 0
    priorities: int = 0
    current: int = 0
    overdue: int = 0
    actions: int = 0
    published: int = 0
    drafts: int = 0
    police_uk_events: int = 0
    reference: date | None = None

    def notes(self) -> list[str]:
        return [
            f"engagement laid out around {self.reference:%B %Y} (12 months before, 4 after)",
            f"demo meetings: {self.meetings:,} ({self.upcoming:,} from this month on, "
            f"{self.cancelled:,} cancelled; {self.teams_missing_a_month:,} teams missed a month)",
            f"demo priorities: {self.priorities:,} ({self.current:,} current, {self.overdue:,} overdue "
            f"for review), with {self.actions:,} actions",
            f"demo updates: {self.published:,} published, {self.drafts:,} drafts",
            *(
                [f"Chadwell Heath ({POLICE_UK_TEAM}): {self.police_uk_events} real police.uk events (2011)"]
                if self.police_uk_events
                else []
            ),
        ]


def _chunks(items: Sequence, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _ward_points(session: Session, team_ids: Sequence[str]) -> dict[str, list[Point]]:
    points: dict[str, list[Point]] = defaultdict(list)
    for chunk in _chunks(team_ids):
        query = (
            select(Postcode.ward_code, Postcode.postcode, Postcode.latitude, Postcode.longitude)
            .where(Postcode.ward_code.in_(chunk))
            .order_by(Postcode.postcode)
        )
        for ward, postcode, lat, lng in session.execute(query):
            points[ward].append(Point(postcode, lat, lng))
    return points


def delete_engagement(session: Session, team_ids: Sequence[str], uids: Sequence[str] = ()) -> None:
    """Remove the demo meetings, priorities (with their actions) and updates of these teams."""
    options = {"synchronize_session": False}
    for chunk in _chunks(team_ids):
        demo_priorities = select(Priority.id).where(Priority.team_id.in_(chunk), Priority.is_demo)
        session.execute(
            delete(PriorityAction).where(PriorityAction.priority_id.in_(demo_priorities)),
            execution_options=options,
        )
        for model in (Priority, TeamUpdate):
            session.execute(
                delete(model).where(model.team_id.in_(chunk), model.is_demo), execution_options=options
            )
    # Meetings last, once no demo priority points at them: priority.agreed_meeting_id has no index, so each
    # deleted meeting makes SQLite scan the priority table for its ON DELETE SET NULL.
    for chunk in _chunks(team_ids):
        session.execute(
            delete(Meeting).where(Meeting.team_id.in_(chunk), Meeting.is_demo), execution_options=options
        )
    for chunk in _chunks(list(uids)):
        session.execute(delete(Meeting).where(Meeting.uid.in_(chunk)), execution_options=options)


def load_engagement(
    session: Session,
    teams: Sequence[TeamLike],
    *,
    seed: int,
    bases: dict[str, dict],
    members: Sequence[dict],
    boroughs: dict[str, str],
    police_uk: bool = False,
    today: date | None = None,
) -> EngagementCounts:
    """Replace the demo engagement of `teams` (and, with `police_uk`, Chadwell Heath's real events)."""
    ref = reference_month(today)
    counts = EngagementCounts(teams=len(teams), reference=ref)
    real = police_uk_meetings() if police_uk else []
    delete_engagement(
        session, [t.id for t in teams] + ([POLICE_UK_TEAM] if police_uk else []), [r["uid"] for r in real]
    )
    stems = [w.strip() for w in (DEMO_DIR / "place_names.txt").read_text(encoding="utf-8").splitlines()]
    stems = [w for w in stems if w and not w.startswith("#")]
    points = _ward_points(session, [t.id for t in teams])
    by_team: dict[str, list[dict]] = defaultdict(list)
    for member in members:
        by_team[member["team_id"]].append(member)

    meetings: list[dict] = list(real)
    priorities: list[PriorityDraft] = []
    updates: list[dict] = []
    for team in teams:
        done = team_engagement(
            seed,
            team,
            ref=ref,
            base=bases.get(team.id),
            points=points.get(team.id, []),
            members=by_team.get(team.id, []),
            stems=stems,
            borough=boroughs.get(team.borough_code, team.borough_code),
        )
        meetings += done.meetings
        priorities += done.priorities
        updates += done.updates
        months = {
            m["starts_at"].astimezone(LONDON).strftime("%Y-%m")
            for m in done.meetings
            if m["status"] == "scheduled"
        }
        counts.teams_missing_a_month += len(months) < PAST_MONTHS + AHEAD_MONTHS + 1

    # Core inserts (executemany, with RETURNING where ids are needed): the ORM's bulk insert would split
    # the rows into many small statements by which columns are None.
    meeting, priority = Meeting.__table__, Priority.__table__
    ids: dict[str, int] = {}
    if meetings:
        ids = dict(session.execute(insert(meeting).returning(meeting.c.uid, meeting.c.id), meetings).all())
    rows = [{**p.row, "agreed_meeting_id": ids[p.meeting_uid] if p.meeting_uid else None} for p in priorities]
    actions = []
    if rows:
        returning = insert(priority).returning(priority.c.id, sort_by_parameter_order=True)
        priority_ids = session.scalars(returning, rows).all()
        actions = [
            {**a, "priority_id": pid}
            for p, pid in zip(priorities, priority_ids, strict=True)
            for a in p.actions
        ]
    if actions:
        session.execute(insert(PriorityAction.__table__), actions)
    if updates:
        session.execute(insert(TeamUpdate.__table__), updates)

    starts = london_to_utc(ref, 0)
    demo_meetings = [m for m in meetings if m["is_demo"]]
    counts.meetings = len(demo_meetings)
    counts.upcoming = sum(m["starts_at"] >= starts for m in demo_meetings)
    counts.cancelled = sum(m["status"] == "cancelled" for m in demo_meetings)
    counts.priorities = len(rows)
    counts.current = sum(r["status"] in ("open", "in_progress") for r in rows)
    counts.overdue = sum(r["status"] in ("open", "in_progress") and r["review_on"] < ref for r in rows)
    counts.actions = len(actions)
    counts.published = sum(u["status"] == "published" for u in updates)
    counts.drafts = len(updates) - counts.published
    counts.police_uk_events = len(real)
    return counts
