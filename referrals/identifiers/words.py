"""Word lists for the identifier guard (``referrals.identifiers``), in English and Spanish.

First names come from a maintained list shipped on PyPI (``gender-guesser``'s ``nam_dict.txt``,
about 45,000 names with their frequency per country); everything here is the *public* side:
words that are names but also ordinary English, the coalition's organizations and places,
street words and the hotline numbers caseworkers hand out. Word sets are lower case; phrases
and titles are written as they appear in a text.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources

# Columns of nam_dict.txt's frequency table (0-based from column 31) that we keep: Great
# Britain, Ireland, U.S.A., Portugal and Spain. Other countries' lists are full of short words
# that are ordinary English ("the", "so", "long", "young" are given names somewhere), which
# would make every sentence start look like a name.
NAME_COUNTRY_COLUMNS = (0, 1, 2, 5, 6)


def fold_accents(word: str) -> str:
    """``josé`` -> ``jose``: caseworkers often type names without accents."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@cache
def first_names() -> frozenset[str]:
    """Lower-case first names common in the U.S., the U.K., Ireland, Spain and Portugal."""
    data = resources.files("gender_guesser").joinpath("data", "nam_dict.txt")
    names: set[str] = set()
    for line in data.read_text(encoding="utf-8").splitlines():
        # '#' comments, '=' equivalence lines, '+' in column 30 duplicates with expanded umlauts.
        if line[:1] in "#=" or len(line) < 37 or line[29] == "+":
            continue
        frequencies = line[30:]
        if all(frequencies[column] == " " for column in NAME_COUNTRY_COLUMNS):
            continue
        name = line[3:29].strip().replace("+", "").casefold()  # "Jo+Ann" stands for "Joann" too
        if name and " " not in name:
            names.add(name)
            names.add(fold_accents(name))
    return frozenset(names)


@cache
def surnames() -> frozenset[str]:
    """Lower-case U.S. surnames, accents folded (``data/surnames.txt`` says where from)."""
    text = resources.files("referrals.identifiers").joinpath("data", "surnames.txt")
    lines = text.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Names that are also ordinary English words. Written in a sentence they pass unless something
# marks them as a name: a cue ("named Hope", "her sister Grace", "texted Will"), a surname
# ("Hope Williams"), a possessive ("Will's phone"). Derived from the name list intersected with
# two English dictionaries (Webster's 1934 and GCIDE, as packaged by ``english-words``), then
# pruned by hand of words whose dictionary sense is rare: a "maria" is a lunar sea, "tyrone" and
# "abigail" are in Webster's too, and those count as names everywhere. The last line holds
# Spanish words that start sentences ("Esta semana ...", "Ella vive ...").
COMMON_WORD_NAMES = _words(
    """
    hope grace faith joy charity patience prudence chastity mercy honor honour justice liberty
    unity harmony serenity trinity destiny genesis heaven essence felicity verity miracle
    precious sincere noble earnest loyal royal cherish bliss victory treasure unique journey
    summer autumn spring winter easter
    rose lily iris ivy daisy violet hazel heather holly fern willow olive pearl ruby amber crystal
    jade opal coral jewel diamond emerald ivory ginger honey candy cherry berry sky star storm
    stormy river brook forest meadow clay stone rock rocky dawn sunny sunshine blossom basil
    sage angel raven robin dove sandy dusty rusty misty windy velvet melody lyric cadence ebony
    magnolia aspen echo ember
    will mark bill sue pat art rich ray drew chase frank jack hunter miles carol eve chance
    grant guy gene dean judge major ward price key king queen prince princess lane reed rush
    wade walker porter chip buck bud buddy buzz blaze dot tab kit skip penny gay haven hardy
    merry bee bell chuck colt cliff gale gray grey herb van red gold golden sterling bishop
    deacon baker page case cash sonny foster win con valentine eden noble mac non meta max
    oral brain ear pastor nike corona
    ella esta era hay una del tia amor salud
    esperanza dolores rosario luz paz sol cruz mercedes consuelo amparo socorro soledad remedios
    pilar fe caridad gloria victoria angeles ángeles trinidad concepción asunción encarnación
    reina blanca alba aurora estrella luna cielo rocío milagros violeta margarita paloma perla
    celeste clara pura flor dulce alegría felicidad nieves natividad belén rosa santos salvador
    león domingo mar con al les
    """
)

