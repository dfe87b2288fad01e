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

**Priority reviews.** Each priority's reviews fall due every REVIEW_MONTHS (3) months from the day it was
agreed, one `PriorityReview` row each (`is_demo`), and the priority agrees with them: `reviewed_on` is the
latest review done, `review_on` the review it waits for. A review that fell due before the reference month was
done on time (on its due date or up to EARLY_REVIEW_DAYS, two weeks, before) or, for about LATE_REVIEW_RATE
(15%) of them, late, LATE_REVIEW_DAYS (3 to 28 days) after; mostly at one of the team's own ward panels or
public meetings (the first one after the due date, when late), with a short note. A closed priority was
closed at its first or second review, on `closed_on`, and nothing fell due after it. A current priority has
done every review due by the first day of next month (one due in the reference month was done early, before
it began) and waits for the next; the overdue ones (OVERDUE_RATE, 10% of current priorities) wait for the
latest review that fell due before the reference month, not done, so about 6% of past due reviews are not
done.

**Explanations.** For every complete month of the past year in which a team fell short of a computed Pledge
target (no meeting held, no update published, a review due that month done late or not done), as the
scorecard's own functions (`portal.services.scorecard`) decide it from the team's rows, about EXPLAINED_RATE
(two thirds) get a demo `Explanation`: a reason and an action in plain words, from a dozen or more templates
per indicator filled with the team's own places, officers, meetings and priorities, "recorded" by the team's
demo sergeant in the first days of the next month. A meeting's reason follows why that month's meeting was
cancelled. The other third are left without one, as a real scorecard would show. Only indicators the
catalogue holds (with a target, measured for teams) are explained: with no catalogue loaded, none are. A
month a member of staff has explained is left to them.

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
from functools import cache
from pathlib import Path
from string import Formatter
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from portal import paths
from portal.models import (
    MEETING_TYPES,
    Meeting,
    Postcode,
    Priority,
    PriorityAction,
    PriorityReview,
    TeamUpdate,
)
from portal.models.pledge import Explanation, Indicator
from portal.services import scorecard
from portal.services.compliance import local_month

LONDON = ZoneInfo("Europe/London")
PAST_MONTHS = 12  # months before the reference month, with minutes and attendance
AHEAD_MONTHS = 4  # months after it
CANCEL_RATE = 1 / 12
MISSED_MONTH_RATE = 0.05  # teams that miss one past month entirely, so compliance figures vary
OVERDUE_RATE = 0.10  # current priorities left past their review date
UPDATE_MONTH_RATE = 0.85  # past months in which a team published at least one update (Pledge point 8)
REVIEW_MONTHS = 3  # a priority's reviews fall due 3, 6, 9 … months after it was agreed
LATE_REVIEW_RATE = 0.15  # past reviews done late, LATE_REVIEW_DAYS after they fell due
LATE_REVIEW_DAYS = (3, 28)  # a few days to four weeks
EARLY_REVIEW_DAYS = 14  # a review done on time is done on its due date or up to two weeks before
EARLY_REVIEW_WINDOW = 56  # one due in the reference month was done in the eight weeks before it began
REVIEW_AT_MEETING_RATE = 0.8  # reviews held at one of the team's meetings, when one falls in the window
EXPLAINED_RATE = 2 / 3  # missed targets (team and month) that the team has explained
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
REVIEW_AT = {"ward_panel": "at the ward panel", "public_meeting": "at a public meeting"}
REVIEW_ELSEWHERE = [
    "with the ward panel members by e-mail",
    "at the team's monthly tasking meeting with the council",
    "with the ward panel chair and the ward councillors",
]
REVIEW_KEPT = "residents agreed to keep it as a priority for another three months."
REVIEW_CLOSED = "the priority was closed."

# -- explanations of missed targets -----------------------------------------------------------------------
# Templates filled with the team's own words (see `team_explanations`); one is only drawn when every field it
# names is known. A meeting's explanation follows why that month's meeting was cancelled.

