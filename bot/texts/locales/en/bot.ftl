## Texts of the briefing bot, English.
## Arguments arrive HTML-escaped already; <b>/<i> here is our own markup.
## Ids (items, quotes, stories) without digit grouping: NUMBER($id, useGrouping: 0).
## Every key must also be in de/bot.ftl (a test checks that).

## Date and time. Arguments are ready-made strings: $day "5", $day2 "05",
## $month2 "11", $monthname (from month-short), $year, $hour, $minute, $zone.

month-short = { $month ->
    [1] Jan
    [2] Feb
    [3] Mar
    [4] Apr
    [5] May
    [6] Jun
    [7] Jul
    [8] Aug
    [9] Sep
    [10] Oct
    [11] Nov
   *[12] Dec
  }
# 25 Nov 2026, 14:05 UTC
datetime-long = { $day } { $monthname } { $year }, { $hour }:{ $minute } { $zone }
# 14:05 CET, 25 Nov
datetime-short = { $hour }:{ $minute } { $zone }, { $day } { $monthname }

## Start and help

welcome-title = 👋 <b>Welcome to the briefing bot!</b>
welcome-intro = A developing news story in brief: the key points, quotes, who's who and the live ticker – and, if you like, every new update straight into this chat.
welcome-story = Current story: <b>{ $title }</b>
welcome-no-story = No story is loaded yet.
welcome-first-steps = <b>Getting started</b>
welcome-all-commands = All commands: /help
welcome-editor = You are registered as an editor – /help also lists the editor commands.

help-title = <b>Commands</b>
help-editor-title = <b>For editors</b> (private chat only)
help-editor-import = send a text file – import a page (with preview)

# Command descriptions: plain text (also used for Telegram's command menu),
# .args is how the arguments are written in /help.
cmd-summary = the key points in brief
cmd-quotes = quotes, optionally from one person only
    .args = [NAME]
cmd-ticker = the latest live ticker updates
    .args = [N]
cmd-people = who's who
cmd-search = search the story
    .args = WORDS
cmd-stories = all stories
cmd-story = switch to another story
    .args = N
cmd-subscribe = get new updates automatically
cmd-unsubscribe = stop getting updates
cmd-settings = delivery and language settings
cmd-language = switch language
    .args = de|en
cmd-help = this overview
cmd-post = publish a new update (first line = headline)
    .args = TEXT
    .example = /post Ferries cancelled
cmd-edit = correct update N
    .args = N TEXT
    .example = /edit 12 New text
cmd-delete = retract update N
    .args = N
    .example = /delete 12
cmd-pin = pin update N (with “channel” in the channel too)
    .args = N [channel]
    .example = /pin 12
cmd-unpin = unpin update N
    .args = N
    .example = /unpin 12
cmd-setsummary = set your own summary
    .args = TEXT
    .example = /setsummary The gist in one paragraph
cmd-resetsummary = go back to the automatic summary
cmd-addquote = add a quote
    .args = "TEXT" — SPEAKER, ROLE
    .example = /addquote "We stay on it" — Mark Rutte, NATO Secretary General
cmd-delquote = delete quote N
    .args = N
    .example = /delquote 3
cmd-setspeaker = change the speaker of quote N
    .args = N NAME
    .example = /setspeaker 3 Mark Rutte
cmd-newstory = create a new story
    .args = TITLE
    .example = /newstory Summit in Brussels
cmd-archive = archive story N (with a final recap)
    .args = N
    .example = /archive 2
cmd-stats = subscribers and delivery
cmd-audit = latest editor changes
    .args = [N]

## Summary (/summary)

summary-as-of = As of { $datetime }
summary-empty = No summary yet.
summary-pinned = 📌 <b>Pinned</b>
summary-latest = <b>Latest</b>
summary-more = More: /ticker · /quotes · /people

## Quotes (/quotes)

quotes-title = 💬 <b>Quotes</b>
quotes-title-filtered = 💬 <b>Quotes from { $name }</b> ({ $count })
quotes-fragments = <b>In brief</b>
quotes-more = … and { $count } more. Filter by person: /quotes NAME
quotes-unattributed = unattributed
quotes-empty = No quotes yet.
quotes-unknown-speaker = Nobody called “{ $name }” is quoted. Speakers: { $speakers }
quotes-unknown-speaker-none = Nobody called “{ $name }” is quoted.
quote-line = “{ $text }” — { $attribution }