# Months, places and languages are capitalised by rule. Those that are also first names ("May",
# "April", "Jackson", "Austin", "Karen") count as names only after a title, a naming cue or a
# relative ("her sister April"), or before a surname. Days of the week never do.
MONTHS = _words(
    """
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre
    diciembre
    """
)
WEEKDAYS = _words(
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs "
    "fri sat sun"
)

# Places of the Kansas City area (and a few more) that are also first names.
PLACE_WORDS = _words(
    """
    kansas missouri jackson johnson clay cass platte wyandotte lee liberty independence
    gladstone olathe grandview raytown shawnee lawrence lincoln clinton belton raymore lenexa
    leawood merriam kearney harrisonville leavenworth topeka wichita columbia springfield
    troost prospect paseo linwood benton cleveland campbell harrison brooklyn charlotte gillham
    wornall swope truman india kenya asia argentina china virginia georgia carolina montana
    dakota austin dallas houston phoenix denver paris london sierra jordan chad israel florence
    chelsea sydney savannah orlando salem troy camden memphis nashville tulsa omaha america
    americas lima aurora alexandria geneva lafayette
    """
)

# Languages and nationalities are capitalised and never surnames after a name word.
LANGUAGE_WORDS = _words(
    """
    english spanish french arabic swahili somali vietnamese mandarin cantonese chinese creole
    haitian portuguese tagalog korean russian ukrainian nepali burmese karen dari pashto farsi
    hindi urdu amharic tigrinya kinyarwanda hmong lao thai asl american mexican honduran
    guatemalan salvadoran cuban african asian latina latino latinx hispanic black white native
    indigenous catholic christian muslim jewish baptist methodist jesus christ god allah
    """
)

# Organizations and places of this coalition and city that contain name words. Matched
# case-insensitively as whole phrases; an apostrophe may be straight, curly or missing.
PUBLIC_PHRASES = (
    "Veronica's Voice",
    "Magdalene KC",
    "Magdalene House",
    "Rended Heart",
    "Restoration House",
    "Cornerstones of Care",
    "Justice Project KC",
    "Justice Project",
    "Willow Tree Room",
    "St. James Parish",
    "Saint James Parish",
    "Jackson County",
    "Johnson County",
    "Wyandotte County",
    "Clay County",
    "Platte County",
    "Cass County",
    "Kansas City",
    "Overland Park",
    "Lee's Summit",
    "Blue Springs",
    "Grain Valley",
    "Prairie Village",
    "Excelsior Springs",
    "Bonner Springs",
    "Guadalupe Centers",
    "Guadalupe Center",
    "Mattie Rhodes",
    "Rose Brooks",
    "Hope House",
    "Hope Haven",
    "Synergy Services",
    "Mother's Refuge",
    "Amethyst Place",
    "Sheffield Place",
    "Benilde Hall",
    "Della Lamb",
    "Kim Wilson Housing",
    "Samuel U. Rodgers",
    "Children's Mercy",
    "Truman Medical",
    "University Health",
    "Saint Luke's",
    "St. Luke's",
    "Catholic Charities",
    "Salvation Army",
    "Angel Tree",
    "Cruz Roja",
    "Legal Aid",
    "City Union Mission",
    "Polaris",
    "BIG Search KC",
    "El Salvador",
    "La Paz",
    "Los Angeles",
    "Las Vegas",
    "San Antonio",
    "San Diego",
    "San Jose",
    "Santo Domingo",
    "Costa Rica",
    "Puerto Rico",
    "Sierra Leone",
    "New Jersey",
    "New York",
    "Jane Doe",
    "John Doe",
    "Martin Luther King",
    "Emanuel Cleaver",
    "Our Lady of Guadalupe",
    "Virgen de Guadalupe",
)