MEETING_CAUSES = ("venue", "incident", "weather", "officers", "building")  # by CANCELLED_REASONS, in order
MEETING_REASONS = {
    "venue": [
        "{venue} double-booked our room on the night of the {meeting}, and we could not find another room in "
        "{ward} at such short notice.",
        "We lost the room at {venue} on the day of the {meeting}, and no other venue in {ward} was free "
        "that evening.",
        "The venue was unavailable on the evening of the {meeting} and we could not rearrange it before the "
        "end of {month}.",
    ],
    "incident": [
        "Every officer on the {team} team was called to a major incident in {borough} on the evening of the "
        "{meeting}, so we had to cancel it.",
        "A serious incident in {borough} that evening needed all available officers, including ours, and the "
        "{meeting} could not go ahead.",
        "The team was sent to support colleagues at a major incident in {borough}; there was no other date "
        "left in {month} to hold the {meeting}.",
    ],
    "weather": [
        "A severe weather warning was issued for the evening of the {meeting}, and we cancelled it to keep "
        "residents safe.",
        "Snow and ice that week made it unsafe for residents, many of them older, to travel to {venue}, so "
        "the {meeting} was called off.",
        "We cancelled the {meeting} because of a severe weather warning and could not find another evening "
        "in {month}.",
    ],
    "officers": [
        "Officers from the {team} team were abstracted to a borough operation after a large public event, "
        "and too few were left to hold the {meeting}.",
        "Most of the team were moved to public order duties in central London that week, so the {meeting} "
        "could not go ahead.",
        "Sickness and leave left one officer on duty on the evening of the {meeting}: not enough to run it.",
    ],
    "building": [
        "{venue} was closed for urgent repairs, and no other venue in {ward} could take the {meeting} in "
        "{month}.",
        "The hall at {venue} was shut after a water leak, and we could not find another room in time.",
    ],
    "none": [
        "We did not arrange a public meeting in {month} while the team was without a sergeant.",
        "The team's diary for {month} was taken up by borough operations and no public meeting was arranged.",
    ],
}
MEETING_ACTIONS = {
    "venue": [
        "We have a standing booking at {venue} for the rest of the year, with {other_venue} as a back-up.",
        "The panel chair now confirms the room with {venue} a week before every meeting.",
        "We have asked {borough} Council for a second venue in {ward}, so we have somewhere to go if {venue} "
        "is not available.",
    ],
    "incident": [
        "The borough has agreed that ward panel evenings are protected from abstraction unless there is a "
        "critical incident.",
        "If the team is called away again, an officer from a neighbouring team will run the meeting.",
    ],
    "weather": [
        "In winter we will check the forecast two days before each meeting and, if needed, hold it online "
        "rather than cancel it.",
        "We phoned the residents who had said they were coming, and took their questions by e-mail.",
    ],
    "officers": [
        "The sergeant now plans leave and training around the dates of the ward panel.",
        "If the team is called away again, an officer from a neighbouring team will run the meeting.",
    ],
    "building": [
        "We have booked {other_venue} for the next three meetings while the work at {venue} is finished.",
        "We have asked {borough} Council for a second venue in {ward}, so we have somewhere to go if {venue} "
        "is not available.",
    ],
    "none": [
        "The new sergeant has set the dates of the next twelve meetings, and they are listed on this page.",
    ],
    "cancelled": [
        "The meeting moved to the first week of the next month: the {next_meeting} on {next_day_early}, "
        "which also covered {month}'s business.",
        "We told residents about the cancellation on this page and by e-mail, and {sgt} answered every "
        "question sent to the team that month.",
        "We now keep a second date in each month's diary, so a cancelled meeting can still be held in the "
        "same month.",
        "If a meeting has to be cancelled, we will hold a short online meeting on the same evening so "
        "residents can still raise their concerns.",
    ],
    "any": [
        "The {next_meeting} on {next_day} took the questions residents had saved for {month}, and its notes "
        "were sent to everyone on the panel's mailing list.",
        "We ran a street briefing at the {parade} shops instead, to hear residents' concerns in person.",
        "We added patrols on {road} and in {park} that month, the places residents had planned to raise at "
        "the meeting.",
        "The panel agreed a standing date for each meeting for the coming year, with a named officer to run "
        "it if {sgt} is away.",
        "{pcso} visited the residents' association on the {estate} to take their concerns in person.",
    ],
}
UPDATE_REASONS = [
    "{pcso}, who writes our updates, was on a training course for most of {month}, and nobody else picked "
    "it up.",
    "The team was short-staffed in {month}, with two officers abstracted to a borough operation, and the "
    "update was not written.",
    "We wrote an update about our patrols on {road} but it was left as a draft and never published.",
    "{sgt} was on annual leave for three weeks of {month}, and the update was not signed off in time.",
    "We were waiting for a charging decision before posting about the arrests on the {estate}, and by then "
    "{month} was over.",
    "Officers were moved to public order duties in central London for much of {month}, and posting here "
    "slipped.",
    "We could not post for part of {month} while the team's laptops were being replaced.",
    "We gave our news at the ward panel and on posters at {venue} in {month}, but did not post it here.",
    "A new sergeant joined the team in {month} and could not yet publish on this site.",
    "Much of {month} went on a run of burglaries in {ward}; the team put visiting victims before writing an "
    "update.",
    "The update for {month} was held back because it named a street where an investigation was still going "
    "on.",
    "We were covering a vacant PCSO post in {month}, and the update was the job that slipped.",
    "The team's news for {month} went on the borough's social media page instead of here.",
]
UPDATE_ACTIONS = [
    "{sgt} now checks on the last Friday of each month that an update has been published.",
    "{pcso} and {pc} now share writing the update, so one can cover for the other.",
    "We have put a reminder in the team's diary a week before the end of each month.",
    "We posted a catch-up on {next_update} covering {month}, with our work on {road} and in {park}.",
    "Drafts older than a week are now read at the team's weekly briefing, so none is forgotten.",
    "Every member of the team can now publish on this site, so the update no longer waits for one person.",
    "We keep a short list of news each week, so there is always something ready to post at the end of the "
    "month.",
    "From now on the update will be written straight after the ward panel, while residents' questions are "
    "fresh.",
    "We will post a short update even in a quiet month, saying where we patrolled and where to find us.",
    "The borough's engagement officer will now remind teams that have not posted by the 25th of the month.",
    "We now plan each month's update at the first team briefing of the month and publish it by the 20th.",
    "The team's news now goes on this page first and is shared on social media from here.",
    "Residents at the ward panel agreed to tell us if an update is missing; e-mail the team at any time.",
]
REVIEW_REASONS = {
    "late": [
        "The review of “{priority}” was postponed to the next {done_meeting}, on {done_at_meeting}, "
        "so that residents could attend.",
        "The {cancelled_meeting} on {cancelled_day}, where we planned to review “{priority}”, was "
        "cancelled, and the review waited until {done}.",
        "We waited for {borough} Council's figures for {place} before reviewing “{priority}”; they "
        "came late and the review was held on {done}.",
        "The review of “{priority}” was due while {sgt} was on leave; it was done on {done}, {days} "
        "days late.",
        "Officers were abstracted to a borough operation in the week the review was due; we reviewed "
        "“{priority}” on {done}.",
        "We wanted the housing association at the review of “{priority}”, and the first date they "
        "could come was {done}.",
        "Too few residents could come on the original date, so the panel chair moved the review of "
        "“{priority}” to {done}.",
    ],
    "not_done": [
        "The review of “{priority}”, due on {due}, was put off while the team dealt with a run of "
        "burglaries in {ward}, and has not been held yet.",
        "The team has been without a sergeant since the review of “{priority}” fell due on {due}, "
        "and nobody has led it.",
        "We postponed the review of “{priority}” to hear from {borough} Council about {place}, and "
        "have not yet set a new date.",
        "The review of “{priority}”, due on {due}, was missed when the team's officers were moved to "
        "a borough operation.",
        "The panel chair stood down, and the review of “{priority}” is waiting until a new chair is chosen.",
        "The review of “{priority}”, due on {due}, was left off the panel's agenda by mistake.",
    ],
}
REVIEW_ACTIONS = {
    "late": [
        "Review dates are now set to fall just after a ward panel, so residents can always take part.",
        "We now agree the date of each review at the meeting where the priority is set, and publish it here.",
        "A PC will now stand in for the sergeant at reviews during leave, so they go ahead on time.",
    ],
    "not_done": [
        "We will review “{priority}” at the {next_meeting} on {next_day} and report the outcome "
        "on this page.",
        "Until it is reviewed, we are carrying on with the actions agreed for “{priority}” on {place}.",
        "We have written to everyone on the panel's mailing list with a new date for the review.",
    ],
    "any": [
        "Every priority's review date now goes on the ward panel's agenda a month ahead.",
        "{sgt} keeps a list of review dates and checks it at the team's weekly briefing.",
        "If a review cannot be held at the ward panel, we will ask residents by e-mail before the due date "
        "instead of waiting.",
        "The deputy panel chair will now lead reviews when the chair cannot.",
        "The team's diary now carries each review date, with a reminder two weeks before.",
        "Residents can see every review date on this page; tell us if one passes without a review.",
        "The borough's neighbourhood inspector now checks each month that every team's reviews are up to "
        "date.",
    ],
}


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
    reviews: list[dict] = field(default_factory=list)  # PriorityReview rows, by due date, without the id


