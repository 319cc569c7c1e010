## What a newsroom and its readers expect (issue 13): local time, quiet hours. English.
## Arguments arrive HTML-escaped already. Every key must also be in de/newsroom.ftl.

cmd-timezone = show or choose the chat's time zone
    .args = [zone, e.g. Europe/Berlin]
cmd-quiet = set quiet hours (local time)
    .args = [from-to | off]

quiet-window = { $start }:00–{ $end }:00
quiet-button-off = 🌙 Quiet hours
quiet-button-on = Quiet hours { $window }
quiet-saved = Quiet hours { $window } ({ $zone })
quiet-saved-off = Quiet hours off
settings-timezone = Time zone: { $zone } (change it with /timezone { $example })
settings-quiet = Quiet hours: { $window } ({ $zone }) – collected meanwhile, delivered after
settings-quiet-off = Quiet hours: off (set them with /quiet 22-07 or the button)
timezone-current = 🕰 Time zone: <b>{ $zone }</b> – now { $now }
timezone-usage = Change it with <code>/timezone { $example }</code> (IANA zone names, e.g. America/New_York, Asia/Tokyo, UTC).
timezone-unknown = I don't know the time zone “{ $name }”. Please give an IANA name such as <code>Europe/London</code>.
timezone-set = ✅ Time zone saved: <b>{ $zone }</b>. Quiet hours, digests and times shown follow it.
quiet-usage = Set them with <code>/quiet 22-07</code> (from–to, whole hours, local time), switch them off with <code>/quiet off</code>.
quiet-invalid = I don't understand that. Please like this: <code>/quiet 22-07</code> (whole hours 0–23, from and to different) or <code>/quiet off</code>.
quiet-not-subscribed = This chat is not subscribed – /subscribe first, then the quiet hours.
quiet-done = ✅ { $saved }

## Keyword filters (/filter)

cmd-filter = only updates about given words or people
    .args = [word, word … | off]
settings-filter = Filter: only updates mentioning { $words } (change with /filter, off with /filter off)
settings-filter-off = Filter: none – every update (only some with /filter Rutte, summit)
filter-usage = With <code>/filter Rutte, summit</code> only updates that mention one of the words arrive (case, accents and umlauts do not matter, “summit” also finds “summits”). <code>/filter off</code> switches the filter off.
filter-not-subscribed = This chat is not subscribed – /subscribe first, then the filter.
filter-done = ✅ Filter saved: only updates mentioning { $words } from now on.
filter-off-done = ✅ Filter off: every update again.
stats-item-skipped = { $skipped } filtered out (filter or muted)
filter-capped = At most { $max } words – the rest was left out.

## Buttons under every pushed update

push-button-more = 📰 More on this
push-button-mute-hour = 🔕 1 hour
push-button-mute-tomorrow = 🌙 Until tomorrow
push-button-unsubscribe = ✖ Unsubscribe
push-muted = 🔕 Muted until { $until }. /missed shows what comes meanwhile.
push-undo-mute = ↩ Unmute (muted until { $until })
push-unmuted = 🔔 Unmuted: new updates arrive right away.
push-unsubscribed = Unsubscribed. Undo with the button or /subscribe.
push-undo-unsubscribe = ↩ Undo: subscribe again
push-resubscribed = ✅ Subscribed again, with the settings you had.
push-not-subscribed = This chat is not subscribed (any more) – /subscribe.

## Missed (/missed, /start, subscribing again)

cmd-missed = what came since your last visit
missed-title = 📬 <b>Missed: { $count ->
    [one] one new update
   *[other] { $count } new updates
  }</b> in “{ $title }” since your last visit
missed-page = Newest first – { $first }–{ $last } of { $total }:
missed-none = ✅ Nothing missed in “{ $title }”: you have seen it all. The latest: /ticker
missed-first = No earlier visit on record – from now on /missed shows what is new. The latest: /ticker
missed-button-older = Older missed ▶
missed-button-newer = ◀ Newer

## Archived stories

story-archived-readonly = 🗄 <b>“{ $title }” is archived</b> – read only, it can no longer be subscribed to.
story-archived-current = You keep reading your current story: “{ $title }”.
story-archived-no-current = There is no live story right now.
story-archived-ticker = 📜 This story's ticker

## Bot description (before /start and on the profile)

bot-description = The news bot for a developing story: the gist (/summary), the voices (/quotes), the latest (/ticker). With /subscribe every new update arrives at once – with quiet hours, filters and your time zone as you like.
bot-short-description = Summary, quotes and a live ticker on a developing news story.

## /pin in the channel

pin-channel-usage = Like this: <code>/pin 12</code> pins in the bot, <code>/pin 12 channel</code> in the channel as well.
pin-channel-none = No channel is set (CHANNEL_ID).
pin-channel-missing = Update #{ NUMBER($id, useGrouping: 0) } has not appeared in the channel (yet).
pin-channel-done = 📌 Pinned in the channel.
unpin-channel-done = No longer pinned in the channel.
pin-channel-failed = That did not work in the channel – may the bot pin messages there?
