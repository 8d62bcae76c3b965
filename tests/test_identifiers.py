"""The identifier guard: what free text about a client may and may not say.

Pure unit tests: no app, no database. flask_babel's gettext falls back to the source strings
outside an app context, which is what these assertions read.
"""

from __future__ import annotations

import pytest
from wtforms import Form, TextAreaField
from wtforms.validators import Optional

from referrals import demo_data
from referrals.identifiers import Finding, NoIdentifiers, describe, find_identifiers
from referrals.identifiers.words import COMMON_WORD_NAMES, first_names

REFUSED = [
    # Phone numbers
    ("Call her at 816-555-0134 after 5.", "phone", "816-555-0134"),
    ("Her cell is (816) 555-0134.", "phone", "(816) 555-0134"),
    ("Number: 816.555.0134", "phone", "816.555.0134"),
    ("Texted from 8165550134 last night.", "phone", "8165550134"),
    ("Reach her on +1 816 555 0134.", "phone", "+1 816 555 0134"),
    ("Left a message at 1-800-555-0199.", "phone", "1-800-555-0199"),
    ("Her cousin in London: +44 20 7946 0958.", "phone", "+44 20 7946 0958"),
    ("Mexican number +52 55 1234 5678 for her mother.", "phone", "+52 55 1234 5678"),
    ("Local line 555-0134 only.", "phone", "555-0134"),
    ("Office line 816-555-0134x12.", "phone", "816-555-0134"),
    # E-mail addresses and accounts
    ("Email maria.lopez@example.com for updates.", "email", "maria.lopez@example.com"),
    ("Her e-mail is DestinyK2009@gmail.com.", "email", "DestinyK2009@gmail.com"),
    ("Contact: maria at gmail dot com", "email", "maria at gmail dot com"),
    ("Follow her on @lil.destiny2009 for updates.", "handle", "@lil.destiny2009"),
    ("Profile: facebook.com/maria.lopez.kc", "handle", "facebook.com/maria.lopez.kc"),
    # Social Security numbers
    ("SSN 123-45-6789 on the old form.", "ssn", "123-45-6789"),
    ("Social security number 123 45 6789.", "ssn", "123 45 6789"),
    ("SSN: 123456789", "ssn", "123456789"),
    ("Found 123-45-6789 on a pay stub.", "ssn", "123-45-6789"),
    # Full dates
    ("DOB 3/14/09", "date", "3/14/09"),
    ("Born 3/14/2009 in Texas.", "date", "3/14/2009"),
    ("Date of birth: 03-14-2009.", "date", "03-14-2009"),
    ("Birth date 2009-03-14.", "date", "2009-03-14"),
    ("She was born on March 14, 2009.", "date", "March 14, 2009"),
    ("Birthday is 14 March 2009.", "date", "14 March 2009"),
    ("DOB Mar. 14th 2009.", "date", "Mar. 14th 2009"),
    ("Her birthday is March 14.", "date", "March 14"),
    ("Born 14.03.2009 in Guatemala.", "date", "14.03.2009"),
    ("Nació el 14 de marzo de 2009.", "date", "14 de marzo de 2009"),
    # Street addresses
    ("Lives at 3936 Troost Ave.", "address", "3936 Troost Ave."),
    ("Staying at 1200 E 12th St. with a friend.", "address", "1200 E 12th St."),
    ("Address 4501 Main Street, Apt 4B.", "address", "4501 Main Street, Apt 4B"),
    ("Used to live at 3936 Troost.", "address", "3936 Troost"),
    ("Mail goes to P.O. Box 1234.", "address", "P.O. Box 1234"),
    ("Apt 4B in the same building.", "address", "Apt 4B"),
    ("ZIP 64110-1234 on the lease.", "address", "ZIP 64110-1234"),
    ("Lease shows 64110-1234 as the ZIP.", "address", "64110-1234"),
    ("Kansas City, MO 64110 per the ID.", "address", "MO 64110"),
    ("Moved to 2100 Linwood Blvd last month.", "address", "2100 Linwood Blvd"),
    ("Stays at 815 w 39th st some nights.", "address", "815 w 39th st"),
    # Personal names: unambiguous first names, anywhere
    ("Maria arrived on Tuesday.", "name", "Maria"),
    ("Client Maria needs a bed.", "name", "Maria"),
    ("Jessica and her baby need shelter.", "name", "Jessica"),
    ("Referred by Ashley at the school.", "name", "Ashley"),
    ("Keisha called twice this week.", "name", "Keisha"),
    ("Guadalupe's mother called.", "name", "Guadalupe"),
    ("Tyrone is her boyfriend.", "name", "Tyrone"),
    ("Jose picked her up from court.", "name", "Jose"),
    ("María José llegó hoy.", "name", "María José"),
    ("Jayden and Aaliyah are her kids.", "name", "Aaliyah"),
    ("Maria Lopez, age 16.", "name", "Maria Lopez"),
    ("MARIA NEEDS A BED TONIGHT.", "name", "MARIA"),
    # Personal names that are also words: only with a cue or a surname
    ("Hope Williams is the client.", "name", "Hope Williams"),
    ("Client said her name is Grace.", "name", "Grace"),
    ("Client goes by Will.", "name", "Will"),
    ("Her sister Hope came with her.", "name", "Hope"),
    ("Her boyfriend Chase drove her here.", "name", "Chase"),
    ("Named Destiny, age 16.", "name", "Destiny"),
    ("Destiny Jones asked about housing.", "name", "Destiny Jones"),
    ("Will's phone was taken.", "name", "Will"),
    ("Came in with Maria and Hope.", "name", "Hope"),
    ("Her mother, April, called the hotline.", "name", "April"),
    # Other names after a title or a naming cue
    ("Ms. Johnson from the school called.", "name", "Ms. Johnson"),
    ("Met Mr. Smith at the motel.", "name", "Mr. Smith"),
    ("Known as Baby Girl on the street.", "name", "Baby Girl"),
    ('Nickname "Dre" according to her friend.', "name", "Dre"),
]

