## Uhrzeiten, die Leser und Redaktion sehen: jede nennt ihre Zone oder steht in der des Chats.
## Jeder Schlüssel muss auch in en/times.ftl stehen.

# Die Abkürzung der Zone, wie man sie auf Deutsch liest (CET → MEZ); sonst wie gegeben.
zone-abbr = { $zone ->
    [CET] MEZ
    [CEST] MESZ
   *[other] { $zone }
  }
# Die Uhrzeit, die eine importierte Seite oder Quelle druckte, ohne erkennbare Zone.
item-time-source = { $time } Uhr laut Quelle
# /settings: eine Stummschaltung über die Buttons unter einer Meldung.
settings-unmute = 🔔 Stumm aus
settings-muted = 🔕 Stumm bis { $until } – neue Meldungen zeigt /missed.
# Beispielzonen für /timezone; die zweite, wenn der Chat schon in der ersten ist.
timezone-example = Europe/Berlin
timezone-example-other = Europe/London
