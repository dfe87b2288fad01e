"""Meetings, priorities, "You said, we did" and updates for each team (issue 4: being written)."""

# Mounted under /teams (paths like "/{code}/meetings") and /boroughs (feeds like "/{code}/meetings.ics").
team_routes: list = []
borough_routes: list = []