PASSED = [
    "Client is 16, ran away from home twice this year, wants to finish school.",
    "Met at the Willow Tree Room; interested in legal aid and a warm meal.",
    "Has hope of returning to school in May.",
    "Will need transportation to court next week.",
    "Grace period on rent ended; needs housing within 30 days.",
    "Referred by Veronica's Voice; speaks Spanish and some English.",
    "Gave her the hotline number 1 (888) 373-7888.",
    "Age band 16-17, Jackson County, needs 2 nights of shelter.",
    "Client code KC-7F3Q-X2M9 follow-up in 3 weeks.",
    "Lives near the I-70 corridor.",
    "Told her she can text HELP to 233733 any time.",
    "Gave the ICE tip line 1 (866) 347-2423 and the hotline 1-888-373-7888.",
    "Hotline staff (1-800-799-7233) connected her to us.",
    "Staying in a motel on Main since 2019; owes about $300.",
    "Stayed 2 nights at a motel off Troost and Prospect.",
    "Needs help with rent: $450 a month, 3 months behind.",
    "Has been in Kansas City since March 2024.",
    "Last seen in March; wants to return to school in the fall.",
    "Met last Tuesday at the drop-in; will come back on Friday.",
    "Ages of siblings 12-13; client is the oldest.",
    "Faith-based program preferred; attends church on Sundays.",
    "May need a Spanish-speaking counselor.",
    "Will Rended Heart have a bed this week?",
    "Justice Project KC can help with old fines and tickets.",
    "Cornerstones of Care offered family therapy twice a week.",
    "Restoration House farm program for minors may fit later.",
    "Magdalene KC has a waitlist of about 4 weeks.",
    "Moved from Overland Park to Olathe last year; now in Raytown.",
    "Works part-time in Lee's Summit; bus from Grandview takes 90 minutes.",
    "Went to Independence and Liberty looking for work; Gladstone next.",
    "St. James Parish hosts the meal; Johnson County and Wyandotte County are far.",
    "Summer school starts in June; autumn semester in August.",
    "Joy at seeing her little brother again; hope for reunification.",
    "Rose early to make the 8:30 court hearing.",
    "Mark the calendar: intake review in 2 weeks.",
    "Bill for the phone was paid by the program.",
    "Art therapy helped a lot; she drew a river and a star.",
    "Chase Bank closed her account; needs ID replacement.",
    "Frank conversation about safety planning; she is ready.",
    "Drew a safety plan together with the advocate.",
    "Dawn shift at the shelter reported no concerns.",
    "Precious little sleep this week; patience is running out.",
    "Charity shop gave clothes and shoes for an interview.",
    "Miles to the clinic are too many without a bus pass.",
    "Crystal meth use in the past; 6 months sober.",
    "Heaven knows she has had a hard year.",
    "Justice involvement: one municipal ticket.",
    "Angel Tree gifts for her children in December.",
    "Destiny is a word she uses often about her plans.",
    "Ivy League dreams; wants a GED first.",
    "Speaks Karen and a little English; interpreter needed.",
    "Christian counseling was offered; she declined.",
    "Medicaid application pending; SSI denied in 2023.",
    "Was in foster care in Clay County, then Platte County, then Cass County.",
    "Uses the 24 bus on Troost to get to work.",
    "Her boyfriend will drive her to appointments.",
    "Will Medicaid cover dental care?",
    "Hope House had no beds; Rose Brooks Center referred her back to us.",
    "Guadalupe Centers offers ESL classes on Tuesdays.",
    "Children's Mercy and Truman Medical Center both saw her last month.",
    "Went to St. Luke's ER on a weekend.",
    "Wants to visit family in El Salvador someday.",
    "Hours are 9-5, Monday to Friday; owes $1,200 in fines from 2021.",
    "Room 12 at the shelter is quiet; 2 beds, 30 days minimum.",
    "Client asked about the T-visa; referred to an immigration attorney.",
    "Referral note: urgent, 2-3 days, Spanish.",
    "MAY NEED BUS PASS. WILL CALL BACK.",
    "maria and hope are lower case, so they are not treated as names.",
    "Esta semana no tiene donde dormir; habla solo español.",
    "Seen at the clinic in Suite 200; next visit in 2 weeks.",
    "Judge ordered a review; Pastor at her church offered a ride.",
    "Oral surgery next week; Brain injury ruled out.",
]


