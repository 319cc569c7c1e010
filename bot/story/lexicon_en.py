"""English word lists of the importer, one place per language; each list names its family."""

from __future__ import annotations

from bot.story.words import wordset

# Stamps: weekday and month names that may stand before or after a clock time.
WEEKDAYS = wordset("""
    monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thurs fri sat sun
    """)
MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12,
    "dec": 12,
}  # fmt: skip
# Stamps: relative units ("12 minutes ago", "2h ago", "3 hr ago"), in seconds.
RELATIVE_UNITS = {
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "m": 60, "min": 60, "mins": 60,
    "minute": 60, "minutes": 60, "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600,
    "hours": 3600, "d": 86400, "day": 86400, "days": 86400,
}  # fmt: skip
RELATIVE_COUNT_WORDS = {"a": 1, "an": 1, "one": 1, "a few": 2, "few": 2, "two": 2, "three": 3}
RELATIVE_NOW = ("just now", "moments ago", "a moment ago")
# Stamps: words that make a date+time line the page's own update stamp, not an item.
PAGE_STAMP_WORDS = wordset("updated published posted last modified first")
# Stamps: time zones outlets print, with their offset from UTC in hours (None: ambiguous).
TIME_ZONES: dict[str, float | None] = {
    "gmt": 0, "utc": 0, "z": 0, "bst": 1, "cet": 1, "mez": 1, "cest": 2, "mesz": 2, "eet": 2,
    "eest": 3, "msk": 3, "ist": 5.5, "aest": 10, "aedt": 11, "edt": -4, "est": -5,
    "cdt": -5, "cst": -6, "mdt": -6, "mst": -7, "pdt": -7, "pst": -8, "et": None, "pt": None,
    "ct": None, "mt": None, "at": None, "ast": -4, "adt": -3, "nst": -3.5, "ndt": -2.5,
    "akst": -9, "akdt": -8, "hst": -10, "jst": 9, "kst": 9, "hkt": 8, "sgt": 8, "sast": 2,
    "wet": 0, "west": 1, "nzst": 12, "nzdt": 13, "acst": 9.5, "awst": 8,
}  # fmt: skip
# Stamps: zones that are also English words, read only in capitals ("11:34 p.m. AT").
CAPITAL_ONLY_ZONES = frozenset({"at"})
# Stamps: days named relative to the import ("Today, 9:12 pm"), in days before it.
DAY_WORDS = {"today": 0, "yesterday": 1}
# Stamps: zones named without their season ("6:45 p.m. ET") are a region's clock, whose
# offset the date decides.
ZONE_REGIONS = {
    "et": "America/New_York", "ct": "America/Chicago", "mt": "America/Denver",
    "pt": "America/Los_Angeles", "at": "America/Halifax",
}  # fmt: skip

# Layouts: labels between a stamp and its headline.
ITEM_LABELS = wordset("breaking pinned update new important key featured just in live")

# Summary blocks: labels that open a list of the page's own key points.
SUMMARY_LABELS = (
    "here’s what we know", "here's what we know", "here’s what to know", "here's what to know",
    "what we know", "what to know", "key points", "key events", "summary", "at a glance",
    "the latest", "in brief", "what you need to know", "the big picture", "key developments",
    "highlights", "catch up", "quick summary", "in short", "what we know so far",
    "what we’re covering", "what we're covering", "what we are covering", "key updates",
)  # fmt: skip

# Furniture: labels that open a box of teaser links ("Read more" and the lines below).
TEASER_LABELS = (
    "read more", "related coverage", "related", "more stories", "more from", "more on this",
    "related stories", "read next", "recommended", "more coverage", "you may also like",
    "also read", "see also", "most read", "popular", "more on this story", "related articles",
    "related topics", "top stories", "more stories from", "read more from", "further reading",
    "explore more on these topics", "more on these topics", "topics", "related internet links",
    "related links", "sponsored content", "sponsored", "paid content", "partner content",
    "up next", "go deeper", "what's next", "what’s next", "keep reading",
    "promoted content",
)  # fmt: skip
# Teaser boxes: promotions whose links follow them ("Don’t miss these insights from …").
PROMOTION_OPENERS = (
    "don’t miss", "don't miss", "editor’s picks", "editor's picks", "trending now",
    "popular now", "you might also like", "recommended for you", "more to explore",
)  # fmt: skip
# Media players: the verbs of a player's line ("Listen · 3:58", "Watch 2:10").
PLAYER_WORDS = ("listen", "watch", "play", "video", "audio", "duration")
# Furniture: whole lines of page chrome (buttons, counters, players), matched after lower-casing.
CHROME_LINES = wordset("""
    share copy bookmark comments comment download embed transcript donate menu follow save
    print email facebook flipboard reddit x
    """)