## Live ticker (/ticker)

ticker-header = 🔴 <b>Ticker</b> ({ $first }–{ $last } of { $total })
ticker-empty = No ticker updates yet.
ticker-corrected = (corrected)
ticker-bad-count = Please give a number from 1 to { $max }, e.g. /ticker 5

## Delivery to subscribers

push-header = 🔴 <b>{ $title }</b>
retraction-notice = <b>Retracted:</b> This update was retracted by the editors.
archive-recap-title = 🏁 <b>{ $title }</b>
archive-recap-ended = The live ticker on this story has ended.
archive-recap-summary = <b>Key points</b>
archive-recap-count = { $count ->
    [one] One update in total.
   *[other] { $count } updates in total.
  }
archive-recap-thanks = Thanks for following along! More stories: /stories

## Who's who (/people)

people-title = 👥 <b>Who's who</b>
people-empty = No people identified yet.

## Search (/search)

search-title = 🔎 <b>Results for “{ $query }”</b>
search-none = Nothing found for “{ $query }”.
search-missing-words = What should I look for? For example: /search NATO membership
search-kind = { $kind ->
    [quote] Quote
    [ticker] Ticker
   *[body] Text
  }

## Stories (/stories, /story N)

stories-title = 🗂 <b>Stories</b>
stories-current = ← current
stories-archived = (archived)
stories-hint = Switch with /story N
stories-empty = No stories yet.
story-switched = You are now reading: <b>{ $title }</b>
story-unknown = There is no story no. { NUMBER($id, useGrouping: 0) }. Overview: /stories
story-gone = This story no longer exists. Overview: /stories
story-bad-id = Please give the number of a story, e.g. /story 1
story-is-archived = The story “{ $title }” is archived; it gets no new updates.
no-story = No story is loaded right now.

## Settings (/settings, /language)

settings-title = ⚙️ <b>Settings</b>
settings-story = Story: { $title }
settings-language = Language: { $language } (change it with the buttons below or /language de|en)
settings-mode = Delivery: { $mode }
settings-not-subscribed = Not subscribed – get new updates with /subscribe.
settings-choose = How should new updates arrive?
settings-saved = Saved: { $mode }
language-name = { $code ->
    [en] English
   *[de] Deutsch
  }
delivery-mode = { $mode ->
    [instant] every update right away
    [hourly] hourly digest
    [quiet] right away, except 22:00–07:00
   *[off] off
  }
settings-button-instant = Every update
settings-button-hourly = Hourly digest
settings-button-quiet = Quiet hours 22–07
settings-button-off = Off
language-switched = I'll answer in English from now on.
language-unknown = I don't know that language. Choose with the buttons, or type /language de or /language en

## Subscription

subscribe-done = 🔔 Subscribed! New updates on “{ $title }” will come to this chat. Stop with /unsubscribe
subscribe-already = This chat is already subscribed. Settings: /settings
unsubscribe-done = 🔕 Unsubscribed. No more updates; subscribe again with /subscribe
unsubscribe-not = This chat is not subscribed. Subscribe with /subscribe
group-admins-only = In groups only admins may change the group's settings.

## Answers and errors

unknown-command = I don't know that command. All commands: /help
free-text = I respond to commands – see /help for an overview.
flood = Slow down please – that was too many messages at once. Please try again in { $seconds } s.
error-generic = Sorry, something went wrong. Please try again in a moment.
argument-too-long = That is too long – { $max } characters at most.
number-bad = Please give a number from 1 to { $max }, e.g. { $example }

## Editors

