## Reader and editor texts added after the first test round.

language-choose = Which language? Now: { $language }
button-language-de = Deutsch
button-language-en = English
button-invalid = This button does not work (any more).
reply-cut = … the whole answer would take { $total } messages. /ticker and /search show the rest page by page.

## Editors: audit log, titles, changes that change nothing

audit-target-item = update #{ NUMBER($id, useGrouping: 0) }
audit-target-quote = quote #{ NUMBER($id, useGrouping: 0) }
audit-target-story = story { NUMBER($id, useGrouping: 0) }
cmd-settitle = set the story's short title (heads every update)
    .args = TITLE
    .example = /settitle NATO summit
settitle-done = ✅ Short title of story { NUMBER($id, useGrouping: 0) }: <b>{ $title }</b>
title-unchanged = The story already has that title.
pin-unchanged = Update #{ NUMBER($id, useGrouping: 0) } is already pinned – nothing changed.
unpin-unchanged = Update #{ NUMBER($id, useGrouping: 0) } is not pinned – nothing changed.
summary-unchanged = That summary is already in place – nothing changed.
summary-not-set = The automatic summary is already in place – nothing changed.
speaker-unchanged = Quote #{ NUMBER($id, useGrouping: 0) } already has that speaker – nothing changed.
post-story = in “{ $title }”
stats-story = Story: { $title }
stats-item-blocked = { $blocked } blocked or gone
stats-item-retracted = 🗑 retracted
