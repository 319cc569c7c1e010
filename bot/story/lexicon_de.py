"""German word lists of the importer, one place per language; each list names its family."""

from __future__ import annotations

from bot.story.words import wordset

# Stamps: weekday and month names that may stand before a clock time ("Sonntag, 23.11.2025").
WEEKDAYS = wordset(
    "montag dienstag mittwoch donnerstag freitag samstag sonntag mo di mi do fr sa so"
)
MONTHS = {
    "januar": 1, "jänner": 1, "jan": 1, "februar": 2, "feber": 2, "feb": 2, "märz": 3, "mär": 3,
    "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8,
    "aug": 8, "september": 9, "sept": 9, "sep": 9, "oktober": 10, "okt": 10, "november": 11,
    "nov": 11, "dezember": 12, "dez": 12,
}  # fmt: skip
# Stamps: relative units ("vor 5 Minuten", "Vor 12 Min.", "vor 1 Std."), in seconds.
RELATIVE_UNITS = {
    "sekunde": 1, "sekunden": 1, "sek": 1, "minute": 60, "minuten": 60, "min": 60,
    "stunde": 3600, "stunden": 3600, "std": 3600, "tag": 86400, "tagen": 86400,
}  # fmt: skip
RELATIVE_COUNT_WORDS = {"einer": 1, "einem": 1, "ein": 1, "wenigen": 2, "zwei": 2, "drei": 3}
RELATIVE_NOW = wordset("gerade soeben jetzt")
# Stamps: days named relative to the import ("Heute, 23:26 Uhr"), in days before it.
DAY_WORDS = {"heute": 0, "gestern": 1, "vorgestern": 2}
# Stamps: words that make a date+time line the page's own update stamp, not an item.
PAGE_STAMP_WORDS = wordset("stand aktualisiert veröffentlicht zuletzt erstellt publiziert")

# Layouts: labels between a stamp and its headline.
ITEM_LABELS = wordset(
    "eilmeldung eil breaking update neu wichtig angepinnt angeheftet top liveblog"
)

# Summary blocks: labels that open a list of the page's own key points.
SUMMARY_LABELS = (
    "die wichtigsten entwicklungen", "das wichtigste in kürze", "das wichtigste im überblick",
    "das wichtigste", "auf einen blick", "in kürze", "die lage im überblick", "überblick",
    "das ist passiert", "was wir wissen", "die wichtigsten punkte", "zusammenfassung",
    "das wichtigste zusammengefasst", "die ereignisse im überblick",
    "die neuesten entwicklungen", "die neusten entwicklungen", "die aktuellen entwicklungen",
    "die entwicklungen im überblick", "das müssen sie wissen", "das wissen wir",
)  # fmt: skip

# Furniture: labels that open a box of teaser links ("Mehr zum Thema" and the lines below).
TEASER_LABELS = (
    "mehr zum thema", "lesen sie auch", "lesen sie mehr", "lesen sie mehr zum thema",
    "auch interessant", "das könnte sie auch interessieren", "weitere artikel", "mehr dazu",
    "zum thema", "passend dazu", "empfehlungen", "mehr aus", "meistgelesen", "weitere nachrichten",
    "mehr zu", "mehr news", "verwandte themen", "ähnliche artikel", "passend zum artikel",
    "mehr von",
    "passend zum thema", "fotostrecke", "bildergalerie", "verwendete quellen",
    "artikel zum thema",
    "weiterführende links",
)  # fmt: skip
# Teaser boxes: promotions whose links follow them ("Nicht verpassen: …").
PROMOTION_OPENERS = (
    "nicht verpassen", "verpassen sie nicht", "empfehlung der redaktion", "unsere empfehlung",
    "beliebt bei unseren lesern", "auch spannend", "das könnte sie interessieren",
)  # fmt: skip
# Media players: the verbs of a player's line ("Anhören · 3:58", "Video 2:10").
PLAYER_WORDS = ("anhören", "hören", "ansehen", "abspielen", "video", "audio", "dauer", "laufzeit")
# Furniture: whole lines of page chrome (buttons, counters, players), matched after lower-casing.
CHROME_LINES = wordset("""
    merkliste merken feedback teilen forum ansichtssache abo abonnieren plus drucken folgen
    gefolgt
    vorlesen kommentare kommentar liveblog aktualisieren aktualisieren neu laden diskussion
    """)
