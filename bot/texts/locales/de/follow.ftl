## Live-Quellen im Netz folgen (/follow, /sources, /unfollow). Deutsch.
## Argumente kommen bereits HTML-escaped an. Jeder Schlüssel steht auch in en/follow.ftl.

cmd-follow = einem Liveblog oder Feed folgen (ohne Angabe: neues Thema)
    .args = URL [Thema Nr.]
    .example = /follow https://example.com/liveblog
cmd-sources = verfolgte Quellen und ihr Zustand
cmd-unfollow = Quelle N nicht mehr verfolgen
    .args = N
    .example = /unfollow 2

follow-usage = Bitte die Adresse angeben, z. B. <code>/follow https://example.com/liveblog</code> – wahlweise gefolgt von der Nummer eines Themas.
follow-done = ✅ <b>{ $url }</b> wird als Quelle { NUMBER($id, useGrouping: 0) } für das Thema <b>{ $title }</b> verfolgt{ $created ->
    [yes] {" "}(neues Thema)
   *[no] {""}
  }. { NUMBER($total, useGrouping: 0) } Einträge gespeichert; neue gehen an die Abonnenten, sobald sie erscheinen.
follow-refused = ❌ Dieser Adresse kann nicht gefolgt werden: { $reason }
follow-refused-scheme = nur http://- und https://-Adressen werden verfolgt ({ $detail }).
follow-refused-loopback = sie zeigt auf diesen Rechner selbst.
follow-refused-private = sie zeigt auf eine Adresse im privaten Netz.
follow-refused-link-local = sie zeigt auf eine link-lokale Adresse.
follow-refused-reserved = sie zeigt auf eine reservierte, nicht öffentliche Adresse.
follow-refused-unresolved = der Rechnername ließ sich nicht auflösen ({ $detail }).
follow-refused-malformed = das ist keine gültige Webadresse ({ $detail }).
follow-fetch-failed = ❌ Die Quelle ließ sich nicht abrufen: { $detail }
follow-unreadable = ❌ Die Quelle ist weder Liveblog noch Feed noch lesbare Seite: { $detail }
follow-no-story = Es gibt kein laufendes Thema Nummer { NUMBER($id, useGrouping: 0) }. /stories zeigt alle.
follow-exists = <b>{ $url }</b> wird für dieses Thema schon verfolgt.

sources-none = Es werden keine Quellen verfolgt. Neue mit /follow URL.
sources-title = <b>Verfolgte Quellen</b>
sources-entry = <b>{ NUMBER($id, useGrouping: 0) }.</b> { $url }
    Thema: { $story } · { $format }
    zuletzt abgerufen: { $fetched } · zuletzt geändert: { $changed } · nächster Abruf: { $next }
sources-error = ⚠️ { $error } ({ $at })
sources-never = nie
sources-unknown-format = Format noch unbekannt

unfollow-usage = Bitte die Nummer der Quelle aus /sources angeben, z. B. <code>/unfollow 2</code>
unfollow-done = <b>{ $url }</b> (Quelle { NUMBER($id, useGrouping: 0) }) wird nicht mehr verfolgt. Ihre Einträge bleiben im Thema.
unfollow-unknown = Es gibt keine Quelle Nummer { NUMBER($id, useGrouping: 0) }. /sources zeigt alle.
