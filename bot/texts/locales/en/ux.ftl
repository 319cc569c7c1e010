## Reader and editor texts added after the first test round.

language-choose = Which language? Now: { $language }
button-language-de = Deutsch
button-language-en = English
button-invalid = This button does not work (any more).
reply-cut = … the whole answer would take { $total } messages. /ticker and /search show the rest page by page.
