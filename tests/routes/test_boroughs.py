def test_borough_page_lists_its_teams(client):
    page = client.get("/boroughs/E09000002")
    assert page.status_code == 200 and 'href="/teams/E05014058">Chadwell Heath</a>' in page.text
    data = client.get("/boroughs/E09000002.json").json()
    assert data["borough"] == {"code": "E09000002", "name": "Barking and Dagenham"}
    assert len(data["teams"]) == 19 and data["wards_without_met_team"] == []


def test_city_of_london_says_who_polices_it(client):
    data = client.get("/boroughs/E09000001.json").json()
    assert data["teams"] == [] and len(data["wards_without_met_team"]) == 25
    assert data["force"]["id"] == "city-of-london"
    assert "City of London Police" in client.get("/boroughs/E09000001").text


def test_every_borough_is_listed(client):
    data = client.get("/boroughs.json").json()
    assert len(data["boroughs"]) == 33 and sum(b["teams"] for b in data["boroughs"]) == 679


def test_unknown_borough_is_404(client):
    assert client.get("/boroughs/E09999999").status_code == 404
    assert client.get("/boroughs/nope.json").status_code == 404
