## Following live sources on the web (/follow, /sources, /unfollow). English.
## Arguments arrive HTML-escaped already. Every key must also be in de/follow.ftl.

cmd-follow = follow a live blog or feed (new story if none given)
    .args = URL [story number]
    .example = /follow https://example.com/liveblog
cmd-sources = followed sources and their state
cmd-unfollow = stop following source N
    .args = N
    .example = /unfollow 2

follow-usage = Please give the address, e.g. <code>/follow https://example.com/liveblog</code> – optionally followed by a story number.
follow-done = ✅ Following <b>{ $url }</b> as source { NUMBER($id, useGrouping: 0) } for the story <b>{ $title }</b>{ $created ->
    [yes] {" "}(new story)
   *[no] {""}
  }. { NUMBER($total, useGrouping: 0) } entries stored; new ones go to subscribers as they appear.
follow-refused = ❌ That address cannot be followed: { $reason }
follow-refused-scheme = only http:// and https:// addresses are followed ({ $detail }).
follow-refused-loopback = it points to this machine itself.
follow-refused-private = it points to a private network address.
follow-refused-link-local = it points to a link-local address.
follow-refused-reserved = it points to a reserved or non-public address.
follow-refused-unresolved = the host name could not be resolved ({ $detail }).
follow-refused-malformed = it is not a valid web address ({ $detail }).
follow-fetch-failed = ❌ The source could not be fetched: { $detail }
follow-unreadable = ❌ The source is neither a live blog, a feed nor a readable page: { $detail }
follow-no-story = There is no live story number { NUMBER($id, useGrouping: 0) }. /stories lists them.
follow-exists = <b>{ $url }</b> is already followed for this story.

sources-none = No sources are followed. Add one with /follow URL.
sources-title = <b>Followed sources</b>
sources-entry = <b>{ NUMBER($id, useGrouping: 0) }.</b> { $url }
    story: { $story } · { $format }
    last fetch: { $fetched } · last change: { $changed } · next fetch: { $next }
sources-error = ⚠️ { $error } ({ $at })
sources-never = never
sources-unknown-format = format not known yet

unfollow-usage = Please give the source number from /sources, e.g. <code>/unfollow 2</code>
unfollow-done = Stopped following <b>{ $url }</b> (source { NUMBER($id, useGrouping: 0) }). Its entries stay in the story.
unfollow-unknown = There is no source number { NUMBER($id, useGrouping: 0) }. /sources lists them.
