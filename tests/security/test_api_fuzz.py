"""A fuzz run of the JSON API from its own OpenAPI description (schemathesis, against the real server):
no request, however odd, gets a 5xx. Bounded and derandomised, so a run is repeatable."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from portal import api_openapi

neighbourhoods = schemathesis.openapi.from_dict(api_openapi.document())
pledge = schemathesis.openapi.from_dict(api_openapi.pledge_document())
FUZZ = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@neighbourhoods.parametrize()
@FUZZ
def test_the_neighbourhood_api_never_answers_5xx(case, live_server):
    case.call_and_validate(base_url=live_server + "/api", checks=[not_a_server_error], timeout=60)


@pledge.parametrize()
@FUZZ
def test_the_pledge_api_never_answers_5xx(case, live_server):
    case.call_and_validate(base_url=live_server + "/api", checks=[not_a_server_error], timeout=60)