# Furniture: the links of a page's footer ("Privacy Policy", "Help Centre"), as whole lines.
FOOTER_LINES = (
    "privacy policy", "privacy", "cookie policy", "cookie settings", "manage cookies",
    "terms & conditions", "terms and conditions", "terms of use", "terms of service",
    "help centre", "help center", "help", "contact us", "about us", "accessibility",
    "advertise", "advertise with us", "careers", "sitemap", "site map",
    "corrections and clarifications", "corrections", "newsletters", "subscriptions",
)  # fmt: skip
CHROME_PHRASES = (
    "skip to content", "skip to main content", "skip links", "navigation menu", "link copied",
    "toggle more options", "toggle caption", "hide caption", "show caption", "show latest update",
    "show more", "load more", "listen to this article", "sponsor message", "watch live",
    "back to home", "scroll to continue", "opens new tab", "purchase licensing rights",
    "learn more about", "my news", "save articles", "reading list", "please use chrome",
    "accessible video player", "this live page is now closed", "this live blog is now closed",
    "this blog is now closed", "live coverage has ended", "jump to", "refresh", "auto-update",
    "our standards", "trust principles", "exclusive news data and analytics",
    "show key events only", "reuse this content", "see all updates", "ad feedback",
    "share full article", "share this article", "see more updates", "more updates",
    "share & save", "share and save", "your privacy choices", "ad choices", "trademarks",
    "open this photo in gallery", "comments are closed", "enter your email address",
    "want to join the conversation", "show new updates", "show new posts",
    "authors and topics you follow", "editorial code of conduct", "customer help",
    "privacy notice", "about us", "contact",
    "online sitemap", "share your feedback",
    "get in touch", "image caption", "media caption", "is not responsible for the content",
    "view all updates", "back to top", "sign in", "log in", "x formerly twitter",
)  # fmt: skip
# Furniture: who wrote or supplied the text ("Reporting by …", "… contributed to this report").
CREDIT_OPENERS = (
    "reporting by", "additional reporting by", "writing by", "editing by", "compiled by",
    "source:", "sources:", "with reporting from", "with additional reporting", "reported by",
    "from our correspondent", "written by", "produced by", "photography by", "heard on",
    "reporting from", "with files from", "with assistance from", "contributing:",
    "photographer:", "data:", "chart:", "graphic:",
)  # fmt: skip
CREDIT_ENDINGS = (
    "contributed to this report",
    "contributed reporting",
    "contributed to this story",
)
# Furniture: labels of captions and photo credits ("Image: …", "Pic: …").
CAPTION_LABELS = wordset("image images photo photos picture pic pics credit caption video watch")
# Furniture: words of media and programme lines ("Listen · 4:12", "Watch on channel 501").
MEDIA_WORDS = wordset("listen watch video audio podcast episode programme program runtime duration")
# Furniture: openings of calls to action (apps, donations, sign-ups) on a short line.
CTA_OPENINGS = (
    "support local journalism", "support our journalism", "support independent journalism",
    "donate to", "donate now", "donate today", "don’t miss", "don't miss", "find your local",
    "download the", "install the", "submit a news tip", "send us a tip", "stay informed with",
    "want more analysis from", "authors and topics you follow",
)  # fmt: skip
MEDIA_PHRASES = (
    "heard on",
    "watch on",
    "listen on",
    "as seen on",
    "watch sky news",
    "watch live on",
)
# Furniture: ticker markers that name the live format.
TICKER_WORDS = wordset("live blog updates")