# A capitalised name word followed by one of these (possibly after more capitalised words) is
# part of an organization's, a place's or a street's name: "Guadalupe Centers", "Mattie Rhodes
# Center", "Gregory Blvd".
ORG_NOUNS = _words(
    """
    county city center centers centre hospital clinic clinics parish cathedral chapel
    ministries ministry mission missions school schools academy college university institute
    services service project program programs programme coalition foundation society network
    alliance shelter department division office agency health medical memorial library
    station motel hotel inn lodge apartments manor towers plaza market store mall cafe
    restaurant club army charities corps fund trust association council board team group
    partners care therapy class classes kitchen pantry outreach hotline district campus
    refuge housing league
    baptist methodist lutheran presbyterian pentecostal episcopal evangelical adventist
    bautista metodista evangélica evangelica pentecostés
    """
)
# Spanish puts the noun first: "Iglesia Cristo Rey", "parroquia de San Juan Diego", "Nuestra
# Señora de Guadalupe". Capitalised words after these (and connectors) name a place.
ORG_NOUNS_BEFORE = _words(
    """
    iglesia parroquia capilla templo catedral misión mision ministerio escuela colegio academia
    centro clínica clinica hospital albergue refugio fundación fundacion programa casa hogar
    iglesias ministerios misiones escuelas colegios centros clínicas clinicas hospitales
    albergues fundaciones programas servicios hogares nuestra church parish school
    """
)
# Digit words written into a number ("8one6-5five5"), longest first for the pattern.
_DIGIT_NAMES = (
    ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    ("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"),
    ("oh",),
)
DIGIT_WORDS = {
    word: str(digit)
    for word, digit in sorted(
        ((word, digit) for names in _DIGIT_NAMES for digit, word in enumerate(names)),
        key=lambda pair: -len(pair[0]),
    )
}
# The commonest short words of each language: a note with more Spanish ones is read as Spanish.
ENGLISH_MARKERS = _words("the and to of a in is her she he his for with on at was it this from")
SPANISH_MARKERS = _words("el la los las de del que y en es su se por con para una un al le lo")
# Counted things: "2 beds", "435 miles" are not a house number on a street.
QUANTITY_WORDS = _words(
    """
    bed beds cama camas day days night nights hour hours mile miles dollars people year years
    week weeks month months time times pound pounds minute minutes día días noche noches hora
    horas milla millas dólares personas año años semana semanas mes meses vez veces libra
    libras minuto minutos
    """
)
# Words between "plate"/"placa" and the plate: "plate number", "placas de Kansas".
PLATE_FILLER = _words(
    "number num no is was are es era de del of the on her his su plate plates placa placas tag "
    "license licencia kansas missouri mo ks texas tx state estado car carro van truck"
)
# Short words of English and Spanish that are also surnames ("le", "la", "del", "son").
FUNCTION_WORDS = _words(
    """
    a an the and or of to in on at by for with from as is are was be it its he she her his
    they them we you me my our your this that not but so if no yes all any can may will
    y o e u de del la el los las le les lo un una unos unas en con sin por para que se su sus
    mi tu al es son era fue muy mas más ya
    """
)
# The same for words that are also surnames: they make an organization only after a name
# word that is ordinary English ("Hope House", "Grace Place"), or with more words after them
# ("Maria Hall" is a person, "Maria Hall Apartments" a building).
ORG_NOUNS_ALSO_SURNAMES = _words(
    """
    house home homes church park hall haven court courts place camp union voice room rooms
    ward unit springs heights hills hill lake valley bridge river bank banks town village
    lane way path trail row
    """
)

STREET_SUFFIXES = _words(
    """
    street st avenue ave av boulevard blvd road rd drive dr lane ln court ct place pl parkway
    pkwy way terrace ter highway hwy circle cir trail trl square sq plaza plz loop crossing
    xing pike expressway expy freeway fwy route rte alley aly crescent path
    """
)
# Written without a suffix in Kansas City: "3936 Troost" is the Willow Tree Room's address.
KC_BARE_STREETS = (
    "Troost",
    "Prospect",
    "The Paseo",
    "Paseo",
    "Wornall",
    "Gillham",
    "Linwood",
    "Broadway",
    "Main",
)

US_STATES = _words(
    """
    al ak az ar ca co ct de dc fl ga hi id il in ia ks ky la me md ma mi mn ms mo mt ne nv nh
    nj nm ny nc nd oh ok or pa ri sc sd tn tx ut vt va wa wv wi wy kansas missouri
    """
)

# Capitalised words that are never a surname after a name word ("Will Medicaid cover it?").
NOT_SURNAMES = (
    _words(
        """
        i a an the he she they we you it his her hers their our my your this that these those
        mr mrs ms miss dr jr sr ii iii medicaid medicare god lord bible gospel ice kc kck kcmo
        court police sheriff fbi hsi dhs cps dcf ssi snap wic tanf uber lyft greyhound amtrak
        amazon walmart facebook instagram snapchat tiktok whatsapp google netflix covid
        up down in out on off to of and or but not no yes new old all any some for with from by
        at as is are was were be been will can may must should would could has have had do does
        did if then so also
        """
    )
    | MONTHS
    | WEEKDAYS
    | PLACE_WORDS
    | LANGUAGE_WORDS
    | ORG_NOUNS
    | ORG_NOUNS_ALSO_SURNAMES
    | STREET_SUFFIXES
)

