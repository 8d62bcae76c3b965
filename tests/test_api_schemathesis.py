"""Schemathesis against /api/v1/openapi.json: every operation, with a token, positive and
negative data, on each test database. No server error, no answer outside the document.

The figures (cases per operation and in all) are printed, as CI's log should show them.
"""

from __future__ import annotations

from collections import Counter

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from referrals.enums import NotificationKind, ReferralStatus
from referrals.extensions import db
from referrals.lifecycle.models import Notification
from tests.api_support import bearer, make_side, send_referral

# A well-formed request may still be refused for the state it meets: an ETag that is not
# the current one (412) or a move the lifecycle's rules refuse, with the reason (422).
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "401", "403", "404", "409", "412", "422"]
            }
        }
    }
)
# Per operation and generation mode (and with existing ids): about 20 s a database here.
EXAMPLES = 50


def test_schemathesis_finds_no_failure(app, make_org, make_user, make_program, capsys):
    sender = make_side(app, make_org, make_user, make_program, "Sender")
    receiver = make_side(app, make_org, make_user, make_program, "Receiver")
    real = {
        "public_id": [
            send_referral(app, sender, receiver, status=status)
            for status in (ReferralStatus.REQUESTED, ReferralStatus.ACCEPTED, ReferralStatus.DRAFT)
        ],
        "program_id": [receiver.program_id, sender.program_id],
    }
    with app.app_context():
        notification = Notification(
            recipient_id=receiver.supervisor_id, kind=NotificationKind.NEW_REFERRAL
        )
        db.session.add(notification)
        db.session.commit()
        real["notification_id"] = [notification.id]

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)
    headers = bearer(receiver.supervisor_token)
    cases: Counter[str] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        names = [parameter.name for parameter in operation.path_parameters]
        # Negative data needs something to make wrong: an operation with no query, header
        # or body parameter (and only ids in its path) gets positive cases only.
        # (Authorization is fixed: the token.)
        own_headers = [header for header in operation.headers if header.name != "Authorization"]
        negatable = any((operation.query, own_headers, operation.body))
        modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if negatable else [])
        for mode in modes:
            strategies = [operation.as_strategy(generation_mode=mode, headers=headers)]
            if names and mode is GenerationMode.POSITIVE:
                # Also the records that exist, so the 200 answers are checked too.
                fixed = st.fixed_dictionaries({name: st.sampled_from(real[name]) for name in names})
                strategies.append(
                    fixed.flatmap(
                        lambda given_ids, operation=operation: operation.as_strategy(
                            headers=headers, path_parameters=given_ids
                        )
                    )
                )

            @given(case=st.one_of(strategies))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case: schemathesis.Case) -> None:
                cases[case.operation.label] += 1
                case.call_and_validate()

            run()
    with capsys.disabled():
        print(f"\nschemathesis: {sum(cases.values())} cases over {len(cases)} operations")
        for label, count in sorted(cases.items()):
            print(f"  {count:4d}  {label}")
    # Every operation of the document was exercised (the thread's two and assignment among them).
    assert len(cases) == len(list(schema.get_all_operations())) == 12