# Furniture: the links of a page's footer ("Impressum", "Datenschutz"), matched as whole lines.
FOOTER_LINES = (
    "impressum", "datenschutz", "datenschutzerklärung", "datenschutzhinweise", "agb", "kontakt",
    "jugendschutz", "barrierefreiheit", "nutzungsbedingungen", "cookie-einstellungen",
    "privatsphäre-einstellungen", "mediadaten", "karriere", "über uns", "hilfe", "abo kündigen",
    "werben", "presse", "sitemap",
)  # fmt: skip
CHROME_PHRASES = (
    "zum inhalt springen", "player wird geladen", "artikel hören", "artikel verschenken",
    "artikel anhören", "liveblog aktualisieren", "ticker aktualisieren", "seite neu laden",
    "zum forum", "nächste seite", "vorherige seite", "zur startseite", "video abspielen",
    "audio abspielen", "beitrag abspielen", "weiterlesen nach der anzeige", "diskutieren sie mit",
    "zu den kommentaren", "neue beiträge", "neuere beiträge", "ältere beiträge",
    "mehr laden", "mehr anzeigen", "alle beiträge", "inhalt laden", "externen inhalt laden",
    "ende des werbeblocks", "zum newsletter", "zur anmeldung", "ältere einträge",
    "neuere einträge", "neueste einträge", "weitere einträge", "alle einträge", "einträge laden",
)  # fmt: skip
# Furniture: who wrote or supplied the text ("Mit Informationen von …", "Autorin: …").
CREDIT_OPENERS = (
    "mit informationen von", "mit material von", "mitarbeit:", "autor:", "autorin:",
    "autoren:", "redaktion:", "text:", "quelle:", "quellen:", "von unserem korrespondenten",
    "nachrichtenagenturen", "nachrichtenagentur",
    "von unserer korrespondentin", "aus dem", "mitarbeit von", "recherche:", "übersetzung:",
)  # fmt: skip
# Furniture: labels of captions and photo credits ("Bild: …", "Legende: …").
CAPTION_LABELS = wordset("bild foto fotos bilder legende bildquelle grafik quelle video audio")
# Furniture: words of media and programme lines ("Dieses Thema im Programm", "Laufzeit").
MEDIA_WORDS = wordset("""
    laufzeit lesezeit hördauer sendung programm video audio podcast livestream tagesschau
    tagesthemen heute journal mediathek
    """)
MEDIA_PHRASES = (
    "dieses thema im programm", "im programm:", "sendung:", "zur sendung",
    "über dieses thema berichtet", "über dieses thema berichtete",
)  # fmt: skip
# Furniture: openings of calls to action (apps, donations, sign-ups) on a short line.
CTA_OPENINGS = (
    "hier gibt es die", "hier gibt es den", "hier gibt es unsere", "hier gibt's die",
    "laden sie die", "holen sie sich", "unterstützen sie", "jetzt spenden",
)  # fmt: skip
# Furniture: ticker markers that name the live format.
TICKER_WORDS = wordset("liveblog liveticker ticker newsblog")

