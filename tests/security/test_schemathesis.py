"""Schemathesis over the app's own OpenAPI schema: no generated request, valid or not, gets a 500.

(The schemathesis pytest plugin's `parametrize` does not run under this pytest version, so each
operation's hypothesis strategy is driven directly with `@given`.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error

from marsad.api.app import create_app
from tests.store.seed import seed

# Bounded so the suite stays fast on two shared cores; every operation gets this many examples.
EXAMPLES = 10


def test_no_server_error_on_any_operation(tmp_path: Path) -> None:
    app = create_app(str(tmp_path / "st.db"), read_token=False, cors_origins=[])
    seed(app.state.store)
    token = app.state.store.add_user("fuzzer")
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    tried: dict[str, set[int]] = {}

    def fuzz(operation: Any) -> None:
        label = f"{operation.method.upper()} {operation.path}"
        codes = tried.setdefault(label, set())

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: the failing request is printed as is
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def check(case: Any) -> None:
            # The reviewer token lets write routes run past authentication into validation and the store.
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            codes.add(response.status_code)
            case.validate_response(response, checks=[not_a_server_error])
            if response.status_code in (400, 404, 413, 422):
                assert response.json()["detail"], (label, response.text)  # a message, not a bare code

        check()

    for operation in operations:
        fuzz(operation)
    app.state.store.close()
    assert all(codes for codes in tried.values())
    assert any(200 in codes for codes in tried.values())
