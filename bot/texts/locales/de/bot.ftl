## Texte des Briefing-Bots, Deutsch.
## Die Argumente kommen bereits HTML-escaped an; <b>/<i> hier ist unser eigenes Markup.
## Nummern (Meldungen, Zitate, Themen) ohne Tausenderpunkt: NUMBER($id, useGrouping: 0).
## Jeder Schlüssel muss auch in en/bot.ftl stehen (ein Test prüft das).

## Datum und Uhrzeit. Argumente sind fertige Zeichenketten: $day "5", $day2 "05",
## $month2 "11", $monthname (aus month-short), $year, $hour, $minute, $zone.

month-short = { $month ->
    [1] Jan.
    [2] Feb.
    [3] März
    [4] Apr.
    [5] Mai
    [6] Juni
    [7] Juli
    [8] Aug.
    [9] Sept.
    [10] Okt.
    [11] Nov.
   *[12] Dez.
  }
# 25.11.2026, 14:05 UTC
datetime-long = { $day2 }.{ $month2 }.{ $year }, { $hour }:{ $minute } { $zone }
# 14:05 MEZ, 25.11.
datetime-short = { $hour }:{ $minute } { $zone }, { $day2 }.{ $month2 }.

## Start und Hilfe

welcome-title = 👋 <b>Willkommen beim Briefing-Bot!</b>
welcome-intro = Hier gibt es eine laufende Nachrichtenlage kompakt: das Wichtigste in Kürze, Zitate, wer wer ist und den Liveticker – auf Wunsch jede neue Meldung direkt in diesen Chat.
welcome-story = Aktuelles Thema: <b>{ $title }</b>
welcome-no-story = Gerade ist noch kein Thema geladen.
welcome-first-steps = <b>So geht's los</b>
welcome-all-commands = Alle Befehle: /help
welcome-editor = Sie sind als Redakteur eingetragen – /help zeigt auch die Redaktionsbefehle.

help-title = <b>Befehle</b>
help-editor-title = <b>Für die Redaktion</b> (nur im privaten Chat)
help-editor-import = Textdatei senden – Seite importieren (mit Vorschau)

# Beschreibungen der Befehle: reiner Text (auch für das Befehlsmenü von Telegram),
# .args ist die Schreibweise der Argumente in /help.
cmd-summary = das Wichtigste in Kürze
cmd-quotes = Zitate, auf Wunsch nur von einer Person
    .args = [NAME]
cmd-ticker = die neuesten Meldungen des Livetickers
    .args = [ANZAHL]
cmd-people = wer ist wer
cmd-search = im Thema suchen
    .args = WÖRTER
cmd-stories = alle Themen
cmd-story = zu einem anderen Thema wechseln
    .args = N
cmd-subscribe = neue Meldungen automatisch erhalten
cmd-unsubscribe = keine Meldungen mehr erhalten
cmd-settings = Zustellung und Sprache einstellen
cmd-language = Sprache wechseln
    .args = de|en
cmd-help = diese Übersicht
cmd-post = neue Meldung veröffentlichen (erste Zeile = Überschrift)
    .args = TEXT
    .example = /post Fähren fallen aus
cmd-edit = Meldung N korrigieren
    .args = N TEXT
    .example = /edit 12 Neuer Text
cmd-delete = Meldung N zurückziehen
    .args = N
    .example = /delete 12
cmd-pin = Meldung N anheften (mit „kanal“ auch im Kanal)
    .args = N [kanal]
    .example = /pin 12
cmd-unpin = Meldung N nicht mehr anheften
    .args = N
    .example = /unpin 12
cmd-setsummary = eigene Zusammenfassung setzen
    .args = TEXT
    .example = /setsummary Das Wichtigste in einem Absatz
cmd-resetsummary = wieder die automatische Zusammenfassung zeigen
cmd-addquote = Zitat hinzufügen
    .args = "TEXT" — SPRECHER, ROLLE
    .example = /addquote "Wir bleiben dran" — Mark Rutte, NATO-Generalsekretär
cmd-delquote = Zitat N löschen
    .args = N
    .example = /delquote 3
cmd-setspeaker = Sprecher von Zitat N ändern
    .args = N NAME
    .example = /setspeaker 3 Mark Rutte