# Public hotlines caseworkers write down for clients (10 digits, without the leading 1):
# National Human Trafficking Hotline, ICE tip line, National Domestic Violence Hotline,
# RAINN, Childhelp, NCMEC and the former National Suicide Prevention Lifeline.
PUBLIC_PHONE_NUMBERS = frozenset(
    {
        "8883737888",
        "8663472423",
        "8007997233",
        "8006564673",
        "8004224453",
        "8008435678",
        "8002738255",
    }
)

# Words just before a capitalised word that make it a name ------------------------------------

# "Ms. Johnson": any capitalised word after a title is a name, title included in the excerpt.
TITLES = frozenset(
    {
        "Mr",
        "Mrs",
        "Ms",
        "Mx",
        "Miss",
        "Mister",
        "Dr",
        "Sra",
        "Srta",
        "Pastor",
        "Officer",
        "Detective",
    }
)
# The same in Spanish, and in any case: "la señora Ramírez", "doña Carmen", "Lic. Soto".
TITLES_ANY_CASE = _words(
    "sr sra srta señor señora señorita don doña dña lic licenciada licenciado dra profe maestra "
    "maestro mr mrs ms miss"
)
# "named Hope", "goes by Will", "a.k.a. Dre": any capitalised word after these is a name. Each
# cue is the words before the name, lower case.
NAMING_CUES = frozenset(
    {
        ("named",),
        ("nicknamed",),
        ("nickname",),
        ("nickname", "is"),
        ("alias",),
        ("aka",),
        ("a", "k", "a"),
        ("name", "is"),
        ("name", "was"),
        ("goes", "by"),
        ("go", "by"),
        ("going", "by"),
        ("went", "by"),
        ("known", "as"),
        ("calls", "herself"),
        ("calls", "himself"),
        ("calls", "themselves"),
        ("calls", "themself"),
        ("se", "llama"),
        ("se", "llamaba"),
        ("llamada",),
        ("llamado",),
        ("le", "dicen"),
        ("le", "llaman"),
        ("apodo",),
        ("apodada",),
        ("apodado",),
        ("conocida", "como"),
        ("conocido", "como"),
        ("nombre", "es"),
        ("de", "nombre"),
        ("real", "name"),
        ("legal", "name"),
    }
)
# "her sister Grace", "boyfriend, April,": a name word after these is a name, even a month or
# a place.
RELATIVES = _words(
    """
    sister brother sibling mother mom mum mama father dad papa daughter son aunt auntie uncle
    cousin niece nephew grandmother grandma grandfather grandpa granddaughter grandson
    stepmother stepmom stepfather stepdad stepsister stepbrother boyfriend girlfriend husband
    wife fiance fiancé fiancee fiancée partner ex friend roommate neighbor neighbour pimp
    trafficker baby child kid guardian
    hermana hermano mamá madre papá padre tía tia tío tio prima primo abuela abuelo novio novia
    esposo esposa hija hijo sobrina sobrino amiga amigo madrastra padrastro cuñada cuñado pareja
    tutora tutor padrote tratante vecina vecino compañera compañero patrón patrona
    """
)
# "texted Hope", "met with Will": an English-word name after these is a name.
CONTACT_WORDS = _words(
    "called calls call texted texts messaged emailed told tells asked asks met meets visited "
    "visits saw sees with by from"
)
# "St. Joseph", "San Antonio", "Fort Riley": the capitalised word after these is a place.
PLACE_PREFIXES = frozenset(
    {"San", "Santa", "Santo", "St", "Saint", "Fort", "Ft", "Mount", "Mt", "Port", "Lake", "Camp"}
)
# Inside an organization's name: "Cornerstones of Care", "Our Lady of Guadalupe".
CONNECTORS = _words("of de del la for the y on")
# Words after a naming cue that are not a name ("known as the ...").
NOT_NAMES_AFTER_CUE = _words("the a an i he she they we you it his her their our my your this that")
