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
settings-timezone = Zeitzone: { $zone } (ändern mit /timezone Europe/Berlin)
settings-quiet = Ruhezeit: { $window } ({ $zone }) – in der Zeit gesammelt, danach zugestellt
settings-quiet-off = Ruhezeit: aus (einstellen mit /quiet 22-07 oder dem Knopf)
timezone-current = 🕰 Zeitzone: <b>{ $zone }</b> – jetzt { $now }
timezone-usage = Ändern mit <code>/timezone Europe/Berlin</code> (Namen der IANA-Zeitzonen, z. B. Europe/Vienna, Europe/Zurich, UTC).
timezone-unknown = Die Zeitzone „{ $name }“ kenne ich nicht. Bitte einen IANA-Namen wie <code>Europe/Berlin</code> angeben.
timezone-set = ✅ Zeitzone gespeichert: <b>{ $zone }</b>. Ruhezeit, Bündelung und Uhrzeiten richten sich danach.
quiet-usage = Einstellen mit <code>/quiet 22-07</code> (von–bis, volle Stunden, Ortszeit), ausschalten mit <code>/quiet off</code>.
quiet-invalid = Das verstehe ich nicht. Bitte so: <code>/quiet 22-07</code> (volle Stunden 0–23, von und bis verschieden) oder <code>/quiet off</code>.
quiet-not-subscribed = Dieser Chat ist nicht abonniert – erst /subscribe, dann die Ruhezeit.
quiet-done = ✅ { $saved }
