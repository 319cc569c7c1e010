## Items with pictures, videos, animations and documents (issue 13). English.
## Arguments arrive HTML-escaped already. Every key must also be in de/media.ftl.

media-marker = { $kind ->
    [photo] 📷 Photo
    [video] 🎬 Video
    [animation] 🎞 GIF
    [album] 🖼 { $count } attachments
   *[document] 📎 Document
  }
media-reader = I can't take pictures or files – send me a command instead, e.g. /ticker or /help.
media-replaced = ✅ #{ NUMBER($id, useGrouping: 0) }: attachment replaced; every delivered copy is being updated.
media-edit-usage = To replace the picture of an item, send the new one with the caption <code>/edit 12</code> (text after the number replaces the text too).
media-too-many = An item takes at most { $max } attachments; the first { $max } were kept.
media-caption-unknown = Only <code>/post</code> or <code>/edit N</code> work as a caption command. Send a plain caption to post it as the item's text.
summary-media = 🖼 Newest picture: { $headline }
media-unsupported = Photos, videos, GIFs and documents become ticker items; voice messages, audio and stickers cannot.
button-media = { $marker }: { $headline }
media-gone = This update is no longer available.