ACTORS = {
    "police": "Police",
    "council": "{borough} Council",
    "tfl": "Transport for London",
    "housing": "Local housing association",
    "watch": "Neighbourhood Watch",
}


def review_due(agreed_on: date, n: int) -> date:
    """When the nth review of a priority agreed on `agreed_on` falls due: every REVIEW_MONTHS months."""
    return add_months(agreed_on, REVIEW_MONTHS * n)


def _review_note(rng: random.Random, meeting: MeetingDraft | None, closing: bool) -> str:
    where = REVIEW_AT[meeting.row["type"]] if meeting else rng.choice(REVIEW_ELSEWHERE)
    return f"Reviewed {where}; {REVIEW_CLOSED if closing else REVIEW_KEPT}"


def _review_on(
    rng: random.Random, start: date, end: date, meetings: Sequence[MeetingDraft], *, first: bool = False
) -> tuple[date, MeetingDraft | None]:
    """A day from start to end: mostly one of the team's held meetings in that window (the first one when
    `first`, as for a review put off to the next meeting), else any day."""
    held = sorted((m for m in meetings if start <= m.day <= end), key=lambda m: m.day)
    if held and rng.random() < REVIEW_AT_MEETING_RATE:
        meeting = held[0] if first else rng.choice(held)
        return meeting.day, meeting
    return _between(rng, start, end), None