not-editor = Only editors may do that.
editor-private-only = Please use editor commands in a private chat with me.
missing-text = The text is missing. See /help for how it works.
text-too-long = The text is too long: { $length } characters, { $max } allowed.
# A command without something it needs: what is missing, then how the command goes.
command-missing = { $argument ->
    [number] { $command }: the number is missing.
    [new-text] { $command }: the new text is missing.
    [title] { $command }: the title is missing.
    [name] { $command }: the name is missing.
    [quote] { $command }: the quote is missing.
   *[text] { $command }: the text is missing.
}
command-usage = Like this: <code>{ $usage }</code> – { $description }, e.g. <code>{ $example }</code>
item-not-found = There is no update #{ NUMBER($id, useGrouping: 0) }.
item-already-retracted = Update #{ NUMBER($id, useGrouping: 0) } is already retracted.
post-done = ✅ Update #{ NUMBER($id, useGrouping: 0) } published
post-progress = delivered { NUMBER($delivered, useGrouping: 0) }/{ NUMBER($total, useGrouping: 0) }
post-no-subscribers = no subscribers yet
edit-done = ✏️ Update #{ NUMBER($id, useGrouping: 0) } corrected; delivered messages are being updated.
edit-unchanged = Update #{ NUMBER($id, useGrouping: 0) } is unchanged – the text is the same.
delete-done = 🗑 Update #{ NUMBER($id, useGrouping: 0) } retracted; delivered messages are being deleted (after 48 hours replaced by a notice).
pin-done = 📌 Update #{ NUMBER($id, useGrouping: 0) } pinned.
unpin-done = Update #{ NUMBER($id, useGrouping: 0) } is no longer pinned.
summary-set = ✅ Your summary is saved.
summary-reset = ✅ The automatic summary is back.
addquote-format = Like this: /addquote "Text of the quote" — Speaker, Role (role is optional)
addquote-done = ✅ Quote #{ NUMBER($id, useGrouping: 0) } added.
delquote-done = 🗑 Quote #{ NUMBER($id, useGrouping: 0) } deleted.
quote-not-found = There is no quote #{ NUMBER($id, useGrouping: 0) }.
setspeaker-done = ✅ Quote #{ NUMBER($id, useGrouping: 0) } is now attributed to { $name }.
newstory-done = ✅ New story no. { NUMBER($id, useGrouping: 0) }: <b>{ $title }</b> – /post now publishes to this story.
archive-done = 🏁 Story no. { NUMBER($id, useGrouping: 0) } archived: { $title }. Subscribers get a final recap.
story-already-archived = Story no. { NUMBER($id, useGrouping: 0) } is already archived.

## Statistics (/stats)

stats-title = 📊 <b>Statistics</b>
stats-subscribers = Subscribers: { $active } active, { $blocked } blocked or gone
stats-recent = <b>Latest updates</b>
stats-item-pending = { $pending } pending
stats-item-failed = { $failed } failed
stats-no-items = No updates delivered yet.

## Audit (/audit)

audit-title = 🧾 <b>Audit log</b> (latest { $count })
audit-empty = No entries yet.
audit-user = user { $user }
audit-action = { $action ->
    [post] published
    [edit] corrected
    [delete] retracted
    [pin] pinned
    [unpin] unpinned
    [setsummary] summary set
    [resetsummary] summary reset
    [addquote] quote added
    [delquote] quote deleted
    [setspeaker] speaker changed
    [newstory] story created
    [archive] story archived
    [import] imported
    [settitle] title changed
    [follow] source followed
    [unfollow] source no longer followed
   *[other] { $action }
  }

## Importing a page (text file)

import-preview-title = 📄 <b>Preview:</b> { $title }
import-preview-updates = Updates an existing story.
import-preview-counts = { $paragraphs ->
    [one] 1 paragraph
   *[other] { $paragraphs } paragraphs
  } · { $quotes ->
    [one] 1 quote
   *[other] { $quotes } quotes
  } · { $ticker ->
    [one] 1 ticker update
   *[other] { $ticker } ticker updates
  }
import-preview-quotes = <b>First quotes</b>
import-preview-warnings = { $count ->
    [one] 1 note while reading the page
   *[other] { $count } notes while reading the page
  }
import-preview-question = Import it?
import-done-created = ✅ New story no. { NUMBER($id, useGrouping: 0) } created: <b>{ $title }</b> ({ $new ->
    [one] 1 update
   *[other] { $new } updates
  })
import-done-updated = ✅ Story no. { NUMBER($id, useGrouping: 0) } updated: <b>{ $title }</b> ({ $new ->
    [one] 1 new update
   *[other] { $new } new updates
  })
import-unchanged = Nothing new – this page is already imported.
import-cancelled = Import cancelled.
import-expired = This preview has expired. Please send the file again.
import-failed = The page could not be imported: { $reason }
import-file-too-large = The file is too large – { $max_kb } KB at most.
import-file-not-text = Please send a text file (.txt).
import-file-empty = The file is empty.
import-file-binary = The file contains no readable text.

## Buttons (plain text)

button-newer = « Newer
button-older = Older »
button-import = Import
button-cancel = Cancel
