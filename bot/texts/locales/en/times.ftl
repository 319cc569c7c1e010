## Times readers and editors see: each names its zone or is on the chat's clock.
## Every key must also be in de/times.ftl.

# The zone's abbreviation as readers know it; as given in English.
zone-abbr = { $zone }
# The clock time an imported page or source printed, with no zone to tell.
item-time-source = { $time } source time
# /settings: muted with the buttons under an update.
settings-unmute = 🔔 Unmute
settings-muted = 🔕 Muted until { $until } – /missed shows the new updates.
# Example zones for /timezone; the second when the chat is on the first already.
timezone-example = Europe/London
timezone-example-other = Europe/Dublin
