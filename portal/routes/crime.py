"""Crime maps and figures for wards, boroughs and London (issue 5: being written)."""

# Mounted under /teams ("/{code}/crime"), /boroughs ("/{code}/crime") and at the top level ("/crime").
team_routes: list = []
borough_routes: list = []
routes: list = []