cmd-newstory = neues Thema anlegen
    .args = TITEL
    .example = /newstory Gipfel in Brüssel
cmd-archive = Thema N archivieren (mit Abschlussmeldung)
    .args = N
    .example = /archive 2
cmd-stats = Abonnenten und Zustellung
cmd-audit = letzte Änderungen der Redaktion
    .args = [N]

## Zusammenfassung (/summary)

summary-as-of = Stand: { $datetime }
summary-empty = Noch keine Zusammenfassung.
summary-pinned = 📌 <b>Angeheftet</b>
summary-latest = <b>Neueste Meldung</b>
summary-more = Mehr: /ticker · /quotes · /people

## Zitate (/quotes)

quotes-title = 💬 <b>Zitate</b>
quotes-title-filtered = 💬 <b>Zitate von { $name }</b> ({ $count })
quotes-fragments = <b>Kurz zitiert</b>
quotes-more = … und { $count } weitere. Nach Person filtern: /quotes NAME
quotes-unattributed = ohne Quelle
quotes-empty = Noch keine Zitate.
quotes-unknown-speaker = Niemand namens „{ $name }“ zitiert. Sprecher: { $speakers }
quotes-unknown-speaker-none = Niemand namens „{ $name }“ zitiert.
quote-line = „{ $text }“ — { $attribution }

## Liveticker (/ticker)

ticker-header = 🔴 <b>Ticker</b> ({ $first }–{ $last } von { $total })
ticker-empty = Noch keine Meldungen im Ticker.
ticker-corrected = (korrigiert)
ticker-bad-count = Bitte eine Zahl von 1 bis { $max }, z. B. /ticker 5

## Zustellung an Abonnenten

push-header = 🔴 <b>{ $title }</b>
retraction-notice = <b>Zurückgezogen:</b> Diese Meldung wurde von der Redaktion zurückgezogen.
archive-recap-title = 🏁 <b>{ $title }</b>
archive-recap-ended = Der Liveticker zu diesem Thema ist beendet.
archive-recap-summary = <b>Das Wichtigste</b>
archive-recap-count = { $count ->
    [one] Eine Meldung insgesamt.
   *[other] { $count } Meldungen insgesamt.
  }
archive-recap-thanks = Danke fürs Mitlesen! Weitere Themen: /stories

## Wer ist wer (/people)

people-title = 👥 <b>Wer ist wer</b>
people-empty = Noch keine Personen erkannt.

## Suche (/search)

search-title = 🔎 <b>Treffer für „{ $query }“</b>
search-none = Nichts gefunden zu „{ $query }“.
search-missing-words = Wonach soll ich suchen? Zum Beispiel: /search NATO Beitritt
search-kind = { $kind ->
    [quote] Zitat
    [ticker] Ticker
   *[body] Text
  }

## Themen (/stories, /story N)

stories-title = 🗂 <b>Themen</b>
stories-current = ← aktuell
stories-archived = (archiviert)
stories-hint = Wechseln mit /story N
stories-empty = Noch keine Themen.
story-switched = Sie lesen jetzt: <b>{ $title }</b>
story-unknown = Ein Thema Nr. { NUMBER($id, useGrouping: 0) } gibt es nicht. Übersicht: /stories
story-gone = Dieses Thema gibt es nicht mehr. Übersicht: /stories
story-bad-id = Bitte die Nummer eines Themas angeben, z. B. /story 1
story-is-archived = Das Thema „{ $title }“ ist archiviert; neue Meldungen gibt es dazu nicht mehr.
no-story = Gerade ist kein Thema geladen.

## Einstellungen (/settings, /language)

settings-title = ⚙️ <b>Einstellungen</b>
settings-story = Thema: { $title }
settings-language = Sprache: { $language } (ändern mit den Knöpfen unten oder /language de|en)
settings-mode = Zustellung: { $mode }
settings-not-subscribed = Nicht abonniert – neue Meldungen mit /subscribe erhalten.
settings-choose = Wie sollen neue Meldungen kommen?
settings-saved = Gespeichert: { $mode }
language-name = { $code ->
    [en] English
   *[de] Deutsch
  }
