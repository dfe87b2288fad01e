import pytest


def test_team_page(client):
    page = client.get("/teams/E05014058")
    assert page.status_code == 200
    assert "Chadwell Heath Safer Neighbourhood Team" in page.text
    assert "Barking and Dagenham" in page.text and "Metropolitan Police Service" in page.text
    assert 'rel="alternate" type="application/json"' in page.text


@pytest.mark.parametrize("how", ["suffix", "accept"])
def test_team_page_json_twin_from_the_same_context(client, how):
    if how == "suffix":
        response = client.get("/teams/E05014058.json")
    else:
        response = client.get("/teams/E05014058", headers={"accept": "application/json"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    data = response.json()
    assert (data["team"]["id"], data["team"]["name"]) == ("E05014058", "Chadwell Heath")
    assert data["ward"]["code"] == "E05014058" and data["borough"]["code"] == "E09000002"
    assert data["force"]["id"] == "metropolitan" and data["ward"]["postcodes"] > 100


def test_lower_case_code_works(client):
    assert client.get("/teams/e05014058").status_code == 200


@pytest.mark.parametrize("code", ["NOPE", "E05999999", "E05014058x", "%3Cscript%3E"])
def test_unknown_team_is_a_404_page(client, code):
    page = client.get(f"/teams/{code}")
    assert page.status_code == 404 and "There is no Safer Neighbourhood Team" in page.text
    assert "<script>" not in page.text


def test_unknown_team_json_is_a_404(client):
    response = client.get("/teams/E05999999.json")
    assert response.status_code == 404 and response.json()["status"] == 404


def test_city_ward_explains_who_polices_it(client):
    page = client.get("/teams/E05009288")  # a City of London ward
    assert page.status_code == 404 and "policed by the City of London Police" in page.text


def test_links_do_not_echo_the_host_header(client):
    for path in ["/teams/E05014058", "/teams/E05014058.json", "/find.json?q=RM6+4AB"]:
        response = client.get(path, headers={"host": "evil.example"})
        assert "evil.example" not in response.text
    assert client.get("/teams/E05014058.json").json()["urls"]["json"] == "/teams/E05014058.json"


def test_team_page_shows_members_base_contacts_and_neighbours(client):
    data = client.get("/teams/E05011237.json").json()  # Chadwell, Redbridge: demo content
    assert data["team"]["demo"] is True and len(data["members"]) >= 3
    assert data["contacts"]["email"].endswith(".example") and data["base"]["type"] == "station"
    assert {"Chadwell Heath", "Aldborough"} <= {n["name"] for n in data["neighbours"]}
    page = client.get("/teams/E05011237")
    assert "Demo content" in page.text and data["members"][0]["name"] in page.text
    assert data["base"]["name"] in page.text and "Last updated" in page.text
    assert 'href="/teams/E05014058">Chadwell Heath</a>' in page.text


def test_real_police_uk_record_is_not_labelled_demo(client):
    page = client.get("/teams/E05014058")
    assert "Demo content" not in page.text and "Published on data.police.uk in 2011" in page.text
    assert "ChadwellHeath.snt@met.police.uk" in page.text and "Marks Gate Police Station" in page.text


def test_photos_only_with_consent(client, loaded_db):
    from portal.models import TeamMember, record_change

    with loaded_db.sessions.begin() as session:
        member = (
            session.query(TeamMember).filter_by(team_id="E05011237").order_by(TeamMember.position).first()
        )
        member.photo_path, member.photo_consent = "/static/photos/x.jpg", False
        record_change(session, "test: photo without consent", scope="team:E05011237")
    try:
        assert client.get("/teams/E05011237.json").json()["members"][0]["photo"] is None
        with loaded_db.sessions.begin() as session:
            session.get(TeamMember, member.id).photo_consent = True
            record_change(session, "test: consent given", scope="team:E05011237")
        assert client.get("/teams/E05011237.json").json()["members"][0]["photo"] == "/static/photos/x.jpg"
    finally:
        with loaded_db.sessions.begin() as session:
            session.get(TeamMember, member.id).photo_path = None
            session.get(TeamMember, member.id).photo_consent = False
            record_change(session, "test: photo removed", scope="team:E05011237")


@pytest.mark.parametrize(("old", "new"), [("E05000029", "E05014058"), ("e05000029", "E05014058")])
def test_an_old_ward_code_redirects_permanently_to_todays_ward(client, old, new):
    response = client.get(f"/teams/{old}")
    assert response.status_code == 301 and response.headers["location"] == f"/teams/{new}"
    response = client.get(f"/teams/{old}.json")
    assert response.status_code == 301 and response.headers["location"] == f"/teams/{new}.json"


def test_an_old_ward_split_between_wards_lists_them(client):
    page = client.get("/teams/E05000347")  # Brentford (2018): no current ward holds half of it
    assert page.status_code == 200 and "Brentford ward has changed" in page.text
    data = client.get("/teams/E05000347.json").json()
    shares = [s["share"] for s in data["successors"]]
    assert shares == sorted(shares, reverse=True) and max(shares) < 0.5 and 0.95 < sum(shares) <= 1.001
    assert all(f'href="/teams/{s["team"]}"' in page.text for s in data["successors"] if s["team"])


def test_a_to_z_index(client):
    page = client.get("/teams")
    assert page.status_code == 200 and page.text.count('href="/teams/E05') == 679
    assert 'href="#letter-C"' in page.text
    data = client.get("/teams.json").json()
    assert len(data["teams"]) == 679 and data["teams"] == sorted(
        data["teams"], key=lambda t: (t["name"], t["borough"]["name"])
    )
