## Texte für Leser und Redaktion, die nach dem ersten Test dazukamen.

language-choose = Welche Sprache? Jetzt: { $language }
button-language-de = Deutsch
button-language-en = English
button-invalid = Dieser Knopf funktioniert nicht (mehr).
reply-cut = … die ganze Antwort wäre { $total } Nachrichten lang. Den Rest zeigen /ticker und /search Seite für Seite.