@pytest.mark.parametrize(("text", "kind", "excerpt"), REFUSED)
def test_refused(text: str, kind: str, excerpt: str) -> None:
    findings = find_identifiers(text)
    assert (kind, excerpt) in [(f.kind, f.excerpt) for f in findings], findings
    assert f'"{excerpt}"' in describe(findings)


@pytest.mark.parametrize("text", PASSED)
def test_passed(text: str) -> None:
    assert find_identifiers(text) == []


def test_enough_cases() -> None:
    assert len(REFUSED) >= 50
    assert len(PASSED) >= 50
    kinds = {kind for _, kind, _ in REFUSED}
    assert kinds == {"phone", "email", "handle", "ssn", "date", "address", "name"}


@pytest.mark.parametrize("text", [None, "", "   ", "\n\t"])
def test_empty_text(text: str | None) -> None:
    assert find_identifiers(text) == []
    assert describe([]) == ""


def test_findings_in_order_deduplicated_with_labels() -> None:
    text = "Maria called from 816-555-0134, then Maria called from 816-555-0134 again."
    assert find_identifiers(text) == [
        Finding("name", "a personal name", "Maria"),
        Finding("phone", "a phone number", "816-555-0134"),
    ]


def test_describe_message() -> None:
    findings = find_identifiers("Maria can be reached at 816-555-0134.")
    assert describe(findings) == (
        'This text seems to contain a personal name ("Maria") and a phone number '
        '("816-555-0134"). Remove identifying details: use the client code instead. '
        "For example: write “her aunt”, not her name; "
        "write “has a phone, prefers texts”, not the number."
    )


def test_describe_lists_up_to_three_excerpts_per_kind() -> None:
    text = "Numbers: 816-555-0101, 816-555-0102, 816-555-0103, 816-555-0104; e-mail a@b.org."
    message = describe(find_identifiers(text))
    assert '("816-555-0101", "816-555-0102", "816-555-0103")' in message
    assert "0104" not in message
    assert "a phone number (" in message
    assert ' and an e-mail address ("a@b.org")' in message


def test_hotline_allowed_but_other_numbers_in_same_text_refused() -> None:
    findings = find_identifiers("Gave her 1 (888) 373-7888; her own number is 913-555-0188.")
    assert [(f.kind, f.excerpt) for f in findings] == [("phone", "913-555-0188")]


def test_street_without_number_passes_but_with_number_is_refused() -> None:
    assert find_identifiers("Picked up near Troost and Linwood Blvd.") == []
    assert find_identifiers("Picked up at 3100 Linwood Blvd.")[0].kind == "address"


def test_lower_case_names_are_not_names() -> None:
    assert find_identifiers("asked for maria at the desk") == []
    assert find_identifiers("asked for Maria at the desk")[0].excerpt == "Maria"


def test_name_list_comes_from_the_package() -> None:
    names = first_names()
    assert len(names) > 5000
    for name in ("maria", "jose", "josé", "ashley", "jessica", "destiny", "keisha", "guadalupe"):
        assert name in names
    assert {"hope", "grace", "will", "faith", "joy", "destiny"} <= COMMON_WORD_NAMES


def test_demo_notes_pass() -> None:
    """The demo's notes are written to pass the guard (see referrals/demo_data.py)."""
    notes = [intake.situation_note for intake in demo_data.INTAKES]
    for referral in demo_data.REFERRALS:
        notes.append(referral.note)
        notes.extend(step.note for step in referral.steps)
    assert len(notes) > 20
    for note in notes:
        assert find_identifiers(note) == [], note


class NoteForm(Form):
    note = TextAreaField("Note", validators=[Optional(), NoIdentifiers()])


class FakeFormData(dict[str, list[str]]):
    """What a request's form looks like to WTForms: ``getlist`` of values."""

    def getlist(self, key: str) -> list[str]:
        return self.get(key, [])


def test_validator_refuses_identifiers() -> None:
    form = NoteForm(FakeFormData(note=["Call Maria at 816-555-0134."]))
    assert not form.validate()
    (message,) = form.note.errors
    assert '"Maria"' in message
    assert '"816-555-0134"' in message


@pytest.mark.parametrize("note", ["Needs a bed tonight; speaks Spanish.", ""])
def test_validator_accepts_clean_or_empty_text(note: str) -> None:
    form = NoteForm(FakeFormData(note=[note]))
    assert form.validate(), form.errors


def test_validator_called_directly_with_none() -> None:
    form = NoteForm()
    form.note.data = None
    NoIdentifiers()(form, form.note)