def _past_review(
    rng: random.Random,
    due: date,
    after: date,
    before: date,
    meetings: Sequence[MeetingDraft],
    *,
    closing: bool = False,
) -> dict:
    """A review that fell due before the reference month, done after `after` and by `before`: on time (up to
    EARLY_REVIEW_DAYS before it was due) or, at LATE_REVIEW_RATE, LATE_REVIEW_DAYS after it (when there is
    room before `before`)."""
    soonest_late = due + timedelta(days=LATE_REVIEW_DAYS[0])
    late = rng.random() < LATE_REVIEW_RATE and soonest_late <= before
    if late:
        start, end = soonest_late, min(due + timedelta(days=LATE_REVIEW_DAYS[1]), before)
    else:
        end = min(due, before)
        start = min(max(due - timedelta(days=EARLY_REVIEW_DAYS), after + timedelta(days=1)), end)
    day, meeting = _review_on(rng, start, end, meetings, first=late)
    return {"due_on": due, "reviewed_on": day, "note": _review_note(rng, meeting, closing), "is_demo": True}


def closed_reviews(
    rng: random.Random, agreed_on: date, meetings: Sequence[MeetingDraft], before: date
) -> list[dict]:
    """The reviews of a priority closed at its first or second review (done by `before`); the last one is
    the review that closed it, so nothing falls due after it."""
    count = 2 if rng.random() < 0.5 and review_due(agreed_on, 2) <= before else 1
    reviews, after = [], agreed_on
    for n in range(1, count + 1):
        review = _past_review(rng, review_due(agreed_on, n), after, before, meetings, closing=n == count)
        reviews.append(review)
        after = review["reviewed_on"]
    return reviews


def current_reviews(
    rng: random.Random, agreed_on: date, meetings: Sequence[MeetingDraft], ref: date, *, overdue: bool
) -> list[dict]:
    """The reviews of a current priority, ending with the one it waits for (not done). An overdue priority
    waits for a review that fell due before the reference month; any other has done every review due by
    the first day of next month (one due in the reference month or on that day was done early, before it
    began) and waits for one due after it."""
    last_day, horizon = ref - timedelta(days=1), add_months(ref, 1)
    reviews, after, n = [], agreed_on, 1
    while True:
        due = review_due(agreed_on, n)
        if (review_due(agreed_on, n + 1) >= ref) if overdue else (due > horizon):
            reviews.append({"due_on": due, "reviewed_on": None, "note": None, "is_demo": True})
            return reviews
        if due < ref:
            review = _past_review(rng, due, after, last_day, meetings)
        else:
            start = min(max(due - timedelta(days=EARLY_REVIEW_WINDOW), after + timedelta(days=1)), last_day)
            day, meeting = _review_on(rng, start, last_day, meetings)
            review = {"due_on": due, "reviewed_on": day, "note": _review_note(rng, meeting, False)}
            review["is_demo"] = True
        reviews.append(review)
        after, n = review["reviewed_on"], n + 1


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
        closed_on = outcome = None
        if not is_current:
            status = "resolved" if rng.random() < 0.7 else "closed_unresolved"
            outcome = (issue.resolved if status == "resolved" else issue.unresolved).format(**values)
            reviews = closed_reviews(rng, agreed_on, agreeable, last_day - timedelta(days=7))
            closed_on = reviews[-1]["reviewed_on"]
        else:
            recent = agreed_on >= add_months(ref, -2)
            status = "open" if recent and rng.random() < 0.5 else "in_progress"
            reviews = current_reviews(rng, agreed_on, agreeable, ref, overdue=overdue)
        done = [r["reviewed_on"] for r in reviews if r["reviewed_on"]]
        reviewed_on = done[-1] if done else None
        review_on = reviews[-1]["due_on"]  # the next due (not done), or for a closed one, its last review
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
        draft = PriorityDraft(row, meeting.row["uid"] if meeting else None, reviews=reviews)
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
    covered = {(d.year, d.month) for d, _values in updates}
    chosen = [
        month
        for back in range(1, PAST_MONTHS + 1)
        if rng.random() < UPDATE_MONTH_RATE
        and ((month := add_months(ref, -back)).year, month.month) not in covered
    ]
    templates = rng.sample(UPDATES, len(UPDATES))
    for number, month in enumerate(chosen):
        template = templates[number % len(templates)]
        body = " ".join(
            template.body[: rng.randint(2, len(template.body))] if len(template.body) > 2 else template.body
        )
        results = rng.choice(template.results).format(**words) if template.results else ""
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