delivery-mode = { $mode ->
    [instant] jede Meldung sofort
    [hourly] stündlich gebündelt
    [quiet] sofort, außer 22–07 Uhr
   *[off] aus
  }
settings-button-instant = Jede Meldung
settings-button-hourly = Stündlich gebündelt
settings-button-quiet = Ruhezeit 22–07 Uhr
settings-button-off = Aus
language-switched = Ich antworte jetzt auf Deutsch.
language-unknown = Diese Sprache kenne ich nicht. Bitte mit den Knöpfen wählen oder /language de bzw. /language en schreiben.

## Abonnement

subscribe-done = 🔔 Abonniert! Neue Meldungen zu „{ $title }“ kommen ab jetzt in diesen Chat. Abbestellen mit /unsubscribe
subscribe-already = Dieser Chat ist schon abonniert. Einstellungen: /settings
unsubscribe-done = 🔕 Abbestellt. Es kommen keine Meldungen mehr; wieder abonnieren mit /subscribe
unsubscribe-not = Dieser Chat ist nicht abonniert. Abonnieren mit /subscribe
group-admins-only = In Gruppen dürfen nur Admins die Einstellungen der Gruppe ändern.

## Antworten und Fehler

unknown-command = Diesen Befehl kenne ich nicht. Alle Befehle: /help
free-text = Ich reagiere auf Befehle – eine Übersicht gibt es mit /help
flood = Langsam bitte – das waren zu viele Nachrichten auf einmal. Bitte in { $seconds } s noch einmal versuchen.
error-generic = Entschuldigung, da ist etwas schiefgegangen. Bitte gleich noch einmal versuchen.
argument-too-long = Das ist zu lang – höchstens { $max } Zeichen.
number-bad = Bitte eine Zahl von 1 bis { $max }, z. B. { $example }

## Redaktion

not-editor = Das dürfen nur Redakteure.
editor-private-only = Redaktionsbefehle bitte im privaten Chat mit mir.
missing-text = Da fehlt noch der Text. Wie es geht, steht unter /help
text-too-long = Der Text ist zu lang: { $length } Zeichen, erlaubt sind { $max }.
# Ein Befehl ohne eine nötige Angabe: welche fehlt, darunter, wie der Befehl geht.
command-missing = { $argument ->
    [number] { $command }: Die Nummer fehlt.
    [new-text] { $command }: Der neue Text fehlt.
    [title] { $command }: Der Titel fehlt.
    [name] { $command }: Der Name fehlt.
    [quote] { $command }: Das Zitat fehlt.
   *[text] { $command }: Der Text fehlt.
}
command-usage = So geht's: <code>{ $usage }</code> – { $description }, z. B. <code>{ $example }</code>
item-not-found = Meldung #{ NUMBER($id, useGrouping: 0) } gibt es nicht.
item-already-retracted = Meldung #{ NUMBER($id, useGrouping: 0) } ist bereits zurückgezogen.
post-done = ✅ Meldung #{ NUMBER($id, useGrouping: 0) } veröffentlicht
post-progress = zugestellt { NUMBER($delivered, useGrouping: 0) }/{ NUMBER($total, useGrouping: 0) }
post-no-subscribers = noch keine Abonnenten
edit-done = ✏️ Meldung #{ NUMBER($id, useGrouping: 0) } korrigiert; zugestellte Nachrichten werden angepasst.
edit-unchanged = Meldung #{ NUMBER($id, useGrouping: 0) } ist unverändert – der Text ist derselbe.
delete-done = 🗑 Meldung #{ NUMBER($id, useGrouping: 0) } zurückgezogen; zugestellte Nachrichten werden gelöscht (nach 48 Stunden durch einen Hinweis ersetzt).
pin-done = 📌 Meldung #{ NUMBER($id, useGrouping: 0) } angeheftet.
unpin-done = Meldung #{ NUMBER($id, useGrouping: 0) } ist nicht mehr angeheftet.
summary-set = ✅ Eigene Zusammenfassung gespeichert.
summary-reset = ✅ Es gilt wieder die automatische Zusammenfassung.
addquote-format = So geht's: /addquote "Text des Zitats" — Sprecher, Rolle (Rolle darf fehlen)
addquote-done = ✅ Zitat #{ NUMBER($id, useGrouping: 0) } hinzugefügt.
delquote-done = 🗑 Zitat #{ NUMBER($id, useGrouping: 0) } gelöscht.
quote-not-found = Zitat #{ NUMBER($id, useGrouping: 0) } gibt es nicht.
setspeaker-done = ✅ Zitat #{ NUMBER($id, useGrouping: 0) } ist jetzt von { $name }.
newstory-done = ✅ Neues Thema Nr. { NUMBER($id, useGrouping: 0) }: <b>{ $title }</b> – /post veröffentlicht ab jetzt in diesem Thema.
archive-done = 🏁 Thema Nr. { NUMBER($id, useGrouping: 0) } archiviert: { $title }. Die Abonnenten bekommen eine Abschlussmeldung.
story-already-archived = Thema Nr. { NUMBER($id, useGrouping: 0) } ist schon archiviert.

