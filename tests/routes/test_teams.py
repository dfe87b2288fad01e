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
    assert data["team"] == {"id": "E05014058", "name": "Chadwell Heath"}
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
    assert client.get("/teams/E05014058.json").json()["links"]["json"] == "/teams/E05014058.json"