# -- explanations of missed targets -----------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A computed indicator from the catalogue, as the scorecard judges a team's figure against it."""

    code: str
    target: float
    direction: str
    tolerance: float | None

    def missed(self, count: scorecard.Count) -> bool:
        """Short of the target (the scorecard's "missed" or "close"): a team and month to explain."""
        found = scorecard.status(count.value, self.target, self.direction, self.tolerance)
        return found in (scorecard.MISSED, scorecard.CLOSE)


def computed_targets(session: Session) -> dict[str, Target]:
    """The indicators this portal computes that the catalogue holds, with a target, measured for teams."""
    query = select(
        Indicator.code, Indicator.target, Indicator.direction, Indicator.tolerance, Indicator.levels
    ).where(Indicator.code.in_(scorecard.COMPUTED))
    return {
        code: Target(code, target, direction, tolerance)
        for code, target, direction, tolerance, levels in session.execute(query)
        if target is not None and "team" in levels.split(",")
    }


def explained_months(ref: date) -> tuple[date, date]:
    """The complete months of the generated year: the first and the last."""
    return add_months(ref, -PAST_MONTHS), add_months(ref, -1)


def team_misses(
    targets: dict[str, Target], ref: date, meetings: Sequence, updates: Sequence, reviews: Sequence
) -> list[tuple[str, date]]:
    """(indicator code, month) for each complete month of the generated year in which the team fell short
    of a computed target, decided by the scorecard's own functions (rows or mappings; reviews not done
    count as late once due before the reference month)."""
    first, last = explained_months(ref)
    figures = {
        scorecard.MEETINGS: lambda: scorecard.meeting_held_each_month(meetings, first, last),
        scorecard.UPDATES: lambda: scorecard.update_published_each_month(updates, first, last),
        scorecard.REVIEWS: lambda: scorecard.reviews_on_time_each_month(reviews, first, last, ref),
    }
    return [
        (code, month)
        for code in sorted(targets)
        if code in figures
        for month, count in sorted(figures[code]().items())
        if targets[code].missed(count)
    ]


def _local(value: datetime) -> datetime:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(LONDON)


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@cache
def _fields(template: str) -> frozenset[str]:
    return frozenset(name for _text, name, _spec, _conv in Formatter().parse(template) if name)


class Deck:
    """A team's own order of each list of templates, dealt in turn by month, so that a team that misses
    a target month after month does not give the same words each time."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.orders: dict[str, list[str]] = {}

    def fill(self, name: str, templates: Sequence[str], words: dict[str, str], month: date) -> str:
        """The month's template from `name` (one whose every field is known), filled in."""
        if name not in self.orders:
            rng = random.Random(f"{self.key}:{name}")  # noqa: S311 - demo content
            self.orders[name] = rng.sample(list(templates), len(templates))
        usable = [t for t in self.orders[name] if _fields(t) <= words.keys()]
        return usable[(month.year * 12 + month.month) % len(usable)].format(**words)


def _kind(meeting_type: str) -> str:
    return MEETING_TYPES.get(meeting_type, "Meeting").lower()