## Statistik (/stats)

stats-title = 📊 <b>Statistik</b>
stats-subscribers = Abonnenten: { $active } aktiv, { $blocked } blockiert oder weg
stats-recent = <b>Letzte Meldungen</b>
stats-item-pending = { $pending } ausstehend
stats-item-failed = { $failed } fehlgeschlagen
stats-no-items = Noch keine Meldungen zugestellt.

## Protokoll (/audit)

audit-title = 🧾 <b>Protokoll</b> (letzte { $count })
audit-empty = Noch keine Einträge.
audit-user = Nutzer { $user }
audit-action = { $action ->
    [post] veröffentlicht
    [edit] korrigiert
    [delete] zurückgezogen
    [pin] angeheftet
    [unpin] losgelöst
    [setsummary] Zusammenfassung gesetzt
    [resetsummary] Zusammenfassung zurückgesetzt
    [addquote] Zitat hinzugefügt
    [delquote] Zitat gelöscht
    [setspeaker] Sprecher geändert
    [newstory] Thema angelegt
    [archive] Thema archiviert
    [import] importiert
    [settitle] Titel geändert
    [follow] Quelle verfolgt
    [unfollow] Quelle nicht mehr verfolgt
   *[other] { $action }
  }

## Import einer Seite (Textdatei)

import-preview-title = 📄 <b>Vorschau:</b> { $title }
import-preview-updates = Aktualisiert ein vorhandenes Thema.
import-preview-counts = { $paragraphs ->
    [one] 1 Absatz
   *[other] { $paragraphs } Absätze
  } · { $quotes ->
    [one] 1 Zitat
   *[other] { $quotes } Zitate
  } · { $ticker ->
    [one] 1 Tickermeldung
   *[other] { $ticker } Tickermeldungen
  }
import-preview-quotes = <b>Erste Zitate</b>
import-preview-warnings = { $count ->
    [one] 1 Hinweis beim Einlesen
   *[other] { $count } Hinweise beim Einlesen
  }
import-preview-question = Importieren?
import-done-created = ✅ Neues Thema Nr. { NUMBER($id, useGrouping: 0) } angelegt: <b>{ $title }</b> ({ $new ->
    [one] 1 Meldung
   *[other] { $new } Meldungen
  })
import-done-updated = ✅ Thema Nr. { NUMBER($id, useGrouping: 0) } aktualisiert: <b>{ $title }</b> ({ $new ->
    [one] 1 neue Meldung
   *[other] { $new } neue Meldungen
  })
import-unchanged = Nichts Neues – diese Seite ist schon importiert.
import-cancelled = Import abgebrochen.
import-expired = Diese Vorschau ist abgelaufen. Bitte die Datei noch einmal senden.
import-failed = Die Seite ließ sich nicht importieren: { $reason }
import-file-too-large = Die Datei ist zu groß – höchstens { $max_kb } KB.
import-file-not-text = Bitte eine Textdatei (.txt) senden.
import-file-empty = Die Datei ist leer.
import-file-binary = Die Datei enthält keinen lesbaren Text.

## Knöpfe (reiner Text)

button-newer = « Neuer
button-older = Älter »
button-import = Importieren
button-cancel = Abbrechen
