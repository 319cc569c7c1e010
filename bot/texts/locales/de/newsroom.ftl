## Was eine Redaktion und ihre Leser erwarten (Issue 13): Ortszeit, Ruhezeit. Deutsch.
## Argumente kommen bereits HTML-maskiert an. Jeder Schlüssel steht auch in en/newsroom.ftl.

cmd-timezone = Zeitzone des Chats zeigen oder wählen
    .args = [Zone, z. B. Europe/Berlin]
cmd-quiet = Ruhezeit einstellen (Ortszeit)
    .args = [von-bis | off]

quiet-window = { $start }–{ $end } Uhr
quiet-button-off = 🌙 Ruhezeit
quiet-button-on = Ruhezeit { $window }
quiet-saved = Ruhezeit { $window } ({ $zone })
quiet-saved-off = Ruhezeit aus
settings-timezone = Zeitzone: { $zone } (ändern mit /timezone { $example })
settings-quiet = Ruhezeit: { $window } ({ $zone }) – in der Zeit gesammelt, danach zugestellt
settings-quiet-off = Ruhezeit: aus (einstellen mit /quiet 22-07 oder dem Knopf)
timezone-current = 🕰 Zeitzone: <b>{ $zone }</b> – jetzt { $now }
timezone-usage = Ändern mit <code>/timezone { $example }</code> (Namen der IANA-Zeitzonen, z. B. Europe/Vienna, Europe/Zurich, UTC).
timezone-unknown = Die Zeitzone „{ $name }“ kenne ich nicht. Bitte einen IANA-Namen wie <code>Europe/Berlin</code> angeben.
timezone-set = ✅ Zeitzone gespeichert: <b>{ $zone }</b>. Ruhezeit, Bündelung und Uhrzeiten richten sich danach.
quiet-usage = Einstellen mit <code>/quiet 22-07</code> (von–bis, volle Stunden, Ortszeit), ausschalten mit <code>/quiet off</code>.
quiet-invalid = Das verstehe ich nicht. Bitte so: <code>/quiet 22-07</code> (volle Stunden 0–23, von und bis verschieden) oder <code>/quiet off</code>.
quiet-not-subscribed = Dieser Chat ist nicht abonniert – erst /subscribe, dann die Ruhezeit.
quiet-done = ✅ { $saved }

## Stichwortfilter (/filter)

cmd-filter = nur Meldungen zu bestimmten Wörtern oder Personen
    .args = [Wort, Wort … | off]
settings-filter = Filter: nur Meldungen mit { $words } (ändern mit /filter, aus mit /filter off)
settings-filter-off = Filter: keiner – alle Meldungen (nur bestimmte mit /filter Rutte, Gipfel)
filter-usage = Mit <code>/filter Rutte, Gipfel</code> kommen nur Meldungen, die eines der Wörter nennen (Groß-/Kleinschreibung, Akzente und Umlaute egal, „Gipfel“ findet auch „Gipfeltreffen“). <code>/filter off</code> schaltet den Filter aus.
filter-not-subscribed = Dieser Chat ist nicht abonniert – erst /subscribe, dann der Filter.
filter-done = ✅ Filter gespeichert: nur noch Meldungen mit { $words }.
filter-off-done = ✅ Filter aus: wieder alle Meldungen.
stats-item-skipped = { $skipped } ausgefiltert (Filter oder stumm)
filter-capped = Höchstens { $max } Wörter – der Rest wurde weggelassen.

## Knöpfe unter jeder zugestellten Meldung

push-button-more = 📰 Mehr zum Thema
push-button-mute-hour = 🔕 1 Std.
push-button-mute-tomorrow = 🌙 Bis morgen
push-button-unsubscribe = ✖ Abbestellen
push-muted = 🔕 Stumm bis { $until }. Was in der Zeit kommt, zeigt /missed.
push-undo-mute = ↩ Wieder an (stumm bis { $until })
push-unmuted = 🔔 Wieder an: neue Meldungen kommen sofort.
push-unsubscribed = Abbestellt. Rückgängig mit dem Knopf oder /subscribe.
push-undo-unsubscribe = ↩ Rückgängig: wieder abonnieren
push-resubscribed = ✅ Wieder abonniert, mit den bisherigen Einstellungen.
push-not-subscribed = Dieser Chat ist nicht (mehr) abonniert – /subscribe.

## Verpasst (/missed, /start, erneutes Abonnieren)

cmd-missed = was seit dem letzten Besuch dazukam
missed-title = 📬 <b>Verpasst: { $count ->
    [one] eine neue Meldung
   *[other] { $count } neue Meldungen
  }</b> in „{ $title }“ seit dem letzten Besuch
missed-page = Neueste zuerst – { $first }–{ $last } von { $total }:
missed-none = ✅ Nichts verpasst in „{ $title }“: alles gesehen. Das Neueste: /ticker
missed-first = Noch kein Besuch vermerkt – ab jetzt zeigt /missed, was dazukommt. Das Neueste: /ticker
missed-button-older = Ältere verpasste ▶
missed-button-newer = ◀ Neuere

## Archivierte Themen

story-archived-readonly = 🗄 <b>„{ $title }“ ist archiviert</b> – nur zum Lesen, Abonnieren ist nicht mehr möglich.
story-archived-current = Sie lesen weiter Ihr aktuelles Thema: „{ $title }“.
story-archived-no-current = Ein laufendes Thema gibt es gerade nicht.
story-archived-ticker = 📜 Ticker dieses Themas

## Bot-Beschreibung (vor /start und im Profil)

bot-description = Der Nachrichten-Bot zu einem laufenden Thema: das Wichtigste (/summary), die Stimmen (/quotes), das Neueste (/ticker). Mit /subscribe kommt jede neue Meldung sofort – mit Ruhezeit, Filter und Zeitzone nach Wunsch.
bot-short-description = Kurzfassung, Zitate und Live-Ticker zu einem laufenden Nachrichtenthema.

## /pin im Kanal

pin-channel-usage = So: <code>/pin 12</code> heftet im Bot an, <code>/pin 12 kanal</code> zusätzlich im Kanal.
pin-channel-none = Es ist kein Kanal eingestellt (CHANNEL_ID).
pin-channel-missing = Meldung #{ NUMBER($id, useGrouping: 0) } ist (noch) nicht im Kanal erschienen.
pin-channel-done = 📌 Im Kanal angeheftet.
unpin-channel-done = Im Kanal nicht mehr angeheftet.
pin-channel-failed = Im Kanal ging das nicht – darf der Bot dort Nachrichten anheften?