def _meeting_texts(
    deck: Deck, words: dict, meetings: Sequence, month: date, ref: date, venues: Sequence[str]
) -> tuple[str, str, date | None]:
    """The reason and action for a month without a meeting, and the last day they mention."""
    ordered = sorted(meetings, key=lambda m: _local(m["starts_at"]))
    cancelled = [
        m for m in ordered if m["status"] == "cancelled" and local_month(_local(m["starts_at"])) == month
    ]
    cause = "none"
    if cancelled:
        first = cancelled[0]
        if first["cancelled_reason"] in CANCELLED_REASONS:
            cause = MEETING_CAUSES[CANCELLED_REASONS.index(first["cancelled_reason"])]
        words["meeting"] = _kind(first["type"])
        words["venue"] = first["venue_name"] or words["venue"]
    words.setdefault("meeting", "ward panel")
    others = [name for name in venues if name != words["venue"]]
    if others:
        words["other_venue"] = others[0]
    following, not_before = add_months(month, 1), None
    held = (m for m in ordered if m["status"] != "cancelled" and _local(m["starts_at"]).date() >= following)
    after = next(held, None)
    if after is not None and _local(after["starts_at"]).date() < ref:  # told as past: held before ref
        not_before = _local(after["starts_at"]).date()
        words["next_meeting"], words["next_day"] = _kind(after["type"]), _day(not_before)
        if not_before.replace(day=1) == following and not_before.day <= 7:
            words["next_day_early"] = words["next_day"]
    actions = MEETING_ACTIONS[cause] + (MEETING_ACTIONS["cancelled"] if cancelled else [])
    actions += MEETING_ACTIONS["any"]
    return (
        deck.fill(f"meeting-reasons-{cause}", MEETING_REASONS[cause], words, month),
        deck.fill(f"meeting-actions-{cause}-{bool(cancelled)}", actions, words, month),
        not_before,
    )


def _update_texts(
    deck: Deck, words: dict, published: Sequence[date], month: date
) -> tuple[str, str, date | None]:
    """The reason and action for a month without an update, and the last day they mention."""
    following = add_months(month, 1)
    catch_up = next((day for day in published if day.replace(day=1) == following), None)
    if catch_up:
        words["next_update"] = _day(catch_up)
    return (
        deck.fill("update-reasons", UPDATE_REASONS, words, month),
        deck.fill("update-actions", UPDATE_ACTIONS, words, month),
        catch_up,
    )


def _review_texts(
    deck: Deck, words: dict, reviews: Sequence, meetings: Sequence, month: date, ref: date
) -> tuple[str, str, date | None] | None:
    """The reason and action for a month with a review done late or not done (the first such review due in
    it), and the last day they mention; None if there is none."""
    following = add_months(month, 1)
    missed = sorted(
        (
            r
            for r in reviews
            if month <= r["due_on"] < following
            and (r["reviewed_on"] > r["due_on"] if r["reviewed_on"] else r["due_on"] < ref)
        ),
        key=lambda r: (r["due_on"], r["title"]),
    )
    if not missed:
        return None
    review = missed[0]
    due, done = review["due_on"], review["reviewed_on"]
    kind = "late" if done else "not_done"
    words.update(priority=review["title"], place=review["place"] or words["ward"], due=_day(due))
    panels = sorted(
        (_local(m["starts_at"]).date(), m["status"], _kind(m["type"]))
        for m in meetings
        if m["type"] in ("ward_panel", "public_meeting")
    )
    if done:
        words["done"], words["days"] = _day(done), str((done - due).days)
        at_meeting = [what for day, status, what in panels if day == done and status != "cancelled"]
        if at_meeting:
            words["done_meeting"], words["done_at_meeting"] = at_meeting[0], words["done"]
        called_off = [
            (day, what)
            for day, status, what in panels
            if status == "cancelled" and due - timedelta(days=EARLY_REVIEW_DAYS) <= day < done
        ]
        if called_off:
            words["cancelled_meeting"], words["cancelled_day"] = called_off[0][1], _day(called_off[0][0])
    else:
        upcoming = next(
            ((day, what) for day, status, what in panels if day >= ref and status != "cancelled"), None
        )
        if upcoming:
            words["next_meeting"], words["next_day"] = f"next {upcoming[1]}", _day(upcoming[0])
    actions = REVIEW_ACTIONS[kind] + REVIEW_ACTIONS["any"]
    return (
        deck.fill(f"review-reasons-{kind}", REVIEW_REASONS[kind], words, month),
        deck.fill(f"review-actions-{kind}", actions, words, month),
        done,
    )


def signed_by(team: TeamLike, plan: Plan) -> str:
    """Who records the team's explanations: its (demo) sergeant, else another named officer."""
    named = [o for rank in ("Sgt", "PC", "PCSO") for o in plan.officers[rank] if o.startswith(f"{rank} ")]
    who = f"{named[0]}, " if named else ""
    return f"{who}{team.name} SNT (demo)"[:120]


