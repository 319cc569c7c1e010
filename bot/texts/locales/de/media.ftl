## Meldungen mit Bildern, Videos, Animationen und Dokumenten (Issue 13). Deutsch.
## Argumente kommen schon HTML-maskiert an. Jeder Schlüssel steht auch in en/media.ftl.

media-marker = { $kind ->
    [photo] 📷 Foto
    [video] 🎬 Video
    [animation] 🎞 GIF
    [album] 🖼 { $count } Anhänge
   *[document] 📎 Dokument
  }
media-reader = Bilder und Dateien kann ich nicht annehmen – schick mir lieber einen Befehl, z. B. /ticker oder /help.
media-replaced = ✅ #{ NUMBER($id, useGrouping: 0) }: Anhang ersetzt; alle zugestellten Kopien werden aktualisiert.
media-edit-usage = Um das Bild einer Meldung zu ersetzen, schick das neue mit der Bildunterschrift <code>/edit 12</code> (Text nach der Nummer ersetzt auch den Text).
media-too-many = Eine Meldung nimmt höchstens { $max } Anhänge; die ersten { $max } wurden übernommen.
media-caption-unknown = Als Befehl in der Bildunterschrift gehen nur <code>/post</code> oder <code>/edit N</code>. Eine normale Bildunterschrift wird als Text der Meldung veröffentlicht.
summary-media = 🖼 Neuestes Bild: { $headline }
media-unsupported = Fotos, Videos, GIFs und Dokumente werden zu Meldungen; Sprachnachrichten, Audio und Sticker nicht.
button-media = { $marker }: { $headline }
media-gone = Diese Meldung gibt es nicht mehr.