# Speakers and roles: role nouns and the kind of role each names.
ROLE_KINDS: dict[str, str] = {
    "journalist": "media", "host": "media", "anchor": "media", "presenter": "media",
    "correspondent": "media", "commentator": "media", "reporter": "media",
    "broadcaster": "media", "editor": "media", "columnist": "media", "pundit": "media",
    "diplomat": "diplomacy", "ambassador": "diplomacy", "envoy": "diplomacy",
    "president": "head", "president-elect": "head", "chancellor": "head", "premier": "head",
    "king": "head", "queen": "head", "leader": "head",
    "secretary-general": "secretary", "secretary": "minister", "minister": "minister",
    "commissioner": "minister", "senator": "politician", "governor": "politician",
    "mayor": "politician", "lawmaker": "politician", "congressman": "politician",
    "congresswoman": "politician", "candidate": "politician", "politician": "politician",
    "spokesperson": "spokesperson", "spokesman": "spokesperson", "spokeswoman": "spokesperson",
    "chief": "chief", "head": "chief", "director": "chief", "ceo": "chief", "chairman": "chief",
    "chairwoman": "chief", "founder": "chief", "general": "military", "commander": "military",
    "admiral": "military", "adviser": "adviser", "advisor": "adviser", "analyst": "expert",
    "professor": "expert", "economist": "expert", "historian": "expert", "expert": "expert",
    "activist": "activist", "judge": "law", "lawyer": "law", "attorney": "law", "pope": "church",
    "official": "official", "negotiator": "diplomacy", "counterpart": "counterpart",
    "mediator": "diplomacy",
}  # fmt: skip
ROLE_KINDS.update({
    "executive": "chief", "officer": "official", "candidate": "politician",
    "manager": "chief", "superintendent": "official", "inspector": "official",
    "sheriff": "official", "constable": "official", "sergeant": "military",
    "colonel": "military", "chair": "chief", "chairperson": "chief", "framer": "other",
    "farmer": "other", "teacher": "other", "owner": "chief", "researcher": "expert",
    "scientist": "expert", "engineer": "expert", "doctor": "expert", "surgeon": "expert",
    "nurse": "other", "coordinator": "official", "administrator": "official",
    "sen": "politician", "gov": "politician", "rep": "politician", "lt": "military",
    "col": "military", "gen": "military", "sgt": "military", "capt": "military",
    "adm": "military", "supt": "official", "insp": "official", "mp": "politician",
    "councillor": "politician", "councilor": "politician", "chancellor": "head",
    "passenger": "other", "resident": "other", "witness": "other", "survivor": "other",
    "speaker": "politician", "whip": "politician", "paramedic": "other", "firefighter": "other",
    "pilot": "other", "captain": "military", "lord": "other", "lady": "other",
    "baroness": "other", "baron": "other",
    "student": "other", "voter": "other", "commuter": "other",
    "deputy": "deputy", "premier": "head", "leader": "head", "organiser": "activist",
    "organizer": "activist", "campaigner": "activist", "lecturer": "expert",
})  # fmt: skip
# Roles: more office and trade nouns outlets put before or after a name ("incident controller",
# "senior meteorologist", "city clerk", "chief investment strategist", "Hartwell boss") and
# party labels used as titles ("Republican Dale Kowalczyk").
ROLE_KINDS.update({
    "controller": "official", "meteorologist": "expert", "forecaster": "expert",
    "clerk": "official", "strategist": "expert", "boss": "chief", "coach": "sport",
    "manager": "chief", "treasurer": "official", "prosecutor": "law", "detective": "official",
    "coroner": "official", "marshal": "official", "trustee": "chief", "principal": "chief",
    "dean": "expert", "president": "head", "premier": "head", "republican": "politician",
    "democrat": "politician", "tory": "politician",
    "epidemiologist": "expert", "seismologist": "expert", "hydrologist": "expert",
    "volcanologist": "expert", "climatologist": "expert", "psychologist": "expert",
    "physician": "expert", "virologist": "expert", "criminologist": "expert",
    "ranger": "official", "warden": "official", "medic": "other", "planner": "official",
    "auditor": "official", "regulator": "official", "comptroller": "official",
    "assemblyman": "politician", "assemblywoman": "politician", "alderman": "politician",
    "selectman": "politician", "commissioner": "minister",
    "attorney-general": "law", "solicitor": "law", "barrister": "law", "economist": "expert",
    "spokesperson": "spokesperson", "representative": "politician", "delegate": "politician",
})  # fmt: skip
# Roles: titles of other parliaments and trades outlets name people by ("Local TD Declan
# Furey", "a GP in nearby Cloonlara", "a retired postman", "an MEP").
ROLE_KINDS.update({
    "td": "politician", "mla": "politician", "msp": "politician", "mep": "politician",
    "gp": "expert", "postman": "other",
    "postwoman": "other", "shopkeeper": "other", "pensioner": "other", "retiree": "other",
    "driver": "other", "trucker": "other", "fisherman": "other", "publican": "other",
    "midwife": "other", "carer": "other", "caregiver": "other", "volunteer": "other",
    "electrician": "other", "plumber": "other", "mechanic": "other", "lineman": "other",
    "worker": "other", "priest": "church", "vicar": "church", "bishop": "church",
    "archbishop": "church", "rabbi": "church", "imam": "church", "consultant": "expert",
    "dispatcher": "official", "landlord": "other", "tenant": "other", "trooper": "official",
    "patrolman": "official", "member": "official", "coxswain": "other",
    "critic": "politician", "skipper": "other", "crew": "other",
})  # fmt: skip
# Speakers: seats of government that speak for it ("The White House said", "the Kremlin
# said"), never a person's name.
SEATS_OF_GOVERNMENT = frozenset({
    "white house", "downing street", "no 10", "number 10", "kremlin", "pentagon", "élysée",
    "elysee", "whitehall", "capitol hill", "state department", "blue house", "zhongnanhai",
    "weißes haus", "kanzleramt", "bundeskanzleramt", "élysée-palast", "elysée-palast",
})  # fmt: skip
# Roles: abbreviated titles that end in a dot ("Gov.", "Lt. Col.", "State Sen.").
ABBREVIATED_TITLES = frozenset(
    {"sen", "gov", "rep", "lt", "col", "gen", "sgt", "capt", "adm", "supt", "insp"}
)
# Roles: verbs of a relative clause that states a position ("who chairs the board").
ROLE_CLAUSE_VERBS = frozenset(
    {
        "chairs",
        "heads",
        "leads",
        "directs",
        "runs",
        "manages",
        "chaired",
        "headed",
        "led",
        "founded",
        "represents",
        "coordinates",
        "oversees",
    }
)
# Speakers: last words that make a capitalised run an organisation ("Network Rail").
ORG_HEADS = frozenset({
    "commission", "agency", "administration", "branch", "police", "trains", "rail", "hospital",
    "society", "systems", "co", "inc", "ltd", "plc", "corp", "group", "union", "federation",
    "council", "party", "ministry", "department", "service", "services", "office", "authority",
    "alliance", "capital", "securities", "bank", "government", "committee", "board", "court",
    "university", "institute", "foundation", "association", "network", "airlines", "airways",
    "mining", "energy", "company", "corporation", "news", "times", "post", "guard", "army",
    "navy", "force", "forces", "centre", "center", "school", "college", "club", "league",
    "organisation", "organization", "campaign", "coalition", "greens", "labour", "democrats",
    "republicans", "conservatives", "assembly", "parliament", "senate", "congress", "fund",
    "fc",
})  # fmt: skip
# Speakers: documents that speak for whoever issued them ("…,” the statement read).
STATEMENT_NOUNS = frozenset({
    "statement", "letter", "notice", "release", "memo", "message", "post", "filing", "note",
})  # fmt: skip
# Speakers: generic nouns by which a page refers back to an organisation ("the company").
ORG_NOUNS = frozenset({
    "company", "agency", "ministry", "commission", "union", "party", "council", "government",
    "department", "firm", "group", "bank", "operator", "branch", "authority", "police",
    "hospital", "board", "committee", "organisation", "organization", "campaign", "airline",
    "federation", "association", "administration", "office", "service", "regulator",
    "utility", "insurer", "retailer", "carrier", "network", "court", "army", "military",
})  # fmt: skip
# Quoted names of things: nouns and verbs before a quoted title ("the programme “…”").
THING_NOUNS = frozenset({
    "programme", "program", "newspaper", "magazine", "show", "series", "operation", "campaign",
    "plan", "initiative", "act", "bill", "book", "film", "movie", "slogan", "motto", "missile",
    "system", "podcast", "app", "project", "album", "song", "novel", "brand", "strategy",
    "package", "deal", "treaty", "report", "documentary", "exercise", "drone", "storm",
    "hurricane", "typhoon", "cyclone", "ship", "vessel", "mission", "newsletter",
})  # fmt: skip
NAMING_WORDS = frozenset(
    {"called", "named", "dubbed", "titled", "entitled", "so-called", "nicknamed"}
)
NAMING_PREPOSITIONS = ("in the", "on the", "on", "in", "from the", "to the")
# Speakers: organisations that a generic noun names by itself ("the government").
SELF_NAMING_ORGS = frozenset({"opposition", "government", "police", "army", "military"})