def team_explanations(
    seed: int | str,
    team: TeamLike,
    ref: date,
    targets: dict[str, Target],
    *,
    plan: Plan,
    borough: str,
    meetings: Sequence,
    updates: Sequence,
    reviews: Sequence,
    explained: Iterable[tuple[str, date]] = (),
) -> tuple[int, list[dict]]:
    """(how many team-months missed a computed target, the explanations of about EXPLAINED_RATE of them).
    Rows are mappings; reviews carry their priority's title and place. Whether a month is explained, and
    when, comes from a generator seeded with (seed, team, indicator, month), and its words from the team's
    own order of the templates, dealt by month: so they stay the same when the reference month moves on
    and the miss remains. Months in `explained` (by staff) are left alone."""
    misses = team_misses(targets, ref, meetings, updates, reviews)
    done = set(explained)
    base = {
        "team": team.name,
        "ward": team.ward_name,
        "borough": borough,
        "venue": plan.usual.name,
        "road": plan.places["road"][0][0],
        "park": plan.places["park"][0][0],
        "estate": plan.places["estate"][0][0],
        "parade": plan.places["parade"][0][0],
    }
    for key, rank, index in (("sgt", "Sgt", 0), ("pc", "PC", 0), ("pcso", "PCSO", -1)):
        if plan.officers[rank][index].startswith(f"{rank} "):  # not the "Officers from …" fallback
            base[key] = plan.officers[rank][index]
    rows: list[dict] = []
    published: list[date] = []  # the days updates were published, once needed
    last_day = ref - timedelta(days=1)
    recorded_by = signed_by(team, plan)
    deck = Deck(f"{seed}:{team.id}:explanations")
    for code, month in misses:
        if (code, month) in done:
            continue
        rng = random.Random(f"{seed}:{team.id}:explanation:{code}:{month:%Y-%m}")  # noqa: S311 - demo content
        if rng.random() >= EXPLAINED_RATE:
            continue
        words = {**base, "month": f"{month:%B %Y}"}
        if code == scorecard.MEETINGS:
            reason, action, mentioned = _meeting_texts(
                deck, words, meetings, month, ref, [v.name for v in plan.venues]
            )
        elif code == scorecard.UPDATES:
            published = published or sorted(
                _local(u["published_at"]).date()
                for u in updates
                if u["status"] == "published" and u["published_at"] is not None
            )
            reason, action, mentioned = _update_texts(deck, words, published, month)
        else:
            texts = _review_texts(deck, words, reviews, meetings, month, ref)
            if texts is None:  # short of the target with every review on time: nothing to say
                continue
            reason, action, mentioned = texts
        # Recorded in the first days of the next month, after the days it mentions (never after the load).
        day = add_months(month, 1) + timedelta(days=rng.randint(1, 12))
        day = min(max(day, mentioned + timedelta(days=1)) if mentioned else day, last_day)
        at = london_to_utc(day, rng.randint(9, 16), rng.choice([0, 15, 30, 45]))
        rows.append(
            {
                "indicator_code": code,
                "area_code": team.id,
                "month": month,
                "reason": reason,
                "action": action,
                "recorded_by": recorded_by,
                "is_demo": True,
                "recorded_at": at,
                "updated_at": at,
            }
        )
    return len(misses), rows


# -- one team ---------------------------------------------------------------------------------------------


@dataclass
class TeamEngagement:
    meetings: list[dict]
    priorities: list[PriorityDraft]
    updates: list[dict]
    plan: Plan


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
    return TeamEngagement(meetings, priorities, updates, plan)


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
    reviews: int = 0
    reviews_due: int = 0  # fell due before the reference month
    reviews_late: int = 0
    reviews_not_done: int = 0
    targets: tuple[str, ...] = ()  # the computed indicators found in the catalogue
    misses: int = 0  # team-months short of one of those targets
    explained: int = 0  # of which the demo explains
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
            f"demo priority reviews: {self.reviews:,}; of the {self.reviews_due:,} due before "
            f"{self.reference:%B %Y}, {self.reviews_late:,} done late and {self.reviews_not_done:,} not done",
            f"demo explanations: {self.explained:,} of {self.misses:,} missed targets (team and month) "
            f"explained, for {', '.join(self.targets)}"
            if self.targets
            else "demo explanations: none (the indicator catalogue has no computed indicators yet)",
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


@dataclass
class KeptRows:
    """What the teams still have after their demo rows are deleted (written by staff), as mappings: it
    counts on the scorecard too, so it decides which months missed a target."""

    meetings: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    updates: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    reviews: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    explained: dict[str, set[tuple[str, date]]] = field(default_factory=lambda: defaultdict(set))