# Speakers and roles: role nouns and the kind of role each names (stems; German endings
# -e, -in, -innen, -en, -er, -n, -s follow). A role noun before or beside a name makes a person.
ROLE_KINDS: dict[str, str] = {
    "journalist": "media", "moderator": "media", "reporter": "media",
    "korrespondent": "media", "kommentator": "media", "redakteur": "media",
    "chefredakteur": "media", "publizist": "media", "blogger": "media", "podcaster": "media",
    "talkmaster": "media", "showmaster": "media", "fernsehmoderator": "media",
    "außenminister": "diplomacy", "diplomat": "diplomacy", "chefdiplomat": "diplomacy",
    "botschafter": "diplomacy", "außenbeauftragte": "diplomacy", "gesandte": "diplomacy",
    "präsident": "head", "staatspräsident": "head", "bundespräsident": "head",
    "staatschef": "head", "kremlchef": "head", "kanzler": "head", "bundeskanzler": "head",
    "premierminister": "head", "premier": "head", "ministerpräsident": "head",
    "regierungschef": "head", "könig": "head", "monarch": "head", "machthaber": "head",
    "vizepräsident": "deputy", "vizekanzler": "deputy",
    "generalsekretär": "secretary", "sekretär": "secretary", "staatssekretär": "minister",
    "minister": "minister", "kommissar": "minister", "senator": "politician",
    "abgeordnete": "politician", "politiker": "politician", "gouverneur": "politician",
    "bürgermeister": "politician", "kandidat": "politician", "oppositionsführer": "politician",
    "parteichef": "politician", "fraktionschef": "politician", "vorsitzende": "politician",
    "sprecher": "spokesperson", "regierungssprecher": "spokesperson",
    "chef": "chief", "leiter": "chief", "direktor": "chief", "gründer": "chief",
    "manager": "chief", "unternehmer": "chief", "milliardär": "chief",
    "general": "military", "kommandeur": "military", "befehlshaber": "military",
    "oberbefehlshaber": "military", "admiral": "military", "generalstabschef": "military",
    "berater": "adviser", "sicherheitsberater": "adviser", "beauftragte": "adviser",
    "experte": "expert", "analyst": "expert", "historiker": "expert", "professor": "expert",
    "ökonom": "expert", "forscher": "expert", "wissenschaftler": "expert",
    "politologe": "expert", "aktivist": "activist", "richter": "law", "anwalt": "law",
    "staatsanwalt": "law", "papst": "church", "patriarch": "church", "bischof": "church",
    "autor": "media", "schriftsteller": "media", "trainer": "sport", "schauspieler": "arts",
}  # fmt: skip
ROLE_KINDS.update({
    "bundesrat": "minister", "rätin": "politician", "landrat": "politician",
    "stadtrat": "politician", "obmann": "politician", "obfrau": "politician",
    "klubobmann": "politician", "hauptmann": "politician", "hauptfrau": "politician",
    "ökonom": "expert", "politolog": "expert", "soziolog": "expert", "virolog": "expert",
    "meteorolog": "expert", "expert": "expert", "forscher": "expert", "ingenieur": "expert",
    "geschäftsführer": "chief", "vorstand": "chief", "vorsitzend": "politician",
    "gewerkschafter": "activist", "referent": "official", "beamt": "official",
    "einsatzleiter": "chief", "festleiter": "chief", "wirt": "other", "sanitäter": "other",
    "polizist": "official", "kommandant": "military", "oberst": "military",
    "oberstleutnant": "military", "major": "military", "hydrolog": "expert",
    "sprecher": "spokesperson", "chefin": "chief", "präsident": "head", "direktor": "chief",
    "beauftragt": "adviser", "abgeordnet": "politician", "gesandt": "diplomacy",
    "chirurg": "expert", "arzt": "expert", "ärzt": "expert", "pfleger": "other",
    "lehrer": "other", "pfarrer": "church", "augenzeug": "other", "anwohner": "other",
    "bewohner": "other", "pilot": "other", "kapitän": "military", "helfer": "other",
})  # fmt: skip
# Roles: compound endings and epithets outlets use for office holders ("Fraktionsvize",
# "Kreisbrandmeister", "das Staatsoberhaupt") and party epithets ("der Sozialdemokrat").
ROLE_KINDS.update({
    "vize": "deputy", "meister": "official", "oberhaupt": "head", "staatsoberhaupt": "head",
    "sozialdemokrat": "politician", "christdemokrat": "politician", "christsozial": "politician",
    "liberal": "politician", "sozialist": "politician", "kommunist": "politician",
    "republikaner": "politician", "demokrat": "politician", "konservativ": "politician",
    "strateg": "expert", "volkswirt": "expert", "chefvolkswirt": "expert",
    "kommandant": "military", "dezernent": "official", "kämmerer": "official",
    "ermittler": "official", "kriminolog": "expert", "psycholog": "expert",
    "epidemiolog": "expert", "geolog": "expert", "seismolog": "expert", "klimaforscher": "expert",
    "intendant": "chief", "präses": "church", "imam": "church", "rabbiner": "church",
    "landeschef": "head",
})  # fmt: skip
# Roles: more offices and trades ("Der Erste Bevollmächtigte der IG Metall", "der Rathauschef"
# for the mayor just named, "Betriebsratschefin", "Landwirtin", "Rentner").
ROLE_KINDS.update({
    "bevollmächtigt": "official", "rathauschef": "politician", "oberbürgermeister": "politician",
    "betriebsratschef": "activist", "betriebsratsvorsitzend": "activist", "landwirt": "other",
    "rentner": "other", "lokführer": "other", "fahrer": "other", "händler": "other",
    "winzer": "other", "fischer": "other", "gastwirt": "other", "schüler": "other",
    "student": "other", "krankenpfleger": "other", "hebamme": "other", "notarzt": "expert",
    "feuerwehrmann": "other", "einsatzkraft": "other", "geologe": "expert",
    "führer": "chief", "deichgraf": "official", "gerätewart": "official",
    "amtsinhaber": "politician", "herausforderer": "politician", "spitzenkandidat": "politician",
    "wahlsieger": "politician", "stellvertreter": "deputy", "landeshauptmann": "head",
    "ortsvorsteher": "politician", "schulleiter": "chief", "kreisbrandmeister": "official",
})  # fmt: skip
# Roles: verbs of a relative clause that states a position ("die den Verband leitet").
ROLE_CLAUSE_VERBS = frozenset({"leitet", "führt", "vertritt", "koordiniert"})
# Speakers: stems that make a noun an organisation ("Gesamtbetriebsrat", "Initiativkomitee").
ORG_STEMS = (
    "bund", "verband", "komitee", "betriebsrat", "aufsichtsrat", "vorstand", "ministerium",
    "referat",
    "gewerkschaft", "partei", "behörde", "amt", "unternehmen", "konzern", "gesellschaft",
    "institut", "polizei", "regierung", "kommission", "bank", "gruppe", "agentur", "dienst",
    "verein", "stiftung", "gremium", "organisation", "initiative", "opposition", "feuerwehr",
    "senat", "rathaus", "bündnis", "kammer", "gericht", "staatsanwaltschaft", "landratsamt",
    "bundesamt", "sanitätsdienst", "wache", "klinik", "krankenhaus", "universität", "hochschule",
    "rat", "ausschuss", "fraktion", "kanzleramt", "staatskanzlei", "stadt", "gemeinde", "land",
)  # fmt: skip
# Speakers: generic nouns by which a page refers back to an organisation ("das Gremium").
ORG_NOUNS = frozenset({
    "verband", "komitee", "gremium", "unternehmen", "konzern", "ministerium", "behörde",
    "gewerkschaft", "partei", "firma", "gesellschaft", "organisation", "initiative", "amt",
    "institut", "polizei", "regierung", "kommission", "betriebsrat", "verein", "bündnis",
    "stiftung", "referat", "bank", "gruppe", "agentur", "dienst", "kammer", "gericht",
    "staatsanwaltschaft", "fraktion", "opposition", "stadt", "gemeinde", "sanitätsdienst",
})  # fmt: skip
# Quoted names of things: nouns and verbs before a quoted title ("die Initiative „…“").
THING_NOUNS = frozenset({
    "initiative", "volksinitiative", "sendung", "programm", "zeitung", "magazin", "kampagne",
    "operation", "plan", "gesetz", "aktion", "projekt", "motto", "titel", "buch", "film",
    "serie", "podcast", "show", "talkshow", "app", "rakete", "system", "waffe", "programms",
    "bündnis", "bewegung", "slogan", "schlagzeile", "song", "lied", "album", "roman", "marke",
    "formel", "vorlage", "papier", "strategie", "paket", "abkommen", "vertrag", "stück",
    "sturmtief", "tief", "hoch", "orkan", "hurrikan", "taifun", "zyklon", "schiff", "mission",
})  # fmt: skip
NAMING_WORDS = frozenset(
    {
        "genannt",
        "genannte",
        "genannten",
        "namens",
        "sogenannte",
        "sogenannten",
        "sogenannter",
        "titel",
        "motto",
    }
)
NAMING_PREPOSITIONS = ("in der", "im", "in dem", "auf", "bei", "aus der", "aus dem", "laut der")
# Speakers: organisations that a generic noun names by itself ("die Opposition").
SELF_NAMING_ORGS = frozenset({"opposition", "regierung", "bundesregierung", "polizei", "feuerwehr"})
