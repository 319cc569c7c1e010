## Zustellung: endgültig fehlgeschlagene Zustellungen (/retry) und stockende Pushes in /stats

cmd-retry = fehlgeschlagene Zustellungen erneut senden (nur Meldung N)
    .args = [N]

retry-done = { $count ->
    [one] 1 fehlgeschlagene Zustellung geht jetzt erneut raus.
   *[other] { $count } fehlgeschlagene Zustellungen gehen jetzt erneut raus.
  }
retry-nothing = Nichts zu wiederholen: Keine Zustellung dieses Themas ist endgültig fehlgeschlagen.
retry-nothing-item = Für Meldung #{ NUMBER($id, useGrouping: 0) } gibt es nichts zu wiederholen.
retry-bad-id = Bitte die Nummer einer Meldung angeben, z. B. <code>/retry 12</code>, oder nichts für alle.

stats-paused = ⏸ <b>Zustellung angehalten:</b> Telegram antwortet seit { $since } nicht. Die Pushes warten und gehen raus, sobald Telegram wieder antwortet.
stats-item-stalled = { $retrying ->
    [0] ⏸ stockt
   *[other] ⏸ stockt, { $retrying } warten auf einen neuen Versuch
  }
stats-retry-hint = Fehlgeschlagene Zustellungen lassen sich mit /retry erneut senden (oder /retry N für eine Meldung).