def kept_rows(session: Session, team_ids: Sequence[str]) -> KeptRows:
    kept = KeptRows()
    for chunk in _chunks(team_ids):
        query = select(
            Meeting.team_id,
            Meeting.starts_at,
            Meeting.status,
            Meeting.type,
            Meeting.venue_name,
            Meeting.cancelled_reason,
        ).where(Meeting.team_id.in_(chunk))
        for row in session.execute(query).mappings():
            kept.meetings[row["team_id"]].append(dict(row))
        query = select(TeamUpdate.team_id, TeamUpdate.published_at, TeamUpdate.status).where(
            TeamUpdate.team_id.in_(chunk)
        )
        for row in session.execute(query).mappings():
            kept.updates[row["team_id"]].append(dict(row))
        query = (
            select(Priority.team_id, Priority.title, Priority.place, PriorityReview.due_on)
            .add_columns(PriorityReview.reviewed_on)
            .join(Priority, PriorityReview.priority_id == Priority.id)
            .where(Priority.team_id.in_(chunk))
        )
        for row in session.execute(query).mappings():
            kept.reviews[row["team_id"]].append(dict(row))
        query = select(Explanation.area_code, Explanation.indicator_code, Explanation.month).where(
            Explanation.area_code.in_(chunk)
        )
        for area, code, month in session.execute(query):
            kept.explained[area].add((code, month))
    return kept


def delete_engagement(session: Session, team_ids: Sequence[str], uids: Sequence[str] = ()) -> None:
    """Remove the demo meetings, priorities (with their actions and reviews), updates and explanations of
    these teams."""
    options = {"synchronize_session": False}
    for chunk in _chunks(team_ids):
        demo_priorities = select(Priority.id).where(Priority.team_id.in_(chunk), Priority.is_demo)
        for child in (PriorityAction, PriorityReview):  # part of their demo priority, whoever wrote them
            session.execute(
                delete(child).where(child.priority_id.in_(demo_priorities)), execution_options=options
            )
        session.execute(
            delete(Explanation).where(Explanation.area_code.in_(chunk), Explanation.is_demo),
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
    targets = computed_targets(session)
    kept = kept_rows(session, [t.id for t in teams]) if targets else KeptRows()
    counts.targets = tuple(sorted(targets))
    by_team: dict[str, list[dict]] = defaultdict(list)
    for member in members:
        by_team[member["team_id"]].append(member)

    meetings: list[dict] = list(real)
    priorities: list[PriorityDraft] = []
    updates: list[dict] = []
    explanations: list[dict] = []
    for team in teams:
        borough = boroughs.get(team.borough_code, team.borough_code)
        done = team_engagement(
            seed,
            team,
            ref=ref,
            base=bases.get(team.id),
            points=points.get(team.id, []),
            members=by_team.get(team.id, []),
            stems=stems,
            borough=borough,
        )
        meetings += done.meetings
        priorities += done.priorities
        updates += done.updates
        if targets:
            reviews = [
                {**r, "title": p.row["title"], "place": p.row["place"]}
                for p in done.priorities
                for r in p.reviews
            ]
            misses, rows = team_explanations(
                seed,
                team,
                ref,
                targets,
                plan=done.plan,
                borough=borough,
                meetings=done.meetings + kept.meetings[team.id],
                updates=done.updates + kept.updates[team.id],
                reviews=reviews + kept.reviews[team.id],
                explained=kept.explained[team.id],
            )
            counts.misses += misses
            explanations += rows
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
    actions, reviews = [], []
    if rows:
        returning = insert(priority).returning(priority.c.id, sort_by_parameter_order=True)
        priority_ids = session.scalars(returning, rows).all()
        for p, pid in zip(priorities, priority_ids, strict=True):
            actions += [{**a, "priority_id": pid} for a in p.actions]
            reviews += [{**r, "priority_id": pid} for r in p.reviews]
    for model, values in (
        (PriorityAction, actions),
        (PriorityReview, reviews),
        (TeamUpdate, updates),
        (Explanation, explanations),
    ):
        if values:
            session.execute(insert(model.__table__), values)

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
    due = [r for r in reviews if r["due_on"] < ref]
    counts.reviews, counts.reviews_due = len(reviews), len(due)
    counts.reviews_late = sum(r["reviewed_on"] is not None and r["reviewed_on"] > r["due_on"] for r in due)
    counts.reviews_not_done = sum(r["reviewed_on"] is None for r in due)
    counts.explained = len(explanations)
    counts.police_uk_events = len(real)
    return counts
