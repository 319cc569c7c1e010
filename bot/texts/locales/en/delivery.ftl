## Delivery: dead letters (/retry) and stalled pushes in /stats

cmd-retry = send failed deliveries again (of update N only)
    .args = [N]

retry-done = { $count ->
    [one] 1 failed delivery goes out again now.
   *[other] { $count } failed deliveries go out again now.
  }
retry-nothing = Nothing to retry: no delivery of this story has failed for good.
retry-nothing-item = Nothing to retry for update #{ NUMBER($id, useGrouping: 0) }.
retry-bad-id = Please give the number of an update, e.g. <code>/retry 12</code>, or nothing for all.

stats-paused = ⏸ <b>Delivery paused:</b> Telegram has not answered since { $since }. Pushes wait and go out as soon as it answers again.
stats-item-stalled = { $retrying ->
    [0] ⏸ stalled
   *[other] ⏸ stalled, { $retrying } waiting for a retry
  }
stats-retry-hint = Failed deliveries can be sent again with /retry (or /retry N for one update).
