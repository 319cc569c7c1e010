## Texte für Leser und Redaktion, die nach dem ersten Test dazukamen.

language-choose = Welche Sprache? Jetzt: { $language }
button-language-de = Deutsch
button-language-en = English
button-invalid = Dieser Knopf funktioniert nicht (mehr).
reply-cut = … die ganze Antwort wäre { $total } Nachrichten lang. Den Rest zeigen /ticker und /search Seite für Seite.

## Redaktion: Protokoll, Titel, Änderungen ohne Wirkung

audit-target-item = Meldung #{ NUMBER($id, useGrouping: 0) }
audit-target-quote = Zitat #{ NUMBER($id, useGrouping: 0) }
audit-target-story = Thema Nr. { NUMBER($id, useGrouping: 0) }
cmd-settitle = kurzen Titel des Themas setzen (über jeder Meldung)
    .args = TITEL
    .example = /settitle NATO-Gipfel
settitle-done = ✅ Kurzer Titel von Thema Nr. { NUMBER($id, useGrouping: 0) }: <b>{ $title }</b>
title-unchanged = Das Thema heißt schon so.
pin-unchanged = Meldung #{ NUMBER($id, useGrouping: 0) } ist schon angeheftet – nichts geändert.
unpin-unchanged = Meldung #{ NUMBER($id, useGrouping: 0) } ist gar nicht angeheftet – nichts geändert.
summary-unchanged = Diese Zusammenfassung gilt schon – nichts geändert.
summary-not-set = Es gilt schon die automatische Zusammenfassung – nichts geändert.
speaker-unchanged = Zitat #{ NUMBER($id, useGrouping: 0) } ist schon so zugeordnet – nichts geändert.
post-story = in „{ $title }“
stats-story = Thema: { $title }
stats-item-blocked = { $blocked } blockiert oder weg
stats-item-retracted = 🗑 zurückgezogen
