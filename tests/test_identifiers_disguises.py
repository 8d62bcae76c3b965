"""The identifier guard v2 (issue #18): every disguise, in English and Spanish.

Pure unit tests: no app, no database (flask_babel falls back to the source strings). The
labelled evaluation set and its targets are in ``test_identifiers_eval.py``.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referrals.identifiers import LABELS, describe, find_identifiers
from referrals.identifiers.message import REPHRASE

ZW = "\u200b"  # zero-width space
WIDE = "".join(chr(0xFF10 + int(d)) for d in "9135550126")  # full-width digits

# (language, kind, note, what the refusal must quote)
DISGUISED = [
    # Phone numbers: words, digits and words, "oh", split lines, invisible characters, odd groups
    ("en", "phone", "Mom's cell: nine one three, five five five, zero one four four.", "nine one"),
    ("en", "phone", "reach her on 816 five 5 five 0 one 7 2 after work", "816 five 5"),
    ("en", "phone", "eight one six five five five oh one nine nine", "oh one nine nine"),
    ("en", "phone", "new cell 816-\n555-\n0177 (she wrote it on three lines)", "0177"),
    ("en", "phone", f"Call 8{ZW}1{ZW}6{ZW}5{ZW}5{ZW}5{ZW}0{ZW}1{ZW}6{ZW}1 tonight.", "0"),
    ("en", "phone", "Her phone (816) 55-50-1-88 is a prepaid.", "55-50-1-88"),
    ("en", "phone", f"Number {WIDE} on the form.", WIDE),
    ("en", "phone", "her # is 8one6-5five5-0one2three", "8one6-5five5-0one2three"),
    ("en", "phone", "cel 816*555*0177 or 816_555_0188", "816*555*0177"),
    ("es", "phone", "su número: 9uno3 cinco5cinco 01dos3", "9uno3 cinco5cinco 01dos3"),
    ("es", "phone", "Su cel: nueve uno tres, cinco cinco cinco, cero uno cuatro cuatro.", "nueve"),
    ("es", "phone", "llamar al ocho uno seis\n555\n0133 en la tarde", "0133"),
    ("es", "phone", f"tel 8{ZW}1{ZW}6 555 01 61, es de su tía", "555 01 61"),
    ("es", "phone", "el número es 81 65 55 01 90, solo mensajes", "81 65 55 01 90"),
    ("es", "phone", "ocho dieciséis cinco cincuenta y cinco cero uno sesenta y dos", "ocho"),
    # E-mail addresses: "at"/"dot", "arroba"/"punto", spaces inside
    ("en", "email", "email tina.k at yahoo dot com when the bed opens", "tina.k at yahoo dot com"),
    ("en", "email", "Write to TINA (AT) GMAIL (DOT) COM only.", "TINA (AT) GMAIL (DOT) COM"),
    ("en", "email", "her mail: t i n a 2 0 0 8 @ outlook . com", "@ outlook . com"),
    ("es", "email", "correo tina.k arroba yahoo punto com", "tina.k arroba yahoo punto com"),
    ("es", "email", "Escribirle a TINA (ARROBA) GMAIL (PUNTO) COM", "GMAIL (PUNTO) COM"),
    ("es", "email", "su correo es rosa_m @ hotmail . com", "rosa_m @ hotmail . com"),
    # Social media accounts after a platform's name, without "@"
    ("en", "handle", "her IG is sweet.tea.816, buyers message her there", "sweet.tea.816"),
    ("en", "handle", "snapchat - bbyjay2010", "bbyjay2010"),
    ("en", "handle", "TikTok: dancequeen_kc posts from the motel", "dancequeen_kc"),
    ("en", "handle", "paid through cashapp $kaykaycash", "$kaykaycash"),
    ("en", "handle", "on insta as rosie_bby", "rosie_bby"),
    ("es", "handle", "su IG es dulce.amor.816", "dulce.amor.816"),
    ("es", "handle", "en snap es bbyjay2010, el tratante la sigue", "bbyjay2010"),
    ("es", "handle", "TikTok: reinita_kc sube videos", "reinita_kc"),
    ("es", "handle", "le pagan por Cash App $MamiCash", "$MamiCash"),
    # Social Security numbers: the last four, spaced, in words
    ("en", "ssn", "last four of her social: 7 7 3 1", "7 7 3 1"),
    ("en", "ssn", "SSN one two three, four five, six seven eight nine", "one two three"),
    ("en", "ssn", "ss# 123 45 6789 on the card", "123 45 6789"),
    ("es", "ssn", "los últimos cuatro del seguro social: 7 7 3 1", "7 7 3 1"),
    ("es", "ssn", "seguro social uno dos tres cuatro cinco seis siete ocho nueve", "uno dos"),
    ("es", "ssn", "su seguro social es 123 45 6789", "123 45 6789"),
    # Dates of birth: words, spaced separators, "nació"
    ("en", "date", "DOB the fifth of May, two thousand eight", "fifth of May"),
    ("en", "date", "born 04 - 17 - 2009 in Topeka", "04 - 17 - 2009"),
    ("en", "date", "Birthday: October 3rd", "October 3rd"),
    ("es", "date", "nació el cinco de mayo de dos mil ocho", "cinco de mayo"),
    ("es", "date", "fecha de nacimiento 17 - 04 - 2009", "17 - 04 - 2009"),
    ("es", "date", "su cumpleaños es el 3 de octubre", "3 de octubre"),
    # Street addresses: lower case, abbreviations, unit numbers
    ("en", "address", "stays at 4120 e 31st st apt 2 with a friend", "4120 e 31st st"),
    ("en", "address", "lives on 2245 Prospect Ave, unit 6", "2245 Prospect Ave"),
    ("en", "address", "sleeps at the house on 7719 Wabash", "7719 Wabash"),
    ("es", "address", "vive en 4120 e 31st st apto 2", "4120 e 31st st"),
    ("es", "address", "se queda en la 2245 avenida Prospect", "2245 avenida Prospect"),
    ("es", "address", "está en el departamento 6B del mismo edificio", "departamento 6B"),
    # Full names: lower case, capitals, after a cue or a Spanish title
    ("en", "name", "client brittany johnson needs a bed", "brittany johnson"),
    ("en", "name", "ALYSSA RAMIREZ came in with her son", "ALYSSA RAMIREZ"),
    ("en", "name", "her sister tamika drove her here", "tamika"),
    ("en", "name", "Her real name is SHANIQUA, she goes by Nikki", "SHANIQUA"),
    ("es", "name", "la clienta brenda gutiérrez llegó sola", "brenda gutiérrez"),
    ("es", "name", "Se llama Yaritza y tiene miedo", "Yaritza"),
    ("es", "name", "Hablamos con la señora Mendoza, su tía", "señora Mendoza"),
    ("es", "name", "doña Chencha la cuida", "doña Chencha"),
    ("es", "name", "su prima Araceli Domínguez también", "Araceli Domínguez"),
    # License plates
    ("en", "plate", "blue truck, plate number RXT 4410", "RXT 4410"),
    ("en", "plate", "Kansas tag 2GHK91 on the van", "2GHK91"),
    ("es", "plate", "camioneta azul, placa RXT 4410", "RXT 4410"),
    ("es", "plate", "placas de Kansas 2GHK91", "2GHK91"),
    # Driver's license, state ID, passport, A-number
    ("en", "id_number", "driver's license R123 456 789 was taken", "R123 456 789"),
    ("en", "id_number", "passport no. 498217654 (Guatemala)", "498217654"),
    ("en", "id_number", "her A-number is 205-118-432", "205-118-432"),
    ("en", "id_number", "State ID: 8812 3344 9", "8812 3344 9"),
    ("es", "id_number", "licencia de manejar R123 456 789, vencida", "R123 456 789"),
    ("es", "id_number", "pasaporte número 498217654", "498217654"),
    ("es", "id_number", "número A 205-118-432", "205-118-432"),
    # Court and case numbers
    ("en", "case_number", "juvenile case 2216-JU00321 is set for March", "2216-JU00321"),
    ("en", "case_number", "court case number 21CR-04418", "21CR-04418"),
    ("es", "case_number", "expediente 2216-JU00321 en la corte juvenil", "2216-JU00321"),
    ("es", "case_number", "número de caso 21CR-04418", "21CR-04418"),
    # A named school with a grade (and a trait that singles the child out)
    (
        "en",
        "school",
        "8th grader at Central Middle School, the only one with a cochlear implant",
        "Central Middle School",
    ),
    (
        "es",
        "school",
        "octavo grado en la escuela Benjamin Banneker, la única con implante coclear",
        "escuela Benjamin Banneker",
    ),
]

CLEAN = [
    ("en", "Gave her the hotline 1-888-373-7888; she can also text 233733."),
    ("en", "Age band 16-17; needs 2 beds for 30 days; $450 deposit due by 5 pm Friday."),
    ("en", "Attends youth group at Grace Baptist on Wednesdays at 6:30."),
    ("en", "Uses Instagram and Snapchat; we talked about location sharing."),
    ("en", "Has a court date next week; case manager will go with her."),
    ("en", "Lost her driver's license and passport; needs help replacing them."),
    ("en", "In 9th grade; wants to stay in school."),
    ("en", "Lives near Troost and 31st in Midtown; Jackson County."),
    ("en", "She is seventeen and has two kids, ages three and five."),
    ("es", "Le dimos la línea 1-888-373-7888; también puede mandar texto al 233733."),
    ("es", "Rango 16-17; necesita 2 camas por 30 días; depósito de $450 antes de las 5."),
    ("es", "Va a la Iglesia Cristo Rey los domingos; el grupo de jóvenes la apoya."),
    ("es", "Usa Instagram y TikTok; hablamos de no compartir su ubicación."),
    ("es", "Tiene cita en la corte la próxima semana; su caso está pendiente."),
    ("es", "Perdió su licencia y su pasaporte; necesita reponerlos."),
    ("es", "Está en noveno grado; quiere seguir en la escuela."),
    ("es", "Vive cerca de Troost y la 31 en Midtown; condado de Jackson."),
    ("es", "Tiene diecisiete años y dos hijos de tres y cinco años."),
    ("es", "Esperanza de volver a estudiar; Dolores de espalda por el trabajo."),
]


@pytest.mark.parametrize(("lang", "kind", "note", "quoted"), DISGUISED)
def test_disguised_identifier_is_refused_naming_its_kind(
    lang: str, kind: str, note: str, quoted: str
) -> None:
    findings = find_identifiers(note)
    found = [finding for finding in findings if finding.kind == kind]
    assert found, (lang, findings)
    message = describe(findings)
    assert str(LABELS[kind]) in message
    assert str(REPHRASE[kind]) in message
    assert any(quoted in finding.excerpt for finding in found), found
    assert all(f'"{finding.excerpt}"' in message for finding in found[:3])


def test_every_kind_is_disguised_in_both_languages() -> None:
    covered = {(lang, kind) for lang, kind, _, _ in DISGUISED}
    assert covered == {(lang, kind) for lang in ("en", "es") for kind in LABELS}


@pytest.mark.parametrize(("lang", "note"), CLEAN)
def test_clean_note_passes(lang: str, note: str) -> None:
    assert find_identifiers(note) == [], lang


def test_excerpt_quotes_the_text_as_written() -> None:
    """Number words, invisible characters and full-width digits are quoted as typed."""
    [spoken] = find_identifiers("call eight one six, five five five, zero one three four!")
    assert spoken.excerpt == "eight one six, five five five, zero one three four"
    hidden = f"8{ZW}1{ZW}6{ZW}5{ZW}5{ZW}5{ZW}0{ZW}1{ZW}6{ZW}1"
    [invisible] = find_identifiers(f"Cell {hidden}.")
    assert invisible.excerpt == hidden


def test_public_hotlines_pass_in_words_too() -> None:
    assert find_identifiers("the hotline is one eight eight eight, three seven three, 7888") == []
    assert find_identifiers("Gave her the trafficking hotline 888 373 7888.") == []


def test_refusal_says_how_to_rephrase() -> None:
    message = describe(find_identifiers("Her aunt Lupita Navarro will pick her up."))
    assert "a personal name" in message
    assert "write “her aunt”, not her name" in message


def test_names_are_read_without_invisible_characters() -> None:
    hidden = f"Ma{ZW}ria Ló{ZW}pez"
    [finding] = find_identifiers(f"Client {hidden} came in.")
    assert (finding.kind, finding.excerpt) == ("name", hidden)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "eight",
                "oh",
                "ocho",
                "cero",
                "one",
                "uno",
                "816",
                "555",
                "0134",
                "-",
                "\n",
                ZW,
                " at ",
                " arroba ",
                " dot ",
                "punto",
                "@",
                "IG",
                "placa",
                "case",
                "DOB",
                "Maria",
                "lopez",
                "señora",
                "Apt",
                "4B",
                "$",
                "1,200",
                "3/14",
                "2009",
                "é",
                "\u0301",
                "\uff18",
                " ",
                ".",
                ",",
                "(",
                ")",
            ]
        )
        | st.text(max_size=8),
        max_size=40,
    )
)
def test_any_text_is_read_without_error_and_quoted_from_itself(parts: list[str]) -> None:
    """Whatever is typed, the guard answers, and every excerpt is a piece of the text."""
    text = "".join(parts)
    for finding in find_identifiers(text):
        assert finding.excerpt
        assert finding.excerpt in text
        assert finding.kind in LABELS
